"""A protobuf `Struct` as Python, as `json_format.MessageToDict` gives it, without its per-field dispatch.

`MessageToDict` walks a `Struct` through its descriptors, field by field; reading each `Value`'s
kind directly gives the same dict (keys in the same order, numbers as floats, `null_value` and a
`Value` of no kind as None, infinities and NaN refused with json_format's own `ValueError`) in
about half the time. The recording monitor decodes every request's properties with it
(`offline/monitor.py`), and `check` every resource's props (`check/shared.py`, which hands the
structs that carry Pulumi's special signature key, secrets, assets and archives, to the SDK's own
deserializer). Both are compared with `MessageToDict` on every reference plan in their tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format


def struct_to_dict(message: Any, special_key: str | None = None,
                   special: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """`MessageToDict(message)` of a `Struct`; a nested struct with `special_key` among its fields is
    `special(struct)` instead (when both are given)."""
    fields = message.fields
    return {key: _value(fields[key], special_key, special) for key in fields}


def _value(value: Any, special_key: str | None, special: Callable[[Any], Any] | None) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        number = value.number_value
        if math.isinf(number) or math.isnan(number):
            return json_format.MessageToDict(value)  # raises json_format's ValueError
        return number
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        fields = value.struct_value.fields
        if special is not None and special_key in fields:
            return special(value.struct_value)
        return {key: _value(fields[key], special_key, special) for key in fields}
    if kind == "list_value":
        return [_value(item, special_key, special) for item in value.list_value.values]
    return None  # null_value, or no kind set


__all__ = ["struct_to_dict"]
