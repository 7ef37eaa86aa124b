"""AiPlatform: the thin facade that maps a validated `PlatformConfig` to components.

Anything with logic of its own lives in a component; this module only wires
them together (DESIGN.md convention 12).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .components._base import child_opts, cost_labels
from .components.aws import ClusterAutoscaler, EksCluster, EksGpuNodePool, Network
from .components.kubernetes import NvidiaDevicePlugin
from .config import PlatformConfig

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
                "instance_types": system.instance_types,
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

        self.outputs = {
            "clusterName": self.cluster.cluster_name,
            "clusterEndpoint": self.cluster.endpoint,
            "kubeconfig": self.cluster.kubeconfig,
            "oidcProviderArn": self.cluster.oidc_provider_arn,
            "vpcId": self.network.vpc_id,
            "privateSubnetIds": self.network.private_subnet_ids,
            "gpuPools": {
                name_: {
                    "instanceTypes": pool.instance_types,
                    "acceleratorResource": pool.accelerator_resource,
                    "maxAccelerators": pool.max_accelerators,
                }
                for name_, pool in self.gpu_pools.items()
            },
        }
        self.register_outputs(self.outputs)

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
