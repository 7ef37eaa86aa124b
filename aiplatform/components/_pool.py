"""What every GPU pool shares, whatever the cloud: its node labels and taints, and what the facade keeps of it.

`EksGpuNodePool` and `GkeGpuNodePool` label and taint their nodes the same way (the scheduling
contract workloads rely on: `InferenceService` selects on the accelerator label and tolerates the
accelerator taint); a new pool kind builds its labels and taints here too and satisfies `GpuPool`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol, TypedDict

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


__all__ = ["TAINT_EFFECTS", "GpuPool", "TaintArgs", "pool_labels", "pool_taints"]
