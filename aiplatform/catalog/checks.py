"""Checks of an accelerator pool's instance types against the catalog.

Shared by the config edge (`aiplatform.config`) and the components that take
instance types directly, so both reject the same inputs with the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..problems import did_you_mean
from .instances import Cloud, InstanceCatalog, InstanceType, instance_row, instances


def accelerator_type_problems(
    instance_types: Sequence[str],
    allow_unlisted: bool = False,
    catalog: InstanceCatalog | None = None,
) -> list[tuple[str, str]]:
    """Problems as (sub-path, message): unknown or CPU-only types, duplicates, mixed vendors or models.

    A pool carries one accelerator model: its `aiplatform.io/accelerator` label says which, and
    workloads select on it. Types of two models (`g6.2xlarge` L4 with `g6e.2xlarge` L40S) would get
    no label, and every pod selecting either model would stay Pending.

    Without `catalog`, a type is looked up in every cloud's catalog (the caller checks the cloud).
    """
    lookup = catalog.get if catalog is not None else instance_row
    found: list[tuple[str, str]] = []
    vendors: set[str] = set()
    models: dict[str, list[str]] = {}
    for i, itype in enumerate(instance_types):
        row = lookup(itype)
        if row is not None and row.accelerator is not None:
            vendors.add(row.accelerator.vendor)
            models.setdefault(row.accelerator.model, []).append(itype)
        elif not allow_unlisted:
            why = "unknown instance type" if row is None else "instance type without an accelerator:"
            hint = did_you_mean(itype, _accelerated_types(catalog)) if row is None else ""
            found.append((
                f"[{i}]",
                f"{why} {itype!r}{hint}; GPU pools take accelerator types from the catalog "
                "(set allow_unlisted_instance_types: true to use it anyway)",
            ))
    if len(set(instance_types)) != len(instance_types):
        found.append(("", "duplicate instance types"))
    if len(vendors) > 1:
        found.append(("", f"mixes accelerator vendors ({', '.join(sorted(vendors))}); use one pool per vendor"))
    elif len(models) > 1:
        mix = ", ".join(f"{model} ({', '.join(types)})" for model, types in sorted(models.items()))
        found.append(("", f"mixes accelerator models {mix}: a pool carries one model (its accelerator label "
                          "names it and workloads select on it); use one pool per model"))
    return found


def vendor_of(instance_types: Sequence[str], catalog: InstanceCatalog | None = None) -> str | None:
    """The accelerator vendor of the first catalogued accelerator type, if any."""
    lookup: Callable[[str], InstanceType | None] = catalog.get if catalog is not None else instance_row
    for itype in instance_types:
        row = lookup(itype)
        if row is not None and row.accelerator is not None:
            return row.accelerator.vendor
    return None


def region_offer_problems(instance_types: Sequence[str], region: str, cloud: Cloud = "aws",
                          spot: bool = False) -> list[tuple[str, str]]:
    """Types the price list says are not sold in `region` (on demand; for a spot pool, on demand or as spot
    per the spot data), as (sub-path, message)."""
    from .prices import prices as price_catalog

    prices = price_catalog(cloud)
    how = "on demand or as spot" if spot else "on demand"
    found = []
    for i, itype in enumerate(instance_types):
        if region in prices.regions and prices.offered(itype, region, spot=spot) is False:
            found.append((f"[{i}]", f"{itype} is not offered {how} in {region} "
                                   f"(catalog/data/{cloud}_prices.yaml); choose another type or region"))
    return found


def _accelerated_types(catalog: InstanceCatalog | None) -> list[str]:
    """The accelerator types a did-you-mean picks from: the cloud's catalog, or every cloud's."""
    catalogs = [catalog] if catalog is not None else [instances("aws"), instances("gcp")]
    return [r.type for c in catalogs for r in c.accelerated()]
