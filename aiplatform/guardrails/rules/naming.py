"""Physical names the cloud accepts: length, characters, and no two resources sharing one.

Reads the catalog's name rules (`catalog/data/name_rules.yaml`): the property of each type's
physical name, its prefix property, its limits and whether Pulumi autonames it. The platform's
components fit their derived names (`catalog.names`); this rule also guards what a team writes
by hand, where the cloud would refuse the name only during `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...catalog.names import name_problems, name_rules
from ...shape.props import is_unknown
from ...shape.resource import Resource
from ...shape.types import EKS_NODE_GROUP, GKE_NODE_POOL, HELM_RELEASE
from .._rule import stack_rule

AREA = "naming"

#: Types whose names are unique per namespace (Kubernetes) or per cluster (node pools); others per account/project.
_SCOPES = {EKS_NODE_GROUP: "clusterName", GKE_NODE_POOL: "cluster"}


def _scope(resource: Resource) -> str:
    if resource.type.startswith("kubernetes:"):
        namespace = resource.get("namespace" if resource.type == HELM_RELEASE else "metadata.namespace", None)
        return namespace if isinstance(namespace, str) else "default"
    key = _SCOPES.get(resource.type)
    value = resource.get(key, None) if key else None
    return value if isinstance(value, str) and not is_unknown(value) else ""


@stack_rule(
    "aip-naming-cloud-limits",
    area="naming",
    severity=Severity.HIGH,
    reads=frozenset(name_rules().rules),
    description="Every physical name fits its cloud's length limit and character set, and no two resources of a "
                "type share one.",
    why="A name the cloud refuses fails `pulumi up` after part of the platform exists; Pulumi's autoname adds 8 "
        "characters and a provider's prefix suffix 26, so a name that looks short enough in config may not be. "
        "Two resources truncated to the same name collide (one overwrites or blocks the other).",
    remediation="Shorten the platform, pool, team or family name the physical name derives from, or set the "
                "resource's name explicitly within the limit (see the rule's source in "
                "aiplatform/catalog/data/name_rules.yaml).",
    config={},
    tags=("deployability",),
)
def cloud_limits(resources: list[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    rules = name_rules().rules
    seen: dict[tuple[str, str, str], str] = {}
    for resource in resources:
        if resource.type not in rules:
            continue
        for problem in name_problems(resource.type, resource.props, resource.name, is_unknown):
            yield resource.urn, f"{rules[resource.type].property}: {problem}"
        rule = rules[resource.type]
        explicit = resource.get(rule.property, None)
        if isinstance(explicit, str) and not is_unknown(explicit):
            key = (resource.type, _scope(resource), explicit)
            if key in seen:
                yield resource.urn, f"{rule.property} {explicit!r} is also the name of {seen[key]}"
            else:
                seen[key] = resource.urn
