"""The cold-start budget of a model server: how long the first request waits while a service at zero starts.

`budget(...)` adds four parts from `data/cold_start.yaml`, each labelled `published` (a public figure, with its
source) or `default` (a figure this project chose where none is published):

1. node provisioning, per accelerator model (the GPU pool may be at zero too);
2. image pull: the image's compressed size / a pull throughput;
3. weight load: the model's size / the Run:ai model streamer's throughput;
4. server start (CUDA graphs, compilation, KV-cache allocation).

`InferenceService` derives its startup probe and its gateway timeouts from it, and the guardrail
`aip-serving-cold-start-budget` recomputes it from the plan's own facts (image, accelerator, model size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .instances import load_document

ORIGIN = "cold_start.yaml"
Basis = Literal["published", "default"]


class _Figure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    basis: Basis
    source: str | None = Field(default=None, pattern=r"^https://")
    note: str


class _Seconds(_Figure):
    seconds: float = Field(gt=0)


class _Value(_Figure):
    value: float = Field(gt=0)


class _Image(_Figure):
    gib: float = Field(gt=0)


class _Pull(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    images: dict[str, _Image]
    unknown_image_gib: _Image
    throughput_mib_per_second: _Value


class _Weights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    throughput_gib_per_second: _Value
    bytes_per_parameter: dict[str, float]


class _Start(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    seconds: _Value


class ColdStartTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    as_of: str
    node_provisioning: dict[str, _Seconds]
    image_pull: _Pull
    weight_load: _Weights
    server_start: _Start


@dataclass(frozen=True)
class Part:
    name: str
    seconds: int
    basis: Basis
    detail: str

    def __str__(self) -> str:
        return f"{self.name} {self.seconds}s ({self.detail}; {self.basis})"


@dataclass(frozen=True)
class Budget:
    parts: tuple[Part, ...]

    @property
    def seconds(self) -> int:
        return sum(p.seconds for p in self.parts)

    def describe(self) -> str:
        return f"{self.seconds}s = " + " + ".join(map(str, self.parts))


@lru_cache(maxsize=1)
def table() -> ColdStartTable:
    text = resources.files("aiplatform.catalog").joinpath("data", ORIGIN).read_text(encoding="utf-8")
    return load_document(ColdStartTable, text, ORIGIN)


DTYPES: tuple[str, ...] = ("bf16", "fp16", "fp8", "int8", "int4")


def model_size_gib(parameters_billion: float, dtype: str = "bf16") -> float:
    """Weights of `parameters_billion` parameters at `dtype`, GiB."""
    return parameters_billion * 1e9 * table().weight_load.bytes_per_parameter[dtype] / 2**30


def budget(*, accelerator: str | None, image: str | None, model_gib: float | None,
           pool_may_be_at_zero: bool = True) -> Budget:
    """The cold start of one replica; `model_gib` None counts no weights (and says so)."""
    t = table()
    parts = []
    if pool_may_be_at_zero:
        row = t.node_provisioning.get(accelerator or "", t.node_provisioning["default"])
        parts.append(Part("node", math.ceil(row.seconds), row.basis, f"{accelerator or 'any'} node from zero"))
    pull = t.image_pull.images.get(image or "", t.image_pull.unknown_image_gib)
    rate = t.image_pull.throughput_mib_per_second
    parts.append(Part("image", math.ceil(pull.gib * 1024 / rate.value), pull.basis if rate.basis == "published"
                      else "default", f"{pull.gib:g} GiB at {rate.value:g} MiB/s"))
    weights = t.weight_load.throughput_gib_per_second
    if model_gib is None:
        parts.append(Part("weights", 0, "default", "model size unknown"))
    else:
        parts.append(Part("weights", math.ceil(model_gib / weights.value), weights.basis,
                          f"{model_gib:g} GiB at {weights.value:g} GiB/s"))
    start = t.server_start.seconds
    parts.append(Part("start", math.ceil(start.value), start.basis, "server start"))
    return Budget(tuple(parts))


def sources() -> list[dict[str, Any]]:
    """Every figure of the table with its basis and source (docs/serving.md lists them)."""
    t = table()
    out: list[dict[str, Any]] = [{"figure": f"node provisioning {k}", "value": f"{v.seconds:g} s", "basis": v.basis,
                                  "source": v.source, "note": v.note} for k, v in t.node_provisioning.items()]
    out += [{"figure": f"image {k}", "value": f"{v.gib:g} GiB", "basis": v.basis, "source": v.source, "note": v.note}
            for k, v in t.image_pull.images.items()]
    for figure, value in (("image pull throughput", t.image_pull.throughput_mib_per_second),
                          ("weight load throughput", t.weight_load.throughput_gib_per_second),
                          ("server start", t.server_start.seconds)):
        out.append({"figure": figure, "value": f"{value.value:g}", "basis": value.basis, "source": value.source,
                    "note": value.note})
    return out


__all__ = ["DTYPES", "Budget", "ColdStartTable", "Part", "budget", "model_size_gib", "sources", "table"]
