"""Shared pieces of every component: options, tags, labels, protection, args checks.

Conventions (DESIGN.md 3-6, 9, 10): children are named from the component's
name and parented to it; stateful children are protected in production; every
taggable child gets the platform's tags explicitly; args are validated all at
once and rejected with every problem and its property path.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pulumi

from ..labels import LABEL_PREFIX  # noqa: F401  (components import it from here)
from ..problems import shown


def child_opts(parent: pulumi.Resource, *, protect: bool | None = None, **extra: Any) -> pulumi.ResourceOptions:
    """Options for a child: parented to the component (providers flow from it)."""
    opts = pulumi.ResourceOptions(parent=parent, **extra)
    if protect:
        opts.protect = True
    return opts


def stateful_opts(parent: pulumi.Resource, protect: bool, *, retain: bool = False, **extra: Any) -> pulumi.ResourceOptions:
    """Options for a stateful child (key, bucket, registry, vector store, a namespace others deploy into).

    `protect` is True in production (the config's `protect_stateful`): `pulumi destroy` or a refactor
    that would delete or replace the resource fails instead (DESIGN.md convention 9). `retain` (with
    `protect` only) also sets `retainOnDelete`, for resources whose deletion would delete data: once
    someone unprotects and removes one on purpose, Pulumi forgets it and the cloud keeps it.
    """
    opts = child_opts(parent, protect=protect, **extra)
    if protect and retain:
        opts.retain_on_delete = True
    return opts


def merge_tags(base: Mapping[str, str] | None, **extra: str) -> dict[str, str]:
    """The component's tags plus per-resource ones (e.g. `Name`)."""
    tags = dict(base or {})
    tags.update(extra)
    return tags


def is_known(value: Any) -> bool:
    """True when a value can be checked now (not an Output or awaitable)."""
    return not isinstance(value, pulumi.Output) and not hasattr(value, "__await__")


#: While the platform builds a component from its config: (component type, arg) -> the config key the user wrote
#: and, for a setting whose config value differs from the arg's (`network: public` for `public_access=True`), the
#: config's values (default, given). Warnings and arg errors then name the config key (`config_spelling`).
_CONFIG_SPELLING: contextvars.ContextVar[Mapping[tuple[str, str], Spelling]] = contextvars.ContextVar(
    "config_spelling", default={})  # noqa: B039 - never mutated: `config_spelling` sets a new mapping


@dataclass(frozen=True)
class Spelling:
    """How the user wrote a component arg in the platform config: its path, and its values there if they differ."""

    path: str
    default: str | None = None
    value: str | None = None


@contextmanager
def config_spelling(type_token: str, paths: Mapping[str, str | Spelling]) -> Iterator[None]:
    """Inside: the component of `type_token` names its args in `paths` by their config keys, in warnings and errors
    (the platform builds it from config; a user of the component itself sees its arg names)."""
    table = {**_CONFIG_SPELLING.get()}
    table.update({(type_token, arg): p if isinstance(p, Spelling) else Spelling(p) for arg, p in paths.items()})
    token = _CONFIG_SPELLING.set(table)
    try:
        yield
    finally:
        _CONFIG_SPELLING.reset(token)


def spelled(type_token: str, setting: str) -> Spelling | None:
    """The config spelling of a component arg while the platform builds that component, else None."""
    return _CONFIG_SPELLING.get().get((type_token, setting))


def warn_override(type_token: str, resource: str, setting: str, default: Any, value: Any, why: str = "") -> None:
    """Log that a security-relevant default was overridden (DESIGN.md convention 5), in the user's spelling: the
    config key and its values when the platform built the component from config, the arg otherwise."""
    spelling = spelled(type_token, setting)
    if spelling is None:
        name, before, after = setting, repr(default), repr(value)
    else:
        name = spelling.path
        before = spelling.default if spelling.default is not None else shown(default)
        after = spelling.value if spelling.value is not None else shown(value)
    pulumi.log.warn(f"{resource}: {name} overridden ({before} -> {after}); {why or 'this weakens a secure default'}")


def arg_path(path: str) -> str:
    """`path` spelt as a Python caller writes the args: snake_case names, `a.b[0].c` (keys in brackets as given).

    >>> arg_path("systemNodes.instanceTypes[0]")
    'system_nodes.instance_types[0]'
    """
    chars: list[str] = []
    depth = 0
    for char in path:
        depth += (char == "[") - (char == "]")
        if depth == 0 and char.isupper():
            chars.append(("_" if chars and chars[-1] not in "._" else "") + char.lower())
        else:
            chars.append(char)
    return "".join(chars)


class ArgsChecker:
    """Collects every problem of a component's args, then raises them at once.

    Every path is an argument path as the caller wrote it (`pool_name`, `taints[0].key`): one spelling for
    every component, whatever the cloud (`arg_path` turns a stray camelCase name into it).

    >>> check = ArgsChecker("aiplatform:index:EksGpuNodePool", "gpu-a")
    >>> check.require(max_size >= min_size, "max_size", "must be >= min_size")
    >>> check.done()   # raises pulumi.InputPropertiesError listing all problems
    """

    def __init__(self, type_token: str, name: str) -> None:
        self.type_token = type_token
        self.name = name
        self.errors: list[pulumi.InputPropertyErrorDetails] = []

    def add(self, path: str, reason: str) -> None:
        path = arg_path(path)
        spelling = spelled(self.type_token, path.split(".")[0].split("[")[0])
        if spelling is not None:  # built from the platform config: the key the user wrote
            path = spelling.path + path[len(path.split(".")[0].split("[")[0]):]
        self.errors.append({"property_path": path, "reason": reason})

    def require(self, ok: bool, path: str, reason: str) -> None:
        if not ok:
            self.add(path, reason)

    def exclusive(self, args: Mapping[str, Any], first: str, second: str) -> None:
        """Bring-your-own and create-for-me are exclusive (DESIGN.md convention 6)."""
        if args.get(first) is not None and args.get(second) is not None:
            self.add(first, f"give {first} or {second}, not both")

    def done(self) -> None:
        if self.errors:
            lines = "\n".join(f"  - {e['property_path']}: {e['reason']}" for e in self.errors)
            raise pulumi.InputPropertiesError(
                f"{self.type_token} {self.name!r}: invalid args ({len(self.errors)}):\n{lines}",
                self.errors,
            )


_COST_LABEL_KEYS = ("team", "cost-center", "environment")


def cost_labels(tags: Mapping[str, str]) -> dict[str, str]:
    """Kubernetes labels for the cost tags (team, cost-center, environment), made label-safe."""
    import re

    out: dict[str, str] = {}
    for key in _COST_LABEL_KEYS:
        if key in tags:
            value = re.sub(r"[^A-Za-z0-9_.-]+", "-", tags[key])[:63].strip("-_.")
            out[key] = value
    return out
