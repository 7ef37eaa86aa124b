"""The one hardened reader and writer of users' files (`aiplatform.files`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import threading
from pathlib import Path

import pytest
import yaml

from aiplatform import files
from aiplatform.files import OutputError, check_output, read_json, read_text, read_yaml, write_output
from aiplatform.problems import UserError


class BadFileError(UserError):
    pass


def _bomb() -> str:
    """The classic billion-laughs document: 9 levels of 9 aliases each (about 4e8 strings expanded)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb())
    assert path.stat().st_size < 600
    with pytest.raises(BadFileError, match=r"bomb\.yaml: line \d+: aliases expand to more than 10000 nodes"):
        read_yaml(path, "usage", BadFileError)
    # PyYAML itself composes it happily: the expansion would come later, in whoever walks the value
    assert len(yaml.safe_load(path.read_text())["i"]) == 9


def test_ordinary_anchors_and_merge_keys_still_load(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {x: 1}\none: {<<: *b, y: 2}\ntwo: *b\n")
    assert read_yaml(path, "stack", BadFileError) == {"base": {"x": 1}, "one": {"x": 1, "y": 2}, "two": {"x": 1}}


def test_a_recursive_alias_is_refused(tmp_path: Path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &x [1, *x]\n")
    with pytest.raises(BadFileError, match="recursive document"):
        read_yaml(path, "stack", BadFileError)


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path: Path):
    yml, jsn = tmp_path / "deep.yaml", tmp_path / "deep.json"
    yml.write_text("a: " + "[" * 5000 + "]" * 5000)
    jsn.write_text("[" * 50000 + "]" * 50000)
    with pytest.raises(BadFileError, match="nested deeper than 100 levels"):
        read_yaml(yml, "stack", BadFileError)
    with pytest.raises(BadFileError, match="nested deeper than 100 levels"):
        read_json(jsn, "plan", BadFileError)
    jsn.write_text("[" * 150 + "]" * 150)  # shallow enough for the decoder, too deep for what reads it
    with pytest.raises(BadFileError, match="nested deeper than 100 levels"):
        read_json(jsn, "plan", BadFileError)


def test_duplicate_keys_are_refused_in_yaml_and_json(tmp_path: Path):
    yml, jsn = tmp_path / "dup.yaml", tmp_path / "dup.json"
    yml.write_text("config:\n  a: 1\n  b: 2\n  a: 3\n")
    jsn.write_text('{"a": 1, "a": 2}')
    with pytest.raises(BadFileError, match=r"dup\.yaml: line 4: duplicate key 'a' \(first on line 2\)"):
        read_yaml(yml, "stack", BadFileError)
    with pytest.raises(BadFileError, match="dup.json: duplicate key 'a'"):
        read_json(jsn, "baseline", BadFileError)
    yml.write_text("a: {x: 1}\nb: {x: 2}\n")  # the same key in two mappings is fine
    assert read_yaml(yml, "stack", BadFileError) == {"a": {"x": 1}, "b": {"x": 2}}


@pytest.mark.parametrize("text", ["[NaN]", '{"x": Infinity}', "[-Infinity]", "[1e999]"])
def test_json_numbers_are_finite(tmp_path: Path, text: str):
    path = tmp_path / "n.json"
    path.write_text(text)
    assert json.loads(text) is not None  # the standard decoder takes them
    with pytest.raises(BadFileError, match="n.json: "):
        read_json(path, "baseline", BadFileError)


def test_non_utf8_names_the_byte_offset(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(BadFileError, match=r"latin1\.yaml: not UTF-8 text: byte 0xe9 at byte offset 9"):
        read_yaml(path, "stack", BadFileError)


def test_missing_directory_and_oversized_files(tmp_path: Path):
    with pytest.raises(BadFileError, match="no such usage file"):
        read_yaml(tmp_path / "nope.yaml", "usage", BadFileError)
    with pytest.raises(BadFileError, match="is a directory"):
        read_text(tmp_path, "usage", BadFileError)
    big = tmp_path / "big.json"
    big.write_text("[" + "0," * 1000 + "0]")
    with pytest.raises(BadFileError, match="larger than"):
        read_text(big, "plan", BadFileError, max_bytes=1000)


# ---- writing -----------------------------------------------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_output("new\n", link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the target keeps its mode
    assert _leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    write_output("x", link)
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "x"


def test_a_fifo_is_written_directly_and_the_reader_gets_everything(tmp_path: Path):
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    text = "".join(f"line {i}\n" for i in range(20000))  # larger than a pipe's buffer
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_output(text, fifo)
    reader.join()
    assert got == [text]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not replaced by a file
    assert _leftovers(tmp_path) == []


def test_a_directory_or_a_missing_parent_is_refused_before_any_work(tmp_path: Path):
    with pytest.raises(OutputError, match="is a directory"):
        check_output(tmp_path)
    with pytest.raises(OutputError, match="no such directory"):
        check_output(tmp_path / "missing" / "plan.json")
    with pytest.raises(OutputError, match="is a directory"):
        write_output("x", tmp_path)
    assert _leftovers(tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_a_socket_is_refused(tmp_path: Path):
    import socket

    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(OutputError, match="not a regular file, a pipe or a terminal"):
            check_output(path)


def test_no_temporary_file_is_left_when_the_write_fails(tmp_path: Path, monkeypatch):
    out = tmp_path / "plan.json"
    out.write_text("before")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OutputError, match="cannot write: No space left on device"):
        write_output("after", out)
    assert out.read_text() == "before" and _leftovers(tmp_path) == []

    monkeypatch.setattr(files.os, "replace", lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_output("after", out)
    assert out.read_text() == "before" and _leftovers(tmp_path) == []


def test_a_regular_file_is_replaced_atomically_with_the_umask_mode(tmp_path: Path):
    out = tmp_path / "new.json"
    old = os.umask(0o022)
    try:
        write_output("data", out)
    finally:
        os.umask(old)
    assert out.read_text() == "data" and stat.S_IMODE(out.stat().st_mode) == 0o644


_PACKAGE = Path(files.__file__).parent
_DATA_FILES = sorted([*_PACKAGE.glob("catalog/data/*.yaml"), _PACKAGE / "offline" / "default_outputs.yaml"])


@pytest.mark.parametrize("path", _DATA_FILES, ids=lambda p: p.name)
def test_safe_load_reads_every_shipped_data_file_as_pure_python_pyyaml_does(path: Path):
    text = path.read_text(encoding="utf-8")
    expected = yaml.safe_load(text)
    got = files.safe_load(text)
    assert got == expected
    assert repr(got) == repr(expected)  # the same types (dates, floats, ints) and key order


def test_safe_load_uses_libyaml_when_pyyaml_has_it():
    assert (files._CSafeLoader is not None) == yaml.__with_libyaml__


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "a: 1\n  b: 2\n", "key: 'unterminated\n", "- a\nb: c\n"])
def test_safe_load_errors_read_as_pure_python_pyyaml_s(text: str):
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        files.safe_load(text)
    assert str(got.value) == str(expected.value)
    assert type(got.value) is type(expected.value)


def test_safe_load_without_libyaml_is_pyyaml_s_safe_load(monkeypatch: pytest.MonkeyPatch):
    loaders: list[type] = []
    real_load = yaml.load

    def load(stream: str, Loader: type) -> object:  # noqa: N803 - PyYAML's name
        loaders.append(Loader)
        return real_load(stream, Loader=Loader)

    monkeypatch.setattr(files, "_CSafeLoader", None)
    monkeypatch.setattr(yaml, "load", load)
    assert files.safe_load("a: 2026-12-01\nb: [1, 2.5]\n") == {"a": dt.date(2026, 12, 1), "b": [1, 2.5]}
    assert loaders == [yaml.SafeLoader]
