"""The components hosted for every Pulumi language (`components/__main__.py`), and their schema.

`pulumi.provider.experimental` infers the multi-language schema from each
component's `args` annotation and its `pulumi.Output` attributes, so hosted
components live in modules without `from __future__ import annotations` and
type their args with what the analyzer accepts (str, int, float, bool, lists,
string-keyed maps, nested TypedDicts, `pulumi.Input`). Type tokens are
`aiplatform:index:<Name>` (DESIGN.md convention 3).

`python -m aiplatform.components.package` writes `components/schema.json`; a
test fails when the checked-in copy is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .kubernetes.gateway_route import GatewayRoute
from .kubernetes.inference_service import InferenceService
from .kubernetes.team_namespace import TeamNamespace

PACKAGE = "aiplatform"
#: The version the package's schema carries (the library's).
VERSION = "0.1.0"
HOSTED: list[type] = [GatewayRoute, InferenceService, TeamNamespace]
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "components" / "schema.json"


def schema() -> dict[str, Any]:
    """The package schema `pulumi package add` generates SDKs from (the same the hosted provider serves)."""
    from pulumi.provider.experimental.analyzer import Analyzer
    from pulumi.provider.experimental.schema import generate_schema

    result = Analyzer(PACKAGE).analyze(HOSTED)  # type: ignore[arg-type]
    dependencies = sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}")
    spec = generate_schema(PACKAGE, VERSION, None, result["component_definitions"], result["type_definitions"],
                           dependencies)
    return spec.to_json()


def render() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {SCHEMA_FILE}\n")


if __name__ == "__main__":
    main()
