"""One path grammar, one formatter, one `UserError` base for every bad input."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_problems_module_loads_without_the_pulumi_sdk():
    code = "import sys, aiplatform.problems; assert 'pulumi' not in sys.modules, 'pulumi loaded'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
