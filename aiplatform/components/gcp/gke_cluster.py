"""GkeCluster: a private, hardened GKE Standard cluster with its system node pool and a Kubernetes provider."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from ...catalog import instance_row
from ...catalog.names import NODE_POOL, fit, name_args
from ...config.clouds.gcp import GCP
from .._base import ArgsChecker, child_opts, stateful_opts

_D = GCP.defaults
_REGIONAL, _CHANNEL = _D.regional, _D.release_channel
assert _REGIONAL is not None and _CHANNEL is not None

TYPE = "aiplatform:index:GkeCluster"
#: Since 2024 the one predefined role GKE nodes need (logs, metrics, resource metadata, autoscaling metrics).
NODE_ROLE = "roles/container.defaultNodeServiceAccount"
#: The node scope: access is decided by IAM on the node service account, not by legacy scopes.
NODE_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"]


class SystemPoolArgs(TypedDict, total=False):
    machine_type: str
    """General-purpose machine type. Default: e2-standard-4."""
    min_nodes: int
    """Smallest total node count. Default: 2."""
    max_nodes: int
    """Largest total node count. Default: 4."""
    disk_size_gib: int
    """Boot disk (pd-balanced), GiB. Default: 50."""


class GkeClusterArgs(TypedDict, total=False):
    project: str
    """The project (required)."""
    cluster_name: str
    """GKE cluster name (required)."""
    region: str
    """The region (required)."""
    zones: Sequence[str]
    """Node zones. A regional cluster runs nodes in all; a zonal one lives in the first (required)."""
    regional: bool
    """Regional control plane (three replicas) instead of zonal. Default: True."""
    network: pulumi.Input[str]
    """VPC network (required)."""
    subnetwork: pulumi.Input[str]
    """Subnetwork of the nodes (required)."""
    pods_range_name: pulumi.Input[str]
    """Secondary range for pods (required)."""
    services_range_name: pulumi.Input[str]
    """Secondary range for services (required)."""
    master_cidr: str
    """The /28 of the private control plane (required)."""
    private_endpoint: bool
    """Only a private control-plane endpoint. Default: True."""
    authorized_networks: Sequence[str]
    """CIDRs allowed to reach the control plane. Required when private_endpoint is False; never 0.0.0.0/0."""
    kubernetes_version: str
    """Minimum control-plane version (the release channel upgrades it). Required."""
    release_channel: Literal["RAPID", "REGULAR", "STABLE"]
    """Default: REGULAR."""
    security_group: str
    """Google Groups for RBAC: the gke-security-groups@<domain> group. Default: off."""
    secrets_key_id: pulumi.Input[str]
    """Cloud KMS key for application-layer secrets encryption (required)."""
    system_nodes: SystemPoolArgs
    """The system node pool. Default: see SystemPoolArgs."""
    protect: bool
    """Deletion protection and `protect` on the cluster (production). Default: False."""
    labels: Mapping[str, str]
    """Labels on the cluster and its nodes' VMs. Default: none."""
    managed_dcgm: bool
    """GKE's managed DCGM metrics (GPU utilisation, memory, XID errors of NVIDIA GPUs, collected by Managed
    Prometheus into Cloud Monitoring). Default: False."""


class GkeCluster(pulumi.ComponentResource):
    """A GKE Standard cluster, private and hardened, with a dedicated least-privilege node identity.

    Private nodes; the control plane through a private endpoint or a public one
    limited to authorized networks; Workload Identity; shielded nodes with
    secure boot; Dataplane V2 (network policy enforcement); secrets encrypted
    with a Cloud KMS key; system and workload logs and managed Prometheus; a
    release channel. The default node pool is removed: the system pool (and
    every GPU pool) runs as `node_service_account`, a dedicated account with
    `roles/container.defaultNodeServiceAccount` only, never the Compute Engine
    default account. `provider` deploys to the cluster with
    `gke-gcloud-auth-plugin` (no static credentials).
    """

    provider: k8s.Provider
    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    node_service_account: pulumi.Output[str]
    workload_pool: str
    location: str

    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("project", "cluster_name", "region", "zones", "network", "subnetwork", "pods_range_name",
                    "services_range_name", "master_cidr", "kubernetes_version", "secrets_key_id"):
            check.require(bool(args.get(key)), key, "required")
        private = args.get("private_endpoint", True)
        networks = list(args.get("authorized_networks") or [])
        check.require(private or bool(networks), "authorized_networks", "required with a public endpoint")
        for i, cidr in enumerate(networks):
            check.require(not cidr.endswith("/0"), f"authorized_networks[{i}]",
                          f"{cidr} opens the control plane to the whole internet")
        system = dict(args.get("system_nodes") or {})
        machine = system.get("machine_type", _D.system_instance_type)
        row = instance_row(machine)
        check.require(row is None or row.accelerator is None, "system_nodes.machine_type",
                      f"{machine} is an accelerator type; system nodes are general purpose")
        check.done()

        project = args["project"]
        regional = args.get("regional", _REGIONAL.prod)
        zones = list(args["zones"])
        self.location = args["region"] if regional else zones[0]
        self.workload_pool = f"{project}.svc.id.goog"
        labels = dict(args.get("labels") or {})
        protect = bool(args.get("protect"))

        account_id = _account_id(args["cluster_name"], "nodes")
        self.node_account = gcp.serviceaccount.Account(
            f"{name}-nodes", project=project, account_id=account_id,
            display_name=f"GKE nodes of {args['cluster_name']} (least privilege)", opts=child_opts(self))
        node_role = gcp.projects.IAMMember(
            f"{name}-nodes-role", project=project, role=NODE_ROLE, member=self.node_account.member,
            opts=child_opts(self))
        self.node_service_account = self.node_account.email

        # Private endpoint: only these VPC ranges; public endpoint: only these CIDRs. Never Google's public ranges.
        authorized = gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
            cidr_blocks=[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                cidr_block=c, display_name=f"authorized-{i}") for i, c in enumerate(networks)],
            gcp_public_cidrs_access_enabled=False)

        cluster = gcp.container.Cluster(
            name,
            name=args["cluster_name"],
            project=project,
            location=self.location,
            node_locations=zones if regional else None,
            network=args["network"],
            subnetwork=args["subnetwork"],
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=args["pods_range_name"],
                services_secondary_range_name=args["services_range_name"],
            ),
            remove_default_node_pool=True,
            initial_node_count=1,
            # The default pool lives for minutes before removal; it still never runs as the default account.
            node_config=hardened_node_config(self.node_account.email, labels, 50, default_pool=True),
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=private,
                master_ipv4_cidr_block=args["master_cidr"],
            ),
            master_authorized_networks_config=authorized,
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(workload_pool=self.workload_pool),
            enable_shielded_nodes=True,
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=args.get("release_channel", _CHANNEL.other)),
            min_master_version=args["kubernetes_version"],
            datapath_provider="ADVANCED_DATAPATH",
            database_encryption=gcp.container.ClusterDatabaseEncryptionArgs(
                state="ENCRYPTED", key_name=args["secrets_key_id"]),
            logging_config=gcp.container.ClusterLoggingConfigArgs(enable_components=LOG_COMPONENTS),
            monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
                enable_components=["SYSTEM_COMPONENTS", *(["DCGM"] if args.get("managed_dcgm") else [])],
                managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(enabled=True),
            ),
            addons_config=gcp.container.ClusterAddonsConfigArgs(
                gce_persistent_disk_csi_driver_config=gcp.container.ClusterAddonsConfigGcePersistentDiskCsiDriverConfigArgs(
                    enabled=True),
            ),
            cost_management_config=gcp.container.ClusterCostManagementConfigArgs(enabled=True),
            authenticator_groups_config=gcp.container.ClusterAuthenticatorGroupsConfigArgs(
                security_group=args["security_group"]) if args.get("security_group") else None,
            resource_labels=labels,
            deletion_protection=protect,
            # nodeConfig only shapes the default pool GKE removes; a later edit must never replace the cluster.
            opts=stateful_opts(self, protect, depends_on=[node_role], ignore_changes=["nodeConfig"]),
        )
        self.cluster = cluster

        self.node_zones = zones if regional else [zones[0]]
        self.system_pool = gcp.container.NodePool(
            f"{name}-system",
            **name_args(NODE_POOL, f"{name}-system"),
            project=project,
            cluster=cluster.id,
            location=self.location,
            node_locations=self.node_zones,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                total_min_node_count=system.get("min_nodes", _D.system_min_nodes),
                total_max_node_count=max(system.get("max_nodes", _D.system_max_nodes),
                                         system.get("min_nodes", _D.system_min_nodes)),
                location_policy="BALANCED",
            ),
            initial_node_count=max(1, per_zone(system.get("min_nodes", _D.system_min_nodes), self.node_zones)),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            node_config=hardened_node_config(
                self.node_account.email, labels, system.get("disk_size_gib", _D.system_disk_size_gib),
                machine_type=machine, labels={"aiplatform.io/pool": "system"}),
            opts=child_opts(self, ignore_changes=["initialNodeCount"]),
        )

        ca = cluster.master_auth.apply(lambda m: m.cluster_ca_certificate if m else None)
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, ca).apply(
                lambda a: gke_kubeconfig_json(a[0], a[1], a[2])))
        self.provider = k8s.Provider(name, kubeconfig=self.kubeconfig,
                                     opts=child_opts(self, depends_on=[self.system_pool]))
        self.cluster_name = cluster.name
        self.cluster_id = cluster.id
        self.endpoint = cluster.endpoint
        self.register_outputs({
            "clusterName": self.cluster_name,
            "endpoint": self.endpoint,
            "kubeconfig": self.kubeconfig,
            "nodeServiceAccount": self.node_service_account,
            "workloadPool": self.workload_pool,
        })


def hardened_node_config(account: pulumi.Input[str], resource_labels: Mapping[str, str], disk_gib: int, *,
                         default_pool: bool = False, **extra: Any) -> Any:
    """The node settings every pool shares: the dedicated account with the cloud-platform scope, shielded
    VMs with secure boot, the GKE metadata server, COS with containerd, pd-balanced, no legacy metadata.

    `default_pool` renders the cluster's `nodeConfig` (the default pool GKE creates, then removes) instead
    of a node pool's; `extra` adds pool-specific settings (machine type, accelerators, taints, labels).
    """
    c = gcp.container
    cls, shielded, metadata = (
        (c.ClusterNodeConfigArgs, c.ClusterNodeConfigShieldedInstanceConfigArgs,
         c.ClusterNodeConfigWorkloadMetadataConfigArgs) if default_pool else
        (c.NodePoolNodeConfigArgs, c.NodePoolNodeConfigShieldedInstanceConfigArgs,
         c.NodePoolNodeConfigWorkloadMetadataConfigArgs))
    return cls(
        service_account=account,
        oauth_scopes=NODE_SCOPES,
        disk_type="pd-balanced",
        disk_size_gb=disk_gib,
        image_type="COS_CONTAINERD",
        shielded_instance_config=shielded(enable_secure_boot=True, enable_integrity_monitoring=True),
        workload_metadata_config=metadata(mode="GKE_METADATA"),
        resource_labels=dict(resource_labels),
        metadata={"disable-legacy-endpoints": "true"},
        **extra,
    )


def per_zone(total: int, zones: Sequence[str]) -> int:
    """Nodes per zone for at least `total` nodes in all: GKE sizes a pool at creation per zone."""
    return -(-total // len(zones))


def _account_id(base: str, suffix: str) -> str:
    """A service account id (6-30 characters) from a name and a suffix; the suffix survives shortening."""
    whole = f"{base}-{suffix}"
    if len(whole) <= 30:
        return whole
    return f"{fit(base, 29 - len(suffix))}-{suffix}"


def gke_kubeconfig_json(cluster_name: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig that authenticates with `gke-gcloud-auth-plugin` (no static credentials)."""
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "gke-gcloud-auth-plugin",
            "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            "provideClusterInfo": True,
            "interactiveMode": "Never",
        }
    }
    return json.dumps({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": f"https://{endpoint}",
                                                        "certificate-authority-data": ca_data}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [{"name": cluster_name, "user": user}],
    })


__all__ = ["GkeCluster", "GkeClusterArgs", "SystemPoolArgs", "gke_kubeconfig_json", "hardened_node_config",
           "per_zone"]
