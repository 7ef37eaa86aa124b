"""Estimates of plans (`aiplatform plan --format json`) and reading a `--baseline` back."""

from __future__ import annotations

from pathlib import Path

from ..problems import UserError, read_json
from ..shape.plan import Plan
from ..shape.props import reveal
from ..shape.resource import Resource
from .estimate import USAGE_FIELDS, estimate_resources
from .model import Estimate
from .usage import Usage


class BaselineError(UserError, ValueError):
    """The baseline file is neither a cost estimate nor a plan."""


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
            return Estimate.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"{path}: not a valid cost estimate: {exc}") from None
    if "resources" in data and "stack" in data:
        try:
            plan = Plan.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"{path}: not a valid plan: {exc!r}") from None
        return estimate_resources(resources_of(plan), project=plan.project, stack=plan.stack, usage=usage)
    raise BaselineError(f"{path}: neither `aiplatform cost --format json` output (kind: aiplatform-cost) nor a plan "
                        "from `aiplatform plan --format json`")
