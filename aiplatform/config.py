"""The platform spec: the validated edge of the library (DESIGN.md convention 2).

A stack's `aiplatform:platform` config value is validated here, strictly:
unknown keys are errors, and every problem is reported at once with its path
(`platform.gpu_pools[1].max_nodes: ...`). Components never see unvalidated
config.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .catalog import DEVICE_RESOURCE, cloud_of, instance_row
from .catalog.checks import accelerator_type_problems, region_offer_problems, vendor_of
from .catalog.pins import (
    AMI_TYPES_BY_VENDOR,
    DEFAULT_KUBERNETES_VERSION,
    GPU_AMI_TYPES,
    SUPPORTED_KUBERNETES_VERSIONS,
)
from .labels import LABEL_PREFIX, QUANTITY_PATTERN

CONFIG_KEY = "platform"
#: The system nodes' instance type when the config names none.
DEFAULT_SYSTEM_TYPES = {"aws": "m7i.large", "gcp": "e2-standard-4"}
ROOT = "platform"

#: Label and tag prefixes the platform writes itself; users may not set them.
RESERVED_LABEL_PREFIX = LABEL_PREFIX
RESERVED_TAG_PREFIXES = ("aws:", "aiplatform:", "aiplatform-", "goog")
REQUIRED_TAGS = ("team", "cost-center")

_GCP_LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_GCP_LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
_GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]+$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the config, and where."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(pulumi.RunError):
    """The platform config is invalid. `str()` lists every problem, one a line.

    A `pulumi.RunError`, so that under `pulumi up` the program fails with this
    message and no traceback.
    """

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        head = f"invalid platform config{f' in {source}' if source else ''}"
        noun = "problem" if len(problems) == 1 else "problems"
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{head} ({len(problems)} {noun}):\n{body}")


def _problems(found: list[tuple[str, str]]) -> None:
    """Raise every cross-field problem of a model at once, each with its sub-path."""
    if found:
        summary = "; ".join(f"{p}: {m}" if p else m for p, m in found)
        raise PydanticCustomError("aiplatform", "{summary}", {"summary": summary, "problems": found})


def _join(path: str, sub: str | int) -> str:
    if isinstance(sub, int):
        return f"{path}[{sub}]"
    if not path:
        return sub
    if sub.startswith("["):
        return f"{path}{sub}"
    return f"{path}.{sub}"


def _loc_path(root: str, loc: tuple[Any, ...]) -> str:
    path = root
    for part in loc:
        path = _join(path, part)
    return path


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "literal_error":
        msg = f"{msg} (got {err.get('input')!r})"
    return msg


def problems_from_validation_error(exc: ValidationError, root: str = ROOT) -> list[Problem]:
    """Flatten a pydantic error into located problems, expanding grouped ones."""
    out: list[Problem] = []
    for err in exc.errors():
        base = _loc_path(root, err["loc"])
        if err["type"] == "aiplatform":
            for sub, msg in err["ctx"]["problems"]:
                out.append(Problem(_join(base, sub) if sub else base, msg))
        else:
            out.append(Problem(base, _message(err)))
    return out


# --------------------------------------------------------------------------- helpers


def _label_problems(labels: dict[str, str], where: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key, value in labels.items():
        path = f"{where}[{key!r}]"
        prefix, _, name = key.rpartition("/")
        if (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))) or not _LABEL_NAME.match(name):
            found.append((path, "not a valid Kubernetes label key"))
        elif key.startswith(RESERVED_LABEL_PREFIX):
            found.append((path, f"the {RESERVED_LABEL_PREFIX} prefix is reserved for labels the platform sets"))
        if not _LABEL_VALUE.match(value):
            found.append((path, f"not a valid Kubernetes label value: {value!r}"))
    return found


def partition_of(region: str) -> str:
    """The AWS partition of a region, without an API call."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- sections


class NetworkConfig(_Strict):
    """Either a new network (`cidr`) or an existing one (AWS: `vpc_id` + `private_subnet_ids`;
    GCP: `network_name` + `subnetwork_name` + the two secondary range names)."""

    cidr: ipaddress.IPv4Network | None = Field(
        None, description="CIDR of a new VPC, e.g. 10.40.0.0/16 (/16 to /20)."
    )
    az_count: int = Field(3, ge=2, le=6, description="Availability zones for a new VPC.")
    availability_zones: list[str] | None = Field(
        None,
        description="Zone names for a new VPC; default: the region's first `az_count` zones (a, b, c, ...).",
    )
    nat_gateways: Literal["single", "per-az"] | None = Field(
        None, description="NAT gateways of a new VPC. Default: single outside prod, per-az in prod."
    )
    vpc_id: str | None = Field(None, pattern=r"^vpc-[0-9a-f]{8,17}$", description="An existing VPC.")
    private_subnet_ids: list[str] = Field(
        default_factory=list, description="Private subnets of the existing VPC (nodes and internal load balancers)."
    )
    public_subnet_ids: list[str] = Field(
        default_factory=list, description="Public subnets of the existing VPC (optional)."
    )
    pods_cidr: ipaddress.IPv4Network | None = Field(
        None, description="GCP: secondary range for pods of a new subnetwork (default: the /16 after the /16 that holds cidr).",
    )
    services_cidr: ipaddress.IPv4Network | None = Field(
        None, description="GCP: secondary range for services of a new subnetwork (default: a /20 after pods_cidr).",
    )
    master_cidr: ipaddress.IPv4Network | None = Field(
        None, description="GCP: the /28 of the private control plane (default: 172.16.0.0/28).",
    )
    network_name: str | None = Field(None, description="GCP: an existing VPC network (name or self link).")
    subnetwork_name: str | None = Field(None, description="GCP: an existing subnetwork of network_name in the region.")
    pods_range_name: str | None = Field(None, description="GCP: the existing subnetwork's secondary range for pods.")
    services_range_name: str | None = Field(None, description="GCP: the existing subnetwork's secondary range for services.")

    @field_validator("private_subnet_ids", "public_subnet_ids")
    @classmethod
    def _subnet_ids(cls, ids: list[str]) -> list[str]:
        bad = [i for i in ids if not re.match(r"^subnet-[0-9a-f]{8,17}$", i)]
        if bad:
            raise ValueError(f"not subnet ids: {', '.join(bad)}")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate subnet ids")
        return ids

    @model_validator(mode="after")
    def _one_source(self, info: ValidationInfo) -> NetworkConfig:
        """New or existing, never both: checked here so it is reported even when other sections fail."""
        cloud = (info.context or {}).get("cloud")
        if cloud not in ("aws", "gcp"):
            cloud = "gcp" if any(getattr(self, f) is not None for f in _GCP_NETWORK) else "aws"
        _problems(self._source_problems(cloud))
        return self

    def _existing(self, cloud: str) -> list[str]:
        return [f for f in (_AWS_EXISTING if cloud == "aws" else _GCP_EXISTING) if getattr(self, f) not in (None, [])]

    def _source_problems(self, cloud: str) -> list[tuple[str, str]]:
        what = ("vpc_id and private_subnet_ids" if cloud == "aws"
                else "network_name, subnetwork_name, pods_range_name and services_range_name")
        noun = "a VPC" if cloud == "aws" else "a network"
        existing = self._existing(cloud)
        if self.cidr is not None and existing:
            return [("", f"give either cidr (create {noun}) or {what} (use an existing one), not both")]
        if self.cidr is None and not existing:
            return [("", f"give either cidr (create {noun}) or {what} (use an existing one)")]
        return []

    def cloud_problems(self, cloud: str) -> list[tuple[str, str]]:
        """The cloud-specific problems of the section, as (sub-path, message); fields of the other cloud are errors."""
        other = _GCP_NETWORK if cloud == "aws" else _AWS_EXISTING
        found = [(f, f"does not apply to cloud {cloud}") for f in other if getattr(self, f) not in (None, [])]
        if self._source_problems(cloud):
            return found  # reported by the section's own validator
        return found + (self._gcp_problems() if cloud == "gcp" else self._aws_problems())

    def _gcp_problems(self) -> list[tuple[str, str]]:
        found = self._zone_problems()
        if self.cidr is None:
            found += [(f, "required with an existing network") for f in _GCP_EXISTING if getattr(self, f) is None]
            if self.pods_cidr is not None or self.services_cidr is not None or self.nat_gateways is not None:
                found.append(("", "pods_cidr, services_cidr and nat_gateways apply only to a new network (cidr)"))
            return found
        if not 16 <= self.cidr.prefixlen <= 24:
            found.append(("cidr", f"prefix length must be /16 to /24 (got /{self.cidr.prefixlen})"))
        if self.nat_gateways == "per-az":
            found.append(("nat_gateways", "Cloud NAT is regional: one gateway serves every zone (use single)"))
        ranges = [("cidr", self.cidr), ("pods_cidr", self.pods_cidr_resolved),
                  ("services_cidr", self.services_cidr_resolved), ("master_cidr", self.master_cidr_resolved)]
        for i, (name, net) in enumerate(ranges):
            for other_name, other in ranges[i + 1:]:
                if net.overlaps(other):
                    found.append((other_name, f"{other} overlaps {name} {net}"))
        if self.master_cidr is not None and self.master_cidr.prefixlen != 28:
            found.append(("master_cidr", f"the control plane takes a /28 (got /{self.master_cidr.prefixlen})"))
        if self.pods_cidr is not None and not 9 <= self.pods_cidr.prefixlen <= 21:
            found.append(("pods_cidr", f"prefix length must be /9 to /21 (got /{self.pods_cidr.prefixlen})"))
        return found

    @property
    def pods_cidr_resolved(self) -> ipaddress.IPv4Network:
        """GCP: the pods range, default the /16 after the /16 that holds `cidr`."""
        if self.pods_cidr is not None:
            return self.pods_cidr
        assert self.cidr is not None
        base = ipaddress.ip_network(f"{self.cidr.network_address}/16", strict=False)
        return ipaddress.ip_network(f"{base.broadcast_address + 1}/16")

    @property
    def services_cidr_resolved(self) -> ipaddress.IPv4Network:
        """GCP: the services range, default the /20 after the pods range."""
        if self.services_cidr is not None:
            return self.services_cidr
        return ipaddress.ip_network(f"{self.pods_cidr_resolved.broadcast_address + 1}/20")

    @property
    def master_cidr_resolved(self) -> ipaddress.IPv4Network:
        return self.master_cidr or ipaddress.ip_network("172.16.0.0/28")

    def _aws_problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.cidr is None:
            if self.vpc_id is None:
                found.append(("vpc_id", "required with private_subnet_ids"))
            if len(self.private_subnet_ids) < 2:
                found.append(("private_subnet_ids", "an existing VPC needs at least 2 private subnets in different zones"))
            if self.availability_zones is not None or self.nat_gateways is not None:
                found.append(("", "availability_zones and nat_gateways apply only to a new VPC (cidr)"))
        else:
            if not 16 <= self.cidr.prefixlen <= 20:
                found.append(("cidr", f"prefix length must be /16 to /20 (got /{self.cidr.prefixlen})"))
            found += self._zone_problems()
        return found

    def _zone_problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.availability_zones is not None:
            if len(self.availability_zones) != self.az_count and "az_count" in self.model_fields_set:
                found.append(("availability_zones", f"lists {len(self.availability_zones)} zones but az_count is {self.az_count}"))
            if len(set(self.availability_zones)) != len(self.availability_zones):
                found.append(("availability_zones", "duplicate zones"))
            if not 2 <= len(self.availability_zones) <= 6:
                found.append(("availability_zones", "give 2 to 6 zones"))
        return found

    @property
    def creates_vpc(self) -> bool:
        return self.cidr is not None


_AWS_EXISTING = ("vpc_id", "private_subnet_ids", "public_subnet_ids")
_GCP_EXISTING = ("network_name", "subnetwork_name", "pods_range_name", "services_range_name")
_GCP_NETWORK = (*_GCP_EXISTING, "pods_cidr", "services_cidr", "master_cidr")


class EndpointAccess(_Strict):
    """Access to the Kubernetes API endpoint. Private by default."""

    public: bool = Field(False, description="Expose the API endpoint publicly (allow-list required).")
    public_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=list, description="CIDRs allowed to reach the public endpoint."
    )

    @model_validator(mode="after")
    def _allow_list(self) -> EndpointAccess:
        found: list[tuple[str, str]] = []
        if self.public and not self.public_cidrs:
            found.append(("public_cidrs", "required when public is true: list the CIDRs allowed to reach the endpoint"))
        if not self.public and self.public_cidrs:
            found.append(("public_cidrs", "only used when public is true"))
        _problems(found)
        return self


def _name_check(value: str, max_len: int) -> str:
    if not re.match(r"^[a-z]([a-z0-9-]*[a-z0-9])?$", value) or len(value) > max_len:
        raise ValueError(
            f"{value!r} is not a valid name: lowercase letters, digits and '-', "
            f"starting with a letter, not ending with '-', at most {max_len} characters"
        )
    return value


class NodeGroupSize(_Strict):
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

    min_nodes: int = Field(2, ge=1, le=100, description="Smallest node count.")
    max_nodes: int = Field(4, ge=1, le=100, description="Largest node count.")
    instance_types: list[str] | None = Field(
        None, min_length=1,
        description="General-purpose instance types (GCP: one machine type). Default: m7i.large on AWS, e2-standard-4 on GCP.",
    )
    disk_size_gib: int = Field(50, ge=20, le=1024, description="Encrypted root volume (gp3 / pd-balanced), GiB.")

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
        _problems(found)
        return types


class ClusterConfig(_Strict):
    """The Kubernetes control plane (EKS or GKE) and its system nodes."""

    kubernetes_version: str = Field(DEFAULT_KUBERNETES_VERSION, description="Kubernetes minor version (GKE: the minimum).")
    endpoint: EndpointAccess = Field(default_factory=EndpointAccess, description="API endpoint access.")
    admin_role_arns: list[str] = Field(
        default_factory=list, description="IAM roles granted cluster admin through EKS access entries."
    )
    system_nodes: SystemNodes = Field(default_factory=SystemNodes, description="The system node group.")
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] | None = Field(
        None, description="GCP: GKE release channel. Default: STABLE in prod, REGULAR elsewhere.",
    )
    security_group: str | None = Field(
        None, pattern=r"^gke-security-groups@[a-z0-9.-]+\.[a-z]{2,}$",
        description="GCP: Google Groups for RBAC, the gke-security-groups@<domain> group that holds the groups "
                    "named in RBAC bindings (teams' members_group). Default: off.",
    )
    regional: bool | None = Field(
        None, description="GCP: a regional control plane and nodes in every zone. Default: true in prod, "
                          "false (zonal, in the first zone) elsewhere; prod must be regional.",
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
        bad = [a for a in arns if not _ROLE_ARN.match(a)]
        if bad:
            raise ValueError(f"not IAM role ARNs: {', '.join(bad)}")
        return arns


class Taint(_Strict):
    """An extra node taint."""

    key: str = Field(description="Taint key.")
    value: str = Field("", description="Taint value.")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


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
    gpu_driver_version: Literal["DEFAULT", "LATEST"] = Field(
        "DEFAULT", description="GCP: the NVIDIA driver GKE installs (DEFAULT or LATEST for the node version).",
    )
    capacity_reservation_id: str | None = Field(
        None,
        pattern=r"^cr-[0-9a-f]{8,17}$",
        validate_default=True,
        description="The EC2 Capacity Block reservation (capacity-block only).",
    )
    disk_size_gib: int = Field(200, ge=20, le=16384, description="Encrypted gp3 volume for images and model caches.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels.")
    taints: list[Taint] = Field(default_factory=list, description="Extra taints (the accelerator taint is always set).")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _name_check(v, 32)

    @field_validator("instance_types")
    @classmethod
    def _types(cls, types: list[str], info: ValidationInfo) -> list[str]:
        _problems(accelerator_type_problems(types, info.data.get("allow_unlisted_instance_types", False)))
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
            _problems(found)
        elif v is not None and ctype is not None:
            raise ValueError("only used when capacity_type is capacity-block")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        _problems(_label_problems(labels, ""))
        return labels

    @field_validator("taints")
    @classmethod
    def _taints(cls, taints: list[Taint]) -> list[Taint]:
        _problems([
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
        if cloud == "aws":
            found += [(f, "does not apply to cloud aws") for f in _GCP_POOL if getattr(self, f) is not None]
            if "gpu_driver_version" in self.model_fields_set:
                found.append(("gpu_driver_version", "does not apply to cloud aws (the AMI type carries the driver)"))
            if self.capacity_type == "reservation":
                found.append(("capacity_type", "reservation is GCP's; on AWS use capacity-block"))
            return found
        if self.ami_type is not None:
            found.append(("ami_type", "does not apply to cloud gcp (GKE picks the node image)"))
        if self.capacity_type == "capacity-block":
            found.append(("capacity_type", "capacity-block is AWS's; on GCP use reservation"))
        if len(self.instance_types) != 1:
            found.append(("instance_types", "a GKE node pool takes exactly one machine type"))
        if self.capacity_type == "reservation" and self.reservation_name is None:
            found.append(("reservation_name", "required when capacity_type is reservation"))
        if self.capacity_type != "reservation" and self.reservation_name is not None:
            found.append(("reservation_name", "only used when capacity_type is reservation"))
        if (self.gpu_sharing is None) != (self.max_shared_clients_per_gpu is None):
            found.append(("max_shared_clients_per_gpu", "give it together with gpu_sharing"))
        row = instance_row(self.instance_types[0])
        if self.mig_partition_size is not None and row is not None and row.accelerator is not None:
            profiles = row.accelerator.mig_profiles
            if self.mig_partition_size not in profiles:
                found.append(("mig_partition_size", f"{row.accelerator.model} takes "
                                                    f"{', '.join(profiles) if profiles else 'no MIG partitions'}"))
        if self.gpu_sharing == "mps" and self.mig_partition_size is not None:
            found.append(("gpu_sharing", "MPS cannot share MIG partitions; use time-sharing or drop mig_partition_size"))
        return found

    @property
    def vendor(self) -> str:
        """The accelerator vendor of the pool's listed types ('nvidia' if none is listed)."""
        return vendor_of(self.instance_types) or "nvidia"

    @property
    def resolved_ami_type(self) -> str:
        return self.ami_type or AMI_TYPES_BY_VENDOR[self.vendor][0]


_GCP_POOL = ("reservation_name", "gpu_sharing", "max_shared_clients_per_gpu", "mig_partition_size")


class BudgetConfig(_Strict):
    """A monthly budget the `aip-cost-monthly-budget` guardrail holds the stack's estimate to."""

    monthly_usd: float = Field(gt=0, description="The budget in USD per month (730 hours).")
    basis: Literal["expected", "peak"] = Field(
        "expected",
        description="Which estimate must fit: expected (desired sizes or the usage file) or peak (every pool at max).",
    )


#: Namespaces the platform itself uses; a team cannot take one.
PLATFORM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "llm-gateway",
                                 "vector-store"})


class TeamConfig(_Strict):
    """A product team: its namespace, GPU and resource quota, people, budget and accelerators."""

    name: str = Field(description="Team name; names its namespace, role and registry prefix teams/<name>/.")
    gpus: int = Field(ge=0, le=4096, description="Accelerators the team's pods may request at once (the quota).")
    cpu: str = Field("32", pattern=QUANTITY_PATTERN, description="CPU requests the namespace may hold.")
    memory: str = Field("128Gi", pattern=QUANTITY_PATTERN, description="Memory the namespace may request.")
    pods: int = Field(50, ge=1, le=10000, description="Pods the namespace may hold.")
    persistent_volume_claims: int = Field(10, ge=0, le=1000, description="Volume claims the namespace may hold.")
    storage: str = Field("500Gi", pattern=QUANTITY_PATTERN, description="Storage the namespace's claims may request.")
    members_group: str = Field(min_length=1, max_length=256, description="Kubernetes group of the team's people.")
    member_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles mapped to members_group by EKS access entries; default: none (map it in your IdP).",
    )
    monthly_budget_usd: float | None = Field(
        None, ge=0, description="Monthly budget of the team's GPUs at its quota (rule aip-cost-team-budget).",
    )
    accelerators: list[str] = Field(
        default_factory=list, description="Accelerator models the team may use, e.g. [L4]; default: any pool's.",
    )
    cost_center: str | None = Field(None, description="The team's cost center label; default: the platform's.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _name_check(v, 40)

    @field_validator("member_role_arns")
    @classmethod
    def _arns(cls, arns: list[str]) -> list[str]:
        _problems([(f"[{i}]", f"not an IAM role ARN: {a!r}") for i, a in enumerate(arns) if not _ROLE_ARN.match(a)])
        return arns

    @property
    def namespace(self) -> str:
        return self.name


_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ECR_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")


class ModelRegistryConfig(_Strict):
    """Model artifacts (S3), lineage (SageMaker model package groups) and serving images (ECR)."""

    bucket_name: str | None = Field(None, description="Artifact bucket name; default: generated (globally unique).")
    model_families: list[str] = Field(
        default_factory=list, max_length=100,
        description="One SageMaker model package group per family, e.g. [chat, embeddings].",
    )
    noncurrent_version_days: int = Field(90, ge=1, le=3650, description="Days a replaced model version is kept.")
    access_log_bucket: str | None = Field(None, description="Bucket for server access logs; default: none.")
    repository_name: str | None = Field(None, description="ECR repository for serving images; default: <name>-serving.")
    untagged_image_days: int = Field(14, ge=1, le=3650, description="Days an untagged image is kept.")
    namespace: str = Field("ml-models", description="Namespace of the publisher and consumer service accounts.")

    @field_validator("bucket_name", "access_log_bucket")
    @classmethod
    def _bucket(cls, v: str | None) -> str | None:
        if v is not None and (not _S3_BUCKET.match(v) or ".." in v):
            raise ValueError(f"{v!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")
        return v

    @field_validator("repository_name")
    @classmethod
    def _repository(cls, v: str | None) -> str | None:
        if v is not None and (not _ECR_NAME.match(v) or len(v) > 256):
            raise ValueError(f"{v!r} is not a valid ECR repository name")
        return v

    @field_validator("model_families")
    @classmethod
    def _families(cls, families: list[str]) -> list[str]:
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, family in enumerate(families):
            try:
                _name_check(family, 40)
            except ValueError as exc:
                found.append((f"[{i}]", str(exc)))
            if family in seen:
                found.append((f"[{i}]", f"duplicate family {family!r}"))
            seen.add(family)
        _problems(found)
        return families

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, v: str) -> str:
        return _name_check(v, 63)


_OPENSEARCH_ONLY = ("collection_name", "standby_replicas")
_QDRANT_ONLY = ("replicas", "volume_size_gib", "memory", "snapshots")


class VectorStoreConfig(_Strict):
    """The vector store: OpenSearch Serverless (managed) or Qdrant (in-cluster)."""

    kind: Literal["opensearch-serverless", "qdrant"] = Field(description="opensearch-serverless or qdrant.")
    network: Literal["private", "public"] = Field(
        "private", description="private (VPC endpoint or in-cluster only) or public; public is refused in prod.",
    )
    collection_name: str | None = Field(
        None, description="opensearch-serverless: collection name (default: <name>-vectors)."
    )
    standby_replicas: bool | None = Field(
        None, description="opensearch-serverless: standby replicas (default: on in prod, off elsewhere)."
    )
    replicas: int | None = Field(None, ge=1, le=15, description="qdrant: nodes (default: 3 in prod, 1 elsewhere).")
    volume_size_gib: int | None = Field(None, ge=1, le=16384, description="qdrant: data volume per node (default: 50).")
    memory: str | None = Field(None, pattern=r"^\d+(Mi|Gi)$", description="qdrant: memory per node (default: 4Gi).")
    snapshots: bool | None = Field(None, description="qdrant: snapshots to an encrypted S3 bucket (default: true).")

    @field_validator("collection_name")
    @classmethod
    def _collection(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[a-z][a-z0-9-]{2,31}$", v):
            raise ValueError(f"{v!r}: 3-32 lowercase letters, digits and '-', starting with a letter")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> VectorStoreConfig:
        found: list[tuple[str, str]] = []
        other = _QDRANT_ONLY if self.kind == "opensearch-serverless" else _OPENSEARCH_ONLY
        for field in other:
            if getattr(self, field) is not None:
                found.append((field, f"does not apply to kind {self.kind}"))
        if self.kind == "qdrant" and self.network == "public":
            found.append(("network", "qdrant runs inside the cluster and is never exposed publicly"))
        _problems(found)
        return self


class GatewayConfig(_Strict):
    """The AI gateway: HTTPS, JWT authentication against your OIDC issuer, rate limits."""

    oidc_issuer: str = Field(description="Issuer URL (https://) whose JWTs the gateway accepts.")
    jwks_uri: str = Field(description="URL (https://) of the issuer's signing keys (JWKS).")
    audiences: list[str] = Field(default_factory=list, description="Accepted audiences; default: any.")
    team_claim: str = Field("groups", min_length=1, description="JWT claim listing the caller's teams.")
    hostname: str | None = Field(
        None, pattern=r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$",
        description="Host name of the HTTPS listener.",
    )
    tls_secret_name: str | None = Field(None, description="Bring your own certificate: a TLS Secret in the gateway namespace.")
    cert_manager_issuer: str | None = Field(None, description="Or a cert-manager ClusterIssuer that creates it (needs hostname).")
    requests_per_minute: int = Field(600, ge=1, le=1_000_000, description="Default limit per Envoy replica.")
    load_balancer: Literal["internal", "internet-facing"] = Field(
        "internal", description="Scheme of the gateway's NLB; internet-facing only when you say so.",
    )
    replicas: int | None = Field(None, ge=1, le=50, description="Envoy replicas (default: 2 in prod, 1 elsewhere).")

    @field_validator("oidc_issuer", "jwks_uri")
    @classmethod
    def _https(cls, v: str) -> str:
        if not re.match(r"^https://[^\s/]+\S*$", v):
            raise ValueError(f"must be an https:// URL (got {v!r})")
        return v

    @model_validator(mode="after")
    def _certificate(self) -> GatewayConfig:
        found: list[tuple[str, str]] = []
        if self.tls_secret_name and self.cert_manager_issuer:
            found.append(("cert_manager_issuer", "give tls_secret_name (your certificate) or cert_manager_issuer, not both"))
        elif not (self.tls_secret_name or self.cert_manager_issuer):
            found.append(("tls_secret_name", "required (or cert_manager_issuer): the gateway serves HTTPS only"))
        if self.cert_manager_issuer and not self.hostname:
            found.append(("hostname", "required with cert_manager_issuer (the certificate is issued for it)"))
        _problems(found)
        return self


class PlatformConfig(_Strict):
    """The whole platform of one stack: `config: aiplatform:platform:` in `Pulumi.<stack>.yaml`."""

    name: str = Field(description="Platform name: names the cluster and prefixes every resource (at most 40 characters).")
    cloud: Literal["aws", "gcp"] = Field(description="Cloud provider: aws (EKS) or gcp (GKE).")
    region: str = Field(
        pattern=r"^([a-z]{2}(-gov)?-[a-z]+-\d|[a-z]+-[a-z]+\d+)$",
        description="Cloud region, e.g. us-east-1 (AWS) or us-central1 (GCP).",
    )
    project: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$", description="GCP: the project ID (required on GCP).",
    )
    project_number: str | None = Field(
        None, pattern=r"^\d{6,20}$",
        description="GCP: the project number, for the service agents' CMEK grants (required on GCP; "
                    "`gcloud projects describe <project> --format='value(projectNumber)'`).",
    )
    environment: Literal["dev", "staging", "prod"] = Field(
        description="dev and staging: spot, scale-to-zero friendly defaults; prod: protection and redundancy."
    )
    tags: dict[str, str] = Field(description="Tags on every resource; must include team and cost-center.")
    network: NetworkConfig = Field(description="A new VPC or an existing one.")
    cluster: ClusterConfig = Field(default_factory=ClusterConfig, description="The EKS cluster.")
    gpu_pools: list[GpuPool] = Field(default_factory=list, max_length=2000, description="Accelerator node pools.")
    budget: BudgetConfig | None = Field(
        None, description="Monthly budget for `aiplatform check` (rule aip-cost-monthly-budget); default: none."
    )
    workload_identity: Literal["pod-identity", "irsa"] = Field(
        "pod-identity", description="How workload roles are assumed: EKS Pod Identity or IRSA (OIDC)."
    )
    model_registry: ModelRegistryConfig | None = Field(None, description="The model registry; default: none.")
    vector_store: VectorStoreConfig | None = Field(None, description="The vector store; default: none.")
    gateway: GatewayConfig | None = Field(None, description="The AI gateway; default: none.")
    teams: list[TeamConfig] = Field(
        default_factory=list, max_length=500,
        description="Product teams, each with a namespace, quota, identity and budget; default: none.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _name_check(v, 40)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        found: list[tuple[str, str]] = []
        for key in REQUIRED_TAGS:
            if not tags.get(key, "").strip():
                found.append((f"[{key!r}]", "required (cost allocation)"))
        for key, value in tags.items():
            if key.startswith(RESERVED_TAG_PREFIXES):
                found.append((f"[{key!r}]", f"prefixes {', '.join(RESERVED_TAG_PREFIXES)} are reserved"))
            if not 1 <= len(key) <= 128 or len(value) > 256:
                found.append((f"[{key!r}]", "tag keys are 1-128 characters, values at most 256"))
            elif not re.match(r"^[\w .:/=+\-@]*$", key + value):
                found.append((f"[{key!r}]", "tags take letters, digits, spaces and _ . : / = + - @"))
        if "environment" in tags:
            found.append(("['environment']", "set by the platform from `environment`; remove it"))
        _problems(found)
        return tags

    @model_validator(mode="after")
    def _cross(self) -> PlatformConfig:
        found: list[tuple[str, str]] = []
        first: dict[str, int] = {}
        for i, pool in enumerate(self.gpu_pools):
            if pool.name in first:
                found.append((f"gpu_pools[{i}].name", f"duplicate pool name {pool.name!r} (also gpu_pools[{first[pool.name]}])"))
            else:
                first[pool.name] = i
        if self.environment == "prod":
            for i, cidr in enumerate(self.cluster.endpoint.public_cidrs):
                if cidr.prefixlen == 0:
                    found.append((
                        f"cluster.endpoint.public_cidrs[{i}]",
                        f"{cidr} opens the Kubernetes API to the whole internet; not allowed in prod",
                    ))
        for i, pool in enumerate(self.gpu_pools):
            if pool.capacity_type not in ("capacity-block", "reservation"):
                found += [(f"gpu_pools[{i}].instance_types{sub}", msg)
                          for sub, msg in region_offer_problems(pool.instance_types, self.region, self.cloud)]
        found += [(f"cluster.system_nodes.instance_types{sub}", msg)
                  for sub, msg in region_offer_problems(self.system_instance_types, self.region, self.cloud)]
        if self.vector_store is not None:
            if self.model_registry is None:
                found.append(("vector_store", "needs model_registry: its publisher and consumer roles are the "
                                              "workloads the vector store grants access to"))
            if self.environment == "prod" and self.vector_store.network == "public":
                found.append(("vector_store.network", "public network access to the vector store is not allowed in prod"))
        found += self._team_problems()
        zone_suffix = r"^-[a-z]$" if self.cloud == "gcp" else r"^[a-z]$"
        for i, zone in enumerate(self.network.availability_zones or []):
            if not (zone.startswith(self.region) and re.match(zone_suffix, zone[len(self.region):])):
                found.append((f"network.availability_zones[{i}]", f"{zone!r} is not a zone of {self.region}"))
        found += self._cloud_problems()
        _problems(found)
        return self

    def _cloud_problems(self) -> list[tuple[str, str]]:
        """Fields of the other cloud, and values one cloud does not take, with their paths."""
        gcp = self.cloud == "gcp"
        found: list[tuple[str, str]] = [(f"network.{sub}" if sub else "network", msg)
                                        for sub, msg in self.network.cloud_problems(self.cloud)]
        for i, pool in enumerate(self.gpu_pools):
            found += [(f"gpu_pools[{i}].{sub}", msg) for sub, msg in pool.cloud_problems(self.cloud)]
        if not (_GCP_REGION if gcp else _AWS_REGION).match(self.region):
            found.append(("region", f"{self.region!r} is not a{' GCP' if gcp else 'n AWS'} region"))
        for i, itype in enumerate(self.cluster.system_nodes.instance_types or []):
            owner = cloud_of(itype)
            if owner is not None and owner != self.cloud:
                found.append((f"cluster.system_nodes.instance_types[{i}]",
                               f"{itype!r} is an {owner.upper()} type; this platform is on {self.cloud}"))
        if not gcp:
            found += [(f, "does not apply to cloud aws") for f in ("project", "project_number")
                      if getattr(self, f) is not None]
            found += [(f"cluster.{f}", "does not apply to cloud aws") for f in ("release_channel", "regional",
                                                                                 "security_group")
                      if getattr(self.cluster, f) is not None]
            return found
        found += [(f, "required on cloud gcp") for f in ("project", "project_number") if getattr(self, f) is None]
        if "workload_identity" in self.model_fields_set:
            found.append(("workload_identity", "does not apply to cloud gcp (GKE Workload Identity is always on)"))
        if self.cluster.admin_role_arns:
            found.append(("cluster.admin_role_arns", "does not apply to cloud gcp (grant roles/container.admin in IAM)"))
        if len(self.cluster.system_nodes.instance_types or []) > 1:
            found.append(("cluster.system_nodes.instance_types", "a GKE node pool takes exactly one machine type"))
        if self.environment == "prod" and self.cluster.regional is False:
            found.append(("cluster.regional", "prod clusters are regional (a zonal control plane is one zone's outage away)"))
        for key, value in self.tags.items():
            if not _GCP_LABEL_KEY.match(key) or not _GCP_LABEL_VALUE.match(value):
                found.append((f"tags[{key!r}]", "GCP labels take lowercase letters, digits, '_' and '-' "
                                                "(keys start with a letter; at most 63 characters)"))
        registry = self.model_registry
        if registry is not None:
            if registry.model_families:
                found.append(("model_registry.model_families", "SageMaker model package groups are AWS's; on GCP, "
                                                               "register versions in Vertex AI Model Registry"))
            name = registry.repository_name
            if name is not None and not re.match(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", name):
                found.append(("model_registry.repository_name", f"{name!r} is not a valid Artifact Registry repository id"))
        if self.vector_store is not None and self.vector_store.kind == "opensearch-serverless":
            found.append(("vector_store.kind", "opensearch-serverless is AWS's; on GCP use qdrant"))
        for i, team in enumerate(self.teams):
            if team.member_role_arns:
                found.append((f"teams[{i}].member_role_arns", "does not apply to cloud gcp (members_group is a "
                                                              "Google group, through Google Groups for RBAC)"))
        return found

    def _team_problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        models = {row.accelerator.model for pool in self.gpu_pools for t in pool.instance_types
                  if (row := instance_row(t)) is not None and row.accelerator is not None}
        taken = set(PLATFORM_NAMESPACES)
        if self.model_registry is not None:
            taken.add(self.model_registry.namespace)
        first: dict[str, int] = {}
        for i, team in enumerate(self.teams):
            if team.name in first:
                found.append((f"teams[{i}].name", f"duplicate team {team.name!r} (also teams[{first[team.name]}])"))
            first.setdefault(team.name, i)
            if team.namespace in taken:
                found.append((f"teams[{i}].name", f"{team.name!r} is a namespace the platform uses"))
            for j, model in enumerate(team.accelerators):
                if model not in models:
                    found.append((f"teams[{i}].accelerators[{j}]", f"no GPU pool offers {model!r} "
                                                                   f"(pools offer: {', '.join(sorted(models)) or 'none'})"))
        return found

    @property
    def accelerator_resources(self) -> list[str]:
        """The extended resources the platform's pools offer (what a team quota caps)."""
        found = sorted({DEVICE_RESOURCE[p.vendor] for p in self.gpu_pools})
        return found or [DEVICE_RESOURCE["nvidia"]]

    # ---- derived values -------------------------------------------------------

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    @property
    def availability_zones(self) -> list[str]:
        if self.network.availability_zones:
            return list(self.network.availability_zones)
        sep = "-" if self.cloud == "gcp" else ""
        return [f"{self.region}{sep}{chr(ord('a') + i)}" for i in range(self.network.az_count)]

    @property
    def system_instance_types(self) -> list[str]:
        """The system nodes' types: as given, else the cloud's default."""
        given = self.cluster.system_nodes.instance_types
        return list(given) if given else [DEFAULT_SYSTEM_TYPES[self.cloud]]

    @property
    def regional(self) -> bool:
        """GCP: whether the cluster is regional (default: in prod)."""
        given = self.cluster.regional
        return self.environment == "prod" if given is None else given

    @property
    def release_channel(self) -> str:
        return self.cluster.release_channel or ("STABLE" if self.environment == "prod" else "REGULAR")

    @property
    def nat_gateways(self) -> str:
        return self.network.nat_gateways or ("per-az" if self.environment == "prod" else "single")

    @property
    def resource_tags(self) -> dict[str, str]:
        """The tags (AWS) or labels (GCP) every taggable resource carries (DESIGN.md convention 10)."""
        sep = "-" if self.cloud == "gcp" else ":"
        return {
            **self.tags,
            "environment": self.environment,
            f"aiplatform{sep}platform": self.name,
            f"aiplatform{sep}environment": self.environment,
        }

    def team_tags(self, team: TeamConfig) -> dict[str, str]:
        """The tags of a team's resources: the platform's, with the team and its cost center."""
        return {**self.resource_tags, "team": team.name, "cost-center": team.cost_center or self.tags["cost-center"]}

    @property
    def protect_stateful(self) -> bool:
        return self.environment == "prod"


# --------------------------------------------------------------------------- loading


def load_platform_config(raw: Any, source: str = "") -> PlatformConfig:
    """Validate a platform spec; raise `ConfigError` listing every problem."""
    if raw is None:
        raise ConfigError([Problem(ROOT, "required: set config key aiplatform:platform")], source)
    if not isinstance(raw, dict):
        raise ConfigError([Problem(ROOT, f"must be a mapping (got {type(raw).__name__})")], source)
    try:
        return PlatformConfig.model_validate(raw, context={"cloud": raw.get("cloud")})
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc), source) from None


def from_pulumi_config(namespace: str = "aiplatform", key: str = CONFIG_KEY) -> PlatformConfig:
    """Read and validate the `<namespace>:<key>` structured config of the running stack."""
    cfg = pulumi.Config(namespace)
    raw = cfg.get(key)
    if raw is None:
        raise ConfigError([Problem(ROOT, f"required: set config key {namespace}:{key}")], f"stack {pulumi.get_stack()}")
    try:
        import json

        value = json.loads(raw)
    except ValueError:
        raise ConfigError([Problem(ROOT, "must be a structured value (a mapping)")], f"stack {pulumi.get_stack()}") from None
    return load_platform_config(value, source=f"stack {pulumi.get_stack()}")


def json_schema() -> dict[str, Any]:
    """JSON Schema of `PlatformConfig`, for editor completion of stack YAML."""
    schema = PlatformConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "aiplatform:platform"
    return schema
