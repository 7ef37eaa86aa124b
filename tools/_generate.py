"""What every generator in tools/ shares: `--root` and `--check`, and writing (or checking) its files."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path


def run(description: str, files: Callable[[Path], Mapping[Path, str]], command: str,
        argv: list[str] | None = None) -> int:
    """Parse `--root DIR [--check]`; write every generated file under the root, or with `--check`
    write nothing and exit 1 naming each file that is missing or differs (and the `command` to fix it)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--root", type=Path, required=True, help="the repository root")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 if any is stale")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    stale = []
    for path, text in files(root).items():
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(root)}")
    for path in stale:
        print(f"stale: {path.relative_to(root)} (run `{command}`)")
    return 1 if stale else 0
