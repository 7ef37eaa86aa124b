"""The report formats of `aiplatform check` and where findings point (standard library only: the CLI's
options are built from it, and every report module reads it)."""

from __future__ import annotations

from dataclasses import dataclass, field
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

    #: Where the guardrail docs live (`--docs-url`, `AIPLATFORM_DOCS_URL`): replaces the base of every rule's URL,
    #: for a fork or an internal mirror. None keeps the project's own.
    docs_url: str | None = None

    #: A platform stack's file and where it configures resources (`offline.project.config_lines`): findings point
    #: at the config a pull request changes rather than at the program line that builds the whole platform.
    config_file: str | None = None
    config: dict[str, int] = field(default_factory=dict)

    def config_line(self, resource_name: str | None) -> int | None:
        """The stack-file line that configures a resource: its pool's or team's entry (the name ends in
        `-<pool>` or contains `-<pool>-`), else the platform's config key; None without a platform config."""
        if not self.config:
            return None
        name = resource_name or ""
        matches = [k for k in self.config if k and (name.endswith(f"-{k}") or f"-{k}-" in name or name == k)]
        return self.config[max(matches, key=len)] if matches else self.config.get("")

    def doc(self, url: str) -> str:
        """A rule's docs URL (`<base>#<rule>`) on the configured base."""
        if not self.docs_url or "#" not in url:
            return url
        return f"{self.docs_url.rstrip('#')}#{url.split('#', 1)[1]}"

    def path(self, uri: str) -> str:
        return f"{self.prefix.rstrip('/')}/{uri}" if self.prefix and self.prefix != "." else uri
