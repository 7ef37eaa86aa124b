"""Accelerator pools as the estimator and the cost rules see them, read from the props of any resource that launches nodes.

What an instance type carries comes from the catalog, never from its name
(DESIGN.md convention 8); a type the catalog does not list counts as carrying
no accelerator here (the config refuses such types unless explicitly allowed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog import instance_row
from ..shape.props import MISSING, as_list, as_number, is_unknown, known
from ..shape.resource import Resource
from ..shape.types import AUTOSCALING_GROUP, EC2_INSTANCE, EKS_NODE_GROUP, GKE_NODE_POOL, LAUNCH_TEMPLATE

#: Resource types that launch nodes, with how many and of which instance types.
POOL_TYPES = frozenset({EKS_NODE_GROUP, AUTOSCALING_GROUP, EC2_INSTANCE, GKE_NODE_POOL})
#: Types that name an instance type without launching anything themselves.
INSTANCE_TYPE_HOLDERS = POOL_TYPES | {LAUNCH_TEMPLATE}


@dataclass(frozen=True)
class Pool:
    instance_types: tuple[str, ...]
    min_size: float | None  # None: unknown
    max_size: float | None
    desired_size: float | None
    #: "spot", "on-demand", "capacity-block", "reservation", or None when unknown
    capacity: str | None
    #: Accelerators per node the resource itself declares (GKE guestAccelerators); None: from the catalog.
    declared_accelerators: float | None = None
    #: What `desired_size` was read from (for the estimate's notes).
    desired_from: str = "desiredSize"

    def per_node(self, instance_type: str) -> float:
        if self.declared_accelerators is not None:
            return self.declared_accelerators
        return accelerators_per_instance(instance_type)

    def accelerator_types(self) -> list[str]:
        return [t for t in self.instance_types if self.per_node(t)]

    @property
    def accelerated(self) -> bool:
        return bool(self.accelerator_types())

    @property
    def max_accelerators(self) -> float | None:
        """`max_size` x the most accelerators any of its types carries (the worst case)."""
        if self.max_size is None:
            return None
        return self.max_size * max((self.per_node(t) for t in self.instance_types), default=0)


def accelerators_per_instance(instance_type: str) -> int:
    row = instance_row(instance_type)
    return row.accelerator.count if row is not None and row.accelerator is not None else 0


def instance_types(resource: Resource) -> tuple[str, ...]:
    """The known instance types a resource names (unknown ones are left out)."""
    if resource.type == EKS_NODE_GROUP:
        values = as_list(resource.get("instanceTypes"))
    elif resource.type == GKE_NODE_POOL:
        values = [resource.get("nodeConfig.machineType")]
    elif resource.type == AUTOSCALING_GROUP:
        values = [o.get("instanceType") for o in as_list(
            resource.get("mixedInstancesPolicy.launchTemplate.overrides")) if isinstance(o, dict)]
    else:  # ec2 Instance, LaunchTemplate
        values = [resource.get("instanceType")]
    return tuple(v for v in values if isinstance(v, str) and known(v))


def _size(value: Any) -> float | None:
    return as_number(value) if known(value) else None


def pool_of(resource: Resource) -> Pool | None:
    """The pool a node-launching resource describes; None for other types."""
    types = instance_types(resource)
    if resource.type == EKS_NODE_GROUP:
        mapped = _capacity({"SPOT": "spot", "ON_DEMAND": "on-demand", "CAPACITY_BLOCK": "capacity-block"},
                           resource.get("capacityType"), default="on-demand")
        return Pool(types, _size(resource.get("scalingConfig.minSize")), _size(resource.get("scalingConfig.maxSize")),
                    _size(resource.get("scalingConfig.desiredSize")), mapped)
    if resource.type == AUTOSCALING_GROUP:
        base = resource.get("mixedInstancesPolicy.instancesDistribution.onDemandBaseCapacity", 0)
        above = resource.get("mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity", 100)
        if is_unknown(base) or is_unknown(above):
            mapped = None
        else:
            spot = as_number(base) == 0 and as_number(above) == 0
            mapped = "spot" if spot else "on-demand"
        return Pool(types, _size(resource.get("minSize")), _size(resource.get("maxSize")),
                    _size(resource.get("desiredCapacity")), mapped)
    if resource.type == GKE_NODE_POOL:
        return _gke_pool(resource, types)
    if resource.type == EC2_INSTANCE:
        market = resource.get("instanceMarketOptions.marketType")
        mapped = _capacity({"spot": "spot", "capacity-block": "capacity-block"}, market, default="on-demand")
        return Pool(types, 1.0, 1.0, 1.0, mapped)
    return None


def _capacity(mapping: dict[str, str], value: Any, default: str) -> str | None:
    if is_unknown(value):
        return None
    if not known(value):
        return default
    return mapping.get(str(value), default)


def _gke_pool(resource: Resource, types: tuple[str, ...]) -> Pool:
    """A GKE node pool: total autoscaling limits (or per-zone ones x zones), spot, reservation, GPUs declared."""
    zones = resource.get("nodeLocations")
    count = float(len(zones)) if isinstance(zones, list) and zones else None
    low, high = _size(resource.get("autoscaling.totalMinNodeCount")), _size(resource.get("autoscaling.totalMaxNodeCount"))
    if low is None and high is None:
        per_low, per_high = _size(resource.get("autoscaling.minNodeCount")), _size(resource.get("autoscaling.maxNodeCount"))
        if per_low is None and per_high is None and resource.get("autoscaling") in (None, MISSING):
            per_low = per_high = _size(resource.get("nodeCount", resource.get("initialNodeCount", 1)))
        low = per_low * count if per_low is not None and count is not None else None
        high = per_high * count if per_high is not None and count is not None else None
    initial = _size(resource.get("initialNodeCount"))
    desired = initial * count if initial is not None and count is not None else None
    if resource.get("nodeConfig.spot") is True or resource.get("nodeConfig.preemptible") is True:
        capacity: str | None = "spot"
    elif is_unknown(resource.get("nodeConfig.spot")):
        capacity = None
    elif resource.get("nodeConfig.reservationAffinity.consumeReservationType") == "SPECIFIC_RESERVATION":
        capacity = "reservation"
    else:
        capacity = "on-demand"
    declared = None
    accelerators = resource.get("nodeConfig.guestAccelerators")
    if isinstance(accelerators, list) and accelerators:
        counts = [as_number(a.get("count")) for a in accelerators if isinstance(a, dict)]
        declared = sum(c for c in counts if c is not None) if all(c is not None for c in counts) else None
    return Pool(types, low, high, desired, capacity, declared,
                desired_from="initialNodeCount x zones (the desired total rounded up to whole nodes per zone)")
