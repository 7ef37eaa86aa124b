"""Reports of `aiplatform check`: text, JSON, SARIF 2.1.0, JUnit XML and a Markdown pull-request comment."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...terminal import Style
from .formats import Format, Locations

if TYPE_CHECKING:
    from ..findings import CheckReport


def render(report: CheckReport, fmt: Format, locations: Locations = Locations(), style: Style = Style()) -> str:
    """`report` in `fmt`; text is laid out at `style`'s width, with colour only when `style.color`."""
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

        return to_markdown(report, locations)
    from .text import to_text

    return to_text(report, style)


__all__ = ["Format", "Locations", "render"]
