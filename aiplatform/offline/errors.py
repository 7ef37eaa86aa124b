"""Errors of an offline run, split by who must act: the user's input (exit 2) or the program (exit 1)."""

from __future__ import annotations

from ..problems import UserError


class PlanInputError(UserError):
    """Bad input: project or stack files, config, fixtures, component args. CLI exit code 2."""


class ProgramError(Exception):
    """The program itself failed. CLI exit code 1. `where` is `file:line in function`."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.message}\n  at {self.where}" if self.where else self.message


#: How a program's missing config key names the file to put it in (the runner adds the folder).
STACK_FILE = "Pulumi.{stack}.yaml"
