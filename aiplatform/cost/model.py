"""What an estimate is made of: line items with idle, expected and peak monthly costs, and their totals.

An `Estimate` round-trips through JSON (`aiplatform cost --format json`), which
is what `--baseline` reads back. Amounts are USD per month of 730 hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

KIND = "aiplatform-cost"
VERSION = 1
BASES = ("idle", "expected", "peak")

#: priced: in the totals. usage-based: the price is known, the quantity is not
#: (set it in the usage file); not in the totals. unpriced: no price in the
#: catalog (or no region, or not offered); never counted as $0.
Status = Literal["priced", "usage-based", "unpriced"]


@dataclass(frozen=True)
class Triple:
    """One number per basis: idle (minimum sizes), expected, peak (maximum sizes)."""

    idle: float = 0.0
    expected: float = 0.0
    peak: float = 0.0

    @classmethod
    def same(cls, value: float) -> Triple:
        return cls(value, value, value)

    def __add__(self, other: Triple) -> Triple:
        return Triple(self.idle + other.idle, self.expected + other.expected, self.peak + other.peak)

    def __sub__(self, other: Triple) -> Triple:
        return Triple(self.idle - other.idle, self.expected - other.expected, self.peak - other.peak)

    def scale(self, factor: float) -> Triple:
        return Triple(self.idle * factor, self.expected * factor, self.peak * factor)

    def get(self, basis: str) -> float:
        return float(getattr(self, basis))

    def to_dict(self) -> dict[str, float]:
        return {b: round(self.get(b), 4) for b in BASES}

    @classmethod
    def from_dict(cls, data: Any) -> Triple:
        if not isinstance(data, dict):
            raise ValueError("expected an object with idle, expected and peak")
        return cls(*(float(data[b]) for b in BASES))


@dataclass
class LineItem:
    urn: str
    name: str
    type: str
    component: str
    team: str
    sku: str
    description: str
    status: Status
    unit: str = ""
    unit_price: float | None = None
    quantity: Triple = field(default_factory=Triple)
    monthly: Triple = field(default_factory=Triple)
    #: Where the quantity came from: plan, usage (the usage file), or assumption.
    basis: str = "plan"
    note: str = ""
    price_source: str = ""
    price_as_of: str = ""
    #: A usage-based line the plan implies: its documented default volume and cost (not in the plan total).
    default_quantity: Triple | None = None
    default_monthly: Triple | None = None
    default_note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a line across two estimates: the resource and what is charged."""
        return (self.urn, self.sku)

    def to_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn, "name": self.name, "type": self.type, "component": self.component, "team": self.team,
            "sku": self.sku, "description": self.description, "status": self.status, "unit": self.unit,
            "unitPrice": self.unit_price, "quantity": self.quantity.to_dict(), "monthly": self.monthly.to_dict(),
            "basis": self.basis, "note": self.note, "priceSource": self.price_source, "priceAsOf": self.price_as_of,
            **({"usageDefault": {"quantity": self.default_quantity.to_dict(), "monthly": self.default_monthly.to_dict(),
                                 "note": self.default_note}}
               if self.default_quantity is not None and self.default_monthly is not None else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LineItem:
        status = d["status"]
        if status not in ("priced", "usage-based", "unpriced"):
            raise ValueError(f"unknown status {status!r}")
        price = d.get("unitPrice")
        default = d.get("usageDefault")
        if default is not None and not isinstance(default, dict):
            raise ValueError("usageDefault: expected an object")
        return cls(
            urn=str(d["urn"]), name=str(d["name"]), type=str(d["type"]), component=str(d.get("component", "")),
            team=str(d.get("team", "")), sku=str(d["sku"]), description=str(d.get("description", "")),
            status=status, unit=str(d.get("unit", "")), unit_price=None if price is None else float(price),
            quantity=Triple.from_dict(d["quantity"]), monthly=Triple.from_dict(d["monthly"]),
            basis=str(d.get("basis", "plan")), note=str(d.get("note", "")),
            price_source=str(d.get("priceSource", "")), price_as_of=str(d.get("priceAsOf", "")),
            default_quantity=Triple.from_dict(default["quantity"]) if default else None,
            default_monthly=Triple.from_dict(default["monthly"]) if default else None,
            default_note=str(default.get("note", "")) if default else "",
        )


def total(items: Iterable[LineItem]) -> Triple:
    out = Triple()
    for item in items:
        if item.status == "priced":
            out = out + item.monthly
    return out


def usage_defaults_total(items: Iterable[LineItem]) -> Triple:
    """The documented default volumes of the usage-based lines the plan implies, priced."""
    out = Triple()
    for item in items:
        if item.status == "usage-based" and item.default_monthly is not None:
            out = out + item.default_monthly
    return out


def grouped(items: Iterable[LineItem], attr: str) -> dict[str, Triple]:
    out: dict[str, Triple] = {}
    for item in items:
        if item.status == "priced":
            key = getattr(item, attr)
            out[key] = out.get(key, Triple()) + item.monthly
    return dict(sorted(out.items(), key=lambda kv: -kv[1].expected))


@dataclass
class Estimate:
    project: str
    stack: str
    region: str | None
    items: list[LineItem]
    catalog_as_of: str
    assumptions: dict[str, Any] = field(default_factory=dict)
    #: Types of billable-looking resources the estimator has no model for.
    not_estimated: dict[str, int] = field(default_factory=dict)

    @property
    def totals(self) -> Triple:
        return total(self.items)

    @property
    def usage_defaults(self) -> Triple:
        """What the usage-based lines' default volumes add (not in `totals`)."""
        return usage_defaults_total(self.items)

    @property
    def totals_with_usage_defaults(self) -> Triple:
        return self.totals + self.usage_defaults

    @property
    def priced(self) -> list[LineItem]:
        return [i for i in self.items if i.status == "priced"]

    @property
    def unpriced(self) -> list[LineItem]:
        return [i for i in self.items if i.status == "unpriced"]

    @property
    def usage_based(self) -> list[LineItem]:
        return [i for i in self.items if i.status == "usage-based"]

    def by_component(self) -> dict[str, Triple]:
        return grouped(self.items, "component")

    def by_team(self) -> dict[str, Triple]:
        return grouped(self.items, "team")

    def biggest(self, basis: str, n: int = 3) -> list[LineItem]:
        return sorted(self.priced, key=lambda i: -i.monthly.get(basis))[:n]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": KIND, "version": VERSION, "project": self.project, "stack": self.stack, "region": self.region,
            "currency": "USD", "hoursPerMonth": 730, "catalogAsOf": self.catalog_as_of,
            "assumptions": self.assumptions, "totals": self.totals.to_dict(),
            "totalsWithUsageDefaults": self.totals_with_usage_defaults.to_dict(),
            "byComponent": {k: v.to_dict() for k, v in self.by_component().items()},
            "byTeam": {k: v.to_dict() for k, v in self.by_team().items()},
            "lineItems": [i.to_dict() for i in self.items],
            "notEstimated": self.not_estimated,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Estimate:
        if d.get("kind") != KIND:
            raise ValueError(f"not an aiplatform cost estimate (kind is {d.get('kind')!r}, expected {KIND!r})")
        if d.get("version") != VERSION:
            raise ValueError(f"unsupported estimate version {d.get('version')!r} (this aiplatform reads {VERSION})")
        items = []
        for i, row in enumerate(d.get("lineItems") or []):
            try:
                items.append(LineItem.from_dict(row))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"lineItems[{i}]: {exc!r}") from None
        return cls(project=str(d.get("project", "")), stack=str(d.get("stack", "")), region=d.get("region"),
                   items=items, catalog_as_of=str(d.get("catalogAsOf", "")),
                   assumptions=dict(d.get("assumptions") or {}), not_estimated=dict(d.get("notEstimated") or {}))
