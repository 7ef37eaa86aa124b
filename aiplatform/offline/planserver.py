"""A plan server: planning subprocesses forked from one process that has imported the SDKs already.

For a test suite that plans dozens of programs (tests/conftest.py starts one per pytest worker): a
fresh planning subprocess spends about 1.5 s importing the Pulumi SDKs before it runs the program,
and a forked one inherits them. Users never get one by default: `runner.plan_project` uses the server
only when `AIPLATFORM_PLAN_SERVER` names its socket, and otherwise starts `python -m
aiplatform.offline._child` as before.

What a forked child does is what that subprocess does (`_child.run` on the same request and result
files, with the request's environment, working directory and `sys.argv`, its stdout and stderr
captured); only the imports are inherited. The server imports modules only (no program, no event
loop, no thread, no gRPC channel), so the child starts from the state a fresh interpreter reaches
after importing them. `tests/programs/test_speedups.py` compares the plans a server's children make
(the session's plans) with fresh subprocesses' plans without the speed-ups, whole plans and source
positions included. A request from another interpreter, or for another copy of aiplatform than the
server imported, is refused, and the caller starts a subprocess instead.

Usage: python -m aiplatform.offline.planserver SOCKET (the key in `AIPLATFORM_PLAN_SERVER_KEY`).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ENV = "AIPLATFORM_PLAN_SERVER"
KEY_ENV = "AIPLATFORM_PLAN_SERVER_KEY"
#: What the server imports before it forks a child: the planning subprocess's own modules, the
#: platform and every component package (and with them the SDK modules they use).
PRELOAD = (
    "aiplatform.offline._child",
    "aiplatform.platform",
    "aiplatform.components.kubernetes",
    "aiplatform.components.aws",
    "aiplatform.components.gcp",
    "aiplatform.testing",
)


def _identity() -> dict[str, str]:
    """What a request must share with the server: the interpreter and the aiplatform package's location."""
    return {"executable": sys.executable, "package": str(Path(__file__).resolve().parent.parent)}


def submit(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> tuple[int, str] | None:
    """Plan through the server named by `AIPLATFORM_PLAN_SERVER`: the child's exit code and its output.

    None when there is no server, it cannot be reached, or it refuses the request (another interpreter
    or another copy of aiplatform): the caller then starts its own subprocess.
    """
    address, key = os.environ.get(ENV), os.environ.get(KEY_ENV, "")
    if not address or not Path(address).exists():
        return None
    from multiprocessing.connection import Client  # only a test suite with a server pays for it

    try:
        with Client(address, family="AF_UNIX", authkey=key.encode()) as conn:
            conn.send({**_identity(), "argv": argv, "env": env, "cwd": str(cwd), "timeout": timeout})
            reply: dict[str, Any] = conn.recv()
    except (OSError, EOFError):
        return None
    if "refused" in reply:
        return None
    return reply["returncode"], reply["output"]


def _become_child(request: dict[str, Any], log: Path) -> None:
    """In the forked process: become the planning subprocess of `request` and leave with its exit code."""
    code = 1
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the child's own streams, until os._exit
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # `python -m` puts the working directory first, then PYTHONPATH's entries
        extra = [request["cwd"], *filter(None, request["env"].get("PYTHONPATH", "").split(os.pathsep))]
        sys.path[:] = [*extra, *(p for p in sys.path[1:] if p not in extra)]
        from aiplatform.offline import _child as child

        sys.argv = [child.__file__, *request["argv"]]
        code = child.run(*request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported on the child's stderr, as an interpreter would
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _plan(request: dict[str, Any], scratch: Path) -> dict[str, Any]:
    log = scratch / f"child-{time.monotonic_ns()}.log"
    pid = os.fork()
    if pid == 0:
        _become_child(request, log)
    deadline = time.monotonic() + float(request["timeout"])
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    output = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    log.unlink(missing_ok=True)
    return {"returncode": os.waitstatus_to_exitcode(status), "output": output}


def serve(address: str, key: str) -> None:
    """Import `PRELOAD`, then answer plan requests on the Unix socket `address` one at a time, until told to stop."""
    from multiprocessing.connection import Listener

    for name in PRELOAD:
        importlib.import_module(name)
    identity = _identity()
    scratch = Path(address).parent
    with Listener(address, family="AF_UNIX", authkey=key.encode()) as listener:
        while True:
            try:
                conn = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    request = conn.recv()
                except (OSError, EOFError):
                    continue
                if request == "stop":
                    conn.send("stopped")
                    return
                mismatch = [k for k, v in identity.items() if request.get(k) != v]
                reply = {"refused": mismatch} if mismatch else _plan(request, scratch)
                try:
                    conn.send(reply)
                except OSError:
                    continue


def stop(address: str, key: str) -> None:
    """Ask the server at `address` to finish."""
    from multiprocessing.connection import Client

    with Client(address, family="AF_UNIX", authkey=key.encode()) as conn:
        conn.send("stop")
        conn.recv()


if __name__ == "__main__":
    serve(sys.argv[1], os.environ[KEY_ENV])
