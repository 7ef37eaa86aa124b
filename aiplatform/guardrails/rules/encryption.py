"""Encryption at rest with keys you control: Kubernetes secrets (EKS, GKE), buckets and image
repositories (S3, ECR; Cloud Storage, Artifact Registry), node volumes, OpenSearch Serverless, and
Cloud KMS key rotation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.links import BUCKET_TYPES, Attachments
from ...shape.props import as_bool, as_list, is_unknown, known, parse_json
from ...shape.resource import Resource
from ...shape.types import (
    AOSS_SECURITY_POLICY,
    ARTIFACT_REPOSITORY,
    EBS_VOLUME,
    EC2_INSTANCE,
    ECR_REPOSITORY,
    EKS_CLUSTER,
    GCS_BUCKET,
    GKE_CLUSTER,
    KMS_CRYPTO_KEY,
    LAUNCH_TEMPLATE,
)
from .._rule import resource_rule, stack_rule
from ..frameworks import AT_REST, CIS_GCP_KMS_ROTATION

AREA = "security"

SSE_TYPES = frozenset({
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
})
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _algorithms(rules: Any) -> list[Any]:
    return [r.get("applyServerSideEncryptionByDefault", {}).get("sseAlgorithm") if isinstance(r, dict) else None
            for r in as_list(rules)]


@stack_rule(
    "aip-security-s3-encryption-kms",
    area="security",
    severity=Severity.HIGH,
    description="S3 buckets are encrypted with SSE-KMS (a customer-managed key), not the S3-managed default.",
    why="Model weights and training data are the platform's most valuable data; a KMS key puts every read "
        "under a key policy and in CloudTrail, and lets the key be revoked.",
    remediation="Add a BucketServerSideEncryptionConfiguration for the bucket with sseAlgorithm `aws:kms` and "
                "the platform key (and bucketKeyEnabled to keep KMS request costs down).",
    reads=BUCKET_TYPES | SSE_TYPES,
    frameworks=AT_REST,
    tags=("encryption", "s3"),
)
def s3_encryption(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    configs = [r for r in resources if r.type in SSE_TYPES]
    for cfg in configs:
        for algorithm in _algorithms(cfg.get("rules")):
            if known(algorithm) and algorithm not in KMS_ALGORITHMS:
                yield cfg.urn, f"sseAlgorithm is {algorithm}; use aws:kms"
    configs_of = Attachments(configs)
    for bucket in (r for r in resources if r.type in BUCKET_TYPES):
        inline = _algorithms(bucket.get("serverSideEncryptionConfiguration.rule"))
        if any(a in KMS_ALGORITHMS or is_unknown(a) for a in inline):
            continue
        if not configs_of.any_for(bucket):
            yield bucket.urn, "has no SSE-KMS encryption configuration (S3 falls back to SSE-S3)"


@resource_rule(
    "aip-security-eks-secrets-encryption",
    area="security",
    severity=Severity.HIGH,
    types={EKS_CLUSTER},
    description="EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
    why="Secrets hold API keys and registry credentials; a customer-managed key keeps them unreadable "
        "from an etcd backup and auditable in CloudTrail.",
    remediation="Set encryptionConfig with resources [\"secrets\"] and provider.keyArn of a KMS key with rotation.",
    frameworks=AT_REST,
    tags=("encryption", "eks"),
)
def eks_secrets_encryption(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    encryption = resource.get("encryptionConfig")
    if is_unknown(encryption):
        return
    resources = resource.get("encryptionConfig.resources")
    key = resource.get("encryptionConfig.provider.keyArn")
    if not known(encryption):
        yield "has no encryptionConfig; secrets are not encrypted with a key you control"
    elif known(resources) and "secrets" not in as_list(resources):
        yield "encryptionConfig does not cover `secrets`"
    elif not key and not is_unknown(key):
        yield "encryptionConfig has no provider.keyArn"


@resource_rule(
    "aip-security-gke-secrets-encryption",
    area="security",
    severity=Severity.HIGH,
    types={GKE_CLUSTER},
    description="GKE clusters encrypt Kubernetes secrets at the application layer with a Cloud KMS key.",
    why="Secrets hold API keys and registry credentials; a key you control keeps them unreadable in etcd "
        "backups and auditable in Cloud Audit Logs.",
    remediation="Set databaseEncryption {state: ENCRYPTED, keyName: <Cloud KMS key in the cluster's region>}.",
    frameworks=AT_REST,
    tags=("encryption", "gke"),
)
def gke_secrets_encryption(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    encryption = resource.get("databaseEncryption")
    if is_unknown(encryption):
        return
    state = resource.get("databaseEncryption.state")
    key = resource.get("databaseEncryption.keyName")
    if not known(encryption) or (known(state) and state != "ENCRYPTED"):
        yield "secrets are not encrypted with a Cloud KMS key (databaseEncryption.state is not ENCRYPTED)"
    elif not known(key) and not is_unknown(key):
        yield "databaseEncryption has no keyName"


def _unencrypted(devices: Any, path: str) -> Iterator[str]:
    for index, device in enumerate(as_list(devices)):
        if not isinstance(device, dict):
            continue
        if path == "ebs":
            ebs = device.get("ebs")
            if is_unknown(ebs):
                continue
            flag = ebs.get("encrypted") if isinstance(ebs, dict) else None
        else:
            flag = device.get("encrypted")
        if is_unknown(flag):
            continue
        if as_bool(flag) is not True:
            name = device.get("deviceName", index)
            yield f"volume {name} is not encrypted (set encrypted: true)"


@resource_rule(
    "aip-security-ebs-encryption",
    area="security",
    severity=Severity.HIGH,
    types={LAUNCH_TEMPLATE, EBS_VOLUME, EC2_INSTANCE},
    description="Node and instance volumes are encrypted.",
    why="GPU nodes cache model weights and datasets on local volumes; an unencrypted volume or snapshot "
        "leaks them to anyone who can copy it.",
    remediation="Set `encrypted: true` on every block device (launch templates: blockDeviceMappings[].ebs), "
                "optionally with the platform KMS key.",
    frameworks=AT_REST,
    tags=("encryption", "ec2"),
)
def ebs_encryption(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type == EBS_VOLUME:
        flag = resource.get("encrypted")
        if not is_unknown(flag) and as_bool(flag) is not True:
            yield "volume is not encrypted (set encrypted: true)"
        return
    if resource.type == EC2_INSTANCE:
        root = resource.get("rootBlockDevice")
        if isinstance(root, dict):
            yield from _unencrypted([{"deviceName": "root", **root}], "flat")
        elif not is_unknown(root):
            yield "rootBlockDevice is not set, so the root volume's encryption follows the AMI"
        yield from _unencrypted(resource.get("ebsBlockDevices"), "flat")
        return
    mappings = resource.get("blockDeviceMappings")
    if is_unknown(mappings):
        return
    if not as_list(mappings):
        yield "no blockDeviceMappings: volume encryption follows the AMI and the account default"
    yield from _unencrypted(mappings, "ebs")


@resource_rule(
    "aip-security-opensearch-encryption",
    area="security",
    severity=Severity.MEDIUM,
    types={AOSS_SECURITY_POLICY},
    description="OpenSearch Serverless encryption policies use a customer-managed KMS key.",
    why="Embeddings can be inverted back to the text they encode; a customer-managed key puts the vector "
        "store under the same key policy and audit trail as the rest of the platform.",
    remediation="Set `AWSOwnedKey: false` and `KmsARN` to the platform key in the encryption policy.",
    frameworks=AT_REST,
    tags=("encryption", "vector-store"),
)
def opensearch_encryption(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.get("type") != "encryption":
        return
    policy = parse_json(resource.get("policy"))
    if is_unknown(policy):
        return
    if not isinstance(policy, dict):
        yield "the encryption policy is not a JSON object"
        return
    if as_bool(policy.get("AWSOwnedKey")) is True:
        yield "uses an AWS-owned key (AWSOwnedKey: true)"
    elif not policy.get("KmsARN"):
        yield "has no KmsARN"


@resource_rule(
    "aip-security-ecr-kms",
    area="security",
    severity=Severity.MEDIUM,
    types={ECR_REPOSITORY},
    description="ECR repositories encrypt images with KMS.",
    why="Serving images often embed model weights; KMS encryption brings them under the platform's key policy.",
    remediation="Set encryptionConfigurations [{encryptionType: KMS, kmsKey: <platform key ARN>}].",
    frameworks=AT_REST,
    tags=("encryption", "ecr"),
)
def ecr_kms(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    configs = resource.get("encryptionConfigurations")
    if is_unknown(configs):
        return
    types = [c.get("encryptionType") for c in as_list(configs) if isinstance(c, dict)]
    if any(is_unknown(t) for t in types):
        return
    if not any(t in ("KMS", "KMS_DSSE") for t in types):
        yield "images are encrypted with AES256 (S3-managed keys), not KMS"


@resource_rule(
    "aip-security-gcp-cmek",
    area="security",
    severity=Severity.HIGH,
    types={GCS_BUCKET, ARTIFACT_REPOSITORY},
    description="Model buckets and image repositories are encrypted with a customer-managed Cloud KMS key.",
    why="A key you control can be revoked, rotated and audited; deleting or disabling it makes a leaked copy "
        "of the data unreadable.",
    remediation="Set encryption.defaultKmsKeyName on buckets and kmsKeyName on Artifact Registry repositories "
                "(and grant the service agents the key).",
    frameworks=AT_REST,
    tags=("encryption", "cmek"),
)
def gcp_cmek(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    path = "encryption.defaultKmsKeyName" if resource.type == GCS_BUCKET else "kmsKeyName"
    key = resource.get(path)
    if not known(key) and not is_unknown(key):
        yield f"{path} is not set: encrypted with a Google-managed key only"


@resource_rule(
    "aip-security-gcp-kms-rotation",
    area="security",
    severity=Severity.MEDIUM,
    types={KMS_CRYPTO_KEY},
    description="Cloud KMS keys rotate automatically, at least every 90 days.",
    why="Rotation limits how much data one key version protects; NIST and CIS ask for it.",
    remediation="Set rotationPeriod to 7776000s (90 days) or less.",
    config={"maxRotationDays": {"type": "number", "minimum": 1, "default": 90,
                                "description": "Longest allowed rotation period, in days."}},
    frameworks=CIS_GCP_KMS_ROTATION,
    tags=("encryption", "kms"),
)
def gcp_kms_rotation(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.get("purpose") not in (None, "ENCRYPT_DECRYPT") and known(resource.get("purpose")):
        return  # only symmetric keys rotate automatically
    period = resource.get("rotationPeriod")
    if is_unknown(period):
        return
    if not known(period):
        yield "rotationPeriod is not set: the key never rotates"
        return
    match = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(period))
    if match and float(match.group(1)) > config["maxRotationDays"] * 86400:
        yield f"rotationPeriod {period} is longer than {config['maxRotationDays']:g} days"
