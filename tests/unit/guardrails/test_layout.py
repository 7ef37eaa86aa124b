"""The guardrails' layout: rules live in guardrails/rules/, one area per module with both clouds together;
framework tags, type tokens and the IAM actions without an ARN are each spelled in one place."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import aiplatform.guardrails as guardrails
from aiplatform.catalog.iam import AUTOSCALER_DESCRIBE_ACTIONS, UNSCOPABLE_ACTIONS
from aiplatform.guardrails import frameworks, rule, rule_modules, rules
from aiplatform.shape import types

PACKAGE = Path(guardrails.__file__).parent

SHAPE = Path(types.__file__).parent

#: Names a rule module must not carry, whole or as a `_` part (`iam_gcp`, `aws_network`).
CLOUDS = {"aws", "amazon", "gcp", "google", "azure", "microsoft", "oci", "oracle", "alibaba", "ibm"}


def _strings(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_rule_modules_are_discovered_in_the_rules_package():
    names = rule_modules()
    assert names and all(n.startswith("aiplatform.guardrails.rules.") for n in names)
    assert {n.rsplit(".", 1)[-1] for n in names} == {p.stem for p in (PACKAGE / "rules").glob("[!_]*.py")}
    assert not [p.name for p in PACKAGE.glob("[!_]*.py") if p.stem != "frameworks"], "rule modules belong in rules/"


@pytest.mark.parametrize("name", rule_modules())
def test_every_rule_module_holds_the_rules_of_one_area(name):
    module = importlib.import_module(name)
    short = name.rsplit(".", 1)[-1]
    area = getattr(module, "AREA", short)
    here = [r for r in rules() if r.check.__module__ == name]
    assert here, f"{short} holds no rule"
    assert {r.area for r in here} == {area}, f"{short} mixes areas: {sorted({r.area for r in here})}"


@pytest.mark.parametrize("name", rule_modules())
def test_no_rule_module_is_named_after_a_cloud(name):
    short = name.rsplit(".", 1)[-1]
    assert not set(short.split("_")) & CLOUDS, f"{short}: put each rule in its area, next to its twin on the other cloud"


def test_every_rule_is_defined_in_a_rule_module():
    modules = set(rule_modules())
    assert [r.name for r in rules() if r.check.__module__ not in modules] == []


def test_the_rules_name_stays_the_function_once_every_module_is_imported():
    for name in rule_modules():
        importlib.import_module(name)
    assert guardrails.rules is rules and callable(guardrails.rules)
    from aiplatform.guardrails.rules.budget import RULE

    assert rule(RULE).name == "aip-cost-monthly-budget"


def test_framework_tags_are_defined_once():
    defined = {tag for value in vars(frameworks).values() if isinstance(value, tuple) for tag in value}
    assert {tag for r in rules() for tag in r.frameworks} <= defined
    for path in (PACKAGE / "rules").glob("*.py"):
        assert not _strings(path) & defined, f"{path.name} spells a framework tag; import it from frameworks.py"


def _tokens() -> set[str]:
    return {v for k, v in vars(types).items() if k.isupper() and isinstance(v, str)}


def test_shared_type_tokens_are_spelled_only_in_shape_types():
    tokens = _tokens()
    assert len(tokens) >= 20
    paths = [*(PACKAGE / "rules").glob("*.py"), *PACKAGE.glob("*.py"),
             *(p for p in SHAPE.glob("*.py") if p.name != "types.py")]
    spelled = {p.name: sorted(_strings(p) & tokens) for p in paths}
    assert {k: v for k, v in spelled.items() if v} == {}


def test_shape_types_imports_nothing():
    tree = ast.parse(Path(types.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__"}


def test_the_gcp_rules_sit_with_their_aws_twins():
    where = {r.name: r.check.__module__.rsplit(".", 1)[-1] for r in rules()}
    assert {where[n] for n in ("aip-security-eks-secrets-encryption", "aip-security-gke-secrets-encryption",
                               "aip-security-gcp-cmek", "aip-security-gcp-kms-rotation")} == {"encryption"}
    assert where["aip-security-gke-control-plane"] == where["aip-security-eks-public-endpoint"] == "exposure"
    assert where["aip-security-gcs-public-access"] == where["aip-security-s3-public-access-block"] == "exposure"
    assert {where[n] for n in ("aip-security-gke-workload-identity", "aip-security-gke-node-service-account",
                               "aip-security-gcp-iam-public-members", "aip-security-gcp-iam-primitive-roles",
                               "aip-security-irsa-trust-pinned", "aip-security-iam-no-wildcards")} == {"iam"}
    assert {where[n] for n in ("aip-security-gke-shielded-nodes", "aip-security-gke-logging",
                               "aip-security-imdsv2-required", "aip-security-eks-control-plane-logging")} == {"hardening"}


def test_the_unscopable_actions_are_shared_by_the_autoscaler_and_the_rule():
    from aiplatform.components.aws.cluster_autoscaler import DESCRIBE_ACTIONS

    assert rule("aip-security-iam-no-wildcards").defaults["unscopableActions"] == list(UNSCOPABLE_ACTIONS)
    assert list(AUTOSCALER_DESCRIBE_ACTIONS) == DESCRIBE_ACTIONS
    assert set(DESCRIBE_ACTIONS) <= set(UNSCOPABLE_ACTIONS)
    assert len(set(UNSCOPABLE_ACTIONS)) == len(UNSCOPABLE_ACTIONS)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_guardrails_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400


def test_rule_modules_import_no_provider_sdk():
    for name in rule_modules():
        source = inspect.getsource(importlib.import_module(name))
        assert "pulumi_aws" not in source and "pulumi_gcp" not in source and "pulumi_kubernetes" not in source
