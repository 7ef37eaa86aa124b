"""AmpWorkspace: an Amazon Managed Service for Prometheus workspace, encrypted with the platform key, and the
workload role through which the in-cluster Prometheus remote-writes into it (SigV4, `aps:RemoteWrite` on this
workspace only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from .._base import ArgsChecker, child_opts, stateful_opts
from .workload_role import ClusterIdentityArgs, WorkloadRole, workload_role_args

TYPE = "aiplatform:index:AmpWorkspace"
#: The workspace's remote-write path below its `prometheusEndpoint` (which ends with `/`).
REMOTE_WRITE_PATH = "api/v1/remote_write"


class AmpWorkspaceArgs(TypedDict, total=False):
    alias: str
    """The workspace alias (required)."""
    kms_key_arn: pulumi.Input[str]
    """The customer managed key the workspace's data is encrypted with (required)."""
    region: str
    """The workspace's region: the SigV4 signing region of remote write (required)."""
    identity: ClusterIdentityArgs
    """How the cluster's workloads get AWS credentials (required)."""
    namespace: str
    """Namespace of the Prometheus service account (required)."""
    service_account: str
    """The Prometheus service account, created by the chart (required)."""
    protect: bool
    """Protect the workspace and retain it on delete (its samples are not recoverable). Default: False."""
    tags: Mapping[str, str]
    """Tags on the workspace and the role. Default: none."""


class AmpWorkspace(pulumi.ComponentResource):
    """The workspace (`prometheus_endpoint`, `remote_write_url`) and the writer's role
    (`service_account_annotations`: the IRSA annotation, empty under Pod Identity)."""

    workspace: aws.amp.Workspace
    writer: WorkloadRole
    remote_write_url: pulumi.Output[str]
    region: str

    def __init__(self, name: str, args: AmpWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("alias", "kms_key_arn", "region", "identity", "namespace", "service_account"):
            check.require(args.get(key) is not None and args.get(key) != "", key, "required")
        check.done()
        tags = dict(args.get("tags") or {})
        self.region = args["region"]
        self.workspace = aws.amp.Workspace(
            f"{name}-metrics", alias=args["alias"], kms_key_arn=args["kms_key_arn"], tags=tags,
            opts=stateful_opts(self, bool(args.get("protect", False)), retain=True))
        self.remote_write_url = self.workspace.prometheus_endpoint.apply(
            lambda endpoint: endpoint.rstrip("/") + "/" + REMOTE_WRITE_PATH)
        self.writer = WorkloadRole(f"{name}-metrics-writer", workload_role_args(
            dict(args["identity"]), args["namespace"], args["service_account"],
            [{"kind": "metrics-write", "workspace_arn": self.workspace.arn}],  # type: ignore[typeddict-item]
            create_service_account=False, tags=tags, description="Prometheus remote write to Amazon Managed Prometheus",
        ), child_opts(self))
        self.service_account_annotations = self.writer.service_account_annotations
        self.register_outputs({"workspaceArn": self.workspace.arn, "remoteWriteUrl": self.remote_write_url})


__all__ = ["REMOTE_WRITE_PATH", "AmpWorkspace", "AmpWorkspaceArgs"]
