"""tools/refresh_prices.py on recorded excerpts of the AWS offer file and the GCP Billing Catalog (issue 18)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest

from aiplatform.catalog.prices import load_prices

ROOT = Path(__file__).parents[3]
sys.path.insert(0, str(ROOT / "tools"))
import refresh_prices as rp  # noqa: E402

DATA = ROOT / "tests/data/refresh"
AS_OF = dt.date(2026, 12, 1)


def gcp_skus() -> list[dict]:
    return json.loads((DATA / "gcp_compute_skus_excerpt.json").read_text())["skus"]


def aws_offer() -> dict:
    return json.loads((DATA / "aws_ec2_offer_us-east-1_excerpt.json").read_text())


def catalog_text(cloud: str) -> str:
    return (ROOT / f"aiplatform/catalog/data/{cloud}_prices.yaml").read_text()


def gcp_instances() -> list[dict]:
    import yaml

    return yaml.safe_load((ROOT / "aiplatform/catalog/data/gcp_instances.yaml").read_text())["instance_types"]


def test_the_formats_are_read_as_published():
    assert rp.aws_on_demand(aws_offer()) == {"g5.xlarge": 1.006, "g6.xlarge": 0.8048}  # no Windows, no reservation
    rates = rp.gcp_rates(gcp_skus())
    assert rates[("Nvidia L4 GPU", "us-east4", "OnDemand")] == pytest.approx(0.55821)
    assert rates[("G2 Instance Core", "us-east4", "Preemptible")] == pytest.approx(0.00995782)
    assert not any(usage == "Commit1Yr" for (_, _, usage) in rates)
    g2 = next(r for r in gcp_instances() if r["type"] == "g2-standard-24")
    assert rp.gcp_machine_price(g2, "us-east4", "OnDemand", rates) == pytest.approx(0.87787 + 2 * 0.55821, abs=2e-5)
    assert rp.gcp_machine_price(g2, "europe-west4", "OnDemand", rates) is None  # no rates there: not looked up


def test_issue18_the_shipped_catalog_agrees_with_the_recorded_price_lists():
    gcp = rp.refresh_rows(catalog_text("gcp"), rp.gcp_updates(gcp_skus(), gcp_instances(), ["us-east4"]), AS_OF)
    aws = rp.refresh_rows(catalog_text("aws"), rp.aws_updates({"us-east-1": aws_offer()}, ["g5.xlarge", "g6.xlarge"]),
                          AS_OF)
    assert gcp.changes == [] and gcp.text == catalog_text("gcp")
    assert aws.changes == [] and aws.text == catalog_text("aws")


def test_issue18_only_rows_whose_price_moved_are_rewritten_with_as_of_and_source():
    skus = copy.deepcopy(gcp_skus())
    l4 = next(s for s in skus if s["description"] == "Nvidia L4 GPU running in Virginia")
    l4["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["nanos"] = 600000000
    before = catalog_text("gcp")
    result = rp.refresh_rows(before, rp.gcp_updates(skus, gcp_instances(), ["us-east4"]), AS_OF)
    assert {(c.type, c.region, c.what) for c in result.changes} == \
        {(f"g2-standard-{n}", "us-east4", "on_demand") for n in (4, 8, 12, 16, 24, 32, 48, 96)}
    changed = [(a, b) for a, b in zip(before.splitlines(), result.text.splitlines(), strict=True) if a != b]
    assert len(changed) == 8 and all(a.startswith("  - {type: g2-standard-") for a, _ in changed)
    catalog = load_prices(result.text)  # still a valid catalog
    price = catalog.instance("g2-standard-4", "us-east4")
    assert price.amount == pytest.approx(0.14631 + 0.6, abs=1e-5)
    assert price.source == rp.GCP_SOURCE and price.as_of == AS_OF
    assert catalog.instance("g2-standard-4", "europe-west4").amount == pytest.approx(0.74233)  # untouched region


def test_issue18_an_aws_price_change_rewrites_that_row_and_a_refresh_clears_unverified():
    offer = aws_offer()
    dims = offer["terms"]["OnDemand"]["AAAAG6XLARGELINUX"]["AAAAG6XLARGELINUX.JRTCKXETXF"]["priceDimensions"]
    next(iter(dims.values()))["pricePerUnit"]["USD"] = "0.7900000000"
    result = rp.refresh_rows(catalog_text("aws"), rp.aws_updates({"us-east-1": offer}, ["g5.xlarge", "g6.xlarge"]),
                             AS_OF)
    assert [(c.type, c.before, c.after) for c in result.changes] == [("g6.xlarge", 0.8048, 0.79)]
    catalog = load_prices(result.text)
    assert catalog.instance("g6.xlarge", "us-east-1").amount == 0.79
    assert catalog.instance("g6.xlarge", "us-east-1").source.endswith("/AmazonEC2/current/us-east-1/index.json")
    assert catalog.instance("g6.xlarge", "us-west-2").source == "https://aws.amazon.com/ec2/pricing/on-demand/"
    assert catalog.as_of == AS_OF
    # a GCP row marked unverified leaves the list once a published figure replaces it
    row = '  - {type: n2-standard-4, on_demand: {us-east4: 0.21871}, as_of: "2026-11-22", source: "https://x.test/", ' \
          'unverified: [us-east4]}\n'
    out = rp.refresh_rows(row, {("n2-standard-4", "us-east4", "on_demand"): (0.2187, rp.GCP_SOURCE)}, AS_OF)
    assert out.changes == [] and out.text == row  # within the tolerance: not moved, stays unverified
    out = rp.refresh_rows(row, {("n2-standard-4", "us-east4", "on_demand"): (0.25, rp.GCP_SOURCE)}, AS_OF)
    assert "unverified" not in out.text and "regional_as_of: \"2026-12-01\"" in out.text


def test_the_command_writes_the_files_it_was_asked_to(tmp_path):
    data = tmp_path / "aiplatform/catalog/data"
    data.mkdir(parents=True)
    for name in ("aws_prices.yaml", "aws_instances.yaml", "gcp_prices.yaml", "gcp_instances.yaml"):
        shutil.copy(ROOT / "aiplatform/catalog/data" / name, data / name)
    offer = aws_offer()
    dims = offer["terms"]["OnDemand"]["AAAAG5XLARGELINUX"]["AAAAG5XLARGELINUX.JRTCKXETXF"]["priceDimensions"]
    next(iter(dims.values()))["pricePerUnit"]["USD"] = "1.1000000000"
    (tmp_path / "offer.json").write_text(json.dumps(offer))
    args = ["--root", str(tmp_path), "--as-of", "2026-12-01", "--aws", f"us-east-1={tmp_path / 'offer.json'}",
            "--gcp", str(DATA / "gcp_compute_skus_excerpt.json")]
    assert rp.main([*args, "--check"]) == 0
    assert (data / "aws_prices.yaml").read_text() == catalog_text("aws")  # --check writes nothing
    assert rp.main(args) == 0
    assert load_prices((data / "aws_prices.yaml").read_text()).instance("g5.xlarge", "us-east-1").amount == 1.1
    assert (data / "gcp_prices.yaml").read_text() == catalog_text("gcp")
