"""Errors of an offline run, split by who must act: the user's input (exit 2) or the program (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class PlanInputError(Exception):
    """Bad input: project or stack files, config, fixtures, component args. CLI exit code 2."""


class ProgramError(Exception):
    """The program itself failed. CLI exit code 1. `where` is `file:line in function`."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.message}\n  at {self.where}" if self.where else self.message


def read_json(path: str | Path, kind: str, error: type[Exception]) -> Any:
    """The JSON document in a user's file, or `error` saying plainly what is wrong with it (missing, unreadable, bad JSON)."""
    file = Path(path)
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{file}: no such {kind} file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{file}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{file}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
