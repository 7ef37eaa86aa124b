"""`PlatformConfig`: the whole platform of one stack, its cross-section checks, and JSON Schema."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from ..catalog import cloud_of, instance_row
from ..catalog.checks import region_offer_problems
from ..problems import did_you_mean, raise_problems
from ._common import Strict, name_check
from .clouds import CLOUDS, not_applicable
from .compute import ClusterConfig, GpuPool
from .names import principal_problems, region_problem
from .network import NetworkConfig
from .observability import ObservabilityConfig
from .resolved import Resolved
from .services import GatewayConfig, ModelRegistryConfig, VectorStoreConfig
from .teams import PLATFORM_NAMESPACES, BudgetConfig, TeamConfig
from .zones import placement, system_problems

#: The registered clouds, as the values `cloud` takes.
CloudName = Literal[tuple(CLOUDS)]  # type: ignore[valid-type]
RESERVED_TAG_PREFIXES = ("aws:", "aiplatform:", "aiplatform-", "aiplatform.io/", "goog")
REQUIRED_TAGS = ("team", "cost-center")


class PlatformConfig(Resolved, Strict):
    """The whole platform of one stack: `config: aiplatform:platform:` in `Pulumi.<stack>.yaml`."""

    name: str = Field(description="Platform name: names the cluster and prefixes every resource (at most 40 characters).")
    cloud: CloudName = Field(description="Cloud provider: aws (EKS) or gcp (GKE).")  # type: ignore[valid-type]
    region: str = Field(
        pattern=r"^([a-z]{2}(-gov)?-[a-z]+-\d|[a-z]+-[a-z]+\d+)$",
        description="Cloud region, e.g. us-east-1 (AWS) or us-central1 (GCP).",
    )
    project: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$", description="GCP: the project ID (required on GCP).",
    )
    project_number: str | None = Field(
        None, pattern=r"^\d{6,20}$",
        description="GCP: the project number, for the service agents' CMEK grants (required on GCP; "
                    "`gcloud projects describe <project> --format='value(projectNumber)'`).",
    )
    environment: Literal["dev", "staging", "prod"] = Field(
        description="dev and staging: spot, scale-to-zero friendly defaults; prod: protection and redundancy."
    )
    tags: dict[str, str] = Field(description="Tags on every resource; must include team and cost-center.")
    network: NetworkConfig = Field(description="A new network (AWS: a VPC) or an existing one.")
    cluster: ClusterConfig = Field(default_factory=ClusterConfig,
                                   description="The Kubernetes cluster: EKS on AWS, GKE on GCP.")
    gpu_pools: list[GpuPool] = Field(default_factory=list, max_length=2000, description="Accelerator node pools.")
    budget: BudgetConfig | None = Field(
        None, description="Monthly budget for `aiplatform check` (rule aip-cost-monthly-budget); default: none."
    )
    workload_identity: Literal["pod-identity", "irsa"] = Field(
        "pod-identity", description="How workload roles are assumed: EKS Pod Identity or IRSA (OIDC)."
    )
    model_registry: ModelRegistryConfig | None = Field(None, description="The model registry; default: none.")
    vector_store: VectorStoreConfig | None = Field(None, description="The vector store; default: none.")
    gateway: GatewayConfig | None = Field(None, description="The AI gateway; default: none.")
    observability: ObservabilityConfig = Field(
        default_factory=ObservabilityConfig,
        description="Metrics stack, GPU and inference metrics, dashboards and alerts; default: on.",
    )
    teams: list[TeamConfig] = Field(
        default_factory=list, max_length=500,
        description="Product teams, each with a namespace, quota, identity and budget; default: none.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return name_check(v, 40)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        found: list[tuple[str, str]] = []
        for key in REQUIRED_TAGS:
            if not tags.get(key, "").strip():
                found.append((f"[{key!r}]", "required (cost allocation)"))
        for key, value in tags.items():
            if key.startswith(RESERVED_TAG_PREFIXES):
                found.append((f"[{key!r}]", f"prefixes {', '.join(RESERVED_TAG_PREFIXES)} are reserved"))
            if not 1 <= len(key) <= 128 or len(value) > 256:
                found.append((f"[{key!r}]", "tag keys are 1-128 characters, values at most 256"))
            elif not re.match(r"^[\w .:/=+\-@]*$", key + value):
                found.append((f"[{key!r}]", "tags take letters, digits, spaces and _ . : / = + - @"))
        if "environment" in tags:
            found.append(("['environment']", "set by the platform from `environment`; remove it"))
        raise_problems(found)
        return tags

    CHECKS = (
        ("duplicate pool names", "_pool_names"),
        ("the prod endpoint", "_prod_endpoint"),
        ("instance types offered in the region", "_region_offers"),
        ("the vector store", "_vector_store"),
        ("teams", "_team_problems"),
        ("zones of the region", "_zones"),
        ("zones that sell the pools' machine types", "_placement"),
        ("fields and values of the cloud", "_cloud_problems"),
        ("names the cloud accepts", "_name_problems"),
    )

    def _pool_names(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        first: dict[str, int] = {}
        for i, pool in enumerate(self.gpu_pools):
            if pool.name in first:
                found.append((f"gpu_pools[{i}].name", f"duplicate pool name {pool.name!r} (also gpu_pools[{first[pool.name]}])"))
            else:
                first[pool.name] = i
        return found

    def _prod_endpoint(self, _: Any) -> list[tuple[str, str]]:
        if self.environment != "prod":
            return []
        return [(f"cluster.endpoint.public_cidrs[{i}]",
                 f"{cidr} opens the Kubernetes API to the whole internet; not allowed in prod")
                for i, cidr in enumerate(self.cluster.endpoint.public_cidrs) if cidr.prefixlen == 0]

    def _region_offers(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for i, pool in enumerate(self.gpu_pools):
            if pool.capacity_type not in ("capacity-block", "reservation"):
                found += [(f"gpu_pools[{i}].instance_types{sub}", msg)
                          for sub, msg in region_offer_problems(pool.instance_types, self.region, self.cloud,
                                                                spot=pool.capacity_type == "spot")]
        return found + [(f"cluster.system_nodes.instance_types{sub}", msg)
                        for sub, msg in region_offer_problems(self.system_instance_types, self.region, self.cloud)]

    def _vector_store(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.vector_store is not None:
            if self.model_registry is None:
                found.append(("vector_store", "needs model_registry: its publisher and consumer roles are the "
                                              "workloads the vector store grants access to"))
            if self.environment == "prod" and self.vector_store.network == "public":
                found.append(("vector_store.network", "public network access to the vector store is not allowed in prod"))
        return found

    def _zones(self, _: Any) -> list[tuple[str, str]]:
        return [(f"network.availability_zones[{i}]", f"{zone!r} is not a zone of {self.region}")
                for i, zone in enumerate(self.network.availability_zones or [])
                if not self.rules.is_zone_of(zone, self.region)]

    def _placement(self, _: Any) -> list[tuple[str, str]]:
        """GCP: every pool only in zones that sell its machine type; a reservation pool in one zone."""
        if self.cloud != "gcp":
            return []
        found: list[tuple[str, str]] = []
        for i, pool in enumerate(self.gpu_pools):
            _, problems = placement(pool.instance_types, pool.zones, self.region, self.node_zones, pool.capacity_type)
            found += [(f"gpu_pools[{i}].{sub}", msg) for sub, msg in problems]
        return found + [("cluster.system_nodes.instance_types", msg)
                        for _, msg in system_problems(self.system_instance_types[0], self.region, self.node_zones)]

    def _name_problems(self, _: Any) -> list[tuple[str, str]]:
        return principal_problems(self) + self.rules.name_problems(self)

    def _cloud_problems(self, _: Any) -> list[tuple[str, str]]:
        """Fields of other clouds, and values this cloud does not take, with their paths."""
        cloud, rules = self.cloud, self.rules
        found: list[tuple[str, str]] = [(f"network.{sub}" if sub else "network", msg)
                                        for sub, msg in self.network.cloud_problems(cloud)]
        for i, pool in enumerate(self.gpu_pools):
            found += [(f"gpu_pools[{i}].{sub}", msg) for sub, msg in pool.cloud_problems(cloud)]
        if not rules.region.match(self.region):
            found.append(("region", f"{self.region!r} is not {rules.article} region"))
        elif problem := region_problem(cloud, rules.article, self.region):
            found.append(("region", problem))
        for i, itype in enumerate(self.cluster.system_nodes.instance_types or []):
            owner = cloud_of(itype)
            if owner is not None and owner != cloud:
                found.append((f"cluster.system_nodes.instance_types[{i}]",
                               f"{itype!r} is an {owner.upper()} type; this platform is on {cloud}"))
        found += not_applicable(cloud, "", self)
        found += not_applicable(cloud, "cluster", self.cluster, "cluster.")
        if self.model_registry is not None:
            found += not_applicable(cloud, "model_registry", self.model_registry, "model_registry.")
        for i, team in enumerate(self.teams):
            found += not_applicable(cloud, "teams", team, f"teams[{i}].")
        managed = self.observability.managed
        if managed != "none" and managed != rules.managed_prometheus:
            offered = ", ".join(["none", *([rules.managed_prometheus] if rules.managed_prometheus else [])])
            found.append(("observability.managed", f"{managed!r} is not offered on {cloud} (it takes {offered})"))
        return found + rules.platform_problems(self)

    def _team_problems(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        models = {row.accelerator.model for pool in self.gpu_pools for t in pool.instance_types
                  if (row := instance_row(t)) is not None and row.accelerator is not None}
        taken = set(PLATFORM_NAMESPACES)
        if self.model_registry is not None:
            taken.add(self.model_registry.namespace)
        first: dict[str, int] = {}
        for i, team in enumerate(self.teams):
            if team.name in first:
                found.append((f"teams[{i}].name", f"duplicate team {team.name!r} (also teams[{first[team.name]}])"))
            first.setdefault(team.name, i)
            if team.namespace in taken:
                found.append((f"teams[{i}].name", f"{team.name!r} is a namespace the platform uses"))
            for j, model in enumerate(team.accelerators):
                if model not in models:
                    found.append((f"teams[{i}].accelerators[{j}]", f"no GPU pool offers {model!r}{did_you_mean(model, models)} "
                                                                   f"(pools offer: {', '.join(sorted(models)) or 'none'})"))
            found += self._quota_problems(i, team)
        return found

    def _quota_problems(self, i: int, team: TeamConfig) -> list[tuple[str, str]]:
        """A team's GPU quota beyond what its allowed pools can ever run (every pool at max_nodes)."""
        most, names = 0, []
        for pool in self.gpu_pools:
            rows = [instance_row(t) for t in pool.instance_types]
            if any(row is None or row.accelerator is None for row in rows):
                return []  # an unlisted type: its accelerators are unknown, so is the maximum
            counts = [row.accelerator.count for row in rows if row is not None and row.accelerator is not None
                      and (not team.accelerators or row.accelerator.model in team.accelerators)]
            if counts:
                most += pool.max_nodes * max(counts)
                names.append(pool.name)
        if team.gpus <= most:
            if team.gpus + team.borrowing_limit <= most:
                return []
            return [(f"teams[{i}].borrowing_limit", f"team {team.name!r} may borrow up to {team.gpus} + "
                     f"{team.borrowing_limit} GPUs, but its pools ({', '.join(names)}) can provide at most {most}")]
        head = f"team {team.name!r} has a quota of {team.gpus} GPUs, but"
        if not names:
            return [(f"teams[{i}].gpus", f"{head} no GPU pool offers the accelerators it may use")]
        return [(f"teams[{i}].gpus", f"{head} its pools ({', '.join(names)}) can provide at most {most} "
                                     "(max_nodes × accelerators per node)")]


def json_schema() -> dict[str, Any]:
    """JSON Schema of `PlatformConfig`, for editor completion of stack YAML."""
    schema = PlatformConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "aiplatform:platform"
    return schema
