"""Issue 16, point 10 on whole platforms: the longest names config allows plan with valid, unique cloud names.

A 40-character platform name, 32-character pools, 40-character teams and families: every derived
physical name (IAM roles, node groups, buckets, SageMaker groups, GKE pools, service accounts,
OpenSearch policies) fits its cloud's rule and none collides (aip-naming-cloud-limits on the plan),
while the reference stacks keep their names (the golden plans and URN snapshots do not move).
"""

from __future__ import annotations

import pytest
from conftest import stack_platform
from plan_helpers import plan_platform

from aiplatform.check.runner import check_plan

PLATFORM = "a-platform-name-of-exactly-forty-chars-x"
POOL = "inference-pool-of-thirty-two-cha"
TEAMS = ["recommendations-and-ranking-team-europe", "recommendations-and-ranking-team-states"]


def _long(stack: str) -> dict:
    raw = stack_platform(stack)
    assert len(PLATFORM) == 40 and len(POOL) == 32 and all(len(t) == 39 for t in TEAMS)
    raw["name"] = PLATFORM
    raw["gpu_pools"][0]["name"] = POOL
    for team, name in zip(raw["teams"], TEAMS, strict=False):
        team["name"] = name
    if stack.startswith("aws"):
        raw["model_registry"]["model_families"] = ["chat-models-for-the-assistants-team-long", "embeddings"]
    return raw


def _plan(raw: dict) -> dict:
    plan = plan_platform(raw)
    report = check_plan(plan)
    names: dict[str, list[str]] = {}
    for r in plan.resources:
        for key in ("name", "namePrefix", "bucketPrefix", "accountId", "modelPackageGroupName", "nodeGroupNamePrefix"):
            value = r.inputs.get(key)
            if isinstance(value, str):
                names.setdefault(r.type, []).append(value)
    return {"naming": [f.message for f in report.findings if f.rule == "aip-naming-cloud-limits"],
            "failed": sorted({f.rule for f in report.findings if f.status == "violation"}), "names": names}


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-dev"])
def test_longest_names_plan_with_valid_unique_names(stack):
    got = _plan(_long(stack))
    assert got["naming"] == [], got["naming"]
    assert "aip-naming-cloud-limits" not in got["failed"]
    names = got["names"]
    if stack == "aws-prod":
        # case: SageMaker group `{name}-{family}` over 63 is fitted, not refused by the API
        groups = names["aws:sagemaker/modelPackageGroup:ModelPackageGroup"]
        assert all(len(g) <= 63 for g in groups) and len(set(groups)) == len(groups)
        # case: OpenSearch policy names cut to 32 no longer collide (two long teams)
        policies = names["aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"]
        assert len(set(policies)) == len(policies) and all(len(p) <= 32 for p in policies)
    else:
        # case: GCP service-account ids cut to 30 collided for platform names of 29+ and two teams
        accounts = names["gcp:serviceaccount/account:Account"]
        assert len(set(accounts)) == len(accounts) and all(6 <= len(a) <= 30 for a in accounts)


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod", "gcp-dev", "gcp-prod"])
def test_every_namespace_a_plan_uses_is_a_platform_team_or_registry_namespace(plans, stack):
    # case: a team named `nvidia-device-plugin` clashed with the device plugin's namespace: the list
    # teams are checked against must hold every namespace the platform itself creates or uses
    from aiplatform.config import PLATFORM_NAMESPACES, load_platform_config

    config = load_platform_config(stack_platform(stack))
    allowed = set(PLATFORM_NAMESPACES) | {t.namespace for t in config.teams}
    if config.model_registry is not None:
        allowed.add(config.model_registry.namespace)
    used = set()
    for r in plans.preview[stack].resources:
        if not r.type.startswith("kubernetes:"):
            continue
        metadata = r.inputs.get("metadata") or {}
        if r.type == "kubernetes:core/v1:Namespace":
            used.add(metadata.get("name"))
        for value in (metadata.get("namespace"), r.inputs.get("namespace") if r.type.endswith(":Release") else None):
            if isinstance(value, str):
                used.add(value)
    assert used and used <= allowed, sorted(used - allowed)
