"""How wide and how colourful text output is: one answer for `plan`, `check` and `cost`.

- On a terminal: the terminal's width (`COLUMNS` when set) and colour, unless `NO_COLOR` is set
  (https://no-color.org) or `TERM=dumb`.
- Off a terminal (a pipe, a CI log, `-o file`): a fixed `OFF_TTY_WIDTH` and no colour, so the same input
  gives the same bytes everywhere. `COLUMNS` still sets the width; `FORCE_COLOR` forces colour.

Tables wrap at word boundaries only: renderers give every column at least the width of its longest word
(`fit`), and lay out long identifiers on lines of their own rather than fold them mid-word.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from typing import IO

from rich.console import Console

#: The width of text written off a terminal: fits a 100-column review pane and most CI logs.
OFF_TTY_WIDTH = 100
#: No output is laid out narrower than this (a very narrow terminal still gets readable rows).
MIN_WIDTH = 60


@dataclass(frozen=True)
class Style:
    """Where text goes: its width in columns and whether it may carry ANSI colour."""

    width: int = OFF_TTY_WIDTH
    color: bool = False

    def console(self, file: IO[str] | None = None) -> Console:
        """A console that lays out at `width` and writes colour only when `color`."""
        return Console(file=file if file is not None else io.StringIO(), width=self.width, highlight=False,
                       emoji=False, force_terminal=self.color, no_color=not self.color,
                       color_system="standard" if self.color else None, soft_wrap=False)


def _isatty(stream: IO[str] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def style_for(stream: IO[str] | None, env: dict[str, str] | None = None) -> Style:
    """The style for writing to `stream` (None: a file written with `-o`)."""
    env = dict(os.environ) if env is None else env
    tty = _isatty(stream)
    width = OFF_TTY_WIDTH
    columns = env.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    elif tty:
        width = shutil.get_terminal_size((OFF_TTY_WIDTH, 24)).columns
    color = tty and not env.get("NO_COLOR") and env.get("TERM") != "dumb"
    if env.get("FORCE_COLOR") and not env.get("NO_COLOR"):
        color = True
    return Style(width=max(width, MIN_WIDTH), color=color)
