"""The tenancy rules on hand-made plans: GPU quotas, team budgets, RBAC wildcards."""

from __future__ import annotations

import pytest
from guardrail_helpers import TAGS, check, resource, rules_hit

NS = "kubernetes:core/v1:Namespace"

QUOTA = "kubernetes:core/v1:ResourceQuota"

DEPLOYMENT = "kubernetes:apps/v1:Deployment"

ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"

CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"

GPU_QUOTA = "aip-kubernetes-namespace-gpu-quota"

BUDGET = "aip-cost-team-budget"

RBAC = "aip-kubernetes-rbac-no-wildcards"


def namespace(name, *, team=True, budget=None, accelerators=None):
    labels = {"team": name, **({"aiplatform.io/team": name} if team else {})}
    annotations = {}
    if budget is not None:
        annotations["aiplatform.io/monthly-budget-usd"] = str(budget)
    if accelerators:
        annotations["aiplatform.io/accelerators"] = accelerators
    return resource(NS, f"ns-{name}", {"metadata": {"name": name, "labels": labels, "annotations": annotations}})


def quota(namespace_, hard):
    return resource(QUOTA, f"quota-{namespace_}", {"metadata": {"name": "q", "namespace": namespace_}, "spec": {"hard": hard}})


def gpu_deployment(namespace_, name="server"):
    container = {"name": "s", "image": "vllm/vllm-openai:v0.11.1",
                 "resources": {"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "1"}}}
    return resource(DEPLOYMENT, name, {"metadata": {"name": name, "namespace": namespace_, "labels": {"team": "x"}},
                                       "spec": {"template": {"spec": {
                                           "containers": [container],
                                           "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists",
                                                            "effect": "NoSchedule"}]}}}})


def pool(instance_types, capacity="ON_DEMAND", name="gpu"):
    return resource("aws:eks/nodeGroup:NodeGroup", name, {
        "instanceTypes": instance_types, "capacityType": capacity, "tags": TAGS,
        "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0}})


def test_team_namespace_needs_a_gpu_quota():
    assert GPU_QUOTA in rules_hit(check(namespace("search")))
    assert GPU_QUOTA in rules_hit(check(namespace("search"), quota("search", {"requests.cpu": "8"})))
    assert GPU_QUOTA not in rules_hit(check(namespace("search"), quota("search", {"requests.nvidia.com/gpu": "2"})))
    # The quota must be in the team's namespace, not another.
    assert GPU_QUOTA in rules_hit(check(namespace("search"), quota("other", {"requests.nvidia.com/gpu": "2"})))


def test_any_namespace_with_gpu_pods_needs_a_quota_but_only_where_this_stack_creates_it():
    plain = namespace("batch", team=False)
    assert GPU_QUOTA not in rules_hit(check(plain))  # no GPU pods: nothing to cap
    report = check(plain, gpu_deployment("batch"))
    assert GPU_QUOTA in rules_hit(report)
    assert any("Deployment server requests accelerators" in f.message for f in report.findings)
    # A team stack deploying into the platform's namespace: the platform stack checks that namespace.
    assert GPU_QUOTA not in rules_hit(check(gpu_deployment("search")))


def test_team_budget_prices_the_quota_at_the_dearest_allowed_accelerator():
    pools = [pool(["g6e.4xlarge"], name="l40s"), pool(["g6.2xlarge"], name="l4")]
    hard = {"requests.nvidia.com/gpu": "8"}
    over = check(namespace("search", budget=10000), quota("search", hard), *pools)
    (finding,) = [f for f in over.findings if f.rule == BUDGET]
    assert "8 accelerators" in finding.message and "g6e.4xlarge" in finding.message
    assert BUDGET not in rules_hit(check(namespace("search", budget=20000), quota("search", hard), *pools))
    # Restricted to L4s, the same quota fits the smaller budget.
    only_l4 = check(namespace("search", budget=10000, accelerators="L4"), quota("search", hard), *pools)
    assert BUDGET not in rules_hit(only_l4)
    # Spot is priced at the catalog's spot ratio.
    spot = check(namespace("search", budget=10000), quota("search", hard), pool(["g6e.4xlarge"], capacity="SPOT"))
    assert BUDGET not in rules_hit(spot)


def test_team_budget_is_silent_without_budget_quota_or_price():
    pools = [pool(["g6e.4xlarge"])]
    assert BUDGET not in rules_hit(check(namespace("search"), quota("search", {"requests.nvidia.com/gpu": "8"}), *pools))
    assert BUDGET not in rules_hit(check(namespace("search", budget=1), quota("search", {"requests.nvidia.com/gpu": "0"}), *pools))
    assert BUDGET not in rules_hit(check(namespace("search", budget=1), quota("search", {"requests.nvidia.com/gpu": "8"})))


@pytest.mark.parametrize("type_", [ROLE, CLUSTER_ROLE])
@pytest.mark.parametrize(("rule", "hit"), [
    ({"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}, False),
    ({"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}, True),
    ({"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}, True),
    ({"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}, True),
    ({"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}, True),
    ({"nonResourceURLs": ["*"], "verbs": ["get"]}, True),
])
def test_rbac_wildcards(type_, rule, hit):
    report = check(resource(type_, "r", {"metadata": {"name": "r", "labels": {"team": "x"}}, "rules": [rule]}))
    assert (RBAC in rules_hit(report)) is hit
