"""The monthly budget: the stack's estimated cost must fit the budget it was given."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...cost.estimate import estimate_resources
from ...shape.resource import Resource
from .._rule import stack_rule

RULE = "aip-cost-monthly-budget"


@stack_rule(
    RULE,
    area="cost",
    severity=Severity.HIGH,
    description="The stack's estimated monthly cost (expected or peak) stays within its budget.",
    why="GPU pools are billed by the hour whatever they run; a pull request that adds a pool or raises a "
        "maximum can add more to the monthly bill than the rest of the platform costs. The estimate uses the "
        "catalog's list prices (no discounts), so it errs on the side of the bill.",
    remediation="Shrink or remove the biggest contributors named in the finding (lower maxSize, use spot, scale "
                "to zero), or raise `monthlyUsd` once the budget owner agrees. `aiplatform cost` shows every "
                "line item; `--baseline` shows what this change adds.",
    config={
        "monthlyUsd": {"type": ["number", "null"], "minimum": 0, "default": None,
                       "description": "The budget in USD per month (730 hours); null turns the rule off. "
                                      "`aiplatform check` fills it from the stack's `budget.monthly_usd`."},
        "basis": {"type": "string", "enum": ["expected", "peak"], "default": "expected",
                  "description": "Which estimate must fit: expected (desired sizes) or peak (every pool at max)."},
        "region": {"type": ["string", "null"], "default": None,
                   "description": "Region for resources whose provider does not say (default: the stack's "
                                  "one AWS provider region)."},
    },
    tags=("budget",),
)
def monthly_budget(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    budget = config.get("monthlyUsd")
    if budget is None:
        return
    basis = config["basis"]
    estimate = estimate_resources(resources, region=config.get("region"))
    amount = estimate.totals.get(basis)
    if amount <= budget:
        return
    over = amount - budget
    biggest = ", ".join(f"{i.name} ({i.description}) ${i.monthly.get(basis):,.0f}"
                        for i in estimate.biggest(basis, 3))
    unpriced = f"; {len(estimate.unpriced)} unpriced line(s) not counted" if estimate.unpriced else ""
    yield None, (f"{basis} monthly estimate ${amount:,.2f} exceeds the budget ${budget:,.2f} by ${over:,.2f} "
                 f"({100 * over / budget:.0f}% over){unpriced}; biggest: {biggest}" if budget else
                 f"{basis} monthly estimate ${amount:,.2f} exceeds the budget $0.00; biggest: {biggest}")
