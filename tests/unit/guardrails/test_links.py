"""`Attachments` answers as the plain pass over the candidates (`attached`, the rule it indexes) does, for every pairing."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from aiplatform.shape.links import Attachments
from aiplatform.shape.props import UNKNOWN, known
from aiplatform.shape.resource import Resource


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


class _Name(str):
    pass


VALUES = ["models", "data", _Name("models"), UNKNOWN, None, 1, 1.0, True, {"a": 1}, ["models"]]


def _resource(urn, value, deps=()):
    props = {} if value == "MISSING" else {"bucket": value}
    return Resource("t:m:R", urn, urn, props, property_dependencies={"bucket": list(deps)} if deps else {})


def test_attachments_agree_with_attached_on_every_pairing():
    targets = [_resource(f"urn:t{i}", v) for i, v in enumerate([*VALUES, "MISSING"])]
    candidates = [_resource(f"urn:c{i}", v) for i, v in enumerate([*VALUES, "MISSING"])]
    candidates += [_resource("urn:dep", "other", deps=["urn:t3"]), _resource("urn:dep2", None, deps=["urn:t11"])]
    seen = set()
    for size in (0, 1, 2):
        for chosen in itertools.combinations(candidates, size):
            index = Attachments(chosen)
            for target in targets:
                expected = bool(attached(target, chosen))
                assert index.any_for(target) is expected, (target.props, [c.props for c in chosen])
                seen.add(expected)
    assert seen == {True, False}
