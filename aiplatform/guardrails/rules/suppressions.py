"""The suppression tag itself must be well formed: a malformed one is an error, never silently ignored."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.resource import Resource
from .._rule import RULES, resource_rule
from .._suppress import SUPPRESS_KEY, parse_suppressions, suppression_value

AREA = "meta"


@resource_rule(
    "aip-meta-suppression-valid",
    area="meta",
    severity=Severity.HIGH,
    description=f"`{SUPPRESS_KEY}` entries name an existing rule, give a reason of at least 10 characters "
                "and a valid expiry date.",
    why="A suppression is an exception someone must be able to review; one that does not parse would "
        "otherwise hide a finding without saying why, or fail to suppress what its author meant to.",
    remediation=f"Write `{SUPPRESS_KEY}` as `<rule>=<reason>[ until YYYY-MM-DD]` entries, separated by `;`.",
    tags=("suppressions",),
)
def suppression_valid(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    value = suppression_value(resource.props)
    if value is None:
        return
    yield from parse_suppressions(value, frozenset(RULES)).problems
