"""docs/testing.md: `plan_program(config=...)` takes full keys, the program's own under the project name."""

from __future__ import annotations

import pulumi
import pytest

from aiplatform.testing import PlanInputError, plan_program


def test_config_takes_full_keys_and_structures():
    seen = {}

    def program() -> None:
        seen["team"] = pulumi.Config().require("team")
        seen["region"] = pulumi.Config("aws").get("region")
        seen["pools"] = pulumi.Config("aiplatform").require_object("platform")["pools"]

    plan_program(program, config={"test:team": "search", "aws:region": "eu-west-1",
                                  "aiplatform:platform": {"pools": [1, 2]}})
    assert seen == {"team": "search", "region": "eu-west-1", "pools": [1, 2]}


def test_a_missing_required_key_is_a_plan_input_error_naming_the_key():
    with pytest.raises(PlanInputError, match=r"requires 'test:team'; add `test:team: <value>` under `config:`"):
        plan_program(lambda: pulumi.Config().require("team"))
