"""EKS version support windows: when each Kubernetes minor version leaves standard and extended support.

`eks_versions()` loads `data/eks_versions.yaml` and validates it (one row a version, dates in order).
`support_of(version)` answers a row or None (a version the table does not list: the caller must not guess).
The estimator prices extended support only for a version past its standard window; the AWS config warns
when a pinned version leaves standard support soon.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..problems import raise_problems
from .instances import load_document
from .pins import DEFAULT_KUBERNETES_VERSION

ORIGIN = "eks_versions.yaml"
Support = Literal["standard", "extended", "unsupported"]


class EksVersion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^1\.\d+$")
    released: dt.date
    end_of_standard: dt.date
    end_of_extended: dt.date

    def support_on(self, day: dt.date) -> Support:
        """Which support a cluster of this version is in on `day` (the end dates are the last covered day)."""
        if day <= self.end_of_standard:
            return "standard"
        return "extended" if day <= self.end_of_extended else "unsupported"


class EksVersions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    source: str = Field(pattern=r"^https://")
    versions: list[EksVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> EksVersions:
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, row in enumerate(self.versions):
            if row.version in seen:
                problems.append((f"versions[{i}]", f"duplicate version {row.version}"))
            seen.add(row.version)
            if not row.released < row.end_of_standard < row.end_of_extended:
                problems.append((f"versions[{i}]", "dates must be released < end_of_standard < end_of_extended"))
        raise_problems(problems)
        return self

    def support_of(self, version: str) -> EksVersion | None:
        return next((row for row in self.versions if row.version == version), None)


def load_eks_versions(text: str, origin: str = "<eks versions>") -> EksVersions:
    return load_document(EksVersions, text, origin)


@lru_cache(maxsize=1)
def eks_versions() -> EksVersions:
    path = resources.files("aiplatform.catalog").joinpath(f"data/{ORIGIN}")
    return load_eks_versions(path.read_text(encoding="utf-8"), origin=ORIGIN)


def support_of(version: str) -> EksVersion | None:
    """The support window of an EKS Kubernetes minor version ("1.34"); None when the table does not list it."""
    return eks_versions().support_of(version)


#: Warn this many days before a pinned EKS version leaves standard support.
EKS_SUPPORT_WARNING_DAYS = 60


def eks_support_warning(version: str, today: dt.date) -> str | None:
    """A warning when an EKS Kubernetes version leaves standard support within 60 days of `today` (or has left it).

    Past its standard window a cluster is billed extended support (6x the control-plane rate) unless
    upgradePolicy.supportType is STANDARD, in which case AWS upgrades it. None for a version the support
    table does not list, or one with more than 60 days left."""
    window = support_of(version)
    if window is None:
        return None
    left = (window.end_of_standard - today).days
    if left > EKS_SUPPORT_WARNING_DAYS:
        return None
    when = (f"leaves standard support on {window.end_of_standard} ({left} day{'' if left == 1 else 's'})" if left >= 0
            else f"left standard support on {window.end_of_standard}")
    return (f"platform.cluster.kubernetes_version: EKS {version} {when}; after it the cluster is billed extended support "
            f"(until {window.end_of_extended}) or, with supportType STANDARD, upgraded by AWS: plan the upgrade")


def platform_warnings(platform: Any, today: dt.date) -> list[str]:
    """Config warnings of a raw `aiplatform:platform` value (a stack's config, not yet validated): today the
    EKS support window of the pinned Kubernetes version. The CLI prints them on plan, check and cost."""
    if not isinstance(platform, dict) or platform.get("cloud", "aws") != "aws":
        return []
    cluster = platform.get("cluster")
    version = cluster.get("kubernetes_version") if isinstance(cluster, dict) else None
    warning = eks_support_warning(str(version if version is not None else DEFAULT_KUBERNETES_VERSION), today)
    return [warning] if warning else []
