"""The two ways to plan: what `pulumi preview` sees, or what `pulumi up` would register (standard library only)."""

from __future__ import annotations

from enum import Enum


class Mode(str, Enum):
    """preview: values computed by the cloud are unknown (what `pulumi preview` sees); up: fixture outputs."""

    preview = "preview"
    up = "up"


MODES: tuple[str, ...] = tuple(m.value for m in Mode)
