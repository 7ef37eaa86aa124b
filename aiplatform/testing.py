"""Public helpers to plan and test Pulumi programs offline, with pytest or anything else.

    from aiplatform.testing import plan_program, plan_project

    def test_pool_scales_to_zero():
        plan = plan_program(lambda: EksGpuNodePool("gpu", {...}))
        group = plan.find("aws:eks/nodeGroup:NodeGroup")
        assert group.get("scalingConfig.minSize") == 0

`plan_project` runs a project's `__main__.py` for a stack in a subprocess;
`plan_program` runs a callable in this process (fast, for components).
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from .offline import Fixtures, Plan, PlanInputError, PlannedResource, ProgramError, plan_project, reveal, run_program
from .offline.modes import Mode
from .scheduling import unschedulable

__all__ = [
    "Plan",
    "PlanInputError",
    "PlannedResource",
    "ProgramError",
    "golden_plan",
    "kubernetes_manifests",
    "plan_program",
    "plan_project",
    "reveal",
    "taggable",
    "unschedulable",
    "untagged",
]


def plan_program(
    program: Callable[[], Any],
    *,
    config: dict[str, Any] | None = None,
    project: str = "test",
    stack: str = "test",
    mode: Mode | str = "preview",
    fixtures: Fixtures | dict[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
) -> Plan:
    """Run `program` offline in this process and return its plan.

    `secret_keys` names the config keys that are secret (`secure:` in a stack file).

    `config` maps full keys (`"aiplatform:platform"`) to values; structures are
    passed as JSON, as the Pulumi CLI does.
    """
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()}
    if isinstance(fixtures, dict):
        fixtures = Fixtures.model_validate(fixtures)
    return run_program(program, project=project, stack=stack, config=encoded, secret_keys=list(secret_keys), mode=mode, fixtures=fixtures,
                       root=Path.cwd())


def golden_plan(plan: Plan) -> dict[str, Any]:
    """The plan normalised for a snapshot: what a change to the program really changes, nothing else.

    Resources sorted by URN, `dependencies` and each property's dependencies sorted, source
    positions dropped (they move with any edit of the program); inputs, outputs, parents,
    providers, protection, aliases and diagnostics kept. Compare `json.dumps(..., sort_keys=True)`.
    """
    data = plan.to_dict()
    resources = []
    for row in sorted(data["resources"], key=lambda r: r["urn"]):
        row = dict(row)
        row.pop("source", None)
        row["dependencies"] = sorted(row["dependencies"])
        row["propertyDependencies"] = {k: sorted(v) for k, v in row["propertyDependencies"].items()}
        resources.append(row)
    data["resources"] = resources
    data["diagnostics"] = sorted(data["diagnostics"], key=lambda d: json.dumps(d, sort_keys=True))
    return data


@cache
def taggable(type_token: str) -> bool:
    """Whether a resource type accepts `tags` (AWS) or `labels` (GCP), read from the installed provider SDK."""
    from .guardrails._props import taggable_types

    if type_token in taggable_types():  # includes GKE's resourceLabels, which the SDK check cannot see
        return True
    package, module, name = type_token.split(":")
    sdk = {"aws": "pulumi_aws", "gcp": "pulumi_gcp"}.get(package)
    if sdk is None:
        return False
    module_path = module.split("/")[0]
    try:
        mod = importlib.import_module(sdk if module_path == "index" else f"{sdk}.{module_path}")
    except ImportError:
        return False
    cls = getattr(mod, name, None)
    if cls is None or not hasattr(cls, "_internal_init"):
        return False
    params = inspect.signature(cls._internal_init).parameters
    return "tags" in params or "labels" in params


def untagged(plan: Plan, required: Iterable[str] = ("team", "cost-center", "environment")) -> list[str]:
    """URNs of taggable custom resources missing one of the `required` tags, with what is missing."""
    from .shape.props import tags_of

    problems = []
    for resource in plan.resources:
        if not resource.custom or resource.is_provider or not taggable(resource.type):
            continue
        found = tags_of(reveal(resource.inputs))
        tags = found if isinstance(found, dict) else {}
        missing = [key for key in required if key not in tags]
        if missing:
            problems.append(f"{resource.urn}: missing {', '.join(missing)}")
    return problems


#: API groups Kubernetes itself serves; objects of other groups are custom resources (CRDs).
BUILTIN_API_GROUPS = frozenset({
    "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apps", "autoscaling", "batch",
    "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io", "resource.k8s.io",
    "scheduling.k8s.io", "storage.k8s.io",
})


def api_group(manifest: dict[str, Any]) -> str:
    version = str(manifest.get("apiVersion", ""))
    return version.rpartition("/")[0]


def kubernetes_manifests(plan: Plan, *, custom: bool = False) -> list[tuple[PlannedResource, dict[str, Any]]]:
    """Every Kubernetes object in the plan, as a manifest (secrets revealed).

    Objects of built-in kinds by default (what the official schemas validate); `custom=True`
    returns only the custom resources (Gateway API, Envoy Gateway, ...).
    """
    out = []
    for resource in plan.resources:
        if not resource.type.startswith("kubernetes:") or resource.type.startswith("kubernetes:helm.sh"):
            continue
        if resource.is_provider:
            continue
        manifest = reveal(resource.inputs)
        if ("apiVersion" in manifest and "kind" in manifest
                and (api_group(manifest) not in BUILTIN_API_GROUPS) == custom):
            out.append((resource, manifest))
    return out
