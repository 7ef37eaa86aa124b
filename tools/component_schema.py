"""Write (or check) `components/schema.json`, the schema of the component package, under a repository root.

    python tools/component_schema.py --root .           # rewrite components/schema.json
    python tools/component_schema.py --root . --check   # exit 1 when the checked-in copy is stale

The schema is inferred from the hosted components' type annotations, exactly as the
provider host (`components/__main__.py`) serves it. A repository tool, not shipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="the repository root")
    parser.add_argument("--check", action="store_true", help="only check that the checked-in schema is current")
    args = parser.parse_args(argv)
    target = args.root / SCHEMA_PATH
    text = render()
    if args.check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{target} is stale: run python tools/component_schema.py --root {args.root}\n")
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
