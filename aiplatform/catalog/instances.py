"""Instance-type catalog: loader and lookups."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources
from typing import Literal, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..files import safe_load
from ..problems import UserError, validation_lines

AcceleratorVendor = Literal["nvidia", "aws-neuron"]
Cloud = Literal["aws", "gcp"]
#: The clouds the catalog has data for (one instance and one price file each).
CLOUDS: tuple[str, ...] = get_args(Cloud)
#: Instance (AWS) or machine (GCP) type names: `g6.xlarge`, `g2-standard-8`.
TYPE_PATTERN = r"^[a-z0-9]+(\.[a-z0-9]+|(-[a-z0-9]+)+)$"

#: The Kubernetes extended resource each accelerator vendor's device plugin advertises.
DEVICE_RESOURCE: dict[str, str] = {
    "nvidia": "nvidia.com/gpu",
    "aws-neuron": "aws.amazon.com/neuron",
}


class CatalogError(UserError, ValueError):
    """The catalog data file is malformed."""


class Accelerator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    vendor: AcceleratorVendor
    model: str = Field(min_length=1)
    count: int = Field(ge=1)
    memory_gib: int = Field(ge=1, description="Memory of one accelerator, GiB.")
    gcp_type: str | None = Field(None, pattern=r"^nvidia-[a-z0-9-]+$",
                                 description="GCP: the accelerator type a node pool's guestAccelerators names.")
    mig_profiles: list[str] = Field(default_factory=list,
                                    description="MIG partition sizes the accelerator supports, e.g. 1g.5gb.")

    @property
    def device_resource(self) -> str:
        return DEVICE_RESOURCE[self.vendor]


class InstanceType(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(pattern=TYPE_PATTERN)
    accelerator: Accelerator | None = None
    vcpu: int = Field(ge=1)
    memory_gib: float = Field(gt=0)
    source: str = Field(pattern=r"^https://")

    @property
    def family(self) -> str:
        return re.split(r"[.-]", self.type, maxsplit=1)[0]


class InstanceCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    cloud: Cloud = "aws"
    instance_types: list[InstanceType] = Field(min_length=1)

    @field_validator("instance_types")
    @classmethod
    def _unique(cls, rows: list[InstanceType]) -> list[InstanceType]:
        seen: set[str] = set()
        dupes = sorted({r.type for r in rows if r.type in seen or seen.add(r.type)})
        if dupes:
            raise ValueError(f"duplicate instance types: {', '.join(dupes)}")
        return rows

    def model_post_init(self, _context: object) -> None:
        object.__setattr__(self, "_by_type", {r.type: r for r in self.instance_types})

    def get(self, instance_type: str) -> InstanceType | None:
        return self._by_type.get(instance_type)  # type: ignore[attr-defined]

    def __contains__(self, instance_type: object) -> bool:
        return instance_type in self._by_type  # type: ignore[attr-defined]

    def accelerated(self) -> list[InstanceType]:
        return [r for r in self.instance_types if r.accelerator is not None]


Model = TypeVar("Model", bound=BaseModel)


def load_document(model: type[Model], text: str, origin: str) -> Model:
    """Parse and validate a catalog data file; raise `CatalogError` naming every problem."""
    try:
        raw = safe_load(text)  # libyaml when available: the same data, see files.safe_load
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin}: not valid YAML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError("\n".join(validation_lines(exc, origin))) from None


def load_catalog(text: str, origin: str = "<catalog>") -> InstanceCatalog:
    """Parse and validate a catalog document; raise `CatalogError` naming every problem."""
    return load_document(InstanceCatalog, text, origin)


@lru_cache(maxsize=2)
def instances(cloud: Cloud = "aws") -> InstanceCatalog:
    """The instance (AWS) or machine (GCP) type catalog shipped with the package."""
    path = resources.files("aiplatform.catalog").joinpath(f"data/{cloud}_instances.yaml")
    catalog = load_catalog(path.read_text(encoding="utf-8"), origin=f"{cloud}_instances.yaml")
    if catalog.cloud != cloud:
        raise CatalogError(f"{cloud}_instances.yaml: says cloud {catalog.cloud}")
    return catalog


def aws_instances() -> InstanceCatalog:
    """The AWS instance catalog shipped with the package."""
    return instances("aws")


def gcp_instances() -> InstanceCatalog:
    """The GCP machine-type catalog shipped with the package."""
    return instances("gcp")


def instance_row(instance_type: str) -> InstanceType | None:
    """A type's row in whichever cloud's catalog lists it (AWS and GCP names never collide)."""
    return aws_instances().get(instance_type) or gcp_instances().get(instance_type)


def cloud_of(instance_type: str) -> Cloud | None:
    """The cloud whose catalog lists the type; None if neither does."""
    if instance_type in aws_instances():
        return "aws"
    return "gcp" if instance_type in gcp_instances() else None
