"""Time of a cost estimate: `estimate_plan` on the reference stacks and on plans of 1,000 and 10,000 resources.

Large plans repeat the resources of the `aws-dev` plan under new names (check.py's
`scaled`), so every pricer runs. Planning is not included: it is measured in plan.py.

    .venv/bin/python benchmarks/cost.py             # prints a Markdown table
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from check import best, scaled  # noqa: E402

from aiplatform.cost.plan import estimate_plan  # noqa: E402
from aiplatform.testing import plan_project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = ["| plan | resources | line items | estimate (s) |", "|---|---:|---:|---:|"]
    base = None
    for stack in ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod"):
        plan = plan_project(ROOT, stack)
        base = base or plan
        items = len(estimate_plan(plan).items)
        rows.append(f"| {stack} | {len(plan.resources)} | {items} | {best(lambda p=plan: estimate_plan(p), args.runs):.4f} |")
    for size in args.sizes:
        plan = scaled(base, size)
        items = len(estimate_plan(plan).items)
        rows.append(f"| synthetic | {size} | {items} | {best(lambda p=plan: estimate_plan(p), args.runs):.3f} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
