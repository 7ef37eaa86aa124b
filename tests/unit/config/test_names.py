"""Issue 16, point 10: names and words the clouds refuse are config errors with their path (and the limit).

Each case is one of the measured ones; the lengths that can be fitted are fitted instead (the
components, tests/programs/test_names.py), and judged by aip-naming-cloud-limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import config_problems, stack_platform

from aiplatform.config import PLATFORM_NAMESPACES, load_platform_config


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(raw: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = raw
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return apply


LONG_HOST = ".".join(["a" * 60] * 4) + ".example.com"  # 255 characters (the review tried 295)
CASES = [
    ("aws-dev", "region eu-north-9", [_set("region", "eu-north-9")],
     "platform.region: 'eu-north-9' is not an AWS region (the catalog's list of 38"),
    ("gcp-dev", "region us-centrall1", [_set("region", "us-centrall1")], "did you mean us-central1"),
    ("aws-dev", "team named nvidia-device-plugin", [_set("teams.0.name", "nvidia-device-plugin")],
     "platform.teams[0].name: 'nvidia-device-plugin' is a namespace the platform uses"),
    ("aws-dev", "team named llm-gateway", [_set("teams.0.name", "llm-gateway")],
     "platform.teams[0].name: 'llm-gateway' is a namespace the platform uses"),
    ("aws-dev", "model_registry.namespace kube-system", [_set("model_registry.namespace", "kube-system")],
     "platform.model_registry.namespace: 'kube-system' is a namespace the platform uses for something else"),
    ("aws-dev", "model_registry.namespace llm-gateway", [_set("model_registry.namespace", "llm-gateway")],
     "platform.model_registry.namespace: 'llm-gateway' is a namespace the platform uses for something else"),
    ("aws-dev", "bucket name xn-- prefix", [_set("name", "xn--ml")], "platform.name: starts with 'xn--', which S3 reserves"),
    ("aws-dev", "bucket name sthree- prefix", [_set("name", "sthree-ml")], "platform.name: starts with 'sthree-'"),
    ("gcp-dev", "bucket name google", [_set("name", "google-ml")], "platform.name: Cloud Storage refuses bucket names"),
    ("gcp-dev", "bucket name g00gle", [_set("name", "my-g00gle-ml")], "platform.name: Cloud Storage refuses bucket names"),
    ("aws-dev", "255-character gateway hostname", [_set("gateway.hostname", LONG_HOST)],
     "platform.gateway.hostname: 255 characters; a host name has at most 253"),
    ("aws-dev", "hostname label over 63", [_set("gateway.hostname", "a" * 64 + ".example.com")],
     "each dot-separated label is 1-63"),
    ("aws-dev", "access-entry group system:masters", [_set("teams.0.members_group", "system:masters")],
     "platform.teams[0].members_group: 'system:masters': groups starting with 'system:'"),
    ("aws-dev", "same principal twice in access entries",
     [_set("teams.1.member_role_arns", ["arn:aws:iam::111122223333:role/team-search-developers"])],
     "platform.teams[1].member_role_arns[0]: 'arn:aws:iam::111122223333:role/team-search-developers' is also "
     "teams[0].member_role_arns[0]"),
    ("aws-dev", "taint key not a label key",
     [_set("gpu_pools.0.taints", [{"key": "bad key!", "effect": "NoSchedule"}])],
     "platform.gpu_pools[0].taints[0].key: 'bad key!' is not a valid taint key"),
    ("aws-dev", "taint value not a label value",
     [_set("gpu_pools.0.taints", [{"key": "example.com/dedicated", "value": "a" * 64}])],
     "is not a valid taint value (at most 63"),
    ("aws-dev", "CIDR in 127/8", [_set("network.cidr", "127.10.0.0/16")],
     "platform.network.cidr: 127.10.0.0/16 overlaps 127.0.0.0/8, loopback"),
    ("aws-dev", "CIDR in 224/4", [_set("network.cidr", "224.10.0.0/16")], "overlaps 224.0.0.0/4, multicast"),
    ("aws-dev", "CIDR 0.0.0.0/x", [_set("network.cidr", "0.0.0.0/16")], "overlaps 0.0.0.0/8"),
    ("aws-dev", "CIDR in 169.254/16", [_set("network.cidr", "169.254.0.0/16")], "overlaps 169.254.0.0/16, link-local"),
    ("aws-dev", "allow-list CIDR in 127/8", [_set("cluster.endpoint.public_cidrs", ["127.0.0.1/32"])],
     "platform.cluster.endpoint.public_cidrs[0]: 127.0.0.1/32 is in 127.0.0.0/8, loopback"),
    ("aws-dev", "cost_center cc#5120 into IAM tags", [_set("teams.1.cost_center", "cc#5120")],
     "platform.teams[1].cost_center: 'cc#5120': AWS tag values take letters, digits"),
    ("gcp-dev", "cost_center uppercase into GCP labels", [_set("teams.1.cost_center", "CC-5120")],
     "platform.teams[1].cost_center: 'CC-5120': GCP label values take lowercase"),
]


@pytest.mark.parametrize(("stack", "case", "edits", "expected"), CASES, ids=[c[1] for c in CASES])
def test_name_case_is_a_config_error_with_its_path(stack, case, edits, expected):
    raw = stack_platform(stack)
    for edit in edits:
        edit(raw)
    problems = config_problems(raw)
    assert any(expected in p for p in problems), problems


def test_the_reference_stacks_pass_every_name_check():
    for stack in ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod"):
        load_platform_config(stack_platform(stack))


def test_the_platform_namespaces_include_the_device_plugin_and_gateway():
    assert {"nvidia-device-plugin", "llm-gateway", "vector-store", "kube-system"} <= PLATFORM_NAMESPACES


def test_broad_allow_lists_are_left_to_the_exposure_rules():
    raw = stack_platform("aws-dev")
    raw["cluster"]["endpoint"]["public_cidrs"] = ["0.0.0.0/1", "128.0.0.0/1"]
    assert [str(c) for c in load_platform_config(raw).cluster.endpoint.public_cidrs] == ["0.0.0.0/1", "128.0.0.0/1"]
