"""Time of guardrail evaluation: `aiplatform check` on plans of 1,000 and 10,000 resources, and on the reference stacks.

Large plans are made by repeating the resources of the `aws-dev` plan under new
names (same types and props, so the same rules apply). Three figures per size:

- analyzer: `check_plan`, the rules run by pulumi_policy's servicer, as `aiplatform check` runs them;
- whole pack: the same plan through one servicer holding every policy of the pack (what `pulumi preview` does);
- rules only: the rule functions on plain props, without the analyzer protocol.

    .venv/bin/python benchmarks/check.py            # prints a Markdown table
    .venv/bin/python benchmarks/check.py --sizes 1000 10000 --runs 3
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiplatform._version import __version__  # noqa: E402
from aiplatform.check.analyzer import InProcess, run_analyzer  # noqa: E402
from aiplatform.check.runner import check_plan  # noqa: E402
from aiplatform.guardrails import Resource, rules  # noqa: E402
from aiplatform.shape.plan import Plan  # noqa: E402
from aiplatform.testing import plan_project  # noqa: E402


def scaled(base: Plan, size: int) -> Plan:
    resources = []
    copies = 0
    while len(resources) < size:
        for r in base.resources:
            if r.type == "pulumi:pulumi:Stack" or len(resources) >= size:
                continue
            clone = copy.copy(r)
            clone.urn = f"{r.urn}-{copies}"
            clone.name = f"{r.name}-{copies}"
            clone.parent = f"{r.parent}-{copies}" if r.parent else None
            clone.provider = f"{r.provider}-{copies}" if r.provider else None
            resources.append(clone)
        copies += 1
    return Plan(project=base.project, stack=base.stack, mode=base.mode, resources=resources, outputs={})


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def whole_pack(plan: Plan) -> None:
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    servicer = _PolicyAnalyzerServicer("aiplatform", __version__, [r.policy() for r in rules()], EnforcementLevel.ADVISORY)
    run_analyzer(InProcess(servicer), plan, {})


def rules_only(plan: Plan) -> None:
    from aiplatform.guardrails._props import plain

    all_rules = rules()
    resources = [Resource(r.type, r.urn, r.name, plain(r.inputs)) for r in plan.resources]
    for rule in all_rules:
        config = rule.defaults
        if rule.kind == "stack":
            list(rule.check([x for x in resources if rule.applies_to(x.type)], config))
            continue
        for resource in resources:
            if rule.applies_to(resource.type):
                list(rule.check(resource, config))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    rows = ["| plan | resources | analyzer, as `aiplatform check` (s) | whole pack in one servicer (s) | rules only (s) |",
            "|---|---|---|---|---|"]
    check_plan(plan_project(ROOT, "aws-dev"))  # warm imports
    for stack in ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod"):
        t = time.perf_counter()
        plan = plan_project(ROOT, stack)
        planned = time.perf_counter() - t
        checked = best(lambda p=plan: check_plan(p), args.runs)
        rows.append(f"| {stack} (plan {planned:.2f} s; check = {100 * checked / planned:.1f}% of it) | "
                    f"{len(plan.resources)} | {checked:.3f} | {best(lambda p=plan: whole_pack(p), args.runs):.3f} | "
                    f"{best(lambda p=plan: rules_only(p), args.runs):.3f} |")
    base = plan_project(ROOT, "aws-dev")
    for size in args.sizes:
        plan = scaled(base, size)
        analyzer = best(lambda p=plan: check_plan(p), args.runs)
        pack = best(lambda p=plan: whole_pack(p), 1)
        only = best(lambda p=plan: rules_only(p), args.runs)
        rows.append(f"| synthetic | {size} | {analyzer:.2f} | {pack:.2f} | {only:.2f} |")
        del plan
    print("\n".join(rows))
    print(f"\nbest of {args.runs} runs (whole pack: 1 run at the synthetic sizes); python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
