"""The cloud-free half of `AiPlatform`: the gateway, the teams and the stack outputs, wired once for every
cloud to what its builder made (`CloudPlatform`)."""

from __future__ import annotations

from typing import Any

import pulumi

from ..components._base import config_spelling, cost_labels
from ..components.kubernetes import Kueue, LlmGateway, Qdrant, TeamNamespace
from ..components.kubernetes.keda import Keda
from ..components.kubernetes.llm_gateway import TYPE as GATEWAY
from ..components.kubernetes.observability import DcgmExporter, MetricsStack
from ..components.kubernetes.observability.gmp import GmpMonitoring
from ..components.kubernetes.observability.neuron_monitor import NeuronMonitor
from ..config import PlatformConfig, TeamConfig
from ..config import defaults as d
from ..labels import ACCELERATOR_LABEL
from .builder import CloudPlatform


def gateway(name: str, config: PlatformConfig, built: CloudPlatform) -> LlmGateway | None:
    """The LLM gateway, on the cloud's internal load balancer unless told otherwise; adds its `gateway` output."""
    settings = config.gateway
    if settings is None:
        return None
    with config_spelling(GATEWAY, {arg: f"platform.gateway.{arg}" for arg in GATEWAY_KEYS}):
        gw = LlmGateway(name, _gateway_args(config, built, settings), built.k8s_opts)
    built.service_outputs["gateway"] = {
        "namespace": gw.namespace,
        "gatewayName": gw.gateway_name,
        "hostname": settings.hostname,
        "loadBalancer": settings.load_balancer,
    }
    return gw


#: LlmGateway args that are the `gateway:` config keys of the same name.
GATEWAY_KEYS = ("oidc_issuer", "jwks_uri", "audiences", "team_claim", "hostname", "tls_secret_name",
                "cert_manager_issuer", "requests_per_minute", "load_balancer")


def _gateway_args(config: PlatformConfig, built: CloudPlatform, settings: Any) -> dict[str, Any]:
    """`LlmGatewayArgs` from the `gateway:` section (`settings`)."""
    return {
        "oidc_issuer": settings.oidc_issuer,
        "jwks_uri": settings.jwks_uri,
        "audiences": settings.audiences,
        "team_claim": settings.team_claim,
        **({"hostname": settings.hostname} if settings.hostname else {}),
        **({"tls_secret_name": settings.tls_secret_name} if settings.tls_secret_name else {}),
        **({"cert_manager_issuer": settings.cert_manager_issuer} if settings.cert_manager_issuer else {}),
        "requests_per_minute": settings.requests_per_minute,
        "load_balancer": settings.load_balancer,
        "load_balancer_annotations": built.load_balancer_annotations[settings.load_balancer],
        "replicas": config.gateway_replicas,
        "labels": cost_labels(config.resource_tags),
    }


def observability(name: str, config: PlatformConfig, built: CloudPlatform,
                  gateway: LlmGateway | None) -> MetricsStack | GmpMonitoring | None:
    """The metrics stack with the platform's rules and dashboards, and the DCGM exporter where the cloud has no
    managed GPU metrics; the builder made the encrypted StorageClass (`addons["storage"]`)."""
    settings = config.observability
    if not settings.enabled:
        return None
    slo = settings.slo
    receivers = [{
        "name": r.name, "kind": r.kind, "severities": list(r.severities),
        "url": pulumi.Config(r.url_config_key.split(":", 1)[0]).require_secret(r.url_config_key.split(":", 1)[1]),
    } for r in settings.alert_receivers]
    labels = cost_labels(config.resource_tags)
    if settings.managed == "gmp":
        return _gmp(name, config, built, gateway, receivers, labels)
    if config.cloud == "gcp" and config.gpu_metrics == "managed":
        pulumi.log.warn(GKE_GPU_PANELS_WARNING, built.cluster)  # type: ignore[arg-type]
    stack = MetricsStack(name, {
        "storage_class_name": built.addons["storage"].storage_class_name,  # type: ignore[attr-defined]
        "retention_days": config.metrics_retention_days,
        "volume_gib": config.metrics_volume_gib,
        "alert_receivers": receivers,  # type: ignore[typeddict-item]
        "pool_max_nodes": {p.name: p.max_nodes for p in config.gpu_pools},
        "gpu_hour_prices": config.gpu_hour_prices,
        "idle_gpu_percent": slo.idle_gpu_percent,
        "idle_gpu_hours": slo.idle_gpu_hours,
        "team_429_ratio": slo.team_429_ratio,
        **({"gateway_namespace": gateway.namespace} if gateway is not None else {}),
        **({"remote_write": built.metrics_remote_write} if built.metrics_remote_write else {}),
        "platform_name": config.name,
        "opencost_prices": config.opencost_prices,
        "labels": labels,
        "protect": config.protect_stateful,
    }, pulumi.ResourceOptions.merge(built.k8s_opts, pulumi.ResourceOptions(
        depends_on=[built.addons["storage"], *([gateway] if gateway is not None else [])])))
    if config.gpu_metrics == "dcgm-exporter":
        built.addons["gpu_metrics"] = DcgmExporter(name, {"labels": labels}, pulumi.ResourceOptions.merge(
            built.k8s_opts, pulumi.ResourceOptions(depends_on=[stack.release])))
    if any(p.vendor == "aws-neuron" for p in config.gpu_pools):
        built.addons["neuron_metrics"] = NeuronMonitor(name, {"labels": labels}, pulumi.ResourceOptions.merge(
            built.k8s_opts, pulumi.ResourceOptions(depends_on=[stack.release])))
    built.service_outputs["observability"] = {
        "namespace": stack.namespace,
        **({"remoteWriteUrl": built.metrics_remote_write["url"]} if built.metrics_remote_write else {}),
    }
    return stack


#: GKE's managed DCGM sends GPU metrics to Managed Prometheus (Cloud Monitoring), not to an in-cluster Prometheus.
GKE_GPU_PANELS_WARNING = (
    "observability: GKE's managed DCGM sends GPU metrics to Google Cloud Managed Service for Prometheus, not to "
    "the in-cluster Prometheus of `platform.observability.managed: none`: the GPU and GPU-cost dashboards and the "
    "GPU alerts (GpuAllocatedIdle, GpuXidError, GpuFellOffBus, GpuMissingFromNode) stay empty there. Set "
    "`platform.observability.managed: gmp` to evaluate them on Managed Prometheus "
    "(docs/observability.md#gpu-metrics-on-gke).")


def _gmp(name: str, config: PlatformConfig, built: CloudPlatform, gateway: LlmGateway | None,
         receivers: list[dict[str, Any]], labels: dict[str, str]) -> GmpMonitoring:
    """GKE Managed Prometheus (the cluster's managed collection) instead of the in-cluster Prometheus."""
    slo = config.observability.slo
    stack = GmpMonitoring(name, {
        "alert_receivers": receivers,  # type: ignore[typeddict-item]
        "pool_max_nodes": {p.name: p.max_nodes for p in config.gpu_pools},
        "idle_gpu_percent": slo.idle_gpu_percent,
        "idle_gpu_hours": slo.idle_gpu_hours,
        "team_429_ratio": slo.team_429_ratio,
        **({"gateway_namespace": gateway.namespace} if gateway is not None else {}),
        "labels": labels,
        "protect": config.protect_stateful,
    }, pulumi.ResourceOptions.merge(built.k8s_opts, pulumi.ResourceOptions(
        depends_on=[*([gateway] if gateway is not None else [])])))
    built.service_outputs["observability"] = {"namespace": stack.namespace, "managed": "gmp"}
    return stack


def team(name: str, config: PlatformConfig, team: TeamConfig, built: CloudPlatform,
         gateway: LlmGateway | None) -> TeamNamespace:
    """A team's namespace, quota, policies, RBAC and cloud identity, scoped to the platform's services."""
    tags = config.team_tags(team)
    args: dict[str, object] = {
        "team": team.name,
        "gpus": team.gpus,
        "borrowing_limit": team.borrowing_limit,
        "accelerator_resources": config.accelerator_resources,
        "cpu": team.cpu,
        "memory": team.memory,
        "pods": team.pods,
        "persistent_volume_claims": team.persistent_volume_claims,
        "storage": team.storage,
        "members_group": team.members_group,
        "accelerators": team.accelerators,
        "identity": built.team_identity(team),
        "labels": cost_labels(tags),
        "tags": tags,
        "protect": config.protect_stateful,
    }
    if team.monthly_budget_usd is not None:
        args["monthly_budget_usd"] = team.monthly_budget_usd
    if gateway is not None:
        args["gateway_namespace"] = gateway.namespace
    args["autoscaler_namespace"] = d.KEDA_NAMESPACE
    if isinstance(built.vector_store, Qdrant):
        args["vector_store_namespace"] = built.vector_store.namespace
    return TeamNamespace(f"{name}-team-{team.name}", args,  # type: ignore[arg-type]
                         pulumi.ResourceOptions.merge(built.k8s_opts, built.cloud_opts))


def queue_flavors(built: CloudPlatform) -> list[dict[str, Any]]:
    """Kueue flavors from the GPU pools' node labels: one per accelerator model (a pool carries one model;
    `EksGpuNodePool` and `GkeGpuNodePool` refuse mixed ones), tolerating the pools' taints."""
    flavors: dict[str, dict[str, Any]] = {}
    for _, pool in sorted(built.gpu_pools.items()):
        model = pool.node_labels.get(ACCELERATOR_LABEL)
        if not model:
            continue
        flavor = flavors.setdefault(model, {"name": model.lower(), "model": model, "resource": pool.accelerator_resource,
                                            "node_labels": {ACCELERATOR_LABEL: model}, "tolerations": []})
        for taint in pool.node_taints:
            toleration = {"key": taint["key"], "operator": "Equal", "value": taint["value"], "effect": taint["effect"]}
            if toleration not in flavor["tolerations"]:
                flavor["tolerations"].append(toleration)
    return list(flavors.values())


def queues(name: str, config: PlatformConfig, built: CloudPlatform, teams: dict[str, TeamNamespace]) -> Kueue | None:
    """Kueue with a ClusterQueue per team in the platform's cohort and a LocalQueue in each team namespace."""
    if not config.teams:
        return None
    return Kueue(name, {
        "cohort": name,
        "flavors": queue_flavors(built),  # type: ignore[typeddict-item]
        "teams": [{
            "team": team.name, "namespace": teams[team.name].namespace, "namespace_name": team.namespace,
            "gpus": team.gpus, "borrowing_limit": team.borrowing_limit, "cpu": team.cpu, "memory": team.memory,
            "accelerators": team.accelerators,
            **({"lending_limit": team.lending_limit} if team.lending_limit is not None else {}),
        } for team in config.teams],
        "node_selector": built.system_node_selector,
        "labels": cost_labels(config.resource_tags),
    }, built.k8s_opts)


def autoscaling(name: str, config: PlatformConfig, built: CloudPlatform,
                teams: dict[str, TeamNamespace]) -> Keda | None:
    """KEDA and its HTTP add-on on the system nodes (the teams' model servers scale on vLLM's metrics and may sit
    at zero), with a ReferenceGrant per team namespace for routes through the add-on's interceptor."""
    if not config.teams:
        return None
    return Keda(name, {
        "teams": [{"team": team.name, "namespace": teams[team.name].namespace} for team in config.teams],
        "node_selector": built.system_node_selector,
        "interceptor_replicas": config.gateway_replicas,
        "labels": cost_labels(config.resource_tags),
    }, built.k8s_opts)


def outputs(built: CloudPlatform) -> dict[str, pulumi.Input[Any]]:
    """The platform's stack outputs: the cloud's own, the cluster, the GPU pools, the services."""
    cluster = built.cluster
    return {
        **built.outputs,
        "clusterName": cluster.cluster_name,
        "clusterEndpoint": cluster.endpoint,
        "kubeconfig": cluster.kubeconfig,
        "gpuPools": {
            pool_name: {
                "instanceTypes": pool.instance_types,
                "acceleratorResource": pool.accelerator_resource,
                "maxAccelerators": pool.max_accelerators,
            }
            for pool_name, pool in built.gpu_pools.items()
        },
        **built.service_outputs,
    }
