"""Cost guardrails: which accelerators, how many, and how they are bought."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import Severity

from ...cost.pools import INSTANCE_TYPE_HOLDERS, POOL_TYPES, accelerators_per_instance, instance_types, pool_of
from ...shape.props import is_unknown
from ...shape.resource import Resource
from ...shape.types import EC2_INSTANCE
from .._props import taggable_types
from .._rule import PRODUCTION_ENVIRONMENTS, resource_rule, stack_rule

#: Development-sized accelerator types: AWS families, GCP G2 (L4) and N1 (attached T4s).
DEV_SIZED = ["g4dn.*", "g5.*", "g6.*", "g6e.*", "inf2.*", "g2-*", "n1-*"]


def per_environment(config: Mapping[str, Any], key: str, resource: Resource) -> Any:
    """A per-environment setting: the resource's `environment` entry, else `*` (the strictest default)."""
    table = config[key]
    env = resource.environment
    return table[env] if env is not None and env in table else table.get("*")


def _per_env_schema(description: str, value_schema: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": value_schema,
        "default": default,
        "description": description + " Keys are values of the `environment` tag; `*` applies to any other.",
    }


@resource_rule(
    "aip-cost-accelerator-allowed",
    area="cost",
    severity=Severity.HIGH,
    types=INSTANCE_TYPE_HOLDERS,
    description="Accelerator instance types must be on the allow-list of the resource's environment.",
    why="An 8-GPU training instance in a development account costs more per day than the rest of the "
        "environment per month; the allow-list keeps large accelerators where they are budgeted.",
    remediation="Use an instance type the environment allows (see `allowedInstanceTypes`), or extend the "
                "allow-list in the policy config with the platform team's approval.",
    config={"allowedInstanceTypes": _per_env_schema(
        "Allowed accelerator instance types (glob patterns) per environment.",
        {"type": "array", "items": {"type": "string"}},
        {"prod": ["*"], "production": ["*"], "*": DEV_SIZED},
    ), **PRODUCTION_ENVIRONMENTS},
)
def accelerator_allowed(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    allowed = per_environment(config, "allowedInstanceTypes", resource) or []
    env = resource.environment or "an untagged environment"
    pool = pool_of(resource)
    for itype in instance_types(resource):
        carried = pool.per_node(itype) if pool is not None else accelerators_per_instance(itype)
        if carried and not any(fnmatchcase(itype, p) for p in allowed):
            yield f"{itype} is not allowed in {env} (allowed: {', '.join(allowed) or 'none'})"


@resource_rule(
    "aip-cost-pool-max-accelerators",
    area="cost",
    severity=Severity.HIGH,
    types=POOL_TYPES,
    description="A node pool may not scale beyond the accelerator limit of its environment.",
    why="`maxSize` is what an autoscaler may buy on a busy day; the limit caps the worst-case bill of one pool.",
    remediation="Lower `maxSize` (or use an instance type with fewer accelerators), or raise "
                "`maxAcceleratorsPerPool` for the environment in the policy config.",
    config={"maxAcceleratorsPerPool": _per_env_schema(
        "Most accelerators one pool may reach (`maxSize` x accelerators per instance).",
        {"type": "number", "minimum": 0},
        {"prod": 64, "production": 64, "*": 8},
    ), **PRODUCTION_ENVIRONMENTS},
)
def pool_max_accelerators(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    pool = pool_of(resource)
    if pool is None or not pool.accelerated or pool.max_accelerators is None:
        return
    limit = per_environment(config, "maxAcceleratorsPerPool", resource)
    if limit is not None and pool.max_accelerators > limit:
        yield (f"can reach {pool.max_accelerators:g} accelerators (maxSize {pool.max_size:g} x "
               f"{', '.join(pool.accelerator_types())}); the limit is {limit:g}")


@stack_rule(
    "aip-cost-stack-max-accelerators",
    area="cost",
    severity=Severity.HIGH,
    description="All node pools of a stack together may not scale beyond the stack's accelerator limit.",
    why="Pools that are each within limits can still add up to a bill nobody planned for.",
    remediation="Lower the `maxSize` of some pools, or raise `maxAcceleratorsPerStack` in the policy config.",
    reads=POOL_TYPES,
    config={"maxAcceleratorsPerStack": _per_env_schema(
        "Most accelerators all pools of one environment in a stack may reach together.",
        {"type": "number", "minimum": 0},
        {"prod": 256, "production": 256, "*": 16},
    ), **PRODUCTION_ENVIRONMENTS},
)
def stack_max_accelerators(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    by_env: dict[str | None, list[tuple[Resource, float]]] = {}
    for resource in resources:
        if resource.type not in POOL_TYPES:
            continue
        pool = pool_of(resource)
        if pool is not None and pool.accelerated and pool.max_accelerators:
            by_env.setdefault(resource.environment, []).append((resource, pool.max_accelerators))
    for env, pools in by_env.items():
        total = sum(n for _, n in pools)
        limit = per_environment(config, "maxAcceleratorsPerStack", pools[0][0])
        if limit is not None and total > limit:
            biggest = sorted(pools, key=lambda p: -p[1])[:3]
            names = ", ".join(f"{r.name} ({n:g})" for r, n in biggest)
            yield None, (f"the pools of {env or 'an untagged environment'} can reach {total:g} accelerators "
                         f"together; the limit is {limit:g}. Largest: {names}")


def _non_production_gpu_pool(resource: Resource, config: Mapping[str, Any]) -> Any:
    """The pool, when the resource is an accelerator pool outside production (untagged counts as outside)."""
    if resource.is_production(config):
        return None
    pool = pool_of(resource)
    return pool if pool is not None and pool.accelerated else None


@resource_rule(
    "aip-cost-gpu-scale-to-zero",
    area="cost",
    severity=Severity.HIGH,
    types=POOL_TYPES - {EC2_INSTANCE},
    description="Outside production, accelerator pools must be able to scale to zero (`minSize` 0).",
    why="An idle GPU node costs the same as a busy one; development pools should cost nothing overnight.",
    remediation="Set the pool's minimum to 0 and let the cluster autoscaler add nodes when pods ask for "
                "accelerators, or suppress with a reason if a warm node is needed.",
    config=dict(PRODUCTION_ENVIRONMENTS),
)
def gpu_scale_to_zero(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    pool = _non_production_gpu_pool(resource, config)
    if pool is not None and pool.min_size is not None and pool.min_size > 0:
        yield f"minSize is {pool.min_size:g}; outside production accelerator pools must scale to zero"


@resource_rule(
    "aip-cost-gpu-spot-required",
    area="cost",
    severity=Severity.HIGH,
    types=POOL_TYPES,
    description="Outside production, accelerator capacity must be spot or a capacity block, not on-demand.",
    why="Spot GPU capacity is typically 60-70% cheaper than on-demand; capacity blocks are reserved at a "
        "known price. On-demand accelerators outside production are the most expensive way to experiment.",
    remediation="Set the pool's capacity type to SPOT (or CAPACITY_BLOCK with a reservation), or suppress "
                "with a reason and an expiry date.",
    config=dict(PRODUCTION_ENVIRONMENTS),
)
def gpu_spot_required(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    pool = _non_production_gpu_pool(resource, config)
    if pool is not None and pool.capacity == "on-demand":
        yield "buys accelerators on demand; outside production use spot or a capacity block"


@resource_rule(
    "aip-cost-required-tags",
    area="cost",
    severity=Severity.HIGH,
    types=frozenset(taggable_types()),
    description="Every taggable resource carries the cost-allocation tags in its own props.",
    why="Cost reports split spend by these tags; a resource without them is spend nobody owns. Provider "
        "default tags are not enough: they are invisible to the policy analyzer and to cost tools reading the plan.",
    remediation="Set the tags on the resource (aiplatform components do this from the platform's `tags`).",
    config={"requiredTags": {
        "type": "array", "items": {"type": "string"}, "default": ["team", "cost-center", "environment"],
        "description": "Tag (or label) keys every taggable resource must set.",
    }},
    tags=("tagging",),
)
def required_tags(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    tags = resource.tags
    if is_unknown(tags):
        return
    tags = tags if isinstance(tags, dict) else {}
    missing = [key for key in config["requiredTags"] if tags.get(key) in (None, "")]
    if missing:
        yield f"missing tags: {', '.join(missing)}"
