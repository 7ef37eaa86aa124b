"""The layout's promises that no contract of import-linter states: no import cycle at all, small modules.

`lint-imports` (contracts in pyproject.toml) checks the layers and the forbidden imports; this adds
what a layers contract cannot see: a cycle inside one layer, or between two unlisted modules. grimp
reads every import, including those inside functions, so a lazy import that closes a cycle counts.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "aiplatform"


def test_the_import_contracts_hold():
    """`lint-imports` as CI runs it (the contracts live in pyproject.toml)."""
    import subprocess
    import sys

    root = PACKAGE.parent
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe)], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout
