"""Team tenancy on the reference platforms: namespaces, quotas, policies, RBAC and identities, and what
`aiplatform check` says when a team loses its quota, gets a wildcard role or runs a `latest` image."""

from __future__ import annotations

import copy

import pytest
from conftest import stack_platform

from aiplatform.config import ConfigError, load_platform_config


def test_team_config_errors_name_every_problem():
    config = stack_platform("aws-dev")
    config["teams"] = [
        {"name": "search", "gpus": 2, "members_group": "a", "accelerators": ["H100"]},
        {"name": "search", "gpus": -1, "members_group": "b", "memory": "lots"},
        {"name": "llm-gateway", "gpus": 1, "members_group": "c", "member_role_arns": ["arn:aws:iam::1:user/x"]},
    ]
    with pytest.raises(ConfigError) as caught:
        load_platform_config(copy.deepcopy(config))
    found = {p.path for p in caught.value.problems}
    assert {"platform.teams[1].gpus", "platform.teams[1].memory", "platform.teams[2].member_role_arns[0]"} <= found
    # Cross-field problems (reported once the fields themselves are valid).
    config["teams"][1].update(gpus=1, memory="1Gi")
    config["teams"][2]["member_role_arns"] = []
    with pytest.raises(ConfigError) as caught:
        load_platform_config(config)
    messages = {p.path: p.message for p in caught.value.problems}
    assert "no GPU pool offers 'H100'" in messages["platform.teams[0].accelerators[0]"]
    assert "duplicate team 'search'" in messages["platform.teams[1].name"]
    assert "a namespace the platform uses" in messages["platform.teams[2].name"]
