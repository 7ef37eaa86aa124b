"""Budgets: the stack's estimated cost fits the budget it was given, and each team's GPU quota (nominal plus
borrowing: the namespace quota `TeamNamespace` writes), priced at its dearest allowed accelerator, fits the
team's budget."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from pulumi_policy import Severity

from ...catalog import cloud_of, instance_row
from ...catalog.prices import HOURS_PER_MONTH, NOT_OFFERED, prices
from ...cost.estimate import estimate_resources, stack_region
from ...cost.pools import POOL_TYPES, pool_of
from ...labels import ACCELERATORS_ANNOTATION, BUDGET_ANNOTATION
from ...shape.props import as_number
from ...shape.resource import Resource
from ...shape.types import CLOUD_PROVIDERS, NAMESPACE, RESOURCE_QUOTA
from .._rule import stack_rule
from .tenancy import annotation, metadata_name, quota_caps

AREA = "cost"
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


def _accelerator_hour(pools: list[Any], models: AbstractSet[str], region: str) -> tuple[float, str] | None:
    """The dearest price of one accelerator-hour among the pools (`pool_of` readings) offering `models`
    (any when empty)."""
    best: tuple[float, str] | None = None
    for pool in pools:
        for itype in pool.instance_types:
            row, cloud = instance_row(itype), cloud_of(itype)
            if row is None or row.accelerator is None or (models and row.accelerator.model not in models):
                continue
            catalog = prices(cloud)  # type: ignore[arg-type]
            price = catalog.instance(itype, region)
            if price is None or price is NOT_OFFERED:
                continue
            spot = catalog.spot_price(itype, region) if pool.capacity == "spot" else None
            if spot is NOT_OFFERED:
                continue
            hourly = spot.amount if spot is not None else \
                price.amount * (catalog.spot_ratio(itype) if pool.capacity == "spot" else 1.0)  # type: ignore[union-attr]
            per_accelerator = hourly / row.accelerator.count
            if best is None or per_accelerator > best[0]:
                best = (per_accelerator, f"{itype} ({row.accelerator.model}, {pool.capacity or 'on-demand'})")
    return best


@stack_rule(
    "aip-cost-team-budget",
    area="cost",
    severity=Severity.HIGH,
    reads=POOL_TYPES | {NAMESPACE, RESOURCE_QUOTA, *CLOUD_PROVIDERS},
    description="A team's GPU quota (its namespace's ResourceQuota: the Kueue nominal quota plus what it may "
                "borrow), priced at its dearest allowed accelerator for a whole month, fits the team's monthly budget.",
    why="The quota is what a team can spend without asking anyone: if running it full costs more than the "
        "budget, the budget is not enforced by anything. GPUs borrowed from other teams' idle quota are billed "
        "while the team runs on them, so the ceiling counts them.",
    remediation="Lower the team's `gpus` quota or `borrowing_limit`, restrict its `accelerators` to cheaper "
                "models, use spot pools outside production, or raise `monthly_budget_usd` once the budget owner "
                "agrees.",
    tags=("budget", "tenancy"),
)
def team_budget(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    namespaces = [r for r in resources if r.type == NAMESPACE and metadata_name(r)]
    budgets = [(ns, b) for ns in namespaces if (b := annotation(ns, BUDGET_ANNOTATION)) is not None]
    if not budgets:
        return
    caps = quota_caps([r for r in resources if r.type == RESOURCE_QUOTA])
    # Each pool read once (not once per team): `pool_of` is a pure function of the resource.
    pools = [pool for r in resources if r.type in POOL_TYPES and (pool := pool_of(r)) is not None]
    region = stack_region(resources)
    if region is None:
        # Without a region there is nothing to compare; the catalog and region rules (aip-compliance-*)
        # report those stacks, and `aiplatform cost` lists them as unpriced.
        return
    # The dearest accelerator-hour is a function of the team's allowed models alone (the pools and
    # the region are the stack's): priced once per distinct set of models, not once per team.
    dearest_for: dict[frozenset[str], tuple[float, str] | None] = {}
    for ns, raw in budgets:
        name = metadata_name(ns)
        budget = as_number(raw)
        gpus = max((v for v in caps.get(name, {}).values() if v is not None), default=0.0)
        if budget is None or not gpus:
            continue
        allowed = annotation(ns, ACCELERATORS_ANNOTATION) or ""
        models = frozenset(m.strip() for m in allowed.split(",") if m.strip())
        if models not in dearest_for:
            dearest_for[models] = _accelerator_hour(pools, models, region)
        dearest = dearest_for[models]
        if dearest is None:  # no listed price: nothing to compare (the catalog rules report it)
            continue
        hourly, what = dearest
        monthly = gpus * hourly * HOURS_PER_MONTH
        if monthly > budget:
            yield ns.urn, (f"team namespace {name}: {gpus:g} accelerators at ${hourly:,.2f}/h ({what}) cost "
                           f"${monthly:,.2f} a month, over its budget ${budget:,.2f}")
