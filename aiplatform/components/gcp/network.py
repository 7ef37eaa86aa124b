"""GcpNetwork: a VPC network and subnetwork for GKE, with Cloud NAT and private Google access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from .._base import ArgsChecker, child_opts

TYPE = "aiplatform:index:GcpNetwork"
_NEW = ("cidr", "pods_cidr", "services_cidr")
_EXISTING = ("network_name", "subnetwork_name", "pods_range_name", "services_range_name")


class GcpNetworkArgs(TypedDict, total=False):
    project: str
    """The project (required)."""
    region: str
    """The region of the subnetwork, router and NAT (required)."""
    cidr: str
    """Primary range of a new subnetwork (nodes and internal load balancers)."""
    pods_cidr: str
    """Secondary range of a new subnetwork for pods."""
    services_cidr: str
    """Secondary range of a new subnetwork for services."""
    network_name: str
    """An existing network (adopt instead of create)."""
    subnetwork_name: str
    """An existing subnetwork of `network_name` in `region`."""
    pods_range_name: str
    """The existing subnetwork's secondary range for pods."""
    services_range_name: str
    """The existing subnetwork's secondary range for services."""
    flow_log_sampling: float
    """Share of VPC flow logs sampled on a new subnetwork. Default: 0.5."""
    labels: Mapping[str, str]
    """Unused by network resources (they take no labels); kept for symmetry. Default: none."""


class GcpNetwork(pulumi.ComponentResource):
    """A custom-mode VPC network for a private GKE cluster, or an existing one adopted (never both).

    New: one regional subnetwork with secondary ranges `pods` and `services`,
    private Google access, flow logs; a Cloud Router and a Cloud NAT for the
    private nodes' egress (regional: one gateway serves every zone).
    Existing: the names are passed through, nothing is created.
    """

    network: pulumi.Output[str]
    subnetwork: pulumi.Output[str]
    pods_range_name: pulumi.Output[str]
    services_range_name: pulumi.Output[str]

    def __init__(self, name: str, args: GcpNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("project", "region"):
            check.require(bool(args.get(key)), key, "required")
        new = [k for k in _NEW if args.get(k)]
        existing = [k for k in _EXISTING if args.get(k)]
        if new and existing:
            check.add("cidr", "give cidr, pods_cidr and services_cidr (create) or the four existing names, not both")
        elif new:
            check.require(len(new) == len(_NEW), "cidr", "a new network takes cidr, pods_cidr and services_cidr")
        else:
            check.require(len(existing) == len(_EXISTING), "network_name",
                          "give cidr, pods_cidr and services_cidr, or network_name, subnetwork_name, "
                          "pods_range_name and services_range_name")
        check.done()
        project, region = args["project"], args["region"]

        if existing:
            self.network = pulumi.Output.from_input(args["network_name"])
            self.subnetwork = pulumi.Output.from_input(args["subnetwork_name"])
            self.pods_range_name = pulumi.Output.from_input(args["pods_range_name"])
            self.services_range_name = pulumi.Output.from_input(args["services_range_name"])
            self.register_outputs({"network": self.network, "subnetwork": self.subnetwork})
            return

        vpc = gcp.compute.Network(name, project=project, auto_create_subnetworks=False, routing_mode="REGIONAL",
                                  description=f"aiplatform {name}", opts=child_opts(self))
        subnet = gcp.compute.Subnetwork(
            f"{name}-nodes", project=project, region=region, network=vpc.id, ip_cidr_range=args["cidr"],
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name="pods", ip_cidr_range=args["pods_cidr"]),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name="services", ip_cidr_range=args["services_cidr"]),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_MIN", flow_sampling=args.get("flow_log_sampling", 0.5),
                metadata="INCLUDE_ALL_METADATA",
            ),
            opts=child_opts(self),
        )
        router = gcp.compute.Router(f"{name}-router", project=project, region=region, network=vpc.id,
                                    opts=child_opts(self))
        self.nat = gcp.compute.RouterNat(
            f"{name}-nat", project=project, region=region, router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            enable_endpoint_independent_mapping=False,
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child_opts(self),
        )
        self.network = vpc.id
        self.subnetwork = subnet.id
        self.pods_range_name = pulumi.Output.from_input("pods")
        self.services_range_name = pulumi.Output.from_input("services")
        self.register_outputs({"network": self.network, "subnetwork": self.subnetwork})
