"""S3ModelRegistry: model artifacts in S3, lineage in SageMaker model package groups, serving images in ECR."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...catalog.names import MODEL_PACKAGE_GROUP, fitted
from ...config.clouds.aws import AWS
from ...config.defaults import REGISTRY_REPOSITORY_SUFFIX
from .._base import ArgsChecker, child_opts, stateful_opts
from .grants import GrantArgs
from .secure_bucket import SecureBucket
from .workload_role import ClusterIdentityArgs, WorkloadRole, workload_role_args

_D = AWS.defaults

TYPE = "aiplatform:index:S3ModelRegistry"


class S3ModelRegistryArgs(TypedDict, total=False):
    kms_key_arn: pulumi.Input[str]
    """The platform key: bucket (SSE-KMS with bucket keys) and repository encryption (required)."""
    region: str
    """AWS region (required)."""
    bucket_name: str
    """Bucket name. Default: generated from the component name (`<name>-models-<suffix>`)."""
    model_families: Sequence[str]
    """One SageMaker model package group per family (lineage and approval status). Default: none."""
    noncurrent_version_days: int
    """Days a replaced or deleted model version is kept before it expires. Default: 90."""
    access_log_bucket: str
    """Bucket that receives the server access logs. Default: no access logging."""
    repository_name: str
    """ECR repository for serving images. Default: `<name>-serving`."""
    untagged_image_days: int
    """Days an untagged image is kept. Default: 14."""
    identity: ClusterIdentityArgs
    """The cluster whose service accounts get the publisher and consumer roles (required)."""
    namespace: str
    """Namespace of the two service accounts. Default: `ml-models`."""
    create_namespace: bool
    """Create that namespace. Default: True."""
    namespace_labels: Mapping[str, str]
    """Labels on the namespace and service accounts. Default: none."""
    publisher_service_account: str
    """Service account of CI and training jobs (read-write). Default: `model-publisher`."""
    consumer_service_account: str
    """Service account of inference (read-only). Default: `model-reader`."""
    publisher_extra_grants: Sequence[GrantArgs]
    """More grants for the publisher (e.g. writing the vector store). Default: none."""
    consumer_extra_grants: Sequence[GrantArgs]
    """More grants for the consumer (e.g. querying the vector store). Default: none."""
    protect: bool
    """Protect the bucket, groups, repository, namespace and the two identities, and retain the bucket, groups and
    repository when deleted (production). Default: False."""
    tags: Mapping[str, str]
    """Tags on every taggable resource. Default: none."""


def untagged_images_policy(days: int) -> str:
    return json.dumps({"rules": [{
        "rulePriority": 1,
        "description": f"Expire untagged images after {days} days",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": days},
        "action": {"type": "expire"},
    }]}, sort_keys=True)


class S3ModelRegistry(pulumi.ComponentResource):
    """The model registry: a versioned, KMS-encrypted, private, TLS-only bucket with noncurrent-version
    expiry; a SageMaker model package group per model family; an immutable, scanned, KMS-encrypted ECR
    repository; and two identities, a read-write publisher and a read-only consumer."""

    bucket: aws.s3.Bucket
    repository: aws.ecr.Repository
    groups: dict[str, aws.sagemaker.ModelPackageGroup]
    publisher: WorkloadRole
    consumer: WorkloadRole

    def __init__(self, name: str, args: S3ModelRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        families = list(args.get("model_families") or [])
        days = args.get("noncurrent_version_days", _D.registry_noncurrent_version_days)
        image_days = args.get("untagged_image_days", _D.registry_untagged_image_days)
        check = ArgsChecker(TYPE, name)
        for key in ("kms_key_arn", "region", "identity"):
            check.require(args.get(key) is not None, key, "required")
        check.require(1 <= image_days <= 3650, "untagged_image_days", f"must be 1 to 3650 (got {image_days})")
        check.require(len(set(families)) == len(families), "model_families", "duplicate families")
        check.done()

        tags = dict(args.get("tags") or {})
        protect = bool(args.get("protect", False))
        key_arn = args["kms_key_arn"]
        region = args["region"]

        # ---- artifact bucket ---------------------------------------------------------------
        self.store = SecureBucket(f"{name}-models", {
            "kms_key_arn": key_arn,
            "bucket_name": args.get("bucket_name"),
            "noncurrent_version_days": days,
            "access_log_bucket": args.get("access_log_bucket"),
            "protect": protect,
            "tags": tags,
        }, child_opts(self))
        self.bucket = self.store.bucket
        bucket = self.bucket

        # ---- lineage -----------------------------------------------------------------------
        self.groups = {
            family: aws.sagemaker.ModelPackageGroup(
                f"{name}-{family}",
                model_package_group_name=fitted(MODEL_PACKAGE_GROUP, f"{name}-{family}"),
                model_package_group_description=f"Model family {family} of {name}",
                tags=tags,
                opts=stateful_opts(self, protect, retain=True),  # lineage and approvals are data
            )
            for family in families
        }

        # ---- serving images -----------------------------------------------------------------
        self.repository = aws.ecr.Repository(
            name,
            name=args.get("repository_name") or f"{name}{REGISTRY_REPOSITORY_SUFFIX}",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": key_arn}],
            force_delete=False,
            tags=tags,
            opts=stateful_opts(self, protect, retain=True),  # the serving images
        )
        aws.ecr.LifecyclePolicy(
            name, repository=self.repository.name, policy=untagged_images_policy(image_days), opts=child_opts(self),
        )

        # ---- identities ---------------------------------------------------------------------
        namespace = args.get("namespace", _D.registry_namespace)
        labels = dict(args.get("namespace_labels") or {})
        depends: list[pulumi.Resource] = []
        if args.get("create_namespace", True):
            depends.append(k8s.core.v1.Namespace(
                name, metadata={"name": namespace, "labels": labels}, opts=stateful_opts(self, protect),
            ))
        group_arns = [g.arn for g in self.groups.values()]
        common: dict[str, pulumi.Input[str]] = {"bucket_arn": bucket.arn, "kms_key_arn": key_arn, "region": region}
        publisher_grants: list[GrantArgs] = [
            {"kind": "models-write", **common},  # type: ignore[typeddict-item]
            {"kind": "images-push", "repository_arn": self.repository.arn},  # type: ignore[typeddict-item]
        ]
        consumer_grants: list[GrantArgs] = [
            {"kind": "models-read", **common},  # type: ignore[typeddict-item]
            {"kind": "images-pull", "repository_arn": self.repository.arn},  # type: ignore[typeddict-item]
        ]
        if group_arns:
            publisher_grants.append({"kind": "model-packages-write", "model_package_group_arns": group_arns})  # type: ignore[typeddict-item]
            consumer_grants.append({"kind": "model-packages-read", "model_package_group_arns": group_arns})  # type: ignore[typeddict-item]
        identity = dict(args["identity"])
        role_opts = child_opts(self, protect=protect, depends_on=depends)  # identities CI and serving use
        self.publisher = WorkloadRole(f"{name}-publisher", workload_role_args(
            identity, namespace, args.get("publisher_service_account", "model-publisher"),
            publisher_grants + list(args.get("publisher_extra_grants") or []),
            labels=labels, tags=tags, description=f"Model publisher (read-write) of {name}",
        ), role_opts)
        self.consumer = WorkloadRole(f"{name}-consumer", workload_role_args(
            identity, namespace, args.get("consumer_service_account", "model-reader"),
            consumer_grants + list(args.get("consumer_extra_grants") or []),
            labels=labels, tags=tags, description=f"Model consumer (read-only) of {name}",
        ), role_opts)

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.repository_url = self.repository.repository_url
        self.model_package_group_names = {f: g.model_package_group_name for f, g in self.groups.items()}
        self.register_outputs({
            "bucketName": self.bucket_name,
            "bucketArn": self.bucket_arn,
            "modelPackageGroupNames": self.model_package_group_names,
            "repositoryUrl": self.repository_url,
            "publisherRoleArn": self.publisher.role_arn,
            "consumerRoleArn": self.consumer.role_arn,
        })


__all__ = ["S3ModelRegistry", "S3ModelRegistryArgs", "untagged_images_policy"]
