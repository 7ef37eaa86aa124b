"""Data safety against a baseline: `aiplatform check --baseline PLAN.json` compares the plan with the plan of
the base branch and blocks what would lose data.

Two mandatory rules, not in the policy pack (a pack rule sees one preview; these compare two plans):

- `aip-safety-protection-removed`: a resource that was protected loses it — Pulumi `protect`,
  `retainOnDelete`, `deletionProtection` on, a force-delete flag off, or a `Retain` reclaim policy.
- `aip-safety-stateful-replaced`: a stateful resource (a bucket, key, registry, collection, cluster, log
  group — or anything the baseline protects or retains) leaves the plan, or its physical name changes.

A resource renamed with an alias (`aliases`) is the same resource: its old URN is matched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cost.plan import BaselineError, parse_plan
from ..files import read_json
from ..guardrails._rule import DOCS_URL
from ..shape import types as t
from ..shape.plan import Plan, PlannedResource
from ..shape.props import MISSING, get, is_unknown, reveal
from .findings import CheckReport, Finding, RuleSummary, source_of

PROTECTION_REMOVED = "aip-safety-protection-removed"
STATEFUL_REPLACED = "aip-safety-stateful-replaced"

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
PERSISTENT_VOLUME = "kubernetes:core/v1:PersistentVolume"
PERSISTENT_VOLUME_CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"

#: Resource types that hold data or identity, and the inputs that make their physical name (a change of any is a
#: replacement: the old one is deleted). Any other type is stateful when the baseline protects or retains it.
STATEFUL: dict[str, tuple[str, ...]] = {
    t.S3_BUCKET: ("bucket", "bucketPrefix"),
    t.S3_BUCKET_V2: ("bucket", "bucketPrefix"),
    t.ECR_REPOSITORY: ("name",),
    t.EBS_VOLUME: (),
    "aws:kms/key:Key": (),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": ("modelPackageGroupName",),
    "aws:opensearch/serverlessCollection:ServerlessCollection": ("name",),
    "aws:cloudwatch/logGroup:LogGroup": ("name",),
    t.EKS_CLUSTER: ("name",),
    t.GCS_BUCKET: ("name",),
    t.ARTIFACT_REPOSITORY: ("repositoryId", "location"),
    "gcp:kms/keyRing:KeyRing": ("name", "location"),
    t.KMS_CRYPTO_KEY: ("name", "keyRing"),
    t.GKE_CLUSTER: ("name", "location"),
    PERSISTENT_VOLUME: ("metadata.name",),
    PERSISTENT_VOLUME_CLAIM: ("metadata.name", "metadata.namespace"),
}
#: Physical names of types that are stateful only where the baseline protects them.
NAMES: dict[str, tuple[str, ...]] = {
    t.NAMESPACE: ("metadata.name",),
    t.HELM_RELEASE: ("name", "namespace"),
    "aws:iam/role:Role": ("name", "namePrefix"),
    "gcp:serviceaccount/account:Account": ("accountId",),
    "kubernetes:core/v1:ServiceAccount": ("metadata.name", "metadata.namespace"),
    **STATEFUL,
}
#: Deletion protection the provider turns on when the input is not set.
DELETION_PROTECTION_DEFAULT_ON = frozenset({t.GKE_CLUSTER})
#: Inputs that, set true, let a delete take the data with it.
FORCE_FLAGS = ("forceDestroy", "forceDelete")
#: Where a type keeps its reclaim policy.
RECLAIM_POLICY = {STORAGE_CLASS: "reclaimPolicy", PERSISTENT_VOLUME: "spec.persistentVolumeReclaimPolicy"}


PROTECT_LOST = "`protect` (true -> false)"


@dataclass(frozen=True)
class BaselineRule:
    name: str
    description: str
    why: str
    remediation: str
    severity: str = "critical"
    enforcement: str = "mandatory"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.name}"

    def summary(self) -> RuleSummary:
        return RuleSummary(self.name, self.description, self.severity, self.enforcement, self.remediation, self.url,
                           ["data-safety"], "baseline")


RULES = (
    BaselineRule(
        PROTECTION_REMOVED,
        "A resource protected in the baseline stays protected: `protect`, `retainOnDelete`, deletion protection, "
        "no force-delete, a `Retain` reclaim policy.",
        "One line (`environment: prod` to `staging`, a dropped option) silently turns off every protection of "
        "the stateful resources; the next refactor or `pulumi destroy` then deletes the data.",
        "Keep the protection (in prod it follows from `environment: prod`). To drop it on purpose, do it in a "
        "pull request of its own, reviewed as a data-loss change, without `--baseline`.",
    ),
    BaselineRule(
        STATEFUL_REPLACED,
        "A stateful resource of the baseline (bucket, key, registry, collection, cluster, audit log group, or any "
        "resource it protects) stays in the plan under the same URN and physical name.",
        "A changed URN or physical name is a delete and a create in `pulumi up`: the bucket, key or collection "
        "and what it holds are gone, and every stack that references it breaks.",
        "Keep the resource's name; a rename of the Pulumi resource ships with an alias (`aliases`) to its old "
        "name. A deliberate removal is a pull request of its own, reviewed as a data-loss change.",
    ),
)


def load_baseline(path: str | Path, plan: Plan | None = None) -> Plan:
    """The plan in a `--baseline` file (`aiplatform plan --format json`); `BaselineError` if it is not one, or
    (with `plan`) is of another project or stack."""
    baseline = parse_plan(read_json(path, "baseline", BaselineError), str(path), BaselineError)
    if plan is not None:
        check_same_stack(baseline, plan, str(path))
    return baseline


def check_same_stack(baseline: Plan, plan: Plan, origin: str = "baseline") -> None:
    if (baseline.project, baseline.stack) != (plan.project, plan.stack):
        raise BaselineError(f"{origin}: a plan of {baseline.project}/{baseline.stack}, not of "
                            f"{plan.project}/{plan.stack} (plan the base branch of the same stack)")


def alias_urns(resource: PlannedResource, index: Mapping[str, PlannedResource]) -> list[str]:
    """The URNs `resource`'s aliases name (a URN, or a spec of name/type/parent, each defaulting to its own)."""
    out: list[str] = []
    parts = resource.urn.split("::")
    stack = parts[0].split(":", 2)[-1]
    project = parts[1] if len(parts) > 1 else ""
    for alias in resource.aliases:
        if isinstance(alias, str):
            out.append(alias)
            continue
        if not isinstance(alias, dict):
            continue
        if isinstance(alias.get("urn"), str):
            out.append(alias["urn"])
            continue
        spec = alias.get("spec") if isinstance(alias.get("spec"), dict) else alias
        type_ = spec.get("type") or resource.type
        parent = None if spec.get("noParent") else (spec.get("parentUrn") or resource.parent)
        qualified = type_
        if parent and parent in index and index[parent].type != "pulumi:pulumi:Stack":
            qualified = f"{parent.split('::')[2]}${type_}"
        out.append(f"urn:pulumi:{spec.get('stack') or stack}::{spec.get('project') or project}::{qualified}::"
                   f"{spec.get('name') or resource.name}")
    return out


def _value(resource: PlannedResource, path: str) -> Any:
    return get(reveal(resource.inputs), path)


def _shown(value: Any) -> str:
    return "not set" if value is MISSING or value is None else json.dumps(value)


def lost_protections(before: PlannedResource, after: PlannedResource) -> list[str]:
    """What `after` no longer has of `before`'s protection, each as `what (before -> after)`."""
    lost: list[str] = []
    if before.protect and not after.protect:
        lost.append(PROTECT_LOST)
    if before.retain_on_delete and not after.retain_on_delete:
        lost.append("`retainOnDelete` (true -> false)")
    default_on = after.type in DELETION_PROTECTION_DEFAULT_ON
    was, now = _value(before, "deletionProtection"), _value(after, "deletionProtection")
    if (was is True or (was is MISSING and default_on)) and not is_unknown(now) and not (
            now is True or (now is MISSING and default_on)):
        lost.append(f"deletion protection (`deletionProtection` {_shown(was)} -> {_shown(now)})")
    for flag in FORCE_FLAGS:
        was, now = _value(before, flag), _value(after, flag)
        if was is not True and now is True:
            lost.append(f"`{flag}` ({_shown(was)} -> true: a delete takes everything in it)")
    path = RECLAIM_POLICY.get(before.type)
    if path is not None and after.type == before.type:
        was, now = _value(before, path), _value(after, path)
        if was == "Retain" and not is_unknown(now) and now != "Retain":
            lost.append(f"reclaim policy `Retain` (-> {_shown(now) if now is not MISSING else 'Delete'}: deleting a "
                        f"claim deletes its volume)")
    return lost


def is_protected(resource: PlannedResource) -> bool:
    """Whether a baseline resource has any protection the rules watch."""
    protection = _value(resource, "deletionProtection")
    reclaim = RECLAIM_POLICY.get(resource.type)
    return (resource.protect or resource.retain_on_delete or protection is True
            or (protection is MISSING and resource.type in DELETION_PROTECTION_DEFAULT_ON)
            or any(_value(resource, flag) is False for flag in FORCE_FLAGS)
            or (reclaim is not None and _value(resource, reclaim) == "Retain"))


def is_stateful(resource: PlannedResource) -> bool:
    return resource.type in STATEFUL or resource.protect or resource.retain_on_delete


def renamed(before: PlannedResource, after: PlannedResource) -> list[str]:
    """The physical-name inputs that change, each as `field 'old' -> 'new'` (unknown values are not compared)."""
    changes: list[str] = []
    for path in NAMES.get(before.type, ()):
        was, now = _value(before, path), _value(after, path)
        if is_unknown(was) or is_unknown(now) or was == now:
            continue
        changes.append(f"`{path}` {_shown(was)} -> {_shown(now)}")
    return changes


@dataclass
class Comparison:
    findings: list[Finding]
    checked: list[tuple[str, str | None]]


def compare(baseline: Plan, plan: Plan) -> Comparison:
    """The findings of both rules for `plan` against `baseline` (the plan of the base branch)."""
    index = plan.by_urn()
    matched: dict[str, PlannedResource] = dict(index)
    for resource in plan.resources:
        for urn in alias_urns(resource, index):
            matched.setdefault(urn, resource)
    findings: list[Finding] = []
    checked: list[tuple[str, str | None]] = []
    severity = {r.name: r for r in RULES}

    def finding(rule: str, resource: PlannedResource, urn: str, message: str, current: PlannedResource | None) -> None:
        spec = severity[rule]
        findings.append(Finding(rule=rule, severity=spec.severity, enforcement=spec.enforcement, status="violation",
                                urn=urn, type=resource.type, name=resource.name, message=message,
                                source=source_of(current, index)))

    losses: dict[str, list[str]] = {}
    for before in baseline.resources:
        after = matched.get(before.urn)
        if after is not None and is_protected(before):
            losses[after.urn] = lost_protections(before, after)
    # `protect` is inherited: a child that lost only what its parent lost is counted under the parent.
    inherited = {urn for urn, lost in losses.items()
                 if lost == [PROTECT_LOST] and losses.get(index[urn].parent or "", [None])[0] == PROTECT_LOST}
    for before in baseline.resources:
        if before.is_provider or before.type == "pulumi:pulumi:Stack":
            continue
        after = matched.get(before.urn)
        urn = after.urn if after is not None else before.urn
        if is_protected(before):
            checked.append((PROTECTION_REMOVED, urn))
            lost = losses.get(urn, [])
            if lost and after is not None and urn not in inherited:
                children = sum(1 for r in plan.descendants(urn) if r.urn in inherited)
                also = f" (and {children} child resource{'s' if children > 1 else ''} with it)" if children else ""
                finding(PROTECTION_REMOVED, after, urn, f"loses {', '.join(lost)} against the baseline{also}: a "
                        "`pulumi up` or destroy may then delete it and its data", after)
        if not is_stateful(before):
            continue
        checked.append((STATEFUL_REPLACED, urn))
        if after is None:
            finding(STATEFUL_REPLACED, before, before.urn, f"stateful {before.type} {before.name!r} of the baseline "
                    "is not in this plan: a `pulumi up` deletes it (a renamed resource needs an alias to its old "
                    "name)", None)
            continue
        moves = [f"type {before.type} -> {after.type}"] if after.type != before.type else renamed(before, after)
        if moves:
            finding(STATEFUL_REPLACED, after, urn, f"physical name changes ({'; '.join(moves)}): a `pulumi up` "
                    f"replaces it, deleting the old one and what it holds", after)
    return Comparison(findings, checked)


def with_baseline(report: CheckReport, baseline: Plan, plan: Plan, origin: str = "baseline") -> CheckReport:
    """`report` with both rules' findings, summaries and checks added (every report format shows them);
    `BaselineError` when `baseline` is a plan of another stack."""
    check_same_stack(baseline, plan, origin)
    result = compare(baseline, plan)
    report.findings = sorted([*report.findings, *result.findings], key=Finding.sort_key)
    report.rules = [*report.rules, *(r.summary() for r in RULES)]
    report.checked = [*report.checked, *result.checked]
    return report


def baseline_markdown() -> str:
    """The docs/guardrails.md section of the baseline rules (appended by `python tools/reference.py --root .`)."""
    lines = [
        "## Data safety (`--baseline`)",
        "",
        "`aiplatform check --baseline BASE.json` compares the plan with the plan of the base branch",
        "(`aiplatform plan --format json` of the same stack, run on the base branch) and adds two rules that",
        "no single preview can judge. Both are mandatory and critical: a finding makes `check` exit 1 and is",
        "listed in every report format (text, JSON, SARIF, JUnit, the pull-request Markdown). They take no",
        "suppression: a deliberate removal or unprotection is a pull request of its own, reviewed as a",
        "data-loss change and checked without `--baseline` (`examples/ci/guardrails.yml` plans the base branch",
        "with its own code and skips the baseline on a pull request labelled `data-loss-approved`). A missing",
        "or invalid baseline file, or one of another stack, is exit 2. A resource renamed with an alias is",
        "matched under its old URN.",
        "",
        "```sh",
        "git worktree add ../base origin/main",
        "(cd ../base && PYTHONPATH=$PWD python -m aiplatform.cli plan --stack aws-prod --format json -o /tmp/base.json)",
        "aiplatform check --stack aws-prod --baseline /tmp/base.json",
        "```",
        "",
        "In `prod` (the config's `protect_stateful`) the platform protects its keys (retained on delete), buckets,",
        "registries and model package groups (retained), the vector collection (retained), the Qdrant release and",
        "namespace (the namespace retained: deleting it deletes the volumes' claims), the EKS and GKE clusters",
        "(with deletion protection), the EKS control-plane audit log group (retained), the team namespaces",
        "(retained) with the team identities, and the model registry's namespace and identities.",
        "",
    ]
    for rule in RULES:
        lines += [f'<a id="{rule.name}"></a>', f"### `{rule.name}`", "",
                  f"**{rule.severity}**, {rule.enforcement} · baseline rule · tags: `data-safety`", "",
                  rule.description, "", f"*Why:* {rule.why}", "", f"*Remediation:* {rule.remediation}", ""]
    lines += ["*Stateful types:* " + ", ".join(f"`{k}`" for k in sorted(STATEFUL)) + ".", ""]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["PROTECTION_REMOVED", "RULES", "STATEFUL", "STATEFUL_REPLACED", "BaselineError", "baseline_markdown",
           "compare", "load_baseline", "with_baseline"]
