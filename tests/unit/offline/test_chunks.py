"""Chunked planning's pieces: which pools a run registers, when a plan is chunked, how the runs' plans merge."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from aiplatform.components import _chunk
from aiplatform.offline import chunks
from aiplatform.offline.errors import PlanInputError, ProgramError
from aiplatform.shape.plan import Diagnostic, Plan, PlannedResource


@pytest.fixture
def no_chunk():
    yield
    _chunk.set_current(None)


def _pools(n):
    return [SimpleNamespace(name=f"p{i}") for i in range(n)]


def test_without_a_chunk_every_pool_is_created(no_chunk):
    made = _chunk.pools_of_run(_pools(3), lambda p: ("created", p.name), lambda p: ("described", p.name))
    assert made == {"p0": ("created", "p0"), "p1": ("created", "p1"), "p2": ("created", "p2")}


def test_a_chunk_creates_its_pools_and_describes_the_others_in_order(no_chunk):
    chunk = _chunk.PoolChunk(2, 4)
    _chunk.set_current(chunk)
    made = _chunk.pools_of_run(_pools(5), lambda p: "created", lambda p: "described")
    assert list(made.items()) == [("p0", "described"), ("p1", "described"), ("p2", "created"), ("p3", "created"),
                                  ("p4", "described")]
    _chunk.pools_of_run(_pools(9), lambda p: "created", lambda p: "described")  # a second platform, more pools
    _chunk.pools_of_run(_pools(1), lambda p: "created", lambda p: "described")
    assert chunk.most_pools == 9


@pytest.mark.parametrize(("value", "size"), [(None, chunks.DEFAULT_POOLS), ("", chunks.DEFAULT_POOLS), ("0", 0),
                                             (" 12 ", 12)])
def test_pools_per_chunk(value, size):
    assert chunks.pools_per_chunk({} if value is None else {chunks.ENV: value}) == size


@pytest.mark.parametrize("value", ["-1", "ten", "2.5"])
def test_a_bad_pools_per_chunk_names_the_setting(value):
    with pytest.raises(PlanInputError) as caught:
        chunks.pools_per_chunk({chunks.ENV: value})
    assert f"AIPLATFORM_PLAN_CHUNK_POOLS must be a whole number of GPU pools per run, or 0 to plan every pool in " \
           f"one run (got {value!r})" == str(caught.value)


def _config(pools):
    return {chunks.CONFIG_KEY: json.dumps({"cloud": "aws", "gpu_pools": [{"name": f"p{i}"} for i in range(pools)]})}


def test_only_a_platform_of_more_pools_than_a_chunk_is_chunked():
    assert chunks.needs_chunks(_config(3), 2)
    assert not chunks.needs_chunks(_config(2), 2)
    assert not chunks.needs_chunks(_config(300), 0)
    assert not chunks.needs_chunks({}, 2)  # another config key: one run
    assert not chunks.needs_chunks({chunks.CONFIG_KEY: "not json"}, 2)  # the run reports the config's problems
    assert not chunks.needs_chunks({chunks.CONFIG_KEY: '["a list"]'}, 2)


def _resource(name, parent=None, **inputs):
    return PlannedResource(urn=f"urn:pulumi:s::p::t::{name}", type="t", name=name, custom=True, parent=parent,
                           provider=None, protect=False, dependencies=[], inputs=inputs)


def _plan(resources, diagnostics=(), outputs=None):
    return Plan(project="p", stack="s", mode="preview", resources=list(resources),
                outputs=outputs if outputs is not None else {"a": 1}, diagnostics=list(diagnostics))


def test_merge_keeps_the_first_runs_resources_then_each_runs_new_ones():
    base, a, b, c = _resource("base"), _resource("pool-a"), _resource("pool-b"), _resource("pool-c")
    merged = chunks.merge([_plan([base, a]), _plan([b, base]), _plan([base, c])])
    assert [r.name for r in merged.resources] == ["base", "pool-a", "pool-b", "pool-c"]
    assert merged.outputs == {"a": 1} and (merged.project, merged.stack, merged.mode) == ("p", "s", "preview")


def test_merge_refuses_runs_that_disagree_on_a_resource_or_the_outputs():
    base = _resource("base", size=1)
    with pytest.raises(ProgramError) as caught:
        chunks.merge([_plan([base]), _plan([replace(base, inputs={"size": 2})])])
    assert str(caught.value).startswith("the resource urn:pulumi:s::p::t::base differs between the runs of a chunked "
                                        "plan; this is a bug of aiplatform's chunked planning: plan with "
                                        "AIPLATFORM_PLAN_CHUNK_POOLS=0")
    with pytest.raises(ProgramError, match="the stack outputs differ"):
        chunks.merge([_plan([base]), _plan([base], outputs={"a": 2})])


def test_merge_keeps_each_diagnostic_once():
    base, a, b = _resource("base"), _resource("pool-a"), _resource("pool-b")
    everywhere = Diagnostic("warning", "platform-wide")
    on_base = Diagnostic("warning", "on base", base.urn)
    first = _plan([base, a], [everywhere, on_base, Diagnostic("warning", "on a", a.urn)])
    second = _plan([base, b], [everywhere, on_base, Diagnostic("warning", "on b", b.urn),
                               Diagnostic("warning", "from pool b, no resource")])
    merged = chunks.merge([first, second])
    assert [d.message for d in merged.diagnostics] == ["platform-wide", "on base", "on a", "on b",
                                                       "from pool b, no resource"]


def _lazy_package(tmp_path, monkeypatch, name):
    """A package loaded the way the provider SDKs load theirs (`importlib.util.LazyLoader`), whose `__init__`
    imports its submodule `a`, which counts its loads."""
    import importlib.util
    import sys

    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("from .a import *\n")
    (root / "a.py").write_text("import sys\nsys.modules['tests_loads'].count += 1\nVALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "tests_loads", SimpleNamespace(count=0))
    return sys.modules["tests_loads"]


def test_a_runs_modules_are_loaded_once_each_lazy_package_first(tmp_path, monkeypatch):
    import importlib
    import sys

    loads = _lazy_package(tmp_path, monkeypatch, "lazy_sdk")
    chunks._import_submodules(["lazy_sdk.a", "a_programs_own_module", "lazy_sdk"])
    assert loads.count == 1
    assert sys.modules["lazy_sdk"].VALUE == 1 and "a_programs_own_module" not in sys.modules
    sys.modules.pop("lazy_sdk.a")
    # What running the package first avoids: importing the submodule of a lazy package not yet run loads it twice.
    loads = _lazy_package(tmp_path, monkeypatch, "lazy_sdk_2")
    importlib.import_module("lazy_sdk_2.a")
    assert loads.count == 2
    sys.modules.pop("lazy_sdk_2.a")


ORPHAN = """
import os, sys, time
from pathlib import Path
from aiplatform.offline import chunks

def plan_once():
    Path(sys.argv[1], "run.pid").write_text(str(os.getpid()))
    time.sleep(60)

chunks._run_forked(plan_once, chunks.PoolChunk(0, 1), Path(sys.argv[1], "chunk-0"), None)
"""


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_forked_run_ends_with_the_planning_subprocess(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    planner = subprocess.Popen([sys.executable, "-c", ORPHAN, str(tmp_path)])
    pid_file = tmp_path / "run.pid"
    deadline = time.monotonic() + 60
    while not pid_file.is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    run = int(pid_file.read_text())
    planner.send_signal(signal.SIGKILL)  # what a timeout does to the planning subprocess
    planner.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(run, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{run}/stat") as stat:
            if stat.read().split(") ", 1)[1].startswith("Z"):  # a zombie: ended, its reaper not yet there
                break
        time.sleep(0.05)
    else:
        os.kill(run, signal.SIGKILL)
        pytest.fail("the forked run outlived the planning subprocess")
