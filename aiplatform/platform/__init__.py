"""AiPlatform: the thin facade that maps a validated `PlatformConfig` to components.

The cloud's builder (`builder.BUILDERS`: `aws.py`, `gcp.py`) creates the network, cluster, GPU
pools, add-ons and services; the gateway, the teams and the outputs are wired once, for every
cloud (`shared.py`); `contract.py` writes the versioned output team stacks read. Anything with
logic of its own lives in a component (DESIGN.md convention 12).
"""

from __future__ import annotations

import pulumi

from ..components._pool import GpuPool
from ..components.kubernetes import Kueue, LlmGateway, TeamNamespace
from ..config import PlatformConfig
from . import shared
from .builder import builder_for
from .contract import OUTPUT_NAME, contract

TYPE = "aiplatform:index:AiPlatform"


class AiPlatform(pulumi.ComponentResource):
    """A whole AI platform on one stack: network, cluster, GPU pools, cluster add-ons, services and teams.

    Children are named after `name`; every resource lives under this component.
    An explicit provider for the cloud (`config.cloud`) and region is created
    unless `opts` brings one (`providers={"aws": ...}` or `{"gcp": ...}`).
    """

    gpu_pools: dict[str, GpuPool]
    gateway: LlmGateway | None
    teams: dict[str, TeamNamespace]
    queues: Kueue | None
    outputs: dict[str, pulumi.Input[object]]

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.config = config
        built = builder_for(config.cloud)(self, name, config, opts)
        self.provider, self.network, self.cluster, self.gpu_pools = (
            built.provider, built.network, built.cluster, built.gpu_pools)
        self.data_key, self.model_registry, self.vector_store = built.data_key, built.model_registry, built.vector_store
        self.addons = built.addons

        self.gateway = shared.gateway(name, config, built)
        self.observability = shared.observability(name, config, built, self.gateway)
        self.teams = {team.name: shared.team(name, config, team, built, self.gateway) for team in config.teams}
        self.queues = shared.queues(name, config, built, self.teams)
        self.autoscaling = shared.autoscaling(name, config, built, self.teams)

        self.outputs = shared.outputs(built)
        self.outputs[OUTPUT_NAME] = contract(
            config, cluster=built.cluster, gateway=self.gateway, model_registry=built.model_registry,
            registry_uri=built.registry_uri, vector_store=built.service_outputs.get("vectorStore"), teams=self.teams)
        self.register_outputs(self.outputs)


__all__ = ["TYPE", "AiPlatform"]
