"""Reading Kubernetes objects out of a plan, for assertions."""

from __future__ import annotations

from typing import Any

from aiplatform.testing import kubernetes_manifests


def manifests_by_kind_and_name(plan) -> dict[tuple[str, str], dict[str, Any]]:
    """Every Kubernetes object of the plan (built-in kinds and custom resources) by (kind, name)."""
    return {(m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan, custom=True)} | {
        (m["kind"], m["metadata"]["name"]): m for _, m in kubernetes_manifests(plan)}
