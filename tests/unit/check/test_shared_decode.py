"""The check's shared decode: the same props as pulumi_policy's per-policy decode, read-only, a copy per rule."""

from __future__ import annotations

import operator

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from aiplatform.check import shared
from aiplatform.check.analyzer import InProcess, _struct
from aiplatform.guardrails._props import plain

SIG = "4dabf18193072939515e22adb298388d"
PROPS = {
    "name": "a", "count": 3, "ratio": 0.5, "on": True, "off": False, "none": None, "empty": {}, "nothing": [],
    "tags": {"team": "ml", "cost": UNKNOWN_STRING_VALUE},
    "nested": [{"x": [1, 2, {"y": UNKNOWN_NUMBER_VALUE}]}, [True, "s"]],
    "password": {SIG: "1b47061264138c4ac30d75fd1eb44270", "value": {"inner": [1, "two"]}},
}


def _sdk(struct):
    return deserialize_properties(json_format.MessageToDict(struct))


def _strict(value):
    """Type-strict and order-strict: 1 and 1.0, True and 1, {a, b} and {b, a} differ."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _strict(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_strict(v) for v in value))
    return (type(value).__name__, value)


def test_decode_is_the_sdks_decode_types_included(plans):
    structs = [_struct(PROPS)] + [_struct(r.inputs) for stack in ("aws-dev", "gcp-dev")
                                  for r in plans.preview[stack].resources]
    for struct in structs:
        assert _strict(shared.decode(struct)) == _strict(_sdk(struct))
        props = shared.SharedProps(shared.decode(struct), [])
        assert _strict(plain(props)) == _strict(plain(unknown_checking_proxy(_sdk(struct))))


def test_assets_go_through_the_sdk_and_are_copied_by_plain():
    struct = _struct({"code": {SIG: "c44067f5952c0a294b673a41bacd8c17", "path": "/tmp/x.txt"}})
    decoded = shared.decode(struct)
    assert type(decoded["code"]).__name__ == "FileAsset" and decoded["code"].path == "/tmp/x.txt"
    props = shared.SharedProps(decoded, [])
    assert plain(props)["code"] is decoded["code"] and plain(props) is not plain(props)


def test_unknowns_raise_as_the_sdks_proxy_with_the_same_paths():
    struct = _struct(PROPS)
    ours, theirs = shared.SharedProps(shared.decode(struct), []), unknown_checking_proxy(_sdk(struct))
    for read, path in ((lambda p: p["tags"]["cost"], "string value at .tags.cost"),
                       (lambda p: p["nested"][0]["x"][2]["y"], "number value at .nested.0.x.2.y")):
        messages = []
        for props in (ours, theirs):
            with pytest.raises(UnknownValueError) as raised:
                read(props)
            messages.append(raised.value.message)
        assert messages[0] == messages[1] and path in messages[0]
    assert ours["nested"][0]["x"][:2] == theirs["nested"][0]["x"][:2] == [1.0, 2.0]
    assert list(ours["nested"][1]) == [True, "s"] and len(ours) == len(PROPS) and sorted(ours) == sorted(PROPS)


def test_a_policy_cannot_see_another_policys_mutation():
    seen = []

    def meddle(args, report):
        for target, key, value in ((args.props, "name", "changed"), (args.props["tags"], "team", "changed"),
                                   (args.props["nested"][1], 0, False)):
            with pytest.raises(TypeError):
                operator.setitem(target, key, value)
        mine = plain(args.props)
        mine["name"], mine["tags"]["team"] = "changed", "changed"
        mine["nested"][1][0] = False

    def look(args, report):
        seen.append(plain(args.props))

    policies = [ResourceValidationPolicy(name=f"aip-test-{n}", description=n, validate=v)
                for n, v in (("meddle", meddle), ("look", look), ("again", look))]
    servicer = InProcess(shared.SharedDecodeServicer("p", "1.0.0", policies, EnforcementLevel.ADVISORY,
                                                     cache=shared.DecodeCache()))
    request = analyzer_pb2.AnalyzeRequest(type="t:m:R", properties=_struct(PROPS), urn="urn:a", name="a")
    servicer.Analyze(request)
    servicer.Analyze(request)  # the second request is served from the cache
    assert len(seen) == 4
    for props in seen:
        assert props["name"] == "a" and props["tags"]["team"] == "ml" and props["nested"][1][0] is True
    seen[0]["name"] = "mine"
    assert seen[1]["name"] == "a"


def test_a_changed_sdk_is_refused(monkeypatch):
    monkeypatch.setitem(shared.FINGERPRINTS, "Analyze", "0" * 16)
    shared.check_sdk.cache_clear()
    try:
        with pytest.raises(shared.SharedDecodeUnavailableError, match="Analyze"):
            shared.SharedDecodeServicer("p", "1.0.0", [ResourceValidationPolicy(
                name="aip-test-x", description="x", validate=lambda a, r: None)], EnforcementLevel.ADVISORY,
                cache=shared.DecodeCache())
    finally:
        shared.check_sdk.cache_clear()


def test_infinite_numbers_fail_as_in_json_format():
    struct = struct_pb2.Struct()
    struct.update({"x": float("inf")})
    with pytest.raises(ValueError) as ours:
        shared.decode(struct)
    with pytest.raises(ValueError) as theirs:
        _sdk(struct)
    assert str(ours.value) == str(theirs.value)


def _order(message):
    """A Struct or Value as nested (key, kind, value) tuples in the message's own field order."""
    if isinstance(message, struct_pb2.Struct):
        return tuple((key, _order(message.fields[key])) for key in message.fields)
    kind = message.WhichOneof("kind")
    if kind == "struct_value":
        return ("struct", _order(message.struct_value))
    if kind == "list_value":
        return ("list", tuple(_order(v) for v in message.list_value.values))
    return (kind, getattr(message, kind))


class _Tag(str):
    pass


def test_the_props_struct_is_protobufs_update(plans):
    odd = {"sub": _Tag("x"), "tuple": (1, "a", {"k": None}), "flag": True, "big": 2**60, "deep": [[{}], []]}
    inputs = [PROPS, odd] + [r.inputs for stack in ("aws-dev", "gcp-dev", "aws-prod")
                             for r in plans.preview[stack].resources]
    for values in inputs:
        theirs = struct_pb2.Struct()
        theirs.update(dict(values))
        ours = _struct(values)
        assert ours == theirs and _order(ours) == _order(theirs)
        assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)
    with pytest.raises(ValueError, match="Unexpected type"):
        _struct({"x": object()})


def test_each_rule_gets_its_own_provider_props_when_it_reads_them():
    from pulumi_policy import Severity

    from aiplatform.guardrails import Rule

    seen = []

    def meddle(resource, config):
        seen.append(resource.provider_props)
        if resource.provider_props is not None:
            resource.provider_props["region"] = "changed"
        return ()

    def look(resource, config):
        seen.append((resource.provider_type, resource.provider_props, resource))
        return ()

    rules = [Rule(name=f"aip-meta-{n}", area="meta", severity=Severity.LOW, description=n, why="", remediation="",
                  check=c) for n, c in (("meddle", meddle), ("look", look))]
    servicer = InProcess(shared.SharedDecodeServicer("p", "1.0.0", [r.policy() for r in rules],
                                                     EnforcementLevel.ADVISORY, cache=shared.DecodeCache()))
    provider = analyzer_pb2.AnalyzerProviderResource(type="pulumi:providers:aws", urn="urn:p", name="p",
                                                     properties=_struct({"region": "us-east-1", "tags": {"a": "b"}}))
    servicer.Analyze(analyzer_pb2.AnalyzeRequest(type="t:m:R", properties=_struct(PROPS), urn="urn:a", name="a",
                                                 provider=provider))
    servicer.Analyze(analyzer_pb2.AnalyzeRequest(type="t:m:R", properties=_struct(PROPS), urn="urn:b", name="b"))
    assert seen[0] == {"region": "changed", "tags": {"a": "b"}}
    kind, props, resource = seen[1]
    assert kind == "pulumi:providers:aws" and props == {"region": "us-east-1", "tags": {"a": "b"}}
    assert resource.provider_props is props and f"provider_props={props!r}" in repr(resource)
    assert seen[2] is None and seen[3][:2] == (None, None)


def test_levels_follow_each_configure():
    from aiplatform.check.analyzer import ResolvedPolicy, configure_request

    def fail(args, report):
        report("no", None)

    policies = [ResourceValidationPolicy(name="aip-test-fail", description="fail", validate=fail)]
    servicer = InProcess(shared.SharedDecodeServicer("p", "1.0.0", policies, EnforcementLevel.ADVISORY,
                                                     cache=shared.DecodeCache()))
    request = analyzer_pb2.AnalyzeRequest(type="t:m:R", properties=_struct(PROPS), urn="urn:a", name="a")
    levels = []
    for level in ("mandatory", "disabled", "remediate", "advisory"):
        servicer.Configure(configure_request({"aip-test-fail": ResolvedPolicy(level)}))
        levels.append([d.enforcementLevel for d in servicer.Analyze(request).diagnostics])
    assert levels == [[analyzer_pb2.MANDATORY], [], [analyzer_pb2.MANDATORY], [analyzer_pb2.ADVISORY]]


def test_a_rules_resource_is_a_resource_with_every_field():
    import dataclasses

    from aiplatform.guardrails._rule import _RuleResource
    from aiplatform.shape.resource import Resource

    made = _RuleResource("t:m:R", "urn:a", "a", {"tags": {"environment": "prod"}}, "pulumi:providers:aws",
                         parent="urn:p", property_dependencies={"x": ["urn:b"]})
    fields = {f.name: getattr(made, f.name) for f in dataclasses.fields(Resource)}
    assert fields == {"type": "t:m:R", "urn": "urn:a", "name": "a", "props": {"tags": {"environment": "prod"}},
                      "provider_type": "pulumi:providers:aws", "provider_props": None, "parent": "urn:p",
                      "property_dependencies": {"x": ["urn:b"]}}
    assert isinstance(made, Resource) and made.environment == "prod" and made.depends_on("x", "urn:b")
    again = dataclasses.replace(made, name="b")
    assert again.name == "b" and again.props == made.props and again.provider_props is None


def test_rule_settings_overlay_the_defaults_without_the_level():
    from aiplatform.guardrails import rules

    rule = next(r for r in rules() if len(r.config) >= 1)
    key = next(iter(rule.config))
    assert rule.settings(None) == rule.defaults == rule.settings({})
    assert rule.settings({"enforcementLevel": "mandatory", key: "x"}) == {**rule.defaults, key: "x"}
    assert rule.settings({key: "y"}) == {**rule.defaults, key: "y"}
    first = rule.settings(None)
    first[key] = "changed"
    assert rule.settings(None)[key] == rule.defaults[key] != "changed"
