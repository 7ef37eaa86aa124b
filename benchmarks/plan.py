"""Wall time and peak memory of `aiplatform plan`, next to the floor.

The floor is a process that only imports the provider SDK modules the platform
program uses. The reference stacks are planned through the CLI; synthetic
platforms of N GPU pools measure how the engine scales with resources.

    .venv/bin/python benchmarks/plan.py            # prints a Markdown table
    .venv/bin/python benchmarks/plan.py --runs 5 --pools 10 100 1000
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FLOOR = (
    "import pulumi, pulumi_aws, pulumi_kubernetes\n"
    "from pulumi_aws import ec2, eks, iam, kms, cloudwatch, autoscaling, s3, ecr, sagemaker, opensearch\n"
    "from pulumi_kubernetes import helm, core, storage, apiextensions\n"
    "helm.v3.Release; core.v1.Namespace; eks.NodeGroup; ec2.LaunchTemplate; iam.Role; kms.Key\n"
    "s3.Bucket; ecr.Repository; sagemaker.ModelPackageGroup; opensearch.ServerlessCollection\n"
    "storage.v1.StorageClass; apiextensions.CustomResource\n"
)
# Runs a command and reports its wall time and the peak RSS of it and its descendants.
MEASURE = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "dt = time.perf_counter() - t\n"
    "print(json.dumps({'rc': r.returncode, 'seconds': dt, 'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,"
    " 'stderr': r.stderr.decode()[-2000:], 'stdout_bytes': len(r.stdout)}))\n"
)


def measure(cmd: list[str], runs: int) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True)
        res = json.loads(out.stdout)
        if res["rc"] != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{res['stderr']}")
        results.append(res)
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
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
    args = parser.parse_args()
    cli = [sys.executable, "-m", "aiplatform.cli", "plan", "--format", "json"]
    rows = []
    floor = measure([sys.executable, "-c", FLOOR], args.runs)
    rows.append(("floor: import the provider SDKs", "-", floor))
    for stack in ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod"):
        rows.append((f"reference stack {stack}", resource_count(ROOT, stack), measure([*cli, "-C", str(ROOT), "-s", stack], args.runs)))
    synthetic = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.pools:
            project = Path(tmp, f"p{n}")
            synthetic_project(project, n)
            count = resource_count(project, "bench")
            result = measure([*cli, "-C", str(project), "-s", "bench"], args.runs)
            rows.append((f"synthetic, {n} GPU pools", count, result))
            synthetic.append((count, result["seconds"]))

    print(f"python {sys.version.split()[0]}, {args.runs} runs each (median wall time, max peak RSS)\n")
    print("| program | resources | wall time (s) | x floor | peak memory (MB) |")
    print("|---|---|---|---|---|")
    for label, count, result in rows:
        print(f"| {label} | {count} | {result['seconds']:.2f} | {result['seconds'] / floor['seconds']:.2f} | {result['peak_mb']:.0f} |")
    if len(synthetic) >= 2:
        (c0, t0), (c1, t1) = synthetic[0], synthetic[-1]
        print(f"\nmarginal cost per resource ({c0} -> {c1} resources): {(t1 - t0) / (c1 - c0) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
