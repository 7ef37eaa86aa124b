"""The versioned `aiplatform` stack output: everything a team stack reads (`aiplatform.platform_ref`).

Fields are only added within a major version (`CONTRACT_VERSION`); docs/teams.md lists them.
The name and version live in `aiplatform.labels`, shared with the reader, which imports neither
the facade nor a builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..components._base import cost_labels
from ..components.kubernetes import LlmGateway, TeamNamespace
from ..config import PlatformConfig
from ..labels import CONTRACT_VERSION, OUTPUT_NAME
from .builder import Cluster


def contract(config: PlatformConfig, *, cluster: Cluster, gateway: LlmGateway | None, model_registry: Any,
             registry_uri: pulumi.Input[str] | None, vector_store: Mapping[str, Any] | None,
             teams: Mapping[str, TeamNamespace]) -> dict[str, Any]:
    """The `aiplatform` stack output. `vector_store` is the platform's `vectorStore` output, if any."""
    gateway_out = None
    if gateway is not None:
        ref = gateway.ref
        gateway_out = {
            "namespace": ref["namespace"],
            "gatewayName": ref["gateway_name"],
            "hostname": config.gateway.hostname if config.gateway else None,
            "oidcIssuer": ref["oidc_issuer"],
            "jwksUri": ref["jwks_uri"],
            "audiences": list(ref.get("audiences") or []),
            "teamClaim": ref["team_claim"],
            "requestsPerMinute": ref["requests_per_minute"],
        }
    registry = None
    if model_registry is not None:
        registry = {
            "uri": registry_uri,
            "bucketName": model_registry.bucket_name,
            "repositoryUrl": model_registry.repository_url,
        }
    store = None
    if isinstance(vector_store, Mapping):
        store = {"kind": vector_store["kind"], "endpoint": vector_store["endpoint"]}
    team_out = {}
    for team in config.teams:
        ns = teams[team.name]
        team_out[team.name] = {
            "namespace": ns.namespace,
            "serviceAccount": ns.service_account_name,
            "roleArn": ns.role_arn,
            "googleServiceAccount": ns.google_service_account,
            "gpuQuota": team.gpus,
            "registryPrefix": ns.registry_prefix,
            "accelerators": list(team.accelerators),
            "monthlyBudgetUsd": team.monthly_budget_usd,
            "labels": cost_labels(config.team_tags(team)),
        }
    return {
        "version": CONTRACT_VERSION,
        "platform": config.name,
        "cloud": config.cloud,
        "region": config.region,
        "environment": config.environment,
        "cluster": {"name": cluster.cluster_name, "kubeconfig": cluster.kubeconfig},
        "acceleratorResources": config.accelerator_resources,
        "gateway": gateway_out,
        "modelRegistry": registry,
        "vectorStore": store,
        "teams": team_out,
    }


__all__ = ["CONTRACT_VERSION", "OUTPUT_NAME", "contract"]
