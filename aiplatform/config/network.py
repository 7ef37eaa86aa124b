"""`platform.network` and the API endpoint: a new network or an existing one, per cloud."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator

from ..problems import raise_problems
from . import defaults as d
from ._common import Strict, cidr, special_range_problem
from .clouds import CLOUDS, DEFAULT_CLOUD, not_applicable, rules_of
from .clouds.gcp import MASTER_CIDR, pods_cidr, services_cidr


class NetworkConfig(Strict):
    """Either a new network (`cidr`) or an existing one (AWS: `vpc_id` + `private_subnet_ids`; GCP:
    `network_name` + `subnetwork_name` + the two secondary range names)."""

    cidr: ipaddress.IPv4Network | None = Field(
        None, description="CIDR of a new VPC, e.g. 10.40.0.0/16 (/16 to /20)."
    )
    az_count: int = Field(3, ge=2, le=6, description="Availability zones for a new VPC.")
    availability_zones: list[str] | None = Field(
        None,
        description="Zone names for a new VPC; default: the region's first `az_count` zones (a, b, c, ...).",
    )
    nat_gateways: Literal["single", "per-az"] | None = Field(
        None, description=f"NAT gateways of a new VPC. Default: {d.NAT_GATEWAYS.other} outside prod, "
                          f"{d.NAT_GATEWAYS.prod} in prod (GCP: single, Cloud NAT is regional).",
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
        None, description=f"GCP: the /28 of the private control plane (default: {MASTER_CIDR}).",
    )
    network_name: str | None = Field(None, description="GCP: an existing VPC network (name or self link).")
    subnetwork_name: str | None = Field(None, description="GCP: an existing subnetwork of network_name in the region.")
    pods_range_name: str | None = Field(None, description="GCP: the existing subnetwork's secondary range for pods.")
    services_range_name: str | None = Field(None, description="GCP: the existing subnetwork's secondary range for services.")

    @field_validator("cidr", "pods_cidr", "services_cidr", "master_cidr", mode="before")
    @classmethod
    def _cidr(cls, value: Any) -> Any:
        network = cidr(value)
        if network is not None and (problem := special_range_problem(network)):
            raise ValueError(problem)
        return network

    @field_validator("private_subnet_ids", "public_subnet_ids")
    @classmethod
    def _subnet_ids(cls, ids: list[str]) -> list[str]:
        bad = [i for i in ids if not re.match(r"^subnet-[0-9a-f]{8,17}$", i)]
        if bad:
            raise ValueError(f"not subnet ids: {', '.join(bad)}")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate subnet ids")
        return ids

    CHECKS = (("a new or an existing network", "_one_source"),)

    def _one_source(self, context: Mapping[str, Any]) -> list[tuple[str, str]]:
        """New or existing, never both: checked here so it is reported even when other sections fail."""
        cloud = context.get("cloud")
        if cloud not in CLOUDS:  # guess from the fields given: the first other cloud whose fields are set
            cloud = next((c for c, rules in CLOUDS.items() if c != DEFAULT_CLOUD
                          and any(getattr(self, f) not in (None, []) for f in rules.fields.get("network", ()))),
                         DEFAULT_CLOUD)
        return self._source_problems(cloud)

    def _existing(self, cloud: str) -> list[str]:
        return [f for f in rules_of(cloud).existing_network if getattr(self, f) not in (None, [])]

    def _source_problems(self, cloud: str) -> list[tuple[str, str]]:
        rules = rules_of(cloud)
        what, noun = rules.existing_network_words, rules.network_noun
        existing = self._existing(cloud)
        if self.cidr is not None and existing:
            return [("", f"give either cidr (create {noun}) or {what} (use an existing one), not both")]
        if self.cidr is None and not existing:
            return [("", f"give either cidr (create {noun}) or {what} (use an existing one)")]
        return []

    def cloud_problems(self, cloud: str) -> list[tuple[str, str]]:
        """The cloud-specific problems of the section, as (sub-path, message); fields of other clouds are errors."""
        found = not_applicable(cloud, "network", self)
        if self._source_problems(cloud):
            return found  # reported by the section's own validator
        return found + rules_of(cloud).network_problems(self)

    def zone_problems(self) -> list[tuple[str, str]]:
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
    def pods_cidr_resolved(self) -> ipaddress.IPv4Network:
        """GCP: the pods range, default the /16 after the /16 that holds `cidr`."""
        if self.pods_cidr is not None:
            return self.pods_cidr
        assert self.cidr is not None
        return pods_cidr(self.cidr)

    @property
    def services_cidr_resolved(self) -> ipaddress.IPv4Network:
        """GCP: the services range, default the /20 after the pods range."""
        if self.services_cidr is not None:
            return self.services_cidr
        return services_cidr(self.pods_cidr_resolved)

    @property
    def master_cidr_resolved(self) -> ipaddress.IPv4Network:
        return self.master_cidr or MASTER_CIDR

    @property
    def creates_vpc(self) -> bool:
        return self.cidr is not None


class EndpointAccess(Strict):
    """Access to the Kubernetes API endpoint. Private by default."""

    public: bool = Field(False, description="Expose the API endpoint publicly (allow-list required).")
    public_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=list, description="CIDRs allowed to reach the public endpoint."
    )

    CHECKS = (("the allow-list", "_allow_list"),)

    @field_validator("public_cidrs", mode="before")
    @classmethod
    def _cidrs(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        networks = [cidr(v) for v in value]
        raise_problems([(f"[{i}]", problem) for i, n in enumerate(networks)
                        if n is not None and (problem := special_range_problem(n, allow_list=True))])
        return networks

    def _allow_list(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.public and not self.public_cidrs:
            found.append(("public_cidrs", "required when public is true: list the CIDRs allowed to reach the endpoint"))
        if not self.public and self.public_cidrs:
            found.append(("public_cidrs", "only used when public is true"))
        return found
