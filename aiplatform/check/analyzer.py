"""Drive `pulumi_policy`'s analyzer exactly as the Pulumi CLI does, on an offline plan.

The CLI talks to a policy pack over the Analyzer gRPC service: it asks for the
pack's info, resolves the policy config (schema defaults, then the pack's
initial config, then the user's `--policy-pack-config` file, then JSON-schema
validation), calls `Configure` and `ConfigureStack`, `Analyze` for each resource
and `AnalyzeStack` once. This module does the same against any object with
those methods: the pack's servicer in-process (what `aiplatform check` uses) or
a gRPC stub connected to a running pack (what the tests compare it with).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from google.protobuf import empty_pb2, json_format, struct_pb2
from google.protobuf.internal.well_known_types import _SetStructValue
from pulumi.runtime.proto import analyzer_pb2

from ..files import read_json
from ..problems import UserError
from ..shape.plan import Plan, PlannedResource

ENFORCEMENT = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
ENFORCEMENT_NAME = {v: k for k, v in ENFORCEMENT.items()}
SEVERITY_NAME = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


class PolicyConfigError(UserError):
    """The policy config file is unreadable or does not match the policies' schemas (exit 2)."""


class AnalyzerService(Protocol):
    def GetAnalyzerInfo(self, request: Any) -> Any: ...  # noqa: N802 - gRPC method names
    def Configure(self, request: Any) -> Any: ...  # noqa: N802
    def ConfigureStack(self, request: Any) -> Any: ...  # noqa: N802
    def Analyze(self, request: Any) -> Any: ...  # noqa: N802
    def AnalyzeStack(self, request: Any) -> Any: ...  # noqa: N802


class InProcess:
    """A pack's servicer called directly (no gRPC transport), with the same requests and responses."""

    def __init__(self, servicer: Any) -> None:
        self._servicer = servicer

    def __getattr__(self, method: str) -> Callable[[Any], Any]:
        target = getattr(self._servicer, method)
        return lambda request: target(request, None)


# ---- policy config, resolved as the CLI resolves it ------------------------------------------


@dataclass
class ResolvedPolicy:
    enforcement: str
    properties: dict[str, Any] = field(default_factory=dict)


def load_policy_config(path: str | Path | None) -> dict[str, Any]:
    """Read a `--policy-pack-config` JSON file (or nothing)."""
    if path is None:
        return {}
    data = read_json(path, "policy config", PolicyConfigError)
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{path}: must be a JSON object of policy names (got {type(data).__name__})")
    return data


def resolve_policy_config(info: Any, user: Mapping[str, Any], origin: str = "policy config") -> dict[str, ResolvedPolicy]:
    """Per policy: enforcement level and properties after defaults, initial config and the user's file.

    Every problem (unknown policy, bad enforcement level, a property that does
    not match its schema, an unknown property) is collected and raised at once.
    The properties of a policy nothing was given for are its schema's defaults,
    which the rules' own tests validate: only the others are validated here.
    """
    resolved: dict[str, ResolvedPolicy] = {}
    schemas: dict[str, dict[str, Any]] = {}
    for policy in info.policies:
        properties = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = list(policy.configSchema.required) if policy.HasField("configSchema") else []
        schemas[policy.name] = {"type": "object", "properties": properties, "required": required,
                                "additionalProperties": False}
        defaults = {k: v["default"] for k, v in properties.items() if isinstance(v, dict) and "default" in v}
        resolved[policy.name] = ResolvedPolicy(ENFORCEMENT_NAME[policy.enforcementLevel], defaults)

    problems: list[str] = []
    given: set[str] = set()  # the policies the initial config or the user's file set something for

    def apply(name: str, value: Any, where: str) -> None:
        given.add(name)
        if isinstance(value, str):
            if value not in ENFORCEMENT:
                problems.append(f"{where}: enforcement level must be one of {', '.join(ENFORCEMENT)} (got {value!r})")
                return
            resolved[name].enforcement = value
            return
        if not isinstance(value, dict):
            problems.append(f"{where}: must be an enforcement level or an object (got {type(value).__name__})")
            return
        for key, item in value.items():
            if key == "enforcementLevel":
                apply(name, item, f"{where}.enforcementLevel")
            else:
                resolved[name].properties[key] = item

    for name, config in info.initialConfig.items():
        if name in resolved:
            # An unset level reads as ADVISORY (0): only a level given alone, or a non-default one, applies.
            value = json_format.MessageToDict(config.properties) if config.properties else {}
            if config.enforcementLevel != analyzer_pb2.ADVISORY or not value:
                value["enforcementLevel"] = ENFORCEMENT_NAME[config.enforcementLevel]
            apply(name, value, f"the pack's initial config: {name}")

    if "all" in user:
        value = user["all"]
        level = value.get("enforcementLevel") if isinstance(value, dict) else value
        if not isinstance(level, str) or level not in ENFORCEMENT:
            problems.append(f"{origin}: all: enforcement level must be one of {', '.join(ENFORCEMENT)} (got {level!r})")
        else:
            for policy in resolved.values():
                policy.enforcement = level
    for name, value in user.items():
        if name == "all":
            continue
        if name not in resolved:
            problems.append(f"{origin}: {name}: no such policy in pack {info.name}")
            continue
        apply(name, value, f"{origin}: {name}")

    if given:
        import jsonschema  # only for what the pack's initial config or the user's file set
    for name, policy in resolved.items():
        if name not in given:
            continue
        validator = jsonschema.Draft7Validator(schemas[name])
        for error in sorted(validator.iter_errors(policy.properties), key=lambda e: list(e.absolute_path)):
            path = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"{origin}: {name}{'.' + path if path else ''}: {error.message}")
    if problems:
        raise PolicyConfigError("\n".join(problems))
    return resolved


def configure_request(resolved: Mapping[str, ResolvedPolicy]) -> Any:
    """The `Configure` request, as the Go CLI builds it: every policy's `properties` is a Struct, empty
    when the policy has none (`@pulumi/policy`'s Node server reads it unconditionally)."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, policy in resolved.items():
        config = analyzer_pb2.PolicyConfig(enforcementLevel=ENFORCEMENT[policy.enforcement])
        config.properties.SetInParent()
        config.properties.update(policy.properties)
        request.policyConfig[name].CopyFrom(config)
    return request


# ---- plan -> analyzer requests --------------------------------------------------------------


def _set_value(target: struct_pb2.Value, value: Any) -> None:
    """`_SetStructValue(target, value)` of protobuf's `Struct.update`, with the exact JSON types tested
    first and without its `isinstance` chain per value; anything else (subclasses, tuples of them,
    `Struct`s, unsupported types) goes to protobuf's own function, so the message is the same."""
    kind = type(value)
    if kind is str:
        target.string_value = value
    elif kind is dict:
        struct = target.struct_value
        struct.Clear()
        fields = struct.fields
        for key, item in value.items():
            _set_value(fields[key], item)
    elif kind is bool:
        target.bool_value = value
    elif kind is float or kind is int:
        target.number_value = value
    elif value is None:
        target.null_value = 0
    elif kind is list:
        values = target.list_value
        values.Clear()
        add = values.values.add
        for item in value:
            _set_value(add(), item)
    else:
        _SetStructValue(target, value)


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """`Struct().update(dict(values))`, faster (same message: a test compares them, key order included)."""
    out = struct_pb2.Struct()
    fields = out.fields
    for key, value in values.items():
        _set_value(fields[key], value)
    return out


def _options(resource: PlannedResource) -> Any:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=list(resource.ignore_changes),
        deleteBeforeReplace=resource.delete_before_replace,
        deleteBeforeReplaceDefined=resource.delete_before_replace,
        aliases=[a for a in resource.aliases if isinstance(a, str)],
        parent=resource.parent or "",
    )


class PlanMessages:
    """The analyzer messages of one plan's resources: each props Struct and each provider message is
    built once and copied into every request that carries it."""

    def __init__(self, plan: Plan) -> None:
        self.index = plan.by_urn()
        self._structs: dict[str, struct_pb2.Struct] = {}
        self._providers: dict[str, Any] = {}
        self._stack: dict[str, Any] = {}

    def props(self, resource: PlannedResource) -> struct_pb2.Struct:
        struct = self._structs.get(resource.urn)
        if struct is None:
            struct = self._structs[resource.urn] = _struct(resource.inputs)
        return struct

    def stack_resource(self, resource: PlannedResource) -> Any:
        """The resource as an `AnalyzeStack` request lists it (built once, copied into each request)."""
        item = self._stack.get(resource.urn)
        if item is None:
            kwargs = dict(
                type=resource.type, properties=self.props(resource), urn=resource.urn, name=resource.name,
                options=_options(resource), parent=resource.parent or "", dependencies=list(resource.dependencies),
            )
            provider = self.provider(resource)
            if provider is not None:
                kwargs["provider"] = provider
            item = self._stack[resource.urn] = analyzer_pb2.AnalyzerResource(**kwargs)
            for prop, urns in resource.property_dependencies.items():
                item.propertyDependencies[prop].urns.extend(urns)
        return item

    def provider(self, resource: PlannedResource) -> Any:
        key = resource.provider or ""
        if key not in self._providers:
            provider = self.index.get(key)
            self._providers[key] = None if provider is None else analyzer_pb2.AnalyzerProviderResource(
                type=provider.type, properties=self.props(provider), urn=provider.urn, name=provider.name)
        return self._providers[key]


def analyze_request(resource: PlannedResource, messages: PlanMessages) -> Any:
    """The `Analyze` request the engine sends for one resource (its inputs, options and provider)."""
    kwargs = dict(type=resource.type, properties=messages.props(resource), urn=resource.urn,
                  name=resource.name, options=_options(resource))
    provider = messages.provider(resource)
    if provider is not None:
        kwargs["provider"] = provider
    return analyzer_pb2.AnalyzeRequest(**kwargs)


def analyze_stack_request(plan: Plan, types: frozenset[str] | None = None,
                          messages: PlanMessages | None = None) -> Any:
    """The `AnalyzeStack` request: every resource (or only those of `types`)."""
    messages = messages or PlanMessages(plan)
    resources = [messages.stack_resource(r) for r in plan.resources if types is None or r.type in types]
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def stack_configure_request(plan: Plan, tags: Mapping[str, str] | None = None) -> Any:
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=plan.stack, project=plan.project, organization="organization", dry_run=plan.mode == "preview",
        tags=dict(tags or {}),
    )


# ---- running it -------------------------------------------------------------------------------


@dataclass
class RawDiagnostic:
    """One `AnalyzeDiagnostic`, with the URN of the resource it was reported on (resource policies)."""

    policy: str
    message: str
    description: str
    enforcement: str
    severity: str
    urn: str | None


@dataclass
class RawNotApplicable:
    policy: str
    reason: str
    urn: str | None  # the analyzed resource, for resource policies


@dataclass
class AnalyzerRun:
    info: Any
    resolved: dict[str, ResolvedPolicy]
    diagnostics: list[RawDiagnostic]
    not_applicable: list[RawNotApplicable]


def collect(response: Any, urn: str | None, diagnostics: list[RawDiagnostic],
             not_applicable: list[RawNotApplicable]) -> None:
    for diag in response.diagnostics:
        diagnostics.append(RawDiagnostic(
            policy=diag.policyName, message=diag.message, description=diag.description,
            enforcement=ENFORCEMENT_NAME.get(diag.enforcementLevel, "advisory"),
            severity=SEVERITY_NAME.get(diag.severity, "unspecified"), urn=diag.urn or urn,
        ))
    for item in response.not_applicable:
        not_applicable.append(RawNotApplicable(item.policy_name, item.reason, urn))


def run_analyzer(service: AnalyzerService, plan: Plan, user_config: Mapping[str, Any] | None = None,
                 origin: str = "policy config") -> AnalyzerRun:
    """Configure the analyzer from `user_config` and analyze every resource of the plan, then the stack."""
    info = service.GetAnalyzerInfo(empty_pb2.Empty())
    resolved = resolve_policy_config(info, user_config or {}, origin)
    service.Configure(configure_request(resolved))
    service.ConfigureStack(stack_configure_request(plan))
    diagnostics: list[RawDiagnostic] = []
    not_applicable: list[RawNotApplicable] = []
    messages = PlanMessages(plan)
    for resource in plan.resources:
        collect(service.Analyze(analyze_request(resource, messages)), resource.urn, diagnostics, not_applicable)
    collect(service.AnalyzeStack(analyze_stack_request(plan, messages=messages)), None, diagnostics, not_applicable)
    return AnalyzerRun(info, resolved, diagnostics, not_applicable)


__all__ = [
    "AnalyzerRun",
    "InProcess",
    "PlanMessages",
    "PolicyConfigError",
    "RawDiagnostic",
    "RawNotApplicable",
    "analyze_request",
    "analyze_stack_request",
    "collect",
    "configure_request",
    "load_policy_config",
    "resolve_policy_config",
    "run_analyzer",
    "stack_configure_request",
]
