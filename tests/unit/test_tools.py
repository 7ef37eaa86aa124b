"""tools/_generate.py: what the repository's generators (reference docs, component schema, golden plans) share."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))

from _generate import run


def test_generators_write_under_the_given_root_and_check_without_writing(tmp_path, capsys):
    def files(root):
        return {root / "docs" / "a.md": "A\n", root / "b.txt": "B\n"}

    assert run("gen", files, "make it", ["--root", str(tmp_path), "--check"]) == 1
    assert not (tmp_path / "docs").exists()  # --check writes nothing
    assert "stale: docs/a.md (run `make it`)" in capsys.readouterr().out
    assert run("gen", files, "make it", ["--root", str(tmp_path)]) == 0
    assert (tmp_path / "docs" / "a.md").read_text() == "A\n" and (tmp_path / "b.txt").read_text() == "B\n"
    assert run("gen", files, "make it", ["--root", str(tmp_path), "--check"]) == 0
    (tmp_path / "b.txt").write_text("changed\n")
    assert run("gen", files, "make it", ["--root", str(tmp_path), "--check"]) == 1
    assert "stale: b.txt" in capsys.readouterr().out
