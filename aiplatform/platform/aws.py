"""The AWS half of `AiPlatform`: network, EKS, GPU pools, add-ons, model registry and vector store.

Wiring only (DESIGN.md convention 12); the cloud-free half (gateway, teams, outputs) is the facade's.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..components._base import LABEL_PREFIX, Spelling, child_opts, config_spelling, cost_labels
from ..components._chunk import pools_of_run
from ..components.aws import (
    AmpWorkspace,
    ClusterAutoscaler,
    EbsCsiDriver,
    EksCluster,
    EksGpuNodePool,
    Network,
    OpenSearchVectorStore,
    PlatformKey,
    S3ModelRegistry,
    SecureBucket,
    WorkloadRole,
)
from ..components.aws.eks_cluster import TYPE as EKS_CLUSTER
from ..components.aws.eks_gpu_node_pool import EksGpuNodePoolArgs
from ..components.aws.opensearch_vector_store import TYPE as OPENSEARCH
from ..components.aws.team_identity import AwsTeamIdentity
from ..components.aws.workload_role import workload_role_args
from ..components.kubernetes import NeuronDevicePlugin, NvidiaDevicePlugin, Qdrant
from ..components.kubernetes.llm_gateway import ACCESS_LABEL
from ..components.kubernetes.observability.metrics_stack import PROMETHEUS_SERVICE_ACCOUNT
from ..config import GpuPool, PlatformConfig, TeamConfig, suppress_tags
from ..config import defaults as d
from .builder import CloudPlatform, given_provider

#: Service annotations that make the gateway's load balancer an NLB, private or internet-facing.
LOAD_BALANCER_ANNOTATIONS: dict[str, dict[str, str]] = {
    "internal": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    },
    "internet-facing": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    },
}


def build(platform: pulumi.ComponentResource, name: str, config: PlatformConfig,
          opts: pulumi.ResourceOptions | None) -> CloudPlatform:
    """Create the AWS resources of `platform` (an explicit provider for `config.region` unless `opts` brings one)."""
    provider = given_provider(opts, "aws") or aws.Provider(name, region=config.region, opts=child_opts(platform))
    aws_opts = child_opts(platform, providers={"aws": provider})
    tags = config.resource_tags

    network = _network(name, config, aws_opts)
    cluster = _cluster(name, config, network, aws_opts)

    def pool_args(pool: GpuPool) -> EksGpuNodePoolArgs:
        return {
            "pool_name": pool.name,
            "cluster_name": cluster.cluster_name,
            "node_role_arn": cluster.node_role_arn,
            "subnet_ids": _pool_subnets(pool, network),
            "instance_types": pool.instance_types,
            "allow_unlisted_instance_types": pool.allow_unlisted_instance_types,
            "capacity_type": pool.capacity_type,
            "capacity_reservation_id": pool.capacity_reservation_id,
            "min_size": pool.min_nodes,
            "max_size": pool.max_nodes,
            "desired_size": pool.initial_nodes,
            "disk_size_gib": pool.disk_size_gib,
            "ami_type": pool.resolved_ami_type,
            "labels": pool.labels,
            "taints": [t.model_dump() for t in pool.taints],
            "tags": {**tags, **suppress_tags(pool.suppress)},
        }

    gpu_pools = pools_of_run(
        config.gpu_pools,
        lambda pool: EksGpuNodePool(f"{name}-{pool.name}", pool_args(pool), pulumi.ResourceOptions.merge(
            aws_opts, pulumi.ResourceOptions(depends_on=cluster.node_dependencies))),
        lambda pool: EksGpuNodePool.describe(f"{name}-{pool.name}", pool_args(pool)))

    k8s_opts = child_opts(platform, providers={"kubernetes": cluster.provider})
    both_opts = pulumi.ResourceOptions.merge(k8s_opts, aws_opts)
    built = CloudPlatform(
        network=network, cluster=cluster, gpu_pools=gpu_pools, provider=provider, k8s_opts=k8s_opts,
        cloud_opts=aws_opts, team_identity=lambda team: _team_identity(built, config, team),
        load_balancer_annotations=LOAD_BALANCER_ANNOTATIONS,
        system_node_selector={f"{LABEL_PREFIX}node-role": "system"},
        outputs={
            "oidcProviderArn": cluster.oidc_provider_arn,
            "vpcId": network.vpc_id,
            "privateSubnetIds": network.private_subnet_ids,
        },
    )
    if any(p.vendor == "nvidia" for p in config.gpu_pools):
        built.addons["device_plugin"] = NvidiaDevicePlugin(name, {"labels": cost_labels(tags)}, k8s_opts)
    neuron_types = [t for p in config.gpu_pools if p.vendor == "aws-neuron" for t in p.instance_types]
    if neuron_types:
        built.addons["neuron_device_plugin"] = NeuronDevicePlugin(name, {"instance_types": neuron_types}, k8s_opts)
    built.addons["autoscaler"] = ClusterAutoscaler(name, {
        "cluster_name": cluster.cluster_name,
        "cluster_arn": cluster.cluster.arn,
        "oidc_provider_arn": cluster.oidc_provider_arn,
        "oidc_issuer": cluster.oidc_issuer,
        "region": config.region,
        "kubernetes_version": config.cluster.kubernetes_version,
        "tags": tags,
    }, both_opts)
    _services(built, name, config)
    if config.observability.enabled and config.observability.managed == "amp":
        _managed_prometheus(built, name, config)
    return built


def _managed_prometheus(built: CloudPlatform, name: str, config: PlatformConfig) -> None:
    """An Amazon Managed Service for Prometheus workspace (the platform key, protected in prod) that the
    platform's Prometheus remote-writes to with SigV4, as a workload role that may only write to it."""
    amp = built.addons["managed_prometheus"] = AmpWorkspace(name, {
        "alias": config.name,
        "kms_key_arn": built.data_key.arn,  # type: ignore[union-attr]
        "region": config.region,
        "identity": _cluster_identity(built, config),  # type: ignore[typeddict-item]
        "namespace": d.OBSERVABILITY_NAMESPACE,
        "service_account": PROMETHEUS_SERVICE_ACCOUNT,
        "protect": config.protect_stateful,
        "tags": config.resource_tags,
    }, built.cloud_opts)
    built.metrics_remote_write = {"url": amp.remote_write_url, "sigv4_region": config.region,
                                  "service_account_annotations": amp.service_account_annotations}
    built.outputs["ampWorkspaceArn"] = amp.workspace.arn


def _pool_subnets(pool: GpuPool, network: Network) -> pulumi.Input[list[str]]:
    """A pool's subnets: those of its zones (a new VPC) or its own (an existing one); default every private one."""
    if pool.zones:
        return network.private_subnet_ids_in(pool.zones)
    if pool.subnet_ids:
        return list(pool.subnet_ids)
    return network.private_subnet_ids


def _network(name: str, config: PlatformConfig, aws_opts: pulumi.ResourceOptions) -> Network:
    network, tags = config.network, config.resource_tags
    if network.creates_vpc:
        return Network(name, {
            "cidr": str(network.cidr),
            "availability_zones": config.availability_zones,
            "nat_gateways": config.nat_gateways,
            "region": config.region,
            "tags": tags,
        }, aws_opts)
    return Network(name, {
        "vpc_id": network.vpc_id,
        "private_subnet_ids": network.private_subnet_ids,
        "public_subnet_ids": network.public_subnet_ids,
        "tags": tags,
    }, aws_opts)


#: The EksCluster args the platform sets from one config key each, by that key (warnings and errors name it).
CLUSTER_SPELLING = {
    "cluster_name": "platform.name",
    "region": "platform.region",
    "kubernetes_version": "platform.cluster.kubernetes_version",
    "endpoint_public_access": "platform.cluster.endpoint.public",
    "public_access_cidrs": "platform.cluster.endpoint.public_cidrs",
    "admin_role_arns": "platform.cluster.admin_role_arns",
}


def _cluster(name: str, config: PlatformConfig, network: Network, aws_opts: pulumi.ResourceOptions) -> EksCluster:
    cluster = config.cluster
    system = cluster.system_nodes
    args = {
        "cluster_name": config.name,
        "region": config.region,
        "partition": config.partition,
        "subnet_ids": network.private_subnet_ids,
        "kubernetes_version": cluster.kubernetes_version,
        "endpoint_public_access": cluster.endpoint.public,
        "public_access_cidrs": [str(c) for c in cluster.endpoint.public_cidrs],
        "admin_role_arns": cluster.admin_role_arns,
        "system_nodes": {
            "instance_types": config.system_instance_types,
            "min_size": system.min_nodes,
            "max_size": system.max_nodes,
            "desired_size": system.initial_nodes,
            "disk_size_gib": system.disk_size_gib,
        },
        "log_retention_days": config.log_retention_days,
        "protect": config.protect_stateful,
        "tags": config.resource_tags,
    }
    with config_spelling(EKS_CLUSTER, CLUSTER_SPELLING):
        return EksCluster(name, args, aws_opts)


def _cluster_identity(built: CloudPlatform, config: PlatformConfig) -> dict[str, object]:
    """How the cluster's workloads get AWS credentials (`ClusterIdentityArgs`)."""
    return {
        "cluster_name": built.cluster.cluster_name,
        "mode": config.workload_identity,
        "oidc_provider_arn": built.cluster.oidc_provider_arn,  # type: ignore[attr-defined]
        "oidc_issuer": built.cluster.oidc_issuer,  # type: ignore[attr-defined]
    }


def _services(built: CloudPlatform, name: str, config: PlatformConfig) -> None:
    """Model registry and vector store, wired to one set of workload identities."""
    tags = config.resource_tags
    protect = config.protect_stateful
    aws_opts = built.cloud_opts
    both_opts = pulumi.ResourceOptions.merge(built.k8s_opts, aws_opts)
    network, cluster = built.network, built.cluster
    identity = _cluster_identity(built, config)
    registry, store = config.model_registry, config.vector_store
    if registry is not None or store is not None or config.needs_storage_class:
        built.data_key = PlatformKey(f"{name}-data", {
            "alias": f"aiplatform/{config.name}/data",
            "description": f"Data of AI platform {config.name}: models, images, vectors",
            "protect": protect,
            "tags": tags,
        }, aws_opts)

    publisher_grants: list = []
    consumer_grants: list = []
    if store is not None and store.kind == "opensearch-serverless":
        with config_spelling(OPENSEARCH, {
                "public_access": Spelling("platform.vector_store.network", "'private'", "'public'")}):
            vector_store = built.vector_store = OpenSearchVectorStore(name, {
                "collection_name": config.vector_store_collection_name,
                "kms_key_arn": built.data_key.arn,  # type: ignore[union-attr]
                "vpc_id": network.vpc_id,
                "subnet_ids": network.private_subnet_ids,
                "source_security_group_ids": [cluster.cluster_security_group_id],  # type: ignore[attr-defined]
                "public_access": store.network == "public",
                "standby_replicas": config.vector_store_standby_replicas,
                "protect": protect,
                "tags": tags,
            }, aws_opts)
        publisher_grants.append(vector_store.write_grant)
        consumer_grants.append(vector_store.read_grant)
        built.service_outputs["vectorStore"] = {
            "kind": store.kind,
            "endpoint": vector_store.endpoint,
            "collectionArn": vector_store.arn,
            "readGrant": vector_store.read_grant,
        }
    elif store is not None:
        _qdrant(built, name, config, store, identity)
    if config.needs_storage_class:
        _storage(built, name, config, identity)

    if registry is not None:
        ns_labels = {**cost_labels(tags), **({ACCESS_LABEL: "true"} if config.gateway else {})}
        model_registry = built.model_registry = S3ModelRegistry(name, {
            "kms_key_arn": built.data_key.arn,  # type: ignore[union-attr]
            "region": config.region,
            "bucket_name": registry.bucket_name,
            "model_families": registry.model_families,
            "noncurrent_version_days": registry.noncurrent_version_days,
            "access_log_bucket": registry.access_log_bucket,
            "repository_name": config.registry_repository_name,
            "untagged_image_days": registry.untagged_image_days,
            "identity": identity,
            "namespace": registry.namespace,
            "namespace_labels": ns_labels,
            "publisher_extra_grants": publisher_grants,
            "consumer_extra_grants": consumer_grants,
            "protect": protect,
            "tags": {**tags, **suppress_tags(registry.suppress)},
        }, both_opts)
        built.registry_uri = pulumi.Output.concat("s3://", model_registry.bucket_name)
        built.service_outputs["modelRegistry"] = {
            "bucketName": model_registry.bucket_name,
            "bucketArn": model_registry.bucket_arn,
            "modelPackageGroupNames": model_registry.model_package_group_names,
            "repositoryUrl": model_registry.repository_url,
            "namespace": registry.namespace,
            "publisherRoleArn": model_registry.publisher.role_arn,
            "consumerRoleArn": model_registry.consumer.role_arn,
        }
        if isinstance(built.vector_store, OpenSearchVectorStore):
            built.vector_store.allow(f"{name}-consumers", [model_registry.consumer.role_arn], write=False)
            built.vector_store.allow(f"{name}-publishers", [model_registry.publisher.role_arn], write=True)


def _storage(built: CloudPlatform, name: str, config: PlatformConfig, identity: dict) -> EbsCsiDriver:
    """The EBS CSI driver and its encrypted StorageClass (Qdrant's and Prometheus' volumes), created once."""
    if "storage" in built.addons:
        return built.addons["storage"]  # type: ignore[return-value]
    both_opts = pulumi.ResourceOptions.merge(built.k8s_opts, built.cloud_opts)
    storage = built.addons["storage"] = EbsCsiDriver(name, {
        "identity": identity,
        "kubernetes_version": config.cluster.kubernetes_version,
        "kms_key_arn": built.data_key.arn,  # type: ignore[union-attr]
        "region": config.region,
        "reclaim_policy": config.storage_reclaim_policy,
        "partition": config.partition,
        "tags": config.resource_tags,
    }, pulumi.ResourceOptions.merge(both_opts, pulumi.ResourceOptions(
        depends_on=built.cluster.node_dependencies)))  # type: ignore[attr-defined]
    return storage


def _qdrant(built: CloudPlatform, name: str, config: PlatformConfig, store, identity: dict) -> None:
    """Qdrant in the cluster, on encrypted EBS volumes, with snapshots to an S3 bucket unless disabled."""
    tags = config.resource_tags
    data_key, aws_opts = built.data_key, built.cloud_opts
    storage = _storage(built, name, config, identity)
    namespace, account = config.vector_store_namespace, config.vector_store_service_account
    snapshots = None
    annotations: dict = {}
    if config.vector_store_snapshots:
        bucket = built.addons["snapshot_bucket"] = SecureBucket(f"{name}-vector-snapshots", {
            "kms_key_arn": data_key.arn, "noncurrent_version_days": config.snapshot_noncurrent_version_days,  # type: ignore[union-attr]
            "protect": config.protect_stateful, "tags": tags,
        }, aws_opts)
        role = WorkloadRole(f"{name}-qdrant", workload_role_args(
            identity, namespace, account,
            [{"kind": "models-write", "bucket_arn": bucket.arn,
              "kms_key_arn": data_key.arn, "region": config.region}],  # type: ignore[union-attr]
            create_service_account=False, tags=tags, description="Qdrant snapshots",
        ), aws_opts)
        annotations = role.service_account_annotations
        snapshots = {"bucket": bucket.name, "region": config.region}
    vector_store = built.vector_store = Qdrant(name, {
        "storage_class_name": storage.storage_class_name,
        "namespace": namespace,
        "service_account_name": account,
        "service_account_annotations": annotations,
        "replicas": config.vector_store_replicas,
        "volume_size_gib": config.vector_store_volume_size_gib,
        "memory": config.vector_store_memory,
        **({"snapshots": snapshots} if snapshots else {}),
        "labels": cost_labels(tags),
        "protect": config.protect_stateful,
    }, pulumi.ResourceOptions.merge(built.k8s_opts, pulumi.ResourceOptions(depends_on=[storage])))
    built.service_outputs["vectorStore"] = {
        "kind": "qdrant",
        "endpoint": vector_store.endpoint,
        "apiKeySecret": vector_store.api_key_secret,
    }


def _team_identity(built: CloudPlatform, config: PlatformConfig, team: TeamConfig) -> AwsTeamIdentity:
    """A team's IAM role on the cluster, reading its registry prefix, pulling images, using its indexes."""
    registry, store = built.model_registry, built.vector_store
    collection = store if isinstance(store, OpenSearchVectorStore) else None
    return AwsTeamIdentity(
        cluster_name=built.cluster.cluster_name,
        mode=config.workload_identity,
        oidc_provider_arn=built.cluster.oidc_provider_arn,  # type: ignore[attr-defined]
        oidc_issuer=built.cluster.oidc_issuer,  # type: ignore[attr-defined]
        member_role_arns=team.member_role_arns,
        **({"registry_bucket_arn": registry.bucket_arn, "registry_kms_key_arn": built.data_key.arn,  # type: ignore[union-attr]
            "region": config.region, "repository_arn": registry.repository.arn} if registry is not None else {}),
        vector_collection_arn=collection.arn if collection is not None else None,
        collection=collection,
    )
