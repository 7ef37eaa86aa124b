"""WorkloadIdentity: a Google service account only one Kubernetes service account can act as, with narrow grants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from ...catalog.names import SERVICE_ACCOUNT, fitted
from .._base import ArgsChecker, child_opts

TYPE = "aiplatform:index:WorkloadIdentity"
#: The annotation that binds a Kubernetes ServiceAccount to a Google service account.
GSA_ANNOTATION = "iam.gke.io/gcp-service-account"
#: The one role on the Google service account: impersonation by exactly one Kubernetes identity.
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"

GcpGrantKind = Literal["models-read", "models-write", "images-pull", "images-push"]
#: Each grant kind, on which resource, as the narrowest predefined role (the AWS grant vocabulary).
GRANT_ROLES: dict[str, tuple[str, str]] = {
    "models-read": ("bucket", "roles/storage.objectViewer"),
    "models-write": ("bucket", "roles/storage.objectUser"),
    "images-pull": ("repository", "roles/artifactregistry.reader"),
    "images-push": ("repository", "roles/artifactregistry.writer"),
}
#: Basic roles: never granted by the platform (rule aip-gcp-iam-no-primitive-roles).
PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})


class GcpGrantArgs(TypedDict, total=False):
    """One permission of a workload on one resource."""

    kind: GcpGrantKind
    """models-read, models-write (a bucket) or images-pull, images-push (a repository). Required."""
    bucket: pulumi.Input[str]
    """The bucket name (models-*)."""
    prefix: str
    """Only objects under this prefix, e.g. teams/search/ (models-*, IAM condition). Default: the whole bucket."""
    repository: pulumi.Input[str]
    """The Artifact Registry repository id (images-*)."""
    location: str
    """The repository's location (images-*)."""


class WorkloadIdentityArgs(TypedDict, total=False):
    project: str
    """The project (required)."""
    namespace: str
    """Namespace of the Kubernetes service account (required; must exist)."""
    service_account: str
    """Name of the Kubernetes service account (required)."""
    account_id: str
    """Google service account id (6-30 characters). Default: derived from the component name."""
    grants: Sequence[GcpGrantArgs]
    """What the workload may do, as resource-level bindings. Default: nothing."""
    create_service_account: bool
    """Create the annotated Kubernetes ServiceAccount; False when a chart creates it. Default: True."""
    labels: Mapping[str, str]
    """Labels on the Kubernetes ServiceAccount. Default: none."""
    description: str
    """Display name of the Google service account. Default: the workload it serves."""


def grant_problems(grants: Sequence[Mapping[str, Any]], path: str = "grants") -> list[tuple[str, str]]:
    found = []
    for i, grant in enumerate(grants):
        where = f"{path}[{i}]"
        kind = grant.get("kind")
        if kind not in GRANT_ROLES:
            found.append((f"{where}.kind", f"unknown grant kind {kind!r} (one of: {', '.join(GRANT_ROLES)})"))
            continue
        target = GRANT_ROLES[kind][0]
        required = ("bucket",) if target == "bucket" else ("repository", "location")
        found += [(f"{where}.{f}", f"required for {kind}") for f in required if not grant.get(f)]
        other = ("repository", "location") if target == "bucket" else ("bucket", "prefix")
        found += [(f"{where}.{f}", f"does not apply to {kind}") for f in other if grant.get(f) is not None]
        prefix = grant.get("prefix")
        if prefix is not None and (not prefix.endswith("/") or prefix.startswith("/") or '"' in prefix):
            found.append((f"{where}.prefix", f"{prefix!r}: a relative path ending in '/', without quotes"))
    return found


def prefix_condition(bucket: str, prefix: str) -> dict[str, str]:
    """An IAM condition limiting object access, and listing, to one prefix of one bucket."""
    return {
        "title": f"only {prefix}",
        "description": f"Objects under gs://{bucket}/{prefix} only",
        "expression": (f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{prefix}") || '
                       f'(resource.type == "storage.googleapis.com/Bucket" && '
                       f'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("{prefix}"))'),
    }


class WorkloadIdentity(pulumi.ComponentResource):
    """GKE Workload Identity for one workload: a dedicated Google service account, impersonable only by
    `<project>.svc.id.goog[<namespace>/<service account>]`, with resource-level bindings on the bucket or
    repository it uses (the narrowest predefined role, never a basic role, never project-wide), and
    the annotated Kubernetes ServiceAccount."""

    account: gcp.serviceaccount.Account
    email: pulumi.Output[str]
    member: pulumi.Output[str]
    namespace: str
    service_account_name: str
    service_account_annotations: dict[str, pulumi.Output[str]]
    service_account: k8s.core.v1.ServiceAccount | None

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("project", "namespace", "service_account"):
            check.require(bool(args.get(key)), key, "required")
        grants = list(args.get("grants") or [])
        for path, reason in grant_problems(grants):
            check.add(path, reason)
        account_id = args.get("account_id") or account_id_of(name)
        check.require(6 <= len(account_id) <= 30, "account_id", f"{account_id!r}: 6 to 30 characters")
        check.done()

        project, namespace, ksa = args["project"], args["namespace"], args["service_account"]
        self.namespace, self.service_account_name = namespace, ksa
        self.account = gcp.serviceaccount.Account(
            name, project=project, account_id=account_id,
            display_name=(args.get("description") or f"Workload {namespace}/{ksa}")[:100], opts=child_opts(self))
        self.email, self.member = self.account.email, self.account.member
        self.principal = f"serviceAccount:{project}.svc.id.goog[{namespace}/{ksa}]"
        gcp.serviceaccount.IAMMember(
            f"{name}-workload-identity", service_account_id=self.account.name, role=WORKLOAD_IDENTITY_USER,
            member=self.principal, opts=child_opts(self))

        for i, grant in enumerate(grants):
            target, role = GRANT_ROLES[grant["kind"]]
            child = f"{name}-{grant['kind']}-{i}"
            if target == "bucket":
                condition = None
                if grant.get("prefix"):
                    condition = pulumi.Output.from_input(grant["bucket"]).apply(
                        lambda b, p=grant["prefix"]: prefix_condition(b, p))
                gcp.storage.BucketIAMMember(child, bucket=grant["bucket"], role=role, member=self.member,
                                            condition=condition, opts=child_opts(self))
            else:
                gcp.artifactregistry.RepositoryIamMember(
                    child, project=project, location=grant["location"], repository=grant["repository"], role=role,
                    member=self.member, opts=child_opts(self))

        self.service_account_annotations = {GSA_ANNOTATION: self.email}
        self.service_account = None
        if args.get("create_service_account", True):
            self.service_account = k8s.core.v1.ServiceAccount(
                name,
                metadata={
                    "name": ksa,
                    "namespace": namespace,
                    "labels": {**dict(args.get("labels") or {}), "app.kubernetes.io/managed-by": "aiplatform"},
                    "annotations": self.service_account_annotations,
                },
                automount_service_account_token=True,
                opts=child_opts(self, depends_on=opts.depends_on if opts else None),
            )
        self.register_outputs({"email": self.email, "namespace": namespace, "serviceAccount": ksa})


def account_id_of(name: str) -> str:
    """A service account id from a name: 6-30 characters, a letter first, no trailing '-'.

    A name over 30 characters keeps its head and ends in a hash of the whole name, so two
    long names that share their first 30 characters get two accounts.
    """
    clean = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    if clean and not clean[0].isalpha():
        clean = f"sa-{clean}"
    head = fitted(SERVICE_ACCOUNT, clean).rstrip("-")
    return head if len(head) >= 6 else f"{head}-wi-id"


__all__ = ["GRANT_ROLES", "GSA_ANNOTATION", "GcpGrantArgs", "WorkloadIdentity", "WorkloadIdentityArgs",
           "grant_problems", "prefix_condition"]
