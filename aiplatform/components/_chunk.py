"""Which of a platform's GPU pools this run registers, when an offline plan is made in chunks.

A platform of hundreds of pools plans in the offline engine as several runs of the same
program (`aiplatform.offline.chunks`), each in a process of its own, so that no process
holds the SDK's state for every resource at once (docs/benchmarks.md, issue 22). Each run
registers every resource of the platform but the GPU pools outside its chunk; for those the
platform keeps the pool's description (`describe` of the pool kind: its arguments checked
as its constructor checks them, and what the platform reads of a pool, with no resource).
Nothing reads a pool's outputs, so every other resource is the same in every run, and the
runs' plans merge into the whole plan.

Only the offline planning subprocess sets a chunk. In a real `pulumi up`, in-process plans
(`aiplatform.testing`) and every plan of up to `AIPLATFORM_PLAN_CHUNK_POOLS` pools, there is
no chunk and every pool is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


@dataclass
class PoolChunk:
    """Pools `start` (included) to `stop` (excluded) of each platform's `gpu_pools` list register in this run."""

    start: int
    stop: int
    most_pools: int = 0
    """The most pools one platform of the program has: how many chunks the whole plan needs."""

    def registers(self, index: int) -> bool:
        return self.start <= index < self.stop


#: The chunk of this run; None (every pool registers) unless the offline planning subprocess set one.
_current: PoolChunk | None = None


def set_current(chunk: PoolChunk | None) -> None:
    """Set this process's chunk (the offline planning subprocess only, in the process of one run)."""
    global _current
    _current = chunk


class _Named(Protocol):
    name: str


P = TypeVar("P", bound=_Named)
T = TypeVar("T")


def pools_of_run(pools: Sequence[P], create: Callable[[P], T], describe: Callable[[P], T]) -> dict[str, T]:
    """Pool name -> `create(pool)` for the pools this run registers, `describe(pool)` for the others, in order."""
    chunk = _current
    if chunk is None:
        return {pool.name: create(pool) for pool in pools}
    chunk.most_pools = max(chunk.most_pools, len(pools))
    return {pool.name: (create if chunk.registers(i) else describe)(pool) for i, pool in enumerate(pools)}


__all__ = ["PoolChunk", "pools_of_run", "set_current"]
