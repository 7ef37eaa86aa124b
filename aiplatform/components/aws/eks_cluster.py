"""EksCluster: a private, encrypted, fully logged EKS control plane with its system nodes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...catalog import aws_instances
from ...catalog.names import NODE_GROUP, ROLE, name_args
from ...catalog.pins import (
    AMI_TYPE_SYSTEM,
    DEFAULT_KUBERNETES_VERSION,
    EKS_ADDONS_BEFORE_COMPUTE,
    SUPPORTED_KUBERNETES_VERSIONS,
    addon_versions,
)
from ...config.clouds.aws import AWS
from .._base import LABEL_PREFIX, ArgsChecker, child_opts, merge_tags, stateful_opts, warn_override
from .access import access_entries, principal_problems
from .iam import managed_policy_arn, service_trust_policy
from .launch_template import node_launch_template

_D = AWS.defaults
_LOG_RETENTION = _D.log_retention_days
assert _LOG_RETENTION is not None

TYPE = "aiplatform:index:EksCluster"

#: Every control-plane log type EKS has.
CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"]
NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"]


class SystemNodeGroupArgs(TypedDict, total=False):
    instance_types: Sequence[str]
    """General-purpose instance types. Default: `["m7i.large"]`."""
    min_size: int
    """Default: 2."""
    max_size: int
    """Default: 4."""
    desired_size: int
    """Node count at creation. Default: `min_size`."""
    disk_size_gib: int
    """Root volume size. Default: 50."""


class EksClusterArgs(TypedDict, total=False):
    cluster_name: str
    """EKS cluster name (required)."""
    region: str
    """AWS region of the cluster, used by the kubeconfig (required)."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the control-plane ENIs and the system nodes (required)."""
    kubernetes_version: str
    """Kubernetes minor version. Default: the pinned default (see `aiplatform.catalog.pins`)."""
    endpoint_public_access: bool
    """Expose the API endpoint publicly. Default: False (private only)."""
    public_access_cidrs: Sequence[str]
    """CIDRs allowed to reach a public endpoint; required when it is public."""
    admin_role_arns: Sequence[str]
    """IAM roles granted cluster admin through access entries. Default: none."""
    system_nodes: SystemNodeGroupArgs
    """The on-demand system node group. Default: 2-4 m7i.large."""
    secrets_kms_key_arn: pulumi.Input[str]
    """Bring your own KMS key for Kubernetes secrets. Default: a key is created (rotation on)."""
    partition: str
    """AWS partition. Default: `aws`."""
    log_retention_days: int
    """Retention of the control-plane log group. Default: 90."""
    protect: bool
    """Protect the cluster, its KMS key and its control-plane (audit) log group, retain the key and the log group
    when deleted, and turn on deletion protection (production). Default: False."""
    tags: Mapping[str, str]
    """Tags on every taggable resource. Default: none."""


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster with: API authentication mode (access entries), secrets encrypted
    with a rotating KMS key, all control-plane log types, a private endpoint unless a
    public allow-list is given, an OIDC provider for workload identity, pinned managed
    add-ons, a small on-demand system node group, and a Kubernetes provider for it.
    """

    cluster: aws.eks.Cluster
    provider: k8s.Provider
    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        version = args.get("kubernetes_version", DEFAULT_KUBERNETES_VERSION)
        system = dict(args.get("system_nodes") or {})
        public = bool(args.get("endpoint_public_access", False))
        cidrs = list(args.get("public_access_cidrs") or [])
        check = ArgsChecker(TYPE, name)
        check.require(bool(args.get("cluster_name")), "cluster_name", "required")
        check.require(bool(args.get("region")), "region", "required")
        check.require(args.get("subnet_ids") is not None, "subnet_ids", "required")
        check.require(version in SUPPORTED_KUBERNETES_VERSIONS, "kubernetes_version",
                      f"unsupported {version!r} (supported: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)})")
        check.require(not public or bool(cidrs), "public_access_cidrs", "required when the endpoint is public")
        check.require(public or not cidrs, "public_access_cidrs", "only used when the endpoint is public")
        for i, itype in enumerate(system.get("instance_types") or []):
            row = aws_instances().get(itype)
            check.require(row is not None, f"system_nodes.instance_types[{i}]", f"unknown instance type {itype!r}")
        low, high = system.get("min_size", _D.system_min_nodes), system.get("max_size", _D.system_max_nodes)
        check.require(1 <= low <= high, "system_nodes.max_size", f"need 1 <= min_size <= max_size ({low}, {high})")
        principal_problems(check, "admin_role_arns", list(args.get("admin_role_arns") or []))
        check.done()
        if public:
            warn_override(TYPE, name, "endpoint_public_access", False, True)

        tags = dict(args.get("tags") or {})
        partition = args.get("partition", "aws")
        protect = bool(args.get("protect", False))
        cluster_name = args["cluster_name"]

        # ---- encryption key for Kubernetes secrets ---------------------------------
        if args.get("secrets_kms_key_arn") is not None:
            self.secrets_key = None
            key_arn: pulumi.Input[str] = args["secrets_kms_key_arn"]
        else:
            self.secrets_key = aws.kms.Key(
                f"{name}-secrets",
                description=f"Kubernetes secrets of EKS cluster {cluster_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=merge_tags(tags, Name=f"{cluster_name}-eks-secrets"),
                opts=stateful_opts(self, protect, retain=True),
            )
            aws.kms.Alias(
                f"{name}-secrets",
                name=f"alias/aiplatform/{cluster_name}/eks-secrets",
                target_key_id=self.secrets_key.key_id,
                opts=child_opts(self),
            )
            key_arn = self.secrets_key.arn

        # ---- control plane ------------------------------------------------------------
        cluster_role = aws.iam.Role(
            f"{name}-cluster",
            **name_args(ROLE, f"{name}-cluster"),
            description=f"EKS control plane of {cluster_name}",
            assume_role_policy=service_trust_policy("eks.amazonaws.com", tag_session=True),
            tags=tags,
            opts=child_opts(self),
        )
        cluster_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-cluster-{policy}",
                role=cluster_role.name,
                policy_arn=managed_policy_arn(partition, policy),
                opts=child_opts(self),
            )
            for policy in CLUSTER_POLICIES
        ]
        # Created before the cluster so EKS does not create it with unlimited retention. The audit trail: in
        # production protected, and retained when deleted (the evidence outlives the cluster).
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane",
            name=f"/aws/eks/{cluster_name}/cluster",
            retention_in_days=args.get("log_retention_days", _LOG_RETENTION.other),
            tags=tags,
            opts=stateful_opts(self, protect, retain=True),
        )
        vpc_config: dict[str, object] = {
            "subnet_ids": args["subnet_ids"],
            "endpoint_private_access": True,
            "endpoint_public_access": public,
        }
        if public:
            vpc_config["public_access_cidrs"] = cidrs
        self.cluster = aws.eks.Cluster(
            name,
            name=cluster_name,
            version=version,
            role_arn=cluster_role.arn,
            vpc_config=vpc_config,
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            encryption_config={"provider": {"key_arn": key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=CONTROL_PLANE_LOG_TYPES,
            bootstrap_self_managed_addons=False,
            upgrade_policy={"support_type": "STANDARD"},
            deletion_protection=protect,
            tags=tags,
            opts=stateful_opts(self, protect, depends_on=[*cluster_attachments, log_group]),
        )
        cluster = self.cluster

        # ---- workload identity --------------------------------------------------------
        issuer_url = cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            name,
            url=issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=tags,
            opts=child_opts(self),
        )
        self.oidc_provider_arn = self.oidc_provider.arn
        self.oidc_issuer = issuer_url.apply(lambda u: u.removeprefix("https://"))

        # ---- add-ons needed before nodes join ------------------------------------------
        versions = addon_versions(version)
        self.addons: dict[str, aws.eks.Addon] = {}
        for addon in EKS_ADDONS_BEFORE_COMPUTE:
            self.addons[addon] = self._addon(name, cluster, addon, versions[addon], tags)

        # ---- system nodes -----------------------------------------------------------------
        self.node_role = aws.iam.Role(
            f"{name}-node",
            **name_args(ROLE, f"{name}-node"),
            description=f"EKS nodes of {cluster_name}",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            tags=tags,
            opts=child_opts(self),
        )
        node_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=self.node_role.name,
                policy_arn=managed_policy_arn(partition, policy),
                opts=child_opts(self),
            )
            for policy in NODE_POLICIES
        ]
        self.node_dependencies: list[pulumi.Resource] = [*node_attachments, *self.addons.values()]
        template = node_launch_template(
            f"{name}-system",
            disk_size_gib=system.get("disk_size_gib", _D.system_disk_size_gib),
            ami_type=AMI_TYPE_SYSTEM,
            tags=tags,
            opts=child_opts(self),
        )
        min_size = system.get("min_size", _D.system_min_nodes)
        self.system_node_group = aws.eks.NodeGroup(
            f"{name}-system",
            **name_args(NODE_GROUP, f"{name}-system"),
            cluster_name=cluster.name,
            node_role_arn=self.node_role.arn,
            subnet_ids=args["subnet_ids"],
            instance_types=list(system.get("instance_types") or [_D.system_instance_type]),
            capacity_type="ON_DEMAND",
            ami_type=AMI_TYPE_SYSTEM,
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            scaling_config={
                "min_size": min_size,
                "max_size": system.get("max_size", _D.system_max_nodes),
                "desired_size": system.get("desired_size", min_size),
            },
            update_config={"max_unavailable": 1},
            labels={f"{LABEL_PREFIX}node-role": "system"},
            tags=tags,
            opts=child_opts(self, depends_on=self.node_dependencies, ignore_changes=["scalingConfig.desiredSize"]),
        )
        self.addons["coredns"] = self._addon(
            name, cluster, "coredns", versions["coredns"], tags, depends_on=[self.system_node_group]
        )

        # ---- admin access, an entry per principal (keyed by its ARN, not its place in the list) --------------
        self.admin_access = access_entries(
            self, f"{name}-admin", cluster.name, list(args.get("admin_role_arns") or []), tags=tags,
            policy_arn=f"arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")

        # ---- Kubernetes provider --------------------------------------------------------
        region = args["region"]
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority.data).apply(
                lambda a: kubeconfig_json(a[0], a[1], a[2], region)
            )
        )
        self.provider = k8s.Provider(
            name,
            kubeconfig=self.kubeconfig,
            opts=child_opts(self, depends_on=[self.system_node_group]),
        )
        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.node_role_arn = self.node_role.arn
        #: The security group EKS attaches to the control plane and managed nodes (so to pods).
        self.cluster_security_group_id = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id)
        self.secrets_kms_key_arn = pulumi.Output.from_input(key_arn)
        self.register_outputs({
            "clusterName": self.cluster_name,
            "endpoint": self.endpoint,
            "kubeconfig": self.kubeconfig,
            "oidcProviderArn": self.oidc_provider_arn,
            "oidcIssuer": self.oidc_issuer,
            "nodeRoleArn": self.node_role_arn,
        })

    def _addon(
        self,
        name: str,
        cluster: aws.eks.Cluster,
        addon: str,
        version: str,
        tags: Mapping[str, str],
        depends_on: list[pulumi.Resource] | None = None,
    ) -> aws.eks.Addon:
        return managed_addon(f"{name}-{addon}", cluster.name, addon, version, tags,
                             child_opts(self, depends_on=depends_on))


def managed_addon(resource_name: str, cluster_name: pulumi.Input[str], addon: str, version: str,
                  tags: Mapping[str, str], opts: pulumi.ResourceOptions, **extra: object) -> aws.eks.Addon:
    """An EKS managed add-on at a pinned version; the add-on's own config wins over edits in the cluster."""
    return aws.eks.Addon(
        resource_name,
        cluster_name=cluster_name,
        addon_name=addon,
        addon_version=version,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        tags=dict(tags),
        opts=opts,
        **extra,
    )


def kubeconfig_json(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (no static credentials)."""
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"],
            "interactiveMode": "Never",
        }
    }
    return json.dumps({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [{"name": cluster_name, "user": user}],
    })


__all__ = ["EksCluster", "EksClusterArgs", "SystemNodeGroupArgs", "kubeconfig_json", "managed_addon"]
