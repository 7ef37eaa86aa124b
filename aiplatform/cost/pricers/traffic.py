"""Usage defaults that read more than one resource: the gateway's access logs (from its rate limit and
replicas), flow logs and inter-zone traffic (from the stack's node counts).

The lines themselves belong to the resources that are billed (the cluster, the subnetwork); this module
only works out their default volumes (`usage_defaults.py` holds the figures).
"""

from __future__ import annotations

from ...shape.props import as_number
from ...shape.resource import Resource
from ..model import Triple
from ..pools import pool_of
from ..pricing import Context
from ..usage_defaults import (
    ACCESS_LOG_BYTES_PER_REQUEST,
    ACCESS_LOG_LIMIT_SHARE,
    FLOW_LOG_GB_PER_NODE,
    INTER_ZONE_GB_PER_NODE,
    access_log_gb,
)
from .pools import pool_sizes

ENVOY = "kubernetes:gateway.envoyproxy.io/v1alpha1:"


def stack_nodes(ctx: Context) -> Triple | None:
    """Nodes of every node pool of the stack (idle, expected, peak); None when a pool's size is unknown."""
    total = Triple()
    for r in ctx.index.values():
        pool = pool_of(r)
        if pool is None:
            continue
        sizes = pool_sizes(r, ctx, pool)
        if isinstance(sizes, str):
            return None
        total = total + sizes[0]
    return total


def gateway_access_logs(ctx: Context) -> tuple[float, str] | None:
    """(monthly GB, how) of the gateway's access logs: its Gateway-wide local rate limit x its Envoy replicas."""
    limit = replicas = None
    for r in ctx.index.values():
        if r.type == ENVOY + "BackendTrafficPolicy" and _targets_gateway(r):
            rules = r.get("spec.rateLimit.local.rules")
            if isinstance(rules, list) and rules and isinstance(rules[0], dict):
                per = rules[0].get("limit") or {}
                if isinstance(per, dict) and per.get("unit") == "Minute":
                    limit = as_number(per.get("requests"))
        elif r.type == ENVOY + "EnvoyProxy":
            replicas = as_number(r.get("spec.provider.kubernetes.envoyDeployment.replicas"))
    if limit is None:
        return None
    replicas = replicas or 1.0
    return access_log_gb(limit, replicas), (f"gateway access logs: {ACCESS_LOG_LIMIT_SHARE:.0%} of its limit of "
                                            f"{limit:g} requests a minute x {replicas:g} Envoy replicas, "
                                            f"{ACCESS_LOG_BYTES_PER_REQUEST / 1000:g} KB a request")


def _targets_gateway(r: Resource) -> bool:
    refs = r.get("spec.targetRefs")
    return isinstance(refs, list) and any(isinstance(t, dict) and t.get("kind") == "Gateway" for t in refs)


def flow_logs(r: Resource, ctx: Context) -> tuple[float, str] | None:
    """(monthly GB, how) of a subnetwork's flow logs: its sampling x the stack's expected nodes."""
    sampling = as_number(r.get("logConfig.flowSampling"))
    nodes = stack_nodes(ctx)
    if sampling is None or nodes is None or nodes.expected <= 0:
        return None
    return (FLOW_LOG_GB_PER_NODE * sampling * nodes.expected,
            f"flow logs: {FLOW_LOG_GB_PER_NODE:g} GB per node at full sampling x {sampling:g} x "
            f"{nodes.expected:g} expected nodes")


def inter_zone(ctx: Context, zones: int) -> tuple[float, str] | None:
    """(monthly GB, how) crossing zones: the stack's expected nodes when they span more than one zone."""
    nodes = stack_nodes(ctx)
    if zones < 2 or nodes is None or nodes.expected <= 0:
        return None
    return (INTER_ZONE_GB_PER_NODE * nodes.expected,
            f"inter-zone traffic: {INTER_ZONE_GB_PER_NODE:g} GB per expected node ({nodes.expected:g}) over {zones} zones")
