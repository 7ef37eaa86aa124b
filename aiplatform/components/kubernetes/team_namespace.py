"""TeamNamespace: one product team's isolated, budgeted slice of the platform's cluster.

Cloud-free: the team's cloud identity is an input (`TeamIdentity`), built by the
cloud (`components/aws/team_identity.py`, `components/gcp/team_identity.py`) and
created by the namespace as its own children.

Hosted by the component package (`components/`) for every Pulumi language, so
this module keeps its annotations evaluated (no `from __future__ import
annotations`): `pulumi.provider.experimental` infers the schema from them.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Required, TypedDict, runtime_checkable

import pulumi
import pulumi_kubernetes as k8s

from ...config import defaults as d
from ...labels import ACCELERATORS_ANNOTATION, BUDGET_ANNOTATION, TEAM_LABEL, is_quantity
from .._base import ArgsChecker, child_opts, stateful_opts
from .llm_gateway import ACCESS_LABEL

TYPE = "aiplatform:index:TeamNamespace"
#: Where a team's models live in the platform's model registry.
REGISTRY_PREFIX = "teams/{team}/"
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
#: Private ranges: HTTPS egress to the cloud's APIs never opens these (other tenants, the node network).
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10")

#: What a team's members may do in their namespace: explicit verbs on explicit resources, nothing
#: cluster-wide, no RBAC, quota or network-policy writes (those are the platform's).
TEAM_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["pods", "pods/log", "events", "resourcequotas", "limitranges"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["services", "configmaps", "secrets", "persistentvolumeclaims"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["gateway.envoyproxy.io"], "resources": ["securitypolicies", "backendtrafficpolicies"],
     "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
    {"apiGroups": ["kueue.x-k8s.io"], "resources": ["localqueues", "workloads"], "verbs": ["get", "list", "watch"]},
]


@dataclass(frozen=True)
class TeamSlot:
    """Where a team identity is created: the namespace it serves, and the TeamNamespace as parent."""

    parent: pulumi.Resource
    """The TeamNamespace: the identity's resources are its children."""
    name: str
    """The TeamNamespace's name: the identity's resources derive theirs from it."""
    team: str
    namespace: str
    service_account: str
    members_group: str
    labels: Mapping[str, str]
    tags: Mapping[str, str]
    """The TeamNamespace's `tags` (for cloud resources)."""
    after: Sequence[pulumi.Resource]
    """Resources the identity's workload binding must wait for (the namespace)."""
    protect: bool = False
    """Protect the identity (production): team stacks run as it, and its ARN or email is in their config."""


@dataclass(frozen=True)
class TeamIdentityOutputs:
    """What a created team identity gives the namespace."""

    resource: pulumi.Resource
    """The identity (a `WorkloadRole`, a `WorkloadIdentity`)."""
    role_arn: pulumi.Output[str]
    """The IAM role of the workload service account (AWS), or empty."""
    google_service_account: pulumi.Output[str]
    """The Google service account of the workload service account (GCP), or empty."""


@runtime_checkable
class TeamIdentity(Protocol):
    """A team's cloud identity, built by a cloud (`aiplatform.components.aws.team_identity`,
    `aiplatform.components.gcp.team_identity`); `TeamNamespace` validates it with its other args, opens
    the egress its credentials need and creates it, as its own children, with the workload service account."""

    def problems(self, check: ArgsChecker) -> None:
        """Add the identity's problems to `check` (paths under `identity.`)."""
        ...

    def egress(self) -> list[dict[str, Any]]:
        """NetworkPolicy egress rules the credentials need besides HTTPS to the cloud's APIs."""
        ...

    def create(self, slot: TeamSlot) -> TeamIdentityOutputs:
        """Create the identity and the workload service account for `slot`."""
        ...


class TeamIdentityArgs(TypedDict, total=False):
    """The team's cloud identity (AWS: an IAM role; GCP: a Workload Identity service account) and what it may reach."""

    cloud: Required[str]
    """`aws` or `gcp` (required)."""
    cluster_name: pulumi.Input[str]
    """AWS: the EKS cluster (required there)."""
    project: str
    """GCP: the project of the team's service account (required there)."""
    registry_bucket: pulumi.Input[str]
    """GCP: the platform's model bucket name: the team reads only its prefix `teams/<team>/`. Default: no access."""
    repository_id: pulumi.Input[str]
    """GCP: the platform's Artifact Registry repository (pull only), in `region`. Default: no access."""
    mode: str
    """`pod-identity` or `irsa`. Default: pod-identity."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (irsa only)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's OIDC issuer (irsa only)."""
    region: str
    """Region of the registry (AWS: for the key's `kms:ViaService` condition; GCP: of the repository)."""
    registry_bucket_arn: pulumi.Input[str]
    """The platform's model bucket: the team reads only its prefix `teams/<team>/`. Default: no access."""
    registry_kms_key_arn: pulumi.Input[str]
    """The key of the model bucket. Default: none."""
    repository_arn: pulumi.Input[str]
    """The platform's serving image repository (pull only). Default: no access."""
    vector_collection_arn: pulumi.Input[str]
    """The OpenSearch Serverless collection (the platform scopes the team to its own indexes). Default: none."""
    member_role_arns: Sequence[str]
    """IAM roles of the team's people or pipelines, mapped to `members_group` by EKS access entries.
    Default: none (map the group in your identity provider instead)."""


class TeamNamespaceArgs(TypedDict, total=False):
    team: Required[str]
    """Team name, a DNS label (required)."""
    namespace: str
    """Namespace name. Default: the team name."""
    gpus: Required[int]
    """Accelerators the team's pods may request at once, summed over the namespace (required; 0 allowed)."""
    borrowing_limit: int
    """Accelerators the team may borrow in its Kueue cohort; the quota caps `gpus + borrowing_limit`. Default: 0."""
    accelerator_resources: Sequence[str]
    """Extended resources the GPU quota caps. Default: `nvidia.com/gpu`."""
    cpu: str
    """CPU requests the namespace may hold, a Kubernetes quantity. Default: `32`."""
    memory: str
    """Memory requests the namespace may hold. Default: `128Gi`."""
    pods: int
    """Pods the namespace may hold. Default: 50."""
    persistent_volume_claims: int
    """PersistentVolumeClaims the namespace may hold. Default: 10."""
    storage: str
    """Storage the namespace's claims may request. Default: `500Gi`."""
    members_group: Required[str]
    """Kubernetes group of the team's people; bound to the team Role (required)."""
    monthly_budget_usd: float
    """Monthly budget of the team's GPUs, checked by rule aip-cost-team-budget. Default: none."""
    accelerators: Sequence[str]
    """Accelerator models the team may use (e.g. `L4`); the budget rule prices the dearest. Default: any."""
    service_account: str
    """The team's workload service account. Default: `workloads`."""
    gateway_namespace: str
    """Namespace of the platform gateway: admitted in, and the namespace is labelled for routes. Default: none."""
    autoscaler_namespace: str
    """Namespace of KEDA's HTTP add-on, whose interceptor forwards requests in. Default: none."""
    vector_store_namespace: str
    """Namespace of an in-cluster vector store the team may reach. Default: none."""
    vector_store_ports: Sequence[int]
    """Its ports. Default: 6333 and 6334 (Qdrant HTTP and gRPC)."""
    https_egress_cidrs: Sequence[str]
    """Where pods may open HTTPS (cloud APIs: object storage, STS, image registry). Default: `0.0.0.0/0`
    without the private ranges."""
    identity: TeamIdentityArgs
    """The team's cloud identity. Default: none (a plain service account)."""
    labels: Mapping[str, str]
    """Labels on every object: team, cost-center, environment. Default: none."""
    tags: Mapping[str, str]
    """Tags on cloud resources (the IAM role). Default: none."""
    protect: bool
    """Protect the namespace (retained when deleted: it holds what the team's stacks deploy, their claims and
    secrets) and the team's identity (production). Default: False."""


def quota_hard(args: Mapping[str, Any]) -> dict[str, str]:
    """The `ResourceQuota.spec.hard` of a team."""
    hard = {
        "requests.cpu": str(args.get("cpu", d.TEAM_CPU)),
        "requests.memory": str(args.get("memory", d.TEAM_MEMORY)),
        "limits.memory": str(args.get("memory", d.TEAM_MEMORY)),
        "pods": str(args.get("pods", d.TEAM_PODS)),
        "persistentvolumeclaims": str(args.get("persistent_volume_claims", d.TEAM_PERSISTENT_VOLUME_CLAIMS)),
        "requests.storage": str(args.get("storage", d.TEAM_STORAGE)),
    }
    for resource in args.get("accelerator_resources") or ["nvidia.com/gpu"]:  # the ceiling: nominal + borrowing
        hard[f"requests.{resource}"] = str(args.get("gpus", 0) + args.get("borrowing_limit", 0))
    return hard


def team_problems(check: ArgsChecker, args: Mapping[str, Any]) -> None:
    team = args.get("team")
    check.require(isinstance(team, str) and bool(_DNS_LABEL.match(team)), "team", "required: a DNS label (a-z, 0-9, -)")
    namespace = args.get("namespace")
    check.require(namespace is None or bool(_DNS_LABEL.match(str(namespace))), "namespace", "must be a DNS label")
    gpus = args.get("gpus")
    check.require(isinstance(gpus, int) and not isinstance(gpus, bool) and 0 <= gpus <= 4096, "gpus",
                  f"required: 0 to 4096 accelerators (got {gpus!r})")
    borrow = args.get("borrowing_limit", 0)
    check.require(isinstance(borrow, int) and not isinstance(borrow, bool) and 0 <= borrow <= 4096,
                  "borrowing_limit", f"must be 0 to 4096 accelerators (got {borrow!r})")
    for key in ("cpu", "memory", "storage"):
        value = args.get(key)
        check.require(value is None or is_quantity(value), key,
                      f"not a Kubernetes quantity: {value!r}")
    for key, path in (("pods", "pods"), ("persistent_volume_claims", "persistent_volume_claims")):
        value = args.get(key)
        check.require(value is None or (isinstance(value, int) and value >= 0), path, f"must be >= 0 (got {value!r})")
    check.require(bool(args.get("members_group")), "members_group", "required: the Kubernetes group of the team")
    budget = args.get("monthly_budget_usd")
    check.require(budget is None or (isinstance(budget, (int, float)) and budget >= 0), "monthly_budget_usd",
                  f"must be >= 0 (got {budget!r})")
    for i, port in enumerate(args.get("vector_store_ports") or []):
        check.require(isinstance(port, int) and 1 <= port <= 65535, f"vector_store_ports[{i}]", "must be 1 to 65535")
    identity = args.get("identity")
    if isinstance(identity, TeamIdentity):
        identity.problems(check)
    elif identity is not None:
        check.add("identity", "a TeamIdentity from aiplatform.components.aws.team_identity or "
                              "aiplatform.components.gcp.team_identity (as data only through the component package)")


def _namespace_named(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def network_policies(args: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Default deny, then the explicit allows: the namespace itself, the gateway in, DNS, the vector
    store and HTTPS to the cloud's APIs out (`spec` per policy name)."""
    everything: dict[str, Any] = {}
    policies: dict[str, dict[str, Any]] = {
        "default-deny": {"podSelector": everything, "policyTypes": ["Ingress", "Egress"]},
        "allow-same-namespace": {
            "podSelector": everything, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": everything}]}],
            "egress": [{"to": [{"podSelector": everything}]}],
        },
        "allow-dns": {
            "podSelector": everything, "policyTypes": ["Egress"],
            "egress": [{
                "to": [{**_namespace_named("kube-system"), "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            }],
        },
    }
    cidrs = list(args.get("https_egress_cidrs") or ["0.0.0.0/0"])
    https_to = [{"ipBlock": {"cidr": c, **({"except": list(PRIVATE_RANGES)} if c == "0.0.0.0/0" else {})}}
                for c in cidrs]
    egress: list[dict[str, Any]] = [{"to": https_to, "ports": [{"protocol": "TCP", "port": 443}]}]
    identity = args.get("identity")
    if isinstance(identity, TeamIdentity):
        egress += identity.egress()
    policies["allow-cloud-apis"] = {"podSelector": everything, "policyTypes": ["Egress"], "egress": egress}
    if args.get("gateway_namespace"):
        policies["allow-from-gateway"] = {
            "podSelector": everything, "policyTypes": ["Ingress"],
            "ingress": [{"from": [_namespace_named(args["gateway_namespace"])]}],
        }
    if args.get("autoscaler_namespace"):
        policies["allow-from-autoscaler"] = {"podSelector": everything, "policyTypes": ["Ingress"],
                                             "ingress": [{"from": [_namespace_named(args["autoscaler_namespace"])]}]}
    if args.get("vector_store_namespace"):
        policies["allow-vector-store"] = {
            "podSelector": everything, "policyTypes": ["Egress"],
            "egress": [{
                "to": [_namespace_named(args["vector_store_namespace"])],
                "ports": [{"protocol": "TCP", "port": p} for p in (args.get("vector_store_ports") or [6333, 6334])],
            }],
        }
    return policies


class TeamNamespace(pulumi.ComponentResource):
    """A team's namespace with a GPU, CPU, memory and storage quota, default limits, default-deny network
    policies with explicit allows, a namespaced Role for the team's group (no wildcards), and the team's
    workload service account with a cloud identity limited to the team's registry prefix, vector indexes
    and image pulls.

    In Python, `identity` is a `TeamIdentity` built by the cloud (`AwsTeamIdentity`, `GcpTeamIdentity` in
    `aiplatform.components.{aws,gcp}.team_identity`); the component package's `TeamNamespace` (any
    language) takes it as data (`TeamIdentityArgs`) and builds it."""

    namespace: pulumi.Output[str]
    """The team's namespace."""
    service_account_name: pulumi.Output[str]
    """The team's workload service account."""
    role_arn: pulumi.Output[str]
    """The IAM role of the service account (AWS), or empty."""
    gpu_quota: pulumi.Output[int]
    """Accelerators the namespace may request."""
    registry_prefix: pulumi.Output[str]
    """The team's prefix in the model registry."""

    def __init__(self, name: str, args: TeamNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        team_problems(check, args)
        check.done()

        team = args["team"]
        namespace = args.get("namespace") or team
        account = args.get("service_account") or "workloads"
        labels = {**dict(args.get("labels") or {}), "team": team, TEAM_LABEL: team,
                  "app.kubernetes.io/managed-by": "aiplatform"}
        ns_labels = {**labels,
                     "pod-security.kubernetes.io/enforce": "baseline",
                     "pod-security.kubernetes.io/warn": "restricted"}
        if args.get("gateway_namespace"):
            ns_labels[ACCESS_LABEL] = "true"
        annotations: dict[str, str] = {}
        if args.get("monthly_budget_usd") is not None:
            annotations[BUDGET_ANNOTATION] = f"{float(args['monthly_budget_usd']):g}"
        if args.get("accelerators"):
            annotations[ACCELERATORS_ANNOTATION] = ",".join(args["accelerators"])
        protect = bool(args.get("protect", False))
        self.ns = k8s.core.v1.Namespace(
            name, metadata={"name": namespace, "labels": ns_labels, "annotations": annotations},
            opts=stateful_opts(self, protect, retain=True),
        )
        in_ns = child_opts(self, depends_on=[self.ns])
        meta = {"namespace": namespace, "labels": labels}
        self.quota = k8s.core.v1.ResourceQuota(
            f"{name}-quota", metadata={"name": "team-quota", **meta}, spec={"hard": quota_hard(args)}, opts=in_ns,
        )
        self.limit_range = k8s.core.v1.LimitRange(
            f"{name}-limits", metadata={"name": "team-defaults", **meta},
            spec={"limits": [{
                "type": "Container",
                "defaultRequest": {"cpu": "250m", "memory": "512Mi"},
                "default": {"cpu": "1", "memory": "2Gi"},
            }]},
            opts=in_ns,
        )
        self.network_policies = {
            policy: k8s.networking.v1.NetworkPolicy(
                f"{name}-{policy}", metadata={"name": policy, **meta}, spec=spec, opts=in_ns)
            for policy, spec in network_policies(args).items()
        }
        self.role = k8s.rbac.v1.Role(f"{name}-members", metadata={"name": "team-members", **meta},
                                     rules=TEAM_RULES, opts=in_ns)
        self.role_binding = k8s.rbac.v1.RoleBinding(
            f"{name}-members", metadata={"name": "team-members", **meta},
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "team-members"},
            subjects=[{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": args["members_group"]}],
            opts=child_opts(self, depends_on=[self.role]),
        )

        identity = args.get("identity")
        if identity is not None:
            made = identity.create(TeamSlot(  # type: ignore[attr-defined]
                parent=self, name=name, team=team, namespace=namespace, service_account=account,
                members_group=args["members_group"], labels=labels, tags=dict(args.get("tags") or {}),
                after=[self.ns], protect=protect))
            self.workload_identity = made.resource
            self.role_arn, self.google_service_account = made.role_arn, made.google_service_account
        else:
            k8s.core.v1.ServiceAccount(f"{name}-workloads", metadata={"name": account, **meta}, opts=in_ns)
            self.workload_identity = None
            self.role_arn = pulumi.Output.from_input("")
            self.google_service_account = pulumi.Output.from_input("")
        self.namespace = self.ns.metadata.apply(lambda m: m["name"])
        self.service_account_name = pulumi.Output.from_input(account)
        self.gpu_quota = pulumi.Output.from_input(args["gpus"])
        self.registry_prefix = pulumi.Output.from_input(REGISTRY_PREFIX.format(team=team))
        self.register_outputs({
            "namespace": self.namespace,
            "serviceAccountName": self.service_account_name,
            "roleArn": self.role_arn,
            "googleServiceAccount": self.google_service_account,
            "gpuQuota": self.gpu_quota,
            "registryPrefix": self.registry_prefix,
        })

__all__ = ["TeamIdentity", "TeamIdentityArgs", "TeamIdentityOutputs", "TeamNamespace", "TeamNamespaceArgs", "TeamSlot",
           "network_policies", "quota_hard"]
