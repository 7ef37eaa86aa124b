"""The report formats of `aiplatform check` (standard library only: the CLI's options are built from it)."""

from __future__ import annotations

from enum import Enum


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"
