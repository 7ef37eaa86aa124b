"""Interleaved rounds of `aiplatform plan --stack aws-dev` on several trees, next to the import floor.

On a machine shared with other work, runs one after the other compare different loads; this runs the
floor of `benchmarks/plan.py` and each tree's CLI once per round, in turn, and prints medians and the
median of the per-round ratios to the floor. Each tree is run with PYTHONPATH set to it (absolute:
the planning subprocess starts in the program's directory), without the test suite's plan cache.
A tree given as PATH:NAME=VALUE also sets an environment variable (`AIPLATFORM_PLAN_PRESTART=0`).

    .venv/bin/python benchmarks/plan_pairs.py --rounds 6 /work/main . .:AIPLATFORM_PLAN_PRESTART=0
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan import FLOOR, MEASURE, MODULES, ROOT  # the same floor and measurement as plan.py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--stack", default="aws-dev")
    parser.add_argument("trees", nargs="+")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "AIPLATFORM_PLAN_CACHE"}
    modules = subprocess.run([sys.executable, "-c", MODULES, str(ROOT)], capture_output=True, text=True, check=True,
                             env={**env, "PYTHONPATH": str(ROOT)})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as listing:
        listing.write(modules.stdout)
    runs: dict[str, tuple[list[str], dict[str, str], str]] = {
        "floor": ([sys.executable, "-c", FLOOR, listing.name], {**env, "PYTHONPATH": str(ROOT)}, str(ROOT))}
    for given in args.trees:
        tree, _, setting = given.partition(":")
        tree = str(Path(tree).resolve())
        extra = dict([setting.split("=", 1)]) if setting else {}
        runs[given] = ([sys.executable, "-m", "aiplatform.cli", "plan", "--format", "json", "-C", tree, "-s",
                        args.stack], {**env, "PYTHONPATH": tree, **extra}, tree)
    results: dict[str, list[dict]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, (cmd, run_env, cwd) in runs.items():  # in the tree: `-m` puts the working directory first
            out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True,
                                 env=run_env, cwd=cwd)
            result = json.loads(out.stdout)
            if result["rc"] != 0:
                raise SystemExit(f"{name} failed:\n{result['stderr']}")
            results[name].append(result)
    Path(listing.name).unlink()
    floor = results["floor"]
    print(f"{args.rounds} interleaved rounds, {args.stack}; medians\n")
    print("| run | wall (s) | CPU (s) | x floor, wall (median of the rounds' ratios) | x floor, CPU |")
    print("|---|---|---|---|---|")
    for name, rows in results.items():
        wall = statistics.median(r["seconds"] for r in rows)
        cpu = statistics.median(r["cpu"] for r in rows)
        ratio = statistics.median(r["seconds"] / f["seconds"] for r, f in zip(rows, floor, strict=True))
        ratio_cpu = statistics.median(r["cpu"] / f["cpu"] for r, f in zip(rows, floor, strict=True))
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {ratio:.2f} | {ratio_cpu:.2f} |")


if __name__ == "__main__":
    main()
