"""Regenerate the golden plans under tests/golden/ (deliberately, after a reviewed change to what a stack deploys).

    python tools/golden.py --root .            # rewrite every golden plan
    python tools/golden.py --root . --check    # exit 1 and name the plans that differ

A golden plan is `aiplatform.testing.golden_plan` of a reference stack or a Python
example, in preview and up mode: resources sorted by URN, dependency lists sorted,
source positions dropped, keys sorted. tests/programs/test_golden.py compares them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _generate import run

from aiplatform.testing import golden_plan, plan_project

STACKS = ("aws-dev", "aws-prod", "gcp-dev", "gcp-prod")
EXAMPLES = ("team-chat-service", "team-rag")
MODES = ("preview", "up")


def targets(root: Path) -> dict[str, tuple[Path, str, Path | None]]:
    """Golden file name -> (project dir, stack, fixtures file)."""
    out: dict[str, tuple[Path, str, Path | None]] = {}
    for mode in MODES:
        for stack in STACKS:
            out[f"{stack}.{mode}.json"] = (root, stack, None)
        for example in EXAMPLES:
            out[f"{example}.{mode}.json"] = (root / "examples" / example, "dev", root / "examples" / "platform-fixtures.yaml")
    return out


def render(plan) -> str:
    return json.dumps(golden_plan(plan), indent=1, sort_keys=True) + "\n"


def files(root: Path) -> dict[Path, str]:
    """Every golden plan, planned now."""
    out = {}
    for file_name, (project, stack, fixtures) in targets(root).items():
        mode = file_name.split(".")[-2]
        out[root / "tests" / "golden" / file_name] = render(plan_project(project, stack, mode=mode, fixtures=fixtures))
    return out


def main(argv: list[str] | None = None) -> int:
    return run(__doc__.splitlines()[0], files, "python tools/golden.py --root .", argv)


if __name__ == "__main__":
    sys.exit(main())
