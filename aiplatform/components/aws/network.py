"""Network: a VPC for the platform, or an existing one adopted by id."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict

import pulumi
import pulumi_aws as aws

from ...config.clouds.aws import AWS
from .._base import ArgsChecker, child_opts, is_known, merge_tags

TYPE = "aiplatform:index:Network"


class NetworkArgs(TypedDict, total=False):
    cidr: str
    """CIDR of a new VPC (/16 to /20). Give this, or `vpc_id` and `private_subnet_ids`."""
    availability_zones: Sequence[str]
    """Zones of a new VPC, 2 to 6. Required with `cidr`."""
    nat_gateways: Literal["single", "per-az"]
    """NAT gateways of a new VPC. Default: `single` (one NAT for all zones)."""
    region: str
    """Region of a new VPC, for its S3 gateway endpoint. Default: the zones' region (`us-east-1a` -> `us-east-1`)."""
    s3_gateway_endpoint: bool
    """A new VPC gets an S3 gateway endpoint on its private route tables, so model weights and image layers
    reach S3 without NAT data processing (gateway endpoints are free). Default: true."""
    vpc_id: pulumi.Input[str]
    """An existing VPC to use instead of creating one."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets of the existing VPC."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Public subnets of the existing VPC (optional)."""
    tags: Mapping[str, str]
    """Tags on every resource. Default: none."""


def plan_subnets(cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """Carve a VPC CIDR into per-zone private and public subnets.

    The VPC is split in eighths: zone i gets eighth i as its private subnet (node
    and pod addresses), and the last eighth is split in eight again for the small
    public subnets (NAT gateways and load balancers).
    """
    net = ipaddress.ip_network(cidr)
    eighths = list(net.subnets(prefixlen_diff=3))
    private = [str(s) for s in eighths[:zones]]
    public = [str(s) for s in list(eighths[-1].subnets(prefixlen_diff=3))[:zones]]
    return private, public


class Network(pulumi.ComponentResource):
    """A VPC with private subnets for nodes (tagged for internal load balancers),
    public subnets with NAT gateway(s), and a default security group that allows
    nothing; or an existing VPC adopted by id (no resources created).
    """

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    #: The private subnet of each zone, when this component created the VPC (None for an existing one).
    private_subnets_by_zone: dict[str, aws.ec2.Subnet] | None = None

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        check.exclusive(args, "cidr", "vpc_id")
        creates = args.get("cidr") is not None
        if creates:
            zones = list(args.get("availability_zones") or [])
            check.require(2 <= len(zones) <= 6, "availability_zones", "give 2 to 6 zones with cidr")
            check.require(
                args.get("nat_gateways", AWS.defaults.nat_gateways.other) in ("single", "per-az"), "nat_gateways", "must be single or per-az"
            )
            region = args.get("region") or (zones[0][:-1] if zones else "")
            check.require(bool(re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region)), "region",
                          f"give the region of the zones (got {region!r})")
            try:
                prefix = ipaddress.ip_network(args["cidr"]).prefixlen
                check.require(16 <= prefix <= 20, "cidr", f"prefix length must be /16 to /20 (got /{prefix})")
            except ValueError as exc:
                check.add("cidr", str(exc))
        else:
            check.require(args.get("vpc_id") is not None, "vpc_id", "give cidr (new VPC) or vpc_id (existing VPC)")
            subnets = args.get("private_subnet_ids")
            check.require(subnets is not None, "private_subnet_ids", "required with vpc_id")
            if subnets is not None and is_known(subnets):
                check.require(len(list(subnets)) >= 2, "private_subnet_ids", "give at least 2 subnets in different zones")
        check.done()

        if creates:
            self._create(name, args)
        else:
            self.vpc_id = pulumi.Output.from_input(args["vpc_id"])
            self.private_subnet_ids = pulumi.Output.from_input(args["private_subnet_ids"])
            self.public_subnet_ids = pulumi.Output.from_input(args.get("public_subnet_ids") or [])
        self.register_outputs({
            "vpcId": self.vpc_id,
            "privateSubnetIds": self.private_subnet_ids,
            "publicSubnetIds": self.public_subnet_ids,
        })

    def _create(self, name: str, args: NetworkArgs) -> None:
        tags = dict(args.get("tags") or {})
        zones = list(args["availability_zones"])
        private_cidrs, public_cidrs = plan_subnets(args["cidr"], len(zones))
        per_az = args.get("nat_gateways", AWS.defaults.nat_gateways.other) == "per-az"

        vpc = aws.ec2.Vpc(
            name,
            cidr_block=args["cidr"],
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=merge_tags(tags, Name=name),
            opts=child_opts(self),
        )
        self.vpc = vpc
        # Lock the default security group: no ingress, no egress.
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            name, vpc_id=vpc.id, tags=merge_tags(tags, Name=f"{name}-default-deny"), opts=child_opts(self)
        )
        igw = aws.ec2.InternetGateway(name, vpc_id=vpc.id, tags=merge_tags(tags, Name=name), opts=child_opts(self))
        public_rt = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=vpc.id, tags=merge_tags(tags, Name=f"{name}-public"), opts=child_opts(self)
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child_opts(self),
        )

        self.public_subnets: list[aws.ec2.Subnet] = []
        self.private_subnets: list[aws.ec2.Subnet] = []
        self.nat_gateways: list[aws.ec2.NatGateway] = []
        self.private_route_tables: list[aws.ec2.RouteTable] = []
        for i, zone in enumerate(zones):
            public = self._subnet(name, "public", zone, public_cidrs[i], vpc, tags)
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}", subnet_id=public.id, route_table_id=public_rt.id, opts=child_opts(self)
            )
            self.public_subnets.append(public)
            if per_az or i == 0:
                eip = aws.ec2.Eip(
                    f"{name}-nat-{zone}", domain="vpc", tags=merge_tags(tags, Name=f"{name}-nat-{zone}"),
                    opts=child_opts(self),
                )
                self.nat_gateways.append(aws.ec2.NatGateway(
                    f"{name}-{zone}",
                    allocation_id=eip.id,
                    subnet_id=public.id,
                    tags=merge_tags(tags, Name=f"{name}-{zone}"),
                    opts=child_opts(self, depends_on=[igw]),
                ))

        for i, zone in enumerate(zones):
            private = self._subnet(name, "private", zone, private_cidrs[i], vpc, tags)
            rt = aws.ec2.RouteTable(
                f"{name}-private-{zone}", vpc_id=vpc.id, tags=merge_tags(tags, Name=f"{name}-private-{zone}"),
                opts=child_opts(self),
            )
            nat = self.nat_gateways[i if per_az else 0]
            aws.ec2.Route(
                f"{name}-private-{zone}-default",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child_opts(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", subnet_id=private.id, route_table_id=rt.id, opts=child_opts(self)
            )
            self.private_subnets.append(private)
            self.private_route_tables.append(rt)

        self.s3_endpoint: aws.ec2.VpcEndpoint | None = None
        if args.get("s3_gateway_endpoint", True):
            region = args.get("region") or zones[0][:-1]
            self.s3_endpoint = aws.ec2.VpcEndpoint(
                f"{name}-s3",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.s3",
                vpc_endpoint_type="Gateway",
                route_table_ids=[rt.id for rt in self.private_route_tables],
                tags=merge_tags(tags, Name=f"{name}-s3"),
                opts=child_opts(self),
            )

        self.vpc_id = vpc.id
        self.private_subnets_by_zone = dict(zip(zones, self.private_subnets, strict=True))
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in self.private_subnets])
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in self.public_subnets])

    def private_subnet_ids_in(self, zones: Sequence[str]) -> pulumi.Output[list[str]]:
        """The private subnets of these zones of a VPC this component created (a pool pinned to zones)."""
        by_zone = self.private_subnets_by_zone
        if by_zone is None:
            raise ValueError("zones apply to a VPC this component creates; give the subnets of an existing VPC")
        missing = [z for z in zones if z not in by_zone]
        if missing:
            raise ValueError(f"no private subnet in {', '.join(missing)} (the network's zones: {', '.join(by_zone)})")
        return pulumi.Output.all(*[by_zone[z].id for z in zones])

    #: Subnet tag that tells the AWS load balancer controller where load balancers go.
    _LB_ROLE_TAG = {"public": "kubernetes.io/role/elb", "private": "kubernetes.io/role/internal-elb"}

    def _subnet(
        self, name: str, kind: str, zone: str, cidr: str, vpc: aws.ec2.Vpc, tags: Mapping[str, str]
    ) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            f"{name}-{kind}-{zone}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags=merge_tags(tags, Name=f"{name}-{kind}-{zone}", **{self._LB_ROLE_TAG[kind]: "1"}),
            opts=child_opts(self),
        )
