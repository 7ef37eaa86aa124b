"""Offline plans: run Pulumi programs without the CLI, a cloud account or provider plugins.

`run_program` (in-process) loads the Pulumi SDK on first use; `plan_project`
(subprocess) does not load it in the calling process.
"""

from typing import Any

from ..shape.plan import Plan, PlannedResource
from ..shape.props import UNKNOWN, is_secret, is_unknown, reveal
from .errors import PlanInputError, ProgramError
from .fixtures import Fixtures, load_fixtures
from .runner import plan_project

__all__ = [
    "UNKNOWN",
    "Fixtures",
    "Plan",
    "PlanInputError",
    "PlannedResource",
    "ProgramError",
    "is_secret",
    "is_unknown",
    "load_fixtures",
    "plan_project",
    "reveal",
    "run_program",
]


def __getattr__(name: str) -> Any:
    if name == "run_program":
        from .engine import run_program

        return run_program
    raise AttributeError(name)
