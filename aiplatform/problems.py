"""What is wrong with the user's input, said one way: `UserError`, one path grammar, one formatter.

Every "bad input" error of the library is a `UserError` (the CLI exits 2 on it).
A problem names where it is with one path grammar, `a.b[0].c` (`join`,
`loc_path`), and a pydantic `ValidationError` becomes a list of `Problem`s one
way (`problems_from_validation_error`): the platform config, the catalogs, the
usage file and the fixtures all word their problems alike.

Standard library and pydantic only: the CLI process imports this without the
Pulumi SDK.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

#: The pydantic error type that carries several located problems of one model (see `raise_problems`).
GROUPED = "aiplatform"


class UserError(Exception):
    """Bad input from the user (a file, a config value, an argument): the CLI exits 2 on it."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where (`a.b[0].c`; empty for the document itself)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def join(path: str, sub: str | int) -> str:
    """`path` extended by a key (`a` -> `a.b`), an index (`a[0]`) or a sub-path (`[0].c`, `b.c`)."""
    if isinstance(sub, int):
        return f"{path}[{sub}]"
    if not path:
        return sub
    if not sub:
        return path
    if sub.startswith("["):
        return f"{path}{sub}"
    return f"{path}.{sub}"


def loc_path(root: str, loc: Iterable[Any]) -> str:
    """The path of a pydantic error location under `root`."""
    path = root
    for part in loc:
        path = join(path, part)
    return path


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """` (did you mean 'x'?)` for the closest of `choices` (case-insensitive, by difflib's ratio), or ''."""
    options = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(options), n=1, cutoff=cutoff)
    return f" (did you mean {options[close[0]]!r}?)" if close else ""


def raise_problems(found: Sequence[tuple[str, str]]) -> None:
    """Inside a validator: raise every problem of a model at once, each as (sub-path, message)."""
    if found:
        summary = "; ".join(f"{p}: {m}" if p else m for p, m in found)
        raise PydanticCustomError(GROUPED, "{summary}", {"summary": summary, "problems": list(found)})


def message(err: dict[str, Any]) -> str:
    """One pydantic error, worded for the user."""
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind.endswith(("_type", "_parsing")) or kind in ("literal_error", "finite_number"):
        msg = f"{msg} (got {err.get('input')!r})"
    return msg


def problems_from_validation_error(exc: ValidationError, root: str = "") -> list[Problem]:
    """Flatten a pydantic error into located problems, expanding grouped ones (`raise_problems`)."""
    out: list[Problem] = []
    for err in exc.errors():
        base = loc_path(root, err["loc"])
        if err["type"] == GROUPED:
            out += [Problem(join(base, sub), msg) for sub, msg in err["ctx"]["problems"]]
        else:
            out.append(Problem(base, message(err)))
    return out


def format_problems(head: str, problems: Sequence[Problem]) -> str:
    """`head (N problems):` and then one problem a line."""
    noun = "problem" if len(problems) == 1 else "problems"
    body = "\n".join(f"  - {p}" for p in problems)
    return f"{head} ({len(problems)} {noun}):\n{body}"


def problem_lines(problems: Iterable[Problem], origin: str) -> list[str]:
    """`<origin>: <path>: <message>`, one line each: how a file's problems are listed."""
    return [f"{origin}: {p}" for p in problems]


def validation_lines(exc: ValidationError, origin: str) -> list[str]:
    """Every problem of a file's pydantic error, one line each, paths from the document's root."""
    return problem_lines(problems_from_validation_error(exc), origin)


class ProblemsError(UserError):
    """A user error listing located problems; `str()` is the head line and one problem a line."""

    def __init__(self, head: str, problems: Sequence[Problem]) -> None:
        self.head = head
        self.problems = list(problems)
        super().__init__(format_problems(head, self.problems))

