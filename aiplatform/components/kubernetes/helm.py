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
    release_name: str | None = None,
) -> k8s.helm.v3.Release:
    """A `helm.v3.Release` of a pinned chart (a custom resource, so the offline plan sees it).

    The release is named after the chart unless `release_name` is given. OCI charts are given
    as a full `oci://` reference, with no repository.
    """
    source = (
        {"chart": f"{chart.repository}/{chart.chart}"}
        if chart.is_oci
        else {"chart": chart.chart, "repository_opts": {"repo": chart.repository}}
    )
    return k8s.helm.v3.Release(
        name,
        name=release_name or chart.chart,
        version=chart.version,
        **source,
        namespace=namespace,
        values=values,
        opts=opts,
    )
