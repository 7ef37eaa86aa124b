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
    # Scale on the server's queue; at 0 (dev) the KEDA HTTP add-on holds the first request while it starts.
    "autoscaling": {"metric": "queue", "target": 5, "min_replicas": config.get_int("minReplicas") or 0,
                    "max_replicas": 2},
    "parameters_billion": 8,  # the cold-start budget's weight load
    "client_timeout": config.get_int("clientTimeout") or 900,  # what our callers wait, seconds
    "requests_per_minute": 120,
}, platform.opts())

pulumi.export("namespace", platform.namespace)
pulumi.export("inClusterUrl", chat.url)
pulumi.export("modelUri", chat.model_uri)
pulumi.export("coldStartSeconds", chat.cold_start_seconds)
if platform.gateway_url:
    pulumi.export("baseUrl", chat.path_prefix.apply(lambda p: f"{platform.gateway_url}{p}/v1"))
