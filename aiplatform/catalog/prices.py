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

Unit = Literal["hour", "month", "gb-month", "gb"]
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
        if row.as_of > self.as_of:
            found.append((join(where, "as_of"), f"{row.as_of} is after the catalog's as_of {self.as_of}"))
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
        return Price(f"{self.instance_sku}-{instance_type}", price, "hour", row.as_of, row.source)

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

    def offered(self, instance_type: str, region: str) -> bool | None:
        """True/False from the list; None when the catalog has no answer for that region."""
        found = self.instance(instance_type, region)
        return None if found is None else found is not NOT_OFFERED


@dataclass(frozen=True)
class Price:
    sku: str
    amount: float  # USD per `unit`
    unit: Unit
    as_of: dt.date
    source: str
    description: str = ""


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
