"""GcsModelRegistry: model artifacts in Cloud Storage, serving images in Artifact Registry, two identities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from ...config.clouds.gcp import GCP
from .._base import ArgsChecker, child_opts, stateful_opts
from .workload_identity import GcpGrantArgs, WorkloadIdentity

_D = GCP.defaults

TYPE = "aiplatform:index:GcsModelRegistry"


class GcsModelRegistryArgs(TypedDict, total=False):
    project: str
    """The project (required)."""
    region: str
    """Region of the bucket and the repository (required; the key must be there too)."""
    kms_key_id: pulumi.Input[str]
    """Cloud KMS key of the bucket and repository (required; its service agents must be granted first)."""
    bucket_name: str
    """Bucket name (globally unique). Default: generated from the component name."""
    noncurrent_version_days: int
    """Days a replaced model version is kept. Default: 90."""
    access_log_bucket: str
    """Bucket for usage logs. Default: none."""
    repository_id: str
    """Artifact Registry repository id (required)."""
    untagged_image_days: int
    """Days an untagged image is kept. Default: 14."""
    node_service_account: pulumi.Input[str]
    """The cluster nodes' service account, granted image pulls (nodes pull images). Default: none."""
    namespace: str
    """Namespace of the publisher and consumer service accounts (created). Default: ml-models."""
    namespace_labels: Mapping[str, str]
    """Labels on the namespace and service accounts. Default: none."""
    publisher_extra_grants: Sequence[GcpGrantArgs]
    """More grants for the publisher. Default: none."""
    consumer_extra_grants: Sequence[GcpGrantArgs]
    """More grants for the consumer. Default: none."""
    protect: bool
    """Protect the bucket, repository, namespace and the two identities, and retain the bucket and repository when
    deleted (production). Default: False."""
    labels: Mapping[str, str]
    """GCP labels on the bucket and repository. Default: none."""


class GcsModelRegistry(pulumi.ComponentResource):
    """A private, versioned, CMEK-encrypted model bucket and an immutable-tag Docker repository.

    The bucket has uniform bucket-level access, public access prevention
    enforced, versioning with noncurrent versions expiring, soft delete, and the
    platform's key. The repository is CMEK-encrypted, with immutable tags and a
    cleanup policy for untagged images. Two Workload Identity service accounts:
    `publisher` (objects read-write, image push) and `consumer` (read-only).
    """

    bucket: gcp.storage.Bucket
    repository: gcp.artifactregistry.Repository
    publisher: WorkloadIdentity
    consumer: WorkloadIdentity

    def __init__(self, name: str, args: GcsModelRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("project", "region", "kms_key_id", "repository_id"):
            check.require(bool(args.get(key)), key, "required")
        days = args.get("noncurrent_version_days", _D.registry_noncurrent_version_days)
        check.require(1 <= days <= 3650, "noncurrent_version_days", "must be 1..3650")
        check.done()
        project, region = args["project"], args["region"]
        protect = bool(args.get("protect"))
        labels = dict(args.get("labels") or {})

        logging = None
        if args.get("access_log_bucket"):
            logging = gcp.storage.BucketLoggingArgs(log_bucket=args["access_log_bucket"], log_object_prefix=f"{name}/")
        self.bucket = gcp.storage.Bucket(
            f"{name}-models",
            name=args.get("bucket_name"),
            project=project,
            location=region.upper(),
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcp.storage.BucketVersioningArgs(enabled=True),
            encryption=gcp.storage.BucketEncryptionArgs(default_kms_key_name=args["kms_key_id"]),
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        days_since_noncurrent_time=days, with_state="ARCHIVED"),
                ),
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="AbortIncompleteMultipartUpload"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(age=7),
                ),
            ],
            soft_delete_policy=gcp.storage.BucketSoftDeletePolicyArgs(retention_duration_seconds=7 * 86400),
            logging=logging,
            force_destroy=False,
            labels=labels,
            opts=stateful_opts(self, protect, retain=True),
        )
        untagged = args.get("untagged_image_days", _D.registry_untagged_image_days)
        self.repository = gcp.artifactregistry.Repository(
            f"{name}-images",
            project=project,
            location=region,
            repository_id=args["repository_id"],
            format="DOCKER",
            description=f"Serving images of {name}",
            kms_key_name=args["kms_key_id"],
            docker_config=gcp.artifactregistry.RepositoryDockerConfigArgs(immutable_tags=True),
            cleanup_policy_dry_run=False,
            cleanup_policies=[gcp.artifactregistry.RepositoryCleanupPolicyArgs(
                id="delete-untagged", action="DELETE",
                condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
                    tag_state="UNTAGGED", older_than=f"{untagged * 86400}s"),
            )],
            labels=labels,
            opts=stateful_opts(self, protect, retain=True),
        )
        if args.get("node_service_account") is not None:
            gcp.artifactregistry.RepositoryIamMember(
                f"{name}-images-nodes", project=project, location=region, repository=self.repository.repository_id,
                role="roles/artifactregistry.reader",
                member=pulumi.Output.concat("serviceAccount:", args["node_service_account"]),
                opts=child_opts(self))

        namespace = args.get("namespace", _D.registry_namespace)
        ns_labels = dict(args.get("namespace_labels") or {})
        ns = k8s.core.v1.Namespace(name, metadata={"name": namespace, "labels": ns_labels},
                                   opts=stateful_opts(self, protect))
        bucket = {"bucket": self.bucket.name}
        repo = {"repository": self.repository.repository_id, "location": region}
        self.publisher = WorkloadIdentity(f"{name}-publisher", {
            "project": project, "namespace": namespace, "service_account": "model-publisher",
            "grants": [{"kind": "models-write", **bucket}, {"kind": "images-push", **repo},
                       *(args.get("publisher_extra_grants") or [])],
            "labels": ns_labels, "description": f"Model publisher (read-write) of {name}",
        }, child_opts(self, protect=protect, depends_on=[ns]))
        self.consumer = WorkloadIdentity(f"{name}-consumer", {
            "project": project, "namespace": namespace, "service_account": "model-reader",
            "grants": [{"kind": "models-read", **bucket}, {"kind": "images-pull", **repo},
                       *(args.get("consumer_extra_grants") or [])],
            "labels": ns_labels, "description": f"Model consumer (read-only) of {name}",
        }, child_opts(self, protect=protect, depends_on=[ns]))

        self.bucket_name = self.bucket.name
        self.bucket_url = self.bucket.url
        self.repository_id = self.repository.repository_id
        self.repository_url = pulumi.Output.concat(region, "-docker.pkg.dev/", project, "/",
                                                   self.repository.repository_id)
        self.register_outputs({
            "bucketName": self.bucket_name,
            "repositoryUrl": self.repository_url,
            "publisherServiceAccount": self.publisher.email,
            "consumerServiceAccount": self.consumer.email,
        })


__all__ = ["GcsModelRegistry", "GcsModelRegistryArgs"]
