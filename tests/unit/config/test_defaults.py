"""Every default exists once: the defaults docs/config.md documents are what the resolved config gives,
on both clouds and in both environments."""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest
from conftest import ROOT, stack_platform

from aiplatform.config import CLOUDS, GpuPool, PlatformConfig, load_platform_config

DOC = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")


def _documented() -> dict[str, dict[str, str]]:
    """The 'Defaults per cloud' table: default name -> cloud -> cell."""
    section = DOC.split("## Defaults per cloud", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    header = next(line for line in section.splitlines() if line.startswith("| default |"))
    clouds = [c.strip() for c in header.strip("|").split("|")[1:]]
    table: dict[str, dict[str, str]] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        table[cells[0].strip("`")] = dict(zip(clouds, cells[1:], strict=True))
    return table


def _value(cell: str, environment: str) -> Any:
    """A cell's value for an environment: `X`, `prod: X, else: Y` or `-` (None)."""
    if cell == "-":
        return None
    both = re.fullmatch(r"prod: `(.*)`, else: `(.*)`", cell)
    if both:
        return ast.literal_eval(both.group(1) if environment == "prod" else both.group(2))
    return ast.literal_eval(cell.strip("`"))


TABLE = _documented()


def test_the_table_lists_every_cloud_and_every_default():
    assert set(next(iter(TABLE.values()))) == set(CLOUDS)
    import dataclasses

    from aiplatform.config import CloudDefaults

    assert list(TABLE) == [f.name for f in dataclasses.fields(CloudDefaults)]


def _bare(cloud: str, environment: str) -> PlatformConfig:
    """A reference stack of the cloud with every key that has a default left out."""
    raw = stack_platform(f"{cloud}-{environment}")
    raw["cluster"].pop("system_nodes", None)
    for key in ("regional", "release_channel"):
        raw["cluster"].pop(key, None)
    raw["network"].pop("nat_gateways", None)
    raw["model_registry"] = {}
    raw["vector_store"] = {"kind": "qdrant"}
    raw["gateway"] = {k: v for k, v in raw["gateway"].items() if k not in ("replicas", "requests_per_minute")}
    raw["teams"] = [{"name": "bare", "gpus": 0, "members_group": "bare"}]
    return load_platform_config(raw)


CASES = [(cloud, env) for cloud in CLOUDS for env in ("dev", "prod")]


@pytest.mark.parametrize(("cloud", "environment"), CASES)
def test_documented_defaults_are_the_resolved_config(cloud, environment):
    config = _bare(cloud, environment)
    assert config.cloud == cloud and config.environment == environment

    def doc(name: str) -> Any:
        return _value(TABLE[name][cloud], environment)

    system, team = config.cluster.system_nodes, config.teams[0]
    registry = config.model_registry
    assert registry is not None and config.gateway is not None
    resolved = {
        "system_instance_type": config.system_instance_types[0],
        "nat_gateways": config.nat_gateways,
        "system_min_nodes": system.min_nodes,
        "system_max_nodes": system.max_nodes,
        "system_disk_size_gib": system.disk_size_gib,
        "gpu_disk_size_gib": GpuPool.model_fields["disk_size_gib"].default,
        "team_cpu": team.cpu,
        "team_memory": team.memory,
        "team_pods": team.pods,
        "team_persistent_volume_claims": team.persistent_volume_claims,
        "team_storage": team.storage,
        "registry_namespace": registry.namespace,
        "registry_noncurrent_version_days": registry.noncurrent_version_days,
        "registry_untagged_image_days": registry.untagged_image_days,
        "vector_store_namespace": config.vector_store_namespace,
        "qdrant_service_account": config.vector_store_service_account,
        "qdrant_replicas": config.vector_store_replicas,
        "qdrant_volume_size_gib": config.vector_store_volume_size_gib,
        "qdrant_memory": config.vector_store_memory,
        "snapshot_noncurrent_version_days": config.snapshot_noncurrent_version_days,
        "reclaim_policy": config.storage_reclaim_policy,
        "gateway_replicas": config.gateway_replicas,
        "gateway_requests_per_minute": config.gateway.requests_per_minute,
        # every reference stack has NVIDIA pools: their GPU metrics come from the cloud or from the chart
        "managed_gpu_metrics": config.gpu_metrics == "managed",
        "storage_sku": config.defaults.storage_sku,
    }
    for name, value in resolved.items():
        assert value == doc(name), name
    # Settings a cloud may not have: documented as `-`, resolved as off / none there.
    optional = {
        "log_retention_days": config.log_retention_days,
        "regional": config.regional,
        "release_channel": config.release_channel,
        "qdrant_snapshots": config.vector_store_snapshots,
        "standby_replicas": config.vector_store_standby_replicas,
    }
    for name, value in optional.items():
        documented = doc(name)
        assert value == documented if documented is not None else value in (None, False), name
    assert set(resolved) | set(optional) == set(TABLE)
    assert config.registry_repository_name == f"{config.name}-serving" and "default: <name>-serving" in DOC
    assert config.vector_store_collection_name == f"{config.name}-vectors"[:32] and "default: <name>-vectors" in DOC


def test_given_values_win_over_defaults():
    raw = stack_platform("aws-prod")
    raw["vector_store"] = {"kind": "opensearch-serverless", "standby_replicas": False, "collection_name": "mine"}
    raw["gateway"]["replicas"] = 5
    config = load_platform_config(raw)
    assert (config.vector_store_standby_replicas, config.vector_store_collection_name, config.gateway_replicas) == (
        False, "mine", 5)
    raw = stack_platform("aws-dev")
    raw["vector_store"] = {"kind": "opensearch-serverless"}
    config = load_platform_config(raw)
    assert config.vector_store_standby_replicas is False


def test_the_cloud_field_takes_the_registered_clouds():
    import typing

    assert typing.get_args(PlatformConfig.model_fields["cloud"].annotation) == tuple(CLOUDS)
