"""pulumi_policy's analyzer servicer with one decode per resource, shared by every policy.

`_PolicyAnalyzerServicer.Analyze` decodes a resource's props once per policy of the
pack (`MessageToDict`, `deserialize_properties`, then `unknown_checking_proxy`, which
wraps the whole tree), and the provider's once more per policy; `AnalyzeStack` does
the same per stack policy. `SharedDecodeServicer` keeps the SDK's loop, enforcement
levels, configs, violation reports and exception handling (the two methods below are
the SDK's, with the decode hoisted out of the policy loop) and decodes each URN once
per `DecodeCache`, which lives for one plan (where a URN names one resource and one
set of props), across every servicer and request of that plan:

- `decode` reads the props `Struct` as `deserialize_properties(MessageToDict(...))`
  does (numbers as floats, secrets unwrapped, assets and archives by the SDK's own
  code) without json_format's per-field descriptor dispatch;
- `SharedProps` is the SDK's unknown-checking proxy, read-only, wrapping nested dicts
  and lists when they are read (with the same property paths in `UnknownValueError`)
  instead of all of them up front;
- each URN's `PolicyResourceOptions` is built once per plan for all its policies, resource and
  stack alike (the SDK builds it per request and per stack policy; it holds the request's
  options, which are the same in every request of a plan and which nothing in a policy writes to);
- which policies a request runs, at which enforcement level, is worked out once per servicer
  and `Configure` (the SDK's `_get_enforcement_level` reads only what `Configure` sets and the
  policies' own levels), and the runtime settings (`_configure_runtime_settings`, read from the
  environment, which nothing in a check changes) once per servicer, not once per request;
- `SharedProps.plain_copy` is what the guardrails' `plain` returns for it: a fresh copy
  of the decoded props for each policy, unmarshalled from one `marshal` blob.

What the policies share is read-only: item assignment on the dict proxies raises
`TypeError` (the SDK's list proxy has none), and each rule's `Resource` holds its own
copy of the props, so no policy can change what the next one reads.

The SDK functions re-stated or relied on are fingerprinted against pulumi_policy 1.21.x
(pinned in pyproject.toml): when the installed SDK's differ, building the servicer
raises `SharedDecodeUnavailableError` naming them rather than analyzing differently.
"""

from __future__ import annotations

import asyncio
import functools
import marshal
from inspect import isawaitable
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy import policy as sdk
from pulumi_policy.deserialize import SPECIAL_SIG_KEY, _deserialize_property
from pulumi_policy.proxy import UnknownValueError, _append_prop, _DictProxy, _ListProxy

from ..fingerprints import changed
from ..guardrails._props import plain
from ..structs import struct_to_dict

_SDK = sdk._PolicyAnalyzerServicer

#: sha256 (first 16 hex digits) of the source of the SDK methods this module re-states, as in
#: the range proven (pulumi_policy 1.21.x).
FINGERPRINTS = {
    "Analyze": "75db9cf8fc9d1585",
    "AnalyzeStack": "3917a008482c2387",
    "_get_provider_resource": "5db736069fc8d3d6",
    "_proxy_helper": "c36dd3b6af1196cb",
    "_DictProxy.__getitem__": "d2f6542f3650f0f5",
    "_ListProxy.__getitem__": "d2f6542f3650f0f5",
    "_deserialize_property": "f74731f85cfdd6af",
    "_get_enforcement_level": "e766403ef7ab7cdf",
    "_configure_runtime_settings": "da0923ff3a404f36",
    "Configure": "785e6599c03e67da",
    "_get_resource_options": "986051047b696f0f",
}


class SharedDecodeUnavailableError(RuntimeError):
    """The installed pulumi_policy's analyzer differs from the one `SharedDecodeServicer` re-states."""


def _sdk_functions() -> dict[str, Any]:
    from pulumi_policy import proxy

    return {"Analyze": _SDK.Analyze, "AnalyzeStack": _SDK.AnalyzeStack,
            "_get_provider_resource": _SDK._get_provider_resource, "_proxy_helper": proxy._proxy_helper,
            "_DictProxy.__getitem__": proxy._DictProxy.__getitem__,
            "_ListProxy.__getitem__": proxy._ListProxy.__getitem__,
            "_deserialize_property": _deserialize_property,
            "_get_enforcement_level": _SDK._get_enforcement_level,
            "_configure_runtime_settings": _SDK._configure_runtime_settings, "Configure": _SDK.Configure,
            "_get_resource_options": _SDK._get_resource_options}


@functools.cache
def check_sdk() -> None:
    names = changed(_sdk_functions(), FINGERPRINTS)
    if names:
        from importlib.metadata import version

        raise SharedDecodeUnavailableError(
            f"aiplatform check re-states pulumi_policy 1.21.x's analyzer with one decode per resource, and in the "
            f"installed pulumi_policy {version('pulumi_policy')} these changed: {', '.join(names)}; install a "
            f"pulumi_policy in the range pinned by aiplatform")


def _wrap(value: Any, path: list[str], key: Any) -> Any:
    if isinstance(value, dict):
        return ReadOnlyDictProxy(value, _append_prop(path, key))
    if isinstance(value, list):
        return ReadOnlyListProxy(value, _append_prop(path, key))
    return value


class ReadOnlyDictProxy(_DictProxy):
    """The SDK's unknown-checking dict proxy over a shared target: no item assignment, and nested
    dicts and lists wrapped when read (the SDK wraps the whole tree up front) with the same paths."""

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)  # raises UnknownValueError on an unknown, as the SDK's
        return value if key == "__target" else _wrap(value, self._DictProxy__props_acc, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError("resource props are shared by every policy and read-only")


class ReadOnlyListProxy(_ListProxy):
    """The SDK's unknown-checking list proxy (which has no item assignment), wrapping when read."""

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return [self[i] for i in range(*key.indices(len(self)))]
        value = super().__getitem__(key)
        return value if key == "__target" else _wrap(value, self._ListProxy__props_acc, key)


class SharedProps(ReadOnlyDictProxy):
    """A resource's top-level props: `plain_copy()` is `plain(self)` as a fresh copy for each caller.

    The plain form (the decoded props themselves) is kept marshalled (dicts, lists, strings,
    numbers, booleans and None round-trip exactly, types included); props holding anything else
    (assets) are copied by `plain` each time.
    """

    def plain_copy(self) -> Any:
        blob = self.__dict__.get("_blob")
        if blob is None:
            try:
                blob = self._blob = marshal.dumps(self["__target"])
            except ValueError:  # an asset or archive: not marshallable
                blob = self._blob = False
        return plain(self["__target"]) if blob is False else marshal.loads(blob)


def _special(struct: Any) -> Any:
    """A secret, asset or archive: the SDK's own path."""
    return _deserialize_property(json_format.MessageToDict(struct))


def decode(props: Any) -> dict[str, Any]:
    """A props `Struct` as the SDK's analyzer decodes it: `deserialize_properties(MessageToDict(props))`
    (`aiplatform.structs`: numbers stay floats; infinities and NaN raise as there)."""
    return struct_to_dict(props, SPECIAL_SIG_KEY, _special)


class DecodeCache:
    """Each URN's props decoded as the SDK decodes them, once (for one plan)."""

    def __init__(self) -> None:
        self._props: dict[str, Any] = {}
        self._providers: dict[str, Any] = {}
        self._options: dict[str, Any] = {}

    def options(self, message: Any, servicer: Any) -> Any:
        """The message's `PolicyResourceOptions`, as the SDK's `_get_resource_options` makes it, once per URN."""
        options = self._options.get(message.urn)
        if options is None:
            options = self._options[message.urn] = servicer._get_resource_options(message)
        return options

    def props(self, message: Any) -> Any:
        props = self._props.get(message.urn)
        if props is None:
            decoded = decode(message.properties)
            props = self._props[message.urn] = SharedProps(decoded, [])
        return props

    def provider(self, request: Any) -> Any:
        if not request.HasField("provider"):
            return None
        prov = request.provider
        provider = self._providers.get(prov.urn)
        if provider is None:
            provider = self._providers[prov.urn] = sdk.PolicyProviderResource(
                prov.type, self.props(prov), prov.urn, prov.name)
        return provider


def _run(result: Any) -> None:
    if result is not None and isawaitable(result):  # the pack's validations return None
        loop = asyncio.new_event_loop()
        task = asyncio.Task(result, loop=loop)
        loop.run_until_complete(task)
        loop.close()


class SharedDecodeServicer(_SDK):
    """`_PolicyAnalyzerServicer` whose `Analyze` and `AnalyzeStack` read props from a `DecodeCache`."""

    def __init__(self, *args: Any, cache: DecodeCache, **kwargs: Any) -> None:
        check_sdk()
        super().__init__(*args, **kwargs)
        self._cache = cache
        self._configured_runtime = False
        self._levels: dict[type, list[tuple[Any, Any]]] = {}

    def Configure(self, request: Any, _context: Any) -> Any:  # noqa: N802 - the gRPC method
        self._levels = {}  # the enforcement levels may change
        return super().Configure(request, _context)

    def _configure_runtime_once(self) -> None:
        if not self._configured_runtime:
            self._configure_runtime_settings()
            self._configured_runtime = True

    def _policies_of(self, kind: type) -> list[tuple[Any, Any]]:
        """The SDK loop's choice, in the pack's order: (policy, level) for the policies of `kind`
        not disabled, REMEDIATE read as MANDATORY, and level None for a resource policy that does
        not implement validate."""
        chosen = self._levels.get(kind)
        if chosen is None:
            chosen = self._levels[kind] = []
            for policy in self._PolicyAnalyzerServicer__policies:
                level = self._get_enforcement_level(policy)
                if level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, kind):
                    continue
                if kind is sdk.ResourceValidationPolicy and not policy.has_validation():
                    chosen.append((policy, None))
                    continue
                if level == sdk.EnforcementLevel.REMEDIATE:
                    level = sdk.EnforcementLevel.MANDATORY
                chosen.append((policy, level))
        return chosen

    def _unknown(self, response: Any, policy: Any, error: UnknownValueError) -> None:
        name, version = self._PolicyAnalyzerServicer__policy_pack_name, self._PolicyAnalyzerServicer__policy_pack_version
        response.diagnostics.append(proto.AnalyzeDiagnostic(
            policyName=policy.name, policyPackName=name, policyPackVersion=version,
            message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: "
                    f"{error.message}",
            urn="", description=policy.description,
            enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
        ))

    def _validate(self, response: Any, policy: Any, args: Any, report_violation: Any) -> None:
        try:
            _run(policy.validate(args, report_violation))
        except UnknownValueError as e:
            self._unknown(response, policy, e)
        except sdk._NotApplicableError as e:
            response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))

    def Analyze(self, request: Any, _context: Any) -> Any:  # noqa: N802 - the gRPC method
        self._configure_runtime_once()
        response = proto.AnalyzeResponse()
        props = provider = options = None
        for policy, level in self._policies_of(sdk.ResourceValidationPolicy):
            if level is None:
                response.not_applicable.append(proto.PolicyNotApplicable(
                    policy_name=policy.name, reason="Policy does not implement validate"))
                continue
            report_violation = self._create_report_violation(response, policy.name, policy.description, level,
                                                             policy.severity)
            if props is None:
                props, provider = self._cache.props(request), self._cache.provider(request)
                options = self._cache.options(request, self)  # once per URN, as props
            args = sdk.ResourceValidationArgs(
                request.type, props, request.urn, request.name, options, provider,
                self._get_policy_config(policy.name), self._PolicyAnalyzerServicer__stack_tags)
            self._validate(response, policy, args, report_violation)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:  # noqa: N802 - the gRPC method
        self._configure_runtime_once()
        response = proto.AnalyzeResponse()
        for policy, level in self._policies_of(sdk.StackValidationPolicy):
            report_violation = self._create_report_violation(response, policy.name, policy.description, level,
                                                             policy.severity)
            resources = [sdk.PolicyResource(r.type, self._cache.props(r), r.urn, r.name, self._cache.options(r, self),
                                            self._cache.provider(r), None, [], {}) for r in request.resources]
            by_urn = {r.urn: r for r in resources}
            for message, resource in zip(request.resources, resources, strict=True):
                if message.parent is not None and message.parent in by_urn:
                    resource.parent = by_urn[message.parent]
                resource.dependencies.extend(by_urn[d] for d in message.dependencies if d in by_urn)
                for key, deps in message.propertyDependencies.items():
                    resource.property_dependencies[key] = [by_urn[d] for d in deps.urns if d in by_urn]
            args = sdk.StackValidationArgs(resources, self._get_policy_config(policy.name),
                                           self._PolicyAnalyzerServicer__stack_tags)
            self._validate(response, policy, args, report_violation)
        return response


__all__ = ["DecodeCache", "ReadOnlyDictProxy", "ReadOnlyListProxy", "SharedDecodeServicer", "SharedDecodeUnavailableError", "SharedProps", "check_sdk"]
