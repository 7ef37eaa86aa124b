"""The service components under the recording monitor: inputs, options and args errors."""

from __future__ import annotations

import json

import pytest

from aiplatform.components.aws import OpenSearchVectorStore, S3ModelRegistry, WorkloadRole
from aiplatform.components.kubernetes import LlmGateway, Qdrant
from aiplatform.offline import UNKNOWN, PlanInputError
from aiplatform.platform.aws import LOAD_BALANCER_ANNOTATIONS as AWS_LB
from aiplatform.testing import kubernetes_manifests, plan_program

KEY = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"

TAGS = {"team": "ml", "cost-center": "cc-1", "environment": "dev"}

POD_IDENTITY = {"cluster_name": "ml-dev", "mode": "pod-identity"}

GATEWAY = {"oidc_issuer": "https://idp.example.com", "jwks_uri": "https://idp.example.com/keys",
           "tls_secret_name": "gw-tls"}


def test_workload_role_with_pod_identity_creates_association_and_plain_account():
    plan = plan_program(lambda: WorkloadRole("reader", {
        **POD_IDENTITY, "namespace": "ml", "service_account": "reader", "tags": TAGS,
        "grants": [{"kind": "images-pull", "repository_arn": "arn:aws:ecr:us-east-1:111122223333:repository/r"}],
    }))
    association = plan.find("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.get("clusterName"), association.get("namespace"), association.get("serviceAccount")) == (
        "ml-dev", "ml", "reader")
    trust = json.loads(plan.find("aws:iam/role:Role").get("assumeRolePolicy"))
    assert trust["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    policy = json.loads(plan.find("aws:iam/rolePolicy:RolePolicy").get("policy"))
    assert {s["Sid"] for s in policy["Statement"]} == {"EcrAuthorizationToken", "G0ImagesPull"}
    account = plan.find("kubernetes:core/v1:ServiceAccount")
    assert account.get("metadata.annotations") == {}
    assert account.get("metadata.name") == "reader"


def test_workload_role_irsa_annotates_or_adopts_the_account():
    irsa = {"cluster_name": "c", "mode": "irsa", "oidc_provider_arn": "arn:aws:iam::111122223333:oidc-provider/x",
            "oidc_issuer": "oidc.eks.us-east-1.amazonaws.com/id/X"}
    plan = plan_program(lambda: WorkloadRole("w", {**irsa, "namespace": "ns", "service_account": "sa"}), mode="up")
    assert plan.find("kubernetes:core/v1:ServiceAccount").get("metadata.annotations") == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/w"}
    assert plan.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation") == []
    assert plan.of_type("aws:iam/rolePolicy:RolePolicy") == []  # no grants, no policy
    adopted = plan_program(lambda: WorkloadRole("w", {
        **irsa, "namespace": "ns", "service_account": "sa", "create_service_account": False}))
    assert adopted.of_type("kubernetes:core/v1:ServiceAccount") == []


def test_workload_role_args_errors_are_all_named():
    with pytest.raises(PlanInputError) as info:
        plan_program(lambda: WorkloadRole("w", {
            "cluster_name": "c", "mode": "irsa", "namespace": "ns",
            "grants": [{"kind": "models-read"}, {"kind": "admin"}],
        }))
    message = str(info.value)
    for line in ("service_account: required", "oidc_provider_arn: required when mode is irsa",
                 "oidc_issuer: required when mode is irsa", "grants[0].bucket_arn: required for models-read",
                 "grants[1].kind: unknown grant kind 'admin'"):
        assert line in message, line


def _registry(**extra):
    args = {"kms_key_arn": KEY, "region": "us-east-1", "identity": POD_IDENTITY, "model_families": ["chat"],
            "tags": TAGS, **extra}
    return lambda: S3ModelRegistry("reg", args)


def test_registry_protects_its_data_when_asked_and_names_its_bucket():
    plan = plan_program(_registry(protect=True, bucket_name="acme-models", access_log_bucket="acme-logs"))
    stateful = [r for r in plan.resources if r.type in (
        "aws:s3/bucket:Bucket", "aws:ecr/repository:Repository", "aws:sagemaker/modelPackageGroup:ModelPackageGroup")]
    assert len(stateful) == 3 and all(r.protect for r in stateful)
    assert plan.find("aws:s3/bucket:Bucket").get("bucket") == "acme-models"
    logging = plan.find("aws:s3/bucketLogging:BucketLogging")
    assert logging.get("targetBucket") == "acme-logs"
    unprotected = plan_program(_registry())
    assert not any(r.protect for r in unprotected.resources)
    assert unprotected.find("aws:s3/bucket:Bucket").get("bucketPrefix") == "reg-models-"
    assert unprotected.of_type("aws:s3/bucketLogging:BucketLogging") == []


def test_registry_args_errors():
    with pytest.raises(PlanInputError) as info:
        plan_program(lambda: S3ModelRegistry("reg", {"model_families": ["a", "a"], "untagged_image_days": 0}))
    message = str(info.value)
    for line in ("kms_key_arn: required", "identity: required", "model_families: duplicate families",
                 "untagged_image_days: must be 1 to 3650 (got 0)"):
        assert line in message, line


def test_vector_store_public_access_is_a_warned_override():
    args = {"collection_name": "vectors", "kms_key_arn": KEY, "vpc_id": "vpc-1", "subnet_ids": ["subnet-1"],
            "source_security_group_ids": ["sg-1"], "tags": TAGS}
    plan = plan_program(lambda: OpenSearchVectorStore("vs", {**args, "public_access": True}))  # known at preview
    network = next(p for p in plan.of_type("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy")
                   if p.get("type") == "network")
    assert json.loads(network.get("policy"))[0]["AllowFromPublic"] is True
    assert any("public_access overridden" in d.message for d in plan.diagnostics)
    assert plan.of_type("aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint") == []
    with pytest.raises(PlanInputError, match="collection_name: 'Vectors_1'"):
        plan_program(lambda: OpenSearchVectorStore("vs", {**args, "collection_name": "Vectors_1"}))


def test_qdrant_release_is_protected_and_clustered_in_prod_shape():
    plan = plan_program(lambda: Qdrant("q", {"storage_class_name": "enc", "replicas": 3, "protect": True,
                                              "snapshots": {"bucket": "snaps", "region": "us-east-1"}}))
    release = plan.find("kubernetes:helm.sh/v3:Release")
    assert release.protect is True
    values = release.get("values")
    assert values["config"]["cluster"]["enabled"] is True
    assert values["podDisruptionBudget"]["enabled"] is True
    assert values["config"]["storage"]["snapshots_config"]["s3_config"] == {"bucket": "snaps", "region": "us-east-1"}
    with pytest.raises(PlanInputError) as info:
        plan_program(lambda: Qdrant("q", {"replicas": 0, "snapshots": {"region": "us-east-1"}}))
    for line in ("storage_class_name: required", "replicas: must be 1 to 15 (got 0)", "snapshots.bucket: required"):
        assert line in str(info.value)


def test_gateway_certificate_settings_are_exclusive_and_required():
    with pytest.raises(PlanInputError) as info:
        plan_program(lambda: LlmGateway("gw", {**GATEWAY, "cert_manager_issuer": "le", "oidc_issuer": "http://x"}))
    message = str(info.value)
    assert "tls_secret_name: give tls_secret_name or cert_manager_issuer, not both" in message
    assert "oidc_issuer: required: the https:// issuer URL" in message
    assert "hostname: required with cert_manager_issuer" in message
    without = {k: v for k, v in GATEWAY.items() if k != "tls_secret_name"}
    with pytest.raises(PlanInputError, match="the listener is HTTPS only"):
        plan_program(lambda: LlmGateway("gw", without))


def test_gateway_internet_facing_only_when_asked():
    plan = plan_program(lambda: LlmGateway("gw", {**GATEWAY, "load_balancer": "internet-facing",
                                                  "load_balancer_annotations": AWS_LB["internet-facing"]}))
    proxy = next(m for _, m in kubernetes_manifests(plan, custom=True) if m["kind"] == "EnvoyProxy")
    annotations = proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert "service.beta.kubernetes.io/aws-load-balancer-internal" not in annotations
    assert any("internet-facing" in d.message for d in plan.diagnostics)


def test_gateway_takes_its_load_balancer_annotations_as_given():
    """The component is cloud-free: the annotations are the cloud builder's, none by default."""
    def annotations(plan):
        proxy = next(m for _, m in kubernetes_manifests(plan, custom=True) if m["kind"] == "EnvoyProxy")
        return proxy["spec"]["provider"]["kubernetes"]["envoyService"].get("annotations") or {}

    assert annotations(plan_program(lambda: LlmGateway("gw", GATEWAY))) == {}
    given = {"networking.gke.io/load-balancer-type": "Internal"}
    assert annotations(plan_program(lambda: LlmGateway("gw", {**GATEWAY, "load_balancer_annotations": given}))) == given


def test_register_route_carries_the_teams_auth_and_limits():
    def program():
        gateway = LlmGateway("gw", {**GATEWAY, "team_claim": "teams"})
        gateway.register_route("chat", {"namespace": "search", "service_name": "chat-vllm", "port": 8000,
                                        "path_prefix": "/v1/search/chat", "team": "search",
                                        "requests_per_minute": 120})

    plan = plan_program(program)
    objects = {(m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan, custom=True)}
    route = objects[("HTTPRoute", "chat")]
    assert route["metadata"]["namespace"] == "search"
    assert route["spec"]["parentRefs"] == [{"name": "gw", "namespace": "llm-gateway", "sectionName": "https"}]
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "chat-vllm", "port": 8000}]
    auth = objects[("SecurityPolicy", "chat-auth")]["spec"]
    assert auth["targetRefs"] == [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "chat"}]
    assert auth["authorization"]["defaultAction"] == "Deny"
    assert auth["authorization"]["rules"][0]["principal"]["jwt"]["claims"] == [
        {"name": "teams", "valueType": "StringArray", "values": ["search"]}]
    limits = objects[("BackendTrafficPolicy", "chat-limits")]["spec"]["rateLimit"]["local"]["rules"]
    assert limits == [{"limit": {"requests": 120, "unit": "Minute"}}]
    assert objects[("HTTPRoute", "chat")]["metadata"]["labels"]["team"] == "search"
    with pytest.raises(PlanInputError, match="path_prefix: must start with '/'"):
        plan_program(lambda: LlmGateway("gw", GATEWAY).register_route(
            "x", {"namespace": "a", "service_name": "s", "path_prefix": "v1", "team": "t"}))


def test_unknown_values_do_not_break_the_components():
    # Preview: ARNs are unknown, so policies are unknown too, never a crash or a literal "None".
    plan = plan_program(_registry())
    for policy in plan.of_type("aws:iam/rolePolicy:RolePolicy"):
        assert policy.get("policy") == UNKNOWN
