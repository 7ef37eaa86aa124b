"""Typed grants: the policy documents are least-privilege by construction, by linter, and against moto."""

from __future__ import annotations

import json

import boto3
import pytest
from iam_helpers import CALLS_PER_IDENTITY, denied, s3_client_for
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count
from parliament import analyze_policy_string

from aiplatform.components.aws.grants import (
    GRANT_KINDS,
    GrantError,
    aoss_data_rules,
    grant_problems,
    irsa_trust,
    pod_identity_trust,
    policy_document,
)

BUCKET = "ml-models-0123456789"

BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"

KEY = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"

REPO = "arn:aws:ecr:us-east-1:111122223333:repository/ml-serving"

GROUP = "arn:aws:sagemaker:us-east-1:111122223333:model-package-group/ml-chat"

COLLECTION = "arn:aws:aoss:us-east-1:111122223333:collection/abc123"

WORKSPACE = "arn:aws:aps:us-east-1:111122223333:workspace/ws-00000000-0000-4000-8000-000000000000"

MODELS = {"bucket_arn": BUCKET_ARN, "kms_key_arn": KEY, "region": "us-east-1"}

EVERY_KIND = [
    {"kind": "models-read", **MODELS, "prefix": "teams/search/"},
    {"kind": "models-write", **MODELS},
    {"kind": "model-packages-read", "model_package_group_arns": [GROUP]},
    {"kind": "model-packages-write", "model_package_group_arns": [GROUP]},
    {"kind": "images-pull", "repository_arn": REPO},
    {"kind": "images-push", "repository_arn": REPO},
    {"kind": "vector-read", "collection_arn": COLLECTION},
    {"kind": "vector-write", "collection_arn": COLLECTION},
    {"kind": "metrics-write", "workspace_arn": WORKSPACE},
]


def test_every_kind_is_exercised_here():
    assert {g["kind"] for g in EVERY_KIND} == set(GRANT_KINDS)


def test_rendering_is_narrow():
    doc = json.loads(policy_document(EVERY_KIND))
    statements = doc["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements)
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any(a == "*" or a.endswith(":*") for a in actions), statement
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if "*" in resources:
            assert actions == ["ecr:GetAuthorizationToken"]
    # The token statement appears once although two grants need it.
    assert sum(s["Action"] == "ecr:GetAuthorizationToken" for s in statements) == 1
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["G0ModelsReadObjects"]["Resource"] == f"{BUCKET_ARN}/teams/search/*"
    assert by_sid["G0ModelsReadList"]["Condition"] == {"StringLike": {"s3:prefix": ["teams/search/*"]}}
    assert "s3:PutObject" not in by_sid["G0ModelsReadObjects"]["Action"]
    assert "s3:PutObject" in by_sid["G1ModelsWriteObjects"]["Action"]
    assert by_sid["G1ModelsWriteKey"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert by_sid["G0ModelsReadKey"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    assert by_sid["G3ModelPackagesWrite"]["Resource"] == [
        GROUP, "arn:aws:sagemaker:us-east-1:111122223333:model-package/ml-chat/*"]
    # metrics-write: remote write only, on the one workspace (not the managed policy's Resource "*")
    assert by_sid["G8MetricsWrite"] == {"Sid": "G8MetricsWrite", "Effect": "Allow", "Action": ["aps:RemoteWrite"],
                                        "Resource": WORKSPACE}


def test_parliament_finds_nothing_and_is_live():
    findings = analyze_policy_string(policy_document(EVERY_KIND)).findings
    assert [(f.severity, f.issue, f.detail) for f in findings] == []
    # The linter really reads the document: a made-up action is reported.
    bad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjectz", "Resource": f"{BUCKET_ARN}/*"}]})
    assert analyze_policy_string(bad).findings


def test_bad_grants_name_every_problem():
    problems = grant_problems([
        {"kind": "models-everything"},
        {"kind": "models-read", "prefix": "/abs/*"},
        {"kind": "models-write", "bucket_arn": BUCKET_ARN, "kms_key_arn": KEY},
        {"kind": "images-pull"},
    ])
    assert problems == [
        ("grants[0].kind", "unknown grant kind 'models-everything' (one of: " + ", ".join(GRANT_KINDS) + ")"),
        ("grants[1].bucket_arn", "required for models-read"),
        ("grants[1].prefix", "a key prefix takes no '*' and no leading '/'"),
        ("grants[2].region", "required with kms_key_arn (for the kms:ViaService condition)"),
        ("grants[3].repository_arn", "required for images-pull"),
    ]
    with pytest.raises(GrantError, match="grants\\[0\\].repository_arn: required"):
        policy_document([{"kind": "images-pull"}])


def test_trust_policies_pin_one_service_account():
    irsa = json.loads(irsa_trust("arn:aws:iam::111122223333:oidc-provider/oidc.eks/id/X", "https://oidc.eks/id/X",
                                 "ml-models", "model-reader"))["Statement"][0]
    assert irsa["Condition"] == {"StringEquals": {
        "oidc.eks/id/X:sub": "system:serviceaccount:ml-models:model-reader",
        "oidc.eks/id/X:aud": "sts.amazonaws.com",
    }}
    pod = json.loads(pod_identity_trust("ml-dev", "ml-models", "model-reader"))["Statement"][0]
    assert pod["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert pod["Condition"]["StringEquals"] == {
        "aws:RequestTag/eks-cluster-name": "ml-dev",
        "aws:RequestTag/kubernetes-namespace": "ml-models",
        "aws:RequestTag/kubernetes-service-account": "model-reader",
    }


def test_aoss_data_rules_have_no_wildcard_permission():
    for write in (False, True):
        for rule in aoss_data_rules("vectors", write):
            assert not any(p.endswith("*") for p in rule["Permission"])
    assert "aoss:WriteDocument" not in aoss_data_rules("vectors", False)[1]["Permission"]


IDENTITIES = {
    "reader": [{"kind": "models-read", **MODELS}],
    "writer": [{"kind": "models-write", **MODELS}],
    "team-a": [{"kind": "models-read", **MODELS, "prefix": "teams/a/"}],
}

# Requests made before IAM enforcement starts: bucket, 2 objects, then per identity user + policy + key.
SETUP_CALLS = 1 + 2 + CALLS_PER_IDENTITY * len(IDENTITIES)


@mock_aws
@set_initial_no_auth_action_count(SETUP_CALLS)
def test_grants_hold_against_s3_with_iam_enforced():
    admin_s3 = boto3.client("s3", region_name="us-east-1")
    iam = boto3.client("iam", region_name="us-east-1")
    admin_s3.create_bucket(Bucket=BUCKET)
    admin_s3.put_object(Bucket=BUCKET, Key="teams/a/model.safetensors", Body=b"a")
    admin_s3.put_object(Bucket=BUCKET, Key="teams/b/model.safetensors", Body=b"b")
    clients = {name: s3_client_for(iam, name, policy_document(grants)) for name, grants in IDENTITIES.items()}
    reader, writer, team_a = clients["reader"], clients["writer"], clients["team-a"]
    # The read-only identity cannot write, and cannot delete.
    assert denied(lambda: reader.put_object(Bucket=BUCKET, Key="teams/a/new", Body=b"x"))
    assert denied(lambda: reader.delete_object(Bucket=BUCKET, Key="teams/a/model.safetensors"))
    # A role scoped to one prefix cannot read another.
    assert denied(lambda: team_a.get_object(Bucket=BUCKET, Key="teams/b/model.safetensors"))
    assert denied(lambda: team_a.put_object(Bucket=BUCKET, Key="teams/a/new", Body=b"x"))
    # What they may do, they can.
    assert reader.get_object(Bucket=BUCKET, Key="teams/b/model.safetensors")["Body"].read() == b"b"
    assert team_a.get_object(Bucket=BUCKET, Key="teams/a/model.safetensors")["Body"].read() == b"a"
    writer.put_object(Bucket=BUCKET, Key="teams/a/v2.safetensors", Body=b"v2")
    assert writer.get_object(Bucket=BUCKET, Key="teams/a/v2.safetensors")["Body"].read() == b"v2"
    # No grant, no access: the bucket is not reachable by an identity without one.
    assert denied(lambda: writer.get_bucket_policy(Bucket=BUCKET))
