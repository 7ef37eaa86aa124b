"""Loading the platform config: from a mapping, or from the running stack's Pulumi config."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pydantic import ValidationError

from ..problems import Problem, problems_from_validation_error
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
        raise ConfigError(problems_from_validation_error(exc, ROOT), source) from None


def from_pulumi_config(namespace: str = "aiplatform", key: str = CONFIG_KEY) -> PlatformConfig:
    """Read and validate the `<namespace>:<key>` structured config of the running stack."""
    cfg = pulumi.Config(namespace)
    raw = cfg.get(key)
    if raw is None:
        raise ConfigError([Problem(ROOT, f"required: set config key {namespace}:{key}")], f"stack {pulumi.get_stack()}")
    try:
        value = json.loads(raw)
    except ValueError:
        raise ConfigError([Problem(ROOT, "must be a structured value (a mapping)")], f"stack {pulumi.get_stack()}") from None
    return load_platform_config(value, source=f"stack {pulumi.get_stack()}")
