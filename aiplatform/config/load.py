"""Loading the platform config: from a mapping, or from the running stack's Pulumi config."""

from __future__ import annotations

import collections.abc
import contextlib
import json
import re
import types
import typing
from typing import Any

import pulumi
from pulumi.runtime.config import is_config_secret
from pydantic import BaseModel, ValidationError

from ..labels import SECRET_PLACEHOLDER
from ..problems import Problem, did_you_mean, problems_from_validation_error
from .errors import CONFIG_KEY, ROOT, ConfigError
from .platform import PlatformConfig


def load_platform_config(raw: Any, source: str = "") -> PlatformConfig:
    """Validate a platform spec; raise `ConfigError` listing every problem."""
    if raw is None:
        raise ConfigError([Problem(ROOT, "required: set config key aiplatform:platform")], source)
    if not isinstance(raw, dict):
        raise ConfigError([Problem(ROOT, f"must be a mapping (got {type(raw).__name__})")], source)
    try:
        return PlatformConfig.model_validate(raw, context={"cloud": raw.get("cloud")})
    except ValidationError as exc:
        raise ConfigError(with_suggestions(problems_from_validation_error(exc, ROOT)), source) from None


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|\"[^\"]*\")\]")


def _models(annotation: Any) -> list[Any]:
    """The pydantic models, lists and dicts an annotation may hold (Optional, unions and Annotated unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return [annotation]


def _fields_at(path: str) -> list[str]:
    """The field names of the config model at `path` (`platform.gpu_pools[0]`), or [] when it is not a model."""
    current = [PlatformConfig]
    for name, index, key in _PART.findall(path.removeprefix(ROOT)):
        step: list[Any] = []
        for annotation in current:
            origin, args = typing.get_origin(annotation), typing.get_args(annotation)
            if name and isinstance(annotation, type) and issubclass(annotation, BaseModel):
                if name in annotation.model_fields:
                    step += _models(annotation.model_fields[name].annotation)
            elif index and origin in (list, tuple, collections.abc.Sequence) and args:
                step += _models(args[0])
            elif (key or name) and origin in (dict, collections.abc.Mapping) and len(args) == 2:
                step += _models(args[1])
        current = step
    return [f for m in current if isinstance(m, type) and issubclass(m, BaseModel) for f in m.model_fields]


def with_suggestions(problems: list[Problem]) -> list[Problem]:
    """Unknown keys with the closest key the model takes there (`instance_type` -> `instance_types`)."""
    out = []
    for p in problems:
        if p.message == "unknown key":
            parent, _, key = p.path.rpartition(".")
            hint = did_you_mean(key, _fields_at(parent)) if parent else ""
            p = Problem(p.path, p.message + hint) if hint else p
        out.append(p)
    return out


def from_pulumi_config(namespace: str = "aiplatform", key: str = CONFIG_KEY) -> PlatformConfig:
    """Read and validate the `<namespace>:<key>` structured config of the running stack."""
    cfg = pulumi.Config(namespace)
    raw = cfg.get(key)
    if raw is not None and is_config_secret(f"{namespace}:{key}"):
        # Every field lands in names, tags, labels or plain resource inputs, which cannot be secret: refuse,
        # rather than let the decrypted value spread unmarked into state, diffs and cloud tags.
        why = (f"a `secure:` value; no field of {namespace}:{key} can be secret (they become names, tags, labels "
               "and plain inputs) - keep secrets in their own config key")
        paths = _placeholder_paths(raw)
        raise ConfigError([Problem(p, why) for p in paths] or [Problem(ROOT, f"holds {why}")],
                          f"stack {pulumi.get_stack()}")
    if raw is None:
        raise ConfigError([Problem(ROOT, f"required: set config key {namespace}:{key}")], f"stack {pulumi.get_stack()}")
    try:
        value = json.loads(raw)
    except ValueError:
        raise ConfigError([Problem(ROOT, "must be a structured value (a mapping)")], f"stack {pulumi.get_stack()}") from None
    config = load_platform_config(value, source=f"stack {pulumi.get_stack()}")
    _same_region_as_the_default_provider(config)
    return config


def _same_region_as_the_default_provider(config: PlatformConfig) -> None:
    """The stack's `<cloud>:region` (the default provider's, used by anything the platform does not create)
    must be the platform's region: two regions in one stack are a mistake that splits data and bills."""
    stack_region = pulumi.Config(config.cloud).get("region")
    if stack_region is not None and stack_region != config.region:
        raise ConfigError([Problem("platform.region", (
            f"{config.region} differs from the stack's {config.cloud}:region {stack_region} (the default provider's "
            f"region); set both to one region")), ], f"stack {pulumi.get_stack()}")


def _placeholder_paths(raw: str) -> list[str]:
    """Offline, where the `secure:` values are (the engine passes them as `SECRET_PLACEHOLDER`)."""
    found: list[str] = []

    def visit(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, f"{path}[{k!r}]" if not str(k).isidentifier() else f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                visit(v, f"{path}[{i}]")
        elif value == SECRET_PLACEHOLDER:
            found.append(path)

    with contextlib.suppress(ValueError):
        visit(json.loads(raw), ROOT)
    return found
