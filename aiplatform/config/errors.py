"""`ConfigError`: the platform config is invalid, with every problem and its path."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from ..problems import Problem, ProblemsError
from ._common import SKIPPED

#: The config key (`aiplatform:platform`) and the root of every problem path.
CONFIG_KEY = "platform"
ROOT = "platform"


class ConfigError(ProblemsError, pulumi.RunError):
    """The platform config is invalid. `str()` lists every problem, one a line.

    A `UserError` (the CLI exits 2) and a `pulumi.RunError`, so that under
    `pulumi up` the program fails with this message and no traceback.
    """

    def __init__(self, problems: Sequence[Problem], source: str = "") -> None:
        self.source = source
        #: Cross-field checks that could not run because fields they read have errors (see `Strict`).
        self.skipped = [p for p in problems if p.message.startswith(SKIPPED)]
        super().__init__(f"invalid platform config{f' in {source}' if source else ''}",
                         [p for p in problems if p not in self.skipped])
        if self.skipped:
            self.args = (self.args[0] + "".join(f"\n  note: {p}" for p in self.skipped),)
