"""Usage files against the pricers: the fields a type takes are the fields its pricer reads, on both clouds."""

from __future__ import annotations

from typing import Any

import pytest

from aiplatform.catalog.prices import prices
from aiplatform.cost import UsageError, parse_usage
from aiplatform.cost.plan import estimate_plan

HOURS = 730

L4_SPOT = 0.34057  # g2-standard-8 in us-central1: the catalog's published spot price


def lines_of(estimate) -> dict[tuple[str, str], Any]:
    return {(i.name, i.sku): i for i in estimate.items}


def test_gcp_dev_usage_file_prices_storage_nat_data_and_expected_nodes(plans):
    plan = plans.preview["gcp-dev"]
    before = lines_of(estimate_plan(plan))
    assert before[("ml-dev-models", "gcp-gcs-standard")].status == "usage-based"
    assert before[("ml-dev-inference-l4", "gcp-compute-g2-standard-8-spot")].quantity.expected == 0
    usage = parse_usage({"resources": {
        "ml-dev-models": {"storage_gb": 500},
        "ml-dev-images": {"storage_gb": 40},
        "ml-dev-nat": {"monthly_data_processed_gb": 300},
        "ml-dev-inference-l4": {"expected_nodes": 3},
        "ml-dev-shared-l4": {"expected_utilization": 0.5},
    }}, "usage.yaml")
    estimate = estimate_plan(plan, usage)
    after = lines_of(estimate)

    gcs = after[("ml-dev-models", "gcp-gcs-standard")]
    assert (gcs.status, gcs.basis, gcs.quantity.expected) == ("priced", "usage", 500)
    assert gcs.monthly.expected == pytest.approx(500 * 0.02)
    registry = after[("ml-dev-images", "gcp-artifact-registry-storage")]
    assert (registry.quantity.expected, registry.monthly.expected) == (40, pytest.approx(40 * 0.1))
    nat = after[("ml-dev-nat", "gcp-cloud-nat-data")]
    assert (nat.quantity.expected, nat.monthly.expected) == (300, pytest.approx(300 * 0.045))

    l4 = after[("ml-dev-inference-l4", "gcp-compute-g2-standard-8-spot")]
    assert (l4.quantity.idle, l4.quantity.expected, l4.quantity.peak) == (0, 3, 4)
    assert l4.basis == "usage" and "expected_nodes from the usage file" in l4.note
    assert l4.monthly.expected == pytest.approx(3 * L4_SPOT * HOURS)
    disks = after[("ml-dev-inference-l4", "gcp-pd-balanced")]
    assert disks.quantity.expected == 3 * 200  # 200 GB pd-balanced per node
    shared = after[("ml-dev-shared-l4", "gcp-compute-g2-standard-4-spot")]
    assert (shared.quantity.expected, shared.basis) == (1, "usage")  # 0 + 0.5 x (2 - 0)
    shared_spot = prices("gcp").spot_price("g2-standard-4", "us-central1").amount
    assert shared.monthly.expected == pytest.approx(shared_spot * HOURS)
    assert after[("ml-dev-shared-l4", "gcp-pd-balanced")].quantity.expected == 200

    stored = 500 * 0.02 + 40 * 0.1 + 300 * 0.045
    nat_per_vm = 4 * 0.0014 * HOURS  # Cloud NAT bills the 4 more expected nodes per VM-hour
    added = stored + 3 * (L4_SPOT * HOURS + 200 * 0.1) + (shared_spot * HOURS + 200 * 0.1) + nat_per_vm
    assert estimate.totals.expected == pytest.approx(estimate_plan(plan).totals.expected + added)
    assert estimate.totals.idle == pytest.approx(estimate_plan(plan).totals.idle + stored)


@pytest.mark.parametrize(("type_", "name", "field", "takes"), [
    ("gcp:storage/bucket:Bucket", "ml-dev-models", "expected_nodes", "takes storage_gb"),
    ("gcp:container/nodePool:NodePool", "ml-dev-inference-l4", "storage_gb", "takes expected_nodes, expected_utilization"),
    ("gcp:kms/cryptoKey:CryptoKey", "ml-dev-keys-data", "storage_gb", "takes no usage"),
])
def test_a_field_no_pricer_of_the_type_reads_is_refused(plans, type_, name, field, takes):
    plan = plans.preview["gcp-dev"]
    urn = next(r.urn for r in plan.resources if r.type == type_ and r.name == name)
    with pytest.raises(UsageError) as err:
        estimate_plan(plan, parse_usage({"resources": {urn: {field: 1}}}, "usage.yaml"))
    assert str(err.value).splitlines() == [f"usage.yaml: resources.{urn}.{field}: does not apply to {type_} ({takes})"]
