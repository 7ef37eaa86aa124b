"""Users' files, read and written one hardened way, shared by every command.

Reading (`read_yaml`, `read_json`): a size cap, UTF-8 with the byte offset of a
bad byte, a nesting-depth cap (no `RecursionError` anywhere later), a YAML
alias-expansion budget (an alias bomb fails in milliseconds instead of burning
CPU), duplicate keys refused in YAML and JSON, `NaN`/`Infinity` refused in JSON.
Every failure is the caller's `UserError` subclass, naming the file.

Writing (`check_output`, `write_output`): the target of `-o` is checked before
any work; a regular file (or a symlink to one) is replaced atomically through a
temporary file beside it; a FIFO, a terminal or another character device
(`/dev/stdout`) is written to directly; nothing else is written, and no
temporary file is ever left behind.

Standard library and PyYAML only.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .problems import UserError

#: Largest user file read, in bytes (a plan of 2,000 pools is a few MB).
MAX_BYTES = 64 * 1024 * 1024
#: Deepest nesting of mappings and lists in a user file (the deepest plan is about 15).
MAX_DEPTH = 100
#: Most nodes that YAML aliases may add in total when expanded (a real file adds a few hundred).
MAX_ALIAS_NODES = 10_000


class OutputError(UserError):
    """The `-o` target cannot be written (a directory, a missing directory, a socket...)."""


class _DocumentError(Exception):
    """What is wrong inside a document, raised while reading it (becomes the caller's error)."""


# ---- reading ---------------------------------------------------------------------------------------


def read_text(path: str | Path, kind: str, error: type[UserError], max_bytes: int = MAX_BYTES) -> str:
    """A user's file as text: it exists, is at most `max_bytes` and is UTF-8 (else `error`, naming the file)."""
    file = Path(path)
    try:
        with file.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(f"{file}: no such {kind} file") from None
    except IsADirectoryError:
        raise error(f"{file}: is a directory, not a {kind} file") from None
    except OSError as exc:
        raise error(f"{file}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise error(f"{file}: larger than {max_bytes // (1024 * 1024)} MiB; not read as a {kind} file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{file}: not UTF-8 text: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
                    f"({exc.reason})") from None


def _depth_problem(value: Any, limit: int) -> str | None:
    """Where a loaded document nests deeper than `limit`, without recursing."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return f"nested deeper than {limit} levels"
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def parse_json(text: str) -> Any:
    """A JSON document, strictly: duplicate keys, NaN and Infinity refused (`_DocumentError`), depth capped."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _DocumentError(f"duplicate key {key!r}")
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise _DocumentError(f"{name} is not a number JSON allows")

    def number(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise _DocumentError(f"{text} is too large for a number")
        return value

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=number)
    except RecursionError:
        raise _DocumentError(f"nested deeper than {MAX_DEPTH} levels") from None
    problem = _depth_problem(value, MAX_DEPTH)
    if problem:
        raise _DocumentError(problem)
    return value


def read_json(path: str | Path, kind: str, error: type[UserError]) -> Any:
    """The JSON document in a user's file, or `error` saying plainly what is wrong with it."""
    text = read_text(path, kind, error)
    try:
        return parse_json(text)
    except _DocumentError as exc:
        raise error(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with a depth cap, an alias-expansion budget and no duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}
        #: The parents of the nodes being composed: the ancestors of the current node, innermost last.
        self._ancestors: list[int] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = self.anchors.get(event.anchor)
            if node is not None:
                if id(node) in self._ancestors or id(node) == id(parent):
                    raise _DocumentError(f"line {event.start_mark.line + 1}: alias *{event.anchor} refers to a node "
                                   "that contains it (a recursive document)")
                self._alias_nodes += self._size(node)
                if self._alias_nodes > MAX_ALIAS_NODES:
                    raise _DocumentError(f"line {event.start_mark.line + 1}: aliases expand to more than "
                                   f"{MAX_ALIAS_NODES} nodes (an alias bomb?)")
            return super().compose_node(parent, index)
        if len(self._ancestors) >= MAX_DEPTH:
            raise _DocumentError(f"line {event.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
        self._ancestors.append(id(parent))
        try:
            return super().compose_node(parent, index)
        finally:
            self._ancestors.pop()

    def _size(self, node: Any) -> int:
        """Nodes in `node` with every alias expanded (memoised: each distinct node is counted once)."""
        key = id(node)
        if key not in self._sizes:
            total, stack = 0, [node]
            while stack:
                item = stack.pop()
                total += 1
                if isinstance(item, yaml.SequenceNode):
                    stack.extend(item.value)
                elif isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        stack.extend((k, v))
                if total > MAX_ALIAS_NODES:
                    break
            self._sizes[key] = total
        return self._sizes[key]

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                line = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class says so
            if line is not None:
                raise _DocumentError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r} "
                               f"(first on line {line})")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


#: libyaml's parser, when PyYAML was built with it (`yaml.__with_libyaml__`), else None.
_CSafeLoader = getattr(yaml, "CSafeLoader", None)


def safe_load(text: str) -> Any:
    """`yaml.safe_load(text)`, through libyaml when PyYAML has it: for the package's own data files (the catalogs,
    the default outputs), parsed in every plan. libyaml's parser emits the same events to the same Python resolver
    and `SafeConstructor`, so the data is the same (a test compares every shipped file); about 10x faster. A document
    libyaml rejects is parsed again by the pure-Python parser, so an error reads as it always has (its marks quote
    the offending line, which libyaml's do not). Users' files go through `parse_yaml`, whose limits need the
    pure-Python composer."""
    if _CSafeLoader is not None:
        try:
            return yaml.load(text, Loader=_CSafeLoader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def parse_yaml(text: str) -> Any:
    """One YAML document, safely (`_DocumentError` or `yaml.YAMLError` on a problem)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: str | Path, kind: str, error: type[UserError], max_bytes: int = 8 * 1024 * 1024) -> Any:
    """The YAML (or JSON) document in a user's file, or `error` saying plainly what is wrong with it."""
    text = read_text(path, kind, error, max_bytes)
    try:
        value = parse_yaml(text)
    except _DocumentError as exc:
        raise error(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:
        raise error(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    return value


# ---- writing ---------------------------------------------------------------------------------------


def _direct(mode: int) -> bool:
    """Written to in place: a FIFO, a terminal or another character device."""
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def check_output(output: str | Path | None) -> None:
    """Refuse an `-o` target that cannot be written, before any work (`OutputError`, one line)."""
    if output is None:
        return
    path = Path(output)
    try:
        st = path.stat()  # follows symlinks: the target is what is written
    except FileNotFoundError:
        target = Path(os.path.realpath(path))
        if not target.parent.is_dir():
            raise OutputError(f"-o {path}: no such directory {target.parent}") from None
        return
    except OSError as exc:
        raise OutputError(f"-o {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"-o {path}: is a directory; name a file")
    if not (stat.S_ISREG(st.st_mode) or _direct(st.st_mode)):
        raise OutputError(f"-o {path}: not a regular file, a pipe or a terminal; not written")


def write_output(text: str, output: str | Path) -> None:
    """Write `text` to `output`: atomically for a regular file (through a symlink to its target), directly to
    a FIFO or a character device. Raises `OutputError`; never leaves a temporary file behind."""
    check_output(output)
    path = Path(output)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"-o {path}: {exc.strerror or exc}") from None
    data = text.encode("utf-8")
    if mode is not None and _direct(mode):
        try:
            with path.open("wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError(f"-o {path}: cannot write: {exc.strerror or exc}") from None
        return
    target = Path(os.path.realpath(path))
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        try:
            now = os.lstat(target).st_mode
        except FileNotFoundError:
            now = None
        if now is not None and not stat.S_ISREG(now):
            raise OutputError(f"-o {path}: {target} is no longer a regular file; not replaced")
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(f"-o {path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

