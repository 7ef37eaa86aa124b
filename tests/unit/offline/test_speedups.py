"""The speed-ups' parts, in this process: same stack trace and source position as the SDK's, the same answer from
`contains_unknowns` without its garbage, refusal when the SDK changed."""

from __future__ import annotations

import asyncio
import gc

import pytest
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc as sdk_rpc
from pulumi.runtime import stack as sdk_stack
from pulumi.runtime.proto import source_pb2

from aiplatform.fingerprints import fingerprint
from aiplatform.offline import speedups


class _Resource:
    def __init__(self, traces):
        traces.append((sdk_resource._get_stack_trace(), speedups.source_stack_trace()))


class _Custom(_Resource):
    def __init__(self, traces):
        super().__init__(traces)


class _Concrete(_Custom):
    def __init__(self, traces):
        super().__init__(traces)


def _user_code(traces):
    _Concrete(traces)


def test_source_stack_trace_is_the_sdks_first_frame_and_the_same_source_position():
    traces: list = []
    _user_code(traces)
    sdk, source = traces[0]
    assert len(sdk.frames) > 2
    assert source == source_pb2.StackTrace(frames=sdk.frames[:1])
    assert sdk_resource._get_source_position(source) == sdk_resource._get_source_position(sdk)
    assert sdk_resource._get_source_position(source).uri.endswith("test_speedups.py")
    assert source.frames[0].pc.line > 0


def test_source_stack_trace_without_three_inits_is_empty():
    assert speedups.source_stack_trace() == sdk_resource._get_stack_trace()
    assert len(speedups.source_stack_trace().frames) == 0
    assert sdk_resource._get_source_position(speedups.source_stack_trace()) is None


def test_source_stack_trace_keeps_a_frame_without_a_uri():
    traces: list = []
    exec(compile("_Concrete(traces)", "relative-name.py", "exec"), {"_Concrete": _Concrete, "traces": traces})
    sdk, source = traces[0]
    assert source == source_pb2.StackTrace(frames=sdk.frames[:1])
    assert not sdk.frames[0].HasField("pc")  # a relative file name has no file URI


def _values():
    from pulumi.output import UNKNOWN
    from pulumi.runtime.known_types import is_unknown

    unknown = UNKNOWN
    assert is_unknown(unknown) and not is_unknown(sdk_rpc.UNKNOWN)  # the value, not its wire string
    shared = {"a": [1, 2, {"b": "x"}]}
    cyclic: list = [1, "two"]
    cyclic.append(cyclic)
    cyclic_unknown: dict = {"k": []}
    cyclic_unknown["k"].append(cyclic_unknown)
    cyclic_unknown["z"] = unknown
    return [None, 0, "s", unknown, sdk_rpc.UNKNOWN, [], {}, [1, [2, [3, unknown]]], {"a": {"b": {"c": unknown}}},
            {"a": 1, "b": [shared, shared]}, [shared, {"x": unknown}], cyclic, cyclic_unknown, (unknown,),
            {"t": (1, unknown)}, [unknown, unknown]]


def test_acyclic_contains_unknowns_answers_as_the_sdks():
    values = _values()
    answers = [sdk_rpc.contains_unknowns(v) for v in values]
    assert True in answers and False in answers
    assert [speedups.acyclic_contains_unknowns(v) for v in values] == answers


def test_acyclic_contains_unknowns_leaves_no_garbage():
    values = _values()
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for value in values:
            sdk_rpc.contains_unknowns(value)
        assert gc.collect() >= len(values)  # each SDK call leaves its `impl` cycle for the collector
        for value in values:
            speedups.acyclic_contains_unknowns(value)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_install_refuses_a_changed_sdk(monkeypatch):
    monkeypatch.setitem(speedups.FINGERPRINTS, "pulumi.runtime.stack.wait_for_rpcs", "0" * 16)
    before = sdk_stack.wait_for_rpcs
    with pytest.raises(speedups.SpeedupsUnavailableError, match=r"pulumi\.runtime\.stack\.wait_for_rpcs"):
        speedups.install()
    assert sdk_stack.wait_for_rpcs is before  # nothing patched


def test_the_installed_sdk_matches_the_fingerprints():
    from pulumi.runtime import resource, stack

    assert fingerprint(stack.wait_for_rpcs) == speedups.FINGERPRINTS["pulumi.runtime.stack.wait_for_rpcs"]
    assert fingerprint(resource._get_stack_trace) == speedups.FINGERPRINTS[
        "pulumi.runtime.resource._get_stack_trace"]
    assert fingerprint(resource._get_source_position) == speedups.FINGERPRINTS[
        "pulumi.runtime.resource._get_source_position"]
    assert fingerprint(sdk_rpc.contains_unknowns) == speedups.FINGERPRINTS["pulumi.runtime.rpc.contains_unknowns"]
    assert fingerprint(sdk_rpc.transfer_properties) == speedups.FINGERPRINTS["pulumi.runtime.rpc.transfer_properties"]
    from pulumi.output import Output

    for name in ("__init__", "_from_data", "_track"):
        assert fingerprint(getattr(Output, name)) == speedups.FINGERPRINTS[f"pulumi.output.Output.{name}"]


@pytest.mark.parametrize(("value", "on"), [(None, True), ("1", True), ("0", False), ("off", False), ("false", False)])
def test_environment_switch(value, on):
    assert speedups.enabled({} if value is None else {speedups.ENV: value}) is on


def test_inline_executor_runs_at_once_in_a_fresh_context():
    import contextvars

    var = contextvars.ContextVar("var", default="fresh")
    var.set("caller")
    future = speedups.InlineExecutor().submit(var.get)
    assert future.done() and future.result() == "fresh"
    failing = speedups.InlineExecutor().submit(lambda: 1 / 0)
    assert isinstance(failing.exception(), ZeroDivisionError)

    loop = asyncio.new_event_loop()
    try:
        loop.set_default_executor(speedups.InlineExecutor())
        assert loop.run_until_complete(loop.run_in_executor(None, lambda: 42)) == 42
    finally:
        loop.close()


class _Res:
    """Stands in for a Resource: `transfer_properties` only sets attributes on it and puts it in dependency sets."""


def _transfer_and_resolve(transfer, props, custom, calls):
    async def go():
        res = _Res()
        resolvers = transfer(res, props, custom)
        for name, args in calls.items():
            resolvers[name](*args)
        out = {"names": sorted(resolvers), "attrs": sorted(k for k in vars(res))}
        for name in resolvers:
            try:
                data = await getattr(res, name)._data
                deps = {"res" if d is res else d for d in data.resources}
                out[name] = ("ok", data.value, data.is_known, data.is_secret, deps)
            except Exception as exc:  # noqa: BLE001 - compared below
                out[name] = ("raised", exc)
        return out

    loop = asyncio.new_event_loop()
    # The SDK's failed property leaves futures whose exception nobody reads (the test awaits one of four). Freed
    # later, each would report itself through the loop's handler, whose traceback formatting calls `ast.parse`
    # (Python 3.11): inside another test's `ast.parse` that re-entry fails with "AST constructor recursion depth
    # mismatch". So they are freed here, with the report dropped.
    loop.set_exception_handler(lambda _loop, _context: None)
    try:
        return loop.run_until_complete(go())
    finally:
        loop.close()
        gc.collect()


def test_lean_transfer_properties_resolves_as_the_sdks():
    from pulumi.output import UNKNOWN
    from pulumi.runtime.settings import SETTINGS

    failure = RuntimeError("registration failed")
    props = {"urn": None, "id": None, "plain": 1, "nested": {"a": [1]}, "unknown": None, "secret": "s",
             "deps": None, "missing": None, "failed": None}
    calls = {
        "plain": (1, True, False, None, None),
        "nested": ({"a": [1, UNKNOWN]}, True, False, None, None),  # known, but holds an unknown: normalised to unknown
        "unknown": (None, False, False, None, None),
        "secret": ("s", True, True, None, None),
        "deps": ("d", True, False, {"other"}, None),
        "missing": (None, False, False, set(), None),
        "failed": (None, False, False, None, failure),
    }
    for custom in (True, False):
        sdk = _transfer_and_resolve(sdk_rpc.transfer_properties, props, custom, calls | ({} if custom else {
            "id": (None, True, False, None, None)}))
        lean = _transfer_and_resolve(speedups.lean_transfer_properties, props, custom, calls | ({} if custom else {
            "id": (None, True, False, None, None)}))
        assert sdk == lean
        assert ("id" in sdk["names"]) is (not custom) and "urn" not in sdk["names"]
        assert sdk["nested"][2] is False and sdk["deps"][4] == {"other", "res"}
        assert sdk["failed"] == ("raised", failure)
    with SETTINGS.lock:
        SETTINGS.outputs.clear()  # the futures this test tracked


def test_lean_transfer_properties_refuses_a_second_resolution_as_the_sdks():
    async def go(transfer):
        resolvers = transfer(_Res(), {"a": None}, True)
        resolvers["a"](1, True, False, None, None)
        with pytest.raises(asyncio.InvalidStateError):
            resolvers["a"](2, True, False, None, RuntimeError("again"))

    from pulumi.runtime.settings import SETTINGS

    for transfer in (sdk_rpc.transfer_properties, speedups.lean_transfer_properties):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(go(transfer))
        finally:
            loop.close()
    with SETTINGS.lock:
        SETTINGS.outputs.clear()
