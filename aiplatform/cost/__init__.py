"""Monthly cost of a plan — idle, expected and peak — from the priced catalog, and the diff of two estimates.

`estimate_resources` works on the guardrails' engine-shaped resources and
imports no provider SDK, so the `aip-cost-monthly-budget` rule runs it inside
the policy pack; `estimate_plan` prices an `aiplatform plan`. See docs/cost.md.
"""

from .diff import CostDiff, LineChange, diff
from .estimate import estimate_resources
from .model import Estimate, LineItem, Triple
from .usage import Usage, UsageError, load_usage, parse_usage

__all__ = [
    "CostDiff",
    "Estimate",
    "LineChange",
    "LineItem",
    "Triple",
    "Usage",
    "UsageError",
    "diff",
    "estimate_resources",
    "load_usage",
    "parse_usage",
]
