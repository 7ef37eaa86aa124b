"""One path grammar, one formatter, one `UserError` base for every bad input."""

from __future__ import annotations

import pulumi
import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from aiplatform.catalog import CatalogError
from aiplatform.config import ConfigError
from aiplatform.problems import (
    Problem,
    ProblemsError,
    UserError,
    format_problems,
    join,
    loc_path,
    problems_from_validation_error,
    raise_problems,
    validation_lines,
)


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int
    kind: str = "a"

    @model_validator(mode="after")
    def _cross(self) -> _Item:
        raise_problems([("size", "too big") for _ in [0] if self.size > 9] + [("", "whole item")] * (self.kind == "z"))
        return self


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[_Item]


def test_one_path_grammar():
    assert join("a", "b") == "a.b" and join("a", 0) == "a[0]" and join("a", "[1].c") == "a[1].c"
    assert join("", "b") == "b" and join("a", "") == "a"
    assert loc_path("platform", ("gpu_pools", 1, "name")) == "platform.gpu_pools[1].name"
    assert loc_path("", ("items", 0)) == "items[0]"


@pytest.mark.parametrize("loc", [("gpu_pools", 1, "name"), ("teams", 0, "accelerators", 2), ("network",), ("a", 0, 1, "b")])
def test_the_paths_problems_builds_are_the_paths_shape_reads(loc):
    """One grammar, two ends: `problems.loc_path` writes it (errors), `shape.paths.split_path` reads it (lookups)."""
    from aiplatform.shape.paths import split_path

    assert tuple(split_path(loc_path("", loc))) == loc


def test_one_formatter_for_every_file():
    with pytest.raises(ValidationError) as info:
        _Doc.model_validate({"items": [{"size": "x"}, {"size": 10}, {"size": 1, "kind": "z", "colour": 1}], "x": 1})
    found = [str(p) for p in problems_from_validation_error(info.value)]
    assert found == [
        "items[0].size: must be an integer (got 'x')",
        "items[1].size: too big",
        "items[2].colour: unknown key",
        "x: unknown key",
    ]
    assert str(problems_from_validation_error(info.value, "root")[0]).startswith("root.items[0].size: ")
    assert validation_lines(info.value, "f.yaml")[3] == "f.yaml: x: unknown key"
    assert format_problems("bad", [Problem("a", "b")]) == "bad (1 problem):\n  - a: b"
    assert str(Problem("", "whole")) == "whole"


def test_every_bad_input_error_is_a_user_error():
    error = ConfigError([Problem("platform.name", "required")], "stack dev")
    assert isinstance(error, UserError) and isinstance(error, ProblemsError) and isinstance(error, pulumi.RunError)
    assert str(error) == "invalid platform config in stack dev (1 problem):\n  - platform.name: required"
    assert error.problems == [Problem("platform.name", "required")] and error.source == "stack dev"
    assert issubclass(CatalogError, UserError)
