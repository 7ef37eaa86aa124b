"""`aiplatform._exit.run`: the CLI process leaves as the interpreter's exit would, less its teardown."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: An app that writes to stdout and stderr without flushing, registers an atexit handler, keeps an object whose
#: finaliser would speak at teardown, and exits with the code given.
_APP = """
import atexit, sys, threading, time
from aiplatform._exit import run

class Noisy:
    def __del__(self):
        sys.stderr.write("teardown\\n")

kept = Noisy()

def app():
    sys.stdout.write("out")
    sys.stderr.write("err;")
    atexit.register(lambda: sys.stdout.write(";atexit"))
    if "thread" in sys.argv:
        threading.Thread(target=time.sleep, args=(0.2,)).start()
    code = sys.argv[1]
    raise SystemExit(None if code == "none" else int(code) if code.lstrip("-").isdigit() else code)

run(app)
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(_APP), *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("code", "status"), [("0", 0), ("none", 0), ("1", 1), ("2", 2), ("300", 300 % 256)])
def test_the_output_the_atexit_handlers_and_the_status_stay_and_teardown_goes(code, status):
    done = _run(code)
    assert done.returncode == status
    assert done.stdout == "out;atexit"  # written, the atexit handler ran, and both reached the pipe
    assert done.stderr == "err;"  # no finaliser ran: the interpreter's teardown was left out


@pytest.mark.parametrize("args", [("message",), ("0", "thread")])
def test_the_interpreters_exit_when_it_would_differ(args):
    """A code that is a message (the interpreter prints it, status 1), or a thread still running (the interpreter
    waits for it): the usual exit, teardown included."""
    done = _run(*args)
    assert done.returncode == (1 if args == ("message",) else 0)
    assert done.stdout == "out;atexit"
    assert done.stderr.startswith("err;")
    assert "teardown" in done.stderr
    if args == ("message",):
        assert "message" in done.stderr


def test_a_failing_flush_is_left_to_the_interpreter(monkeypatch):
    from aiplatform import _exit

    class Closed:
        def flush(self):
            raise BrokenPipeError

    ran = []
    monkeypatch.setattr(_exit.sys, "stdout", Closed())
    monkeypatch.setattr(_exit.atexit, "_run_exitfuncs", lambda: ran.append(True))
    monkeypatch.setattr(_exit.os, "_exit", lambda code: pytest.fail("left with os._exit"))
    _exit.leave(0)  # returns: the caller re-raises SystemExit, the interpreter reports the pipe as it always has
    assert ran == [True]
