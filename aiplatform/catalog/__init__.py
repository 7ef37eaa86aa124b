"""The catalog: what each instance type carries, as validated data.

Nothing in the library guesses from an instance-type name: the accelerator
model, count and memory of a type come from here (DESIGN.md convention 8).
The catalog imports no provider SDK, so the guardrails can use it inside the
policy pack.
"""

from .instances import (
    DEVICE_RESOURCE,
    Accelerator,
    CatalogError,
    InstanceCatalog,
    InstanceType,
    aws_instances,
    cloud_of,
    gcp_instances,
    instance_row,
    instances,
)
from .zones import gcp_zones, zones_offering

__all__ = [
    "DEVICE_RESOURCE",
    "Accelerator",
    "CatalogError",
    "InstanceCatalog",
    "InstanceType",
    "aws_instances",
    "cloud_of",
    "gcp_instances",
    "gcp_zones",
    "instance_row",
    "instances",
    "zones_offering",
]
