"""The planning subprocess's speed-ups: nine SDK and engine behaviours replaced by cheaper ones that yield the same plan.

Applied only by `offline._child` (the subprocess `runner.plan_project` starts), never in a
user's real `pulumi up` and never when `run_program` runs in-process (tests, `testing.py`).
Each one is named below with what it replaces and why the result is the same;
`tests/programs/test_speedups.py` plans every reference stack and example in both modes
with and without them and compares the whole plans, source positions included.

- `collector_off` / `freeze`: the cyclic garbage collector is off while the child runs and
  what was imported before the program starts is frozen (`gc.freeze`). Collections only
  free memory: the SDK's state per resource at the peak (its Outputs and their futures, its
  pending registration) is reachable from pending tasks, not garbage, so collecting rescans
  a heap that grows with the plan (the super-linear part of a large plan's time) and does
  not lower the peak (docs/benchmarks.md, issue 22); the one per-call cycle that did pile up
  is gone with `acyclic_contains_unknowns`.
- `exit_now`: after the result file is written, flushed and closed the child leaves with
  `os._exit(0)` instead of the interpreter's teardown (freeing every module and object one
  by one): the result is on disk, nothing else is read from the child but its exit code.
- `skip_final_collect` (`run_program(final_collect=False)`): the engine's full collection
  after the event loop closes finalises never-awaited coroutines of a failed run quietly,
  for in-process callers that go on running (a later `compile()` would report them). The
  child writes the result and leaves with `os._exit`, so nothing is finalised later; the
  collection, a pass over every object the program built and every module it imported
  after `freeze`, only costs time. It runs after the loop is closed and the records are
  complete: it cannot add, drop or change a resource.
- `source_frame_only` (`source_stack_trace`, what `install` puts in place of
  `pulumi.runtime.resource._get_stack_trace`): the SDK builds `traceback.extract_stack()`
  (which reads every frame's source line) and calls `Path(filename).as_uri()` per frame for
  every resource, and keeps the trace (a protobuf message per frame of the program's whole
  call stack, about 25 frames in `aiplatform.platform`) from the resource's construction
  until its registration runs, which is after the program body has returned: for every
  resource of the plan at once (about 7 KB per resource of the peak). The replacement walks
  the same frames (`sys._getframe`, `f_back`), skips to the third `__init__` exactly as the
  SDK does, converts each file name once (cached), and keeps the first frame only:
  `co_filename` and `f_lineno` are what `FrameSummary` holds, so that frame is equal to the
  SDK's first; the SDK takes the request's `sourcePosition` from `frames[0].pc`
  (`_get_source_position`), and the recording monitor reads `sourcePosition` and never
  `stackTrace`, so every recorded source position is the same.
- `acyclic_contains_unknowns` replaces `pulumi.runtime.rpc.contains_unknowns` (called
  through the module, `rpc.contains_unknowns`, by `output.py`, `invoke.py` and `rpc.py`
  itself; no module imports the name): the SDK defines a recursive inner `impl` per call,
  a function that holds itself through its closure cell, with its annotations tuple and a
  `set[int]` `GenericAlias`: a reference cycle only the collector frees, and the collector
  is off here, so every call (about 22 per resource) leaves six objects behind (4 KB per
  resource of the peak). The replacement is the same body as a module-level function with
  the same arguments: the same values are visited in the same order with the same
  `seen_ids`, so it returns the same answer (and raises the same `RecursionError`, one
  frame later at most).
- `lean_transfer_properties` replaces `pulumi.runtime.rpc.transfer_properties` (called as
  `rpc.transfer_properties` by `register_resource`, `read_resource` and `get_resource`): for
  each input property of every resource the SDK makes four futures (value, known, secret,
  dependencies), a `do_resolve` function, and an `Output` over the four, whose `compute_data`
  coroutine runs in a task of its own that awaits them and builds the `_OutputData`. Every
  resource is constructed before any task runs (the program body does not await), so all of
  them are alive at once: about 14 KB per resource of the peak. The replacement makes one
  future per property and an `Output._from_data` over it, the way the SDK itself makes each
  resource's `urn` and `id` outputs (`resource_output`); its resolver takes the same
  arguments and builds the same `_OutputData` (dependencies = the given ones plus the
  resource, `__post_init__` normalising `is_known`), or sets the same exception, that
  `compute_data` would have returned or raised. The `Output` is the same class, tracked the
  same way in `SETTINGS.outputs` (`_track`); it resolves a loop step or two sooner (no task
  in between), which can only change when, not what, a consumer sees.
- `fast_wait_for_rpcs` replaces `pulumi.runtime.stack.wait_for_rpcs` (looked up by name in
  `run_pulumi_func`): the SDK re-waits on every outstanding output with `FIRST_COMPLETED`
  after each completion, a done-callback on every pending task per round (quadratic). The
  replacement waits on the round's tasks with `FIRST_EXCEPTION` (one callback per task):
  the same tasks are awaited, new outputs are picked up in the next round, and the first
  failure is raised the same way.
- `memo_type_hints` (`offline/hints.py`) in place of `get_type_hints` in `pulumi._types` (called there by
  `_raw_return_hints` and `_types_from_annotations`, once per class of the program): the SDK evaluates every
  property's annotation of every class again, 1,347 calls for aws-dev, most of them the same `pulumi.Input[X]`
  trees with the forward reference `"Output[T]"` evaluated and the union rebuilt each time. The replacement is
  `typing.get_type_hints`, whose answer is kept by the annotation objects' and the local values' identities when
  no forward reference in them reads a global name (then the globals, the one argument that differs between
  classes, cannot change it); every other call goes to `typing.get_type_hints` as it is. It answers as typing's
  function for any caller, so what is checked is that `pulumi._types.get_type_hints` is typing's.
- `memo_unwrap_type` (`offline/hints.py`) in place of `pulumi._types.unwrap_type` (looked up by that name in
  `pulumi._types` and by `rpc.serialize_property`): 4,852 calls for aws-dev on 500 distinct type objects, each
  answered from the object's typing structure alone, so kept by its identity.
- `inline_rpcs`: the SDK sends each RPC to the monitor from a thread of the event loop's
  default executor; the recording monitor answers from memory, so the child's loops get an
  executor that runs the call at once, in a fresh context as a worker thread would. The
  requests and answers are the same; what changes is that resources are recorded in one
  order, the program's, rather than in whichever order the threads happen to reach the
  monitor (that order changed from run to run: the plan JSON is byte-stable with this).

The replaced functions are fingerprinted (a hash of their source in the SDK range pinned
in pyproject.toml); when the installed SDK's differ, `install` raises `SpeedupsUnavailableError`
naming them rather than planning slowly or wrongly. `AIPLATFORM_PLAN_SPEEDUPS=0` in the
environment makes the child plan without any of them (read by the child only).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import gc
import os
import sys
import typing
from typing import Any

from ..fingerprints import changed

ENV = "AIPLATFORM_PLAN_SPEEDUPS"

#: sha256 (first 16 hex digits) of the source of each SDK function replaced, as in the range
#: proven (pulumi 3.272.x): a change in any of them refuses the speed-ups.
FINGERPRINTS = {
    "pulumi.runtime.stack.wait_for_rpcs": "c0f9027f85ad0925",
    "pulumi.runtime.resource._get_stack_trace": "3943b22730169251",
    "pulumi.runtime.resource._get_source_position_for_frame": "9f78cc3180b00a12",
    "pulumi.runtime.resource._get_source_position": "eb98b10e3279d85c",
    "pulumi.runtime.rpc.contains_unknowns": "1f1f335b6f48b960",
    "pulumi.runtime.rpc.transfer_properties": "0e7c02ffa04ff20b",
    "pulumi.output.Output.__init__": "f883e4f64c918cfb",
    "pulumi.output.Output._from_data": "cd70e3b38ee181f6",
    "pulumi.output.Output._track": "72569ad70fd52b20",
    "pulumi._types.unwrap_type": "6ccd35036cb0b3d4",
    "pulumi._types.unwrap_optional_type": "66ac125c3482ccba",
    "pulumi._types.is_input_type": "d571ac3778046264",
    "pulumi._types._is_union_type": "ac2f7e3c2545adec",
    "pulumi._types._is_optional_type": "323acd34f358281d",
}


class SpeedupsUnavailableError(RuntimeError):
    """The installed Pulumi SDK's internals differ from those the speed-ups replace."""


def enabled(environ: dict[str, str] | None = None) -> bool:
    """Whether the child applies the speed-ups (`AIPLATFORM_PLAN_SPEEDUPS=0` turns them off)."""
    return (os.environ if environ is None else environ).get(ENV, "1").strip() not in ("0", "false", "no", "off")


def collector_off() -> None:
    gc.disable()


def freeze() -> None:
    gc.freeze()


def exit_now(code: int = 0) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed stream: nothing left to lose
            stream.flush()
    os._exit(code)


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each submitted call at once, in a fresh context (what a new worker thread starts with); starts no thread
    (a ThreadPoolExecutor only because asyncio refuses any other default executor)."""

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(contextvars.Context().run(fn, *args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine, as a worker would
            future.set_exception(exc)
        return future


class _InlinePolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        loop = super().new_event_loop()
        loop.set_default_executor(InlineExecutor())
        return loop


def inline_rpcs() -> None:
    asyncio.set_event_loop_policy(_InlinePolicy())


def _check(targets: dict[str, Any]) -> None:
    names = changed(targets, FINGERPRINTS)
    if names:
        from importlib.metadata import version

        raise SpeedupsUnavailableError(
            f"the offline engine's speed-ups were proven against pulumi 3.272.x, and in the installed pulumi "
            f"{version('pulumi')} these SDK functions changed: {', '.join(names)}; install a pulumi in the range "
            f"pinned by aiplatform, or set {ENV}=0 to plan without the speed-ups"
        )


def install() -> None:
    """Replace the SDK functions in this process (the planning subprocess only)."""
    from pulumi import _types, output
    from pulumi.runtime import resource, rpc, stack

    from .hints import memo_type_hints, memo_unwrap_type

    _check({
        "pulumi.runtime.stack.wait_for_rpcs": getattr(stack, "wait_for_rpcs", None),
        "pulumi.runtime.resource._get_stack_trace": getattr(resource, "_get_stack_trace", None),
        "pulumi.runtime.resource._get_source_position_for_frame": getattr(resource, "_get_source_position_for_frame", None),
        "pulumi.runtime.resource._get_source_position": getattr(resource, "_get_source_position", None),
        "pulumi.runtime.rpc.contains_unknowns": getattr(rpc, "contains_unknowns", None),
        "pulumi.runtime.rpc.transfer_properties": getattr(rpc, "transfer_properties", None),
        "pulumi.output.Output.__init__": getattr(output.Output, "__init__", None),
        "pulumi.output.Output._from_data": getattr(output.Output, "_from_data", None),
        "pulumi.output.Output._track": getattr(output.Output, "_track", None),
        **{f"pulumi._types.{name}": getattr(_types, name, None) for name in (
            "unwrap_type", "unwrap_optional_type", "is_input_type", "_is_union_type", "_is_optional_type")},
    })
    # `memo_type_hints` answers as typing's function whoever calls it: what must hold is that it replaces that one.
    if getattr(_types, "get_type_hints", None) is not typing.get_type_hints:
        raise SpeedupsUnavailableError("pulumi._types.get_type_hints is no longer typing.get_type_hints; set "
                                       f"{ENV}=0 to plan without the speed-ups")
    resource._get_stack_trace = source_stack_trace
    rpc.contains_unknowns = acyclic_contains_unknowns
    rpc.transfer_properties = lean_transfer_properties
    stack.wait_for_rpcs = fast_wait_for_rpcs
    _types.get_type_hints = memo_type_hints
    _types.unwrap_type = memo_unwrap_type(_types.unwrap_type)
    inline_rpcs()


# ---- source_stack_trace -------------------------------------------------------------------

_URIS: dict[str, str | None] = {}


def _uri(filename: str) -> str | None:
    """`Path(filename).as_uri()` once per file; None where the SDK's conversion fails."""
    try:
        return _URIS[filename]
    except KeyError:
        import pathlib

        try:
            uri: str | None = pathlib.Path(filename).as_uri()
        except BaseException:  # noqa: BLE001 - the SDK's `_get_source_position_for_frame` catches the same
            uri = None
        _URIS[filename] = uri
        return uri


def _caller_of_third_init():
    """The frame that called the third `__init__` from the top (the concrete resource class's), or None."""
    frame = sys._getframe(2)
    seen = 0  # the SDK counts `__init__` frames from the top: Resource, Custom/ComponentResource, the concrete class
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            seen += 1
            if seen == 3:
                break
        frame = frame.f_back
    if frame is None:
        return None
    return frame.f_back


def _stack_frame(frame):
    from pulumi.runtime.proto import source_pb2

    filename, line = frame.f_code.co_filename, frame.f_lineno
    uri = _uri(filename) if filename != "" and line is not None else None
    pos = source_pb2.SourcePosition(uri=uri, line=line) if uri is not None else None
    return source_pb2.StackFrame(pc=pos)


def source_stack_trace():
    """The SDK's `_get_stack_trace()` with its first frame only: the one `_get_source_position` reads."""
    from pulumi.runtime.proto import source_pb2

    frame = _caller_of_third_init()
    return source_pb2.StackTrace(frames=[] if frame is None else [_stack_frame(frame)])


# ---- acyclic_contains_unknowns ------------------------------------------------------------


def _contains_unknowns(val: Any, seen_ids: set[int], is_unknown) -> bool:
    # The SDK's inner `impl`, unchanged but for its name and `known_types.is_unknown` passed in, at module level.
    if is_unknown(val):
        return True

    val_id = id(val)
    if val_id in seen_ids:
        return False

    seen_ids.add(val_id)
    if isinstance(val, dict):
        return any(_contains_unknowns(val[k], seen_ids, is_unknown) for k in val)
    if isinstance(val, list):
        return any(_contains_unknowns(x, seen_ids, is_unknown) for x in val)

    return False


def acyclic_contains_unknowns(val: Any) -> bool:
    from pulumi.runtime.known_types import is_unknown

    return _contains_unknowns(val, set(), is_unknown)


# ---- lean_transfer_properties -------------------------------------------------------------


def _settle(data: asyncio.Future, res_deps: set, value: Any, is_known: bool, is_secret: bool, failed) -> None:
    """What the SDK's `compute_data` task does one loop step after its dependencies future is set: build the
    `_OutputData` (or raise what it raises), and resolve the output with it."""
    from pulumi.output import _OutputData

    if failed is not None:
        data.set_exception(failed)
        return
    try:
        result = _OutputData(resources=res_deps, value=value, is_known=is_known, is_secret=is_secret)
    except Exception as exc:  # noqa: BLE001 - the task of `compute_data` would have failed with it
        data.set_exception(exc)
    else:
        data.set_result(result)


class _PropertyResolver:
    """The SDK's `functools.partial(do_resolve, res, value, known, secret, deps)` over one future."""

    __slots__ = ("called", "data", "res")

    def __init__(self, res: Any, data: asyncio.Future) -> None:
        self.res, self.data, self.called = res, data, False

    def __call__(self, value: Any, is_known: bool, is_secret: bool, deps, failed) -> None:
        deps_union = set(deps) if deps else set()
        deps_union.add(self.res)
        if self.called:  # the SDK's second `deps_fut.set_result` raises this, before anything else is set
            raise asyncio.InvalidStateError("invalid state")
        self.called = True
        # `deps_fut.set_result` wakes `compute_data`'s task with `call_soon`; the task then builds the data
        # and resolves the output in that step. Settling in a `call_soon` callback placed where that wake-up
        # was keeps every consumer's wake-up in the same loop step and order as with the SDK's four futures.
        self.data.get_loop().call_soon(_settle, self.data, deps_union, value, is_known, is_secret, failed)


def lean_transfer_properties(res, props, custom: bool) -> dict[str, Any]:
    from pulumi import Output

    resolvers: dict[str, Any] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            # these properties are handled specially elsewhere (as in the SDK).
            continue
        data: asyncio.Future = asyncio.Future()
        resolvers[name] = _PropertyResolver(res, data)
        res.__dict__[name] = Output._from_data(data)
    return resolvers


# ---- fast_wait_for_rpcs -------------------------------------------------------------------


async def fast_wait_for_rpcs(await_all_outstanding_tasks=True) -> None:
    from pulumi.runtime.settings import SETTINGS, _get_rpc_manager

    rpc_manager = _get_rpc_manager()
    while True:
        # The SDK's RPC loop, unchanged.
        while len(rpc_manager.rpcs) > 0:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                    raise exn from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)

        if await_all_outstanding_tasks:
            while True:
                with SETTINGS.lock:
                    if len(SETTINGS.outputs) == 0:
                        break
                    pending: list[asyncio.Task] = list(SETTINGS.outputs)
                    SETTINGS.outputs.clear()
                # The one change: wake when all of this round's tasks are done or one fails, not at every completion.
                done, not_done = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    await task
                if not_done:
                    with SETTINGS.lock:
                        SETTINGS.outputs.update(not_done)

        if len(rpc_manager.rpcs) == 0:
            break
