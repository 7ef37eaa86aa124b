"""Issue 16, point 8: a capacity-block pool's nodes go to the one subnet of its block's zone, others to every zone."""

from __future__ import annotations

from conftest import stack_platform
from plan_helpers import plan_platform

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
SUBNET = "aws:ec2/subnet:Subnet"


def test_capacity_block_pool_uses_only_the_subnet_of_its_zone():
    raw = stack_platform("aws-dev")
    raw["teams"] = []
    raw["gpu_pools"][1].update(instance_types=["p5.48xlarge"], capacity_type="capacity-block",
                               capacity_reservation_id="cr-0123456789abcdef0", zones=["us-east-1b"], min_nodes=0,
                               max_nodes=2)
    plan = plan_platform(raw)
    subnets = {r.urn: r for r in plan.resources if r.type == SUBNET}
    groups = {r.name: r for r in plan.resources if r.type == NODE_GROUP}
    block, spread = groups["ml-dev-training-a10g"], groups["ml-dev-inference-l4"]
    # each subnet id in the plan is the unknown id of a Subnet resource: follow the property dependency
    zone_of = {urn: r.inputs.get("availabilityZone") for urn, r in subnets.items()}
    block_zones = sorted(zone_of[u] for u in block.property_dependencies.get("subnetIds", []) if u in zone_of)
    spread_zones = sorted(zone_of[u] for u in spread.property_dependencies.get("subnetIds", []) if u in zone_of)
    assert block_zones == ["us-east-1b"]
    assert spread_zones == ["us-east-1a", "us-east-1b", "us-east-1c"]
