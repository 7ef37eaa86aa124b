"""Offline plans: run Pulumi programs without the CLI, a cloud account or provider plugins."""

from .engine import plan_project, run_program
from .errors import PlanInputError, ProgramError
from .fixtures import Fixtures, load_fixtures
from .plan import UNKNOWN, Plan, PlannedResource, is_secret, is_unknown, reveal

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
