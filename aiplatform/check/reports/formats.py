"""The report formats of `aiplatform check` and where findings point (standard library only: the CLI's
options are built from it, and every report module reads it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


@dataclass(frozen=True)
class Locations:
    """How to turn a plan's source positions into repository paths."""

    #: Prepended to project-relative paths (the project directory as seen from the repository root).
    prefix: str = ""
    #: Where a finding without a source position points (the stack's config file).
    fallback: str | None = None

    def path(self, uri: str) -> str:
        return f"{self.prefix.rstrip('/')}/{uri}" if self.prefix and self.prefix != "." else uri
