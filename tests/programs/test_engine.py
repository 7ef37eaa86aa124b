"""The offline plan engine: URNs, recorded options, preview vs up, fixtures, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aiplatform.offline import ProgramError, plan_project


def test_program_errors_say_where(tmp_path: Path):
    project = tmp_path / "proj"
    (project / "prog").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: proj\nruntime: python\nmain: prog/\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  proj:size: 3\n")
    (project / "prog" / "__main__.py").write_text(textwrap.dedent("""
        import pulumi
        size = pulumi.Config().require_int("size")
        def boom():
            raise ValueError(f"size {size} is odd")
        boom()
    """))
    with pytest.raises(ProgramError) as info:
        plan_project(project, "dev")
    assert "ValueError: size 3 is odd" in info.value.message
    assert info.value.where == "prog/__main__.py:5 in boom"
