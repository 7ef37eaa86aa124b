"""Suppressions: a reasoned, optionally expiring exception that lives on the resource.

A resource carries the tag (AWS), label value or Kubernetes annotation
`aiplatform.io/suppress` listing entries `<rule>=<reason>[ until YYYY-MM-DD]`:

    aip-cost-gpu-spot-required=benchmark needs on-demand capacity until 2027-01-31

Entries are separated by `;` or simply follow one another (each starts with its
rule name), so the value stays within the characters AWS allows in IAM and S3
tags (letters, digits, spaces and `_ . : / = + - @`). The reason must have at
least 10 characters. Because the suppression is part of the resource's props,
the real policy pack and `aiplatform check` honour it alike.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..shape.props import annotations_of, is_unknown, tags_of

SUPPRESS_KEY = "aiplatform.io/suppress"
MIN_REASON = 10

_ENTRY_START = re.compile(r"(?:^|[;\s])\s*(aip-[a-z0-9-]+)\s*=", re.ASCII)
_UNTIL = re.compile(r"\s+until\s+(\S+)\s*$")


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    until: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and self.until < today

    def describe(self) -> str:
        return self.reason + (f" (until {self.until.isoformat()})" if self.until else "")


@dataclass(frozen=True)
class Suppressions:
    entries: tuple[Suppression, ...]
    problems: tuple[str, ...]

    def for_rule(self, rule: str) -> Suppression | None:
        for entry in self.entries:
            if entry.rule == rule:
                return entry
        return None


NONE = Suppressions((), ())


def suppression_value(props: dict[str, Any]) -> Any:
    """The raw `aiplatform.io/suppress` value of a resource, or None."""
    for source in (tags_of(props), annotations_of(props)):
        if isinstance(source, dict) and SUPPRESS_KEY in source:
            return source[SUPPRESS_KEY]
    return None


def parse_suppressions(value: Any, known_rules: frozenset[str] | None = None) -> Suppressions:
    """Parse a suppression value; every malformed entry becomes a problem, none is dropped silently."""
    if value is None or is_unknown(value):
        return NONE
    if not isinstance(value, str):
        return Suppressions((), (f"{SUPPRESS_KEY} must be a string of `<rule>=<reason>` entries",))
    text = value.strip()
    if not text:
        return Suppressions((), (f"{SUPPRESS_KEY} is empty",))
    starts = list(_ENTRY_START.finditer(text))
    problems: list[str] = []
    if not starts or text[: starts[0].start()].strip(" ;"):
        head = text[: starts[0].start()] if starts else text
        problems.append(f"{SUPPRESS_KEY}: {head.strip()!r} is not a `<rule>=<reason>` entry")
    entries: list[Suppression] = []
    seen: set[str] = set()
    for index, match in enumerate(starts):
        rule = match.group(1)
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = text[match.end():end].strip().rstrip(";").strip()
        until: dt.date | None = None
        found = _UNTIL.search(" " + body)
        if found:
            body = (" " + body)[: found.start()].strip()
            try:
                until = dt.date.fromisoformat(found.group(1))
            except ValueError:
                problems.append(f"{SUPPRESS_KEY}: {rule}: expiry {found.group(1)!r} is not a date (YYYY-MM-DD)")
                continue
        if known_rules is not None and rule not in known_rules:
            problems.append(f"{SUPPRESS_KEY}: {rule}: no such rule")
            continue
        if len(body) < MIN_REASON:
            problems.append(
                f"{SUPPRESS_KEY}: {rule}: the reason must have at least {MIN_REASON} characters (got {body!r})"
            )
            continue
        if rule in seen:
            problems.append(f"{SUPPRESS_KEY}: {rule}: suppressed twice")
            continue
        seen.add(rule)
        entries.append(Suppression(rule, body, until))
    return Suppressions(tuple(entries), tuple(problems))
