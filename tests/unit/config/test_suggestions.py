"""Errors that suggest the fix: the closest key, instance type, accelerator or team; the YAML line of each
problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, config_problems

from aiplatform.offline.project import load_project, locate_problems
from aiplatform.problems import did_you_mean


def test_did_you_mean_picks_the_closest_choice_case_insensitively():
    assert did_you_mean("instance_type", ["instance_types", "min_nodes"]) == " (did you mean 'instance_types'?)"
    assert did_you_mean("l4", ["L4", "A10G"]) == " (did you mean 'L4'?)"
    assert did_you_mean("zzz", ["L4", "A10G"]) == ""


def test_misspelt_keys_types_and_accelerators_name_the_closest(dev_config):
    dev_config["gpu_pools"][0]["instance_type"] = dev_config["gpu_pools"][0].pop("instance_types")
    dev_config["gpu_pools"][1]["instance_types"] = ["p4d.24xl"]
    dev_config["cluster"]["endpoint"]["publc"] = True
    dev_config["tagz"] = dev_config.pop("tags")
    found = config_problems(dev_config)
    for line in (
        "platform.gpu_pools[0].instance_type: unknown key (did you mean 'instance_types'?)",
        "platform.gpu_pools[1].instance_types[0]: unknown instance type 'p4d.24xl' (did you mean 'p4d.24xlarge'?)",
        "platform.cluster.endpoint.publc: unknown key (did you mean 'public'?)",
        "platform.tagz: unknown key (did you mean 'tags'?)",
    ):
        assert any(p.startswith(line) for p in found), (line, found)


def test_a_team_accelerator_in_the_wrong_case_names_the_pool_model(dev_config):
    dev_config["teams"][0]["accelerators"] = ["l4"]
    found = config_problems(dev_config)
    assert any("teams[0].accelerators[0]: no GPU pool offers 'l4' (did you mean 'L4'?)" in p for p in found), found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_problems_are_placed_at_their_stack_file_line_and_column(project: Path, monkeypatch):
    monkeypatch.chdir(project)
    path = project / "stacks" / "Pulumi.aws-dev.yaml"
    lines = path.read_text().splitlines()
    spec = load_project(project)
    message = ("invalid platform config in stack aws-dev (3 problems):\n"
               "  - platform.gpu_pools[1].instance_types[0]: unknown instance type\n"
               "  - platform.cluster.endpoint.publc: unknown key\n"
               "  - platform.tags['team']: required\n"
               "  note: platform: not checked")
    located = locate_problems(spec, "aws-dev", message).splitlines()
    data = yaml.safe_load(path.read_text())["config"]["aiplatform:platform"]
    second_type = data["gpu_pools"][1]["instance_types"][0]

    def where(line: str) -> tuple[int, int]:
        file, row, col = line.split("- ", 1)[-1].split("note: ", 1)[-1].split(":")[:3]
        assert file == "stacks/Pulumi.aws-dev.yaml"
        return int(row), int(col)

    row, col = where(located[1])
    assert lines[row - 1][col - 1:].startswith(second_type)  # the value itself
    row, col = where(located[2])  # an unknown key that is not in the file: the mapping it would be in
    assert lines[row - 1][col - 1:].startswith("public")
    row, col = where(located[3])  # a missing tag: the tags mapping
    assert "team" in lines[row - 1] or lines[row - 2].strip().startswith("tags")
    assert located[4].startswith("  note: stacks/Pulumi.aws-dev.yaml:")
    assert locate_problems(spec, "aws-dev", "no paths here") == "no paths here"
