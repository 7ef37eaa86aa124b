"""Finding the resources that configure another one (an S3 bucket's encryption, its public-access block, a
Deployment's KEDA ScaledObject)."""

from __future__ import annotations

from collections.abc import Iterable

from .props import known
from .resource import Resource
from .types import S3_BUCKET, S3_BUCKET_V2, SCALED_OBJECT

BUCKET_TYPES = frozenset({S3_BUCKET, S3_BUCKET_V2})


def attached(target: Resource, candidates: Iterable[Resource], prop: str = "bucket") -> list[Resource]:
    """Resources whose `prop` refers to `target`: by dependency (an Output of it) or by its literal name."""
    name = target.get("bucket")
    out = []
    for candidate in candidates:
        if candidate.depends_on(prop, target.urn):
            out.append(candidate)
            continue
        value = candidate.get(prop)
        if known(name) and known(value) and value == name:
            out.append(candidate)
    return out


def scaler_of(deployment: Resource, candidates: Iterable[Resource]) -> Resource | None:
    """The KEDA ScaledObject among `candidates` that scales `deployment`: same namespace, its `scaleTargetRef`
    naming the Deployment (kind Deployment, KEDA's default)."""
    name, namespace = deployment.get("metadata.name"), deployment.get("metadata.namespace")
    for other in candidates:
        target = other.get("spec.scaleTargetRef")
        if other.type == SCALED_OBJECT and other.get("metadata.namespace") == namespace and isinstance(target, dict) \
                and target.get("name") == name and target.get("kind", "Deployment") == "Deployment":
            return other
    return None
