"""The `aiplatform` command: exit codes, formats, errors without tracebacks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, ROOT

from aiplatform.offline.runner import CACHE_ENV


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def edit_platform(project: Path, stack: str, change) -> None:
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["config"]["aiplatform:platform"])
    path.write_text(yaml.safe_dump(data))


def test_plan_defaults_to_the_dev_stack_as_a_tree():
    result = run("plan", "-s", "aws-dev", cwd=ROOT / "stacks")  # the project is found in the parent folder
    assert result.returncode == 0, result.stderr
    assert "aiplatform / aws-dev (preview)" in result.stdout
    flat = " ".join(result.stdout.translate({ord(c): " " for c in "│├└─"}).split())
    assert "NodeGroup ml-dev-inference-l4 instanceTypes=[g6.xlarge, g6.2xlarge] capacityType=SPOT" in flat
    assert "metadataOptions.httpTokens=required" in result.stdout
    # the summary: autoscaler tags folded into their pool, Kubernetes objects by namespace/name, plural counts
    assert "10 cluster-autoscaler node-template tags (Tag)" in result.stdout
    assert "aws:autoscaling/tag:Tag" not in result.stdout
    for line in ("Namespace ml-models", "Namespace llm-gateway", "Namespace vector-store",
                 "Release kube-system/cluster-autoscaler", "ServiceAccount ml-models/model-publisher",
                 "7 NetworkPolicy search/default-deny, allow-same-namespace"):
        assert line in flat, line
    assert re.search(r"\n\d+ resources in \d+ components \(--detail shows every resource\)\n", result.stdout)
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 100
    # outputs as an indented tree, not one-line dicts
    assert "gpuPools:" in lines and any(line.strip(" ├└│─") == "instanceTypes: [g6.xlarge, g6.2xlarge]"
                                         for line in lines)
    detail = run("plan", "-s", "aws-dev", "--detail")
    assert detail.returncode == 0, detail.stderr
    flat = " ".join(detail.stdout.translate({ord(c): " " for c in "│├└─"}).split())
    assert "aws:eks:NodeGroup ml-dev-inference-l4" in flat  # type tokens as `pulumi preview` shows them
    assert flat.count("aws:autoscaling:Tag ") == 20
    assert "kubernetes:core/v1:Namespace ml-models (ml-dev)" in flat
    tree = lambda text: text.split("\nOutputs\n")[0].splitlines()  # noqa: E731
    assert len(tree(result.stdout)) < 0.6 * len(tree(detail.stdout))  # the summary is a summary


def test_plan_json_contract(tmp_path: Path):
    out = tmp_path / "plan.json"
    result = run("plan", "--stack", "aws-prod", "--format", "json", "--output", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert {"version", "project", "stack", "mode", "resources", "outputs", "diagnostics"} <= set(data)
    assert (data["project"], data["stack"], data["mode"]) == ("aiplatform", "aws-prod", "preview")
    row = next(r for r in data["resources"] if r["type"] == "aws:eks/cluster:Cluster")
    assert {"urn", "type", "name", "custom", "parent", "provider", "protect", "dependencies", "inputs", "source"} <= set(row)
    assert row["source"]["uri"] == "aiplatform/components/aws/eks_cluster.py"


def test_bad_config_lists_every_problem_and_exits_2(project_copy: Path):
    def break_it(platform):
        platform["tags"].pop("team")
        platform["network"]["vpc_id"] = "vpc-0123456789abcdef0"
        platform["gpu_pools"][0]["min_nodes"] = 9
        platform["gpu_pools"][0]["instance_types"] = ["m7i.large"]
        platform["gpu_pools"][1]["name"] = "inference-l4"
        platform["gpu_pools"][1]["colour"] = "blue"

    edit_platform(project_copy, "aws-dev", break_it)
    result = run("plan", "-s", "aws-dev", "--project", str(project_copy))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    for line in (
        "platform.tags['team']: required (cost allocation)",
        "platform.network: give either cidr",
        "platform.gpu_pools[0].max_nodes: must be >= min_nodes (9 > 4)",
        "platform.gpu_pools[0].instance_types[0]: instance type without an accelerator: 'm7i.large'",
        "platform.gpu_pools[1].colour: unknown key",
    ):
        assert line in result.stderr, line
    # every problem is placed at its line and column of the stack file, as the user wrote it
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert problems and all(re.match(r"  - .*stacks/Pulumi\.aws-dev\.yaml:\d+:\d+: platform", p) for p in problems)
    assert result.stdout == ""


def test_prod_endpoint_open_to_the_world_exits_2(project_copy: Path):
    edit_platform(project_copy, "aws-prod", lambda p: p["cluster"].update(endpoint={"public": True, "public_cidrs": ["0.0.0.0/0"]}))
    result = run("plan", "--project", str(project_copy), "--stack", "aws-prod")
    assert result.returncode == 2
    assert "platform.cluster.endpoint.public_cidrs[0]: 0.0.0.0/0 opens the Kubernetes API" in result.stderr


def test_a_raising_program_exits_1_with_the_place(project_copy: Path):
    main = project_copy / "stacks" / "__main__.py"
    main.write_text(main.read_text() + "\nraise RuntimeError('boom from the program')\n")
    result = run("plan", "-s", "aws-dev", "--project", str(project_copy))
    assert result.returncode == 1
    assert "RuntimeError: boom from the program" in result.stderr
    assert "stacks/__main__.py:" in result.stderr


def test_bad_service_sections_exit_2(project_copy: Path):
    def break_it(platform):
        platform["vector_store"] = {"kind": "pinecone"}
        platform["gateway"].pop("oidc_issuer")
        platform["gateway"]["cert_manager_issuer"] = "letsencrypt"
        platform["model_registry"]["bucket_name"] = "Models_Bucket"

    edit_platform(project_copy, "aws-prod", break_it)
    result = run("check", "--project", str(project_copy), "--stack", "aws-prod", "--output", str(project_copy / "r.md"))
    assert result.returncode == 2
    for line in (
        "platform.model_registry.bucket_name: 'Models_Bucket' is not a valid S3 bucket name",
        "platform.vector_store.kind: must be one of opensearch-serverless, qdrant (got 'pinecone')",
        "platform.gateway.oidc_issuer: required",
    ):
        assert line in result.stderr, line
    assert "Traceback" not in result.stderr
    assert not (project_copy / "r.md").exists()


def test_usage_errors_exit_2(tmp_path: Path):
    assert run("plan", "--stack", "nope").returncode == 2
    assert run("plan", "-s", "aws-dev", "--mode", "sideways").returncode == 2
    assert run("plan", "--project", str(tmp_path)).returncode == 2
    bad = tmp_path / "fixtures.yaml"
    bad.write_text("invokes: [1, 2]\n")
    result = run("plan", "-s", "aws-dev", "--fixtures", str(bad))
    assert result.returncode == 2 and "fixtures.yaml: invokes" in result.stderr


def test_no_output_file_is_half_written_on_error(project_copy: Path):
    out = project_copy / "plan.json"
    edit_platform(project_copy, "aws-dev", lambda p: p.update(region="nowhere"))
    result = run("plan", "-s", "aws-dev", "--project", str(project_copy), "--format", "json", "--output", str(out))
    assert result.returncode == 2
    assert not out.exists()


def test_schema_command_prints_the_config_schema():
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "aiplatform:platform"
    assert "gpu_pools" in schema["properties"]


def test_cost_on_the_reference_stacks():
    dev = run("cost", "--stack", "aws-dev", "--format", "json")
    assert dev.returncode == 0, dev.stderr
    est = json.loads(dev.stdout)
    by_name = {}
    for item in est["lineItems"]:
        by_name.setdefault(item["name"], []).append(item)
    gpu = [i for i in est["lineItems"] if i["component"].startswith("EksGpuNodePool")]
    assert gpu and all(i["monthly"]["idle"] == 0 for i in gpu)  # scale to zero in dev
    assert all(i["monthly"]["peak"] > 0 for i in gpu)
    priced = {i["sku"] for i in est["lineItems"] if i["status"] == "priced"}
    assert {"aws-eks-cluster-standard", "aws-nat-gateway", "aws-ec2-m7i.large"} <= priced
    assert 0 < est["totals"]["idle"] <= est["totals"]["expected"] <= est["totals"]["peak"]
    prod = run("cost", "--stack", "aws-prod")
    assert prod.returncode == 0, prod.stderr
    assert "p5.48xlarge nodes" in prod.stdout and "(on-demand)" in prod.stdout and "total" in prod.stdout
    assert "$160,716.80" in prod.stdout  # 4 x p5.48xlarge x $55.04 x 730 at peak


def test_cost_baseline_shows_a_bigger_pool_and_the_budget_fails_check(project_copy: Path, tmp_path: Path):
    before = tmp_path / "before.json"
    assert run("cost", "-C", str(project_copy), "--stack", "aws-dev", "-f", "json", "-o", str(before)).returncode == 0

    def bigger(platform):
        platform["gpu_pools"][0]["max_nodes"] = 10
        platform["gpu_pools"][0]["min_nodes"] = 1

    edit_platform(project_copy, "aws-dev", bigger)
    result = run("cost", "-C", str(project_copy), "--stack", "aws-dev", "--baseline", str(before), "-f", "markdown")
    assert result.returncode == 0, result.stderr
    assert "Monthly cost (expected) will increase by $349.97" in result.stdout  # one g6.2xlarge at its spot price + 200 GiB gp3
    assert "| changed | `ml-dev-inference-l4` | g6.2xlarge nodes (spot)" in result.stdout
    as_json = json.loads(run("cost", "-C", str(project_copy), "--stack", "aws-dev", "--baseline", str(before),
                             "-f", "json").stdout)
    assert as_json["delta"]["peak"] > 0 and {c["change"] for c in as_json["changes"]} == {"changed"}

    def budget(amount):
        def change(platform):
            platform["gpu_pools"][0].update(min_nodes=0, max_nodes=4)  # back to the reference pool: only the budget may fail
            platform["budget"] = {"monthly_usd": amount}
        return change

    edit_platform(project_copy, "aws-dev", budget(200))
    check = run("check", "-C", str(project_copy), "--stack", "aws-dev", "--format", "markdown")
    assert check.returncode == 1
    assert "aip-cost-monthly-budget" in check.stdout and "2 blocking" not in check.stdout
    assert "**Budget**: $200.00 per month (expected); the estimate is $288.69, over budget" in check.stdout
    edit_platform(project_copy, "aws-dev", budget(5000))
    passed = run("check", "-C", str(project_copy), "--stack", "aws-dev")
    assert passed.returncode == 0, passed.stdout


def test_cost_bad_usage_and_baseline_exit_2(tmp_path: Path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("resources:\n  nothing-here: {storage_gb: 5}\n  ml-dev-system: {storage_gb: 1}\n")
    result = run("cost", "-s", "aws-dev", "--usage", str(usage))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "resources.nothing-here: no resource" in result.stderr
    assert "resources.ml-dev-system.storage_gb: does not apply" in result.stderr
    baseline = tmp_path / "base.json"
    baseline.write_text('{"kind": "nope"}')
    out = tmp_path / "out.md"
    result = run("cost", "-s", "aws-dev", "--baseline", str(baseline), "-o", str(out))
    assert result.returncode == 2 and "neither" in result.stderr and not out.exists()


def test_a_public_vector_store_passes_config_in_dev_but_fails_the_guardrails(project_copy: Path):
    def go_public(platform):
        platform["vector_store"] = {"kind": "opensearch-serverless", "network": "public"}

    edit_platform(project_copy, "aws-dev", go_public)
    result = run("check", "-C", str(project_copy), "--stack", "aws-dev", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    failed = {f["rule"] for f in report["findings"] if f["enforcement"] == "mandatory"}
    assert failed == {"aip-security-vector-store-private"}


def test_team_stack_for_an_unknown_team_exits_2_without_traceback(tmp_path):
    fixtures = tmp_path / "fixtures.yaml"
    text = (ROOT / "examples" / "platform-fixtures.yaml").read_text().replace("      search:\n", "      searchx:\n")
    fixtures.write_text(text)
    result = run("plan", "-C", "examples/team-chat-service", "--stack", "dev", "--fixtures", str(fixtures))
    assert result.returncode == 2, result.stderr
    assert "team 'search' is not defined on the platform" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_output_through_a_symlink_and_into_a_fifo(tmp_path: Path):
    import os
    import threading

    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = run("plan", "-s", "aws-dev", "--format", "json", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and json.loads(target.read_text())["stack"] == "aws-dev"

    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    result = run("plan", "-s", "aws-dev", "--format", "json", "-o", str(fifo))
    reader.join()
    assert result.returncode == 0, result.stderr
    urns = sorted(r["urn"] for r in json.loads(target.read_text())["resources"])
    assert len(got) == 1 and sorted(r["urn"] for r in json.loads(got[0])["resources"]) == urns  # the whole plan
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "plan.fifo", "real.json"]


def test_output_to_a_directory_exits_2_before_planning(tmp_path: Path):
    result = run("plan", "--format", "json", "-o", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [("plan", "--format", "json"), ("cost", "--format", "json"),
                                     ("check", "--format", "json")])
def test_same_input_same_bytes(command, monkeypatch):
    """Plans, cost line items and findings come in a stable order: two runs print the same bytes (check's
    report carries its own timing, which is left out). For plan, the first run plans the program afresh and the
    second reads the session's plan cache, filled by another run of the program; cost and check read one plan
    (the session's plan cache): their order is the point."""
    second = run(*command, "--stack", "gcp-prod")
    if command[0] == "plan":
        monkeypatch.delenv(CACHE_ENV, raising=False)
    first = run(*command, "--stack", "gcp-prod")
    assert first.returncode == second.returncode == 0, first.stderr
    if command[0] == "check":
        a, b = json.loads(first.stdout), json.loads(second.stdout)
        for report in (a, b):
            report.pop("seconds", None)
        assert a == b
    else:
        assert first.stdout == second.stdout


def test_the_default_stack_is_the_only_one_and_several_need_a_choice(tmp_path: Path):
    several = run("plan")
    assert several.returncode == 2 and "Traceback" not in several.stderr
    assert "4 stacks, choose one with --stack: aws-dev, aws-prod, gcp-dev, gcp-prod" in several.stderr
    project = tmp_path / "team"
    shutil.copytree(EXAMPLES / "team-rag", project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "src").mkdir()
    only = run("plan", "--fixtures", str(EXAMPLES / "platform-fixtures.yaml"), cwd=project / "src")
    assert only.returncode == 0, only.stderr
    assert "team-rag / dev (preview)" in only.stdout
    (project / "Pulumi.dev.yaml").unlink()
    none = run("plan", cwd=project)
    assert none.returncode == 2 and "no stack (no Pulumi.<stack>.yaml" in none.stderr
    nowhere = run("plan", cwd=tmp_path)
    assert nowhere.returncode == 2 and "no Pulumi.yaml here or in any parent folder" in nowhere.stderr


def test_a_missing_required_config_key_is_exit_2_naming_the_key_and_the_file(tmp_path: Path):
    project = tmp_path / "team"
    shutil.copytree(EXAMPLES / "team-rag", project, ignore=shutil.ignore_patterns("__pycache__"))
    stack = project / "Pulumi.dev.yaml"
    stack.write_text("".join(line for line in stack.read_text().splitlines(True) if "team-rag:team:" not in line))
    result = run("plan", "--fixtures", str(EXAMPLES / "platform-fixtures.yaml"), cwd=project)
    assert result.returncode == 2, result.stderr
    assert ("missing config: the program requires 'team-rag:team'; add `team-rag:team: <value>` under `config:` "
            "in Pulumi.dev.yaml") in " ".join(result.stderr.split())
    assert "pulumi config set" not in result.stderr and "Traceback" not in result.stderr
