"""`Resource`: one resource as the rules and the estimator see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .props import MISSING, get, known, tags_of


@dataclass
class Resource:
    """One resource as a rule sees it: plain engine-shaped props plus where it sits."""

    type: str
    urn: str
    name: str
    props: dict[str, Any]
    provider_type: str | None = None
    provider_props: dict[str, Any] | None = None
    parent: str | None = None
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    def get(self, path: str, default: Any = MISSING) -> Any:
        return get(self.props, path, default)

    @cached_property
    def tags(self) -> dict[str, Any] | Any:
        return tags_of(self.props)

    @cached_property
    def environment(self) -> str | None:
        """The `environment` tag/label when set and known."""
        tags = self.tags
        if isinstance(tags, dict):
            value = tags.get("environment")
            if isinstance(value, str) and known(value):
                return value
        return None

    def is_production(self, config: Mapping[str, Any]) -> bool | None:
        """True/False from the `environment` tag; None when the resource does not say."""
        env = self.environment
        return None if env is None else env in config.get("productionEnvironments", ("prod", "production"))

    def depends_on(self, prop: str, urn: str) -> bool:
        return urn in self.property_dependencies.get(prop, ())
