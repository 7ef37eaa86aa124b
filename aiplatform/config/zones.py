"""Where a GKE node pool's nodes go: the zones that sell its machine types (catalog/data/gcp_zones.yaml).

One function decides a pool's zones and the problems of that choice, so the config check
(`PlatformConfig`) and the resolved value the builder reads (`Resolved.pool_zones`) never differ.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog import zones_offering
from ..catalog.zones import is_zone_of

Found = list[tuple[str, str]]


def _offers(instance_types: Sequence[str], region: str) -> list[tuple[str, list[str]]]:
    """(type, zones of the region that sell it) for each type the zone catalog knows in the region."""
    return [(t, zones) for t in instance_types if (zones := zones_offering(t, region)) is not None]


def _sellers(offers: list[tuple[str, list[str]]], region: str) -> str:
    """The zones that sell every type, in words."""
    both = [z for z in offers[0][1] if all(z in zones for _, zones in offers)] if offers else []
    return f"zones of {region} that sell it: {', '.join(both)}" if both else f"no zone of {region} sells it"


def placement(instance_types: Sequence[str], given: Sequence[str] | None, region: str,
              platform_zones: Sequence[str], capacity_type: str) -> tuple[list[str], Found]:
    """A GCP pool's zones and the problems, as (sub-path of the pool, message).

    `given` (the pool's `zones:`) must be zones of the region that sell every type; without it, the
    platform's zones that sell every type (at least one). A reservation lives in one zone, so a
    reservation pool must end up in exactly one. Types or regions the zone catalog does not list
    (allow_unlisted_instance_types, an unpriced region) do not narrow the placement.
    """
    offers = _offers(instance_types, region)
    found: Found = []

    def sells(zone: str) -> bool:
        return all(zone in zones for _, zones in offers)

    def unsold(zone: str) -> str:
        names = ", ".join(t for t, zones in offers if zone not in zones)
        return f"{names} is not sold in {zone} ({_sellers(offers, region)}; catalog/data/gcp_zones.yaml)"

    if given is not None:
        zones = list(given)
        for i, zone in enumerate(zones):
            if not is_zone_of(zone, region):
                found.append((f"zones[{i}]", f"{zone!r} is not a zone of {region}"))
            elif not sells(zone):
                found.append((f"zones[{i}]", unsold(zone)))
        if len(set(zones)) != len(zones):
            found.append(("zones", "duplicate zones"))
    else:
        zones = [z for z in platform_zones if sells(z)]
        if not zones:
            names = ", ".join(t for t, z in offers if not any(p in z for p in platform_zones))
            found.append(("instance_types", f"{names or ', '.join(instance_types)} is not sold in any zone of the "
                                            f"platform ({', '.join(platform_zones)}; {_sellers(offers, region)}): "
                                            "set the pool's zones or network.availability_zones"))
    if capacity_type == "reservation" and len(zones) > 1:
        found.append(("zones", f"a reservation lives in one zone, but the pool would span {', '.join(zones)}: "
                               f"set zones to the reservation's zone, one of {', '.join(zones)}"))
    return zones, found


def system_problems(machine_type: str, region: str, node_zones: Sequence[str]) -> Found:
    """The system pool spans every node zone of the cluster: each must sell its machine type."""
    offers = _offers([machine_type], region)
    missing = [z for z in node_zones if offers and z not in offers[0][1]]
    if not missing:
        return []
    return [("", f"{machine_type} is not sold in {', '.join(missing)} and the system pool spans every zone of the "
                 f"cluster ({', '.join(node_zones)}; {_sellers(offers, region)}): choose a type sold in each, "
                 "or set network.availability_zones")]
