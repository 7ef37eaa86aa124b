"""What product teams use: InferenceService, PlatformRef, the examples and the component package."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from conftest import ROOT
from plan_helpers import manifests_by_kind_and_name

from aiplatform.testing import kubernetes_manifests, reveal

sys.path.insert(0, str(ROOT / "tools"))

from reference import EXAMPLE_PLATFORM_REF, example_fixtures_text

EXAMPLES = ROOT / "examples"

FIXTURES = EXAMPLES / "platform-fixtures.yaml"

PLATFORM = yaml.safe_load(FIXTURES.read_text())["stack_references"][EXAMPLE_PLATFORM_REF]["aiplatform"]


def test_example_fixture_is_the_reference_platforms_current_output(plans):
    """The examples plan against the platform's real contract: regenerate with `python tools/reference.py --root .`."""
    assert FIXTURES.read_text() == example_fixtures_text(reveal(plans.up["aws-dev"].outputs))


@pytest.mark.parametrize("example", ["team-chat-service", "team-rag"])
def test_examples_plan_offline_with_the_teams_labels_and_pass_the_guardrails(example, plans):
    from aiplatform.check.runner import check_plan

    plan = plans.preview.example(example)
    team = "search" if example == "team-chat-service" else "assistants"
    manifests = kubernetes_manifests(plan) + kubernetes_manifests(plan, custom=True)
    assert manifests
    for resource, manifest in manifests:
        assert manifest["metadata"]["labels"]["team"] == team, resource.urn
        assert manifest["metadata"]["namespace"] == team, resource.urn
    for _, manifest in kubernetes_manifests(plan):
        kubernetes_validate.validate(manifest, "1.34", strict=True)
    report = check_plan(plan, {})
    assert [f.rule for f in report.findings if f.status == "violation"] == []
    # Every object goes through the platform's cluster, as the team.
    provider = plan.find("pulumi:providers:kubernetes")
    assert all(r.provider == provider.urn for r, _ in manifests)


def test_chat_example_requests_the_configured_gpus_and_routes_with_the_teams_auth(plans):
    plan = plans.preview.example("team-chat-service")
    config = yaml.safe_load((EXAMPLES / "team-chat-service" / "Pulumi.dev.yaml").read_text())["config"]
    objects = manifests_by_kind_and_name(plan)
    (server,) = objects[("Deployment", "chat")]["spec"]["template"]["spec"]["containers"]
    assert server["resources"]["limits"]["nvidia.com/gpu"] == config["team-chat-service:gpus"]
    assert objects[("SecurityPolicy", "chat-auth")]["spec"]["authorization"]["rules"][0]["principal"]["jwt"][
        "claims"][0]["values"] == ["search"]
    assert objects[("BackendTrafficPolicy", "chat-limits")]["spec"]["rateLimit"]["local"]["rules"][0]["limit"][
        "requests"] == 120
    assert plan.outputs["baseUrl"] == "https://llm.dev.ml.example.com/search/chat/v1"


def test_rag_example_fits_the_teams_gpu_quota_at_its_maximum(plans):
    plan = plans.preview.example("team-rag")
    objects = manifests_by_kind_and_name(plan)
    total = 0
    for name in ("embed", "chat"):
        (server,) = objects[("Deployment", name)]["spec"]["template"]["spec"]["containers"]
        total += int(server["resources"]["limits"]["nvidia.com/gpu"]) * objects[
            ("ScaledObject", name)]["spec"]["maxReplicaCount"]
    assert total <= PLATFORM["teams"]["assistants"]["gpuQuota"]
    job = objects[("CronJob", "ingest")]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in job["containers"][0]["env"]}
    assert env["COLLECTION"] == "assistants-docs" and env["SOURCE_URI"].endswith("/teams/assistants/documents/")
    assert env["EMBEDDINGS_URL"] == "http://embed.assistants.svc:8000/v1"


def test_stack_outputs_are_json(plans):
    json.dumps(reveal(plans.preview.example("team-rag").outputs))
    assert Path(FIXTURES).is_file()


def test_a_team_image_tagged_latest_fails_the_image_rule(plans):
    """The component refuses `latest`; a Deployment written by hand with it is caught by the guardrails."""
    from aiplatform.check.runner import check_plan
    from aiplatform.shape.plan import Plan

    plan = plans.preview.example("team-chat-service")
    resources = []
    for r in plan.resources:
        if r.type == "kubernetes:apps/v1:Deployment":
            inputs = json.loads(json.dumps(r.inputs))
            inputs["spec"]["template"]["spec"]["containers"][0]["image"] = "vllm/vllm-openai:latest"
            r = type(r)(**{**r.__dict__, "inputs": inputs})
        resources.append(r)
    mutated = Plan(project=plan.project, stack=plan.stack, mode=plan.mode, resources=resources, outputs=plan.outputs)
    report = check_plan(mutated, {})
    assert {f.rule for f in report.findings if f.status == "violation"} == {"aip-kubernetes-image-pinned"}
