"""What every pricer shares: the pricing context, the `pricer` registration and the line-item helpers.

A pricer turns one engine-shaped resource into line items. It registers for
the resource types it prices and names the usage-file fields it reads:

```python
@pricer("gcp:storage/bucket:Bucket", usage=("storage_gb",))
def price_gcs(r: Resource, ctx: Context) -> list[LineItem]: ...
```

`USAGE_FIELDS` (type -> fields) is derived from those registrations, and it is
the table the usage-file check uses, so a pricer cannot read a field that the
check refuses. The pricers live in `pricers/` (one module per cloud, node pools
and Kubernetes apart) and import this module; `estimate.py` imports the pricers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..catalog.prices import HOURS_PER_MONTH, PriceCatalog
from ..shape.props import known
from ..shape.resource import Resource
from .model import LineItem, Triple
from .usage import ResourceUsage, Usage


@dataclass
class Context:
    catalog: PriceCatalog
    usage: Usage
    default_region: str | None
    index: dict[str, Resource]
    by_name: dict[tuple[str, str], Resource] = field(default_factory=dict)
    #: Instance types priced as spot, and whether from data, the fallback ratio or the usage file's ratio.
    spot_basis: dict[str, str] = field(default_factory=dict)
    #: The day priced (what is past a support window): the usage file's estimate_date, else today.
    today: dt.date = field(default_factory=dt.date.today)

    def usage_of(self, r: Resource) -> ResourceUsage:
        return self.usage.for_resource(r.urn, r.name) or ResourceUsage()

    def region(self, r: Resource) -> str | None:
        for value in (r.get("region"), (r.provider_props or {}).get("region")):
            if isinstance(value, str) and known(value):
                return value
        return self.default_region

    def spot_ratio(self, instance_type: str) -> float:
        given = self.usage.defaults.spot_ratio
        return given if given is not None else self.catalog.spot_ratio(instance_type)


Pricer = Callable[[Resource, Context], list[LineItem]]


@dataclass(frozen=True)
class ClusterPricing:
    """What a Kubernetes object makes one cloud create: the load balancer of a `LoadBalancer` Service
    (`load_balancer(resource, ctx, annotations, creator)`) and the block volume behind a claim (`volume_sku`).
    Each cloud's pricer module registers one in `CLUSTER_PRICING`; `pricers/kubernetes.py` reads it."""

    load_balancer: Callable[[Resource, Context, dict, str], list[LineItem]]
    volume_sku: str


#: Per cloud, how Kubernetes objects are priced there (filled by the cloud's pricer module).
CLUSTER_PRICING: dict[str, ClusterPricing] = {}
#: The pricer of each resource type.
PRICERS: dict[str, Pricer] = {}
#: The usage-file fields the pricer of each type reads (types whose pricer reads none are absent).
USAGE_FIELDS: dict[str, frozenset[str]] = {}


def pricer(*types: str, usage: Iterable[str] = ()) -> Callable[[Pricer], Pricer]:
    """Register a pricer for `types`; `usage` names the `ResourceUsage` fields it reads."""
    fields = frozenset(usage)
    unknown = fields - set(ResourceUsage.model_fields)
    if unknown:
        raise ValueError(f"not usage-file fields: {', '.join(sorted(unknown))}")

    def register(fn: Pricer) -> Pricer:
        for t in types:
            if t in PRICERS:
                raise ValueError(f"{t} already has a pricer ({PRICERS[t].__name__})")
            PRICERS[t] = fn
            if fields:
                USAGE_FIELDS[t] = fields
        return fn

    return register


# ---- building line items -----------------------------------------------------------------------


def item(r: Resource, ctx: Context, sku: str, description: str, **kw: object) -> LineItem:
    """A line item of `r` with its component and team filled in."""
    return LineItem(urn=r.urn, name=r.name, type=r.type, component=component_of(r, ctx.index), team=team_of(r),
                    sku=sku, description=description, **kw)  # type: ignore[arg-type]


def service_line(r: Resource, ctx: Context, sku: str, quantity: Triple, *, basis: str = "plan",
                 note: str = "", description: str | None = None) -> LineItem:
    """A line priced from a service SKU; unpriced when the catalog has no price for the region."""
    region = ctx.region(r)
    row = ctx.catalog.service_row(sku)
    label = description or (row.description if row else sku)
    price = ctx.catalog.service(sku, region) if region else None
    if price is None:
        why = "region unknown" if region is None else f"no {sku} price for {region} in the catalog"
        return item(r, ctx, sku, label, status="unpriced", unit=row.unit if row else "", quantity=quantity,
                    basis=basis, note=_join(why, note))
    hours = HOURS_PER_MONTH if price.unit == "hour" else 1.0
    return item(r, ctx, sku, label, status="priced", unit=price.unit, unit_price=price.amount, quantity=quantity,
                monthly=quantity.scale(price.amount * hours), basis=basis, note=note, price_source=price.source,
                price_as_of=price.as_of.isoformat())


def usage_line(r: Resource, ctx: Context, sku: str, amount: float | None, what: str,
               default: tuple[float, str] | None = None) -> LineItem:
    """A usage-based charge: priced from the usage file, else listed without an amount.

    `default`: (monthly quantity, how it was set) when the plan implies the charge; the line then carries
    that volume priced as `default_monthly` (in the "plan + usage defaults" total, not the plan total)."""
    if amount is not None:
        return service_line(r, ctx, sku, Triple.same(amount), basis="usage", note=f"{what} from the usage file")
    line = service_line(r, ctx, sku, Triple(), basis="usage")
    if line.status == "priced":
        line.status = "usage-based"
        line.note = f"depends on usage: set {what} in the usage file (${line.unit_price:g} per {line.unit})"
        if default is not None and line.unit_price is not None:
            quantity, how = default
            hours = HOURS_PER_MONTH if line.unit == "hour" else 1.0
            line.default_quantity = Triple.same(quantity)
            line.default_monthly = Triple.same(quantity * line.unit_price * hours)
            line.default_note = f"usage default: {quantity:g} {line.unit} a month ({how})"
            line.note += f"; {line.default_note}"
    return line


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# ---- who owns what -----------------------------------------------------------------------------


def component_of(r: Resource, index: dict[str, Resource]) -> str:
    """The nearest aiplatform component above a resource ("EksGpuNodePool ml-dev-inference-l4")."""
    parent = r.parent
    while parent and parent in index:
        ancestor = index[parent]
        if ancestor.type.startswith("aiplatform:index:") and ancestor.type != "aiplatform:index:AiPlatform":
            return f"{ancestor.type.rsplit(':', 1)[1]} {ancestor.name}"
        parent = ancestor.parent
    parts = r.urn.split("::")
    chain = parts[2].split("$")[:-1] if len(parts) > 3 else []
    components = [t.rsplit(":", 1)[1] for t in chain if t.startswith("aiplatform:index:")]
    return components[-1] if components else "(stack)"


def team_of(r: Resource) -> str:
    tags = r.tags
    value = tags.get("team") if isinstance(tags, dict) else None
    return value if isinstance(value, str) and known(value) else "(no team tag)"
