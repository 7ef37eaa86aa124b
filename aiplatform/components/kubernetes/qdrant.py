"""Qdrant: an in-cluster, cloud-neutral vector store (pinned Helm chart) on encrypted volumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import QDRANT, QDRANT_IMAGE_TAG
from ...config import defaults as d
from .._base import LABEL_PREFIX, ArgsChecker, stateful_opts
from .helm import pinned_release

TYPE = "aiplatform:index:Qdrant"
HTTP_PORT = 6333


class QdrantSnapshotsArgs(TypedDict, total=False):
    bucket: pulumi.Input[str]
    """S3 bucket for snapshots (required)."""
    region: str
    """Region of the bucket (required)."""


class QdrantArgs(TypedDict, total=False):
    storage_class_name: pulumi.Input[str]
    """An encrypted StorageClass for the data volumes (required)."""
    namespace: str
    """Namespace created for Qdrant. Default: `vector-store`."""
    replicas: int
    """Qdrant nodes (distributed mode from 2). Default: 1."""
    volume_size_gib: int
    """Data volume per node. Default: 50."""
    cpu: str
    """CPU request per node. Default: `1`."""
    memory: str
    """Memory request and limit per node. Default: `4Gi`."""
    snapshots: QdrantSnapshotsArgs
    """Store snapshots in S3 instead of the data volume. Default: on the data volume."""
    service_account_name: str
    """Service account of the Qdrant pods (a workload identity may be bound to it); the chart names its
    ServiceAccount, StatefulSet, Service and API-key Secret alike (`fullnameOverride`). Default: `qdrant`."""
    service_account_annotations: Mapping[str, pulumi.Input[str]]
    """Annotations on that service account (IRSA). Default: none."""
    labels: Mapping[str, str]
    """Labels on the namespace and pods (team, cost-center, environment). Default: none."""
    protect: bool
    """Protect the release and its namespace, and retain the namespace when deleted: deleting it would delete the
    claims of the volumes that hold the vectors (production). Default: False."""


class Qdrant(pulumi.ComponentResource):
    """Qdrant from its pinned chart: API key generated into a Secret by the chart (kept across upgrades),
    ClusterIP service only, non-root pods with resource requests, a PodDisruptionBudget from two
    replicas, persistent volumes on the given encrypted StorageClass, and optional S3 snapshots."""

    release: k8s.helm.v3.Release
    endpoint: pulumi.Output[str]
    api_key_secret: dict[str, str]

    def __init__(self, name: str, args: QdrantArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        replicas = args.get("replicas", d.QDRANT_REPLICAS.other)
        size = args.get("volume_size_gib", d.QDRANT_VOLUME_SIZE_GIB)
        check = ArgsChecker(TYPE, name)
        check.require(args.get("storage_class_name") is not None, "storage_class_name", "required")
        check.require(1 <= replicas <= 15, "replicas", f"must be 1 to 15 (got {replicas})")
        check.require(1 <= size <= 16384, "volume_size_gib", f"must be 1 to 16384 (got {size})")
        snapshots = args.get("snapshots")
        if snapshots is not None:
            for key in ("bucket", "region"):
                check.require(bool(snapshots.get(key)), f"snapshots.{key}", "required")
        check.done()

        namespace = args.get("namespace", d.VECTOR_STORE_NAMESPACE)
        self.namespace = namespace
        self.fullname = args.get("service_account_name", d.QDRANT_SERVICE_ACCOUNT)
        labels = dict(args.get("labels") or {})
        protect = bool(args.get("protect", False))
        # Deleting the namespace deletes the data volumes' claims: protected and retained in production.
        ns = k8s.core.v1.Namespace(name, metadata={"name": namespace, "labels": labels},
                                   opts=stateful_opts(self, protect, retain=True))
        memory = args.get("memory", d.QDRANT_MEMORY)
        config: dict[str, Any] = {"cluster": {"enabled": replicas > 1, "p2p": {"port": 6335}}}
        if snapshots is not None:
            config["storage"] = {"snapshots_config": {
                "snapshots_storage": "s3",
                "s3_config": {"bucket": snapshots["bucket"], "region": snapshots["region"]},
            }}
        values: dict[str, Any] = {
            "replicaCount": replicas,
            "image": {"tag": QDRANT_IMAGE_TAG},
            "apiKey": True,
            "service": {"type": "ClusterIP"},
            "persistence": {
                "size": f"{size}Gi",
                "storageClassName": args["storage_class_name"],
                "accessModes": ["ReadWriteOnce"],
            },
            "resources": {"requests": {"cpu": args.get("cpu", "1"), "memory": memory}, "limits": {"memory": memory}},
            "podLabels": {**labels, f"{LABEL_PREFIX}component": "vector-store"},
            # The chart (1.15.4) ignores `serviceAccount.name`: its ServiceAccount, StatefulSet, Service and
            # API-key Secret are all named after the chart's full name, so that is what names the account.
            "fullnameOverride": self.fullname,
            "serviceAccount": {"annotations": dict(args.get("service_account_annotations") or {})},
            "podDisruptionBudget": {"enabled": replicas > 1, "maxUnavailable": 1},
            "config": config,
        }
        self.release = pinned_release(
            name, QDRANT, namespace=ns.metadata.name, values=values,
            opts=stateful_opts(self, protect),
        )
        self.api_key_secret = {"name": f"{self.fullname}-apikey", "key": "api-key", "namespace": namespace}
        self.endpoint = pulumi.Output.concat("http://", self.fullname, ".", ns.metadata.name, ".svc:", str(HTTP_PORT))
        self.register_outputs({"endpoint": self.endpoint, "apiKeySecret": self.api_key_secret})


__all__ = ["Qdrant", "QdrantArgs", "QdrantSnapshotsArgs"]
