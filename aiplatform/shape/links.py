"""Finding the resources that configure another one (an S3 bucket's encryption, its public-access block)."""

from __future__ import annotations

from collections.abc import Iterable

from .props import known
from .resource import Resource
from .types import S3_BUCKET, S3_BUCKET_V2

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
