"""`shape.pretty.dumps` writes `json.dumps(value, indent=N)`'s text, byte for byte, or leaves the value to it."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from enum import IntEnum

import pytest

from aiplatform.shape import pretty


class Text(str):
    pass


class Number(float):
    def __repr__(self) -> str:  # json.dumps spells a float with float.__repr__, not the subclass's
        return "number"


class Level(IntEnum):
    HIGH = 3


ODD = {
    "empty": [{}, [], (), {"a": {}}, [[], [{}]]],
    "numbers": [0, -1, 2**80, 1.5, -0.0, 1e300, 1e-310, math.nan, math.inf, -math.inf, Number(2.5), Level.HIGH],
    "strings": ["", "ascii", "ünï\u2028code \U0001f600", "quote\"back\\slash\nnew\ttab\x00", Text("sub")],
    "constants": [True, False, None],
    "keys": {7: "int", 2.5: "float", True: "true", False: "false", None: "null", Text("k"): "str subclass",
             Level.HIGH: "int enum", math.inf: "inf"},
    "containers": [("tuple", 1), OrderedDict(b=1, a=2), [[[["deep"]]]]],
}


@pytest.mark.parametrize("indent", [0, 1, 2, 4])
@pytest.mark.parametrize("value", [ODD, [], {}, "top", 3, 1.25, None, True, [1, [2, [3]]], {"k": [None]}])
def test_the_same_text_as_json(value, indent):
    assert pretty.dumps(value, indent) == json.dumps(value, indent=indent)


def test_what_it_does_not_spell_is_json_dumps_own():
    with pytest.raises(TypeError) as ours:
        pretty.dumps({"a": [1, {2, 3}]})
    with pytest.raises(TypeError) as theirs:
        json.dumps({"a": [1, {2, 3}]}, indent=2)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match="keys must be str"):
        pretty.dumps({(1, 2): "tuple key"})
    loop: list = []
    loop.append([loop])
    with pytest.raises(ValueError, match="Circular reference detected"):
        pretty.dumps({"loop": loop})
    shared = ["twice"]
    assert pretty.dumps([shared, shared]) == json.dumps([shared, shared], indent=2)  # not a cycle


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_every_reference_plan_as_json_writes_it(plans, mode):
    for stack, plan in getattr(plans, mode).of(["aws-dev", "aws-prod", "gcp-dev", "gcp-prod"]).items():
        for shown in (plan, plan.redacted()):
            assert shown.to_json() == json.dumps(shown.to_dict(), indent=2), stack
