"""Reports of `aiplatform check`: text, JSON, SARIF 2.1.0, JUnit XML and a Markdown pull-request comment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .formats import Format

if TYPE_CHECKING:
    from ..findings import CheckReport


@dataclass(frozen=True)
class Locations:
    """How to turn a plan's source positions into repository paths."""

    #: Prepended to project-relative paths (the project directory as seen from the repository root).
    prefix: str = ""
    #: Where a finding without a source position points (the stack's config file).
    fallback: str | None = None

    def path(self, uri: str) -> str:
        return f"{self.prefix.rstrip('/')}/{uri}" if self.prefix and self.prefix != "." else uri


def render(report: CheckReport, fmt: Format, locations: Locations = Locations(), width: int = 160) -> str:
    if fmt is Format.json:
        return json.dumps(report.to_dict(), indent=2)
    if fmt is Format.sarif:
        from .sarif import to_sarif

        return json.dumps(to_sarif(report, locations), indent=2)
    if fmt is Format.junit:
        from .junit import to_junit

        return to_junit(report)
    if fmt is Format.markdown:
        from .markdown import to_markdown

        return to_markdown(report)
    from .text import to_text

    return to_text(report, width=width)


__all__ = ["Format", "Locations", "render"]
