"""The same synthetic platform under the Pulumi SDK's stock MockMonitor (no recording, no
subprocess), to separate what the SDK itself costs per resource from what the offline
engine adds.

    .venv/bin/python benchmarks/sdk_floor.py 100 1000
"""

from __future__ import annotations

import asyncio
import json
import resource
import runpy
import sys
import tempfile
import time
from pathlib import Path

from pulumi.runtime import settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockEngine, MockMonitor, Mocks
from pulumi.runtime.stack import run_in_stack

sys.path.insert(0, str(Path(__file__).parent))
from plan import synthetic_project

from aiplatform.offline.project import load_project, load_stack_config


class EchoMocks(Mocks):
    def new_resource(self, args):
        return "", args.inputs

    def call(self, args):
        return {}


def run(pools: int) -> dict:
    tmp = Path(tempfile.mkdtemp())
    synthetic_project(tmp, pools)
    spec = load_project(tmp)
    config, secrets = load_stack_config(spec, "bench")
    sys.path.insert(0, str(spec.program_dir))
    monitor = MockMonitor(EchoMocks())
    settings.ROOT.set(None)
    settings.configure(settings.Settings(project=spec.name, stack="bench", monitor=monitor,
                                         engine=MockEngine(None), dry_run=True))
    set_all_config(config, secrets)
    loop = asyncio.new_event_loop()
    start = time.perf_counter()
    loop.run_until_complete(run_in_stack(lambda: runpy.run_path(str(spec.program_dir), run_name="__main__")))
    seconds = time.perf_counter() - start
    return {"pools": pools, "resources": len(monitor.resources), "seconds": round(seconds, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]))))
