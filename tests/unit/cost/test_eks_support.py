"""EKS extended support is priced only past a version's standard window (issue 18)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from guardrail_helpers import TAGS, plan_of, resource

from aiplatform.catalog import CatalogError
from aiplatform.catalog.eks import eks_support_warning, eks_versions, load_eks_versions, support_of
from aiplatform.cost import parse_usage
from aiplatform.cost.plan import estimate_plan

EKS = "aws:eks/cluster:Cluster"
BEFORE, AFTER = dt.date(2026, 12, 2), dt.date(2026, 12, 3)  # 1.34 leaves standard support on 2026-12-02


def cluster(version: str | None = "1.34", support: str | None = None):
    props = {"tags": TAGS, **({"version": version} if version else {})}
    if support:
        props["upgradePolicy"] = {"supportType": support}
    return resource(EKS, "c", props)


def eks_line(version="1.34", support=None, on=AFTER):
    est = estimate_plan(plan_of(cluster(version, support)), parse_usage({"defaults": {"estimate_date": on.isoformat()}}))
    (line,) = [i for i in est.items if i.type == EKS and i.sku.startswith("aws-eks-cluster")]
    assert est.assumptions["estimateDate"] == on.isoformat()
    return line


def test_the_support_table_is_dated_sourced_and_knows_1_34():
    table = eks_versions()
    assert table.source.startswith("https://docs.aws.amazon.com/eks/") and table.as_of
    row = support_of("1.34")
    assert (row.end_of_standard, row.end_of_extended) == (dt.date(2026, 12, 2), dt.date(2027, 12, 2))
    assert (row.support_on(BEFORE), row.support_on(AFTER), row.support_on(dt.date(2027, 12, 3))) == \
        ("standard", "extended", "unsupported")
    assert support_of("1.99") is None


def test_the_support_table_refuses_disordered_dates_and_duplicates():
    bad = """as_of: "2026-02-14"
source: "https://docs.aws.amazon.com/eks/"
versions:
  - {version: "1.34", released: "2025-10-06", end_of_standard: "2025-01-01", end_of_extended: "2027-12-02"}
  - {version: "1.34", released: "2025-10-06", end_of_standard: "2026-12-02", end_of_extended: "2027-12-02"}
"""
    with pytest.raises(CatalogError) as err:
        load_eks_versions(bad)
    assert "versions[0]: dates must be" in str(err.value) and "versions[1]: duplicate version 1.34" in str(err.value)


@pytest.mark.parametrize(("support", "on", "sku"), [
    (None, BEFORE, "aws-eks-cluster-standard"),         # inside the window: standard, whatever supportType says
    ("EXTENDED", BEFORE, "aws-eks-cluster-standard"),
    (None, AFTER, "aws-eks-cluster-extended"),          # past it: unset means EXTENDED (AWS's default)
    ("EXTENDED", AFTER, "aws-eks-cluster-extended"),
    ("STANDARD", AFTER, "aws-eks-cluster-standard"),    # past it with STANDARD: AWS upgrades, no extended charge
])
def test_issue18_extended_support_only_past_the_standard_window(support, on, sku):
    line = eks_line(support=support, on=on)
    assert line.sku == sku and line.status == "priced"
    assert line.unit_price == (0.60 if sku.endswith("extended") else 0.10)
    assert "2026-12-02" in line.note


def test_a_version_outside_the_table_keeps_the_cautious_price():
    assert eks_line(version="1.99").sku == "aws-eks-cluster-extended"
    assert eks_line(version="1.99", support="STANDARD").sku == "aws-eks-cluster-standard"
    assert "not in the EKS support table" in eks_line(version=None).note


def test_issue18_config_warns_within_60_days_of_the_end_of_standard_support():
    assert eks_support_warning("1.34", dt.date(2026, 10, 2)) is None  # 61 days left
    warning = eks_support_warning("1.34", dt.date(2026, 10, 3))
    assert warning is not None and "leaves standard support on 2026-12-02 (60 days)" in warning
    assert warning.startswith("platform.cluster.kubernetes_version: ")  # the config key the user wrote
    assert "left standard support on 2026-12-02" in eks_support_warning("1.34", AFTER)
    assert eks_support_warning("1.35", dt.date(2026, 12, 1)) is None
    assert eks_support_warning("1.99", dt.date(2026, 12, 1)) is None


def test_issue18_the_warning_reaches_plan_check_and_cost_output(monkeypatch, plans):
    """On 2026-12-01 the reference AWS stacks pin 1.34, one day before it leaves standard support: plan, check and
    cost print the config warning (on stderr, so JSON and Markdown reports stay clean); GCP stacks have none."""
    from typer.testing import CliRunner

    import aiplatform.cli as cli
    import aiplatform.offline as offline
    from aiplatform.catalog.eks import platform_warnings
    from aiplatform.offline.project import stack_platform

    today = dt.date(2026, 12, 1)
    root = Path(__file__).parents[3]
    assert platform_warnings(stack_platform(root, "aws-dev"), today) == [
        eks_support_warning("1.34", today)]
    assert "leaves standard support on 2026-12-02 (1 day)" in eks_support_warning("1.34", today)
    assert platform_warnings(stack_platform(root, "gcp-dev"), today) == []
    assert platform_warnings({"cluster": {"kubernetes_version": "1.34"}}, dt.date(2026, 9, 1)) == []
    assert platform_warnings({}, today) == [eks_support_warning("1.34", today)]  # the default version

    monkeypatch.setattr(cli, "_today", lambda: today)
    monkeypatch.setattr(offline, "plan_project", lambda *a, **k: plans.preview["aws-dev"])
    runner = CliRunner()
    for args in (["plan", "-C", str(root), "-s", "aws-dev"], ["check", "-C", str(root), "-s", "aws-dev", "-f", "json"],
                 ["cost", "-C", str(root), "-s", "aws-dev", "-f", "json"]):
        result = runner.invoke(cli.app, args)
        assert "EKS 1.34 leaves standard support on 2026-12-02" in result.stderr, (args, result.stderr)
        assert "leaves standard support" not in result.stdout, args
    monkeypatch.setattr(cli, "_today", lambda: dt.date(2026, 9, 1))
    assert "leaves standard support" not in runner.invoke(cli.app, ["cost", "-C", str(root), "-s", "aws-dev"]).stderr
