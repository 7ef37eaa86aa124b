"""Paired CPU time of `check_plan` on two source trees (e.g. main and a branch), for a loaded machine.

Each tree gets one long-lived worker process (imports, the `benchmarks/check.py` scaled plan, one
warm-up check); the driver then asks them for one `check_plan` each in turn (ABBA order), so both
see the same load, and prints the minimum and median CPU time (user + system of the worker) and
wall time of each. With `--callgrind`, each worker runs under valgrind's callgrind with
instrumentation off until the warm-up is done and prints the instructions of exactly one
`check_plan` call: a count that does not depend on the machine's load (slow: use --size 3000).

    .venv/bin/python benchmarks/check_pair.py /work/main . --size 10000 --rounds 8
    .venv/bin/python benchmarks/check_pair.py /work/main . --size 3000 --callgrind
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def worker(size: int) -> None:
    root = Path(os.environ["PYTHONPATH"]).resolve()
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "benchmarks"))
    from check import scaled  # the tree's own benchmarks/check.py

    from aiplatform.check.runner import check_plan
    from aiplatform.testing import plan_project

    plan = scaled(plan_project(root, "aws-dev"), size)
    check_plan(plan)
    print("ready", flush=True)
    for _ in sys.stdin:
        cpu, wall = time.process_time(), time.perf_counter()
        check_plan(plan)
        print(f"{time.process_time() - cpu:.4f} {time.perf_counter() - wall:.4f}", flush=True)


def start(tree: str, size: int, callgrind: Path | None) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--worker", "--size", str(size)]
    if callgrind is not None:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={callgrind}",
                   *command]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               stderr=subprocess.PIPE if callgrind is not None else None,
                               env=dict(os.environ, PYTHONPATH=str(Path(tree).resolve())))
    if process.stdout.readline().strip() != "ready":  # type: ignore[union-attr]
        raise SystemExit(f"{tree}: the worker did not start")
    return process


def ask(process: subprocess.Popen[str]) -> tuple[float, float]:
    process.stdin.write("go\n")  # type: ignore[union-attr]
    process.stdin.flush()  # type: ignore[union-attr]
    cpu, wall = process.stdout.readline().split()  # type: ignore[union-attr]
    return float(cpu), float(wall)


def instructions(tree: str, size: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        process = start(tree, size, Path(tmp) / "callgrind.out")
        subprocess.run(["callgrind_control", "-i", "on", str(process.pid)], check=True, capture_output=True)
        ask(process)
        subprocess.run(["callgrind_control", "-i", "off", str(process.pid)], check=True, capture_output=True)
        _, err = process.communicate("")
    return int(re.search(r"Collected : (\d+)", err).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trees", nargs="*")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        return worker(args.size)
    if args.callgrind:
        for tree in args.trees:
            print(f"{tree}: {instructions(tree, args.size):,} instructions in one check_plan of {args.size} resources")
        return None
    processes = [start(tree, args.size, None) for tree in args.trees]
    times: dict[str, list[tuple[float, float]]] = {tree: [] for tree in args.trees}
    for i in range(args.rounds):
        order = list(zip(args.trees, processes, strict=True))
        for tree, process in order if i % 2 == 0 else reversed(order):
            times[tree].append(ask(process))
    for process in processes:
        process.communicate("")
    print(f"check_plan on {args.size} resources, {args.rounds} rounds (ABBA); load average {os.getloadavg()[0]:.1f}")
    for tree, pairs in times.items():
        cpu, wall = [c for c, _ in pairs], [w for _, w in pairs]
        print(f"{tree}: CPU min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
              f"wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s")
    return None


if __name__ == "__main__":
    main()
