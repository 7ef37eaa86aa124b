"""Wall time and peak memory of `aiplatform plan`, next to the floor.

The floor is "imports and exit of the same SDK modules": a process that imports
every module the planning subprocess had loaded after planning aws-dev (the SDK,
the providers, aiplatform, protobuf, grpc, ...) and leaves the way the planning
subprocess does (collector off, `os._exit`), so the ratio compares like with like.
The reference stacks are planned through the CLI; synthetic platforms of N GPU
pools measure how the engine scales with resources, and the marginal cost per
resource is taken between N=100 and N=1000 (the first and last N otherwise).

    .venv/bin/python benchmarks/plan.py            # prints a Markdown table
    .venv/bin/python benchmarks/plan.py --runs 5 --pools 10 100 1000
    .venv/bin/python benchmarks/plan.py --runs 5 --stacks aws-dev --pools    # the floor and aws-dev only

A platform of more than `AIPLATFORM_PLAN_CHUNK_POOLS` pools (default 250) is planned in chunks
(`aiplatform/offline/chunks.py`); each such N gets a second row planned in one run (the setting at 0),
to compare. Set PYTHONPATH to an absolute path: the planning subprocess runs in the program's folder.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from aiplatform.offline.chunks import ENV as CHUNK_ENV
from aiplatform.offline.chunks import pools_per_chunk

ROOT = Path(__file__).resolve().parent.parent
# Plans aws-dev in this process as the planning subprocess does, then prints the modules it loaded.
MODULES = (
    "import json, sys\n"
    "from aiplatform.offline.engine import run_program\n"
    "from aiplatform.offline.project import load_project, load_stack_config\n"
    "import runpy\n"
    "spec = load_project(sys.argv[1]); config, secrets = load_stack_config(spec, 'aws-dev')\n"
    "sys.path.insert(0, str(spec.program_dir))\n"
    "run_program(lambda: runpy.run_path(str(spec.program_dir), run_name='__main__'), project=spec.name,\n"
    "            stack='aws-dev', config=config, secret_keys=secrets, root=spec.root)\n"
    "print(json.dumps(sorted(m for m in sys.modules if not m.startswith('__'))))\n"
)
# Imports those modules and leaves like the planning subprocess: collector off, os._exit.
FLOOR = (
    "import gc, importlib, json, os, sys\n"
    "gc.disable()\n"
    "for name in json.load(open(sys.argv[1])):\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception:\n"
    "        pass\n"
    "os._exit(0)\n"
)
# Runs a command and reports its wall time, and the peak RSS and CPU time of it and its descendants.
MEASURE = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "dt = time.perf_counter() - t; use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'rc': r.returncode, 'seconds': dt, 'peak_mb': use.ru_maxrss / 1024,"
    " 'cpu': use.ru_utime + use.ru_stime,"
    " 'stderr': r.stderr.decode()[-2000:], 'stdout_bytes': len(r.stdout)}))\n"
)


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True,
                             env={**os.environ, **(env or {})})
        res = json.loads(out.stdout)
        if res["rc"] != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{res['stderr']}")
        results.append(res)
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "cpu": statistics.median(r["cpu"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
        "stdout_bytes": results[0]["stdout_bytes"],
    }


def synthetic_project(directory: Path, pools: int) -> None:
    base = yaml.safe_load((ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    platform = base["config"]["aiplatform:platform"]
    template = platform["gpu_pools"][0]
    platform["gpu_pools"] = []
    for i in range(pools):
        pool = copy.deepcopy(template)
        pool["name"] = f"pool-{i}"
        platform["gpu_pools"].append(pool)
    for team in platform.get("teams", []):
        team.pop("accelerators", None)  # the synthetic pools all offer the template's accelerator
    (directory / "stacks").mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (directory / "stacks" / "__main__.py").write_text((ROOT / "stacks" / "__main__.py").read_text())
    (directory / "stacks" / "Pulumi.bench.yaml").write_text(yaml.safe_dump(base))


def resource_count(project: Path, stack: str) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "aiplatform.cli", "plan", "-C", str(project), "-s", stack, "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    return len(json.loads(out.stdout)["resources"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pools", type=int, nargs="*", default=[10, 100, 1000])
    parser.add_argument("--stacks", nargs="*", default=["aws-dev", "aws-prod", "gcp-dev", "gcp-prod"])
    args = parser.parse_args()
    cli = [sys.executable, "-m", "aiplatform.cli", "plan", "--format", "json"]
    rows = []
    modules = subprocess.run([sys.executable, "-c", MODULES, str(ROOT)], capture_output=True, text=True, check=True)
    modules_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115 - read by the floor
    modules_file.write(modules.stdout)
    modules_file.close()
    count = len(json.loads(modules.stdout))
    floor = measure([sys.executable, "-c", FLOOR, modules_file.name], args.runs)
    Path(modules_file.name).unlink()
    rows.append((f"floor: imports and exit of the same {count} modules", "-", floor))
    for stack in args.stacks:
        rows.append((f"reference stack {stack}", resource_count(ROOT, stack), measure([*cli, "-C", str(ROOT), "-s", stack], args.runs)))
    synthetic = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.pools:
            project = Path(tmp, f"p{n}")
            synthetic_project(project, n)
            count = resource_count(project, "bench")
            result = measure([*cli, "-C", str(project), "-s", "bench"], args.runs)
            chunked = n > pools_per_chunk()
            rows.append((f"synthetic, {n} GPU pools{', in chunks' if chunked else ''}", count, result))
            synthetic.append((n, count, result["seconds"], result["cpu"]))
            if chunked:
                whole = measure([*cli, "-C", str(project), "-s", "bench"], args.runs, {CHUNK_ENV: "0"})
                rows.append((f"synthetic, {n} GPU pools, one run ({CHUNK_ENV}=0)", count, whole))

    print(f"python {sys.version.split()[0]}, {args.runs} runs each (median wall and CPU time, max peak RSS); CPU time "
          f"(user + system, the process and its children) is what to compare on a loaded machine\n")
    print("| program | resources | wall time (s) | x floor | CPU time (s) | x floor, CPU | peak memory (MB) |")
    print("|---|---|---|---|---|---|---|")
    for label, count, result in rows:
        print(f"| {label} | {count} | {result['seconds']:.2f} | {result['seconds'] / floor['seconds']:.2f} | "
              f"{result['cpu']:.2f} | {result['cpu'] / floor['cpu']:.2f} | {result['peak_mb']:.0f} |")
    if len(synthetic) >= 2:
        by_n = {n: rest for n, *rest in synthetic}
        (c0, t0, u0), (c1, t1, u1) = (by_n[100], by_n[1000]) if {100, 1000} <= by_n.keys() else (
            synthetic[0][1:], synthetic[-1][1:])
        print(f"\nmarginal cost per resource ({c0} -> {c1} resources): {(t1 - t0) / (c1 - c0) * 1000:.2f} ms wall, "
              f"{(u1 - u0) / (c1 - c0) * 1000:.2f} ms CPU")


if __name__ == "__main__":
    main()
