"""Subprocess entry point of `plan_project`: run one program, write the plan as JSON.

Usage: python -m aiplatform.offline._child REQUEST.json RESULT.json
       python -m aiplatform.offline._child --wait RESULT.json    (see aiplatform._prestart)
(or `run` in a child that `offline.planserver` forked).

The speed-ups of `offline.speedups` apply here, and only here; `AIPLATFORM_PLAN_SPEEDUPS=0`
in the environment plans without them (the faithfulness test compares both).
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import sys
from pathlib import Path

from aiplatform.offline import chunks, speedups


def main(request_path: str | None, result_path: str, *, fast: bool = False) -> int:
    """Plan the request in `request_path`; with None, the engine is imported first, then the request is read from
    `request.json` beside `result_path` once a line arrives on stdin."""
    from aiplatform.offline.engine import run_program
    from aiplatform.offline.errors import PlanInputError, ProgramError
    from aiplatform.offline.fixtures import Fixtures
    from aiplatform.shape.plan import Plan

    if request_path is None:  # aiplatform._prestart: started before the CLI had read the stack's config
        result_dir = os.path.dirname(result_path)
        request_path = os.path.join(result_dir, "request.json")
        # What a platform program imports next (cloud-neutral: docs/architecture.md). By name, because this runs in
        # the planning subprocess only, never in the CLI process the import contracts keep free of provider SDKs.
        importlib.import_module("aiplatform.platform")
        if not sys.stdin.readline():
            return 0  # the CLI ended without planning; it removes the directory
        # Where a child started in the program's directory with the request's path would be: its argv, its working
        # directory, and that directory first on sys.path in place of the one this child was started in (`-m`).
        sys.argv[1:] = [request_path, result_path]
        request = json.loads(Path(request_path).read_text(encoding="utf-8"))
        started_in = os.getcwd()
        os.chdir(request["program_dir"])
        here = os.getcwd()
        sys.path[:] = [here if entry == started_in else entry for entry in sys.path]
    else:
        request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    program_dir = request["program_dir"]
    sys.path.insert(0, program_dir)

    def program() -> None:
        runpy.run_path(program_dir, run_name="__main__")
        chunks.body_done()

    def plan_once() -> Plan:
        return run_program(
            program,
            project=request["project"],
            stack=request["stack"],
            config=request["config"],
            secret_keys=request["secret_keys"],
            mode=request["mode"],
            fixtures=Fixtures.model_validate(request["fixtures"]),
            root=Path(request["root"]),
            final_collect=not fast,  # speedups.skip_final_collect
        )

    try:
        if fast:
            speedups.install()
            speedups.freeze()
        size = chunks.pools_per_chunk()
        if chunks.needs_chunks(request["config"], size):  # in one process per chunk of pools, forked from this one
            chunks.preload(request["config"])
            plan = chunks.plan_in_chunks(plan_once, size, os.path.dirname(os.path.abspath(result_path)))
        else:
            plan = plan_once()
        result = {"ok": True, "plan": plan.to_dict()}
    except PlanInputError as exc:
        result = {"ok": False, "kind": "input", "message": str(exc)}
    except ProgramError as exc:
        result = {"ok": False, "kind": "program", "message": exc.message, "where": exc.where}
    except speedups.SpeedupsUnavailableError as exc:
        result = {"ok": False, "kind": "program", "message": str(exc), "where": None}
    with open(result_path, "w", encoding="utf-8") as out:
        out.write(json.dumps(result))
        out.flush()
    return 0


def run(request_path: str | None, result_path: str) -> int:
    """What the subprocess does: plan with the speed-ups (and leave at once) unless they are turned off."""
    if speedups.enabled():
        speedups.collector_off()
        code = main(request_path, result_path, fast=True)
        speedups.exit_now(code)  # the result file is closed above
    return main(request_path, result_path)


if __name__ == "__main__":
    sys.exit(run(None, sys.argv[2]) if sys.argv[1] == "--wait" else run(sys.argv[1], sys.argv[2]))
