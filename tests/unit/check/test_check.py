"""`aiplatform check` end to end: reference stacks, one fault at a time, reports, the real pack over gRPC."""

from __future__ import annotations

import sys

from conftest import ROOT

from aiplatform.check.analyzer import RawDiagnostic, RawNotApplicable
from aiplatform.check.findings import findings_from
from aiplatform.check.runner import check_plan
from aiplatform.shape.plan import Plan


def test_findings_conversion_strips_the_description_and_keeps_urns():
    plan = Plan(project="p", stack="s", mode="preview", resources=[], outputs={})
    found = findings_from(
        [RawDiagnostic("aip-x-y", "Desc.\nthe detail", "Desc.", "mandatory", "high", "urn:a")],
        [RawNotApplicable("aip-x-z", "suppressed by aiplatform.io/suppress on urn:b: msg | reason: why not", "urn:b")],
        plan, {"aip-x-z": "low"}, {"aip-x-z": "advisory"})
    assert [(f.rule, f.message, f.status, f.urn, f.suppression) for f in found] == [
        ("aip-x-y", "the detail", "violation", "urn:a", None), ("aip-x-z", "msg", "suppressed", "urn:b", "why not")]


def test_pack_files_install_no_provider_sdk():
    requirements = (ROOT / "policies" / "requirements.txt").read_text()
    lines = [line.strip() for line in requirements.splitlines() if line.strip() and not line.startswith("#")]
    assert lines == ["pulumi-policy>=1.21,<2", ".."]
    assert "runtime:\n  name: python" in (ROOT / "policies" / "PulumiPolicy.yaml").read_text()
    import tomllib

    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in core if d.startswith(("pulumi-aws", "pulumi-gcp", "pulumi-kubernetes"))]


def test_example_policy_config_is_valid():
    from aiplatform.check.analyzer import load_policy_config

    report = check_plan(Plan(project="p", stack="s", mode="preview", resources=[], outputs={}),
                        load_policy_config(ROOT / "policies" / "example-config.json"))
    assert report.exit_code == 0


def test_guardrails_doc_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    from reference import guardrails_doc_text

    text = (ROOT / "docs" / "guardrails.md").read_text()
    assert text == guardrails_doc_text(), "stale: run `python tools/reference.py --root .`"
    assert '<a id="aip-safety-protection-removed"></a>' in text and '<a id="aip-safety-stateful-replaced"></a>' in text


def test_taggable_types_table_is_current():
    sys.path.insert(0, str(ROOT / "tools"))
    from reference import TAGGABLE_PATH, taggable_types_text

    assert (ROOT / TAGGABLE_PATH).read_text() == taggable_types_text(), "stale: run `python tools/reference.py --root .`"


def test_configure_request_sends_a_properties_struct_for_every_policy_as_the_go_cli_does():
    """`@pulumi/policy`'s Node server reads `properties` unconditionally; an unset field crashed its Configure."""
    from aiplatform.check.analyzer import ResolvedPolicy, configure_request

    request = configure_request({"bare": ResolvedPolicy("advisory"), "set": ResolvedPolicy("mandatory", {"n": 2})})
    assert request.policyConfig["bare"].HasField("properties")
    assert dict(request.policyConfig["bare"].properties) == {}
    assert request.policyConfig["set"].HasField("properties")
    assert dict(request.policyConfig["set"].properties) == {"n": 2.0}


def test_every_rules_defaults_match_its_schema_so_an_empty_config_needs_no_validation():
    from google.protobuf import empty_pb2
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    from aiplatform.check.analyzer import InProcess, resolve_policy_config
    from aiplatform.guardrails import rules

    pack = InProcess(_PolicyAnalyzerServicer("p", "1.0.0", [r.policy() for r in rules()], EnforcementLevel.ADVISORY))
    info = pack.GetAnalyzerInfo(empty_pb2.Empty())
    untouched = resolve_policy_config(info, {})
    validated = resolve_policy_config(info, {r.name: dict(r.defaults) for r in rules()})  # each one validated
    assert validated == untouched and any(p.properties for p in untouched.values())
