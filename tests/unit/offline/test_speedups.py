"""The speed-ups' parts, in this process: same stack trace as the SDK's, refusal when the SDK changed."""

from __future__ import annotations

import asyncio

import pytest
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import stack as sdk_stack

from aiplatform.fingerprints import fingerprint
from aiplatform.offline import speedups


class _Resource:
    def __init__(self, traces):
        traces.append((sdk_resource._get_stack_trace(), speedups.fast_stack_trace()))


class _Custom(_Resource):
    def __init__(self, traces):
        super().__init__(traces)


class _Concrete(_Custom):
    def __init__(self, traces):
        super().__init__(traces)


def _user_code(traces):
    _Concrete(traces)


def test_fast_stack_trace_equals_the_sdks():
    traces: list = []
    _user_code(traces)
    sdk, fast = traces[0]
    assert len(sdk.frames) > 2
    assert sdk == fast
    assert sdk.frames[0].pc.uri.endswith("test_speedups.py")
    assert sdk.frames[0].pc.line == fast.frames[0].pc.line > 0


def test_fast_stack_trace_without_three_inits_is_empty():
    assert speedups.fast_stack_trace() == sdk_resource._get_stack_trace()
    assert len(speedups.fast_stack_trace().frames) == 0


def test_fast_stack_trace_keeps_frames_without_a_uri():
    traces: list = []
    exec(compile("_Concrete(traces)", "relative-name.py", "exec"), {"_Concrete": _Concrete, "traces": traces})
    sdk, fast = traces[0]
    assert sdk == fast
    assert not sdk.frames[0].HasField("pc")  # a relative file name has no file URI


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
