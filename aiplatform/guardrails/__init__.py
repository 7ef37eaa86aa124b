"""The aiplatform guardrails: cost and compliance rules as `pulumi_policy` policies.

Rules are pure functions of engine-shaped props (camelCase, floats, values
unknown during preview), so the same objects run in the real policy pack
(`policies/`) and offline in `aiplatform check`. Nothing here imports a provider
SDK: the pack installs the core package only, and the rules also guard
resources written by hand without aiplatform.

Every module of this package that does not start with `_` is a rule module and
is imported on first use; adding a rule is adding a module (and its test).
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from functools import lru_cache

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

from ..shape.resource import Resource
from ._rule import DOCS_URL, RULES, SUPPRESSED_PREFIX, Rule, parse_suppressed_reason, resource_rule, stack_rule
from ._suppress import SUPPRESS_KEY, Suppression, parse_suppressions

PACK_NAME = "aiplatform"
_HELPERS = {"docs"}


@lru_cache(maxsize=1)
def _load() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name not in _HELPERS:
            importlib.import_module(f"{__name__}.{module.name}")


def rules() -> list[Rule]:
    """Every rule, sorted by name."""
    _load()
    return [RULES[name] for name in sorted(RULES)]


def rule(name: str) -> Rule:
    _load()
    return RULES[name]


def policies(today: dt.date | None = None) -> list[Policy]:
    """Every rule as a `pulumi_policy` policy, in a stable order."""
    return [r.policy(today) for r in rules()]


def serve_pack() -> None:
    """Start the policy pack (blocks: `PolicyPack` runs the analyzer's gRPC server). Only for `policies/__main__.py`."""
    PolicyPack(name=PACK_NAME, policies=policies(), enforcement_level=EnforcementLevel.ADVISORY,
               description="aiplatform cost and compliance guardrails", provider="aws,gcp,kubernetes")


__all__ = [
    "DOCS_URL",
    "PACK_NAME",
    "RULES",
    "SUPPRESSED_PREFIX",
    "SUPPRESS_KEY",
    "Resource",
    "Rule",
    "Suppression",
    "parse_suppressed_reason",
    "parse_suppressions",
    "policies",
    "resource_rule",
    "rule",
    "rules",
    "serve_pack",
    "stack_rule",
]
