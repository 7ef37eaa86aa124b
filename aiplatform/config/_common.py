"""What every config section shares: the strict base model, name and Kubernetes label checks."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..labels import LABEL_PREFIX

#: Label and tag prefixes the platform writes itself; users may not set them.
RESERVED_LABEL_PREFIX = LABEL_PREFIX

_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


class Strict(BaseModel):
    """Unknown keys are errors; a validated section never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: The tag/annotation the guardrails read suppressions from (`aiplatform.guardrails._suppress`).
SUPPRESS_TAG = f"{LABEL_PREFIX}suppress"


class Suppress(Strict):
    """One guardrail suppression on the one resource it concerns; the policy config decides if it is allowed."""

    rule: str = Field(pattern=r"^aip-[a-z0-9]+(-[a-z0-9]+)+$", description="The rule's name, e.g. aip-cost-gpu-spot-required.")
    reason: str = Field(min_length=1, max_length=200, description="Why: a sentence a reviewer can judge.")
    until: dt.date = Field(description="Expiry date (YYYY-MM-DD); the policy config caps how far away (default 90 days).")

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not re.match(r"^[\w .:/+\-@,]*$", v) or re.search(r"(^|\s)aip-[a-z0-9-]+\s*=|;|\suntil\s", v):
            raise ValueError("letters, digits, spaces and _ . , : / + - @ only, no `;`, `until` or `<rule>=`")
        return v.strip()

    def entry(self) -> str:
        return f"{self.rule}={self.reason.replace(',', ' ')} until {self.until.isoformat()}"


def suppress_tags(entries: list[Suppress]) -> dict[str, str]:
    """The `aiplatform.io/suppress` tag for a resource's `suppress:` list (empty: none)."""
    if not entries:
        return {}
    return {SUPPRESS_TAG: ";".join(e.entry() for e in entries)}


def suppress_field() -> list[Suppress]:
    return Field(default_factory=list, max_length=20, description=(
        "Guardrail suppressions for this resource only: `{rule, reason, until}`; the policy config "
        "(aip-meta-suppression-valid) decides which rules, how long and how much reason."))  # type: ignore[return-value]


def name_check(value: str, max_len: int) -> str:
    if not re.match(r"^[a-z]([a-z0-9-]*[a-z0-9])?$", value) or len(value) > max_len:
        raise ValueError(
            f"{value!r} is not a valid name: lowercase letters, digits and '-', "
            f"starting with a letter, not ending with '-', at most {max_len} characters"
        )
    return value


def label_problems(labels: dict[str, str], where: str) -> list[tuple[str, str]]:
    """Kubernetes label syntax and the reserved prefix, per label, as (sub-path, message)."""
    found: list[tuple[str, str]] = []
    for key, value in labels.items():
        path = f"{where}[{key!r}]"
        prefix, _, name = key.rpartition("/")
        if (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))) or not _LABEL_NAME.match(name):
            found.append((path, "not a valid Kubernetes label key"))
        elif key.startswith(RESERVED_LABEL_PREFIX):
            found.append((path, f"the {RESERVED_LABEL_PREFIX} prefix is reserved for labels the platform sets"))
        if not _LABEL_VALUE.match(value):
            found.append((path, f"not a valid Kubernetes label value: {value!r}"))
    return found
