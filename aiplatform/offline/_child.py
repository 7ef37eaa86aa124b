"""Subprocess entry point of `plan_project`: run one program, write the plan as JSON.

Usage: python -m aiplatform.offline._child REQUEST.json RESULT.json
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path


def main(request_path: str, result_path: str) -> int:
    from aiplatform.offline.engine import run_program
    from aiplatform.offline.errors import PlanInputError, ProgramError
    from aiplatform.offline.fixtures import Fixtures

    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    program_dir = request["program_dir"]
    sys.path.insert(0, program_dir)

    def program() -> None:
        runpy.run_path(program_dir, run_name="__main__")

    try:
        plan = run_program(
            program,
            project=request["project"],
            stack=request["stack"],
            config=request["config"],
            secret_keys=request["secret_keys"],
            mode=request["mode"],
            fixtures=Fixtures.model_validate(request["fixtures"]),
            root=Path(request["root"]),
        )
        result = {"ok": True, "plan": plan.to_dict()}
    except PlanInputError as exc:
        result = {"ok": False, "kind": "input", "message": str(exc)}
    except ProgramError as exc:
        result = {"ok": False, "kind": "program", "message": exc.message, "where": exc.where}
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
