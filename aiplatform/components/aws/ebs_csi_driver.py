"""EbsCsiDriver: the EBS CSI add-on and an encrypted gp3 StorageClass for in-cluster stateful stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...catalog.names import ROLE, name_args
from ...catalog.pins import addon_versions
from ...config.clouds.aws import AWS
from .._base import ArgsChecker, child_opts
from .eks_cluster import managed_addon
from .iam import managed_policy_arn, policy_document, workload_trust_policy
from .workload_role import ClusterIdentityArgs

TYPE = "aiplatform:index:EbsCsiDriver"
ADDON = "aws-ebs-csi-driver"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "ebs-csi-controller-sa"
#: What the driver needs on a customer-managed key to create and attach encrypted volumes.
KMS_VOLUME_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKeyWithoutPlaintext",
                      "kms:ReEncryptFrom", "kms:ReEncryptTo"]


class EbsCsiDriverArgs(TypedDict, total=False):
    identity: ClusterIdentityArgs
    """The cluster (required); the driver's role uses Pod Identity or IRSA like the rest."""
    kubernetes_version: str
    """Cluster Kubernetes minor version; selects the pinned add-on version (required)."""
    kms_key_arn: pulumi.Input[str]
    """The key new volumes are encrypted with (required)."""
    region: str
    """AWS region, for the `kms:ViaService` condition (required)."""
    storage_class_name: str
    """Name of the StorageClass. Default: `aiplatform-gp3-encrypted`."""
    reclaim_policy: Literal["Retain", "Delete"]
    """What happens to a volume when its claim is deleted. Default: Delete (Retain in production)."""
    partition: str
    """AWS partition. Default: `aws`."""
    tags: Mapping[str, str]
    """Tags on the role and the add-on. Default: none."""


def kms_volume_policy(key_arn: str, region: str) -> str:
    via = {"kms:ViaService": f"ec2.{region}.amazonaws.com"}
    return policy_document([
        {"Sid": "UseKeyForVolumes", "Effect": "Allow", "Action": KMS_VOLUME_ACTIONS, "Resource": key_arn,
         "Condition": {"StringEquals": via}},
        {"Sid": "GrantKeyToEc2", "Effect": "Allow", "Action": "kms:CreateGrant", "Resource": key_arn,
         "Condition": {"StringEquals": via, "Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ])


class EbsCsiDriver(pulumi.ComponentResource):
    """The pinned `aws-ebs-csi-driver` add-on with its own role (AmazonEBSCSIDriverPolicy plus use of the
    platform key through EC2 only) and a gp3 StorageClass that encrypts every volume with that key."""

    storage_class_name: str

    def __init__(self, name: str, args: EbsCsiDriverArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("identity", "kubernetes_version", "kms_key_arn", "region"):
            check.require(args.get(key) is not None, key, "required")
        check.done()
        identity = dict(args["identity"])
        tags = dict(args.get("tags") or {})
        region = args["region"]
        irsa = identity.get("mode") == "irsa"
        trust = workload_trust_policy(identity, NAMESPACE, SERVICE_ACCOUNT)
        role = aws.iam.Role(f"{name}-ebs-csi", **name_args(ROLE, f"{name}-ebs-csi"), description="EBS CSI controller", assume_role_policy=trust,
                            tags=tags, opts=child_opts(self))
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-ebs-csi", role=role.name,
            policy_arn=managed_policy_arn(args.get("partition", "aws"), "service-role/AmazonEBSCSIDriverPolicy"),
            opts=child_opts(self),
        )
        key_policy = aws.iam.RolePolicy(
            f"{name}-ebs-csi-kms", role=role.id,
            policy=pulumi.Output.from_input(args["kms_key_arn"]).apply(lambda arn: kms_volume_policy(arn, region)),
            opts=child_opts(self),
        )
        identity_args: dict[str, object] = (
            {"service_account_role_arn": role.arn} if irsa
            else {"pod_identity_associations": [{"role_arn": role.arn, "service_account": SERVICE_ACCOUNT}]}
        )
        self.addon = managed_addon(
            f"{name}-{ADDON}", identity["cluster_name"], ADDON, addon_versions(args["kubernetes_version"])[ADDON],
            tags, child_opts(self, depends_on=[attachment, key_policy]), **identity_args,
        )
        self.storage_class_name = args.get("storage_class_name", "aiplatform-gp3-encrypted")
        self.storage_class = k8s.storage.v1.StorageClass(
            name,
            metadata={"name": self.storage_class_name, "labels": {"app.kubernetes.io/managed-by": "aiplatform"}},
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": args["kms_key_arn"]},
            reclaim_policy=args.get("reclaim_policy", AWS.defaults.reclaim_policy.other),
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=child_opts(self, depends_on=[self.addon]),
        )
        self.register_outputs({"storageClassName": self.storage_class_name})


__all__ = ["EbsCsiDriver", "EbsCsiDriverArgs", "kms_volume_policy"]
