"""`aiplatform check --plan` next to checkov on the same resources (a stack's plan).

checkov reads no Pulumi plan, so the plan's resources are written as a Terraform plan JSON
(`planned_values.root_module.resources`): each Pulumi type token as the Terraform type of the
same provider resource (`aws:eks/nodeGroup:NodeGroup` -> `aws_eks_node_group`), each input
property in snake case. checkov then runs its Terraform-plan checks on them
(`checkov -f plan.tf.json --framework terraform_plan --skip-download`, offline); aiplatform runs its guardrails on the
plan JSON itself. Both are timed as the commands a CI job runs (fresh processes, wall time).

checkov is not a dependency of aiplatform: install it into a separate virtualenv and name its
executable.

    python -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov==3.3.30
    PYTHONPATH=. .venv/bin/python benchmarks/checkov.py --checkov /tmp/checkov-venv/bin/checkov --runs 5
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def terraform_type(token: str) -> str:
    """`aws:eks/nodeGroup:NodeGroup` -> `aws_eks_node_group`; `kubernetes:apps/v1:Deployment` -> `kubernetes_deployment`."""
    package, module, kind = token.split(":")
    if package == "kubernetes":
        return f"kubernetes_{snake(kind)}"
    group = module.split("/")[0]
    if group in ("index", "", "ec2"):  # Terraform's EC2 types carry no module: aws_subnet, aws_security_group
        return f"{package}_{snake(kind)}"
    return f"{package}_{snake(group)}_{snake(kind)}"


def values(value: Any) -> Any:
    if isinstance(value, dict):
        return {snake(k): values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [values(v) for v in value]
    return value


def terraform_plan(plan: dict[str, Any]) -> dict[str, Any]:
    resources = []
    for row in plan["resources"]:
        if not row.get("custom") or row["type"].startswith("pulumi:"):
            continue
        kind = terraform_type(row["type"])
        name = re.sub(r"[^0-9A-Za-z_]", "_", row["name"])
        resources.append({"address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
                          "provider_name": f"registry.terraform.io/hashicorp/{kind.split('_')[0]}",
                          "values": values(row.get("inputs") or {})})
    return {"format_version": "1.2", "terraform_version": "1.9.0",
            "planned_values": {"root_module": {"resources": resources}},
            "resource_changes": [{"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"],
                                  "change": {"actions": ["create"], "before": None, "after": r["values"]}}
                                 for r in resources]}


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkov", required=True, help="checkov's executable (in its own virtualenv)")
    parser.add_argument("--stack", default="aws-dev")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan_file, tf_file = Path(tmp, "plan.json"), Path(tmp, "plan.tf.json")
        out = subprocess.run([sys.executable, "-m", "aiplatform.cli", "plan", "-s", args.stack, "--format", "json"],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        plan_file.write_text(out.stdout)
        tf = terraform_plan(json.loads(out.stdout))
        tf_file.write_text(json.dumps(tf))
        count = len(tf["planned_values"]["root_module"]["resources"])
        planned = len(json.loads(out.stdout)["resources"])
        ours = wall([sys.executable, "-m", "aiplatform.cli", "check", "--plan", str(plan_file)], args.runs)
        theirs = wall([args.checkov, "-f", str(tf_file), "--framework", "terraform_plan", "--quiet", "--compact",
                       "--skip-download"], args.runs)  # offline: no guidelines fetched from the vendor's API
        version = subprocess.run([args.checkov, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"median of {args.runs} runs each, wall time of the command; checkov {version}\n")
    print("| tool, on the resources of the same plan | resources | wall time (s) |")
    print("|---|---|---|")
    print(f"| `aiplatform check --plan` ({args.stack}) | {planned} "
          f"| {ours:.2f} |")
    print(f"| `checkov -f plan.tf.json --framework terraform_plan --skip-download` | {count} | {theirs:.2f} |")
    print(f"\ncheckov / aiplatform check: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
