"""Helm releases at the versions pinned in `aiplatform.catalog.pins`."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import HelmChart


def pinned_release(
    name: str,
    chart: HelmChart,
    *,
    namespace: pulumi.Input[str],
    values: dict[str, Any],
    opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    """A `helm.v3.Release` of a pinned chart (a custom resource, so the offline plan sees it).

    The release is named after the chart.
    """
    return k8s.helm.v3.Release(
        name,
        name=chart.chart,
        chart=chart.chart,
        version=chart.version,
        repository_opts={"repo": chart.repository},
        namespace=namespace,
        values=values,
        opts=opts,
    )
