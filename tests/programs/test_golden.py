"""Golden plans: any change to what a reference stack or example deploys is deliberate and reviewed.

Regenerate after a reviewed change: python tools/golden.py --root .
"""

from __future__ import annotations

import difflib
import json
import sys

import pytest
from conftest import ALL_STACKS, PYTHON_EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "tools"))

import golden


def test_the_golden_set_is_every_reference_stack_and_python_example_in_both_modes():
    expected = {f"{name}.{mode}.json" for name in ALL_STACKS + PYTHON_EXAMPLES for mode in ("preview", "up")}
    assert set(golden.targets(ROOT)) == expected
    assert {p.name for p in (ROOT / "tests" / "golden").glob("*.json")} == expected


@pytest.mark.parametrize("file_name", sorted(golden.targets(ROOT)))
def test_plan_equals_its_golden_plan(file_name, plans):
    name, mode, _ = file_name.rsplit(".", 2)
    by_mode = plans.preview if mode == "preview" else plans.up
    plan = by_mode.example(name) if name in PYTHON_EXAMPLES else by_mode[name]
    actual = golden.render(plan)
    expected = (ROOT / "tests" / "golden" / file_name).read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "golden", "now", lineterm="", n=2)
        pytest.fail(f"{file_name} changed (regenerate deliberately with tools/golden.py):\n"
                    + "\n".join(list(diff)[:80]))
    assert json.loads(actual)["resources"], "a golden plan without resources proves nothing"
