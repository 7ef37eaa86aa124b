"""Start the planning subprocess before the CLI's own imports, so that the two overlap.

`aiplatform plan | check | cost` spend about 0.3 s of CPU importing typer, rich, pydantic and the
CLI's modules and reading the stack's config before they start the planning subprocess, which
then spends about 0.3 s importing the Pulumi SDK and the engine before it runs the program. On a
machine with two cores those two can run at the same time: the console script (and `python -m
aiplatform.cli`) call `prestart` first (`aiplatform._entry`), with nothing but the standard library loaded; it starts
`python -m aiplatform.offline._child --wait RESULT`, which imports the engine and the platform facade
(what every plan imports first, and a platform program next: nothing cloud-specific, since the facade loads a
cloud's builder only when the config names it) and then waits for a line on its
stdin, sent once the request is written beside RESULT. `offline.runner` hands the request to that child instead of starting one
(`take`); its result is the same: the child then changes to the program's directory and puts it
first on `sys.path`, and its `sys.argv` names the request and the result, as a child started
there has them (`_child.py`). One difference: its stdin is a pipe at its end, not the CLI's.

It starts only for a command that plans a project (`plan`, `check` and `cost` without `--plan`,
not `--help`), not when PYTHONPATH has a relative entry or this package was found in the working
directory only, and not with the test suite's plan cache (`AIPLATFORM_PLAN_CACHE`: most plans are
read from it) or plan server (`AIPLATFORM_PLAN_SERVER`: plans are forked from it), nor with `AIPLATFORM_PLAN_PRESTART=0`. When the CLI exits without handing a request
over (bad input, exit 2, an unreadable `-o`), `discard` (run at exit) kills the waiting child,
waits for it and removes its temporary directory; if the CLI is killed outright, the child reads
the end of its stdin and exits on its own.

Standard library only: it runs before anything else is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

#: `AIPLATFORM_PLAN_PRESTART=0` starts the planning subprocess only when the request is ready, as before.
ENV = "AIPLATFORM_PLAN_PRESTART"
#: The commands that plan a project (with `--plan FILE`, `check` and `cost` read a plan instead).
COMMANDS = frozenset({"plan", "check", "cost"})


class Prestarted:
    """A planning subprocess waiting for its request on stdin, and the directory its result is written to."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="aiplatform-plan-")
        self.result = os.path.join(self.folder, "result.json")
        env = dict(os.environ)
        env.pop("PULUMI_CONFIG", None)  # as offline.runner does
        # cwd: an empty directory of ours, so that nothing in the user's working directory shadows a module the
        # child imports before it knows the program's directory (`-m` puts the working directory first on sys.path).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "aiplatform.offline._child", "--wait", self.result],
            cwd=self.folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, request: str, timeout: float) -> tuple[int, str, str]:
        """Hand the request (JSON) over and wait: the child's exit code, stdout and stderr."""
        with open(os.path.join(self.folder, "request.json"), "w", encoding="utf-8") as handle:
            handle.write(request)
        try:
            out, err = self.proc.communicate("go\n", timeout=timeout)
        except BaseException:
            self.discard()  # as subprocess.run does on a timeout (or Ctrl-C): kill the child, then raise
            raise
        return self.proc.returncode, out, err

    def discard(self) -> None:
        """Kill the child if it still runs, wait for it, and remove its directory."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]
        shutil.rmtree(self.folder, ignore_errors=True)


_waiting: Prestarted | None = None


def wanted(argv: list[str]) -> bool:
    """Whether the command line `argv` (without the program name) plans a project."""
    if not argv or argv[0] not in COMMANDS or os.environ.get(ENV, "1") == "0" or os.environ.get(
            "AIPLATFORM_PLAN_CACHE") or os.environ.get("AIPLATFORM_PLAN_SERVER"):
        return False
    # Python makes PYTHONPATH's entries absolute against the working directory it starts in: the program's
    # directory for a child started late, not known yet here. With a relative entry, start late as before.
    pythonpath = os.environ.get("PYTHONPATH", "")
    if not all(os.path.isabs(entry) for entry in pythonpath.split(os.pathsep) if entry) or os.pathsep * 2 in pythonpath:
        return False
    # This aiplatform found first on sys.path as the working directory (`python -m aiplatform.cli` in a source
    # tree): a child, started here or late, may import another one (an installed one, without `--wait`).
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    first = os.path.abspath(sys.path[0] or os.curdir) if sys.path else ""
    if first == here and here not in pythonpath.split(os.pathsep):
        return False
    return not any(arg == "--help" or arg == "--plan" or arg.startswith("--plan=") for arg in argv[1:])


def prestart(argv: list[str]) -> None:
    """Start the planning subprocess now if `argv` plans a project (see the module's docstring)."""
    global _waiting
    if _waiting is None and wanted(argv):
        _waiting = Prestarted()
        atexit.register(discard)


def take() -> Prestarted | None:
    """The waiting planning subprocess, once (the caller hands it a request and then calls `discard` on it)."""
    global _waiting
    started, _waiting = _waiting, None
    return started


def discard() -> None:
    """Kill and reap a planning subprocess nobody took, and remove its directory (run at exit)."""
    started = take()
    if started is not None:
        started.discard()

