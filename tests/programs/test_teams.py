"""Team tenancy on the reference platforms: namespaces, quotas, policies, RBAC and identities, and what
`aiplatform check` says when a team loses its quota, gets a wildcard role or runs a `latest` image."""

from __future__ import annotations

import json

import boto3
import pytest
from conftest import ROOT, stack_platform
from iam_helpers import CALLS_PER_IDENTITY, denied, s3_client_for
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from aiplatform.check.runner import check_plan
from aiplatform.shape.plan import Plan, PlannedResource
from aiplatform.testing import kubernetes_manifests, plan_project, reveal

#: Each team's GPU quota ceiling: its `gpus` plus its Kueue `borrowing_limit` (assistants borrow 2 in dev, 1 in prod).
TEAMS = {"aws-dev": {"search": 2, "assistants": 4 + 2}, "aws-prod": {"search": 8, "assistants": 4 + 1}}


def _in_component(plan: Plan, component: PlannedResource) -> list[PlannedResource]:
    """Every resource below `component` (any depth)."""
    below, frontier = [], {component.urn}
    while frontier:
        children = [r for r in plan.resources if r.parent in frontier]
        below += children
        frontier = {r.urn for r in children}
    return below


def _team(plan: Plan, team: str) -> tuple[PlannedResource, dict[tuple[str, str], dict], list[PlannedResource]]:
    platform = plan.find("aiplatform:index:AiPlatform")
    component = plan.find("aiplatform:index:TeamNamespace", f"{platform.name}-team-{team}")
    below = _in_component(plan, component)
    inside = {r.urn for r in below}
    objects = {(m["kind"], m["metadata"]["name"]): m for r, m in kubernetes_manifests(plan) if r.urn in inside}
    return component, objects, below


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_each_team_gets_namespace_quota_limits_policies_rbac_and_identity(stack, plans):
    plan = plans.preview[stack]
    for team, gpus in TEAMS[stack].items():
        _, objects, below = _team(plan, team)
        namespace = objects[("Namespace", team)]
        labels = namespace["metadata"]["labels"]
        assert labels["team"] == team and labels["aiplatform.io/team"] == team
        assert labels["environment"] == stack.removeprefix("aws-") and labels["cost-center"]
        assert labels["aiplatform.io/gateway-access"] == "true"
        assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
        hard = objects[("ResourceQuota", "team-quota")]["spec"]["hard"]
        assert hard["requests.nvidia.com/gpu"] == str(gpus)
        assert {"requests.cpu", "requests.memory", "pods", "persistentvolumeclaims"} <= set(hard)
        assert objects[("LimitRange", "team-defaults")]["spec"]["limits"][0]["defaultRequest"]
        policies = {name: m["spec"] for (kind, name), m in objects.items() if kind == "NetworkPolicy"}
        assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        gateway_in = policies["allow-from-gateway"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
        assert gateway_in == {"kubernetes.io/metadata.name": "llm-gateway"}
        dns = policies["allow-dns"]["egress"][0]["ports"]
        assert {(p["protocol"], p["port"]) for p in dns} == {("UDP", 53), ("TCP", 53)}
        https = policies["allow-cloud-apis"]["egress"][0]
        assert https["ports"] == [{"protocol": "TCP", "port": 443}]
        assert "10.0.0.0/8" in https["to"][0]["ipBlock"]["except"]
        if stack == "aws-dev":  # Qdrant in the cluster
            store = policies["allow-vector-store"]["egress"][0]
            assert store["to"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "vector-store"}
        role = objects[("Role", "team-members")]
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]
        assert not any("roles" in r or "rolebindings" in r or "networkpolicies" in r
                       for rule in role["rules"] for r in rule["resources"])
        binding = objects[("RoleBinding", "team-members")]
        assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                        "name": f"team-{team}"}]
        assert binding["roleRef"]["kind"] == "Role"  # namespaced, never a ClusterRole
        assert objects[("ServiceAccount", "workloads")]["metadata"]["namespace"] == team
        (role_resource,) = [r for r in below if r.type == "aws:iam/role:Role"]
        assert role_resource.get("tags")["team"] == team
    assert not plan.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")


def test_team_access_entries_map_member_roles_to_the_team_group(plans):
    plan = plans.preview["aws-prod"]
    (entry,) = [e for e in plan.of_type("aws:eks/accessEntry:AccessEntry") if "team" in e.name]
    assert entry.get("kubernetesGroups") == ["team-search"] and entry.get("type") == "STANDARD"
    assert "TeamSearch" in entry.get("principalArn")


def _policy(plan: Plan, name: str) -> dict:
    (policy,) = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == name]
    return json.loads(policy.get("policy"))


def test_team_identity_reads_only_its_prefix_pulls_images_and_uses_its_indexes(plans):
    plan = plans.up["aws-prod"]
    doc = _policy(plan, "ml-prod-team-search")
    resources = {s["Sid"]: s["Resource"] for s in doc["Statement"]}
    actions = {a for s in doc["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert resources["G0ModelsReadObjects"].endswith("/teams/search/*")
    assert not actions & {"s3:PutObject", "s3:DeleteObject", "ecr:PutImage", "sagemaker:CreateModelPackage"}
    assert {"ecr:BatchGetImage", "aoss:APIAccessAll"} <= actions
    # IRSA: the role trusts exactly the team's service account.
    role = next(r for r in plan.of_type("aws:iam/role:Role") if r.name == "ml-prod-team-search")
    condition = json.loads(role.get("assumeRolePolicy"))["Statement"][0]["Condition"]["StringEquals"]
    assert "system:serviceaccount:search:workloads" in condition.values()
    # OpenSearch: the team's data access policy covers its own indexes only.
    (access,) = [p for p in plan.of_type("aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy")
                 if p.get("name") == "ml-prod-vectors-search-rw"]
    rules = json.loads(access.get("policy"))[0]["Rules"]
    assert [r["Resource"] for r in rules if r["ResourceType"] == "index"] == [["index/ml-prod-vectors/search-*"]]


@mock_aws
@set_initial_no_auth_action_count(1 + 2 + CALLS_PER_IDENTITY * 2)
def test_a_team_reads_its_own_prefix_and_not_another_teams_against_moto(plans):
    plan = plans.up["aws-prod"]
    documents = {team: json.dumps(_policy(plan, f"ml-prod-team-{team}")) for team in ("search", "assistants")}
    bucket = json.loads(documents["search"])["Statement"][0]["Resource"].split(":::")[1].split("/")[0]
    admin = boto3.client("s3", region_name="us-east-1")
    iam = boto3.client("iam", region_name="us-east-1")
    admin.create_bucket(Bucket=bucket)
    admin.put_object(Bucket=bucket, Key="teams/search/chat/v1/model.safetensors", Body=b"search")
    admin.put_object(Bucket=bucket, Key="teams/assistants/chat/v1/model.safetensors", Body=b"assistants")
    clients = {team: s3_client_for(iam, team, document) for team, document in documents.items()}
    search, assistants = clients["search"], clients["assistants"]
    assert search.get_object(Bucket=bucket, Key="teams/search/chat/v1/model.safetensors")["Body"].read() == b"search"
    assert denied(lambda: search.get_object(Bucket=bucket, Key="teams/assistants/chat/v1/model.safetensors"))
    assert denied(lambda: assistants.get_object(Bucket=bucket, Key="teams/search/chat/v1/model.safetensors"))
    assert denied(lambda: search.put_object(Bucket=bucket, Key="teams/search/chat/v2/model.safetensors", Body=b"x"))
    listed = search.list_objects_v2(Bucket=bucket, Prefix="teams/search/")
    assert [o["Key"] for o in listed["Contents"]] == ["teams/search/chat/v1/model.safetensors"]


def _without(plan: Plan, predicate) -> Plan:
    kept = [r for r in plan.resources if not predicate(r)]
    return Plan(project=plan.project, stack=plan.stack, mode=plan.mode, resources=kept, outputs=plan.outputs)


def _with(plan: Plan, *extra: PlannedResource) -> Plan:
    return Plan(project=plan.project, stack=plan.stack, mode=plan.mode, resources=[*plan.resources, *extra],
                outputs=plan.outputs)


def _violations(plan: Plan) -> set[str]:
    report = check_plan(plan, {})
    return {f.rule for f in report.findings if f.status == "violation"}


def test_reference_teams_pass_and_mutations_fail_with_the_expected_rules(plans):
    plan = plans.preview["aws-prod"]
    assert _violations(plan) == set()
    # A team namespace without its GPU quota.
    no_quota = _without(plan, lambda r: r.type == "kubernetes:core/v1:ResourceQuota" and "team-search" in r.name)
    assert _violations(no_quota) == {"aip-kubernetes-namespace-gpu-quota"}
    # A wildcard role in a team namespace.
    wildcard = PlannedResource(
        urn="urn:pulumi:aws-prod::aiplatform::kubernetes:rbac.authorization.k8s.io/v1:Role::search-admin",
        type="kubernetes:rbac.authorization.k8s.io/v1:Role", name="search-admin", custom=True, parent=None,
        provider=None, protect=False, dependencies=[],
        inputs={"metadata": {"name": "admin", "namespace": "search"},
                "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["*"]}]})
    assert _violations(_with(plan, wildcard)) == {"aip-kubernetes-rbac-no-wildcards"}


def test_a_team_over_budget_fails_the_team_budget_rule():
    config = stack_platform("aws-prod")
    config["teams"][0]["monthly_budget_usd"] = 10000  # 8 L40S-class GPUs cost ~$17.5k a month
    plan = plan_project(ROOT, "aws-prod", config_overrides={"aiplatform:platform": config})
    report = check_plan(plan, {})
    (finding,) = [f for f in report.findings if f.status == "violation"]
    assert finding.rule == "aip-cost-team-budget"
    assert "team namespace search: 8 accelerators" in finding.message and "over its budget $10,000.00" in finding.message


def test_platform_output_is_the_versioned_contract(plans):
    value = reveal(plans.up["aws-dev"].outputs["aiplatform"])
    assert value["version"] == 1
    assert set(value) == {"version", "platform", "cloud", "region", "environment", "cluster", "acceleratorResources",
                          "gateway", "modelRegistry", "vectorStore", "teams"}
    assert value["teams"]["search"]["roleArn"].endswith(":role/ml-dev-team-search")
    assert value["modelRegistry"]["uri"].startswith("s3://")
    # The kubeconfig inside is a secret in the stack output.
    raw = plans.up["aws-dev"].outputs["aiplatform"]
    assert "4dabf18193072939515e22adb298388d" in json.dumps(raw)
