"""A model server's GPU time in a team's stack (issue 20): $0 idle at zero, expected from active hours or the
usage file, peak at its maximum; none where the stack's GPU pools are priced."""

from __future__ import annotations

import pytest

from aiplatform.catalog.prices import HOURS_PER_MONTH, prices
from aiplatform.cost.estimate import estimate_resources
from aiplatform.cost.pricers.kubernetes import gpu_hour_price
from aiplatform.cost.pricing import Context
from aiplatform.cost.usage import Usage
from aiplatform.shape.resource import Resource

CRON = {"type": "cron", "metadata": {"timezone": "UTC", "start": "0 8 * * 1,2,3,4,5", "end": "0 18 * * 1,2,3,4,5",
                                     "desiredReplicas": "1"}}


def deployment(gpus="1"):
    return Resource(type="kubernetes:apps/v1:Deployment", urn="urn:pulumi:dev::t::kubernetes:apps/v1:Deployment::chat",
                    name="chat", props={"metadata": {"name": "chat", "namespace": "search", "labels": {"team": "search"}},
                                        "spec": {"template": {"spec": {
                                            "nodeSelector": {"aiplatform.io/accelerator": "L4"},
                                            "containers": [{"name": "server", "resources": {
                                                "limits": {"nvidia.com/gpu": gpus}}}]}}}})


def scaled(low, high, triggers=()):
    return Resource(type="kubernetes:keda.sh/v1alpha1:ScaledObject",
                    urn="urn:pulumi:dev::t::kubernetes:keda.sh/v1alpha1:ScaledObject::chat-scaler", name="chat-scaler",
                    props={"metadata": {"name": "chat", "namespace": "search"}, "spec": {
                        "scaleTargetRef": {"name": "chat"}, "minReplicaCount": low, "maxReplicaCount": high,
                        "triggers": list(triggers)}})


def gpu_line(*resources, usage=None):
    estimate = estimate_resources(list(resources), region="us-east-1", usage=usage)
    (line,) = [i for i in estimate.items if i.sku == "gpu-hour"]
    return line


def test_at_zero_with_active_hours_idle_is_free_and_expected_is_the_window():
    line = gpu_line(deployment("2"), scaled(0.0, 3.0, [CRON]))
    price = gpu_hour_price(Context(prices("aws"), Usage(), "us-east-1", {}), "L4", "us-east-1")
    assert line.status == "priced" and line.unit_price == pytest.approx(price, abs=1e-4)
    assert line.monthly.idle == 0
    assert line.quantity.expected == pytest.approx(2 * 50 * HOURS_PER_MONTH / 168)  # 10 h x 5 days, 2 GPUs
    assert line.quantity.peak == pytest.approx(3 * 2 * HOURS_PER_MONTH)
    assert "$0 idle at zero" in line.note and "active hours" in line.note


def test_the_usage_file_gives_the_hours_of_a_service_at_zero():
    usage = Usage.model_validate({"resources": {"chat": {"hours_per_week": 20}}})
    line = gpu_line(deployment(), scaled(0.0, 2.0), usage=usage)
    assert line.quantity.expected == pytest.approx(20 * HOURS_PER_MONTH / 168) and line.basis == "usage"
    assert gpu_line(deployment(), scaled(0.0, 2.0)).quantity.expected == 0  # no hours: nothing expected


def test_an_always_on_service_and_a_stack_with_pools():
    line = gpu_line(deployment(), scaled(1.0, 2.0))
    assert line.quantity.idle == line.quantity.expected == pytest.approx(HOURS_PER_MONTH)
    pool = Resource(type="aws:eks/nodeGroup:NodeGroup", urn="urn:pulumi:dev::t::aws:eks/nodeGroup:NodeGroup::gpu",
                    name="gpu", props={"instanceTypes": ["g6.xlarge"],
                                       "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0}})
    estimate = estimate_resources([deployment(), scaled(1.0, 2.0), pool], region="us-east-1")
    assert not [i for i in estimate.items if i.sku == "gpu-hour"]  # the pool is what is billed
