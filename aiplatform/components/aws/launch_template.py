"""The hardened launch template every managed node group of the platform runs on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

#: Instance metadata: IMDSv2 only, and a hop limit of 1 so pods cannot reach the
#: node's credentials (they get their own through IRSA or Pod Identity).
METADATA_OPTIONS: dict[str, Any] = {
    "http_endpoint": "enabled",
    "http_tokens": "required",
    "http_put_response_hop_limit": 1,
}

#: Bottlerocket keeps the OS on /dev/xvda and images and data on /dev/xvdb.
_BOTTLEROCKET_OS_VOLUME_GIB = 4


def _volume(device: str, size_gib: int, kms_key_arn: pulumi.Input[str] | None) -> dict[str, Any]:
    ebs: dict[str, Any] = {
        "volume_size": size_gib,
        "volume_type": "gp3",
        "encrypted": "true",
        "delete_on_termination": "true",
    }
    if kms_key_arn is not None:
        ebs["kms_key_id"] = kms_key_arn
    return {"device_name": device, "ebs": ebs}


def node_launch_template(
    name: str,
    *,
    disk_size_gib: int,
    ami_type: str,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
    kms_key_arn: pulumi.Input[str] | None = None,
    capacity_reservation_id: str | None = None,
) -> aws.ec2.LaunchTemplate:
    """A launch template with IMDSv2 required, encrypted gp3 volumes and tagged instances.

    EKS fills in the AMI and bootstrap user data for the node group's
    `amiType`, so the template sets no image. A capacity-block pool targets its
    reservation with the `capacity-block` market type.
    """
    if ami_type.startswith("BOTTLEROCKET"):
        volumes = [
            _volume("/dev/xvda", _BOTTLEROCKET_OS_VOLUME_GIB, kms_key_arn),
            _volume("/dev/xvdb", disk_size_gib, kms_key_arn),
        ]
    else:
        volumes = [_volume("/dev/xvda", disk_size_gib, kms_key_arn)]
    extra: dict[str, Any] = {}
    if capacity_reservation_id is not None:
        extra["instance_market_options"] = {"market_type": "capacity-block"}
        extra["capacity_reservation_specification"] = {
            "capacity_reservation_target": {"capacity_reservation_id": capacity_reservation_id}
        }
    return aws.ec2.LaunchTemplate(
        name,
        description=f"aiplatform node template for {name}",
        metadata_options=METADATA_OPTIONS,
        block_device_mappings=volumes,
        tag_specifications=[
            {"resource_type": kind, "tags": dict(tags)} for kind in ("instance", "volume", "network-interface")
        ],
        update_default_version=True,
        tags=dict(tags),
        opts=opts,
        **extra,
    )
