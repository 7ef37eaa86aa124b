"""Amazon Managed Service for Prometheus (issue 19): ingestion and storage are usage-based lines whose default
volume is derived from the plan's scrape targets, labelled as such and replaced by the usage file."""

from __future__ import annotations

import pytest
from guardrail_helpers import TAGS, plan_of, resource

from aiplatform.catalog.prices import prices
from aiplatform.cost import parse_usage
from aiplatform.cost.plan import estimate_plan
from aiplatform.cost.usage_defaults import AMP_SERIES_PER_CHART, AMP_SERIES_PER_MONITOR, SCRAPE_INTERVAL_SECONDS

RELEASE = "kubernetes:helm.sh/v3:Release"


def _plan(*extra):
    return plan_of(
        resource("aws:amp/workspace:Workspace", "ml-dev-metrics", {"alias": "ml-dev", "tags": TAGS}),
        resource(RELEASE, "metrics", {"chart": "kube-prometheus-stack", "values": {}}),
        resource(RELEASE, "dcgm", {"chart": "dcgm-exporter", "values": {}}),
        resource("kubernetes:monitoring.coreos.com/v1:PodMonitor", "envoy", {"spec": {}}),
        *extra,
    )


def _lines(est):
    return {i.sku: i for i in est.items if i.sku.startswith("aws-amp-")}


def test_the_default_volume_is_the_plan_scrape_targets_at_the_scrape_interval():
    lines = _lines(estimate_plan(_plan()))
    series = (AMP_SERIES_PER_CHART["kube-prometheus-stack"] + AMP_SERIES_PER_CHART["dcgm-exporter"]
              + AMP_SERIES_PER_MONITOR["PodMonitor"])
    millions = series * 730 * 3600 / SCRAPE_INTERVAL_SECONDS / 1e6
    ingest = lines["aws-amp-ingest"]
    assert ingest.status == "usage-based" and ingest.unit == "million-samples"
    assert ingest.default_quantity.expected == pytest.approx(millions)
    assert ingest.default_monthly.expected == pytest.approx(millions * 0.09)
    assert "1 PodMonitor" in ingest.default_note and "1 kube-prometheus-stack" in ingest.default_note
    assert ingest.monthly.expected == 0  # not in the plan total: a default, not a measurement
    storage = lines["aws-amp-storage"]
    assert storage.status == "usage-based" and storage.default_quantity.expected > 0
    # one more model server's ServiceMonitor raises the default
    more = _lines(estimate_plan(_plan(resource("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "chat",
                                                {"spec": {}}))))
    assert more["aws-amp-ingest"].default_quantity.expected > ingest.default_quantity.expected


def test_the_usage_file_replaces_the_default_and_prices_in_the_plan_total():
    usage = parse_usage({"resources": {"ml-dev-metrics": {"monthly_samples_ingested_millions": 5000,
                                                          "storage_gb": 40}}})
    lines = _lines(estimate_plan(_plan(), usage))
    assert lines["aws-amp-ingest"].basis == "usage" and lines["aws-amp-ingest"].monthly.expected == pytest.approx(450)
    assert lines["aws-amp-storage"].monthly.expected == pytest.approx(1.2)


def test_amp_prices_are_dated_and_sourced():
    catalog = prices("aws")
    for sku in ("aws-amp-ingest", "aws-amp-storage"):
        row = catalog.service_row(sku)
        assert row.source == "https://aws.amazon.com/prometheus/pricing/" and row.as_of.isoformat() == "2026-12-01"
