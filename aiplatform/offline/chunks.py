"""Chunked planning: a platform of many GPU pools planned as several runs, one process each, merged into one plan.

The SDK keeps about 29 KB of live state per resource until the program's run ends (its
Outputs, futures and pending registrations: docs/benchmarks.md, issue 22), so one run of a
platform of 1,000 pools (13,000 resources) peaks at over 600 MB. A platform's GPU pools are
a leaf subtree: nothing else reads a pool's outputs, only what its arguments say (labels,
taints, accelerator counts: `components._pool.PoolDescription`). So the planning subprocess
runs the program once per chunk of `AIPLATFORM_PLAN_CHUNK_POOLS` pools, each run in a
process forked before the program starts (the SDK and aiplatform already imported, nothing
of a run shared), one after the other; run k registers every resource but the pools outside
pools [k*size, (k+1)*size) of each platform (`components._chunk`). The plan is the first
run's, then the resources each later run registered that no earlier one did, in their run's
order. Every other resource must come out the same in every run, and the stack outputs
too: a difference is an error, not a guess.

The merged plan has the same resources, each the same record, the same outputs and the same
diagnostics as the plan of one run; the resources are in another order (a chunk's pools after
the first run's resources). It is byte-stable: the same input gives the same bytes.

Programs whose platform config is not `aiplatform:platform`, or with up to `size` pools in
it, plan in one run; so do all plans where `os.fork` does not exist.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import importlib
import json
import os
import pickle
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..components._chunk import PoolChunk, set_current
from ..shape.plan import Diagnostic, Plan
from .errors import PlanInputError, ProgramError
from .speedups import exit_now

ENV = "AIPLATFORM_PLAN_CHUNK_POOLS"
#: Pools per run: at 250 a run of the synthetic platform (13 resources a pool) peaks near 250 MB
#: (docs/benchmarks.md); fewer only adds runs, each repeating the platform's other resources.
DEFAULT_POOLS = 250
CONFIG_KEY = "aiplatform:platform"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_DIVERGED = ("differs between the runs of a chunked plan; this is a bug of aiplatform's chunked planning: plan with "
             f"{ENV}=0 to plan in one run, and report it")


def pools_per_chunk(environ: dict[str, str] | None = None) -> int:
    """`AIPLATFORM_PLAN_CHUNK_POOLS`: pools per run, 0 for one run whatever the size (default 250)."""
    raw = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not raw:
        return DEFAULT_POOLS
    if not raw.isdigit():
        raise PlanInputError(f"{ENV} must be a whole number of GPU pools per run, or 0 to plan every pool in one "
                             f"run (got {raw!r})")
    return int(raw)


def needs_chunks(config: dict[str, str], size: int) -> bool:
    """Whether the stack's `aiplatform:platform` has more than `size` GPU pools (and this system can fork)."""
    if size <= 0 or not hasattr(os, "fork"):
        return False
    try:
        pools = json.loads(config.get(CONFIG_KEY, "{}")).get("gpu_pools")
    except (ValueError, AttributeError):
        return False  # the program reports its config's problems in its one run
    return isinstance(pools, list) and len(pools) > size


def preload(config: dict[str, str]) -> None:
    """Import, once, before the first fork, what every run imports first: the platform and its cloud's builder
    (a provider SDK is seconds of imports). By name: only the planning subprocess, which runs the program, may
    import them (the CLI process imports no provider SDK)."""
    builders = importlib.import_module("aiplatform.platform.builder").BUILDERS
    cloud = json.loads(config[CONFIG_KEY]).get("cloud")
    if cloud in builders:
        importlib.import_module(builders[cloud])


def plan_in_chunks(plan_once: Callable[[], Plan], size: int, workdir: str | Path) -> Plan:
    """Run `plan_once` in one forked process per chunk of `size` pools, as many as the largest platform needs,
    and merge their plans. The first failed run's error is raised, as the one run would have raised it (every
    run checks every pool's arguments).

    While the first run registers its resources, this process loads the modules its program body loaded
    (`_import_submodules`: they are sent through a pipe when the body returns, `body_done`), on the other core,
    so that the later runs start with them.
    """
    plans: list[Plan] = []
    chunk = 0
    most_pools = size + 1  # needs_chunks said so; the first run says how many there are
    while chunk * size < most_pools:
        plan, seen = _run_forked(plan_once, PoolChunk(chunk * size, (chunk + 1) * size),
                                 Path(workdir, f"chunk-{chunk}"), _import_submodules if chunk == 0 else None)
        plans.append(plan)
        most_pools = seen if chunk == 0 else max(most_pools, seen)
        chunk += 1
    return merge(plans)


_body_done: Callable[[], None] | None = None


def body_done() -> None:
    """The program body has returned (`offline._child` calls this): in the first run of a chunked plan, the
    modules it loaded go to the planning subprocess; anywhere else, nothing happens."""
    global _body_done
    hook, _body_done = _body_done, None
    if hook is not None:
        hook()


def _import_submodules(names: list[str]) -> None:
    """Load, in the order a run loaded them, the modules it had that are submodules of packages this process has:
    the provider SDKs load theirs on first use (`pulumi_aws.eks`), and every later run would load them again.
    Not the program's own modules (top-level names this process lacks): loading one may do what only a run should.

    The SDKs' packages are lazy modules (`importlib.util.LazyLoader`: in `sys.modules`, run on their first
    attribute access), so each package is run before its submodule is imported, as it is in a run: imported
    the other way round, the import system would load the submodule twice (once from the package's `__init__`
    when it reads the package's `__path__`, once more itself). The first import that fails ends the loading;
    the later runs import the rest themselves.
    """
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            getattr(module, "__spec__", None)  # runs a lazy module; nothing for a loaded one
            continue
        parts = name.split(".")
        if len(parts) < 2 or parts[0] not in sys.modules:
            continue
        for depth in range(1, len(parts)):
            getattr(sys.modules.get(".".join(parts[:depth])), "__spec__", None)
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - it imported in the run; the later runs import it again themselves
            return


def _run_forked(plan_once: Callable[[], Plan], chunk: PoolChunk, path: Path,
                meanwhile: Callable[[list[str]], None] | None) -> tuple[Plan, int]:
    """`plan_once()` under `chunk` in a forked process: its plan and the most pools a platform had. With
    `meanwhile`, it is called here with the run's modules (`sys.modules`, in order) once its program body has
    returned, while the run goes on."""
    global _body_done
    result, output = path.with_suffix(".pickle"), path.with_suffix(".out")
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # a fork must not write what this process had buffered a second time
    modules_in, modules_out = os.pipe() if meanwhile is not None else (-1, -1)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked run: coverage does not follow it; tests check what it writes
        code = 1
        try:
            _end_with(parent)
            out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(out, 2)
            set_current(chunk)
            if meanwhile is not None:
                os.close(modules_in)
                _body_done = lambda: _send(modules_out, list(sys.modules))  # noqa: E731 - one call, once
            try:
                payload: tuple[Any, ...] = ("ok", plan_once(), chunk.most_pools)
            except PlanInputError as exc:
                payload = ("input", str(exc))
            except ProgramError as exc:
                payload = ("program", exc.message, exc.where)
            except Exception as exc:  # noqa: BLE001 - what the one run's process would have reported
                payload = ("program", f"{type(exc).__name__}: {exc}", None)
            part = result.with_suffix(".part")
            with open(part, "wb") as handle:
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(part, result)
            code = 0
        finally:
            exit_now(code)  # never back into the caller's code
    if meanwhile is not None:
        os.close(modules_out)
        with os.fdopen(modules_in, "rb") as pipe:
            sent = pipe.read()  # until the body returned, or the run ended without (nothing sent)
        meanwhile(json.loads(sent) if sent else [])
    _, status = os.waitpid(pid, 0)
    if not result.is_file():
        text = output.read_text(encoding="utf-8", errors="replace") if output.is_file() else ""
        tail = "\n".join(text.strip().splitlines()[-20:])
        raise ProgramError(f"the program's process ended without a result (exit {os.waitstatus_to_exitcode(status)}):"
                           f"\n{tail}")
    with open(result, "rb") as handle:
        payload = pickle.load(handle)  # written just now by this process's own fork
    if payload[0] == "input":
        raise PlanInputError(payload[1])
    if payload[0] == "program":
        raise ProgramError(payload[1], payload[2])
    return payload[1], payload[2]


def _end_with(parent: int) -> None:
    """Linux: this forked run is killed when the planning subprocess ends (a CLI's timeout kills that process,
    not its forks): nothing plans on for a result nobody will read."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the line above took effect
        exit_now(1)


def _send(fd: int, names: list[str]) -> None:
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(json.dumps(names).encode())


def merge(plans: list[Plan]) -> Plan:
    """One plan of the runs' plans: the first's resources, then each later run's new ones (the same record for a
    resource every run registers, the same outputs, or `ProgramError`); the first run's diagnostics, then those
    of a later run's new resources and its other diagnostics beyond the first run's."""
    first = plans[0]
    resources = list(first.resources)
    by_urn = {r.urn: r for r in resources}
    diagnostics = list(first.diagnostics)
    unattached = collections.Counter((d.severity, d.message) for d in first.diagnostics if d.urn is None)
    for plan in plans[1:]:
        if plan.outputs != first.outputs:
            raise ProgramError(f"the stack outputs {_DIVERGED}")
        new: set[str] = set()
        for resource in plan.resources:
            seen = by_urn.get(resource.urn)
            if seen is None:
                by_urn[resource.urn] = resource
                resources.append(resource)
                new.add(resource.urn)
            elif seen != resource:
                raise ProgramError(f"the resource {resource.urn} {_DIVERGED}")
        diagnostics += _new_diagnostics(plan.diagnostics, new, unattached)
    return Plan(project=first.project, stack=first.stack, mode=first.mode, resources=resources,
                outputs=first.outputs, diagnostics=diagnostics)


def _new_diagnostics(found: list[Diagnostic], new: set[str], unattached: collections.Counter[tuple[str, str]]
                     ) -> list[Diagnostic]:
    """A later run's diagnostics of its new resources, and those of no resource beyond the first run's count."""
    counts = collections.Counter(unattached)
    out = []
    for diagnostic in found:
        if diagnostic.urn is None:
            key = (diagnostic.severity, diagnostic.message)
            if counts[key] > 0:
                counts[key] -= 1
                continue
            out.append(diagnostic)
        elif diagnostic.urn in new:
            out.append(diagnostic)
    return out


__all__ = ["DEFAULT_POOLS", "ENV", "merge", "needs_chunks", "plan_in_chunks", "pools_per_chunk"]
