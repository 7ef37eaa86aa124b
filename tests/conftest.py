from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiplatform.testing import plan_project

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_STACKS = ("aws-dev", "aws-prod")


def stack_platform(stack: str) -> dict[str, Any]:
    """The `aiplatform:platform` value of a reference stack, as a fresh dict."""
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return copy.deepcopy(data["config"]["aiplatform:platform"])


@pytest.fixture
def dev_config() -> dict[str, Any]:
    return stack_platform("aws-dev")


@pytest.fixture
def prod_config() -> dict[str, Any]:
    return stack_platform("aws-prod")


@pytest.fixture(scope="session")
def reference_plans():
    """Each reference stack planned once (preview), through the real program in a subprocess."""
    return {stack: plan_project(ROOT, stack) for stack in REFERENCE_STACKS}


@pytest.fixture(scope="session")
def reference_up_plans():
    """Each reference stack planned once in up mode (fixture outputs fill ARNs, so applies run)."""
    return {stack: plan_project(ROOT, stack, mode="up") for stack in REFERENCE_STACKS}
