"""`dumps`: `json.dumps(value, indent=N)`'s text, made faster for the JSON data of a plan.

With an indent, `json.dumps` leaves its C encoder for the pure-Python one (`json.encoder._make_iterencode`, a
generator per container and per item): about 15 ms for aws-dev's 208 resources, 1 s for 13,000, and `aiplatform
plan --format json` writes that text. `dumps` writes the same text with one recursive function appending to a
list, and the C encoder's own pieces for what is not a container: `encode_basestring_ascii` for strings and keys,
`int.__repr__` and `float.__repr__` (NaN and the infinities spelled as JSON's encoder spells them) for numbers,
`null`, `true` and `false`. It follows `_make_iterencode` with `json.dumps`' defaults and an indent (separators
`","` and `": "`, keys kept in order, ASCII only, NaN allowed): the same order of type checks for items and for
keys, `{}` and `[]` for empty containers, a newline and the indent before each item and before the closing bracket.
Anything it does not spell itself (an object that is not str, int, float, bool, None, list, tuple or dict, a key
that is not str, int, float, bool or None, a container inside itself) makes it hand the whole value to
`json.dumps`, which then writes or raises exactly as it always has.
"""

from __future__ import annotations

import json
from json.encoder import INFINITY, encode_basestring_ascii
from typing import Any


class _UnspelledError(Exception):
    """A value `dumps` leaves to `json.dumps`."""


def _number(value: float) -> str:
    if value != value:
        return "NaN"
    if value == INFINITY:
        return "Infinity"
    if value == -INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    if isinstance(key, float):
        return encode_basestring_ascii(_number(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring_ascii(int.__repr__(key))
    raise _UnspelledError


def _write(value: Any, out: list[str], indent: str, level: str, open_ids: set[int]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_number(value))
    elif isinstance(value, (list, tuple, dict)):
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        if id(value) in open_ids:
            raise _UnspelledError  # a circular reference: json.dumps raises its ValueError
        open_ids.add(id(value))
        inner = level + indent
        separator = ",\n" + inner
        append = out.append
        if isinstance(value, dict):
            append("{\n" + inner)
            first = True
            for key, item in value.items():
                if first:
                    first = False
                else:
                    append(separator)
                append(encode_basestring_ascii(key) if type(key) is str else _key(key))
                append(": ")
                if type(item) is str:  # most items: spelled here (a subclass takes `json`'s order of checks above)
                    append(encode_basestring_ascii(item))
                else:
                    _write(item, out, indent, inner, open_ids)
            append("\n" + level + "}")
        else:
            append("[\n" + inner)
            first = True
            for item in value:
                if first:
                    first = False
                else:
                    append(separator)
                if type(item) is str:  # most items: spelled here (a subclass takes `json`'s order of checks above)
                    append(encode_basestring_ascii(item))
                else:
                    _write(item, out, indent, inner, open_ids)
            append("\n" + level + "]")
        open_ids.discard(id(value))
    else:
        raise _UnspelledError


def dumps(value: Any, indent: int = 2) -> str:
    """`json.dumps(value, indent=indent)`."""
    out: list[str] = []
    try:
        _write(value, out, " " * indent, "", set())
    except (_UnspelledError, RecursionError):
        return json.dumps(value, indent=indent)
    return "".join(out)
