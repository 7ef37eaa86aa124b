"""Suppressions: a reasoned, optionally expiring exception that lives on the resource.

A resource carries the tag (AWS), label value or Kubernetes annotation
`aiplatform.io/suppress` listing entries `<rule>=<reason>[ until YYYY-MM-DD]`:

    aip-cost-gpu-spot-required=benchmark needs on-demand capacity until 2027-01-31

Entries are separated by `;` or simply follow one another (each starts with its
rule name), so the value stays within the characters AWS allows in IAM and S3
tags (letters, digits, spaces and `_ . : / = + - @`). Because the suppression is
part of the resource's props, the real policy pack and `aiplatform check` honour
it alike.

What may be suppressed is the platform's decision, not the resource author's:
`Governance` (the config of the meta rule `aip-meta-suppression-valid`, so the
same `--policy-pack-config` JSON governs the real pack) says which rules may be
suppressed (by default no critical rule), the longest expiry (90 days from
today) and the shortest reason (3 words). An `aip-meta-*` rule is never
suppressed. An entry outside that policy is a mandatory finding of the meta rule
and suppresses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..shape.props import annotations_of, is_unknown, tags_of

SUPPRESS_KEY = "aiplatform.io/suppress"
#: Rules of this prefix judge suppressions; they are never suppressed themselves.
UNSUPPRESSIBLE_PREFIX = "aip-meta-"
#: How the meta rule words a finding about an entry outside policy (`findings` parses it back).
OUTSIDE_POLICY = "suppression of {rule} on {resource} is outside the suppression policy: {why}"
_OUTSIDE_POLICY_RE = re.compile(r"^suppression of (aip-[a-z0-9-]+) on .+? is outside the suppression policy: ")
_WORD = re.compile(r"[^\W\d_]{2,}")

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
        if not body:
            problems.append(f"{SUPPRESS_KEY}: {rule}: no reason given")
            continue
        if rule in seen:
            problems.append(f"{SUPPRESS_KEY}: {rule}: suppressed twice")
            continue
        seen.add(rule)
        entries.append(Suppression(rule, body, until))
    return Suppressions(tuple(entries), tuple(problems))


def reason_words(reason: str) -> int:
    """Words in a reason: runs of two or more letters (punctuation and digits do not count)."""
    return len(_WORD.findall(reason))


@dataclass(frozen=True)
class Governance:
    """What the platform allows to be suppressed (the meta rule's config; see `GOVERNANCE_CONFIG`)."""

    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    max_expiry_days: int = 90
    min_reason_words: int = 3

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Governance:
        return cls(allow=frozenset(settings.get("allowRules") or ()), deny=frozenset(settings.get("denyRules") or ()),
                   max_expiry_days=int(settings.get("maxExpiryDays", 90)),
                   min_reason_words=int(settings.get("minReasonWords", 3)))

    def problems(self, entry: Suppression, severity: str | None, today: dt.date) -> list[str]:
        """Why `entry` is outside this policy (empty: it is allowed). `severity` of its rule, None if unknown."""
        out: list[str] = []
        if entry.rule.startswith(UNSUPPRESSIBLE_PREFIX):
            out.append(f"{UNSUPPRESSIBLE_PREFIX}* rules judge suppressions and are never suppressed")
        elif entry.rule in self.deny:
            out.append("the policy config does not allow suppressing it (denyRules)")
        elif severity == "critical" and entry.rule not in self.allow:
            out.append("a critical rule is not suppressible unless the policy config lists it in allowRules")
        latest = today + dt.timedelta(days=self.max_expiry_days)
        if entry.until is None:
            out.append(f"no expiry: add `until YYYY-MM-DD`, at most {self.max_expiry_days} days away "
                       f"({latest.isoformat()})")
        elif entry.until > latest:
            out.append(f"expiry {entry.until.isoformat()} is more than {self.max_expiry_days} days away "
                       f"(latest {latest.isoformat()})")
        words = reason_words(entry.reason)
        if words < self.min_reason_words:
            out.append(f"the reason must have at least {self.min_reason_words} words (got {words}: {entry.reason!r})")
        return out


#: The config schema of the meta rule: the suppression policy, with its defaults.
GOVERNANCE_CONFIG: dict[str, dict[str, Any]] = {
    "allowRules": {"type": "array", "items": {"type": "string"}, "default": [],
                   "description": "Critical rules that may nevertheless be suppressed (every other non-meta "
                                  "rule may be, unless denied). `aip-meta-*` rules never are."},
    "denyRules": {"type": "array", "items": {"type": "string"}, "default": [],
                  "description": "Rules that may not be suppressed on any resource."},
    "maxExpiryDays": {"type": "integer", "minimum": 1, "default": 90,
                      "description": "A suppression needs an expiry (`until YYYY-MM-DD`) at most this many days "
                                     "from today."},
    "minReasonWords": {"type": "integer", "minimum": 1, "default": 3,
                       "description": "The reason needs at least this many words (runs of two or more letters)."},
}


def outside_policy_rule(message: str) -> str | None:
    """The rule a meta-rule message reports as suppressed outside policy, or None."""
    found = _OUTSIDE_POLICY_RE.match(message)
    return found.group(1) if found else None
