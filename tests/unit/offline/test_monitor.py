"""The recording monitor's `Struct` decoder gives `json_format.MessageToDict`'s dicts: same keys in the same order,
numbers as floats, the same errors; and a source position's path is worked out once per file, as before."""

from __future__ import annotations

import json
import math

import pytest
from google.protobuf import json_format, struct_pb2

from aiplatform.offline import monitor


def spelled(value) -> str:
    """A type-strict spelling: 1.0 and 1, -0.0 and 0.0, and key order all differ."""
    return json.dumps(value, allow_nan=False)


def as_struct(value: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


ODD = {"empty": {}, "list": [], "nested": {"a": [{}, [], [[]]], "b": {"c": None}}, "int": 3, "negative zero": -0.0,
       "big": 2**60, "tiny": 5e-324, "text": "ünï\u2028code \U0001f600", "bools": [True, False], "null": None}


def test_odd_values_decode_as_message_to_dict():
    message = as_struct(ODD)
    assert spelled(monitor._to_dict(message)) == spelled(json_format.MessageToDict(message))
    assert monitor._to_dict(None) == {}
    unset = struct_pb2.Struct()
    unset.fields["no kind"].CopyFrom(struct_pb2.Value())
    assert monitor._to_dict(unset) == json_format.MessageToDict(unset) == {"no kind": None}


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_infinities_and_nan_raise_as_message_to_dict(number):
    message = as_struct({"deep": [{"x": number}]})
    with pytest.raises(ValueError) as theirs:
        json_format.MessageToDict(message)
    with pytest.raises(ValueError) as ours:
        monitor._to_dict(message)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_every_reference_plans_inputs_and_outputs_decode_as_message_to_dict(plans, mode):
    """What the monitor decodes is what the SDK serialised: here every resource's recorded inputs and outputs (and the
    stack outputs) of the four reference stacks, made a `Struct` again."""
    count = 0
    for plan in getattr(plans, mode).of(["aws-dev", "aws-prod", "gcp-dev", "gcp-prod"]).values():
        for props in [plan.outputs, *(r.inputs for r in plan.resources), *(r.outputs or {} for r in plan.resources)]:
            message = as_struct(props)
            assert spelled(monitor._to_dict(message)) == spelled(json_format.MessageToDict(message))
            count += 1
    assert count > 800


def test_a_source_position_is_relative_to_the_root_once_per_file(tmp_path):
    from pulumi.runtime.proto import resource_pb2

    from aiplatform.offline.fixtures import Fixtures

    recording = monitor.RecordingMonitor("p", "s", True, Fixtures(), root=tmp_path)
    inside, outside = (tmp_path / "a b" / "main.py").as_uri(), "file:///elsewhere/lib.py"
    for uri, line, expected in [(inside, 3, "a b/main.py"), (inside, 9, "a b/main.py"), (outside, 1, "/elsewhere/lib.py")]:
        request = resource_pb2.RegisterResourceRequest(sourcePosition={"uri": uri, "line": line, "column": 2})
        source = recording._source(request)
        assert (source.uri, source.line, source.column) == (expected, line, 2)
    assert recording._source(resource_pb2.RegisterResourceRequest()) is None
    assert len(recording._paths) == 2
