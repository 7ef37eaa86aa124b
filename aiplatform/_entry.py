"""The `aiplatform` console script: start the planning subprocess (`aiplatform._prestart`), then run the CLI.

Not `aiplatform.cli:main` itself: importing that module loads typer, rich and pydantic first, which is the time
the planning subprocess is meant to overlap.
"""

from __future__ import annotations

import sys

from ._prestart import prestart


def main() -> None:
    prestart(sys.argv[1:])
    from .cli import main as cli_main

    cli_main()
