"""One way to word a pydantic validation error for the user: `<origin>: <path>: <message>`, one line each."""

from __future__ import annotations

from pydantic import ValidationError


def validation_lines(exc: ValidationError, origin: str) -> list[str]:
    """Every problem of `exc` with its path (`(root)` for the document itself)."""
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"{origin}: {path}: {err['msg'].removeprefix('Value error, ')}")
    return lines
