"""The zone catalog: which zones sell each GCP machine type, validated on load."""

from __future__ import annotations

import pytest

from aiplatform.catalog import CatalogError, gcp_instances, gcp_zones, zones_offering
from aiplatform.catalog.prices import gcp_prices
from aiplatform.catalog.zones import coverage_problems, load_zones

SOURCE = """\
as_of: "2026-12-01"
cloud: gcp
source:
  repository: skypilot-org/skypilot-catalog
  file: catalogs/v7/gcp/vms.csv
  commit: 017e2502fb63c7a28757acd94002b2d6099d3e3d
  url: "https://github.com/skypilot-org/skypilot-catalog/blob/017e2502fb63c7a28757acd94002b2d6099d3e3d/catalogs/v7/gcp/vms.csv"
regions: [us-central1, us-east4]
"""


def test_issue16_point2_the_shipped_offerings_are_the_sources():
    # g2-standard-24 is not sold in us-east4-b; A2 Ultra only in us-east4-c (skypilot catalog, vms.csv)
    assert zones_offering("g2-standard-24", "us-east4") == ["us-east4-a", "us-east4-c"]
    assert zones_offering("a2-ultragpu-8g", "us-east4") == ["us-east4-c"]
    assert zones_offering("a2-highgpu-1g", "us-east4") == []  # listed, and no zone sells it
    assert zones_offering("g2-standard-24", "asia-east1") is None  # an unpriced region: unknown
    assert zones_offering("c3-standard-4", "us-east4") is None  # not in the catalog: unknown


def test_every_machine_type_has_a_row_for_every_priced_region():
    zones = gcp_zones()
    assert zones.source.repository == "skypilot-org/skypilot-catalog" and len(zones.source.commit) == 40
    for row in gcp_instances().instance_types:
        for region in gcp_prices().regions:
            assert zones_offering(row.type, region) is not None, (row.type, region)
    assert coverage_problems(zones, gcp_instances(), gcp_prices().regions) == []


def test_the_loader_refuses_a_zone_outside_its_region():
    text = SOURCE + "zones:\n  g2-standard-4: {us-central1: [us-central1-a, us-east4-a], us-east4: [us-east4]}\n"
    with pytest.raises(CatalogError) as caught:
        load_zones(text, "zones.yaml")
    message = str(caught.value)
    assert "zones.g2-standard-4.us-central1[1]: 'us-east4-a' is not a zone of us-central1" in message
    assert "zones.g2-standard-4.us-east4[0]: 'us-east4' is not a zone of us-east4" in message


def test_the_loader_refuses_a_missing_region_row_and_an_unknown_region():
    text = SOURCE + "zones:\n  g2-standard-4: {us-central1: [us-central1-a], europe-west4: [europe-west4-a]}\n"
    with pytest.raises(CatalogError) as caught:
        load_zones(text, "zones.yaml")
    message = str(caught.value)
    assert "zones.g2-standard-4: no row for region us-east4 (give [] if no zone sells it)" in message
    assert "zones.g2-standard-4.europe-west4: unknown region" in message


def test_coverage_names_missing_machine_types_and_regions():
    text = SOURCE + "zones:\n  g2-standard-4: {us-central1: [], us-east4: []}\n"
    found = coverage_problems(load_zones(text), gcp_instances(), gcp_prices().regions)
    assert found[0].startswith("regions us-central1, us-east4 differ from the price list's")
    assert "no row for a3-highgpu-8g" in found
