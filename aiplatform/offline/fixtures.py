"""Fixtures: what the offline engine answers for invokes, stack references and (up mode) outputs.

A fixtures file (YAML or JSON):

    invokes:                      # token -> result, or a list of {args, result} matched on args
      aws:index/getCallerIdentity:getCallerIdentity: {accountId: "111122223333"}
    stack_references:             # fully qualified stack name -> its outputs
      acme/aiplatform/aws-prod: {clusterName: ml-prod}
    outputs:                      # up mode: outputs per resource type (over the built-in ones)
      aws:eks/cluster:Cluster: {endpoint: https://example.eks.amazonaws.com}

An invoke with no fixture is an error naming its token; never a silent `{}`.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..problems import validation_lines
from .errors import PlanInputError


class InvokeCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    args: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any]


class Fixtures(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invokes: dict[str, dict[str, Any] | list[InvokeCase]] = Field(default_factory=dict)
    stack_references: dict[str, dict[str, Any]] = Field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        entry = self.invokes.get(token)
        if entry is None:
            raise UnmockedInvokeError(
                f"invoke {token} has no fixture: add it under `invokes:` in the fixtures file "
                f"(called with {json.dumps(args, sort_keys=True)})"
            )
        if isinstance(entry, dict):
            return entry
        for case in entry:
            if all(args.get(k) == v for k, v in case.args.items()):
                return case.result
        raise UnmockedInvokeError(
            f"invoke {token}: no fixture case matches args {json.dumps(args, sort_keys=True)}"
        )

    def stack_reference(self, name: str) -> dict[str, Any]:
        if name not in self.stack_references:
            known = ", ".join(sorted(self.stack_references)) or "none"
            raise UnmockedInvokeError(
                f"stack reference {name!r} has no fixture: add its outputs under `stack_references:` "
                f"in the fixtures file (have: {known})"
            )
        return self.stack_references[name]

    def up_outputs(self, type_: str, name: str, region: str, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
        """Outputs of a resource in up mode: built-in per type, then the user's."""
        fields = {"name": name, "region": region}
        for key in ("project", "accountId", "keyRing"):  # GCP outputs that repeat an input
            value = (inputs or {}).get(key)
            fields[key] = value if isinstance(value, str) else name
        out = _render(copy.deepcopy(default_outputs().get(type_, {})), fields)
        out.update(copy.deepcopy(self.outputs.get(type_, {})))
        return out


class UnmockedInvokeError(PlanInputError):
    """An invoke or stack reference the fixtures do not answer."""


def load_fixtures(path: str | Path | None) -> Fixtures:
    if path is None:
        return Fixtures()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PlanInputError(f"{path}: cannot read fixtures: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PlanInputError(f"{path}: fixtures are not valid YAML or JSON: {exc}") from None
    try:
        return Fixtures.model_validate(data)
    except ValidationError as exc:
        raise PlanInputError("\n".join(validation_lines(exc, str(path)))) from None


@lru_cache(maxsize=1)
def default_outputs() -> dict[str, dict[str, Any]]:
    text = resources.files("aiplatform.offline").joinpath("default_outputs.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _render(value: Any, fields: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, text in fields.items():
            value = value.replace(f"{{{key}}}", text)
        return value
    if isinstance(value, dict):
        return {k: _render(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, fields) for v in value]
    return value
