"""`platform.teams[]` and `platform.budget`: product teams, their quotas, and the stack's budget."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..labels import QUANTITY_PATTERN
from ..problems import raise_problems
from . import defaults as d
from ._common import Strict, name_check
from .clouds.aws import ROLE_ARN


class BudgetConfig(Strict):
    """A monthly budget the `aip-cost-monthly-budget` guardrail holds the stack's estimate to."""

    monthly_usd: float = Field(gt=0, description="The budget in USD per month (730 hours).")
    basis: Literal["expected", "peak"] = Field(
        "expected",
        description="Which estimate must fit: expected (desired sizes or the usage file) or peak (every pool at max).",
    )


PLATFORM_NAMESPACES = d.PLATFORM_NAMESPACES


class TeamConfig(Strict):
    """A product team: its namespace, GPU and resource quota, people, budget and accelerators."""

    name: str = Field(description="Team name; names its namespace, role and registry prefix teams/<name>/.")
    gpus: int = Field(ge=0, le=4096, description="Accelerators the team's pods may request at once (the quota): "
                                                 "its Kueue ClusterQueue's nominal quota.")
    borrowing_limit: int = Field(
        0, ge=0, le=4096,
        description="Accelerators the team's queued jobs may borrow from other teams' idle nominal quota in the "
                    "platform's cohort (Kueue); its namespace quota becomes gpus + borrowing_limit. Default: 0.",
    )
    lending_limit: int | None = Field(
        None, ge=0, le=4096,
        description="Accelerators of the team's nominal quota other teams may borrow while idle (at most gpus); "
                    "default: all of it.",
    )
    cpu: str = Field(d.TEAM_CPU, pattern=QUANTITY_PATTERN, description="CPU requests the namespace may hold.")
    memory: str = Field(d.TEAM_MEMORY, pattern=QUANTITY_PATTERN, description="Memory the namespace may request.")
    pods: int = Field(d.TEAM_PODS, ge=1, le=10000, description="Pods the namespace may hold.")
    persistent_volume_claims: int = Field(d.TEAM_PERSISTENT_VOLUME_CLAIMS, ge=0, le=1000, description="Volume claims the namespace may hold.")
    storage: str = Field(d.TEAM_STORAGE, pattern=QUANTITY_PATTERN, description="Storage the namespace's claims may request.")
    members_group: str = Field(min_length=1, max_length=256, description="Kubernetes group of the team's people.")
    member_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles mapped to members_group by EKS access entries; default: none (map it in your IdP).",
    )
    monthly_budget_usd: float | None = Field(
        None, ge=0, description="Monthly budget of the team's GPUs at its quota (rule aip-cost-team-budget).",
    )
    accelerators: list[str] = Field(
        default_factory=list, description="Accelerator models the team may use, e.g. [L4]; default: any pool's.",
    )
    cost_center: str | None = Field(None, description="The team's cost center label; default: the platform's.")

    CHECKS = (("the lending limit", "_lending"),)

    def _lending(self, _: object) -> list[tuple[str, str]]:
        if self.lending_limit is not None and self.lending_limit > self.gpus:
            return [("lending_limit", f"must be <= gpus ({self.lending_limit} > {self.gpus}): a team lends only "
                                      "its own nominal quota")]
        return []

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return name_check(v, 40)

    @field_validator("members_group")
    @classmethod
    def _group(cls, v: str) -> str:
        if v.startswith("system:"):
            raise ValueError(f"{v!r}: groups starting with 'system:' are Kubernetes' own (system:masters bypasses "
                             "all RBAC); name the team's group")
        return v

    @field_validator("member_role_arns")
    @classmethod
    def _arns(cls, arns: list[str]) -> list[str]:
        raise_problems([(f"[{i}]", f"not an IAM role ARN: {a!r}") for i, a in enumerate(arns) if not ROLE_ARN.match(a)])
        return arns

    @property
    def namespace(self) -> str:
        return self.name
