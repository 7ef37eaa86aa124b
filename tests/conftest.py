"""Shared by both tiers: the reference stacks, their raw configs, and the one fixture that plans them.

tests/unit/ runs in this process; tests/programs/ plans whole programs in subprocesses. A program
plan is made once per test session, even across pytest-xdist workers: `plans` keeps each plan in a
file under the session's shared temporary directory, and a worker that finds another one making it
waits for the file instead of planning the same program again.

Every other plan of the session goes through the plan cache (`offline.runner.CACHE_ENV`, set here for
this process and every CLI subprocess it starts): the many CLI runs of one stack plan it once. A test
about planning itself (determinism, the speed-ups) unsets it with `monkeypatch.delenv(CACHE_ENV)`.

Each worker also has a plan server (`offline.planserver`): a plan that is not in the cache runs in a process
forked from one that has imported the SDKs already, not in a fresh interpreter. The speed-up tests plan without it
(`monkeypatch.delenv(planserver.ENV)`), so they compare the server's plans with fresh subprocesses' plans.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiplatform.offline import planserver
from aiplatform.offline.errors import PlanInputError, ProgramError
from aiplatform.offline.runner import CACHE_ENV
from aiplatform.shape.plan import Plan
from aiplatform.testing import plan_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FIXTURES = EXAMPLES / "platform-fixtures.yaml"
REFERENCE_STACKS = ("aws-dev", "aws-prod")
GCP_STACKS = ("gcp-dev", "gcp-prod")
ALL_STACKS = REFERENCE_STACKS + GCP_STACKS
PYTHON_EXAMPLES = ("team-chat-service", "team-rag")
#: How long a worker waits for a plan another worker is making.
WAIT_SECONDS = 900


def stack_platform(stack: str) -> dict[str, Any]:
    """The `aiplatform:platform` value of a reference stack, as a fresh dict."""
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return copy.deepcopy(data["config"]["aiplatform:platform"])


def config_problems(raw: dict[str, Any]) -> list[str]:
    """The problems `load_platform_config` reports for `raw` (which must be invalid), as `path: message`."""
    from aiplatform.config import ConfigError, load_platform_config

    with pytest.raises(ConfigError) as info:
        load_platform_config(raw)
    return [str(p) for p in info.value.problems]


@pytest.fixture
def dev_config() -> dict[str, Any]:
    return stack_platform("aws-dev")


@pytest.fixture
def prod_config() -> dict[str, Any]:
    return stack_platform("aws-prod")


class _SharedPlans:
    """Plans of the reference stacks and examples, made on first use and shared through files."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._memo: dict[str, str] = {}

    def _get(self, key: str, make) -> Plan:
        """A fresh Plan on every call (parsed from the shared file): a test that edits what it gets cannot
        change what the next test sees."""
        if key in self._memo:
            return self._plan(key, self._memo[key])
        result, lock = self._dir / f"{key}.json", self._dir / f"{key}.lock"
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            deadline = time.monotonic() + WAIT_SECONDS
            while not result.exists():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no plan {key} after {WAIT_SECONDS} s") from None
                time.sleep(0.2)
        else:
            os.close(fd)
            try:
                payload = {"plan": make().to_dict()}
            except (PlanInputError, ProgramError) as exc:
                payload = {"error": f"{type(exc).__name__}: {exc}"}
            tmp = result.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            tmp.replace(result)  # readers never see half a file
        text = self._memo[key] = result.read_text(encoding="utf-8")
        return self._plan(key, text)

    @staticmethod
    def _plan(key: str, text: str) -> Plan:
        payload = json.loads(text)
        if "error" in payload:
            raise AssertionError(f"planning {key} failed: {payload['error']}")
        return Plan.from_dict(payload["plan"])

    def stack(self, stack: str, mode: str = "preview") -> Plan:
        return self._get(f"{stack}.{mode}", lambda: plan_project(ROOT, stack, mode=mode))

    def example(self, name: str, mode: str = "preview") -> Plan:
        return self._get(f"example-{name}.{mode}",
                         lambda: plan_project(EXAMPLES / name, "dev", mode=mode, fixtures=EXAMPLE_FIXTURES))


class _ModePlans:
    """`plans.preview["aws-dev"]`, `plans.up.of(GCP_STACKS)`."""

    def __init__(self, shared: _SharedPlans, mode: str) -> None:
        self._shared, self.mode = shared, mode

    def __getitem__(self, stack: str) -> Plan:
        return self._shared.stack(stack, self.mode)

    def of(self, stacks: Iterable[str]) -> dict[str, Plan]:
        return {stack: self[stack] for stack in stacks}

    def example(self, name: str) -> Plan:
        return self._shared.example(name, self.mode)


class Plans:
    def __init__(self, shared: _SharedPlans) -> None:
        self.preview = _ModePlans(shared, "preview")
        self.up = _ModePlans(shared, "up")


def _session_dir(tmp_path_factory, name: str) -> Path:
    """A directory of this test session that every pytest-xdist worker shares."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session", autouse=True)
def plan_cache(tmp_path_factory) -> Iterable[Path]:
    """The session's plan cache, for `plan_project` here and in the CLI subprocesses the tests start."""
    where = _session_dir(tmp_path_factory, "aiplatform-plan-cache")
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(where)
    yield where
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture(scope="session", autouse=True)
def plan_server() -> Iterable[str]:
    """This worker's plan server (`offline.planserver`), for `plan_project` here and in the CLI subprocesses the
    tests start: each planning subprocess is forked from a process that has imported the SDKs already. Until its
    socket is up, and for a test that unsets the variable, plans start a fresh subprocess as users' do."""
    scratch = Path(tempfile.mkdtemp(prefix="aiplatform-plan-server-"))
    address, key = str(scratch / "socket"), secrets.token_hex(16)
    server = subprocess.Popen([sys.executable, "-m", "aiplatform.offline.planserver", address],
                              cwd=scratch, env={**os.environ, planserver.KEY_ENV: key},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ[planserver.ENV], os.environ[planserver.KEY_ENV] = address, key
    yield address
    os.environ.pop(planserver.ENV, None)
    os.environ.pop(planserver.KEY_ENV, None)
    try:
        planserver.stop(address, key)
        server.wait(timeout=30)
    except (OSError, EOFError, subprocess.TimeoutExpired):
        server.kill()
        server.wait()
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="session")
def plans(tmp_path_factory) -> Plans:
    """Every reference stack and example, planned through its real program once per session (both modes)."""
    return Plans(_SharedPlans(_session_dir(tmp_path_factory, "aiplatform-plans")))


def pytest_collection_finish(session) -> None:
    """Everything imported by collection (the SDKs, the package, the test modules) stays for the whole session:
    frozen out of the collector's generations, so that the full collections of in-process plans do not rescan it."""
    import gc

    gc.collect()
    gc.freeze()
