"""AWS, as the config sees it: region grammar, fields only AWS takes, AWS's checks and every AWS default."""

from __future__ import annotations

import re
from typing import Any

from ...catalog.pins import AMI_TYPES_BY_VENDOR
from .. import defaults as d
from ..defaults import ByEnv
from ._rules import CloudDefaults, CloudRules, Found, cost_center_problems

#: An IAM role ARN in any partition.
ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]+$")


def partition_of(region: str) -> str:
    """The AWS partition of a region, without an API call."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def default_ami_type(vendor: str) -> str:
    """The EKS AMI type of a pool whose config names none: the first of its accelerator vendor's."""
    return AMI_TYPES_BY_VENDOR[vendor][0]


def _network_problems(net: Any) -> Found:
    found: Found = []
    if net.cidr is None:
        if net.vpc_id is None:
            found.append(("vpc_id", "required with private_subnet_ids"))
        if len(net.private_subnet_ids) < 2:
            found.append(("private_subnet_ids", "an existing VPC needs at least 2 private subnets in different zones"))
        if net.availability_zones is not None or net.nat_gateways is not None:
            found.append(("", "availability_zones and nat_gateways apply only to a new VPC (cidr)"))
    else:
        if not 16 <= net.cidr.prefixlen <= 20:
            found.append(("cidr", f"prefix length must be /16 to /20 (got /{net.cidr.prefixlen})"))
        found += net.zone_problems()
    return found


def _pool_problems(pool: Any) -> Found:
    if pool.capacity_type == "reservation":
        return [("capacity_type", "reservation is GCP's; on AWS use capacity-block")]
    return []


#: AWS tag values: letters, digits, spaces and _ . : / = + - @, at most 256.
TAG_VALUE = re.compile(r"^[\w .:/=+\-@]{0,256}$")
#: Bucket name prefixes S3 reserves (the platform name starts every bucket name it derives).
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")


def _name_problems(config: Any) -> Found:
    found: Found = []
    for prefix in RESERVED_BUCKET_PREFIXES:
        if config.name.startswith(prefix):
            found.append(("name", f"starts with {prefix!r}, which S3 reserves: the platform's bucket names start "
                                  "with the platform name"))
    return found + cost_center_problems(
        config, TAG_VALUE, "AWS tag values take letters, digits, spaces and _ . : / = + - @ (at most 256)")


def _pool_placement(config: Any) -> Found:
    """Each pool's zones (a new VPC) or subnets (an existing one); a capacity-block pool in exactly one."""
    found: Found = []
    new_vpc = config.network.creates_vpc
    network_zones = list(config.availability_zones) if new_vpc else []
    for i, pool in enumerate(config.gpu_pools):
        where = f"gpu_pools[{i}]"
        block = pool.capacity_type == "capacity-block"
        if new_vpc:
            if pool.subnet_ids is not None:
                found.append((f"{where}.subnet_ids", "applies to an existing VPC; with a new VPC give zones"))
            for j, zone in enumerate(pool.zones or []):
                if zone not in network_zones:
                    found.append((f"{where}.zones[{j}]", f"{zone!r} is not a zone of the network "
                                                         f"({', '.join(network_zones)})"))
            if block and len(pool.zones or []) != 1:
                found.append((f"{where}.zones", "a capacity-block pool takes exactly one zone: the zone of its "
                                                "capacity block (a block's instances exist in that zone only)"))
        else:
            if pool.zones is not None:
                found.append((f"{where}.zones", "applies to a new VPC; with an existing VPC give subnet_ids"))
            for j, subnet in enumerate(pool.subnet_ids or []):
                if subnet not in config.network.private_subnet_ids:
                    found.append((f"{where}.subnet_ids[{j}]", f"{subnet!r} is not one of network.private_subnet_ids"))
            if block and len(pool.subnet_ids or []) != 1:
                found.append((f"{where}.subnet_ids", "a capacity-block pool takes exactly one subnet: the private "
                                                     "subnet in the zone of its capacity block"))
    return found


AWS = CloudRules(
    name="aws",
    article="an AWS",
    region=re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$"),
    zone_separator="",
    tag_separator=":",
    defaults=CloudDefaults(
        system_instance_type="m7i.large",
        log_retention_days=ByEnv(365, 90),
        qdrant_snapshots=d.QDRANT_SNAPSHOTS,
        standby_replicas=d.STANDBY_REPLICAS,
    ),
    managed_prometheus="amp",  # Amazon Managed Service for Prometheus
    fields={
        "": ("workload_identity",),
        "network": ("vpc_id", "private_subnet_ids", "public_subnet_ids"),
        "cluster": ("admin_role_arns",),
        "gpu_pools": ("ami_type", "suppress", "subnet_ids"),
        "model_registry": ("suppress",),
        "teams": ("member_role_arns",),
    },
    refusals={"gpu_pools.gpu_driver_version": "the AMI type carries the driver"},
    existing_network=("vpc_id", "private_subnet_ids", "public_subnet_ids"),
    existing_network_words="vpc_id and private_subnet_ids",
    network_noun="a VPC",
    network_problems=_network_problems,
    pool_problems=_pool_problems,
    name_problems=_name_problems,
    platform_problems=_pool_placement,
)
