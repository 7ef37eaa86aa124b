"""What every config section shares: the strict base model, name and Kubernetes label checks."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..labels import LABEL_PREFIX
from ..problems import GROUPED, problems_from_validation_error, raise_problems

Found = list[tuple[str, str]]
#: How a skipped cross-field check is said (`ConfigError` lists these as notes after the problems).
SKIPPED = "not checked until the problems above are fixed: "

#: Label and tag prefixes the platform writes itself; users may not set them.
RESERVED_LABEL_PREFIX = LABEL_PREFIX

_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def cidr(value: Any) -> Any:
    """A CIDR string parsed (strict models take no string for a network otherwise); anything else refused."""
    if value is None or isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a CIDR such as 10.40.0.0/16 (got {type(value).__name__} {value!r})")
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 network ({exc})") from None


class Strict(BaseModel):
    """Unknown keys are errors; types are strict (no "0" or true for an int, no 1 for a bool) and numbers
    finite; a validated section never changes.

    A section's cross-field checks are listed in `CHECKS` as (what it checks, method name); each method takes
    the validation context and returns (sub-path, message) problems. They run once the fields validate, and
    also when some fail: on the fields that did validate, so that a field error never hides the section's
    other problems. A check that needs a failed field is skipped, and the message names it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    CHECKS: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Any, info: Any) -> Any:
        if not cls.CHECKS or not isinstance(data, Mapping):
            return handler(data)
        context = info.context or {}
        try:
            model = handler(data)
        except ValidationError as exc:
            found = [(p.path, p.message) for p in problems_from_validation_error(exc)]
            found += cls._checks_of_partial(data, exc, context)
            raise PydanticCustomError(GROUPED, "{summary}", {
                "summary": "; ".join(f"{p}: {m}" if p else m for p, m in found), "problems": found}) from None
        raise_problems(model.run_checks(context))
        return model

    def run_checks(self, context: Mapping[str, Any]) -> Found:
        return [problem for _, method in self.CHECKS for problem in getattr(self, method)(context)]

    @classmethod
    def _checks_of_partial(cls, data: Mapping[str, Any], exc: ValidationError, context: Mapping[str, Any]) -> Found:
        """The cross-field checks on the fields that validated; the ones that read a failed field are named."""
        failed = {err["loc"][0] if err["loc"] else None for err in exc.errors()}
        values: dict[str, Any] = {}
        if None not in failed:
            for name in cls.model_fields:
                if name in data and name not in failed:
                    try:
                        values[name] = _adapter(cls, name).validate_python(data[name], context=dict(context))
                    except ValidationError:
                        failed.add(name)
        else:
            failed = set(cls.model_fields)
        partial = cls.model_construct(_fields_set=set(values), **values)
        for name in failed:
            partial.__dict__.pop(name, None)  # reading it raises AttributeError: the check is skipped
        found: Found = []
        skipped: list[str] = []
        for what, method in cls.CHECKS:
            try:
                found += getattr(partial, method)(context)
            except AttributeError:
                skipped.append(what)
        if skipped:
            found.append(("", SKIPPED + ", ".join(skipped)))
        return found


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, field], config=None)


#: The tag/annotation the guardrails read suppressions from (`aiplatform.guardrails._suppress`).
SUPPRESS_TAG = f"{LABEL_PREFIX}suppress"



def _iso_date(value: object) -> object:
    """A date as the stack file gives it: `YYYY-MM-DD` (config values arrive as JSON strings); the strict
    model refuses every other string, number or bool."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a date YYYY-MM-DD (got {value!r})") from None
    return value

class Suppress(Strict):
    """One guardrail suppression on the one resource it concerns; the policy config decides if it is allowed."""

    rule: str = Field(pattern=r"^aip-[a-z0-9]+(-[a-z0-9]+)+$", description="The rule's name, e.g. aip-cost-gpu-spot-required.")
    reason: str = Field(min_length=1, max_length=200, description="Why: a sentence a reviewer can judge.")
    until: Annotated[dt.date, BeforeValidator(_iso_date)] = Field(
        description="Expiry date (YYYY-MM-DD); the policy config caps how far away (default 90 days).")

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


def is_label_key(key: str) -> bool:
    """Kubernetes label (and taint) key syntax: an optional DNS-subdomain prefix and '/', a name of at most 63."""
    prefix, _, name = key.rpartition("/")
    return not (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))) and bool(_LABEL_NAME.match(name))


def is_label_value(value: str) -> bool:
    """Kubernetes label (and taint) value syntax: empty, or at most 63 of [-A-Za-z0-9_.], alphanumeric at both ends."""
    return bool(_LABEL_VALUE.match(value))


#: RFC 1123 host names: labels of 1-63 characters, 253 in all; a leading `*.` for a wildcard listener.
_HOST_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def hostname_problem(host: str) -> str | None:
    """Why `host` is not an RFC 1123 host name a Gateway listener takes (None when it is)."""
    labels = host.split(".")
    if labels[0] == "*":
        labels = labels[1:]
    if len(host) > 253:
        return f"{len(host)} characters; a host name has at most 253"
    if len(labels) < 2:
        return f"{host!r} is not a fully qualified host name (a.example.com)"
    bad = [label for label in labels if len(label) > 63 or not _HOST_LABEL.match(label)]
    if bad:
        return (f"{host!r}: each dot-separated label is 1-63 lowercase letters, digits and '-', not starting or "
                f"ending with '-' (not: {', '.join(repr(b[:70]) for b in bad)})")
    return None


#: Ranges no platform network or allow-list may use (RFC 6890): what packets there never reach a cloud network.
SPECIAL_RANGES = {ipaddress.IPv4Network(block): what for block, what in {
    "0.0.0.0/8": "'this network' (unspecified)",
    "127.0.0.0/8": "loopback",
    "169.254.0.0/16": "link-local (instance metadata lives there)",
    "224.0.0.0/4": "multicast",
}.items()}


def special_range_problem(network: ipaddress.IPv4Network, *, allow_list: bool = False) -> str | None:
    """Why `network` is not a usable range (None when it is).

    A network the platform creates may not overlap a special-purpose block; an allow-list entry may
    be broad (how broad is the exposure rules' call) but not lie inside one (nothing there ever calls).
    """
    for block, what in SPECIAL_RANGES.items():
        if network.subnet_of(block) if allow_list else network.overlaps(block):
            return f"{network} {'is in' if allow_list else 'overlaps'} {block}, {what}"
    return None


def label_problems(labels: dict[str, str], where: str) -> list[tuple[str, str]]:
    """Kubernetes label syntax and the reserved prefix, per label, as (sub-path, message)."""
    found: list[tuple[str, str]] = []
    for key, value in labels.items():
        path = f"{where}[{key!r}]"
        if not is_label_key(key):
            found.append((path, "not a valid Kubernetes label key"))
        elif key.startswith(RESERVED_LABEL_PREFIX):
            found.append((path, f"the {RESERVED_LABEL_PREFIX} prefix is reserved for labels the platform sets"))
        if not is_label_value(value):
            found.append((path, f"not a valid Kubernetes label value: {value!r}"))
    return found
