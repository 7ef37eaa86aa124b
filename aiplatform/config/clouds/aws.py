"""AWS, as the config sees it: region grammar, fields only AWS takes, AWS's checks and every AWS default."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ...catalog.eks import support_of
from ...catalog.pins import AMI_TYPES_BY_VENDOR
from .. import defaults as d
from ..defaults import ByEnv
from ._rules import CloudDefaults, CloudRules, Found

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


#: Warn this many days before a pinned EKS version leaves standard support.
EKS_SUPPORT_WARNING_DAYS = 60


def eks_support_warning(version: str, today: dt.date) -> str | None:
    """A warning when an EKS Kubernetes version leaves standard support within 60 days of `today` (or has left it).

    Past its standard window a cluster is billed extended support (6x the control-plane rate) unless
    upgradePolicy.supportType is STANDARD, in which case AWS upgrades it. None for a version the support
    table does not list, or one with more than 60 days left."""
    window = support_of(version)
    if window is None:
        return None
    left = (window.end_of_standard - today).days
    if left > EKS_SUPPORT_WARNING_DAYS:
        return None
    when = (f"leaves standard support on {window.end_of_standard} ({left} days)" if left >= 0
            else f"left standard support on {window.end_of_standard}")
    return (f"cluster.kubernetes_version: EKS {version} {when}; after it the cluster is billed extended support "
            f"(until {window.end_of_extended}) or, with supportType STANDARD, upgraded by AWS: plan the upgrade")


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
    fields={
        "": ("workload_identity",),
        "network": ("vpc_id", "private_subnet_ids", "public_subnet_ids"),
        "cluster": ("admin_role_arns",),
        "gpu_pools": ("ami_type", "suppress"),
        "model_registry": ("suppress",),
        "teams": ("member_role_arns",),
    },
    refusals={"gpu_pools.gpu_driver_version": "the AMI type carries the driver"},
    existing_network=("vpc_id", "private_subnet_ids", "public_subnet_ids"),
    existing_network_words="vpc_id and private_subnet_ids",
    network_noun="a VPC",
    network_problems=_network_problems,
    pool_problems=_pool_problems,
)
