"""Reports of `aiplatform check`: text, JSON, SARIF 2.1.0, JUnit XML and a Markdown pull-request comment."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .formats import Format, Locations

if TYPE_CHECKING:
    from ..findings import CheckReport


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
