"""Reading engine-shaped props: camelCase keys, floats, secrets, values unknown in preview.

During a preview any value computed by the cloud is one of the engine's unknown
sentinels; a reader must never treat one as "set" or "not set", so lookups return
`UNKNOWN` and the rules skip what they cannot decide (the same check runs again at
`pulumi up`, when the value is known).
"""

from __future__ import annotations

import json
from typing import Any

from .paths import walk

#: The engine's unknown sentinels, one per type (pulumi_policy.proxy / the Go engine).
UNKNOWN_SENTINELS: frozenset[str] = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # bool
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (and what the Python SDK sends for all)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})
#: The sentinel the Python SDK sends for every value not known until the resource exists.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: Key and value marking a wrapped secret: `{SECRET_SIG_KEY: SECRET_SIG, "value": v}`.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: A key that is not set at all.
MISSING: Any = _Missing()


def is_unknown(value: Any) -> bool:
    """Whether `value` is one of the engine's unknown sentinels (any type's)."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def known(value: Any) -> bool:
    """Set and known: neither `MISSING`, `None` nor an unknown sentinel."""
    return value is not MISSING and value is not None and not is_unknown(value)


def redact(value: Any) -> Any:
    """The value with every secret's content replaced by `UNKNOWN` (the wrapper stays: readers see a secret)."""
    if is_secret(value):
        return {SECRET_SIG_KEY: SECRET_SIG, "value": UNKNOWN}
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def secret_strings(value: Any, inside: bool = False) -> set[str]:
    """Every string inside a secret, at any depth (what output scrubbing must never print)."""
    if is_secret(value):
        return secret_strings(value.get("value"), True)
    if isinstance(value, dict):
        return set().union(*(secret_strings(v, inside) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(secret_strings(v, inside) for v in value)) if value else set()
    return {value} if inside and isinstance(value, str) and value and value != UNKNOWN else set()


def reveal(value: Any) -> Any:
    """The value with secrets unwrapped (unknowns stay as they are), for assertions and estimates."""
    if is_secret(value):
        return reveal(value.get("value"))
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def get(props: Any, path: str, default: Any = MISSING) -> Any:
    """`a.b[0].c` in plain props. Missing -> `default`; an unknown on the way -> `UNKNOWN`."""
    return walk(props, path, default, stop=is_unknown, stopped=UNKNOWN)


def as_bool(value: Any) -> bool | None:
    """True/False for a bool or its string form (`"true"`, which some schemas use); else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_list(value: Any) -> list[Any]:
    """A list value; a scalar becomes a one-item list (IAM's `Action: "s3:GetObject"`)."""
    if isinstance(value, list):
        return value
    if value is MISSING or value is None:
        return []
    return [value]


def parse_json(value: Any) -> Any:
    """A JSON document given as a string or as an object; `UNKNOWN` if not known; None if invalid."""
    if not known(value):
        return UNKNOWN if is_unknown(value) else None
    if isinstance(value, dict | list):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def tags_of(props: dict[str, Any]) -> dict[str, Any] | Any:
    """The resource's own tags or labels: AWS `tags`, GCP `labels` (GKE: `resourceLabels`, node pools
    `nodeConfig.resourceLabels`), Kubernetes `metadata.labels`.

    Returns `UNKNOWN` when the map is unknown and `MISSING` when the resource sets none.
    """
    for path in ("tags", "labels", "resourceLabels", "nodeConfig.resourceLabels", "metadata.labels"):
        value = get(props, path)
        if value is MISSING:
            continue
        if isinstance(value, list):  # aws:autoscaling/group:Group takes [{key, value, propagateAtLaunch}]
            return {item.get("key"): item.get("value") for item in value if isinstance(item, dict)}
        return value if (isinstance(value, dict) or is_unknown(value)) else {}
    return MISSING


def annotations_of(props: dict[str, Any]) -> dict[str, Any]:
    value = get(props, "metadata.annotations")
    return value if isinstance(value, dict) else {}
