"""The platform services on the reference stacks: registry, vector store, gateway and workload identities."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE_STACKS
from iam_helpers import wildcard_resource_problems
from parliament import analyze_policy_string, enhance_finding

from aiplatform.catalog.iam import UNSCOPABLE_ACTIONS
from aiplatform.offline import UNKNOWN
from aiplatform.testing import kubernetes_manifests, untagged

PLATFORM = "aiplatform:index:AiPlatform"

COST_TAGS = ("team", "cost-center", "environment", "aiplatform:platform")


def _under(plan, type_):
    """The one component of `type_`; asserts it lives under AiPlatform."""
    component = plan.find(type_)
    assert PLATFORM in component.urn
    return component


def _inside(plan, component, type_):
    return [r for r in plan.descendants(component.urn) if r.type == type_]


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_model_registry_is_private_encrypted_versioned_and_tls_only(plans, stack):
    plan = plans.preview[stack]
    registry = _under(plan, "aiplatform:index:S3ModelRegistry")
    (bucket,) = _inside(plan, registry, "aws:s3/bucket:Bucket")
    block = _inside(plan, registry, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]
    assert all(block.get(flag) is True for flag in (
        "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    assert _inside(plan, registry, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0].get(
        "rule.objectOwnership") == "BucketOwnerEnforced"
    assert _inside(plan, registry, "aws:s3/bucketVersioning:BucketVersioning")[0].get(
        "versioningConfiguration.status") == "Enabled"
    (sse,) = _inside(plan, registry, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    rule = sse.get("rules")[0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True
    assert "kmsMasterKeyId" in rule["applyServerSideEncryptionByDefault"]
    (lifecycle,) = _inside(plan, registry, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    days = {"aws-dev": 30, "aws-prod": 180}[stack]
    assert lifecycle.get("rules")[0]["noncurrentVersionExpiration"] == {"noncurrentDays": days}
    for resource in (block, sse, lifecycle):
        assert bucket.urn in resource.property_dependencies["bucket"]

    groups = _inside(plan, registry, "aws:sagemaker/modelPackageGroup:ModelPackageGroup")
    families = {"aws-dev": {"chat", "embeddings"}, "aws-prod": {"chat", "embeddings", "rerank"}}[stack]
    name = plan.outputs["clusterName"]
    assert {g.get("modelPackageGroupName") for g in groups} == {f"{name}-{f}" for f in families}

    (repo,) = _inside(plan, registry, "aws:ecr/repository:Repository")
    assert repo.get("imageTagMutability") == "IMMUTABLE"
    assert repo.get("imageScanningConfiguration.scanOnPush") is True
    assert repo.get("encryptionConfigurations")[0]["encryptionType"] == "KMS"
    (lifecycle_policy,) = _inside(plan, registry, "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert json.loads(lifecycle_policy.get("policy"))["rules"][0]["selection"]["tagStatus"] == "untagged"
    outputs = plan.outputs["modelRegistry"]
    assert set(outputs) >= {"bucketName", "bucketArn", "modelPackageGroupNames", "repositoryUrl",
                            "publisherRoleArn", "consumerRoleArn"}
    assert set(outputs["modelPackageGroupNames"]) == families


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_bucket_policy_denies_plain_http(plans, stack):
    plan = plans.up[stack]
    for policy in plan.of_type("aws:s3/bucketPolicy:BucketPolicy"):
        (statement,) = json.loads(policy.get("policy"))["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert any(r.endswith("/*") for r in statement["Resource"])


def test_prod_vector_store_is_a_private_opensearch_collection(plans):
    plan = plans.preview["aws-prod"]
    store = _under(plan, "aiplatform:index:OpenSearchVectorStore")
    (collection,) = _inside(plan, store, "aws:opensearch/serverlessCollection:ServerlessCollection")
    assert collection.get("type") == "VECTORSEARCH"
    assert collection.get("standbyReplicas") == "ENABLED"
    policies = {p.get("type"): p for p in _inside(plan, store, "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy")}
    assert set(policies) == {"encryption", "network"}
    assert set(collection.dependencies) >= {p.urn for p in policies.values()}
    (endpoint,) = _inside(plan, store, "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint")
    (group,) = _inside(plan, store, "aws:ec2/securityGroup:SecurityGroup")
    ingress = group.get("ingress")
    assert [(r["fromPort"], r["toPort"], r.get("cidrBlocks")) for r in ingress] == [(443, 443, None)]
    assert group.urn in endpoint.property_dependencies["securityGroupIds"]
    # Data access: two policies, one read-only for the consumer, one read-write for the publisher.
    access = _inside(plan, store, "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy")
    assert sorted(p.get("name") for p in access) == [
        "ml-prod-vectors-assistants-rw", "ml-prod-vectors-ro", "ml-prod-vectors-rw", "ml-prod-vectors-search-rw"]


def test_prod_vector_store_policies_once_applied(plans):
    plan = plans.up["aws-prod"]
    network = next(p for p in plan.of_type("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy")
                   if p.get("type") == "network")
    (rule,) = json.loads(network.get("policy"))
    assert rule["AllowFromPublic"] is False and rule["SourceVPCEs"] == ["vpce-0123456789abcdef0"]
    encryption = next(p for p in plan.of_type("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy")
                      if p.get("type") == "encryption")
    body = json.loads(encryption.get("policy"))
    assert body["AWSOwnedKey"] is False and body["KmsARN"].startswith("arn:aws:kms:")
    principals = {p.get("name"): json.loads(p.get("policy"))[0]["Principal"]
                  for p in plan.of_type("aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy")}
    assert principals == {
        "ml-prod-vectors-ro": ["arn:aws:iam::111122223333:role/ml-prod-consumer"],
        "ml-prod-vectors-rw": ["arn:aws:iam::111122223333:role/ml-prod-publisher"],
        "ml-prod-vectors-search-rw": ["arn:aws:iam::111122223333:role/ml-prod-team-search"],
        "ml-prod-vectors-assistants-rw": ["arn:aws:iam::111122223333:role/ml-prod-team-assistants"],
    }


def test_dev_vector_store_is_qdrant_in_cluster_on_encrypted_volumes(plans):
    plan = plans.preview["aws-dev"]
    qdrant = _under(plan, "aiplatform:index:Qdrant")
    (release,) = _inside(plan, qdrant, "kubernetes:helm.sh/v3:Release")
    assert release.get("chart") == "qdrant" and release.get("version")
    values = release.get("values")
    assert values["service"]["type"] == "ClusterIP"
    assert values["apiKey"] is True
    assert values["image"]["tag"].startswith("v")
    assert values["resources"]["requests"]["memory"] == "2Gi"
    assert values["persistence"]["storageClassName"] == "aiplatform-gp3-encrypted"
    assert values["persistence"]["size"] == "20Gi"
    assert values["config"]["storage"]["snapshots_config"]["snapshots_storage"] == "s3"
    storage = plan.find("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage.get("parameters.encrypted") == "true" and storage.get("parameters.type") == "gp3"
    assert "kmsKeyId" in storage.inputs["parameters"]
    addon = plan.find("aws:eks/addon:Addon", "ml-dev-aws-ebs-csi-driver")
    assert addon.get("podIdentityAssociations")[0]["serviceAccount"] == "ebs-csi-controller-sa"
    assert plan.outputs["vectorStore"]["apiKeySecret"] == {"name": "qdrant-apikey", "key": "api-key", "namespace": "vector-store"}


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_gateway_is_https_with_jwt_and_rate_limits(plans, stack):
    plan = plans.preview[stack]
    gateway = _under(plan, "aiplatform:index:LlmGateway")
    (release,) = _inside(plan, gateway, "kubernetes:helm.sh/v3:Release")
    assert release.get("chart") == "oci://docker.io/envoyproxy/gateway-helm" and release.get("version")
    inside = {r.urn for r in plan.descendants(gateway.urn)}
    objects = {m["kind"]: m for r, m in kubernetes_manifests(plan, custom=True) if r.urn in inside}
    assert set(objects) == {"EnvoyProxy", "GatewayClass", "Gateway", "SecurityPolicy", "BackendTrafficPolicy"}
    (listener,) = objects["Gateway"]["spec"]["listeners"]
    assert listener["protocol"] == "HTTPS" and listener["port"] == 443
    assert listener["tls"]["mode"] == "Terminate"
    assert listener["allowedRoutes"]["namespaces"]["from"] == "Selector"
    (provider,) = objects["SecurityPolicy"]["spec"]["jwt"]["providers"]
    assert provider["issuer"].startswith("https://login.example.com/")
    assert provider["remoteJWKS"]["uri"].startswith("https://")
    limit = objects["BackendTrafficPolicy"]["spec"]["rateLimit"]["local"]["rules"][0]["limit"]
    assert limit == {"requests": {"aws-dev": 300, "aws-prod": 1200}[stack], "unit": "Minute"}
    proxy = objects["EnvoyProxy"]["spec"]
    service = proxy["provider"]["kubernetes"]["envoyService"]
    assert service["annotations"]["service.beta.kubernetes.io/aws-load-balancer-internal"] == "true"
    assert proxy["telemetry"]["accessLog"]["settings"][0]["sinks"][0]["type"] == "File"
    if stack == "aws-dev":
        assert objects["Gateway"]["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt-dns"}
    else:
        assert listener["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "llm-gateway-tls"}]
    # The namespace of the model services may attach routes.
    namespaces = {m["metadata"]["name"]: m for _, m in kubernetes_manifests(plan) if m["kind"] == "Namespace"}
    assert namespaces["ml-models"]["metadata"]["labels"]["aiplatform.io/gateway-access"] == "true"


def test_workload_roles_pin_their_service_account(plans):
    # dev: Pod Identity; the trust is known at preview and pinned by session tags.
    dev = plans.preview["aws-dev"]
    roles = {r.name: r for r in dev.of_type("aws:iam/role:Role")}
    trust = json.loads(roles["ml-dev-consumer"].get("assumeRolePolicy"))["Statement"][0]
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "model-reader"
    associations = {a.get("serviceAccount"): a for a in dev.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")}
    assert set(associations) == {"model-publisher", "model-reader", "qdrant", "workloads"}
    assert sorted(a.get("namespace") for a in dev.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                  if a.get("serviceAccount") == "workloads") == ["assistants", "search"]
    assert associations["model-reader"].get("namespace") == "ml-models"
    # prod: IRSA; the trust pins sub and aud, and the service account carries the role annotation.
    prod = plans.up["aws-prod"]
    roles = {r.name: r for r in prod.of_type("aws:iam/role:Role")}
    condition = json.loads(roles["ml-prod-publisher"].get("assumeRolePolicy"))["Statement"][0]["Condition"]
    assert sorted(v for v in condition["StringEquals"].values()) == [
        "sts.amazonaws.com", "system:serviceaccount:ml-models:model-publisher"]
    accounts = {m["metadata"]["name"]: m for _, m in kubernetes_manifests(prod) if m["kind"] == "ServiceAccount"}
    assert accounts["model-publisher"]["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/ml-prod-publisher"}
    assert prod.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation") == []


def test_consumer_reads_and_publisher_writes(plans):
    plan = plans.up["aws-prod"]
    policies = {p.name: json.loads(p.get("policy")) for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")}

    def actions(name):
        return {a for s in policies[name]["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}

    assert "s3:PutObject" not in actions("ml-prod-consumer") and "s3:GetObject" in actions("ml-prod-consumer")
    assert "ecr:PutImage" not in actions("ml-prod-consumer") and "ecr:BatchGetImage" in actions("ml-prod-consumer")
    assert "sagemaker:CreateModelPackage" not in actions("ml-prod-consumer")
    assert {"s3:PutObject", "ecr:PutImage", "sagemaker:CreateModelPackage"} <= actions("ml-prod-publisher")
    assert "aoss:APIAccessAll" in actions("ml-prod-consumer") and "aoss:APIAccessAll" in actions("ml-prod-publisher")


def _identity_documents(plan):
    for resource in plan.resources:
        if resource.type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
            yield resource, resource.get("policy")


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_every_iam_policy_is_least_privilege(plans, stack):
    plan = plans.up[stack]
    documents = list(_identity_documents(plan))
    assert len(documents) >= 3  # autoscaler, publisher, consumer (and dev's storage roles)
    problems = []
    for resource, raw in documents:
        assert raw != UNKNOWN, f"{resource.urn}: policy unknown in up mode"
        for statement in json.loads(raw)["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert "NotAction" not in statement and "NotResource" not in statement
            problems += [f"{resource.name}: wildcard action {a}" for a in actions if a == "*" or a.endswith(":*")]
            if "*" in resources:
                tag_scoped = any(k.startswith("aws:ResourceTag/") for block in statement.get("Condition", {}).values()
                                 for k in block)
                problems += [f"{resource.name}: {a} on *" for a in actions
                             if a not in UNSCOPABLE_ACTIONS and not tag_scoped]
            for arn in resources:
                problems += [f"{resource.name}: {p}" for p in wildcard_resource_problems(arn)]
        findings = [f for f in map(enhance_finding, analyze_policy_string(raw).findings)
                    if f.severity not in ("LOW", "INFO")]
        problems += [f"{resource.name}: parliament {f.severity} {f.issue} {f.detail}" for f in findings]
    assert problems == []


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_services_are_tagged_and_under_the_platform(plans, stack):
    plan = plans.preview[stack]
    assert untagged(plan, COST_TAGS) == []
    for type_ in ("aiplatform:index:S3ModelRegistry", "aiplatform:index:LlmGateway", "aiplatform:index:WorkloadRole"):
        assert all(PLATFORM in r.urn for r in plan.of_type(type_))
