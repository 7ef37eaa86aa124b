"""Leave the CLI's process the way the interpreter does at exit, less its teardown.

When `aiplatform plan` has written its output, the interpreter's exit still frees every module and object of the
CLI process one by one (typer, click, rich, pydantic, yaml and the package: about 360 modules), some 0.03 s that
the command's caller waits for and nobody reads. `run` calls the app and, when it exits (`SystemExit`, which typer
raises for every command, failing or not), does what the interpreter's exit does that can be seen from outside,
in its order, and then ends the process with `os._exit`:

- the `atexit` handlers run (`atexit._run_exitfuncs`: the planning subprocess's `aiplatform._prestart.discard`,
  `logging.shutdown`, `weakref.finalize` callbacks such as a `TemporaryDirectory`'s), last registered first;
- stdout and stderr are flushed;
- the exit status is the `SystemExit`'s code (None is 0).

What is not done is what no one outside the process can see: freeing objects and modules, and finalisers of
objects still alive at exit (every file the package writes is closed where it is written). The interpreter's own
exit is kept, unchanged, whenever this could differ from it: another thread is running (the interpreter would
wait for it), the code is not an int or None (the interpreter prints it) or is out of a C int's range, stdout or stderr cannot be flushed (the
interpreter reports that and exits 120), or the app ends with another exception (a traceback).

Standard library only, like `aiplatform._prestart`.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from typing import Any


def run(app: Callable[[], Any]) -> None:
    """Call `app` and leave as described in the module's docstring when it raises `SystemExit`."""
    try:
        app()
    except SystemExit as exc:
        leave(exc.code)
        raise


def leave(code: object) -> None:
    """End the process with `code` after the `atexit` handlers and the flush; return when it must exit as usual."""
    if code is None:
        code = 0
    if not isinstance(code, int) or not -(2**31) <= code < 2**31 or threading.active_count() != 1:
        return
    atexit._run_exitfuncs()  # what the interpreter's exit calls; once: it clears them
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return  # the interpreter's exit flushes again and reports the failure as it always has
    os._exit(code)
