"""Fingerprints of third-party functions that aiplatform re-states or replaces.

`offline/speedups.py` replaces Pulumi SDK functions in the planning subprocess and `check/shared.py`
re-states pulumi_policy's analyzer; each records the sha256 of the sources it was proven against and
refuses to run when the installed package's differ, rather than planning or analysing differently.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Mapping
from typing import Any


def fingerprint(func: Any) -> str:
    """The first 16 hex digits of the sha256 of `func`'s source."""
    return hashlib.sha256(inspect.getsource(func).encode()).hexdigest()[:16]


def changed(functions: Mapping[str, Any], expected: Mapping[str, str]) -> list[str]:
    """The names in `functions` whose function is missing (None) or whose source differs from `expected`."""
    return [name for name, func in functions.items() if func is None or fingerprint(func) != expected[name]]
