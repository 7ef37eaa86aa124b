"""Hypothesis: no rule crashes on any engine-shaped props — unknowns, wrong types, missing keys, odd nesting."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResourceOptions
from pulumi_policy.proxy import unknown_checking_proxy

from aiplatform.guardrails import Resource, rules
from aiplatform.shape.props import UNKNOWN_SENTINELS

KEYS = ["tags", "environment", "team", "instanceTypes", "capacityType", "scalingConfig", "minSize", "maxSize",
        "metadataOptions", "httpTokens", "blockDeviceMappings", "ebs", "encrypted", "policy", "assumeRolePolicy",
        "Statement", "Action", "Resource", "Condition", "vpcConfig", "endpointPublicAccess", "publicAccessCidrs",
        "encryptionConfig", "resources", "provider", "keyArn", "enabledClusterLogTypes", "ingress", "cidrBlocks",
        "fromPort", "toPort", "type", "spec", "template", "containers", "image", "limits", "requests",
        "nvidia.com/gpu", "tolerations", "metadata", "labels", "annotations", "aiplatform.io/suppress", "region",
        "imageTagMutability", "imageScanningConfiguration", "scanOnPush", "encryptionConfigurations", "values",
        "chart", "service", "rules", "bucket", "inlinePolicies", "instanceType", "hostNetwork", "securityContext"]

scalars = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(sorted(UNKNOWN_SENTINELS)),
    st.sampled_from(["true", "false", "required", "SPOT", "ON_DEMAND", "g6.xlarge", "p5.48xlarge", "0.0.0.0/0",
                     "*", "s3:*", "encryption", "network", '{"Statement": [{"Effect": "Allow", "Action": "*"}]}',
                     "aip-cost-gpu-spot-required=some long enough reason until 2020-01-01", "prod", "dev"]),
)

props = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)), max_leaves=30)

TYPES = ["aws:eks/nodeGroup:NodeGroup", "aws:eks/cluster:Cluster", "aws:ec2/launchTemplate:LaunchTemplate",
         "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:ecr/repository:Repository",
                        "aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                        "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "aws:ec2/instance:Instance",
                        "aws:autoscaling/group:Group", "kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob",
                        "kubernetes:helm.sh/v3:Release", "aws:s3/bucket:Bucket", "pulumi:providers:aws"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(type_=st.sampled_from(TYPES), raw=st.dictionaries(st.sampled_from(KEYS), props, max_size=8))
def test_no_rule_crashes_on_arbitrary_props(type_, raw):
    resource = Resource(type=type_, urn=f"urn:pulumi:s::p::{type_}::r", name="r", props=raw)
    for rule in rules():
        config = rule.defaults
        if rule.kind == "resource":
            for message in rule.check(resource, config):
                assert isinstance(message, str) and message
        else:
            for urn, message in rule.check([resource], config):
                assert urn in (None, resource.urn) and isinstance(message, str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(type_=st.sampled_from(TYPES), raw=st.dictionaries(st.sampled_from(KEYS), props, max_size=8))
def test_no_policy_raises_through_the_analyzer_proxies(type_, raw):
    """The pack's wrappers read the unknown-checking proxies the analyzer hands them without tripping on them."""
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    for rule in rules():
        if rule.kind != "resource":
            continue
        policy = rule.policy(dt.date(2026, 11, 22))
        args = ResourceValidationArgs(type_, unknown_checking_proxy(raw), f"urn:pulumi:s::p::{type_}::r", "r",
                                      opts, None, {})
        reported: list[str] = []
        try:
            policy.validate(args, lambda message, urn=None, sink=reported: sink.append(message))
        except Exception as exc:  # noqa: BLE001 - not-applicable (a suppression) is the only allowed signal
            assert type(exc).__name__ == "_NotApplicableError", exc
        assert all(isinstance(m, str) for m in reported)
