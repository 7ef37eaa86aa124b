"""Finding the resources that configure another one (an S3 bucket's encryption, its public-access block, a
Deployment's KEDA ScaledObject)."""

from __future__ import annotations

from collections.abc import Iterable

from .props import known
from .resource import Resource
from .types import S3_BUCKET, S3_BUCKET_V2, SCALED_OBJECT

BUCKET_TYPES = frozenset({S3_BUCKET, S3_BUCKET_V2})


class Attachments:
    """Whether some candidate's `prop` refers to a target, by dependency (an Output of it) or by its literal
    bucket name, for many targets: the candidates are read once (one pass over them per target made the bucket
    rules quadratic in the number of buckets)."""

    def __init__(self, candidates: Iterable[Resource], prop: str = "bucket") -> None:
        self._dependents: set[str] = set()  # the URNs some candidate's `prop` depends on
        self._names: set[str] = set()  # the candidates' known `prop` values that are exact strings
        self._others: list[object] = []  # and the other known values, compared with ==
        for candidate in candidates:
            self._dependents.update(candidate.property_dependencies.get(prop, ()))
            value = candidate.get(prop)
            if known(value):
                (self._names.add if type(value) is str else self._others.append)(value)

    def any_for(self, target: Resource) -> bool:
        if target.urn in self._dependents:
            return True
        name = target.get("bucket")
        if not known(name):
            return False
        if type(name) is str and name in self._names:
            return True
        values = self._others if type(name) is str else [*self._names, *self._others]
        return any(value == name for value in values)


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
