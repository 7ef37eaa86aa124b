"""The platform spec: the validated edge of the library (DESIGN.md convention 2).

A stack's `aiplatform:platform` config value is validated here, strictly:
unknown keys are errors, and every problem is reported at once with its path
(`platform.gpu_pools[1].max_nodes: ...`). Components never see unvalidated
config.

One module per section (`network`, `compute`, `services`, `teams`), the whole
in `platform`; what differs per cloud (grammar, fields, checks, every default)
is in `clouds/<cloud>.py`, found through the registry `clouds.CLOUDS`.
"""

from __future__ import annotations

from ..problems import Problem, problems_from_validation_error
from ._common import RESERVED_LABEL_PREFIX, Suppress, suppress_tags
from .clouds import CLOUDS, CloudDefaults, CloudRules, rules_of
from .clouds.aws import partition_of
from .compute import ClusterConfig, GpuPool, NodeGroupSize, SystemNodes, Taint
from .errors import CONFIG_KEY, ROOT, ConfigError
from .load import from_pulumi_config, load_platform_config
from .network import EndpointAccess, NetworkConfig
from .platform import REQUIRED_TAGS, RESERVED_TAG_PREFIXES, PlatformConfig, json_schema
from .services import GatewayConfig, ModelRegistryConfig, VectorStoreConfig
from .teams import PLATFORM_NAMESPACES, BudgetConfig, TeamConfig

#: The system nodes' instance type when the config names none, per cloud.
DEFAULT_SYSTEM_TYPES = {name: rules.defaults.system_instance_type for name, rules in CLOUDS.items()}

__all__ = [
    "CLOUDS",
    "CONFIG_KEY",
    "DEFAULT_SYSTEM_TYPES",
    "PLATFORM_NAMESPACES",
    "REQUIRED_TAGS",
    "RESERVED_LABEL_PREFIX",
    "RESERVED_TAG_PREFIXES",
    "ROOT",
    "BudgetConfig",
    "CloudDefaults",
    "CloudRules",
    "ClusterConfig",
    "ConfigError",
    "EndpointAccess",
    "GatewayConfig",
    "GpuPool",
    "ModelRegistryConfig",
    "NetworkConfig",
    "NodeGroupSize",
    "PlatformConfig",
    "Problem",
    "Suppress",
    "SystemNodes",
    "Taint",
    "TeamConfig",
    "VectorStoreConfig",
    "from_pulumi_config",
    "json_schema",
    "load_platform_config",
    "partition_of",
    "problems_from_validation_error",
    "rules_of",
    "suppress_tags",
]
