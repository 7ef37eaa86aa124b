"""The Kueue component in process: its objects, their quotas and dependencies, and bad args refused at once;
the teams config's borrowing and lending limits."""

from __future__ import annotations

import copy

import pytest
from conftest import config_problems, stack_platform
from crd_helpers import crd_schemas, schema_errors

from aiplatform.catalog import pins
from aiplatform.components.kubernetes import Kueue
from aiplatform.components.kubernetes.team_namespace import quota_hard
from aiplatform.config import load_platform_config
from aiplatform.offline import PlanInputError
from aiplatform.testing import kubernetes_manifests, plan_program

L4 = {"name": "l4", "model": "L4", "resource": "nvidia.com/gpu", "node_labels": {"aiplatform.io/accelerator": "L4"},
      "tolerations": [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]}
INF2 = {"name": "inferentia2", "model": "Inferentia2", "resource": "aws.amazon.com/neuron",
        "node_labels": {"aiplatform.io/accelerator": "Inferentia2"}}


def team(name="search", **over):
    return {"team": name, "namespace": name, "namespace_name": name, "gpus": 4, "cpu": "32", "memory": "128Gi",
            **over}


def _objects(args):
    plan = plan_program(lambda: Kueue("ml", args))
    return plan, {(m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan, custom=True)}


def test_a_cluster_queue_per_team_with_a_flavor_per_model_and_one_quota_per_resource():
    plan, objects = _objects({"cohort": "ml", "flavors": [L4, INF2], "teams": [
        team(borrowing_limit=2, lending_limit=1), team("assistants", accelerators=["Inferentia2"])]})
    search = objects[("ClusterQueue", "search")]["spec"]
    assert search["cohortName"] == "ml"
    _, gpus = search["resourceGroups"]
    assert gpus["coveredResources"] == ["aws.amazon.com/neuron", "nvidia.com/gpu"]
    l4 = next(f for f in gpus["flavors"] if f["name"] == "l4")["resources"]
    assert l4 == [{"name": "aws.amazon.com/neuron", "nominalQuota": 0, "borrowingLimit": 0},
                  {"name": "nvidia.com/gpu", "nominalQuota": 4, "borrowingLimit": 2, "lendingLimit": 1}]
    assistants = objects[("ClusterQueue", "assistants")]["spec"]["resourceGroups"][1]
    assert [f["name"] for f in assistants["flavors"]] == ["inferentia2"]
    assert assistants["coveredResources"] == ["aws.amazon.com/neuron"]
    assert objects[("ResourceFlavor", "l4")]["spec"]["tolerations"] == L4["tolerations"]
    assert "tolerations" not in objects[("ResourceFlavor", "inferentia2")]["spec"]
    # Every object validates against the pinned CRDs, and waits for the chart that installs them.
    schemas = crd_schemas(pins.KUEUE.version)
    release = plan.find("kubernetes:helm.sh/v3:Release")
    for resource, manifest in kubernetes_manifests(plan, custom=True):
        assert schema_errors(schemas[(manifest["apiVersion"], manifest["kind"])], manifest) == []
        assert release.urn in resource.dependencies, resource.name


def test_a_platform_without_gpu_pools_queues_cpu_and_memory_only():
    _, objects = _objects({"cohort": "ml", "flavors": [], "teams": [team()]})
    assert [g["coveredResources"] for g in objects[("ClusterQueue", "search")]["spec"]["resourceGroups"]] == [
        ["cpu", "memory"]]


def test_the_crd_check_refuses_a_misspelt_quota_and_an_unknown_preemption_policy():
    _, objects = _objects({"cohort": "ml", "flavors": [L4], "teams": [team()]})
    queue = objects[("ClusterQueue", "search")]
    schema = crd_schemas(pins.KUEUE.version)[("kueue.x-k8s.io/v1beta2", "ClusterQueue")]
    bad = {**queue, "spec": {**queue["spec"], "preemption": {"withinClusterQueue": "Sometimes"}}}
    assert any("Sometimes" in e for e in schema_errors(schema, bad))
    flavor = {"name": "l4", "resources": [{"name": "nvidia.com/gpu", "nominal": 4}]}
    groups = [{"coveredResources": ["nvidia.com/gpu"], "flavors": [flavor]}]
    errors = schema_errors(schema, {**queue, "spec": {**queue["spec"], "resourceGroups": groups}})
    assert any("nominalQuota" in e for e in errors) and any("nominal" in e for e in errors)


def test_bad_args_are_refused_all_at_once():
    with pytest.raises(PlanInputError) as info:
        plan_program(lambda: Kueue("ml", {"cohort": "", "flavors": [L4, {**L4, "node_labels": {}}], "teams": [
            team(gpus=-1), team("b", lending_limit=5, accelerators=["H100"])]}))
    message = str(info.value)
    for problem in ("cohort: required", "flavors[1].name: required, unique", "flavors[1].node_labels: required",
                    "teams[0].gpus: must be >= 0", "teams[1].lending_limit: must be 0 to gpus",
                    "teams[1].accelerators[0]: no flavor for model 'H100'"):
        assert problem in message


def test_the_namespace_quota_is_the_ceiling_nominal_plus_borrowing():
    hard = quota_hard({"gpus": 4, "borrowing_limit": 2, "accelerator_resources": ["nvidia.com/gpu"]})
    assert hard["requests.nvidia.com/gpu"] == "6"
    assert quota_hard({"gpus": 4})["requests.nvidia.com/gpu"] == "4"


def test_lending_more_than_the_nominal_quota_is_a_config_error():
    config = stack_platform("aws-dev")
    config["teams"][0].update(gpus=2, lending_limit=3, borrowing_limit=-1)
    problems = config_problems(config)
    assert any(p.startswith("platform.teams[0].borrowing_limit:") for p in problems)
    config["teams"][0]["borrowing_limit"] = 0
    assert config_problems(config) == [
        "platform.teams[0].lending_limit: must be <= gpus (3 > 2): a team lends only its own nominal quota"]


def test_borrowing_beyond_what_the_pools_can_run_is_a_config_error():
    config = stack_platform("aws-dev")
    search = config["teams"][0]
    assert search["name"] == "search" and search["accelerators"] == ["L4"]
    (pool,) = [p for p in config["gpu_pools"] if p["name"] == "inference-l4"]  # g6.xlarge, g6.2xlarge: 1 L4 each
    most = pool["max_nodes"]
    search["borrowing_limit"] = most - search["gpus"]
    load_platform_config(copy.deepcopy(config))  # the ceiling at exactly what the pool can run is fine
    search["borrowing_limit"] += 1
    assert config_problems(config) == [
        f"platform.teams[0].borrowing_limit: team 'search' may borrow up to {search['gpus']} + "
        f"{search['borrowing_limit']} GPUs, but its pools (inference-l4) can provide at most {most}"]
