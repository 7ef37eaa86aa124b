"""A team stack: serve a chat model through the platform's gateway, with the team's auth and limits.

Everything platform-specific (cluster, namespace, service account, registry, gateway) comes from the
platform stack's `aiplatform` output through `PlatformRef`; this program only says which model, on what.
"""

import pulumi

from aiplatform import PlatformRef
from aiplatform.components.kubernetes import InferenceService

config = pulumi.Config()
platform = PlatformRef.from_stack(config.require("platformStack"), team=config.require("team"))

chat = InferenceService("chat", {
    **platform.inference_args(),
    "model": config.require("model"),
    "accelerator": config.require("accelerator"),
    "gpus": config.get_int("gpus") or 1,
    "max_model_len": 8192,
    "min_replicas": 1,
    "max_replicas": 2,
    "requests_per_minute": 120,
}, platform.opts())

pulumi.export("namespace", platform.namespace)
pulumi.export("inClusterUrl", chat.url)
pulumi.export("modelUri", chat.model_uri)
if platform.gateway_url:
    pulumi.export("baseUrl", chat.path_prefix.apply(lambda p: f"{platform.gateway_url}{p}/v1"))
