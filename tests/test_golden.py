"""Golden plans: any change to what a reference stack or example deploys is deliberate and reviewed.

Regenerate after a reviewed change: python tools/golden.py --root .
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import golden  # noqa: E402

TARGETS = golden.targets(ROOT)


@pytest.mark.parametrize("file_name", sorted(TARGETS))
def test_plan_equals_its_golden_plan(file_name):
    project, stack, fixtures = TARGETS[file_name]
    mode = file_name.split(".")[-2]
    from aiplatform.testing import plan_project

    actual = golden.render(plan_project(project, stack, mode=mode, fixtures=fixtures))
    expected = (ROOT / "tests" / "golden" / file_name).read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "golden", "now", lineterm="", n=2)
        pytest.fail(f"{file_name} changed (regenerate deliberately with tools/golden.py):\n"
                    + "\n".join(list(diff)[:80]))
    assert json.loads(actual)["resources"], "a golden plan without resources proves nothing"
