"""The priced catalog: list prices per region, each row dated and sourced.

`aws_prices()` loads `data/aws_prices.yaml` and validates it (known regions,
positive prices, no duplicate SKUs, every instance type of the instance catalog
listed). A lookup answers a `Price` or says why there is none:

- `NOT_OFFERED`: the list says the type is not sold on demand in that region;
- `None`: not in the catalog — the estimator reports the line as *unpriced*,
  never as $0.

Like the rest of the catalog, this imports no provider SDK: the cost guardrail
uses it inside the policy pack.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..problems import join, raise_problems
from .instances import TYPE_PATTERN, CatalogError, Cloud, instances, load_document

Unit = Literal["hour", "month", "gb-month", "gb", "million-samples"]
INSTANCE_SKU: dict[str, str] = {"aws": "aws-ec2", "gcp": "gcp-compute"}
#: Hours in a month, the convention of the AWS and GCP calculators.
HOURS_PER_MONTH = 730.0


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    source: str = Field(pattern=r"^https://")


class InstancePrice(_Row):
    type: str = Field(pattern=TYPE_PATTERN)
    #: Hourly on-demand list price per region; None: not sold on demand there.
    on_demand: dict[str, float | None]
    spot_ratio: float | None = Field(None, gt=0, le=1, description="Overrides the catalog's spot ratio.")
    #: Per region, where its on-demand figure was read when not from `source` (dated `regional_as_of`).
    regional_source: dict[str, str] = Field(default_factory=dict)
    regional_as_of: dt.date | None = None
    #: Regions whose on-demand figure is not a published price (an earlier derivation kept until refreshed).
    unverified: list[str] = Field(default_factory=list)
    #: Hourly spot price per region from dated data; None: not sold as spot there. Absent: the ratio fallback.
    spot: dict[str, float | None] | None = None
    spot_as_of: dt.date | None = None
    spot_source: str | None = Field(None, pattern=r"^https://")
    #: GCP's automatic discount for a VM that runs the whole month (N1 30%, N2 20%); None: none.
    sustained_use_discount: float | None = Field(None, gt=0, lt=1)
    #: AWS: the published EC2 Capacity Block rate per instance-hour per region (dated, sourced); absent: unpriced.
    capacity_block: dict[str, float] | None = None
    capacity_block_as_of: dt.date | None = None
    capacity_block_source: str | None = Field(None, pattern=r"^https://")

    @model_validator(mode="after")
    def _dated(self) -> InstancePrice:
        problems = []
        if self.regional_source and self.regional_as_of is None:
            problems.append(("regional_as_of", "required with regional_source"))
        if self.spot is not None and (self.spot_as_of is None or self.spot_source is None):
            problems.append(("spot", "spot prices need spot_as_of and spot_source"))
        if self.capacity_block is not None and (self.capacity_block_as_of is None or self.capacity_block_source is None):
            problems.append(("capacity_block", "capacity-block rates need capacity_block_as_of and capacity_block_source"))
        problems += [(join("regional_source", r), f"not an https URL: {u!r}")
                     for r, u in self.regional_source.items() if not u.startswith("https://")]
        problems += [(join("regional_source", r), "also listed as unverified")
                     for r in self.regional_source if r in self.unverified]
        problems += [("unverified", f"{r} has no on-demand figure") for r in self.unverified
                     if self.on_demand.get(r) is None]
        raise_problems(problems)
        return self

    def dates(self) -> list[dt.date]:
        return [d for d in (self.as_of, self.regional_as_of, self.spot_as_of, self.capacity_block_as_of) if d is not None]


class ServicePrice(_Row):
    sku: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)+$")
    description: str = Field(min_length=1)
    unit: Unit
    prices: dict[str, float] = Field(min_length=1)


class SpotAssumption(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ratio: float = Field(gt=0, le=1)
    kind: Literal["assumption"]
    source: str = Field(pattern=r"^https://")


class PriceCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    cloud: Cloud = "aws"
    regions: list[str] = Field(min_length=1)
    spot: SpotAssumption
    instances: list[InstancePrice]
    services: list[ServicePrice]

    @model_validator(mode="after")
    def _consistent(self) -> PriceCatalog:
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, row in enumerate(self.instances):
            if row.type in seen:
                problems.append((f"instances[{i}]", f"duplicate instance type {row.type}"))
            seen.add(row.type)
            problems += self._row_problems(f"instances[{i}]", row, "on_demand", row.on_demand)
            if row.spot is not None:
                problems += self._row_problems(f"instances[{i}]", row, "spot", row.spot)
            if row.capacity_block is not None:
                problems += self._row_problems(f"instances[{i}]", row, "capacity_block", dict(row.capacity_block))
            for field, regions in (("regional_source", row.regional_source), ("unverified", row.unverified)):
                problems += [(join(f"instances[{i}]", field), f"{r}: no on-demand entry") for r in regions
                             if r not in row.on_demand]
        seen = set()
        for i, svc in enumerate(self.services):
            if svc.sku in seen:
                problems.append((f"services[{i}]", f"duplicate SKU {svc.sku}"))
            seen.add(svc.sku)
            problems += self._row_problems(f"services[{i}]", svc, "prices", dict(svc.prices))
        raise_problems(problems)
        return self

    def _row_problems(self, where: str, row: _Row, field: str,
                      prices: dict[str, float | None]) -> list[tuple[str, str]]:
        """Unknown regions, non-positive prices and a date after the catalog's, in one price row."""
        found = []
        for region, price in prices.items():
            path = join(join(where, field), region)
            if region not in self.regions:
                found.append((path, f"unknown region (regions: {', '.join(self.regions)})"))
            if price is not None and price <= 0:
                found.append((path, f"price must be positive, got {price}"))
        dates = row.dates() if isinstance(row, InstancePrice) else [row.as_of]
        found += [(join(where, "as_of"), f"{d} is after the catalog's as_of {self.as_of}")
                  for d in dates if d > self.as_of]
        return found

    def model_post_init(self, _context: object) -> None:
        object.__setattr__(self, "_instances", {r.type: r for r in self.instances})
        object.__setattr__(self, "_services", {s.sku: s for s in self.services})

    # ---- lookups --------------------------------------------------------------------------

    def instance(self, instance_type: str, region: str) -> Price | NotOffered | None:
        """The hourly on-demand price of a type in a region, `NOT_OFFERED`, or None (not in the catalog)."""
        row: InstancePrice | None = self._instances.get(instance_type)  # type: ignore[attr-defined]
        if row is None or region not in row.on_demand:
            return None
        price = row.on_demand[region]
        if price is None:
            return NOT_OFFERED
        if region in row.regional_source:
            return Price(f"{self.instance_sku}-{instance_type}", price, "hour", row.regional_as_of,  # type: ignore[arg-type]
                         row.regional_source[region], sustained_use_discount=row.sustained_use_discount)
        return Price(f"{self.instance_sku}-{instance_type}", price, "hour", row.as_of, row.source,
                     verified=region not in row.unverified, sustained_use_discount=row.sustained_use_discount)

    def spot_price(self, instance_type: str, region: str) -> Price | NotOffered | None:
        """The dated hourly spot price of a type in a region, `NOT_OFFERED`, or None (no data: use the ratio)."""
        row: InstancePrice | None = self._instances.get(instance_type)  # type: ignore[attr-defined]
        if row is None or row.spot is None or region not in row.spot:
            return None
        price = row.spot[region]
        if price is None:
            return NOT_OFFERED
        return Price(f"{self.instance_sku}-{instance_type}-spot", price, "hour", row.spot_as_of,  # type: ignore[arg-type]
                     row.spot_source)  # type: ignore[arg-type]

    def capacity_block_price(self, instance_type: str, region: str) -> Price | None:
        """The published Capacity Block rate per instance-hour of a type in a region; None when not in the catalog."""
        row: InstancePrice | None = self._instances.get(instance_type)  # type: ignore[attr-defined]
        if row is None or row.capacity_block is None or region not in row.capacity_block:
            return None
        return Price(f"{self.instance_sku}-{instance_type}-capacity-block", row.capacity_block[region], "hour",
                     row.capacity_block_as_of, row.capacity_block_source)  # type: ignore[arg-type]

    @property
    def instance_sku(self) -> str:
        """The SKU prefix of an instance line: `aws-ec2` or `gcp-compute`."""
        return INSTANCE_SKU[self.cloud]

    def spot_ratio(self, instance_type: str) -> float:
        row: InstancePrice | None = self._instances.get(instance_type)  # type: ignore[attr-defined]
        return row.spot_ratio if row is not None and row.spot_ratio is not None else self.spot.ratio

    def service(self, sku: str, region: str) -> Price | None:
        svc: ServicePrice | None = self._services.get(sku)  # type: ignore[attr-defined]
        if svc is None or region not in svc.prices:
            return None
        return Price(sku, svc.prices[region], svc.unit, svc.as_of, svc.source, svc.description)

    def service_row(self, sku: str) -> ServicePrice | None:
        return self._services.get(sku)  # type: ignore[attr-defined]

    def offered(self, instance_type: str, region: str, spot: bool = False) -> bool | None:
        """True/False from the list; None when the catalog has no answer for that region.

        `spot`: for a spot pool, a type the spot data says is sold there is offered even where it is not
        sold on demand (p5e: Capacity Blocks on demand, spot in us-west-2)."""
        found = self.instance(instance_type, region)
        if spot and isinstance(self.spot_price(instance_type, region), Price):
            return True
        return None if found is None else found is not NOT_OFFERED


@dataclass(frozen=True)
class Price:
    sku: str
    amount: float  # USD per `unit`
    unit: Unit
    as_of: dt.date
    source: str
    description: str = ""
    #: False: not a published price (an earlier derivation the catalog marks `unverified`).
    verified: bool = True
    #: The full-month sustained-use discount of the instance type (GCP N1/N2), if any.
    sustained_use_discount: float | None = None


class NotOffered:
    def __repr__(self) -> str:
        return "NOT_OFFERED"


#: The list says the instance type is not sold on demand in the region.
NOT_OFFERED = NotOffered()


def load_prices(text: str, origin: str = "<prices>") -> PriceCatalog:
    """Parse and validate a price document; raise `CatalogError` naming every problem."""
    return load_document(PriceCatalog, text, origin)


def unlisted_instance_types(catalog: PriceCatalog) -> list[str]:
    """Instance types of the instance catalog the price list does not cover in every region."""
    missing = []
    for row in instances(catalog.cloud).instance_types:
        for region in catalog.regions:
            if catalog.instance(row.type, region) is None:
                missing.append(f"{row.type} in {region}")
    return missing


@lru_cache(maxsize=2)
def prices(cloud: Cloud = "aws") -> PriceCatalog:
    """The price catalog of a cloud shipped with the package."""
    origin = f"{cloud}_prices.yaml"
    path = resources.files("aiplatform.catalog").joinpath(f"data/{origin}")
    catalog = load_prices(path.read_text(encoding="utf-8"), origin=origin)
    if catalog.cloud != cloud:
        raise CatalogError(f"{origin}: says cloud {catalog.cloud}")
    missing = unlisted_instance_types(catalog)
    if missing:
        raise CatalogError(f"{origin}: no on-demand entry for {', '.join(missing)}")
    return catalog


def aws_prices() -> PriceCatalog:
    """The AWS price catalog shipped with the package."""
    return prices("aws")


def gcp_prices() -> PriceCatalog:
    """The GCP price catalog shipped with the package."""
    return prices("gcp")
