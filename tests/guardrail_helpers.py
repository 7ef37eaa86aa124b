"""Hand-made plans for guardrail tests: resources with engine-shaped props, checked through the analyzer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiplatform.check.findings import CheckReport
from aiplatform.check.runner import check_plan
from aiplatform.shape.plan import Plan, PlannedResource

PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:aws::aws"
TAGS = {"team": "ml", "cost-center": "cc-1", "environment": "dev"}
PROD_TAGS = {**TAGS, "environment": "prod"}


def resource(type_: str, name: str, inputs: dict[str, Any], *, deps: dict[str, list[str]] | None = None,
             provider: str | None = PROVIDER_URN) -> PlannedResource:
    return PlannedResource(
        urn=f"urn:pulumi:dev::p::{type_}::{name}", type=type_, name=name, custom=True, parent=None,
        provider=provider if type_.startswith("aws:") else None, protect=False, dependencies=[], inputs=inputs,
        property_dependencies=deps or {},
    )


def plan_of(*resources: PlannedResource, region: str = "us-east-1") -> Plan:
    provider = PlannedResource(urn=PROVIDER_URN, type="pulumi:providers:aws", name="aws", custom=True,
                               parent=None, provider=None, protect=False, dependencies=[],
                               inputs={"region": region})
    return Plan(project="p", stack="dev", mode="preview", resources=[provider, *resources], outputs={})


def check(*resources: PlannedResource, config: dict[str, Any] | None = None, region: str = "us-east-1",
          today: dt.date | None = None) -> CheckReport:
    return check_plan(plan_of(*resources, region=region), config or {}, today=today)


def rules_hit(report: CheckReport, status: str = "violation") -> set[str]:
    return {f.rule for f in report.findings if f.status == status}
