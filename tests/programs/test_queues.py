"""Kueue on the reference platforms (issue 20): a flavor per accelerator model that matches the pools' labels,
a ClusterQueue per team with its `gpus` as nominal quota in one cohort, LocalQueues, priorities, the namespace
quota as the ceiling nominal + borrowing, queued team jobs, and what `check` says of a GPU Job that bypasses
the queue or a borrowing limit over the team's budget."""

from __future__ import annotations

import copy

import pytest
from conftest import ALL_STACKS, ROOT, stack_platform

from aiplatform.check.runner import check_plan
from aiplatform.labels import ACCELERATOR_LABEL, QUEUE_LABEL, TEAM_QUEUE
from aiplatform.scheduling import node_pools, unschedulable
from aiplatform.shape.plan import PlannedResource
from aiplatform.testing import kubernetes_manifests, plan_project, reveal

QUEUED = "aip-kubernetes-gpu-jobs-queued"
SYSTEM_POOLS = {"aws:eks/nodeGroup:NodeGroup": "labels", "gcp:container/nodePool:NodePool": "nodeConfig.labels"}


def _kueue(plan) -> dict[str, dict[str, dict]]:
    """Kind -> metadata.name (namespace/name for LocalQueues) -> manifest, for the Kueue objects of a plan."""
    out: dict[str, dict[str, dict]] = {}
    for _, manifest in kubernetes_manifests(plan, custom=True):
        if manifest["apiVersion"].startswith("kueue.x-k8s.io/"):
            meta = manifest["metadata"]
            key = f"{meta['namespace']}/{meta['name']}" if "namespace" in meta else meta["name"]
            out.setdefault(manifest["kind"], {})[key] = manifest
    return out


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_every_team_has_a_cluster_queue_in_one_cohort_with_gpus_as_nominal_quota(plans, stack):
    config = stack_platform(stack)
    objects = _kueue(plans.preview[stack])
    teams = {t["name"]: t for t in config["teams"]}
    queues = objects["ClusterQueue"]
    assert set(queues) == set(teams)
    assert {q["spec"]["cohortName"] for q in queues.values()} == {config["name"]}
    for name, queue in queues.items():
        team = teams[name]
        cpu_group, gpu_group = queue["spec"]["resourceGroups"]
        assert cpu_group["coveredResources"] == ["cpu", "memory"]
        gpu_quotas = [r for f in gpu_group["flavors"] for r in f["resources"] if r["name"] == "nvidia.com/gpu"]
        assert gpu_quotas and {r["nominalQuota"] for r in gpu_quotas} == {team["gpus"]}
        assert {r["borrowingLimit"] for r in gpu_quotas} == {team.get("borrowing_limit", 0)}
        assert {r.get("lendingLimit") for r in gpu_quotas} == {team.get("lending_limit")}
        flavors = {f["name"] for f in gpu_group["flavors"]}
        assert flavors == {m.lower() for m in team["accelerators"]}, "only the models the team may use"
        assert queue["spec"]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": name}}
        local = objects["LocalQueue"][f"{name}/{TEAM_QUEUE}"]
        assert local["spec"] == {"clusterQueue": name}
    priorities = {n: p["value"] for n, p in objects["WorkloadPriorityClass"].items()}
    assert priorities["serving"] > priorities["interactive"] > priorities["batch"]
    assert {q["spec"]["preemption"]["borrowWithinCohort"]["policy"] for q in queues.values()} == {"LowerPriority"}


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_flavors_are_the_accelerator_models_of_the_pools_and_select_their_nodes(plans, stack):
    plan = plans.preview[stack]
    flavors = _kueue(plan)["ResourceFlavor"]
    pools = node_pools(plan)
    models = {p.labels[ACCELERATOR_LABEL] for p in pools}
    assert set(flavors) == {"default"} | {m.lower() for m in models}
    assert flavors["default"]["spec"] == {}
    for name, flavor in flavors.items():
        if name == "default":
            continue
        labels = flavor["spec"]["nodeLabels"]
        matching = [p for p in pools if all(p.labels.get(k) == v for k, v in labels.items())]
        assert matching, f"flavor {name} selects no GPU pool's nodes"
        tolerated = {(t["key"], t["value"], t["effect"]) for t in flavor["spec"]["tolerations"]}
        assert all(set(p.taints) <= tolerated for p in matching), f"flavor {name} misses a pool taint"


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_kueue_runs_on_the_system_nodes_and_the_team_quota_is_nominal_plus_borrowing(plans, stack):
    plan = plans.preview[stack]
    release = next(reveal(r.inputs) for r in plan.of_type("kubernetes:helm.sh/v3:Release")
                   if reveal(r.inputs)["chart"].endswith("/kueue"))
    selector = release["values"]["controllerManager"]["nodeSelector"]
    system = [r for r in plan.resources if r.type in SYSTEM_POOLS and "system" in r.name]
    assert system and selector, "Kueue is pinned to the system nodes"
    for pool in system:
        labels = pool.get(SYSTEM_POOLS[pool.type])
        assert all(labels.get(k) == v for k, v in selector.items()), f"{pool.name} does not carry {selector}"
    assert not any(all(p.labels.get(k) == v for k, v in selector.items()) for p in node_pools(plan))
    quotas = {reveal(r.inputs)["metadata"]["namespace"]: reveal(r.inputs)["spec"]["hard"]
              for r in plan.of_type("kubernetes:core/v1:ResourceQuota")}
    for team in stack_platform(stack)["teams"]:
        ceiling = team["gpus"] + team.get("borrowing_limit", 0)
        assert quotas[team["name"]]["requests.nvidia.com/gpu"] == str(ceiling)


def test_the_team_rag_ingest_job_is_queued_at_batch_priority(plans):
    (cronjob,) = plans.preview.example("team-rag").of_type("kubernetes:batch/v1:CronJob")
    labels = reveal(cronjob.inputs)["spec"]["jobTemplate"]["metadata"]["labels"]
    assert labels[QUEUE_LABEL] == TEAM_QUEUE and labels["kueue.x-k8s.io/priority-class"] == "batch"


def _gpu_job(labels: dict[str, str]) -> PlannedResource:
    container = {"name": "eval", "image": "vllm/vllm-openai:v0.11.0",
                 "resources": {"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "1"}}}
    return PlannedResource(
        urn="urn:pulumi:aws-prod::aiplatform::kubernetes:batch/v1:Job::eval", type="kubernetes:batch/v1:Job",
        name="eval", custom=True, parent=None, provider=None, protect=False, dependencies=[],
        inputs={"metadata": {"name": "eval", "namespace": "search", "labels": {"team": "search", **labels}},
                "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [container], "tolerations": [
                    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}}}})


def test_a_gpu_job_without_the_queue_label_fails_the_new_rule(plans):
    plan = plans.preview["aws-prod"]
    for labels, expected in (({}, {QUEUED}), ({QUEUE_LABEL: TEAM_QUEUE}, set())):
        mutated = copy.copy(plan)
        mutated.resources = [*plan.resources, _gpu_job(labels)]
        report = check_plan(mutated, {})
        assert {f.rule for f in report.findings if f.status == "violation"} == expected


def test_borrowing_is_priced_by_the_team_budget_rule():
    config = stack_platform("aws-prod")
    search = config["teams"][0]
    assert search["name"] == "search" and search["gpus"] == 8
    search["borrowing_limit"] = 2  # 8 + 2 L40S-class GPUs cost ~$21.9k a month, over its $20k
    report = check_plan(plan_project(ROOT, "aws-prod", config_overrides={"aiplatform:platform": config}), {})
    (finding,) = [f for f in report.findings if f.status == "violation"]
    assert finding.rule == "aip-cost-team-budget"
    assert "team namespace search: 10 accelerators" in finding.message


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_a_job_admitted_on_any_flavor_schedules_on_a_pool(plans, stack):
    """What Kueue injects into an admitted job's pods (the flavor's nodeLabels as nodeSelector, its
    tolerations) is enough to land on a GPU pool, by the scheduling simulation; without the tolerations it
    is not (the flavors carry them)."""
    plan = plans.preview[stack]
    flavors = {n: f for n, f in _kueue(plan)["ResourceFlavor"].items() if n != "default"}
    team = stack_platform(stack)["teams"][0]["name"]
    for name, flavor in flavors.items():
        resource = "nvidia.com/gpu"
        for tolerations, schedulable in ((flavor["spec"]["tolerations"], True), ([], False)):
            job = _gpu_job({QUEUE_LABEL: TEAM_QUEUE})
            pod = job.inputs["spec"]["template"]["spec"]
            pod["nodeSelector"], pod["tolerations"] = flavor["spec"]["nodeLabels"], tolerations
            pod["containers"][0]["resources"] = {"limits": {resource: "1"}, "requests": {resource: "1"}}
            job.inputs["metadata"]["namespace"] = team
            mutated = copy.copy(plan)
            mutated.resources = [*plan.resources, job]
            assert (unschedulable(mutated) == []) is schedulable, (name, tolerations, unschedulable(mutated))
