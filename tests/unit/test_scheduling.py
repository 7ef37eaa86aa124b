"""aiplatform.scheduling: an accelerator workload must land on some GPU pool (labels, taints, per-node
accelerators, the namespace's quota), as the Kubernetes scheduler filters nodes."""

from __future__ import annotations

from guardrail_helpers import plan_of, resource

from aiplatform.scheduling import node_pools, unschedulable

TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def eks_pool(name="l4", types=("g6.xlarge", "g6.2xlarge"), labels=None, taints=(TAINT,)):
    return resource("aws:eks/nodeGroup:NodeGroup", name, {
        "instanceTypes": list(types), "taints": list(taints),
        "labels": {"aiplatform.io/accelerator": "L4", **(labels or {})} if labels is not False else {}})


def deployment(name="chat", gpus=1, selector=None, tolerations=(TOLERATION,), namespace="search", affinity=None):
    spec = {"containers": [{"name": "vllm", "image": "vllm/vllm-openai:v0.11.1",
                            "resources": {"limits": {"nvidia.com/gpu": str(gpus)}}}],
            "nodeSelector": selector if selector is not None else {"aiplatform.io/accelerator": "L4"},
            "tolerations": list(tolerations)}
    if affinity:
        spec["affinity"] = affinity
    return resource("kubernetes:apps/v1:Deployment", name, {
        "metadata": {"name": name, "namespace": namespace}, "spec": {"template": {"spec": spec}}})


def quota(namespace, gpus):
    return resource("kubernetes:core/v1:ResourceQuota", f"q-{namespace}", {
        "metadata": {"name": "gpu", "namespace": namespace}, "spec": {"hard": {"requests.nvidia.com/gpu": gpus}}})


def test_a_workload_that_fits_a_pool_schedules():
    assert unschedulable(plan_of(eks_pool(), deployment())) == []


def test_a_pool_without_the_accelerator_label_strands_every_pod_issue16_point7():
    """What a pool mixing L4 and L40S types used to plan as: no accelerator label, pods Pending forever."""
    (problem,) = unschedulable(plan_of(eks_pool(types=("g6.2xlarge", "g6e.2xlarge"), labels=False), deployment()))
    assert problem.endswith("no GPU pool can run it (l4: nodeSelector aiplatform.io/accelerator=L4 "
                            "(pool has no such label))")


def test_a_missing_toleration_a_too_big_pod_and_a_quota_below_one_pod_are_each_named():
    (taint,) = unschedulable(plan_of(eks_pool(), deployment(tolerations=())))
    assert "taint nvidia.com/gpu=true:NoSchedule not tolerated" in taint
    (big,) = unschedulable(plan_of(eks_pool(), deployment(gpus=2)))  # g6.2xlarge has 1 L4
    assert "2 nvidia.com/gpu per pod, nodes offer 1" in big
    (capped,) = unschedulable(plan_of(eks_pool(), deployment(gpus=1), quota("search", "0")))
    assert "namespace search quota allows 0" in capped
    assert unschedulable(plan_of(eks_pool(), deployment(), quota("search", "4"))) == []


def test_one_fitting_pool_is_enough_and_required_affinity_is_honoured():
    big = eks_pool("a10g", types=("g5.12xlarge",), labels={"aiplatform.io/accelerator": "A10G"})
    assert unschedulable(plan_of(eks_pool(), big, deployment(gpus=4, selector={"aiplatform.io/accelerator": "A10G"}))) == []
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "aiplatform.io/accelerator", "operator": "In", "values": ["H100"]}]}]}}}
    (problem,) = unschedulable(plan_of(eks_pool(), deployment(selector={}, affinity=affinity)))
    assert "no required nodeAffinity term matches its labels" in problem


def test_a_team_stack_is_checked_against_its_platforms_pools_and_quotas():
    platform = plan_of(eks_pool(), quota("search", "1"))
    team = plan_of(deployment(gpus=1))
    assert unschedulable(team, platform) == []
    assert unschedulable(team) == [f"{team.resources[-1].urn}: no GPU pool can run it (the platform has no GPU pool)"]


def test_gke_pools_count_shared_and_partitioned_gpus():
    def gke(name, accelerator):
        return resource("gcp:container/nodePool:NodePool", name, {"nodeConfig": {
            "machineType": "g2-standard-8", "labels": {"aiplatform.io/accelerator": "L4"},
            "taints": [TAINT], "guestAccelerators": [accelerator]}})

    shared = gke("shared", {"type": "nvidia-l4", "count": 1, "gpuSharingConfig": {"maxSharedClientsPerGpu": 4}})
    mig = gke("mig", {"type": "nvidia-a100-80gb", "count": 1, "gpuPartitionSize": "1g.10gb"})
    plain = gke("plain", {"type": "nvidia-l4", "count": 1})
    capacity = {p.name: p.capacity["nvidia.com/gpu"] for p in node_pools(plan_of(shared, mig, plain))}
    assert capacity == {"shared": 4.0, "mig": 7.0, "plain": 1.0}
