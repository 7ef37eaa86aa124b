"""Estimates of plans (`aiplatform plan --format json`) and reading a `--baseline` back."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..files import read_json
from ..problems import UserError
from ..shape.plan import Plan
from ..shape.props import reveal
from ..shape.resource import Resource
from .estimate import USAGE_FIELDS, estimate_resources
from .model import Estimate
from .usage import Usage


class BaselineError(UserError, ValueError):
    """A `--baseline` file that is missing, not JSON, not an estimate or plan, or (for `check`) a plan of
    another stack."""


_STR, _OPT_STR, _BOOL = (str,), (str, type(None)), (bool,)
#: The plan contract's fields (docs/plan-json.md) and the JSON types each takes; absent is allowed where optional.
_PLAN_FIELDS = {"project": _STR, "stack": _STR, "mode": _STR, "resources": (list,), "outputs": (dict,),
                "diagnostics": (list,)}
_RESOURCE_FIELDS = {"urn": _STR, "type": _STR, "name": _STR, "custom": _BOOL, "parent": _OPT_STR,
                    "provider": _OPT_STR, "protect": _BOOL, "dependencies": (list,), "inputs": (dict,),
                    "source": (dict, type(None)), "propertyDependencies": (dict,), "ignoreChanges": (list,),
                    "aliases": (list,), "deleteBeforeReplace": _BOOL, "retainOnDelete": _BOOL,
                    "outputs": (dict, type(None))}
_REQUIRED = {"project", "stack", "mode", "resources", "urn", "type", "name", "custom"}


def _field_problems(row: dict[str, Any], fields: dict[str, tuple[type, ...]], where: str) -> list[str]:
    found = []
    for key, types in fields.items():
        if key not in row:
            if key in _REQUIRED:
                found.append(f"{where}{key}: required")
        elif not isinstance(row[key], types):
            found.append(f"{where}{key}: must be {' or '.join(t.__name__ for t in types)} "
                         f"(got {type(row[key]).__name__})")
    return found


def plan_problems(data: Any) -> list[str]:
    """What keeps a JSON document from being a plan of `aiplatform plan --format json`, with paths."""
    if not isinstance(data, dict):
        return [f"a JSON object (got {type(data).__name__})"]
    found = _field_problems(data, _PLAN_FIELDS, "")
    for i, row in enumerate(data.get("resources") if isinstance(data.get("resources"), list) else []):
        if not isinstance(row, dict):
            found.append(f"resources[{i}]: a resource object (got {type(row).__name__})")
        else:
            found += _field_problems(row, _RESOURCE_FIELDS, f"resources[{i}].")
    for i, row in enumerate(data.get("diagnostics") if isinstance(data.get("diagnostics"), list) else []):
        if not isinstance(row, dict) or not isinstance(row.get("severity"), str) or not isinstance(row.get("message"), str):
            found.append(f"diagnostics[{i}]: an object with a severity and a message")
    return found


def parse_plan(data: Any, origin: str, error: type[UserError]) -> Plan:
    """A plan JSON document read back (`aiplatform plan --format json`), or `error` naming every problem."""
    found = plan_problems(data)
    if not found:
        try:
            return Plan.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            found = [str(exc)]
    raise error("\n".join([f"{origin}: not a plan from `aiplatform plan --format json`:"]
                          + [f"  - {p}" for p in found]))


def resources_of(plan: Plan) -> list[Resource]:
    """The plan's resources as the guardrails see them (provider props attached, secrets revealed)."""
    index = plan.by_urn()
    out = []
    for r in plan.resources:
        provider = index.get(r.provider or "")
        out.append(Resource(
            type=r.type, urn=r.urn, name=r.name, props=reveal(r.inputs),
            provider_type=provider.type if provider else None,
            provider_props=reveal(provider.inputs) if provider else None,
            parent=r.parent, property_dependencies=dict(r.property_dependencies),
        ))
    return out


def estimate_plan(plan: Plan, usage: Usage | None = None, region: str | None = None) -> Estimate:
    """Price a plan. A usage file must name resources of this plan (checked here)."""
    if usage is not None:
        usage.check_against([(r.urn, r.name, r.type) for r in plan.resources], fields_by_type=USAGE_FIELDS)
    return estimate_resources(resources_of(plan), project=plan.project, stack=plan.stack, usage=usage, region=region)


def load_baseline(path: str | Path, usage: Usage | None = None) -> Estimate:
    """An earlier `aiplatform cost --format json`, or a plan JSON (priced now, with the same usage file)."""
    data = read_json(path, "baseline", BaselineError)
    if not isinstance(data, dict):
        raise BaselineError(f"{path}: expected a JSON object from `aiplatform cost --format json` or a plan")
    if data.get("kind") == "aiplatform-cost":
        try:
            estimate = Estimate.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BaselineError(f"{path}: not a valid cost estimate: {exc}") from None
        bad = [f"lineItems[{i}]" for i, item in enumerate(estimate.items)
               if not all(math.isfinite(x) for t in (item.quantity, item.monthly) for x in (t.idle, t.expected, t.peak))
               or (item.unit_price is not None and not math.isfinite(item.unit_price))]
        if bad:
            raise BaselineError(f"{path}: not a valid cost estimate: {', '.join(bad)}: numbers must be finite")
        return estimate
    if "resources" in data and "stack" in data:
        plan = parse_plan(data, str(path), BaselineError)
        return estimate_resources(resources_of(plan), project=plan.project, stack=plan.stack, usage=usage)
    raise BaselineError(f"{path}: neither `aiplatform cost --format json` output (kind: aiplatform-cost) nor a plan "
                        "from `aiplatform plan --format json`")
