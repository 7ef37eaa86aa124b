"""The property-path grammar (`a.b[0].c`) shared by the plan model and the guardrails.

No imports beyond the standard library: the plan engine and the policy pack both load it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any


def split_path(path: str) -> Iterator[str | int]:
    """`a.b[0].c` -> `a`, `b`, `0`, `c` (indexes as ints)."""
    for chunk in path.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        if name:
            yield name
        for index in indexes:
            yield int(index)


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str | int, ...]:
    """`split_path` once per path (the guardrails read the same few paths of every resource)."""
    return tuple(split_path(path))


def walk(value: Any, path: str, default: Any, *, stop: Callable[[Any], bool] | None = None,
         stopped: Any = None) -> Any:
    """The value at `path`, or `default` when a step is missing. With `stop`, reaching a value on the way
    for which `stop` is true returns `stopped` (the guardrails stop at unknowns)."""
    current = value
    try:
        parts: Any = _parts(path)
    except ValueError:  # a malformed index: split lazily, so a missing step still returns the default first
        parts = split_path(path)
    for part in parts:
        if stop is not None and stop(current):
            return stopped
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return default
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return default
            current = current[part]
    return current
