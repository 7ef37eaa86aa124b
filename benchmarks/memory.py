"""Where a large plan's memory goes: the objects a synthetic platform's plan leaves alive, per resource.

Plans a synthetic platform of 10 GPU pools first (so every module the program imports is
loaded, then frozen out of the count), then N pools, in this process the way the planning
subprocess does (collector off, speed-ups installed, no final collection), and prints the
peak RSS, the memory per resource above the imports, the tracked objects by type per
resource (shallow sizes: strings, numbers and protobuf messages are not counted), and how
many of them a collection frees once the plan has returned (the run's state, held while the
program runs: with the collector on, a plan's peak is barely lower).

    PYTHONPATH=. .venv/bin/python benchmarks/memory.py 100
"""

from __future__ import annotations

import collections
import gc
import json
import resource
import runpy
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from plan import synthetic_project

from aiplatform.offline import speedups
from aiplatform.offline.engine import run_program
from aiplatform.offline.project import load_project, load_stack_config


def plan(pools: int, final_collect: bool = False):
    directory = Path(tempfile.mkdtemp())
    synthetic_project(directory, pools)
    spec = load_project(directory)
    config, secrets = load_stack_config(spec, "bench")
    sys.path.insert(0, str(spec.program_dir))
    return run_program(lambda: runpy.run_path(str(spec.program_dir), run_name="__main__"), project=spec.name,
                       stack="bench", config=config, secret_keys=secrets, root=spec.root, final_collect=final_collect)


def main(pools: int) -> None:
    gc.disable()
    speedups.install()
    plan(10, final_collect=True)  # imports every module the program uses
    gc.freeze()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = plan(pools)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(result.resources)
    counts: collections.Counter[str] = collections.Counter()
    sizes: collections.Counter[str] = collections.Counter()
    for obj in gc.get_objects():  # what this plan created and still holds (the rest is frozen)
        name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        counts[name] += 1
        sizes[name] += sys.getsizeof(obj)
    print(json.dumps({"pools": pools, "resources": n, "rss_before_mb": round(before), "peak_mb": round(peak),
                      "kb_per_resource": round((peak - before) * 1024 / n, 1), "unreachable_after_the_run": gc.collect()}))
    print("\n| type | objects per resource | shallow KB per resource |")
    print("|---|---|---|")
    for name, size in sizes.most_common(12):
        print(f"| {name} | {counts[name] / n:.1f} | {size / 1024 / n:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
