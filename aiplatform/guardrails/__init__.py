"""The aiplatform guardrails: cost and compliance rules as `pulumi_policy` policies.

Rules are pure functions of engine-shaped props (camelCase, floats, values
unknown during preview), so the same objects run in the real policy pack
(`policies/`) and offline in `aiplatform check`. Nothing here imports a provider
SDK: the pack installs the core package only, and the rules also guard
resources written by hand without aiplatform.

The rules live in `rules/`, one area per module with both clouds together; every
module there is imported on first use. Helpers (`_rule`, `_props`, `_suppress`,
`_docs`) and the shared framework tags (`frameworks`) sit beside it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from functools import lru_cache

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

from ..shape.resource import Resource

# Imported before `rules()` is defined: importing the subpackage binds the name `rules` on this
# package, and the function defined below must be what `aiplatform.guardrails.rules` means.
from . import rules as _rule_modules
from ._rule import DOCS_URL, RULES, SUPPRESSED_PREFIX, Rule, parse_suppressed_reason, resource_rule, stack_rule
from ._suppress import (
    GOVERNANCE_CONFIG,
    SUPPRESS_KEY,
    Governance,
    Suppression,
    outside_policy_rule,
    parse_suppressions,
    suppression_value,
)

PACK_NAME = "aiplatform"


def rule_modules() -> list[str]:
    """The dotted names of the rule modules (the modules of `guardrails/rules/` not starting with `_`), sorted."""
    return sorted(f"{_rule_modules.__name__}.{m.name}" for m in pkgutil.iter_modules(_rule_modules.__path__)
                  if not m.name.startswith("_"))


@lru_cache(maxsize=1)
def _load() -> None:
    for name in rule_modules():
        importlib.import_module(name)


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
    "GOVERNANCE_CONFIG",
    "PACK_NAME",
    "RULES",
    "SUPPRESSED_PREFIX",
    "SUPPRESS_KEY",
    "Governance",
    "Resource",
    "Rule",
    "Suppression",
    "outside_policy_rule",
    "parse_suppressed_reason",
    "parse_suppressions",
    "policies",
    "resource_rule",
    "rule",
    "rule_modules",
    "rules",
    "serve_pack",
    "stack_rule",
    "suppression_value",
]
