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
import re
from collections.abc import Callable, Iterable, Sequence
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


def shown(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it in YAML: `true`, `null`, `'3'`, `2.5`, `[]` (cut at `limit` characters)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _number(value: Any) -> str:
    """A bound as the user would write it: 1 for 1.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _choices(expected: str) -> list[str]:
    """`'a', 'b' or 'c'` (pydantic's list of literals) as ['a', 'b', 'c']."""
    return re.findall(r"'((?:[^'\\]|\\.)*)'", expected)


def _one_of(err: dict[str, Any], ctx: dict[str, Any]) -> str:
    choices = _choices(str(ctx.get("expected", "")))
    given = err.get("input")
    hint = did_you_mean(given, choices) if isinstance(given, str) else ""
    return f"must be one of {', '.join(choices)} (got {shown(given)}){hint}"


def _items(ctx: dict[str, Any], bound: str) -> str:
    noun = "item" if ctx[bound] == 1 else "items"
    return f"{ctx[bound]} {noun} (got {ctx.get('actual_length')})"


def _chars(ctx: dict[str, Any], bound: str) -> str:
    noun = "character" if ctx[bound] == 1 else "characters"
    return f"{ctx[bound]} {noun}"


#: How each pydantic error type is said in the project's words: "must be ... (got X)", "required", "unknown key".
#: A type not listed keeps pydantic's text with its "Input should" made "must" (`message`).
WORDING: dict[str, Callable[[dict[str, Any], dict[str, Any]], str]] = {
    "missing": lambda err, ctx: "required",
    "extra_forbidden": lambda err, ctx: "unknown key",
    "int_type": lambda err, ctx: f"must be an integer (got {shown(err.get('input'))})",
    "int_parsing": lambda err, ctx: f"must be an integer (got {shown(err.get('input'))})",
    "int_from_float": lambda err, ctx: f"must be an integer (got {shown(err.get('input'))})",
    "float_type": lambda err, ctx: f"must be a number (got {shown(err.get('input'))})",
    "float_parsing": lambda err, ctx: f"must be a number (got {shown(err.get('input'))})",
    "finite_number": lambda err, ctx: f"must be a finite number (got {shown(err.get('input'))})",
    "bool_type": lambda err, ctx: f"must be true or false (got {shown(err.get('input'))})",
    "bool_parsing": lambda err, ctx: f"must be true or false (got {shown(err.get('input'))})",
    "string_type": lambda err, ctx: f"must be a string (got {shown(err.get('input'))})",
    "list_type": lambda err, ctx: f"must be a list (got {shown(err.get('input'))})",
    "tuple_type": lambda err, ctx: f"must be a list (got {shown(err.get('input'))})",
    "set_type": lambda err, ctx: f"must be a list (got {shown(err.get('input'))})",
    "dict_type": lambda err, ctx: f"must be a mapping (got {shown(err.get('input'))})",
    "model_type": lambda err, ctx: f"must be a mapping (got {shown(err.get('input'))})",
    "model_attributes_type": lambda err, ctx: f"must be a mapping (got {shown(err.get('input'))})",
    "date_type": lambda err, ctx: f"must be a date YYYY-MM-DD (got {shown(err.get('input'))})",
    "date_from_datetime_inexact": lambda err, ctx: f"must be a date YYYY-MM-DD (got {shown(err.get('input'))})",
    "date_from_datetime_parsing": lambda err, ctx: f"must be a date YYYY-MM-DD (got {shown(err.get('input'))})",
    "literal_error": _one_of,
    "enum": _one_of,
    "greater_than": lambda err, ctx: f"must be more than {_number(ctx['gt'])} (got {shown(err.get('input'))})",
    "greater_than_equal": lambda err, ctx: f"must be at least {_number(ctx['ge'])} (got {shown(err.get('input'))})",
    "less_than": lambda err, ctx: f"must be less than {_number(ctx['lt'])} (got {shown(err.get('input'))})",
    "less_than_equal": lambda err, ctx: f"must be at most {_number(ctx['le'])} (got {shown(err.get('input'))})",
    "multiple_of": lambda err, ctx: f"must be a multiple of {_number(ctx['multiple_of'])} (got {shown(err.get('input'))})",
    "too_short": lambda err, ctx: f"must have at least {_items(ctx, 'min_length')}",
    "too_long": lambda err, ctx: f"must have at most {_items(ctx, 'max_length')}",
    "string_too_short": lambda err, ctx: ("must not be empty" if ctx["min_length"] == 1 else
                                          f"must be at least {_chars(ctx, 'min_length')} (got {shown(err.get('input'))})"),
    "string_too_long": lambda err, ctx: f"must be at most {_chars(ctx, 'max_length')} (got {len(str(err.get('input')))})",
    "string_pattern_mismatch": lambda err, ctx: f"must match {ctx['pattern']} (got {shown(err.get('input'))})",
    "value_error": lambda err, ctx: str(err["msg"]).removeprefix("Value error, "),
    "assertion_error": lambda err, ctx: str(err["msg"]).removeprefix("Assertion failed, ").split("\n")[0],
}

#: pydantic's own openings, for a type `WORDING` does not list.
_PYDANTIC_OPENING = re.compile(r"^(Input|String|List|Value|Dictionary|Tuple|Set|Decimal|Date|Datetime|URL) should")


def message(err: dict[str, Any]) -> str:
    """One pydantic error, worded for the user (`WORDING`, by the error's type)."""
    say = WORDING.get(err["type"])
    if say is not None:
        try:
            return say(err, dict(err.get("ctx") or {}))
        except (KeyError, TypeError):  # a context this pydantic does not give: the generic wording below
            pass
    msg = _PYDANTIC_OPENING.sub("must", str(err["msg"]))
    return f"{msg} (got {shown(err.get('input'))})" if "input" in err and "(got " not in msg else msg


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

