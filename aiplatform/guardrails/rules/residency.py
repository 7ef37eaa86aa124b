"""Data residency: resources are created only in allowed regions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.props import known
from ...shape.resource import Resource
from ...shape.types import CLOUD_PROVIDERS
from .._rule import resource_rule

AREA = "compliance"


@resource_rule(
    "aip-compliance-region-allowed",
    area="compliance",
    severity=Severity.HIGH,
    description="Providers and resources are pinned to an allowed region (data residency).",
    why="Training data and model artefacts often may not leave a jurisdiction; a provider pointed at another "
        "region creates the whole platform there.",
    remediation="Use a region from `allowedRegions`, or extend the list in the policy config once the data "
                "owner has agreed.",
    config={"allowedRegions": {
        "type": "array", "items": {"type": "string"},
        "default": ["us-east-1", "us-west-2", "eu-west-1", "us-central1", "us-east4", "europe-west4"],
        "description": "Regions resources may be created in (the priced catalog's regions by default).",
    }},
    tags=("data-residency",),
)
def region_allowed(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    allowed = config["allowedRegions"]
    if resource.type in CLOUD_PROVIDERS:
        region = resource.get("region")
        what = "the provider's region"
    elif resource.type.startswith("aws:"):
        region = resource.get("region")  # pulumi-aws 7 takes a per-resource region
        what = "region"
    else:
        return
    if known(region) and isinstance(region, str) and region not in allowed:
        yield f"{what} {region} is not allowed (allowed: {', '.join(allowed)})"
