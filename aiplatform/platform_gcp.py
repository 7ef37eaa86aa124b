"""The GCP half of `AiPlatform`: network, Cloud KMS, GKE, GPU pools, registry and vector store on Google Cloud.

Wiring only, like the facade itself (DESIGN.md convention 12); what is
cloud-neutral (gateway, teams, outputs) stays in `platform.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_gcp as gcp

from .components._base import child_opts, cost_labels
from .components.gcp import CloudKmsKey, GcpNetwork, GcsModelRegistry, GkeCluster, GkeGpuNodePool, PdStorageClass
from .components.kubernetes import Qdrant
from .components.kubernetes.llm_gateway import ACCESS_LABEL
from .config import PlatformConfig

if TYPE_CHECKING:
    from .platform import AiPlatform

#: Keys of the platform's key ring, and the Google service agents that encrypt with each.
KEY_AGENTS = {"secrets": ["container"], "data": ["storage", "artifactregistry", "compute"]}


def build_gcp(platform: AiPlatform, name: str, config: PlatformConfig,
              opts: pulumi.ResourceOptions | None) -> tuple[pulumi.ResourceOptions, pulumi.ResourceOptions]:
    """Create the GCP resources of `platform`; return (Kubernetes options, GCP options) for the rest."""
    from .platform import _given_provider

    assert config.project is not None and config.project_number is not None  # the config requires both on GCP
    provider = _given_provider(opts, "gcp") or gcp.Provider(
        name, project=config.project, region=config.region, opts=child_opts(platform))
    platform.gcp_provider = provider
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
    platform.network = GcpNetwork(name, {"project": project, "region": region, **network_args}, gcp_opts)

    platform.data_key = CloudKmsKey(f"{name}-keys", {
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
    platform.cluster = GkeCluster(name, {
        "project": project,
        "cluster_name": config.name,
        "region": region,
        "zones": config.availability_zones,
        "regional": config.regional,
        "network": platform.network.network,
        "subnetwork": platform.network.subnetwork,
        "pods_range_name": platform.network.pods_range_name,
        "services_range_name": platform.network.services_range_name,
        "master_cidr": str(net.master_cidr_resolved),
        "private_endpoint": not endpoint.public,
        "authorized_networks": authorized,
        "kubernetes_version": config.cluster.kubernetes_version,
        "release_channel": config.release_channel,
        "secrets_key_id": platform.data_key.key_ids["secrets"],
        **({"security_group": config.cluster.security_group} if config.cluster.security_group else {}),
        "system_nodes": {"machine_type": config.system_instance_types[0], "min_nodes": system.min_nodes,
                         "max_nodes": system.max_nodes, "disk_size_gib": system.disk_size_gib},
        "protect": protect,
        "labels": labels,
    }, pulumi.ResourceOptions.merge(gcp_opts, pulumi.ResourceOptions(depends_on=[platform.data_key])))

    platform.gpu_pools = {}
    for pool in config.gpu_pools:
        platform.gpu_pools[pool.name] = GkeGpuNodePool(f"{name}-{pool.name}", {
            "project": project,
            "cluster": platform.cluster.cluster_id,
            "location": platform.cluster.location,
            "node_locations": platform.cluster.node_zones,
            "node_service_account": platform.cluster.node_service_account,
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
        }, gcp_opts)

    k8s_opts = child_opts(platform, providers={"kubernetes": platform.cluster.provider})
    both_opts = pulumi.ResourceOptions.merge(k8s_opts, gcp_opts)
    _services(platform, name, config, k8s_opts, both_opts)
    return k8s_opts, gcp_opts


def _services(platform: AiPlatform, name: str, config: PlatformConfig, k8s_opts: pulumi.ResourceOptions,
              both_opts: pulumi.ResourceOptions) -> None:
    """The model registry and the vector store on GCP."""
    labels = config.resource_tags
    k8s_labels = cost_labels(labels)
    protect = config.protect_stateful
    after_key = pulumi.ResourceOptions(depends_on=[platform.data_key])
    registry, store = config.model_registry, config.vector_store
    if registry is not None:
        ns_labels = {**k8s_labels, **({ACCESS_LABEL: "true"} if config.gateway else {})}
        platform.model_registry = GcsModelRegistry(name, {
            "project": config.project,  # type: ignore[typeddict-item]
            "region": config.region,
            "kms_key_id": platform.data_key.key_ids["data"],
            **({"bucket_name": registry.bucket_name} if registry.bucket_name else {}),
            "noncurrent_version_days": registry.noncurrent_version_days,
            **({"access_log_bucket": registry.access_log_bucket} if registry.access_log_bucket else {}),
            "repository_id": registry.repository_name or f"{config.name}-serving",
            "untagged_image_days": registry.untagged_image_days,
            "node_service_account": platform.cluster.node_service_account,
            "namespace": registry.namespace,
            "namespace_labels": ns_labels,
            "protect": protect,
            "labels": labels,
        }, pulumi.ResourceOptions.merge(both_opts, after_key))
        platform.service_outputs["modelRegistry"] = {
            "bucketName": platform.model_registry.bucket_name,
            "bucketUrl": platform.model_registry.bucket_url,
            "repositoryUrl": platform.model_registry.repository_url,
            "namespace": registry.namespace,
            "publisherServiceAccount": platform.model_registry.publisher.email,
            "consumerServiceAccount": platform.model_registry.consumer.email,
        }
    if store is not None:  # qdrant: the config refuses the AWS-only kinds on GCP
        prod = config.environment == "prod"
        platform.storage = PdStorageClass(name, {
            "kms_key_id": platform.data_key.key_ids["data"],
            "reclaim_policy": "Retain" if prod else "Delete",
            "labels": k8s_labels,
        }, pulumi.ResourceOptions.merge(k8s_opts, after_key))
        platform.vector_store = Qdrant(name, {
            "storage_class_name": platform.storage.storage_class_name,
            "namespace": "vector-store",
            "service_account_name": "qdrant",
            "replicas": store.replicas or (3 if prod else 1),
            "volume_size_gib": store.volume_size_gib or 50,
            "memory": store.memory or "4Gi",
            "labels": k8s_labels,
            "protect": protect,
        }, pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[platform.storage])))
        platform.service_outputs["vectorStore"] = {
            "kind": "qdrant",
            "endpoint": platform.vector_store.endpoint,
            "apiKeySecret": platform.vector_store.api_key_secret,
        }
