"""`aiplatform check`: the guardrails evaluated on an offline plan through pulumi_policy's analyzer.

The pack's rules run inside `pulumi_policy`'s own analyzer servicer — the code
the Pulumi CLI talks to during `pulumi preview --policy-pack` — configured with
the same resolved policy config, so verdicts match a real preview. One
difference is for speed only: the servicer deserializes a resource's props once
per policy in the pack, so each resource is sent to a servicer holding just the
policies that apply to its type, and each stack policy gets just the resource
types it reads. A test proves the findings equal those of the whole pack served
over gRPC.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from google.protobuf import empty_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from .._version import __version__
from ..guardrails import PACK_NAME, rules
from ..guardrails.rules.budget import RULE as BUDGET_RULE
from ..shape.plan import Plan
from .analyzer import (
    ENFORCEMENT,
    InProcess,
    PlanMessages,
    RawDiagnostic,
    RawNotApplicable,
    ResolvedPolicy,
    analyze_request,
    analyze_stack_request,
    collect,
    configure_request,
    resolve_policy_config,
    stack_configure_request,
)
from .findings import CheckReport, RuleSummary, findings_from
from .shared import DecodeCache, SharedDecodeServicer


class _Servicers:
    """pulumi_policy analyzer servicers for subsets of the pack, configured alike, made on demand."""

    def __init__(self, policies: Mapping[str, Any], resolved: Mapping[str, ResolvedPolicy], plan: Plan) -> None:
        cache = DecodeCache()  # one decode per resource, shared by every servicer and policy
        self._make = lambda chosen: SharedDecodeServicer(
            PACK_NAME, __version__, chosen, EnforcementLevel.ADVISORY, cache=cache)
        self._policies, self._resolved, self._plan = policies, resolved, plan
        self._cache: dict[tuple[str, ...], InProcess] = {}

    def get(self, names: tuple[str, ...]) -> InProcess:
        service = self._cache.get(names)
        if service is None:
            service = InProcess(self._make([self._policies[n] for n in names]))
            service.Configure(configure_request({n: self._resolved[n] for n in names}))
            service.ConfigureStack(stack_configure_request(self._plan))
            self._cache[names] = service
        return service


def check_plan(plan: Plan, user_config: Mapping[str, Any] | None = None, *, origin: str = "policy config",
               today: dt.date | None = None) -> CheckReport:
    """Evaluate every guardrail on a plan. Raises `PolicyConfigError` for a bad policy config."""
    with _collector_paused():
        return _check_plan(plan, user_config, origin, today)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while the plan is checked, as it was before after.

    The check allocates a few objects per policy and resource (requests, proxies, copies of the
    props), freed by reference counting as it goes; the collector, triggered by the count of
    allocations, rescanned everything alive (the plan itself included) hundreds of times, three of
    them full passes: a tenth of the check's time at 10,000 resources. Whatever cyclic garbage the
    check leaves is collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_plan(plan: Plan, user_config: Mapping[str, Any] | None, origin: str,
                today: dt.date | None) -> CheckReport:
    started = time.perf_counter()
    today = today or dt.date.today()  # read once, not by every rule for every resource
    all_rules = rules()
    policies = {r.name: r.policy(today) for r in all_rules}
    full = InProcess(_PolicyAnalyzerServicer(PACK_NAME, __version__, list(policies.values()),
                                             EnforcementLevel.ADVISORY))
    resolved = resolve_policy_config(full.GetAnalyzerInfo(empty_pb2.Empty()), user_config or {}, origin)
    enabled = [r for r in all_rules if resolved[r.name].enforcement != "disabled"]
    servicers = _Servicers(policies, resolved, plan)

    diagnostics: list[RawDiagnostic] = []
    not_applicable: list[RawNotApplicable] = []
    checked: list[tuple[str, str | None]] = []
    messages = PlanMessages(plan)  # each resource's props and each provider built once
    resource_rules = [r for r in enabled if r.kind == "resource"]
    applicable: dict[str, tuple[tuple[str, ...], Any]] = {}  # type -> its rules, and their servicer's Analyze
    for resource in plan.resources:
        entry = applicable.get(resource.type)
        if entry is None:
            names = tuple(r.name for r in resource_rules if r.applies_to(resource.type))
            entry = applicable[resource.type] = (names, servicers.get(names).Analyze if names else None)
        names, analyze = entry
        if not names:
            continue
        checked.extend((name, resource.urn) for name in names)
        response = analyze(analyze_request(resource, messages))
        collect(response, resource.urn, diagnostics, not_applicable)
    for stack_rule in (r for r in enabled if r.kind == "stack"):
        checked.append((stack_rule.name, None))
        if stack_rule.name == BUDGET_RULE and resolved[BUDGET_RULE].properties.get("monthlyUsd") is None:
            continue  # without a budget the rule returns at once: no request (it would encode every resource)
        response = servicers.get((stack_rule.name,)).AnalyzeStack(
            analyze_stack_request(plan, stack_rule.types, messages))
        collect(response, None, diagnostics, not_applicable)

    severities = {r.name: r.severity.value for r in all_rules}
    levels = {name: policy.enforcement for name, policy in resolved.items()}
    findings = findings_from(diagnostics, not_applicable, plan, severities, levels)
    summaries = [RuleSummary(r.name, r.description, r.severity.value, levels[r.name], r.remediation, r.url,
                             r.all_tags, r.kind) for r in all_rules]
    report = CheckReport(project=plan.project, stack=plan.stack, mode=plan.mode, findings=findings, rules=summaries,
                         checked=checked, resources=plan.resources, seconds=time.perf_counter() - started)
    _add_cost_summary(report, plan, resolved)
    return report


def _add_cost_summary(report: CheckReport, plan: Plan, resolved: Mapping[str, ResolvedPolicy]) -> None:
    """With a budget configured, the reports carry the estimate: a Markdown section and `cost` in JSON."""
    policy = resolved.get(BUDGET_RULE)
    if policy is None or policy.enforcement == "disabled" or policy.properties.get("monthlyUsd") is None:
        return
    from ..cost.plan import estimate_plan  # the estimator and its price tables: only with a budget
    from ..cost.render import estimate_markdown, usd

    estimate = estimate_plan(plan, region=policy.properties.get("region"))
    budget, basis = float(policy.properties["monthlyUsd"]), policy.properties.get("basis", "expected")
    report.extra["cost"] = {"budget": budget, "basis": basis, "totals": estimate.totals.to_dict()}
    verdict = "within" if estimate.totals.get(basis) <= budget else "over"
    report.extra["markdown_sections"] = [
        *report.extra.get("markdown_sections", []),
        f"**Budget**: {usd(budget)} per month ({basis}); the estimate is {usd(estimate.totals.get(basis))}, "
        f"{verdict} budget.", "", estimate_markdown(estimate)]


def with_stack_budget(user_config: Mapping[str, Any], platform: Mapping[str, Any]) -> dict[str, Any]:
    """The policy config with the stack's `budget` (of its raw `aiplatform:platform` value) filled into
    aip-cost-monthly-budget, unless the policy config already sets `monthlyUsd` there."""
    budget = platform.get("budget")
    if not isinstance(budget, dict) or "monthly_usd" not in budget:
        return dict(user_config)
    entry = user_config.get(BUDGET_RULE)
    if entry is not None and not isinstance(entry, str | dict):
        return dict(user_config)  # not a policy entry: resolving the policy config names the problem
    entry = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry or {})
    if entry.get("monthlyUsd") is None:
        entry["monthlyUsd"] = budget["monthly_usd"]
        entry.setdefault("basis", budget.get("basis", "expected"))
    return {**user_config, BUDGET_RULE: entry}


__all__ = ["ENFORCEMENT", "check_plan", "with_stack_budget"]
