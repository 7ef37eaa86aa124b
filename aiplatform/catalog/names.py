"""Cloud name rules, and the one way the platform shortens a derived name that would break them.

`data/name_rules.yaml` gives, per resource type, the property of its physical name, the
prefix property a provider completes (26 characters), the length limits, the characters the
cloud accepts, and whether Pulumi autonames it (the logical name + "-" + 7 hex characters).

`fit(base, limit)` keeps a name that fits and otherwise cuts it and appends a short hash of
the whole name, so two long names that share their head never collide. `name_args` is what a
component passes for a resource whose physical name derives from its logical name: nothing
when the autoname fits (the names of every platform that deployed before stay as they were),
a fitted prefix where the type takes one, a fitted name otherwise. `physical_name` and
`name_problems` read a resource as the engine records it (the naming guardrail and tests).
`regions(cloud)` is the catalog's region list (`data/regions.yaml`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .instances import load_document

#: Type tokens whose names the components fit.
ROLE = "aws:iam/role:Role"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
MODEL_PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
NODE_POOL = "gcp:container/nodePool:NodePool"
SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"
#: An S3 bucket prefix's room: 63 characters less the provider's 26-character suffix (the prefix ends in '-').
BUCKET_PREFIX_ROOM = 63 - 26 - 1
#: Hex characters of the hash `fit` appends (after a '-').
HASH_LENGTH = 6
#: What stands for the provider's unique suffix when a prefix is measured.
_UNIQUE = "0" * 26


class NameRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    property: str = Field(min_length=1)
    prefix: str | None = None
    limit: int = Field(ge=1)
    min: int = Field(1, ge=1)
    pattern: str = Field(min_length=1)
    autoname: bool
    source: str = Field(min_length=1)

    def problems(self, name: str) -> list[str]:
        """What is wrong with `name` as this type's physical name (empty when it is valid)."""
        found = []
        if not self.min <= len(name) <= self.limit:
            found.append(f"{len(name)} characters; the limit is {self.min}-{self.limit}" if self.min > 1
                         else f"{len(name)} characters; the limit is {self.limit}")
        if not re.fullmatch(self.pattern, name):
            found.append(f"characters outside {self.pattern}")
        return found


class NameRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    autoname_suffix: int = Field(ge=0)
    prefix_suffix: int = Field(ge=0)
    rules: dict[str, NameRule]


class RegionList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    regions: list[str] = Field(min_length=1)


class Regions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    clouds: dict[str, RegionList]


def _text(name: str) -> str:
    return resources.files("aiplatform.catalog").joinpath(f"data/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def name_rules() -> NameRules:
    """The name rules shipped with the package (validated on first use)."""
    return load_document(NameRules, _text("name_rules.yaml"), "name_rules.yaml")


@lru_cache(maxsize=1)
def _regions() -> Regions:
    return load_document(Regions, _text("regions.yaml"), "regions.yaml")


def regions(cloud: str) -> frozenset[str]:
    """The regions of `cloud` in the catalog (empty for a cloud it does not list)."""
    listed = _regions().clouds.get(cloud)
    return frozenset(listed.regions) if listed else frozenset()


def regions_as_of() -> dt.date:
    return _regions().as_of


def fit(base: str, limit: int) -> str:
    """`base` when it has at most `limit` characters; else its head, '-' and a hash of all of it."""
    if len(base) <= limit:
        return base
    digest = hashlib.sha256(base.encode()).hexdigest()[:HASH_LENGTH]
    head = base[: limit - HASH_LENGTH - 1].rstrip("-_.")
    return f"{head}-{digest}"


def snake_case(prop: str) -> str:
    """An engine property name (`nodeGroupNamePrefix`) as the SDK's keyword argument (`node_group_name_prefix`)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", prop).lower()


def name_args(type_token: str, logical: str) -> dict[str, str]:
    """Keyword arguments (snake_case) that give a resource named `logical` a valid physical name.

    Empty when Pulumi's autoname (`logical` + 8 characters) fits: nothing changes for a name
    that deployed before. Otherwise a fitted prefix where the type takes one (the provider
    keeps a unique suffix, so a replacement can still be created before the old one goes),
    or a fitted name.
    """
    table = name_rules()
    rule = table.rules[type_token]
    if len(logical) + table.autoname_suffix <= rule.limit:
        return {}
    if rule.prefix is not None:
        room = rule.limit - table.prefix_suffix - 1
        return {snake_case(rule.prefix): f"{fit(logical, room)}-"}
    return {snake_case(rule.property): fit(logical, rule.limit)}


def _get(props: dict[str, Any], path: str) -> Any:
    value: Any = props
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


#: How `_measured` came by a name, as messages say it.
_EXPLICIT = ""
_PREFIXED = " (a prefix with the provider's 26-character suffix)"
_AUTONAMED = " (Pulumi's autoname: the logical name + 8 characters)"


def _measured(type_token: str, props: dict[str, Any], logical: str,
              unknown: Callable[[Any], bool]) -> tuple[str, str] | None:
    """The physical name, as long as it will be, and how it comes about (`_EXPLICIT`, ...); None when unknown."""
    table = name_rules()
    rule = table.rules.get(type_token)
    if rule is None:
        return None
    explicit = _get(props, rule.property)
    if explicit is not None:
        return (explicit, _EXPLICIT) if isinstance(explicit, str) and not unknown(explicit) else None
    prefix = _get(props, rule.prefix) if rule.prefix else None
    if prefix is not None:
        return (f"{prefix}{_UNIQUE}", _PREFIXED) if isinstance(prefix, str) and not unknown(prefix) else None
    if rule.autoname:
        return f"{logical}-{'0' * (table.autoname_suffix - 1)}", _AUTONAMED
    return None


def physical_name(type_token: str, props: dict[str, Any], logical: str,
                  unknown: Callable[[Any], bool] = lambda _: False) -> str | None:
    """The name the cloud will see, as long as it will be (a prefix measured with its suffix).

    None for a type without a rule, a value not known offline (`unknown`), or no name at all.
    """
    measured = _measured(type_token, props, logical, unknown)
    return measured[0] if measured else None


def name_problems(type_token: str, props: dict[str, Any], logical: str,
                  unknown: Callable[[Any], bool] = lambda _: False) -> list[str]:
    """What the cloud would refuse in the physical name of this resource (empty when valid or unknown)."""
    measured = _measured(type_token, props, logical, unknown)
    if measured is None:
        return []
    name, how = measured
    if not name.isprintable():
        return [f"{name!r}: not printable"]
    return [f"{name!r}{how}: {p}" for p in name_rules().rules[type_token].problems(name)]


def fitted(type_token: str, base: str) -> str:
    """`base` fitted to the length limit of `type_token`'s physical name (for a name set explicitly)."""
    return fit(base, name_rules().rules[type_token].limit)
