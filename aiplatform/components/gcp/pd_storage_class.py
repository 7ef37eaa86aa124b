"""PdStorageClass: a CMEK-encrypted persistent-disk StorageClass for GKE's built-in PD CSI driver."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...config.clouds.gcp import GCP
from .._base import ArgsChecker, child_opts

TYPE = "aiplatform:index:PdStorageClass"
PROVISIONER = "pd.csi.storage.gke.io"


class PdStorageClassArgs(TypedDict, total=False):
    kms_key_id: pulumi.Input[str]
    """Cloud KMS key of the disks (required; the Compute Engine service agent must be granted it)."""
    disk_type: Literal["pd-balanced", "pd-ssd"]
    """Default: pd-balanced."""
    reclaim_policy: Literal["Retain", "Delete"]
    """What happens to a disk when its claim is deleted. Default: Delete."""
    name: str
    """StorageClass name. Default: aiplatform-<disk type>."""
    labels: Mapping[str, str]
    """Labels on the StorageClass. Default: none."""


class PdStorageClass(pulumi.ComponentResource):
    """A StorageClass whose disks are encrypted with the platform's key, bound when a pod is scheduled
    (so the disk lands in the pod's zone) and expandable."""

    storage_class_name: pulumi.Output[str]

    def __init__(self, name: str, args: PdStorageClassArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        check.require(args.get("kms_key_id") is not None, "kms_key_id", "required")
        check.require(args.get("reclaim_policy", GCP.defaults.reclaim_policy.other) in ("Retain", "Delete"), "reclaim_policy",
                      "must be Retain or Delete")
        check.done()
        disk = args.get("disk_type", "pd-balanced")
        sc = k8s.storage.v1.StorageClass(
            name,
            metadata={"name": args.get("name", f"aiplatform-{disk}"), "labels": dict(args.get("labels") or {})},
            provisioner=PROVISIONER,
            parameters={"type": disk, "disk-encryption-kms-key": args["kms_key_id"]},
            reclaim_policy=args.get("reclaim_policy", GCP.defaults.reclaim_policy.other),
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=child_opts(self),
        )
        self.storage_class_name = sc.metadata.apply(lambda m: m["name"])
        self.register_outputs({"storageClassName": self.storage_class_name})
