"""A team stack for retrieval-augmented generation: embeddings + chat models behind the gateway, a vector
collection of the team's own, and a nightly job that embeds the team's documents into it.

The collection is named `<team>-docs`: the platform's data access policy lets the team's identity use
only indexes named `<team>-...` (OpenSearch Serverless), and its network policy lets the namespace reach
the in-cluster vector store (Qdrant).
"""

import pulumi
import pulumi_kubernetes as k8s

from aiplatform import PlatformRef
from aiplatform.components.kubernetes import InferenceService
from aiplatform.labels import PRIORITY_LABEL, QUEUE_LABEL, TEAM_QUEUE

config = pulumi.Config()
platform = PlatformRef.from_stack(config.require("platformStack"), team=config.require("team"))
team = platform.team
collection = f"{team}-docs"

embed = InferenceService("embed", {
    **platform.inference_args(),
    "model": "embeddings/bge-m3/v2",
    "accelerator": "L4",
    "memory": "16Gi",
    "max_replicas": 2,
}, platform.opts())

chat = InferenceService("chat", {
    **platform.inference_args(),
    "model": "chat/qwen2.5-14b-instruct/v1",
    "accelerator": "A10G",
    "gpus": 2,
    "memory": "64Gi",
    "max_model_len": 16384,
    "max_replicas": 1,
    "requests_per_minute": 60,
}, platform.opts())

store = platform.vector_store or {}
env = [
    {"name": "EMBEDDINGS_URL", "value": embed.url},
    {"name": "EMBEDDINGS_MODEL", "value": "embed"},
    {"name": "VECTOR_STORE_KIND", "value": str(store.get("kind", ""))},
    {"name": "VECTOR_STORE_ENDPOINT", "value": str(store.get("endpoint", ""))},
    {"name": "COLLECTION", "value": collection},
    {"name": "SOURCE_URI", "value": f"{platform.registry_uri}/{platform.registry_prefix}documents/"},
    {"name": "AWS_REGION", "value": platform.region},
]
if store.get("kind") == "qdrant":
    # The platform keeps Qdrant's API key in its own namespace; the team's copy is managed by the team.
    env.append({"name": "QDRANT_API_KEY", "valueFrom": {"secretKeyRef": {
        "name": "vector-store-api-key", "key": "api-key", "optional": True}}})

ingest = k8s.batch.v1.CronJob(
    "ingest",
    metadata={"name": "ingest", "namespace": platform.namespace, "labels": {**platform.labels, "app.kubernetes.io/name": "ingest"}},
    spec={
        "schedule": "30 2 * * *",
        "concurrencyPolicy": "Forbid",
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
        # Queued by Kueue (the team's LocalQueue), at batch priority: it waits for quota instead of failing.
        "jobTemplate": {"metadata": {"labels": {QUEUE_LABEL: TEAM_QUEUE, PRIORITY_LABEL: "batch"}}, "spec": {
            "backoffLimit": 2,
            "activeDeadlineSeconds": 4 * 3600,
            "template": {
                "metadata": {"labels": {**platform.labels, "app.kubernetes.io/name": "ingest"}},
                "spec": {
                    "serviceAccountName": platform.service_account,
                    "restartPolicy": "Never",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "ingest",
                        "image": config.require("ingestImage"),
                        "args": ["--create-collection", "--collection", collection],
                        "env": env,
                        "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "2Gi"}},
                        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                            "readOnlyRootFilesystem": True},
                    }],
                },
            },
        }},
    },
    opts=platform.opts(),
)

pulumi.export("collection", collection)
pulumi.export("embeddingsUrl", embed.url)
pulumi.export("chatUrl", chat.url)
if platform.gateway_url:
    pulumi.export("chatBaseUrl", chat.path_prefix.apply(lambda p: f"{platform.gateway_url}{p}/v1"))
