"""What every GPU pool shares, whatever the cloud: its node labels and taints, and what the facade keeps of it.

`EksGpuNodePool` and `GkeGpuNodePool` label and taint their nodes the same way (the scheduling
contract workloads rely on: `InferenceService` selects on the accelerator label and tolerates the
accelerator taint); a new pool kind builds its labels and taints here too and satisfies `GpuPool`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NoReturn, Protocol, TypedDict

from ..labels import ACCELERATOR_LABEL, LABEL_PREFIX

#: Kubernetes taint effects, as the cloud APIs spell them.
TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}


class TaintArgs(TypedDict, total=False):
    key: str
    """Taint key (required)."""
    value: str
    """Taint value. Default: empty."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
    """Default: NoSchedule."""


class GpuPool(Protocol):
    """What the platform keeps of each GPU pool (its `gpuPools` output, the team quotas' resources)."""

    instance_types: list[str]
    """The pool's instance (machine) types."""
    accelerator_resource: str
    """The extended resource its accelerators are requested as (`nvidia.com/gpu`, `aws.amazon.com/neuron`)."""
    accelerators_per_node: int
    """Accelerators on the smallest node of the pool."""
    max_accelerators: int
    """Accelerators of the pool at its largest size."""
    node_labels: dict[str, str]
    """The labels of its nodes (`pool_labels`): Kueue's ResourceFlavors select on them."""
    node_taints: list[dict[str, str]]
    """The taints of its nodes (`pool_taints`), Kubernetes spelling (`effect: NoSchedule`)."""


@dataclass
class PoolDescription:
    """A GPU pool as the platform reads it (`GpuPool`), with no resource: what `describe` of a pool kind returns
    (`EksGpuNodePool.describe`, `GkeGpuNodePool.describe`), from the same arguments, with the same checks."""

    name: str
    instance_types: list[str]
    accelerator_resource: str
    accelerators_per_node: int
    max_accelerators: int
    node_labels: dict[str, str]
    node_taints: list[dict[str, str]]

    def __getattr__(self, attr: str) -> NoReturn:
        """Only called for an attribute the description lacks: a pool component's resources (`node_group`, ...)."""
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise AttributeError(
            f"the GPU pool {self.name!r} is described here, not created, so it has no {attr!r}: an offline plan of a "
            f"platform with many pools registers them in chunks (AIPLATFORM_PLAN_CHUNK_POOLS), and a program that "
            f"reads a pool's resources must be planned with AIPLATFORM_PLAN_CHUNK_POOLS=0")


def pool_labels(pool: str, vendor: str, capacity: str, extra: Mapping[str, str] | None = None, *,
                model: str | None, count: int | None, labels: Mapping[str, str] | None) -> dict[str, str]:
    """A pool's node labels: pool, role, vendor and capacity type, then the pool kind's `extra`, the
    accelerator model and per-node count when the pool has one of each, then the user's `labels`."""
    out = {
        f"{LABEL_PREFIX}pool": pool,
        f"{LABEL_PREFIX}node-role": "accelerator",
        f"{LABEL_PREFIX}accelerator-vendor": vendor,
        f"{LABEL_PREFIX}capacity-type": capacity,
        **(extra or {}),
    }
    if model is not None:
        out[ACCELERATOR_LABEL] = model
    if count is not None:
        out[f"{LABEL_PREFIX}accelerator-count"] = str(count)
    out.update(labels or {})
    return out


def pool_taints(accelerator_taint: Mapping[str, str], taints: Sequence[TaintArgs] | None) -> list[dict[str, str]]:
    """The accelerator taint, then the user's taints with their defaults (empty value, NoSchedule)."""
    return [dict(accelerator_taint)] + [
        {"key": t["key"], "value": t.get("value", ""), "effect": t.get("effect", "NoSchedule")}
        for t in taints or []
    ]


__all__ = ["TAINT_EFFECTS", "GpuPool", "PoolDescription", "TaintArgs", "pool_labels", "pool_taints"]
