"""A recording resource monitor: the Pulumi SDK's mock monitor, made to answer like the engine.

It records what `Mocks` never sees (parent, provider, dependencies, protect,
source position, ignoreChanges, aliases), forms URNs exactly as the engine does
(the full qualified type chain of parents, no stack type), returns the inputs
as outputs in preview (so computed attributes stay unknown) and adds fixture
outputs in up mode.
"""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockEngine, MockMonitor, Mocks
from pulumi.runtime.proto import engine_pb2, resource_pb2

from ..shape.plan import Diagnostic, PlannedResource, SourcePosition
from ..shape.props import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN
from ..structs import struct_to_dict
from .fixtures import Fixtures

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


class _Unused(Mocks):
    """The recording monitor answers everything itself."""

    def call(self, args):  # pragma: no cover - never called
        raise NotImplementedError

    def new_resource(self, args):  # pragma: no cover - never called
        raise NotImplementedError


def _to_dict(message: struct_pb2.Struct) -> dict[str, Any]:
    """`json_format.MessageToDict(message)` of a `Struct` (`aiplatform.structs`), {} for None."""
    return struct_to_dict(message) if message is not None else {}


def _to_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(value, struct_pb2.Struct())


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Inputs plus fixture outputs; an input the program set wins (a provider echoes it back)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif out.get(key) in (None, "") or out.get(key) == UNKNOWN:
            out[key] = value
    return out


class RecordingMonitor(MockMonitor):
    def __init__(self, project: str, stack: str, preview: bool, fixtures: Fixtures, root: Path | None = None,
                 region: str = "us-east-1", config: dict[str, str] | None = None,
                 secret_keys: list[str] | None = None) -> None:
        super().__init__(_Unused())
        self.project = project
        self.stack = stack
        self.preview = preview
        self.fixtures = fixtures
        self.root = root
        self.region = region
        self.config = dict(config or {})
        self.secret_keys = set(secret_keys or ())
        self.records: list[PlannedResource] = []
        self._by_urn: dict[str, PlannedResource] = {}
        self.stack_urn: str | None = None
        self.stack_outputs: dict[str, Any] = {}
        self.failures: list[Exception] = []
        self._paths: dict[str, str] = {}  # a source position's uri -> its path as recorded (`_source`)

    # ---- URNs as the engine forms them ----------------------------------------------

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent:
            qualified = parent.split("::")[2]
            if qualified != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    # ---- resources ----------------------------------------------------------------------

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        try:
            return self._register(request)
        except Exception as exc:
            self.failures.append(exc)
            raise

    def _default_provider(self, request) -> str | None:
        """The engine's default provider for a custom resource the program gave no provider: one per package
        and version (`pulumi:providers:<pkg>::default_<version>`), configured from the stack's `<pkg>:*` keys."""
        if not request.custom or request.provider or request.type.startswith("pulumi:"):
            return None
        package = request.type.split(":", 1)[0]
        version = request.version
        name = f"default_{re.sub(r'[^0-9A-Za-z]', '_', version)}" if version else "default"
        urn = f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::{name}"
        if urn not in self._by_urn:
            inputs: dict[str, Any] = {}
            for key, value in sorted(self.config.items()):
                prefix, _, setting = key.partition(":")
                if prefix == package and setting:
                    inputs[setting] = {SECRET_SIG_KEY: SECRET_SIG, "value": value} if key in self.secret_keys else value
            if version:
                inputs["version"] = version
            record = PlannedResource(urn=urn, type=f"pulumi:providers:{package}", name=name, custom=True,
                                     parent=None, provider=None, protect=False, dependencies=[], inputs=inputs)
            self.records.append(record)
            self._by_urn[urn] = record
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, f"{name}-id", inputs)
        return urn

    def _register(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        default_provider = self._default_provider(request)
        record = PlannedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=request.provider.rsplit("::", 1)[0] if request.provider else default_provider,
            protect=bool(request.protect),
            dependencies=sorted(request.dependencies),  # a set to the engine; the SDK's order varies run to run
            inputs=_to_dict(request.object),
            source=self._source(request),
            property_dependencies={k: sorted(v.urns) for k, v in sorted(request.propertyDependencies.items())},
            ignore_changes=list(request.ignoreChanges),
            aliases=[json_format.MessageToDict(a) for a in request.aliases] + list(request.aliasURNs),
            delete_before_replace=bool(request.deleteBeforeReplace),
            retain_on_delete=bool(request.retainOnDelete),
        )
        self.records.append(record)
        self._by_urn[urn] = record

        if request.type == STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn, object=struct_pb2.Struct())

        if self.preview:
            # What `pulumi preview` sees for a create: inputs known, computed attributes unknown.
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, "", record.inputs)
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)

        outputs = _merge(record.inputs, self.fixtures.up_outputs(request.type, request.name, self.region, record.inputs))
        id_ = str(outputs.pop("id", f"{request.name}-id"))
        record.outputs = outputs
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, outputs)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=_to_struct(outputs))

    def RegisterResourceOutputs(self, request):  # noqa: N802
        outputs = _to_dict(request.outputs)
        if request.urn == self.stack_urn:
            self.stack_outputs = outputs
        elif request.urn in self._by_urn:
            self._by_urn[request.urn].outputs = outputs
        return super().RegisterResourceOutputs(request)

    def ReadResource(self, request):  # noqa: N802
        try:
            if request.type != STACK_REFERENCE_TYPE:
                raise RuntimeError(
                    f"reading existing resource {request.type} {request.name!r} (Resource.get) is not supported offline"
                )
            urn = self.make_urn(request.parent, request.type, request.name)
            ref = request.id
            state = {"name": ref, "outputs": self.fixtures.stack_reference(ref), "secretOutputNames": []}
        except Exception as exc:
            self.failures.append(exc)
            raise
        record = PlannedResource(
            urn=urn, type=request.type, name=request.name, custom=True, parent=request.parent or None,
            provider=None, protect=False, dependencies=sorted(request.dependencies),
            inputs=_to_dict(request.properties), source=self._source(request),
        )
        self.records.append(record)
        self._by_urn[urn] = record
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, ref, state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_to_struct(state))

    def Invoke(self, request):  # noqa: N802
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        try:
            result = self.fixtures.invoke(request.tok, _to_dict(request.args))
        except Exception as exc:
            self.failures.append(exc)
            raise
        return resource_pb2.ResourceInvokeResponse(**{"return": _to_struct(result)})

    def Call(self, request):  # noqa: N802
        exc = RuntimeError(f"method call {request.tok} is not supported offline")
        self.failures.append(exc)
        raise exc

    # ---- helpers --------------------------------------------------------------------------

    def _source(self, request) -> SourcePosition | None:
        if not request.HasField("sourcePosition") or not request.sourcePosition.uri:
            return None
        pos = request.sourcePosition
        recorded = self._paths.get(pos.uri)
        if recorded is None:  # once per file: the root does not change
            path = Path(unquote(urlparse(pos.uri).path))
            if self.root is not None:
                with contextlib.suppress(ValueError):  # outside the project: keep the absolute path
                    path = path.relative_to(self.root)
            recorded = self._paths[pos.uri] = str(path)
        return SourcePosition(uri=recorded, line=pos.line, column=pos.column)


class RecordingEngine(MockEngine):
    """Keeps the program's log messages (warnings and errors) as plan diagnostics."""

    SEVERITIES = {engine_pb2.INFO: "info", engine_pb2.WARNING: "warning", engine_pb2.ERROR: "error"}

    def __init__(self) -> None:
        quiet = logging.getLogger("aiplatform.offline.program")
        quiet.propagate = False
        quiet.addHandler(logging.NullHandler())
        super().__init__(logger=quiet)
        self.diagnostics: list[Diagnostic] = []

    def Log(self, request):  # noqa: N802
        severity = self.SEVERITIES.get(request.severity)
        if severity is not None:
            self.diagnostics.append(Diagnostic(severity, request.message, request.urn or None))
        return super().Log(request)
