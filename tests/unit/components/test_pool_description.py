"""`describe` of a pool kind is the pool as the platform reads it, with the constructor's checks and no resource.

A chunked offline plan (`aiplatform.offline.chunks`) keeps the description of the pools a run does not
register; the platform's other resources (Kueue flavors, team quotas, the `gpuPools` output) read it, so
it must equal what the component itself holds, for every kind of pool.
"""

from __future__ import annotations

import pulumi
import pytest

from aiplatform.components._pool import PoolDescription
from aiplatform.components.aws import EksGpuNodePool
from aiplatform.components.gcp import GkeGpuNodePool
from aiplatform.offline import PlanInputError
from aiplatform.testing import plan_program

FIELDS = ("instance_types", "accelerator_resource", "accelerators_per_node", "max_accelerators", "node_labels",
          "node_taints")

EKS = {"cluster_name": "c", "node_role_arn": "arn:aws:iam::111122223333:role/node", "subnet_ids": ["subnet-a"],
       "instance_types": ["g6.xlarge"], "max_size": 3}
GKE = {"project": "p-123456", "cluster": "c", "location": "us-central1", "node_locations": ["us-central1-a"],
       "node_service_account": "n@p-123456.iam.gserviceaccount.com", "machine_type": "g2-standard-8", "max_size": 4}

EKS_CASES = [
    {},
    {"instance_types": ["g6.xlarge", "g6.12xlarge"], "min_size": 1, "max_size": 5, "pool_name": "l4"},
    {"instance_types": ["inf2.24xlarge"], "capacity_type": "spot"},
    {"ami_type": "BOTTLEROCKET_x86_64_NVIDIA", "labels": {"team": "a"}, "taints": [{"key": "only", "value": "a"}]},
    {"instance_types": ["p5.48xlarge"], "capacity_type": "capacity-block", "capacity_reservation_id": "cr-0123456789abcdef0"},
    {"instance_types": ["m7i.large"], "allow_unlisted_instance_types": True},
]
GKE_CASES = [
    {},
    {"machine_type": "a3-highgpu-8g", "capacity_type": "spot", "taints": [{"key": "k", "effect": "NoExecute"}]},
    {"machine_type": "a2-highgpu-1g", "mig_partition_size": "1g.5gb", "labels": {"x": "y"}, "pool_name": "mig"},
    {"gpu_sharing": "time-sharing", "max_shared_clients_per_gpu": 4, "capacity_type": "reservation",
     "reservation_name": "r-1"},
    {"machine_type": "e2-standard-4", "allow_unlisted_machine_type": True},
]


def _held(component_type, args):
    held = {}

    def program():
        pool = component_type("gpu", args)
        held.update({field: getattr(pool, field) for field in FIELDS})

    plan_program(program)
    return held


@pytest.mark.parametrize(("component_type", "base", "overrides"),
                         [(EksGpuNodePool, EKS, o) for o in EKS_CASES] + [(GkeGpuNodePool, GKE, o) for o in GKE_CASES])
def test_the_description_is_what_the_component_holds(component_type, base, overrides):
    args = {**base, **overrides}
    described = component_type.describe("gpu", args)
    assert isinstance(described, PoolDescription) and described.name == "gpu"
    assert {field: getattr(described, field) for field in FIELDS} == _held(component_type, args)


@pytest.mark.parametrize(("component_type", "args"), [
    (EksGpuNodePool, {**EKS, "instance_types": ["m7i.large", "nope.big"], "min_size": 5, "max_size": 2,
                      "capacity_type": "cheap"}),
    (GkeGpuNodePool, {**GKE, "machine_type": "e2-standard-4", "capacity_type": "reservation", "max_size": 0,
                      "gpu_sharing": "mps"}),
])
def test_bad_args_fail_the_description_as_they_fail_the_component(component_type, args):
    with pytest.raises(pulumi.InputPropertiesError) as described:  # what the constructor raises
        component_type.describe("gpu", args)
    with pytest.raises(PlanInputError) as built:
        plan_program(lambda: component_type("gpu", args))
    assert "invalid args" in str(described.value)
    assert str(described.value) in str(built.value)


@pytest.mark.parametrize(("component_type", "args"), [(EksGpuNodePool, EKS), (GkeGpuNodePool, GKE)])
def test_a_description_registers_nothing(component_type, args):
    plan = plan_program(lambda: component_type.describe("gpu", args))
    assert [r.type for r in plan.resources] == ["pulumi:pulumi:Stack"]


def test_what_a_description_lacks_is_named_with_the_way_out():
    described = EksGpuNodePool.describe("ml-gpu", EKS)
    with pytest.raises(AttributeError) as caught:
        described.node_group  # noqa: B018 - the access is the test
    assert "'ml-gpu' is described here, not created, so it has no 'node_group'" in str(caught.value)
    assert "AIPLATFORM_PLAN_CHUNK_POOLS=0" in str(caught.value)
    assert getattr(described, "__deepcopy__", None) is None  # protocols probe dunders: no message for those
