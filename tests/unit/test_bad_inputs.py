"""Every bad user file is a `UserError` naming the file (the CLI exits 2), never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from aiplatform.check.analyzer import PolicyConfigError, load_policy_config
from aiplatform.check.runner import BUDGET_RULE, with_stack_budget
from aiplatform.cli import app
from aiplatform.cost.plan import BaselineError, load_baseline
from aiplatform.cost.usage import UsageError, load_usage
from aiplatform.offline.errors import PlanInputError
from aiplatform.offline.fixtures import load_fixtures
from aiplatform.offline.project import load_project, load_stack_config

LATIN1 = "name: caf\xe9\n".encode("latin-1")
DEEP_YAML = "a: " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_JSON = "[" * 3000 + "]" * 3000


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / "stacks" / "__main__.py", tmp_path / "stacks" / "__main__.py")
    shutil.copy(ROOT / "stacks" / "Pulumi.aws-dev.yaml", tmp_path / "stacks" / "Pulumi.aws-dev.yaml")
    return tmp_path


def test_stack_files_non_utf8_deep_and_duplicate_keys(project: Path):
    stack = project / "stacks" / "Pulumi.aws-dev.yaml"
    spec = load_project(project)
    for text, message in ((LATIN1, "not UTF-8 text: byte 0xe9 at byte offset 9"),
                          (DEEP_YAML.encode(), "nested deeper than 100 levels"),
                          (b"config:\n  aiplatform:platform: {}\n  aiplatform:platform: {}\n", "duplicate key")):
        stack.write_bytes(text)
        with pytest.raises(PlanInputError, match=f"Pulumi.aws-dev.yaml: .*{message}"):
            load_stack_config(spec, "aws-dev")


def test_pulumi_yaml_non_utf8_config_list_and_absolute_stack_config_dir(project: Path, tmp_path_factory):
    pulumi_yaml = project / "Pulumi.yaml"
    original = pulumi_yaml.read_text()
    pulumi_yaml.write_bytes(original.encode() + "description: caf\xe9\n".encode("latin-1"))
    with pytest.raises(PlanInputError, match="Pulumi.yaml: not UTF-8 text: byte 0xe9 at byte offset"):
        load_project(project)
    pulumi_yaml.write_text(original + "config: [a, b]\n")
    with pytest.raises(PlanInputError, match=r"Pulumi.yaml: config: a mapping of config keys \(got list\)"):
        load_project(project)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    pulumi_yaml.write_text(original.replace("stackConfigDir: stacks", f"stackConfigDir: {elsewhere}"))
    assert f"stackConfigDir: {elsewhere}" in pulumi_yaml.read_text()
    with pytest.raises(PlanInputError, match="stackConfigDir: a directory relative to the project"):
        load_project(project)


def test_fixtures_non_utf8_wrong_output_type_and_nan(tmp_path: Path):
    path = tmp_path / "fixtures.yaml"
    path.write_bytes(LATIN1)
    with pytest.raises(PlanInputError, match="fixtures.yaml: not UTF-8 text"):
        load_fixtures(path)
    path.write_text("outputs:\n  aws:eks/cluster:Cluster:\n    certificateAuthority: oops\n    identities: 5\n")
    with pytest.raises(PlanInputError) as info:
        load_fixtures(path)
    assert str(info.value).splitlines() == [
        f"{path}: outputs.aws:eks/cluster:Cluster.certificateAuthority: must be a mapping, like the built-in "
        "output (got a string)",
        f"{path}: outputs.aws:eks/cluster:Cluster.identities: must be a list, like the built-in output (got a number)",
    ]
    path.write_text("stack_references:\n  acme/p/s: {x: .nan}\n")
    with pytest.raises(PlanInputError, match=r"stack_references.acme/p/s.x: nan is not a finite number"):
        load_fixtures(path)
    path.write_text("outputs:\n  aws:eks/cluster:Cluster:\n    endpoint: https://x.example\n    extra: [1]\n")
    assert load_fixtures(path).outputs["aws:eks/cluster:Cluster"]["extra"] == [1]


def test_usage_file_non_utf8_deep_and_strict(tmp_path: Path):
    path = tmp_path / "usage.yaml"
    path.write_bytes(LATIN1)
    with pytest.raises(UsageError, match="usage.yaml: not UTF-8 text"):
        load_usage(path)
    path.write_text(DEEP_YAML)
    with pytest.raises(UsageError, match="nested deeper"):
        load_usage(path)
    for value, kind in (('"2"', "number"), ("true", "number"), (".inf", "finite")):
        path.write_text(f"resources:\n  pool: {{expected_nodes: {value}}}\n")
        with pytest.raises(UsageError, match=f"resources.pool.expected_nodes: .*{kind}"):
            load_usage(path)
    path.write_text("resources:\n  pool: {expected_nodes: 2}\n")
    assert load_usage(path).resources["pool"].expected_nodes == 2


def test_baselines(tmp_path: Path):
    path = tmp_path / "baseline.json"
    for text, message in (
        (json.dumps({"stack": "s", "project": "p", "mode": "preview", "resources": [1]}),
         r"resources\[0\]: a resource object \(got int\)"),
        (json.dumps({"stack": "s", "project": "p", "mode": "preview", "resources": [{"urn": 5}]}),
         r"resources\[0\].urn: must be str \(got int\)"),
        ('{"kind": "aiplatform-cost", "version": 1, "lineItems": [{"monthly": {"idle": NaN}}]}', "NaN"),
        ('{"kind": "aiplatform-cost", "version": 1, "lineItems": [{"urn": "u", "name": "n", "type": "t", '
         '"sku": "s", "status": "priced", "quantity": {"idle": 1, "expected": 1, "peak": 1}, '
         '"monthly": {"idle": "nan", "expected": 1, "peak": 1}}]}', r"lineItems\[0\]: numbers must be finite"),
        ('{"kind": "aiplatform-cost", "lineItems": [1]}', "not a valid cost estimate"),
        (DEEP_JSON, "nested deeper"),
    ):
        path.write_text(text)
        with pytest.raises(BaselineError, match=message):
            load_baseline(path)


def test_policy_config_deep_and_a_budget_that_is_not_an_entry(tmp_path: Path):
    path = tmp_path / "policy.json"
    path.write_text('{"a": ' + DEEP_JSON + "}")
    with pytest.raises(PolicyConfigError, match="policy.json: nested deeper"):
        load_policy_config(path)
    # a number where an entry belongs: left for the policy config's resolution to name, not a TypeError
    merged = with_stack_budget({BUDGET_RULE: 5}, {"budget": {"monthly_usd": 100}})
    assert merged == {BUDGET_RULE: 5}


def test_cli_bad_plan_and_policy_files_exit_2_with_one_message(tmp_path: Path):
    runner = CliRunner()
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP_JSON)
    for args in (["check", "--plan", str(deep)], ["cost", "--plan", str(deep)],
                 ["check", "--plan", str(deep), "--policy-config", str(deep)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "nested deeper than 100 levels" in result.output and "Traceback" not in result.output
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"stack": "s", "project": "p", "mode": "preview", "resources": [1]}))
    result = runner.invoke(app, ["check", "--plan", str(plan)])
    assert result.exit_code == 2 and "resources[0]: a resource object" in result.output


def test_cli_checks_the_output_before_any_work(tmp_path: Path):
    runner = CliRunner()
    not_a_project = tmp_path / "empty"
    not_a_project.mkdir()
    for command in ("plan", "check", "cost"):
        result = runner.invoke(app, [command, "-C", str(not_a_project), "-o", str(tmp_path)])
        assert result.exit_code == 2 and "is a directory" in result.output  # not "no Pulumi.yaml": checked first
        result = runner.invoke(app, [command, "-C", str(not_a_project), "-o", str(tmp_path / "no" / "x.json")])
        assert result.exit_code == 2 and "no such directory" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_cli_schema_writes_through_a_symlink(tmp_path: Path):
    target = tmp_path / "schema.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = CliRunner().invoke(app, ["schema", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and json.loads(target.read_text())["title"] == "aiplatform:platform"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "schema.json"]
