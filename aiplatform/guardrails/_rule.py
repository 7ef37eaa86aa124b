"""A guardrail: a pure check with an identity, turned into a `pulumi_policy` policy.

Write a check as a function of engine-shaped props and register it with
`resource_rule` or `stack_rule`; the rule's metadata (stable name, severity,
remediation, docs anchor, tags, config schema with defaults) travels with it
into the policy pack, the offline runner, the reports and `docs/guardrails.md`.
A new rule goes into the module of its area in `rules/` (modules there are
discovered), with a test; framework tags come from `frameworks.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..shape.resource import Resource
from ._props import plain
from ._suppress import SUPPRESS_KEY, UNSUPPRESSIBLE_PREFIX, Suppression, parse_suppressions, suppression_value

DOCS_URL = "https://github.com/aiplatform-dev/aiplatform/blob/main/docs/guardrails.md"
NAME_RE = re.compile(r"^aip-[a-z0-9]+(-[a-z0-9]+)+$")
#: How a suppressed finding is handed back through the analyzer protocol: as the
#: reason of a "not applicable" result, one line per suppressed resource.
SUPPRESSED_PREFIX = f"suppressed by {SUPPRESS_KEY} on "
REASON_SEP = " | reason: "

Area = Literal["cost", "security", "compliance", "kubernetes", "naming", "observability", "serving", "meta"]
RULES: dict[str, Rule] = {}


#: The config property every environment-aware rule takes.
PRODUCTION_ENVIRONMENTS = {
    "productionEnvironments": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["prod", "production"],
        "description": "Values of the `environment` tag that mean production.",
    }
}

ResourceCheck = Callable[[Resource, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[list[Resource], Mapping[str, Any]], Iterable[tuple[str | None, str]]]


@dataclass(frozen=True)
class Rule:
    name: str
    area: Area
    severity: Severity
    description: str
    why: str
    remediation: str
    check: Callable[..., Iterable[Any]]
    kind: Literal["resource", "stack"] = "resource"
    #: Resource rules: the types checked (None: all). Stack rules: the only types the check reads.
    types: frozenset[str] | None = None
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    frameworks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: The check takes today's date as a third argument (expiry judgements).
    dated: bool = False

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.name}"

    @property
    def enforcement(self) -> EnforcementLevel:
        """Mandatory for high and critical, advisory otherwise."""
        if self.severity in (Severity.HIGH, Severity.CRITICAL):
            return EnforcementLevel.MANDATORY
        return EnforcementLevel.ADVISORY

    @property
    def defaults(self) -> dict[str, Any]:
        return dict(self._defaults)

    @cached_property
    def _defaults(self) -> dict[str, Any]:
        # Read once per rule, not once per policy call: `settings` copies it (the values are the
        # schema's own objects either way, as they were when this was rebuilt on every call).
        return {k: v["default"] for k, v in self.config.items() if "default" in v}

    def settings(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The defaults overlaid with what the pack was configured with."""
        merged = dict(self._defaults)
        if given:
            merged.update(given if "enforcementLevel" not in given else
                          {k: v for k, v in given.items() if k != "enforcementLevel"})
        return merged

    def applies_to(self, resource_type: str) -> bool:
        return self.types is None or resource_type in self.types

    @property
    def all_tags(self) -> list[str]:
        return [self.area, *self.tags, *self.frameworks]

    def policy(self, today: dt.date | None = None) -> Policy:
        """This rule as a `pulumi_policy` policy (what the pack and the offline runner run)."""
        common = dict(
            name=self.name,
            description=self.description,
            enforcement_level=self.enforcement,
            config_schema=PolicyConfigSchema(properties={k: dict(v) for k, v in self.config.items()}),
            severity=self.severity,
            tags=self.all_tags,
            remediation_steps=self.remediation,
            url=self.url,
        )
        if self.kind == "resource":
            return ResourceValidationPolicy(validate=self._validate_resource(today), **common)
        return StackValidationPolicy(validate=self._validate_stack(today), **common)

    # ---- the analyzer-facing wrappers --------------------------------------------------

    def _validate_resource(self, today: dt.date | None) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if self.types is not None and args.resource_type not in self.types:
                return
            provider = args.provider
            resource = _RuleResource(args.resource_type, args.urn, args.name, plain(args.props),
                                     provider.resource_type if provider else None, provider=provider)
            day = today or dt.date.today()
            settings = self.settings(args.get_config())
            messages = list(self.check(resource, settings, day) if self.dated else self.check(resource, settings))
            _report(self.name, [(resource, m) for m in messages], report, args.not_applicable, day)

        return validate

    def _validate_stack(self, today: dt.date | None) -> Callable[[StackValidationArgs, ReportViolation], None]:
        def validate(args: StackValidationArgs, report: ReportViolation) -> None:
            resources = [
                _RuleResource(
                    type=r.resource_type, urn=r.urn, name=r.name, props=plain(r.props),
                    provider_type=r.provider.resource_type if r.provider else None, provider=r.provider,
                    parent=r.parent.urn if r.parent else r.opts.parent,
                    property_dependencies={k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
                )
                for r in args.resources
            ]
            index = {r.urn: r for r in resources}
            found = [(index.get(urn) if urn else None, message)
                     for urn, message in self.check(resources, self.settings(args.get_config()))]
            _report(self.name, found, report, args.not_applicable, today or dt.date.today(), stack=True)

        return validate


_UNREAD: Any = object()


class _RuleResource(Resource):
    """The `Resource` a rule gets: `provider_props`, its own plain copy of the provider's props, is
    made when first read (few rules read it; copying it for every policy and resource was about a
    tenth of `aiplatform check`). Each instance still makes its own copy, so a rule that changes
    it changes only its own."""

    def __init__(self, type: str, urn: str, name: str, props: dict[str, Any],
                 provider_type: str | None = None, provider_props: Any = _UNREAD, parent: str | None = None,
                 property_dependencies: dict[str, list[str]] | None = None, *, provider: Any = None) -> None:
        # Resource's fields set directly (its dataclass __init__ through *args and a property setter
        # cost twice as much, once per policy and resource); a test checks they are all of them.
        fields = self.__dict__
        fields["type"], fields["urn"], fields["name"], fields["props"] = type, urn, name, props
        fields["provider_type"], fields["_provider_props"], fields["_provider"] = provider_type, provider_props, provider
        fields["parent"] = parent
        fields["property_dependencies"] = {} if property_dependencies is None else property_dependencies

    @property  # type: ignore[override]
    def provider_props(self) -> dict[str, Any] | None:
        value = self.__dict__["_provider_props"]
        if value is _UNREAD:
            provider = self._provider
            value = self.__dict__["_provider_props"] = plain(provider.props) if provider is not None else None
        return value

    @provider_props.setter
    def provider_props(self, value: dict[str, Any] | None) -> None:
        self.__dict__["_provider_props"] = value


def _report(rule: str, found: list[tuple[Resource | None, str]], report: ReportViolation,
            not_applicable: Callable[[str], None], today: dt.date, stack: bool = False) -> None:
    """Report what is not suppressed; hand back what is suppressed as one not-applicable reason."""
    suppressed: list[str] = []
    for resource, message in found:
        entry = None if rule.startswith(UNSUPPRESSIBLE_PREFIX) else _suppression(resource, rule)
        urn = resource.urn if (stack and resource is not None) else None
        if entry is None:
            report(message, urn)
        elif entry.expired(today):
            report(f"{message} (suppression expired on {entry.until}: {entry.reason})", urn)
        else:
            line = f"{SUPPRESSED_PREFIX}{resource.urn}: {message}{REASON_SEP}{entry.describe()}"  # type: ignore[union-attr]
            if line not in suppressed:
                suppressed.append(line)
    if suppressed:
        not_applicable("\n".join(suppressed))


def _suppression(resource: Resource | None, rule: str) -> Suppression | None:
    if resource is None:
        return None
    value = suppression_value(resource.props)
    if value is None:
        return None
    return parse_suppressions(value).for_rule(rule)


def parse_suppressed_reason(reason: str) -> list[tuple[str, str, str]]:
    """(urn, finding message, suppression reason) from a not-applicable reason written by `_report`."""
    out = []
    for line in reason.splitlines():
        if line.startswith(SUPPRESSED_PREFIX):
            urn, _, rest = line[len(SUPPRESSED_PREFIX):].partition(": ")
            message, _, why = rest.rpartition(REASON_SEP)
            out.append((urn, message, why))
    return out


def _register(rule: Rule) -> Rule:
    if not NAME_RE.match(rule.name):
        raise ValueError(f"rule name {rule.name!r} must look like aip-<area>-<what>")
    if not rule.name.startswith(f"aip-{rule.area}-"):
        raise ValueError(f"rule {rule.name!r} must start with aip-{rule.area}-")
    if rule.name in RULES:
        raise ValueError(f"rule {rule.name!r} is defined twice")
    for key, schema in rule.config.items():
        if "default" not in schema or "description" not in schema:
            raise ValueError(f"rule {rule.name!r}: config {key!r} needs a default and a description")
    RULES[rule.name] = rule
    return rule


def resource_rule(name: str, *, area: Area, severity: Severity, description: str, why: str, remediation: str,
                  types: Iterable[str] | None = None, config: Mapping[str, Mapping[str, Any]] | None = None,
                  frameworks: Iterable[str] = (), tags: Iterable[str] = (),
                  dated: bool = False) -> Callable[[ResourceCheck], Rule]:
    """Register `check(resource, config) -> messages` as a resource rule (`dated`: `check(resource, config, today)`)."""

    def decorate(check: ResourceCheck) -> Rule:
        return _register(Rule(
            name=name, area=area, severity=severity, description=description, why=why, remediation=remediation,
            check=check, kind="resource", types=frozenset(types) if types is not None else None,
            config=dict(config or {}), frameworks=tuple(frameworks), tags=tuple(tags), dated=dated,
        ))

    return decorate


def stack_rule(name: str, *, area: Area, severity: Severity, description: str, why: str, remediation: str,
               reads: Iterable[str] | None = None, config: Mapping[str, Mapping[str, Any]] | None = None,
               frameworks: Iterable[str] = (), tags: Iterable[str] = ()) -> Callable[[StackCheck], Rule]:
    """Register `check(resources, config) -> (urn or None, message)` pairs as a stack rule.

    `reads` names the only resource types the check looks at; the offline runner
    then sends it just those (the real pack sends everything, the check filters).
    """

    def decorate(check: StackCheck) -> Rule:
        return _register(Rule(
            name=name, area=area, severity=severity, description=description, why=why, remediation=remediation,
            check=check, kind="stack", types=frozenset(reads) if reads is not None else None,
            config=dict(config or {}), frameworks=tuple(frameworks), tags=tuple(tags),
        ))

    return decorate
