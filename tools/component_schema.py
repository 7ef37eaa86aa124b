"""Write (or check) `components/schema.json`, the schema of the component package, under a repository root.

    python tools/component_schema.py --root .           # rewrite components/schema.json
    python tools/component_schema.py --root . --check   # exit 1 when the checked-in copy is stale

The schema is inferred from the hosted components' type annotations, exactly as the
provider host (`components/__main__.py`) serves it. A repository tool, not shipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from _generate import run

from aiplatform.components.package import HOSTED, PACKAGE, VERSION

#: Where the schema lives, relative to the repository root.
SCHEMA_PATH = Path("components") / "schema.json"


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


def main(argv: list[str] | None = None) -> int:
    return run(__doc__.splitlines()[0], lambda root: {root / SCHEMA_PATH: render()},
               "python tools/component_schema.py --root .", argv)


if __name__ == "__main__":
    sys.exit(main())
