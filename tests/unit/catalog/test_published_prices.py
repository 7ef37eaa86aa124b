"""GCP machine prices against the published data they were read from (issue 18).

The excerpt under tests/data/upstream/skypilot-catalog-017e2502 holds the rows of SkyPilot's dump of the
Cloud Billing Catalog for every machine type of the instance catalog and the GPUs they carry. Every
us-east4 / europe-west4 figure the catalog cites that dump for, and every spot figure, is recomputed from
it here (machine row + GPUs per machine x the accelerator row), within 2%.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from aiplatform.catalog import instance_row, zones_offering
from aiplatform.catalog.prices import NOT_OFFERED, gcp_prices

UPSTREAM = Path(__file__).parents[2] / "data/upstream"
EXCERPT = UPSTREAM / "skypilot-catalog-017e2502/gcp_vms_excerpt.csv"
SNAPSHOT = "skypilot-catalog/blob/017e2502fb63c7a28757acd94002b2d6099d3e3d/catalogs/v7/gcp/vms.csv"
#: Cyclenerd's pricing.yml (the Cloud Billing Catalog priced per machine type), generated 2026-07-30.
PRICING_EXCERPT = UPSTREAM / "cyclenerd-gcp-pricing-fd66b26f/pricing_excerpt.yml"
PRICING = "google-cloud-pricing-cost-calculator/blob/fd66b26ff84fee5cdd94f341ea89206e76c06b99/pricing.yml"
#: The instance catalog's accelerator model -> the snapshot's AcceleratorName.
MODELS = {"L4": "L4", "A100-40GB": "A100", "A100-80GB": "A100-80GB", "H100-80GB": "H100", "H100": "H100"}
#: Figures the catalog keeps although they are not published ones, each with the reason (docs/cost.md).
UNVERIFIED: dict[tuple[str, str], str] = {}


def _excerpt() -> tuple[dict, dict]:
    machines, gpus = {}, {}
    with EXCERPT.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            price = (float(row["Price"]), float(row["SpotPrice"]))
            if row["InstanceType"]:
                machines[(row["InstanceType"], row["Region"])] = price
            else:
                gpus[(row["AcceleratorName"], row["Region"], int(row["AcceleratorCount"]))] = price
    return machines, gpus


def published(itype: str, region: str) -> tuple[float, float] | None:
    """(on-demand, spot) $/h of a machine type from the excerpt; None when it has no row there."""
    machines, gpus = _excerpt()
    if (itype, region) not in machines:
        return None
    on_demand, spot = machines[(itype, region)]
    accelerator = instance_row(itype).accelerator
    if accelerator is not None:
        gpu = gpus.get((MODELS[accelerator.model], region, 1))
        if gpu is None:
            return None
        on_demand, spot = on_demand + accelerator.count * gpu[0], spot + accelerator.count * gpu[1]
    return on_demand, spot


def pricing_yml(itype: str, region: str) -> tuple[float, float] | None:
    """(on-demand, spot) $/h of a machine type from the Cyclenerd excerpt; None when it has no figure."""
    instance = yaml.safe_load(PRICING_EXCERPT.read_text(encoding="utf-8"))["compute"]["instance"]
    cost = instance.get(itype, {}).get("cost", {}).get(region)
    return None if cost is None else (cost["hour"], cost["hour_spot"])


def cited(source: str, itype: str, region: str) -> tuple[float, float] | None:
    """The published (on-demand, spot) figures of the snapshot a row cites."""
    if SNAPSHOT in source:
        return published(itype, region)
    if PRICING in source:
        return pricing_yml(itype, region)
    raise AssertionError(f"{itype} {region}: cites no vendored snapshot: {source}")


def test_the_excerpt_prices_gpus_linearly_as_the_computation_assumes():
    _, gpus = _excerpt()
    assert gpus[("H100", "us-east4", 8)][0] == pytest.approx(8 * gpus[("H100", "us-east4", 1)][0], rel=1e-5)
    assert gpus[("L4", "us-central1", 4)][0] == pytest.approx(4 * gpus[("L4", "us-central1", 1)][0], rel=1e-5)
    # and the method reproduces the list page where both agree: us-central1 G2, A2 (40GB) and E2
    catalog = gcp_prices()
    for itype in ("g2-standard-4", "g2-standard-96", "a2-highgpu-8g", "a2-megagpu-16g", "e2-standard-8"):
        assert published(itype, "us-central1")[0] == pytest.approx(catalog.instance(itype, "us-central1").amount,
                                                                   rel=1e-4), itype


@pytest.mark.parametrize("region", ["us-east4", "europe-west4"])
def test_issue18_every_regional_machine_row_is_the_published_price_or_named_unverified(region):
    catalog = gcp_prices()
    checked = 0
    for row in catalog.instances:
        price = catalog.instance(row.type, region)
        if price is NOT_OFFERED:
            assert published(row.type, region) is None, f"{row.type} is null in {region} but the snapshot sells it"
            continue
        if (row.type, region) in UNVERIFIED:
            assert not price.verified and region in row.unverified, row.type
            continue
        assert price.verified and price.as_of <= catalog.as_of, (row.type, region)
        expected = cited(price.source, row.type, region)
        assert expected is not None, (row.type, region)
        assert price.amount == pytest.approx(expected[0], rel=0.02), (row.type, region)
        checked += 1
    # every row: G2 x8, A3, E2 x2, A2 Ultra x4, N1/N2 x4, and A2 x5 where sold (europe-west4)
    assert checked == len(catalog.instances) - (5 if region == "us-east4" else 0)
    assert {t for (t, r) in UNVERIFIED if r == region} == {row.type for row in catalog.instances if region in row.unverified}


def test_issue18_the_derivation_errors_of_the_audit_are_gone():
    catalog = gcp_prices()
    # G2 was +12.97% in us-east4; A3 +12.22% in us-east4 and -13.74% in europe-west4
    assert catalog.instance("g2-standard-24", "us-east4").amount == pytest.approx(0.87787 + 2 * 0.55821)
    assert catalog.instance("a3-highgpu-8g", "us-east4").amount == pytest.approx(9.46006 + 8 * 9.79655)
    assert catalog.instance("a3-highgpu-8g", "europe-west4").amount == pytest.approx(9.93306 + 8 * 12.73552)
    # A2 (40GB) is not sold in us-east4: null, as AWS rows say "not offered"
    for itype in ("a2-highgpu-1g", "a2-highgpu-8g", "a2-megagpu-16g"):
        assert catalog.instance(itype, "us-east4") is NOT_OFFERED
        assert catalog.spot_price(itype, "us-east4") is NOT_OFFERED


@pytest.mark.parametrize("region", ["us-central1", "us-east4", "europe-west4"])
def test_issue18_gcp_spot_prices_are_the_published_ones(region):
    catalog = gcp_prices()
    for row in catalog.instances:
        spot = catalog.spot_price(row.type, region)
        expected = published(row.type, region)
        if row.spot is None:
            assert spot is None and expected is None, row.type  # no data: the labelled ratio fallback
        elif spot is NOT_OFFERED:
            assert expected is None, row.type
        else:
            expected = cited(spot.source, row.type, region)
            assert expected is not None and spot.amount == pytest.approx(expected[1], rel=0.02), (row.type, region)
            assert spot.as_of <= catalog.as_of


def test_issue18_price_rows_agree_with_zone_offerings():
    """A type priced in a region is sold in at least one of its zones, and a null one in none."""
    catalog = gcp_prices()
    for row in catalog.instances:
        for region in catalog.regions:
            zones = zones_offering(row.type, region)
            offered = catalog.offered(row.type, region)
            assert offered is not None, (row.type, region)
            assert bool(zones) == offered, (row.type, region, zones)


AWS_SPOT_EXCERPTS = [UPSTREAM / "skypilot-catalog-27f67dd4" / name for name in ("aws_vms_excerpt.csv",
                                                                                 "aws_spot_excerpt.csv")]
#: Types of the AWS catalog with accelerators that have no spot data, with the reason (SOURCE.md of the snapshot).
AWS_SPOT_FALLBACK = {"p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge", "p5en.48xlarge",  # on-demand cut since
                     "p5.4xlarge",  # not in the snapshot
                     "g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge", "g4dn.12xlarge", "g4dn.metal",  # not read yet
                     "g5.xlarge", "g5.2xlarge", "g5.4xlarge", "g5.8xlarge", "g5.16xlarge", "g5.24xlarge", "g5.48xlarge",
                     "g6.12xlarge", "g6.16xlarge", "g6.24xlarge"}


def test_issue18_aws_spot_rows_cite_their_snapshot_and_are_its_highest_zone():
    from aiplatform.catalog import instances
    from aiplatform.catalog.prices import aws_prices

    catalog = aws_prices()
    zones: dict[tuple[str, str], list[float]] = {}
    for excerpt in AWS_SPOT_EXCERPTS:
        with excerpt.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found = zones.setdefault((row["InstanceType"], row["Region"]), [])
                if row["SpotPrice"]:
                    found.append(float(row["SpotPrice"]))
                on_demand = catalog.instance(row["InstanceType"], row["Region"])
                if row["Price"]:  # taken only where the on-demand list price has not moved since the snapshot
                    assert float(row["Price"]) == on_demand.amount, (row["InstanceType"], row["Region"])
                else:
                    assert on_demand is NOT_OFFERED, row["InstanceType"]
    with_data = [r for r in catalog.instances if r.spot is not None]
    assert {r.type for r in with_data} == {t for t, _ in zones}
    for row in with_data:
        assert "skypilot-catalog/blob/27f67dd4" in row.spot_source and row.spot_as_of <= catalog.as_of
        for region in catalog.regions:
            spot = catalog.spot_price(row.type, region)
            if zones.get((row.type, region)):
                assert spot.amount == max(zones[(row.type, region)]), (row.type, region)
            else:
                assert spot is NOT_OFFERED, (row.type, region)
                assert catalog.instance(row.type, region) is NOT_OFFERED, (row.type, region)
    # every accelerated type has spot data or is a named fallback
    accelerated = {r.type for r in instances("aws").accelerated()}
    assert accelerated - {r.type for r in with_data} == AWS_SPOT_FALLBACK
    # the Neuron and L4/L40S figures are far from the flat 0.4: the reason for data
    assert catalog.spot_price("inf2.48xlarge", "us-east-1").amount / 12.98127 < 0.2
    assert catalog.spot_price("p5e.48xlarge", "us-west-2").amount == 12.5362


def test_issue18_no_gcp_row_is_derived_and_every_type_has_spot_data():
    catalog = gcp_prices()
    assert [row.type for row in catalog.instances if row.unverified] == []
    assert [row.type for row in catalog.instances if row.spot is None] == []
    # the derivation's A2 errors (+7.81% europe-west4) are gone; A2 Ultra and N1/N2 now cite a published list
    assert catalog.instance("a2-highgpu-1g", "europe-west4").amount == pytest.approx(3.747972)
    for itype in ("a2-ultragpu-8g", "n2-standard-4", "n1-standard-8"):
        for region in ("us-east4", "europe-west4"):
            assert PRICING in catalog.instance(itype, region).source, (itype, region)
    assert PRICING in catalog.spot_price("n2-standard-4", "us-east4").source
