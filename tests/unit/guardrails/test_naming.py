"""aip-naming-cloud-limits: physical names within the cloud's limits and characters, and unique per type.

Issue 16, point 10 names the cases: Pulumi's autoname (+8) and a provider's prefix suffix (+26) push
names that look short enough over the limit, and truncation made two names one.
"""

from __future__ import annotations

from guardrail_helpers import check, resource

from aiplatform.shape.props import UNKNOWN

RULE = "aip-naming-cloud-limits"
ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ACCESS_POLICY = "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy"
ACCOUNT = "gcp:serviceaccount/account:Account"
NODE_POOL = "gcp:container/nodePool:NodePool"
NAMESPACE = "kubernetes:core/v1:Namespace"


def naming_messages(*resources) -> list[str]:
    report = check(*resources)
    return sorted(f.message for f in report.findings if f.rule == RULE and f.status == "violation")


def test_names_that_fit_pass():
    assert naming_messages(
        resource(ROLE, "ml-dev-cluster-autoscaler", {}),
        resource(BUCKET, "ml-dev-models", {"bucketPrefix": "ml-dev-models-"}),
        resource(NODE_GROUP, "ml-dev-inference-l4", {"clusterName": "ml-dev"}),
        resource(ACCOUNT, "ml-dev-consumer", {"accountId": "ml-dev-consumer"}),
        resource(NAMESPACE, "ns", {"metadata": {"name": "search"}}),
    ) == []


def test_iam_role_autoname_over_64_is_caught():
    # case: `{name}-cluster-autoscaler` with a 40-character platform name: 58 + 8 > 64
    name = "a" * 40 + "-cluster-autoscaler"
    [message] = naming_messages(resource(ROLE, name, {}))
    assert "autoname" in message and "67 characters; the limit is 64" in message


def test_s3_bucket_prefix_over_37_is_caught():
    # case: `{name}-vector-snapshots-` for a platform name over 19 characters
    prefix = "platform-name-of-20c-vector-snapshots-"
    [message] = naming_messages(resource(BUCKET, "b", {"bucketPrefix": prefix}))
    assert "26-character suffix" in message and "the limit is 3-63" in message


def test_explicit_name_with_bad_characters_is_caught():
    [message] = naming_messages(resource(ACCOUNT, "sa", {"accountId": "Team_Search"}))
    assert "characters outside" in message


def test_gke_node_pool_over_40_is_caught():
    # case: GKE node pool names over 40
    [message] = naming_messages(resource(NODE_POOL, "ml-platform-prod-inference-l4-large", {}))
    assert "the limit is 40" in message


def test_two_resources_sharing_a_name_are_caught_within_a_scope_only():
    # case: OpenSearch policy names cut to 32 collide (recommendations-eu / -us)
    same = "recommendations-vectors-ro"
    messages = naming_messages(resource(ACCESS_POLICY, "eu", {"name": same}), resource(ACCESS_POLICY, "us", {"name": same}))
    assert len(messages) == 1 and "is also the name of" in messages[0]
    # node groups are named per cluster: the same name in two clusters is fine
    assert naming_messages(resource(NODE_GROUP, "a", {"clusterName": "one", "nodeGroupName": "gpu"}),
                           resource(NODE_GROUP, "b", {"clusterName": "two", "nodeGroupName": "gpu"})) == []


def test_unknown_names_are_skipped():
    assert naming_messages(resource(ROLE, "r", {"name": UNKNOWN}), resource(BUCKET, "b", {"bucketPrefix": UNKNOWN})) == []
