"""Zone offerings: which zones of each priced region sell each machine type (GCP).

`gcp_zones()` loads `data/gcp_zones.yaml` and validates it: every zone belongs to its
region, the regions are the price list's, and every machine type of the instance catalog
has a row for every priced region (an empty list when no zone of the region sells it).
`zones_offering(type, region)` answers from it; None means the catalog does not know
(a type or region it does not list), never "nowhere".
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..problems import join, raise_problems
from .instances import TYPE_PATTERN, CatalogError, InstanceCatalog, instances, load_document
from .prices import prices

#: The file the offerings are read from.
ORIGIN = "gcp_zones.yaml"


def is_zone_of(zone: str, region: str) -> bool:
    """A GCP zone name of `region`: the region, '-', one letter (`us-east4-c`)."""
    return re.fullmatch(f"{re.escape(region)}-[a-z]", zone) is not None


class ZoneSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    file: str = Field(min_length=1)
    commit: str = Field(pattern=r"^[0-9a-f]{40}$")
    url: str = Field(pattern=r"^https://")


class ZoneCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    cloud: str = Field(pattern=r"^gcp$")
    source: ZoneSource
    regions: list[str] = Field(min_length=1)
    zones: dict[str, dict[str, list[str]]] = Field(
        description="Machine type -> region -> the zones of the region that sell it.")

    @model_validator(mode="after")
    def _consistent(self) -> ZoneCatalog:
        problems: list[tuple[str, str]] = []
        for itype, by_region in self.zones.items():
            where = join("zones", itype)
            if not re.match(TYPE_PATTERN, itype):
                problems.append((where, "not a machine type name"))
            for region in self.regions:
                if region not in by_region:
                    problems.append((where, f"no row for region {region} (give [] if no zone sells it)"))
            for region, zones in by_region.items():
                path = join(where, region)
                if region not in self.regions:
                    problems.append((path, f"unknown region (regions: {', '.join(self.regions)})"))
                problems += [(f"{path}[{i}]", f"{zone!r} is not a zone of {region}")
                             for i, zone in enumerate(zones) if not is_zone_of(zone, region)]
                if len(set(zones)) != len(zones):
                    problems.append((path, "duplicate zones"))
        raise_problems(problems)
        return self

    def offering(self, instance_type: str, region: str) -> list[str] | None:
        """The zones of `region` that sell the type; None when the catalog does not list the type or region."""
        by_region = self.zones.get(instance_type)
        if by_region is None or region not in self.regions:
            return None
        return list(by_region.get(region, []))


def load_zones(text: str, origin: str = "<zones>") -> ZoneCatalog:
    """Parse and validate a zone document; raise `CatalogError` naming every problem."""
    return load_document(ZoneCatalog, text, origin)


def coverage_problems(catalog: ZoneCatalog, machine_types: InstanceCatalog, regions: list[str]) -> list[str]:
    """What the zone document misses against the instance catalog and the priced regions."""
    found = []
    if sorted(catalog.regions) != sorted(regions):
        found.append(f"regions {', '.join(catalog.regions)} differ from the price list's ({', '.join(regions)})")
    found += [f"no row for {row.type}" for row in machine_types.instance_types if row.type not in catalog.zones]
    found += [f"{itype} is not in the instance catalog" for itype in catalog.zones if itype not in machine_types]
    return found


@lru_cache(maxsize=1)
def gcp_zones() -> ZoneCatalog:
    """The GCP zone offerings shipped with the package, checked against the instance and price catalogs."""
    path = resources.files("aiplatform.catalog").joinpath(f"data/{ORIGIN}")
    catalog = load_zones(path.read_text(encoding="utf-8"), origin=ORIGIN)
    missing = coverage_problems(catalog, instances("gcp"), prices("gcp").regions)
    if missing:
        raise CatalogError(f"{ORIGIN}: " + "; ".join(missing))
    return catalog


def zones_offering(instance_type: str, region: str) -> list[str] | None:
    """The zones of `region` that sell a GCP machine type (None: the catalog does not know)."""
    return gcp_zones().offering(instance_type, region)
