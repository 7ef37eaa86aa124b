"""AiPlatform: the thin facade that maps a validated `PlatformConfig` to components.

Anything with logic of its own lives in a component; this module only wires
them together (DESIGN.md convention 12).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .components._base import child_opts, cost_labels
from .components.aws import (
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
from .components.aws.workload_role import workload_role_args
from .components.kubernetes import LlmGateway, NvidiaDevicePlugin, Qdrant, TeamNamespace
from .components.kubernetes.llm_gateway import ACCESS_LABEL
from .config import PlatformConfig, TeamConfig
from .platform_ref import OUTPUT_NAME, contract

TYPE = "aiplatform:index:AiPlatform"


class AiPlatform(pulumi.ComponentResource):
    """A whole AI platform on one stack: network, EKS, GPU pools and cluster add-ons.

    Children are named after `name`; every resource lives under this component.
    An explicit AWS provider for `config.region` is created unless `opts`
    brings one (`providers={"aws": ...}`).
    """

    network: Network
    cluster: EksCluster
    gpu_pools: dict[str, EksGpuNodePool]
    outputs: dict[str, pulumi.Input[object]]

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.config = config
        self.data_key = self.model_registry = self.vector_store = self.gateway = None
        self.service_outputs: dict[str, pulumi.Input[object]] = {}
        if config.cloud == "gcp":
            from .platform_gcp import build_gcp

            k8s_opts, cloud_opts = build_gcp(self, name, config, opts)
            self.outputs = {
                "project": config.project,
                "network": self.network.network,
                "subnetwork": self.network.subnetwork,
                "nodeServiceAccount": self.cluster.node_service_account,
            }
        else:
            k8s_opts, cloud_opts = self._aws(name, config, opts)
            self.outputs = {
                "oidcProviderArn": self.cluster.oidc_provider_arn,
                "vpcId": self.network.vpc_id,
                "privateSubnetIds": self.network.private_subnet_ids,
            }
        self._gateway(name, config, k8s_opts)
        self.teams = {team.name: self._team(name, config, team, cloud_opts, k8s_opts) for team in config.teams}

        self.outputs.update({
            "clusterName": self.cluster.cluster_name,
            "clusterEndpoint": self.cluster.endpoint,
            "kubeconfig": self.cluster.kubeconfig,
            "gpuPools": {
                name_: {
                    "instanceTypes": pool.instance_types,
                    "acceleratorResource": pool.accelerator_resource,
                    "maxAccelerators": pool.max_accelerators,
                }
                for name_, pool in self.gpu_pools.items()
            },
        })
        self.outputs.update(self.service_outputs)
        self.outputs[OUTPUT_NAME] = contract(self, config)
        self.register_outputs(self.outputs)

    def _aws(self, name: str, config: PlatformConfig,
             opts: pulumi.ResourceOptions | None) -> tuple[pulumi.ResourceOptions, pulumi.ResourceOptions]:
        """Network, EKS, GPU pools, add-ons and services on AWS; returns (Kubernetes options, AWS options)."""
        tags = config.resource_tags
        aws_opts = self._aws_opts(name, opts)

        network = config.network
        if network.creates_vpc:
            self.network = Network(name, {
                "cidr": str(network.cidr),
                "availability_zones": config.availability_zones,
                "nat_gateways": config.nat_gateways,
                "tags": tags,
            }, aws_opts)
        else:
            self.network = Network(name, {
                "vpc_id": network.vpc_id,
                "private_subnet_ids": network.private_subnet_ids,
                "public_subnet_ids": network.public_subnet_ids,
                "tags": tags,
            }, aws_opts)

        cluster = config.cluster
        system = cluster.system_nodes
        self.cluster = EksCluster(name, {
            "cluster_name": config.name,
            "region": config.region,
            "partition": config.partition,
            "subnet_ids": self.network.private_subnet_ids,
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
            "log_retention_days": 365 if config.environment == "prod" else 90,
            "protect": config.protect_stateful,
            "tags": tags,
        }, aws_opts)

        self.gpu_pools = {}
        for pool in config.gpu_pools:
            self.gpu_pools[pool.name] = EksGpuNodePool(f"{name}-{pool.name}", {
                "pool_name": pool.name,
                "cluster_name": self.cluster.cluster_name,
                "node_role_arn": self.cluster.node_role_arn,
                "subnet_ids": self.network.private_subnet_ids,
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
                "tags": tags,
            }, pulumi.ResourceOptions.merge(aws_opts, pulumi.ResourceOptions(depends_on=self.cluster.node_dependencies)))

        k8s_opts = child_opts(self, providers={"kubernetes": self.cluster.provider})
        if any(p.vendor == "nvidia" for p in config.gpu_pools):
            self.device_plugin = NvidiaDevicePlugin(name, {"labels": cost_labels(tags)}, k8s_opts)
        self.autoscaler = ClusterAutoscaler(name, {
            "cluster_name": self.cluster.cluster_name,
            "cluster_arn": self.cluster.cluster.arn,
            "oidc_provider_arn": self.cluster.oidc_provider_arn,
            "oidc_issuer": self.cluster.oidc_issuer,
            "region": config.region,
            "kubernetes_version": cluster.kubernetes_version,
            "tags": tags,
        }, pulumi.ResourceOptions.merge(k8s_opts, aws_opts))

        self._services(name, config, aws_opts, k8s_opts)
        return k8s_opts, aws_opts

    def _services(self, name: str, config: PlatformConfig, aws_opts: pulumi.ResourceOptions,
                  k8s_opts: pulumi.ResourceOptions) -> None:
        """Model registry, vector store and gateway, wired to one set of workload identities."""
        tags = config.resource_tags
        protect = config.protect_stateful
        prod = config.environment == "prod"
        both_opts = pulumi.ResourceOptions.merge(k8s_opts, aws_opts)
        labels = cost_labels(tags)
        identity = {
            "cluster_name": self.cluster.cluster_name,
            "mode": config.workload_identity,
            "oidc_provider_arn": self.cluster.oidc_provider_arn,
            "oidc_issuer": self.cluster.oidc_issuer,
        }
        registry, store = config.model_registry, config.vector_store
        if registry is not None or store is not None:
            self.data_key = PlatformKey(f"{name}-data", {
                "alias": f"aiplatform/{config.name}/data",
                "description": f"Data of AI platform {config.name}: models, images, vectors",
                "protect": protect,
                "tags": tags,
            }, aws_opts)

        publisher_grants: list = []
        consumer_grants: list = []
        if store is not None and store.kind == "opensearch-serverless":
            self.vector_store = OpenSearchVectorStore(name, {
                "collection_name": store.collection_name or f"{config.name}-vectors"[:32],
                "kms_key_arn": self.data_key.arn,
                "vpc_id": self.network.vpc_id,
                "subnet_ids": self.network.private_subnet_ids,
                "source_security_group_ids": [self.cluster.cluster_security_group_id],
                "public_access": store.network == "public",
                "standby_replicas": prod if store.standby_replicas is None else store.standby_replicas,
                "protect": protect,
                "tags": tags,
            }, aws_opts)
            publisher_grants.append(self.vector_store.write_grant)
            consumer_grants.append(self.vector_store.read_grant)
            self.service_outputs["vectorStore"] = {
                "kind": store.kind,
                "endpoint": self.vector_store.endpoint,
                "collectionArn": self.vector_store.arn,
                "readGrant": self.vector_store.read_grant,
            }
        elif store is not None:
            self._qdrant(name, config, store, identity, both_opts, aws_opts, k8s_opts)

        if registry is not None:
            ns_labels = {**labels, **({ACCESS_LABEL: "true"} if config.gateway else {})}
            self.model_registry = S3ModelRegistry(name, {
                "kms_key_arn": self.data_key.arn,
                "region": config.region,
                "bucket_name": registry.bucket_name,
                "model_families": registry.model_families,
                "noncurrent_version_days": registry.noncurrent_version_days,
                "access_log_bucket": registry.access_log_bucket,
                "repository_name": registry.repository_name or f"{config.name}-serving",
                "untagged_image_days": registry.untagged_image_days,
                "identity": identity,
                "namespace": registry.namespace,
                "namespace_labels": ns_labels,
                "publisher_extra_grants": publisher_grants,
                "consumer_extra_grants": consumer_grants,
                "protect": protect,
                "tags": tags,
            }, both_opts)
            self.service_outputs["modelRegistry"] = {
                "bucketName": self.model_registry.bucket_name,
                "bucketArn": self.model_registry.bucket_arn,
                "modelPackageGroupNames": self.model_registry.model_package_group_names,
                "repositoryUrl": self.model_registry.repository_url,
                "namespace": registry.namespace,
                "publisherRoleArn": self.model_registry.publisher.role_arn,
                "consumerRoleArn": self.model_registry.consumer.role_arn,
            }
            if isinstance(self.vector_store, OpenSearchVectorStore):
                self.vector_store.allow(f"{name}-consumers", [self.model_registry.consumer.role_arn], write=False)
                self.vector_store.allow(f"{name}-publishers", [self.model_registry.publisher.role_arn], write=True)

    def _gateway(self, name: str, config: PlatformConfig, k8s_opts: pulumi.ResourceOptions) -> None:
        """The cloud-neutral LLM gateway, on the cloud's internal load balancer unless told otherwise."""
        prod = config.environment == "prod"
        labels = cost_labels(config.resource_tags)
        gateway = config.gateway
        if gateway is not None:
            self.gateway = LlmGateway(name, {
                "oidc_issuer": gateway.oidc_issuer,
                "jwks_uri": gateway.jwks_uri,
                "audiences": gateway.audiences,
                "team_claim": gateway.team_claim,
                **({"hostname": gateway.hostname} if gateway.hostname else {}),
                **({"tls_secret_name": gateway.tls_secret_name} if gateway.tls_secret_name else {}),
                **({"cert_manager_issuer": gateway.cert_manager_issuer} if gateway.cert_manager_issuer else {}),
                "requests_per_minute": gateway.requests_per_minute,
                "load_balancer": gateway.load_balancer,
                "cloud": config.cloud,
                "replicas": gateway.replicas or (2 if prod else 1),
                "labels": labels,
            }, k8s_opts)
            self.service_outputs["gateway"] = {
                "namespace": self.gateway.namespace,
                "gatewayName": self.gateway.gateway_name,
                "hostname": gateway.hostname,
                "loadBalancer": gateway.load_balancer,
            }

    def _team(self, name: str, config: PlatformConfig, team: TeamConfig, aws_opts: pulumi.ResourceOptions,
              k8s_opts: pulumi.ResourceOptions) -> TeamNamespace:
        """A team's namespace, quota, policies, RBAC and identity, scoped to the platform's services."""
        tags = config.team_tags(team)
        identity: dict[str, object]
        if config.cloud == "gcp":
            identity = {"cloud": "gcp", "project": config.project}
            if self.model_registry is not None:
                identity.update(registry_bucket=self.model_registry.bucket_name, region=config.region,
                                repository_id=self.model_registry.repository_id)
        else:
            identity = {
                "cloud": config.cloud,
                "cluster_name": self.cluster.cluster_name,
                "mode": config.workload_identity,
                "oidc_provider_arn": self.cluster.oidc_provider_arn,
                "oidc_issuer": self.cluster.oidc_issuer,
                "member_role_arns": team.member_role_arns,
            }
        if self.model_registry is not None and config.cloud == "aws":
            identity.update(registry_bucket_arn=self.model_registry.bucket_arn,
                            registry_kms_key_arn=self.data_key.arn, region=config.region,
                            repository_arn=self.model_registry.repository.arn)
        if isinstance(self.vector_store, OpenSearchVectorStore):
            identity["vector_collection_arn"] = self.vector_store.arn
        args: dict[str, object] = {
            "team": team.name,
            "gpus": team.gpus,
            "accelerator_resources": config.accelerator_resources,
            "cpu": team.cpu,
            "memory": team.memory,
            "pods": team.pods,
            "persistent_volume_claims": team.persistent_volume_claims,
            "storage": team.storage,
            "members_group": team.members_group,
            "accelerators": team.accelerators,
            "identity": identity,
            "labels": cost_labels(tags),
            "tags": tags,
        }
        if team.monthly_budget_usd is not None:
            args["monthly_budget_usd"] = team.monthly_budget_usd
        if self.gateway is not None:
            args["gateway_namespace"] = self.gateway.namespace
        if isinstance(self.vector_store, Qdrant):
            args["vector_store_namespace"] = self.vector_store.namespace
        namespace = TeamNamespace(f"{name}-team-{team.name}", args,  # type: ignore[arg-type]
                                  pulumi.ResourceOptions.merge(k8s_opts, aws_opts))
        if isinstance(self.vector_store, OpenSearchVectorStore):
            self.vector_store.allow(f"{name}-team-{team.name}", [namespace.role_arn], write=True,
                                    index_prefix=team.name)
        return namespace

    def _qdrant(self, name: str, config: PlatformConfig, store, identity: dict, both_opts: pulumi.ResourceOptions,
                aws_opts: pulumi.ResourceOptions, k8s_opts: pulumi.ResourceOptions) -> None:
        prod = config.environment == "prod"
        tags = config.resource_tags
        self.storage = EbsCsiDriver(name, {
            "identity": identity,
            "kubernetes_version": config.cluster.kubernetes_version,
            "kms_key_arn": self.data_key.arn,
            "region": config.region,
            "reclaim_policy": "Retain" if prod else "Delete",
            "partition": config.partition,
            "tags": tags,
        }, pulumi.ResourceOptions.merge(both_opts, pulumi.ResourceOptions(depends_on=self.cluster.node_dependencies)))
        namespace, account = "vector-store", "qdrant"
        snapshots = None
        annotations: dict = {}
        if store.snapshots is not False:
            self.snapshot_bucket = SecureBucket(f"{name}-vector-snapshots", {
                "kms_key_arn": self.data_key.arn, "noncurrent_version_days": 30,
                "protect": config.protect_stateful, "tags": tags,
            }, aws_opts)
            role = WorkloadRole(f"{name}-qdrant", workload_role_args(
                identity, namespace, account,
                [{"kind": "models-write", "bucket_arn": self.snapshot_bucket.arn,
                  "kms_key_arn": self.data_key.arn, "region": config.region}],
                create_service_account=False, tags=tags, description="Qdrant snapshots",
            ), aws_opts)
            annotations = role.service_account_annotations
            snapshots = {"bucket": self.snapshot_bucket.name, "region": config.region}
        self.vector_store = Qdrant(name, {
            "storage_class_name": self.storage.storage_class_name,
            "namespace": namespace,
            "service_account_name": account,
            "service_account_annotations": annotations,
            "replicas": store.replicas or (3 if prod else 1),
            "volume_size_gib": store.volume_size_gib or 50,
            "memory": store.memory or "4Gi",
            **({"snapshots": snapshots} if snapshots else {}),
            "labels": cost_labels(tags),
            "protect": config.protect_stateful,
        }, pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[self.storage])))
        self.service_outputs["vectorStore"] = {
            "kind": "qdrant",
            "endpoint": self.vector_store.endpoint,
            "apiKeySecret": self.vector_store.api_key_secret,
        }

    def _aws_opts(self, name: str, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        given = _given_provider(opts, "aws")
        provider = given or aws.Provider(name, region=self.config.region, opts=child_opts(self))
        self.aws_provider = provider
        return child_opts(self, providers={"aws": provider})


def _given_provider(opts: pulumi.ResourceOptions | None, package: str) -> pulumi.ProviderResource | None:
    if opts is None or not opts.providers:
        return None
    providers = opts.providers
    if isinstance(providers, dict):
        return providers.get(package)
    return next((p for p in providers if getattr(p, "package", None) == package), None)
