"""The cloud registry: one `CloudRules` per cloud. A new cloud is a module here and one line below."""

from __future__ import annotations

from ._rules import CloudDefaults, CloudRules
from .aws import AWS
from .gcp import GCP

CLOUDS: dict[str, CloudRules] = {"aws": AWS, "gcp": GCP}
#: The cloud a section assumes when the config names none it knows (the first registered).
DEFAULT_CLOUD = next(iter(CLOUDS))


def rules_of(cloud: str) -> CloudRules:
    """The rules of a registered cloud; KeyError naming the registered ones otherwise."""
    try:
        return CLOUDS[cloud]
    except KeyError:
        raise KeyError(f"unknown cloud {cloud!r} (clouds: {', '.join(CLOUDS)})") from None


def foreign_fields(cloud: str, section: str) -> list[str]:
    """The fields of `section` that other clouds take and `cloud` does not, in registry order."""
    mine = set(rules_of(cloud).fields.get(section, ()))
    out: list[str] = []
    for name, rules in CLOUDS.items():
        if name != cloud:
            out += [f for f in rules.fields.get(section, ()) if f not in mine and f not in out]
    return out


def not_applicable(cloud: str, section: str, model: object, prefix: str = "") -> list[tuple[str, str]]:
    """(path, message) for each field of another cloud that `model` (a section of `cloud`) was given."""
    rules = rules_of(cloud)
    found = []
    for f in foreign_fields(cloud, section):
        if f in model.model_fields_set and getattr(model, f) not in (None, []):  # type: ignore[attr-defined]
            why = rules.refusals.get(f"{section}.{f}" if section else f)
            found.append((f"{prefix}{f}", f"does not apply to cloud {cloud}" + (f" ({why})" if why else "")))
    return found


__all__ = ["AWS", "CLOUDS", "DEFAULT_CLOUD", "GCP", "CloudDefaults", "CloudRules", "foreign_fields",
           "not_applicable", "rules_of"]
