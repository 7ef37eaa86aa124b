"""The GCP half of `AiPlatform`: network, Cloud KMS, GKE, GPU pools, registry and vector store on Google Cloud.

Wiring only, like the facade itself (DESIGN.md convention 12); the cloud-free half (gateway, teams,
outputs) is the facade's.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from ..components._base import LABEL_PREFIX, child_opts, cost_labels
from ..components._chunk import pools_of_run
from ..components.gcp import CloudKmsKey, GcpNetwork, GcsModelRegistry, GkeCluster, GkeGpuNodePool, PdStorageClass
from ..components.gcp.gke_gpu_node_pool import GkeGpuNodePoolArgs
from ..components.gcp.team_identity import GcpTeamIdentity
from ..components.kubernetes import Qdrant
from ..components.kubernetes.llm_gateway import ACCESS_LABEL
from ..config import GpuPool, PlatformConfig, TeamConfig
from .builder import CloudPlatform, given_provider

#: Keys of the platform's key ring, and the Google service agents that encrypt with each.
KEY_AGENTS = {"secrets": ["container"], "data": ["storage", "artifactregistry", "compute"]}
#: Service annotations of the gateway's load balancer: GKE's internal passthrough load balancer, or the
#: default external one.
LOAD_BALANCER_ANNOTATIONS: dict[str, dict[str, str]] = {
    "internal": {"networking.gke.io/load-balancer-type": "Internal"},
    "internet-facing": {},
}


def build(platform: pulumi.ComponentResource, name: str, config: PlatformConfig,
          opts: pulumi.ResourceOptions | None) -> CloudPlatform:
    """Create the GCP resources of `platform` (an explicit provider for the config's project and region
    unless `opts` brings one)."""
    assert config.project is not None and config.project_number is not None  # the config requires both on GCP
    provider = given_provider(opts, "gcp") or gcp.Provider(
        name, project=config.project, region=config.region, opts=child_opts(platform))
    gcp_opts = child_opts(platform, providers={"gcp": provider})
    labels = config.resource_tags
    protect = config.protect_stateful
    project, region = config.project, config.region

    net = config.network
    if net.creates_vpc:
        network_args = {"cidr": str(net.cidr), "pods_cidr": str(net.pods_cidr_resolved),
                        "services_cidr": str(net.services_cidr_resolved)}
    else:
        network_args = {k: getattr(net, k) for k in ("network_name", "subnetwork_name", "pods_range_name",
                                                     "services_range_name")}
    network = GcpNetwork(name, {"project": project, "region": region, **network_args}, gcp_opts)

    data_key = CloudKmsKey(f"{name}-keys", {
        "project": project, "project_number": config.project_number, "location": region,
        "key_ring_name": f"{config.name}-platform", "keys": list(KEY_AGENTS), "service_agents": KEY_AGENTS,
        "protect": protect, "labels": labels,
    }, gcp_opts)

    endpoint = config.cluster.endpoint
    if endpoint.public:
        authorized = [str(c) for c in endpoint.public_cidrs]
    else:  # private endpoint: reachable from the node subnetwork (a bastion or a peered VPN there)
        authorized = [str(net.cidr)] if net.cidr is not None else []
    system = config.cluster.system_nodes
    cluster = GkeCluster(name, {
        "project": project,
        "cluster_name": config.name,
        "region": region,
        "zones": config.availability_zones,
        "regional": config.regional,
        "network": network.network,
        "subnetwork": network.subnetwork,
        "pods_range_name": network.pods_range_name,
        "services_range_name": network.services_range_name,
        "master_cidr": str(net.master_cidr_resolved),
        "private_endpoint": not endpoint.public,
        "authorized_networks": authorized,
        "kubernetes_version": config.cluster.kubernetes_version,
        "release_channel": config.release_channel,
        "secrets_key_id": data_key.key_ids["secrets"],
        **({"security_group": config.cluster.security_group} if config.cluster.security_group else {}),
        "system_nodes": {"machine_type": config.system_instance_types[0], "min_nodes": system.min_nodes,
                         "max_nodes": system.max_nodes, "disk_size_gib": system.disk_size_gib},
        "managed_dcgm": config.gpu_metrics == "managed",
        "protect": protect,
        "labels": labels,
    }, pulumi.ResourceOptions.merge(gcp_opts, pulumi.ResourceOptions(depends_on=[data_key])))

    pool_zones = config.pool_zones

    def pool_args(pool: GpuPool) -> GkeGpuNodePoolArgs:
        return {
            "project": project,
            "cluster": cluster.cluster_id,
            "location": cluster.location,
            "node_locations": pool_zones[pool.name],
            "node_service_account": cluster.node_service_account,
            "pool_name": pool.name,
            "machine_type": pool.instance_types[0],
            "allow_unlisted_machine_type": pool.allow_unlisted_instance_types,
            "capacity_type": pool.capacity_type,  # type: ignore[typeddict-item]
            **({"reservation_name": pool.reservation_name} if pool.reservation_name else {}),
            "min_size": pool.min_nodes,
            "max_size": pool.max_nodes,
            "desired_size": pool.initial_nodes,
            "disk_size_gib": pool.disk_size_gib,
            "gpu_driver_version": pool.gpu_driver_version,
            **({"gpu_sharing": pool.gpu_sharing, "max_shared_clients_per_gpu": pool.max_shared_clients_per_gpu}
               if pool.gpu_sharing else {}),
            **({"mig_partition_size": pool.mig_partition_size} if pool.mig_partition_size else {}),
            "labels": pool.labels,
            "taints": [t.model_dump() for t in pool.taints],
            "resource_labels": labels,
        }

    gpu_pools = pools_of_run(
        config.gpu_pools,
        lambda pool: GkeGpuNodePool(f"{name}-{pool.name}", pool_args(pool), gcp_opts),
        lambda pool: GkeGpuNodePool.describe(f"{name}-{pool.name}", pool_args(pool)))

    k8s_opts = child_opts(platform, providers={"kubernetes": cluster.provider})
    built = CloudPlatform(
        network=network, cluster=cluster, gpu_pools=gpu_pools, provider=provider, k8s_opts=k8s_opts,
        cloud_opts=gcp_opts, team_identity=lambda team: _team_identity(built, config, team),
        load_balancer_annotations=LOAD_BALANCER_ANNOTATIONS,
        system_node_selector={f"{LABEL_PREFIX}pool": "system"},
        outputs={
            "project": config.project,
            "network": network.network,
            "subnetwork": network.subnetwork,
            "nodeServiceAccount": cluster.node_service_account,
        },
        data_key=data_key,
    )
    _services(built, name, config)
    return built


def _services(built: CloudPlatform, name: str, config: PlatformConfig) -> None:
    """The model registry and the vector store on GCP."""
    labels = config.resource_tags
    k8s_labels = cost_labels(labels)
    protect = config.protect_stateful
    k8s_opts = built.k8s_opts
    both_opts = pulumi.ResourceOptions.merge(k8s_opts, built.cloud_opts)
    data_key, cluster = built.data_key, built.cluster
    after_key = pulumi.ResourceOptions(depends_on=[data_key])
    registry, store = config.model_registry, config.vector_store
    if registry is not None:
        ns_labels = {**k8s_labels, **({ACCESS_LABEL: "true"} if config.gateway else {})}
        model_registry = built.model_registry = GcsModelRegistry(name, {
            "project": config.project,  # type: ignore[typeddict-item]
            "region": config.region,
            "kms_key_id": data_key.key_ids["data"],  # type: ignore[attr-defined]
            **({"bucket_name": registry.bucket_name} if registry.bucket_name else {}),
            "noncurrent_version_days": registry.noncurrent_version_days,
            **({"access_log_bucket": registry.access_log_bucket} if registry.access_log_bucket else {}),
            "repository_id": config.registry_repository_name,
            "untagged_image_days": registry.untagged_image_days,
            "node_service_account": cluster.node_service_account,
            "namespace": registry.namespace,
            "namespace_labels": ns_labels,
            "protect": protect,
            "labels": labels,
        }, pulumi.ResourceOptions.merge(both_opts, after_key))
        built.registry_uri = pulumi.Output.concat("gs://", model_registry.bucket_name)
        built.service_outputs["modelRegistry"] = {
            "bucketName": model_registry.bucket_name,
            "bucketUrl": model_registry.bucket_url,
            "repositoryUrl": model_registry.repository_url,
            "namespace": registry.namespace,
            "publisherServiceAccount": model_registry.publisher.email,
            "consumerServiceAccount": model_registry.consumer.email,
        }
    if config.needs_storage_class:  # Qdrant's and Prometheus' volumes
        built.addons["storage"] = PdStorageClass(name, {
            "kms_key_id": data_key.key_ids["data"],  # type: ignore[attr-defined]
            "reclaim_policy": config.storage_reclaim_policy,
            "labels": k8s_labels,
        }, pulumi.ResourceOptions.merge(k8s_opts, after_key))
    if store is not None:  # qdrant: the config refuses the AWS-only kinds on GCP
        storage = built.addons["storage"]
        vector_store = built.vector_store = Qdrant(name, {
            "storage_class_name": storage.storage_class_name,
            "namespace": config.vector_store_namespace,
            "service_account_name": config.vector_store_service_account,
            "replicas": config.vector_store_replicas,
            "volume_size_gib": config.vector_store_volume_size_gib,
            "memory": config.vector_store_memory,
            "labels": k8s_labels,
            "protect": protect,
        }, pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[storage])))
        built.service_outputs["vectorStore"] = {
            "kind": "qdrant",
            "endpoint": vector_store.endpoint,
            "apiKeySecret": vector_store.api_key_secret,
        }


def _team_identity(built: CloudPlatform, config: PlatformConfig, team: TeamConfig) -> GcpTeamIdentity:
    """A team's Workload Identity service account, reading its registry prefix and pulling images."""
    registry = built.model_registry
    if registry is None:
        return GcpTeamIdentity(project=config.project)
    return GcpTeamIdentity(project=config.project, registry_bucket=registry.bucket_name, region=config.region,
                           repository_id=registry.repository_id)
