"""What the rules need beyond the engine's shape (`aiplatform.shape.props`): plain values out of
`pulumi_policy`'s proxies, and the table of taggable types generated from the provider SDKs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from pulumi_policy.proxy import _DictProxy, _ListProxy  # what the analyzer wraps props in

from ..shape.props import SECRET_SIG, SECRET_SIG_KEY

_SCALARS = frozenset({str, float, int, bool, type(None)})


def plain(value: Any) -> Any:
    """Engine props as plain dicts and lists.

    Accepts what `pulumi_policy` hands a rule (its unknown-checking proxies, which
    raise on an unknown) or raw props; secrets are unwrapped; unknown sentinels
    are kept as they are. Concrete types are tested first: this runs once per
    policy per resource, and ABC `isinstance` checks dominated its cost.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is _DictProxy:
        value = value["__target"]
        kind = dict
    elif kind is _ListProxy:
        return [plain(v) for v in value["__target"]]
    if kind is dict:
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return plain(value.get("value"))
        return {k if type(k) is str else str(k): plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if isinstance(value, _DictProxy):  # a subclass: the check's shared read-only props, or one of their dicts
        private_copy = getattr(value, "plain_copy", None)
        return private_copy() if private_copy is not None else plain(value["__target"])
    if isinstance(value, _ListProxy):
        return [plain(v) for v in value["__target"]]
    if isinstance(value, Mapping):
        return plain(dict(value))
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


@lru_cache(maxsize=1)
def taggable_types() -> dict[str, str]:
    """Resource type -> the property holding its tags/labels (generated from the provider SDKs)."""
    text = resources.files("aiplatform.guardrails").joinpath("data/taggable.txt").read_text(encoding="utf-8")
    rows = (line.split() for line in text.splitlines() if line and not line.startswith("#"))
    return dict(rows)
