from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiplatform.testing import plan_project

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_STACKS = ("aws-dev", "aws-prod")
GCP_STACKS = ("gcp-dev", "gcp-prod")
ALL_STACKS = REFERENCE_STACKS + GCP_STACKS


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


@pytest.fixture(scope="session")
def gcp_plans():
    """The GCP reference stacks planned once each (preview)."""
    return {stack: plan_project(ROOT, stack) for stack in GCP_STACKS}


@pytest.fixture(scope="session")
def gcp_up_plans():
    """The GCP reference stacks planned once each in up mode (fixture outputs fill ids and emails)."""
    return {stack: plan_project(ROOT, stack, mode="up") for stack in GCP_STACKS}


@pytest.fixture(scope="session")
def all_plans(reference_plans, gcp_plans):
    return {**reference_plans, **gcp_plans}


@pytest.fixture(scope="session")
def all_up_plans(reference_up_plans, gcp_up_plans):
    return {**reference_up_plans, **gcp_up_plans}
