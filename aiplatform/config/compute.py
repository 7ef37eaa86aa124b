"""`platform.cluster` and the nodes: control plane, system nodes, GPU pools and their taints."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from ..catalog import DEVICE_RESOURCE, cloud_of, instance_row
from ..catalog.checks import accelerator_type_problems, vendor_of
from ..catalog.pins import AMI_TYPES_BY_VENDOR, DEFAULT_KUBERNETES_VERSION, GPU_AMI_TYPES, SUPPORTED_KUBERNETES_VERSIONS
from ..problems import raise_problems
from . import defaults as d
from ._common import Strict, Suppress, is_label_key, is_label_value, label_problems, name_check, suppress_field
from .clouds import AWS, GCP, not_applicable, rules_of
from .clouds.aws import ROLE_ARN, default_ami_type
from .network import EndpointAccess

_CHANNEL = GCP.defaults.release_channel
_REGIONAL = GCP.defaults.regional
assert _CHANNEL is not None and _REGIONAL is not None


class NodeGroupSize(Strict):
    min_nodes: int = Field(0, ge=0, le=1000, description="Smallest node count (0 lets the pool scale to zero).")
    max_nodes: int = Field(ge=1, le=1000, description="Largest node count.")
    desired_nodes: int | None = Field(
        None, ge=0, le=1000, description="Node count at creation (default: min_nodes); ignored afterwards."
    )

    @field_validator("max_nodes")
    @classmethod
    def _max(cls, v: int, info: ValidationInfo) -> int:
        low = info.data.get("min_nodes")
        if low is not None and low > v:
            raise ValueError(f"must be >= min_nodes ({low} > {v})")
        return v

    @field_validator("desired_nodes")
    @classmethod
    def _desired(cls, v: int | None, info: ValidationInfo) -> int | None:
        low, high = info.data.get("min_nodes"), info.data.get("max_nodes")
        if v is not None and low is not None and high is not None and not low <= v <= high:
            raise ValueError(f"must be between min_nodes and max_nodes ({low}..{high}, got {v})")
        return v

    @property
    def initial_nodes(self) -> int:
        return self.min_nodes if self.desired_nodes is None else self.desired_nodes


class SystemNodes(NodeGroupSize):
    """The on-demand node group for cluster services (CoreDNS, autoscaler, device plugins)."""

    min_nodes: int = Field(d.SYSTEM_MIN_NODES, ge=1, le=100, description="Smallest node count.")
    max_nodes: int = Field(d.SYSTEM_MAX_NODES, ge=1, le=100, description="Largest node count.")
    instance_types: list[str] | None = Field(
        None, min_length=1,
        description="General-purpose instance types (GCP: one machine type). Default: "
                    f"{AWS.defaults.system_instance_type} on AWS, {GCP.defaults.system_instance_type} on GCP.",
    )
    disk_size_gib: int = Field(d.SYSTEM_DISK_SIZE_GIB, ge=20, le=1024, description="Encrypted root volume (gp3 / pd-balanced), GiB.")

    @field_validator("instance_types")
    @classmethod
    def _types(cls, types: list[str] | None) -> list[str] | None:
        found: list[tuple[str, str]] = []
        for i, itype in enumerate(types or []):
            row = instance_row(itype)
            if row is None:
                found.append((f"[{i}]", f"unknown instance type {itype!r} (not in the catalog)"))
            elif row.accelerator is not None:
                found.append((f"[{i}]", f"{itype!r} is an accelerator type; system nodes are general purpose"))
        raise_problems(found)
        return types


class ClusterConfig(Strict):
    """The Kubernetes control plane (EKS or GKE) and its system nodes."""

    kubernetes_version: str = Field(DEFAULT_KUBERNETES_VERSION, description="Kubernetes minor version (GKE: the minimum).")
    endpoint: EndpointAccess = Field(default_factory=EndpointAccess, description="API endpoint access.")
    admin_role_arns: list[str] = Field(
        default_factory=list, description="IAM roles granted cluster admin through EKS access entries."
    )
    system_nodes: SystemNodes = Field(default_factory=SystemNodes, description="The system node group.")
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] | None = Field(
        None, description=f"GCP: GKE release channel. Default: {_CHANNEL.prod} in prod, {_CHANNEL.other} elsewhere.",
    )
    security_group: str | None = Field(
        None, pattern=r"^gke-security-groups@[a-z0-9.-]+\.[a-z]{2,}$",
        description="GCP: Google Groups for RBAC, the gke-security-groups@<domain> group that holds the groups "
                    "named in RBAC bindings (teams' members_group). Default: off.",
    )
    regional: bool | None = Field(
        None, description=f"GCP: a regional control plane and nodes in every zone. Default: "
                          f"{str(_REGIONAL.prod).lower()} in prod, {str(_REGIONAL.other).lower()} (zonal, in the "
                          f"first zone) elsewhere; prod must be regional.",
    )

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, v: str) -> str:
        if v not in SUPPORTED_KUBERNETES_VERSIONS:
            raise ValueError(f"unsupported Kubernetes version {v!r} (supported: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)})")
        return v

    @field_validator("admin_role_arns")
    @classmethod
    def _arns(cls, arns: list[str]) -> list[str]:
        bad = [a for a in arns if not ROLE_ARN.match(a)]
        if bad:
            raise ValueError(f"not IAM role ARNs: {', '.join(bad)}")
        return arns


class Taint(Strict):
    """An extra node taint."""

    key: str = Field(description="Taint key (Kubernetes label-key syntax: `[prefix/]name`, name at most 63).")
    value: str = Field("", description="Taint value (label-value syntax: at most 63 characters).")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not is_label_key(v):
            raise ValueError(f"{v!r} is not a valid taint key ([prefix/]name: a DNS-subdomain prefix, a name of "
                             "1-63 of [-A-Za-z0-9_.] starting and ending alphanumeric)")
        return v

    @field_validator("value")
    @classmethod
    def _value(cls, v: str) -> str:
        if not is_label_value(v):
            raise ValueError(f"{v!r} is not a valid taint value (at most 63 of [-A-Za-z0-9_.], alphanumeric at "
                             "both ends)")
        return v


class GpuPool(NodeGroupSize):
    """A managed node group of accelerator instances."""

    name: str = Field(description="Pool name, unique in the platform (at most 32 characters).")
    allow_unlisted_instance_types: bool = Field(
        False, description="Accept instance types that are not accelerator types of the catalog."
    )
    instance_types: list[str] = Field(min_length=1, max_length=20, description="Accelerator instance types (from the catalog).")
    ami_type: str | None = Field(
        None, validate_default=True, description="EKS AMI type; default from the accelerator vendor."
    )
    capacity_type: Literal["on-demand", "spot", "capacity-block", "reservation"] = Field(
        "on-demand", description="on-demand, spot, an EC2 Capacity Block (AWS: capacity-block) or a specific "
                                 "Compute Engine reservation (GCP: reservation).",
    )
    reservation_name: str | None = Field(
        None, pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$",
        description="GCP: the specific reservation the pool consumes (capacity_type reservation only).",
    )
    gpu_sharing: Literal["time-sharing", "mps"] | None = Field(
        None, description="GCP: share each GPU between pods (time-sharing or NVIDIA MPS). Default: no sharing.",
    )
    max_shared_clients_per_gpu: int | None = Field(
        None, ge=2, le=48, description="GCP: pods per GPU with gpu_sharing (required with it).",
    )
    mig_partition_size: str | None = Field(
        None, pattern=r"^\d+g\.\d+gb$",
        description="GCP: split each GPU into MIG partitions of this size, e.g. 1g.10gb (A100 and H100 only).",
    )
    zones: list[str] | None = Field(
        None, min_length=1, max_length=6,
        description="The zones of the pool's nodes. GCP: each selling its machine type (catalog/data/gcp_zones.yaml); "
                    "default: the cluster's node zones that sell it; a reservation pool must end up in one zone. "
                    "AWS (a new VPC): a subset of the network's zones, the pool gets their private subnets; "
                    "required for a capacity-block pool: the one zone of the block. Default: every zone.",
    )
    subnet_ids: list[str] | None = Field(
        None, min_length=1, max_length=6,
        description="AWS with an existing VPC: the private subnets of the pool's nodes (a capacity-block pool: the "
                    "one subnet in the block's zone). Default: every private subnet of the network.",
    )
    gpu_driver_version: Literal["DEFAULT", "LATEST"] = Field(
        "DEFAULT", description="GCP: the NVIDIA driver GKE installs (DEFAULT or LATEST for the node version).",
    )
    capacity_reservation_id: str | None = Field(
        None,
        pattern=r"^cr-[0-9a-f]{8,17}$",
        validate_default=True,
        description="The EC2 Capacity Block reservation (capacity-block only).",
    )
    disk_size_gib: int = Field(d.GPU_DISK_SIZE_GIB, ge=20, le=16384, description="Encrypted gp3 volume for images and model caches.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels.")
    taints: list[Taint] = Field(default_factory=list, description="Extra taints (the accelerator taint is always set).")
    suppress: list[Suppress] = suppress_field()

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return name_check(v, 32)

    @field_validator("instance_types")
    @classmethod
    def _types(cls, types: list[str], info: ValidationInfo) -> list[str]:
        raise_problems(accelerator_type_problems(types, info.data.get("allow_unlisted_instance_types", False)))
        return types

    @field_validator("ami_type")
    @classmethod
    def _ami(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None or "instance_types" not in info.data:
            return v
        vendor = vendor_of(info.data["instance_types"])
        allowed = AMI_TYPES_BY_VENDOR[vendor] if vendor else GPU_AMI_TYPES
        if v not in allowed:
            raise ValueError(f"{v!r} does not fit {vendor or 'accelerator'} instances (allowed: {', '.join(allowed)})")
        return v

    @field_validator("capacity_reservation_id")
    @classmethod
    def _reservation(cls, v: str | None, info: ValidationInfo) -> str | None:
        ctype = info.data.get("capacity_type")
        if ctype == "reservation":
            if v is not None:
                raise ValueError("capacity_type reservation takes reservation_name, not capacity_reservation_id")
        elif ctype == "capacity-block":
            found: list[tuple[str, str]] = []
            if v is None:
                found.append(("", "required when capacity_type is capacity-block"))
            types = info.data.get("instance_types")
            if types is not None and len(types) != 1:
                found.append(("", "a capacity-block pool takes exactly one instance type (the reserved one)"))
            raise_problems(found)
        elif v is not None and ctype is not None:
            raise ValueError("only used when capacity_type is capacity-block")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        raise_problems(label_problems(labels, ""))
        return labels

    @field_validator("taints")
    @classmethod
    def _taints(cls, taints: list[Taint]) -> list[Taint]:
        raise_problems([
            (f"[{i}].key", f"{t.key} is set by the platform")
            for i, t in enumerate(taints)
            if t.key in DEVICE_RESOURCE.values()
        ])
        return taints

    def cloud_problems(self, cloud: str) -> list[tuple[str, str]]:
        """Fields and values that do not fit the cloud, as (sub-path, message)."""
        found: list[tuple[str, str]] = []
        for i, itype in enumerate(self.instance_types):
            owner = cloud_of(itype)
            if owner is not None and owner != cloud:
                found.append((f"instance_types[{i}]", f"{itype!r} is an {owner.upper()} type; this platform is on {cloud}"))
        return found + not_applicable(cloud, "gpu_pools", self) + rules_of(cloud).pool_problems(self)

    @property
    def vendor(self) -> str:
        """The accelerator vendor of the pool's listed types ('nvidia' if none is listed)."""
        return vendor_of(self.instance_types) or "nvidia"

    @property
    def resolved_ami_type(self) -> str:
        return self.ami_type or default_ami_type(self.vendor)
