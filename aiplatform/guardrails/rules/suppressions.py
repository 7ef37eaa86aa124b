"""Suppressions are judged: malformed ones and ones outside the platform's suppression policy are findings.

The suppression policy is this rule's config (`GOVERNANCE_CONFIG`), so the
`--policy-pack-config` JSON that configures the real pack governs `aiplatform
check` alike. An entry outside policy is a mandatory finding naming the resource
and the rule; the reports then show the finding it meant to hide as a violation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.resource import Resource
from .._rule import RULES, resource_rule
from .._suppress import (
    GOVERNANCE_CONFIG,
    OUTSIDE_POLICY,
    SUPPRESS_KEY,
    Governance,
    parse_suppressions,
    suppression_value,
)

AREA = "meta"


@resource_rule(
    "aip-meta-suppression-valid",
    area="meta",
    severity=Severity.HIGH,
    description=f"`{SUPPRESS_KEY}` entries name an existing rule, give a reason and a valid expiry date, "
                "and stay within the suppression policy (which rules, how long, how much reason).",
    why="A suppression is an exception someone must be able to review, and the platform decides which "
        "exceptions a stack may take: one that does not parse, never expires, gives no reason or hides a "
        "critical finding would otherwise let a resource author talk a guardrail away.",
    remediation=f"Write `{SUPPRESS_KEY}` as `<rule>=<reason of at least 3 words> until YYYY-MM-DD` entries "
                "(at most 90 days away), separated by `;`, on the one resource they concern; fix what a "
                "critical or denied rule reports instead of suppressing it.",
    config=GOVERNANCE_CONFIG,
    tags=("suppressions",),
    dated=True,
)
def suppression_valid(resource: Resource, config: Mapping[str, Any], today: dt.date | None = None) -> Iterator[str]:
    value = suppression_value(resource.props)
    if value is None:
        return
    parsed = parse_suppressions(value, frozenset(RULES))
    yield from parsed.problems
    policy = Governance.from_settings(config)
    for entry in parsed.entries:
        rule = RULES.get(entry.rule)
        why = policy.problems(entry, rule.severity.value if rule else None, today or dt.date.today())
        if why:
            yield OUTSIDE_POLICY.format(rule=entry.rule, resource=resource.name, why="; ".join(why))
