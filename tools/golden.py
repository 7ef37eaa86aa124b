"""Regenerate the golden plans under tests/golden/ (deliberately, after a reviewed change to what a stack deploys).

    python tools/golden.py --root .            # rewrite every golden plan
    python tools/golden.py --root . --check    # exit 1 and name the plans that differ

A golden plan is `aiplatform.testing.golden_plan` of a reference stack or a Python
example, in preview and up mode: resources sorted by URN, dependency lists sorted,
source positions dropped, keys sorted. tests/programs/test_golden.py compares them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="the repository root")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out_dir = root / "tests" / "golden"
    out_dir.mkdir(parents=True, exist_ok=True)
    differ = []
    for file_name, (project, stack, fixtures) in targets(root).items():
        mode = file_name.split(".")[-2]
        text = render(plan_project(project, stack, mode=mode, fixtures=fixtures))
        path = out_dir / file_name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                differ.append(file_name)
        else:
            path.write_text(text, encoding="utf-8")
    for name in differ:
        print(f"differs: tests/golden/{name}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
