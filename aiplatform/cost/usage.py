"""The usage file: what the plan cannot know (GB stored, data processed, expected node counts).

```yaml
version: 1
defaults:
  expected_utilization: 0.25   # node pools: expected = min + 25% of (max - min)
  spot_ratio: 0.35             # spot estimate as a share of on-demand (overrides spot data)
  estimate_date: 2026-12-03    # price as of this day (EKS extended support); default today
resources:                     # by logical name or URN
  ml-dev-inference-l4: {expected_nodes: 2}
  ml-dev-us-east-1a: {monthly_data_processed_gb: 800}
```

Like Infracost's usage file, numbers here are the user's, and line items
priced from them say so (`basis: usage`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ..files import read_yaml
from ..problems import UserError, did_you_mean, validation_lines


class UsageError(UserError, ValueError):
    """The usage file is unreadable or invalid; the message names every problem."""


class _Strict(BaseModel):
    """Unknown keys are errors; numbers are numbers (no "2", no true) and finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Defaults(_Strict):
    expected_utilization: float | None = Field(
        None, ge=0, le=1, description="Node pools without expected_nodes: min + this share of (max - min).")
    spot_ratio: float | None = Field(None, gt=0, le=1, description="Spot estimate as a share of on-demand.")
    gke_free_tier: bool = Field(
        True, description="Apply GKE's free-tier credit ($74.40/month, one zonal or Autopilot cluster per billing "
                          "account) to a zonal or Autopilot cluster; false when the account's credit is used elsewhere.")
    sustained_use: bool = Field(
        True, description="Apply the automatic sustained-use discount of N1/N2 nodes running all month, as GCP bills.")
    estimate_date: dt.date | None = Field(
        None, strict=False, description="The day the estimate prices (EKS support windows); default today.")


class ResourceUsage(_Strict):
    expected_nodes: float | None = Field(None, ge=0)
    expected_utilization: float | None = Field(None, ge=0, le=1)
    storage_gb: float | None = Field(None, ge=0)
    monthly_data_processed_gb: float | None = Field(None, ge=0)
    monthly_data_ingested_gb: float | None = Field(None, ge=0)
    monthly_inter_zone_gb: float | None = Field(None, ge=0)
    monthly_samples_ingested_millions: float | None = Field(None, ge=0)
    ocus: float | None = Field(None, ge=0)
    max_ocus: float | None = Field(None, ge=0)
    hours_per_week: float | None = Field(None, ge=0, le=168)

    def given(self) -> set[str]:
        return {k for k, v in self.model_dump().items() if v is not None}


class Usage(_Strict):
    version: Literal[1] = 1
    defaults: Defaults = Field(default_factory=Defaults)
    resources: dict[str, ResourceUsage] = Field(default_factory=dict)
    _origin: str = PrivateAttr("usage")

    def for_resource(self, urn: str, name: str) -> ResourceUsage | None:
        return self.resources.get(urn) or self.resources.get(name)

    def check_against(self, resources: list[tuple[str, str, str]], *,
                      fields_by_type: Mapping[str, frozenset[str]]) -> None:
        """Every key names a resource of the plan, and every field applies to its type. `resources`: (urn, name, type).

        `fields_by_type`: the usage fields the pricer of each type reads (the estimator's `USAGE_FIELDS`).
        """
        by_key: dict[str, list[str]] = {}
        for urn, name, type_ in resources:
            by_key.setdefault(urn, []).append(type_)
            by_key.setdefault(name, []).append(type_)
        problems = []
        origin = self._origin
        for key, usage in self.resources.items():
            types = by_key.get(key)
            if not types:
                hint = did_you_mean(key, [name for _, name, _ in resources])
                problems.append(f"{origin}: resources.{key}: no resource with this name or URN in the plan{hint}")
                continue
            allowed = frozenset().union(*(fields_by_type.get(t, frozenset()) for t in types))
            for name in sorted(usage.given() - allowed):
                what = ", ".join(sorted(set(types)))
                problems.append(f"{origin}: resources.{key}.{name}: does not apply to {what}"
                                + (f" (takes {', '.join(sorted(allowed))})" if allowed else " (takes no usage)"))
        if problems:
            raise UsageError("\n".join(problems))


def parse_usage(raw: Any, origin: str = "usage") -> Usage:
    if raw is None:
        raw = {}
    try:
        usage = Usage.model_validate(raw)
    except ValidationError as exc:
        raise UsageError("\n".join(validation_lines(exc, origin))) from None
    usage._origin = origin
    return usage


def load_usage(path: str | Path) -> Usage:
    path = Path(path)
    return parse_usage(read_yaml(path, "usage", UsageError), str(path))
