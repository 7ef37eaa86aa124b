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
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..files import read_yaml, safe_load
from ..problems import join, raise_problems, validation_lines
from .errors import PlanInputError


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


def _shape_problems(given: Any, builtin: Any, path: str) -> list[tuple[str, str]]:
    """Where a user's up-mode output has another shape than the built-in one it replaces (the SDK reads that shape)."""
    if builtin is None or given is None:
        return []
    if _kind(given) != _kind(builtin):
        return [(path, f"must be {_kind(builtin)}, like the built-in output (got {_kind(given)})")]
    found: list[tuple[str, str]] = []
    if isinstance(builtin, dict):
        for key in [k for k in given if k in builtin]:
            found += _shape_problems(given[key], builtin[key], join(path, key))
    elif isinstance(builtin, list) and builtin:
        for i, item in enumerate(given):
            found += _shape_problems(item, builtin[0], join(path, i))
    return found


def _non_finite(value: Any, path: str) -> list[tuple[str, str]]:
    """Where a fixture value holds NaN or an infinity (no JSON, no SDK value takes one)."""
    found: list[tuple[str, str]] = []
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            found.append((where, f"{item} is not a finite number"))
        elif isinstance(item, dict):
            stack += [(v, join(where, str(k))) for k, v in item.items()]
        elif isinstance(item, list):
            stack += [(v, join(where, i)) for i, v in enumerate(item)]
    return sorted(found)


class InvokeCase(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    args: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any]


class Fixtures(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    invokes: dict[str, dict[str, Any] | list[InvokeCase]] = Field(default_factory=dict)
    stack_references: dict[str, dict[str, Any]] = Field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _values(self) -> Fixtures:
        found: list[tuple[str, str]] = []
        for field in ("invokes", "stack_references", "outputs"):
            found += _non_finite(getattr(self, field) if field != "invokes" else
                                 {k: v if isinstance(v, dict) else [c.model_dump() for c in v]
                                  for k, v in self.invokes.items()}, field)
        builtin = default_outputs()
        for type_, outputs in self.outputs.items():
            found += _shape_problems(outputs, builtin.get(type_), join("outputs", type_))
        raise_problems(found)
        return self

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
    data = read_yaml(path, "fixtures", PlanInputError) or {}
    try:
        return Fixtures.model_validate(data)
    except ValidationError as exc:
        raise PlanInputError("\n".join(validation_lines(exc, str(path)))) from None


@lru_cache(maxsize=1)
def default_outputs() -> dict[str, dict[str, Any]]:
    text = resources.files("aiplatform.offline").joinpath("default_outputs.yaml").read_text(encoding="utf-8")
    return safe_load(text)  # libyaml when available: the same data, see files.safe_load


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
