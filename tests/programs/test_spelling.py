"""Warnings and errors in the user's spelling: what the platform builds from config names the config key the user
wrote (`platform.cluster.endpoint.public`), never the component arg it became (`endpoint_public_access`)."""

from __future__ import annotations

import re
from typing import Any, get_args

import pytest
from conftest import ALL_STACKS, ROOT, stack_platform

from aiplatform.components._base import ArgsChecker, Spelling, config_spelling, warn_override
from aiplatform.config import PlatformConfig
from aiplatform.shape.paths import split_path
from aiplatform.testing import plan_project

#: `<resource>: <key> overridden (<default> -> <value>); <why>`: how every override warning reads.
OVERRIDE = re.compile(r"^(?P<resource>[\w-]+): (?P<key>\S+) overridden \((?P<before>.+) -> (?P<after>.+)\); ")


def _component_warnings() -> dict[str, str]:
    """Every arg a component warns about when overridden, with the component's module."""
    found = {}
    for path in (ROOT / "aiplatform" / "components").rglob("*.py"):
        for arg in re.findall(r'warn_override\(TYPE, name, "(\w+)"', path.read_text()):
            found[arg] = path.name
    return found


def _platform_sets(arg: str) -> bool:
    return any(f'"{arg}":' in p.read_text() for p in (ROOT / "aiplatform" / "platform").glob("*.py"))


def _resolves(raw: dict, path: str) -> bool:
    parts = list(split_path(path))
    if parts[0] != "platform":
        return False
    value = raw
    for part in parts[1:]:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def _known(path: str) -> bool:
    """Whether `path` (platform.a.b) is a key of the config schema, set or not."""
    model: Any = PlatformConfig
    for part in path.split(".")[1:]:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return False
        model = fields[part].annotation
        model = next((a for a in get_args(model) if hasattr(a, "model_fields")), model)
    return True


def test_every_override_warning_of_the_components_is_found():
    found = _component_warnings()
    assert set(found) == {"endpoint_public_access", "public_access", "load_balancer", "run_as_root"}, found
    # the ones the platform sets from config; each is exercised by the mutation below
    assert {a for a in found if _platform_sets(a)} == {"endpoint_public_access", "public_access", "load_balancer"}


@pytest.fixture(scope="module")
def exposed():
    """aws-dev with every override the config can make: public endpoint (as shipped), public OpenSearch collection,
    public gateway (prod refuses a public vector store)."""
    raw = stack_platform("aws-dev")
    assert raw["cluster"]["endpoint"]["public"] is True
    raw["vector_store"] = {"kind": "opensearch-serverless", "network": "public"}
    raw["gateway"]["load_balancer"] = "internet-facing"
    return raw, plan_project(ROOT, "aws-dev", config_overrides={"aiplatform:platform": raw})


def test_every_warning_names_a_config_key_the_user_wrote(plans, exposed):
    raw, plan = exposed
    cases = [(stack_platform(s), plans.preview[s]) for s in ALL_STACKS] + [(raw, plan)]
    seen = set()
    for config, each in cases:
        for diag in each.diagnostics:
            if diag.severity != "warning":
                continue
            match = OVERRIDE.match(diag.message)
            if match is None:  # advice, not an override: it names the keys to set, each a key of the config
                keys = re.findall(r"`(platform\.[\w.]+)(?::[^`]*)?`", diag.message)
                assert keys and all(_known(k) for k in keys), diag.message
                continue
            assert _resolves(config, match["key"]), diag.message
            assert not re.search(r"\b(True|False)\b", diag.message), diag.message  # YAML spells true/false
            seen.add(match["key"])
    assert seen == {"platform.cluster.endpoint.public", "platform.vector_store.network",
                    "platform.gateway.load_balancer"}
    said = {d.message.split(";")[0] for d in plan.diagnostics}
    assert "ml-dev: platform.vector_store.network overridden ('private' -> 'public')" in said
    assert "ml-dev: platform.cluster.endpoint.public overridden (false -> true)" in said


def test_a_component_used_alone_keeps_its_arg_names(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr("pulumi.log.warn", said.append)
    warn_override("aiplatform:index:EksCluster", "c", "endpoint_public_access", False, True)
    with config_spelling("aiplatform:index:EksCluster", {"endpoint_public_access": "platform.cluster.endpoint.public"}):
        warn_override("aiplatform:index:EksCluster", "c", "endpoint_public_access", False, True)
        warn_override("aiplatform:index:LlmGateway", "g", "load_balancer", "internal", "internet-facing", why="x")
    assert said == ["c: endpoint_public_access overridden (False -> True); this weakens a secure default",
                    "c: platform.cluster.endpoint.public overridden (false -> true); this weakens a secure default",
                    "g: load_balancer overridden ('internal' -> 'internet-facing'); x"]


def test_arg_errors_of_a_component_built_from_config_name_the_config_key():
    with config_spelling("t:index:X", {"public_access_cidrs": "platform.cluster.endpoint.public_cidrs",
                                       "network": Spelling("platform.vector_store.network")}):
        check = ArgsChecker("t:index:X", "x")
        check.add("public_access_cidrs[0]", "bad")
        check.add("network", "bad")
        check.add("other", "bad")
    assert [e["property_path"] for e in check.errors] == [
        "platform.cluster.endpoint.public_cidrs[0]", "platform.vector_store.network", "other"]
    assert ArgsChecker("t:index:X", "x").errors == []


def test_a_key_of_the_config_schema_is_known_whether_set_or_not():
    assert _known("platform.observability.managed") and _known("platform.cluster.endpoint.public")
    assert not _known("platform.observability.manged") and not _known("observability.managed")
