"""InferenceService: an OpenAI-compatible model server for a model in the team's registry prefix.

Hosted by the component package (`components/`) for every Pulumi language, so
this module keeps its annotations evaluated (no `from __future__ import
annotations`): `pulumi.provider.experimental` infers the schema from them.
"""

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import VLLM_IMAGE, image_problem
from ...config import defaults as d
from ...labels import (
    ACCELERATOR_LABEL,
    CLIENT_TIMEOUT_ANNOTATION,
    COLD_START_ANNOTATION,
    MODEL_SIZE_ANNOTATION,
    is_quantity,
)
from ...problems import did_you_mean
from .._base import ArgsChecker, child_opts, is_known, warn_override
from .autoscaling import (
    HTTP_API,
    KEDA_API,
    PROBE_PERIOD,
    REQUEST_SECONDS,
    SKIP_SCALED_OBJECT,
    ActiveHoursArgs,
    AutoscalingArgs,
    autoscaling_problems,
    cold_start,
    http_host,
    http_scaled_object_spec,
    model_gib,
    resolved,
    route_timeout,
    scaled_object_spec,
    size_problems,
    startup_probe_threshold,
)
from .gateway_route import GatewayRefArgs, GatewayRoute, gateway_ref_problems
from .keda import INTERCEPTOR_PORT, INTERCEPTOR_SERVICE
from .observability.monitors import (
    SLO_FOR_LABEL,
    gmp_model_server_monitoring,
    gmp_rules,
    model_server_monitor,
    prometheus_rule,
)
from .observability.rules import service_rule_groups, ttft_threshold_problem
from .team_namespace import REGISTRY_PREFIX

TYPE = "aiplatform:index:InferenceService"
_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$")
_MODEL_PATH = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
#: The unprivileged user the server runs as (the caches live on an emptyDir it owns).
RUN_AS_USER = 1000
CACHE_DIR = "/home/vllm"


class InferenceServiceArgs(TypedDict, total=False):
    team: Required[str]
    """The team that owns the service; its registry prefix and gateway auth apply (required)."""
    namespace: Required[pulumi.Input[str]]
    """The team's namespace (`PlatformRef.namespace`) (required)."""
    service_account: Required[pulumi.Input[str]]
    """The team's workload service account, whose identity reads the registry (required)."""
    registry_uri: Required[pulumi.Input[str]]
    """The platform's model registry, `s3://<bucket>` or `gs://<bucket>` (required)."""
    model: Required[str]
    """Path of the model inside the team's prefix, e.g. `chat/llama-3.1-8b-instruct/v3`: the server loads
    `<registry_uri>/teams/<team>/<model>` (Safetensors) (required)."""
    accelerator: Required[str]
    """Accelerator model to run on, matched against the pools' `aiplatform.io/accelerator` label, e.g. `L4`
    (required)."""
    gpus: int
    """Accelerators per replica; also the tensor-parallel size. Default: 1."""
    allowed_accelerators: Sequence[str]
    """Accelerator models the team may use (`PlatformRef.accelerators`). Default: any."""
    accelerator_resource: str
    """Extended resource of the accelerator. Default: `nvidia.com/gpu`."""
    image: str
    """Server image, pinned by tag or digest (never `latest`). Default: the pinned vLLM image."""
    served_model_name: str
    """Model name clients put in requests. Default: the component name."""
    cpu: str
    """CPU request per replica. Default: `4`."""
    memory: str
    """Memory request and limit per replica. Default: `24Gi`."""
    shared_memory: str
    """Size of `/dev/shm` (NCCL between the GPUs of a replica). Default: `8Gi`."""
    min_replicas: int
    """Fewest replicas (shorthand of `autoscaling.min_replicas`); 0 lets the service sit at zero. Default: 1."""
    max_replicas: int
    """Most replicas (shorthand of `autoscaling.max_replicas`). Default: 2."""
    autoscaling: AutoscalingArgs
    """A KEDA ScaledObject on the server's own metrics (the platform runs KEDA). Default: on the queue, 5 waiting
    requests per replica."""
    active_hours: ActiveHoursArgs
    """Keep replicas only in this weekly window (a KEDA cron trigger); outside it the service sits at zero and the
    first request wakes it. Default: always."""
    model_size_gib: float
    """Size of the weights, GiB (the cold-start budget's weight load). Default: from `parameters_billion`."""
    parameters_billion: float
    """Parameters of the model, in billions (x the bytes of `dtype` = the weights' size). Default: unknown."""
    dtype: str
    """Weights' type: bf16, fp16, fp8, int8 or int4. Default: bf16."""
    client_timeout: int
    """The longest the service's callers wait for an answer, seconds (checked against the cold-start budget by
    `aip-serving-cold-start-budget`). Default: not declared."""
    request_seconds: int
    """The longest a request may generate once a replica is ready, seconds. Default: 300."""
    prometheus_url: str
    """The Prometheus KEDA queries. Default: the platform's metrics stack (`http://metrics-prometheus.monitoring.svc:9090`)."""
    keda_namespace: str
    """Namespace of KEDA and its HTTP add-on. Default: `keda`."""
    port: int
    """Port the server listens on. Default: 8000."""
    max_model_len: int
    """Context length the server allocates for. Default: the model's."""
    extra_args: Sequence[str]
    """More server flags. Default: none."""
    region: str
    """Region of the registry bucket (AWS), passed to the model loader. Default: the SDK's."""
    gateway: GatewayRefArgs
    """Publish on the platform gateway (`PlatformRef.gateway`). Default: in-cluster only."""
    path_prefix: str
    """Path prefix on the gateway. Default: `/<team>/<name>`."""
    requests_per_minute: int
    """Route limit per Envoy replica. Default: the gateway's."""
    run_as_root: bool
    """Run the server as root, for images that need it. Default: False (uid 1000, no privilege escalation)."""
    labels: Mapping[str, str]
    """Labels on every object (team, cost-center, environment). Default: none."""
    monitoring: bool
    """A ServiceMonitor for the server's `/metrics` and a PrometheusRule with its SLO alerts (needs the
    platform's metrics stack: `observability` on, the default). Default: True."""
    metrics_api: str
    """`prometheus-operator` (ServiceMonitor and PrometheusRule) or `gmp` (a platform with `observability.managed:
    gmp`: a GMP PodMonitoring and Rules). Default: prometheus-operator."""
    slo_ttft_seconds: float
    """Time to first token a request must beat to count as good; a bucket bound of vLLM's histogram
    (1.0, 2.5, 5.0, ...). Default: 2.5."""
    slo_objective: float
    """Share of requests that must be good over 30 days (burn-rate alerts at 14.4x and 6x). Default: 0.99."""
    queue_depth: int
    """Requests waiting that count as a deep queue. Default: 10."""
    queue_minutes: int
    """Minutes the queue must stay deep before the alert. Default: 10."""


def model_uri(registry_uri: str, team: str, model: str) -> str:
    return f"{registry_uri.rstrip('/')}/{REGISTRY_PREFIX.format(team=team)}{model.strip('/')}"


def server_args(uri: str, args: Mapping[str, Any], name: str) -> list[str]:
    """The vLLM command line: stream the weights from the registry, tensor-parallel over the GPUs."""
    gpus = args.get("gpus", 1)
    out = [uri, "--served-model-name", args.get("served_model_name") or name, "--port", str(args.get("port", 8000)),
           "--tensor-parallel-size", str(gpus), "--load-format", "runai_streamer"]
    if gpus > 1:
        out += ["--model-loader-extra-config", json.dumps({"distributed": True})]
    if args.get("max_model_len"):
        out += ["--max-model-len", str(args["max_model_len"])]
    return out + list(args.get("extra_args") or [])


def inference_problems(check: ArgsChecker, args: Mapping[str, Any]) -> None:
    for key in ("team", "namespace", "service_account", "registry_uri", "model", "accelerator"):
        check.require(bool(args.get(key)), key, "required")
    for key in ("team", "model", "accelerator"):
        check.require(args.get(key) is None or isinstance(args.get(key), str), key, "must be a plain string")
    check.require(args.get("metrics_api", "prometheus-operator") in ("prometheus-operator", "gmp"), "metrics_api",
                  f"must be prometheus-operator or gmp (got {args.get('metrics_api')!r})")
    registry = args.get("registry_uri")
    if isinstance(registry, str):
        check.require(registry.startswith(("s3://", "gs://")), "registry_uri", f"must be s3:// or gs:// (got {registry!r})")
    model = args.get("model")
    if isinstance(model, str) and model:
        check.require(bool(_MODEL_PATH.match(model)) and ".." not in model.split("/"), "model",
                      f"a path inside the team's prefix: letters, digits, . _ - and '/', no '..' (got {model!r})")
    gpus = args.get("gpus", 1)
    check.require(isinstance(gpus, int) and 1 <= gpus <= 16, "gpus", f"must be 1 to 16 (got {gpus!r})")
    allowed = args.get("allowed_accelerators")
    allowed = list(allowed or []) if is_known(allowed) else []
    if allowed and args.get("accelerator"):
        check.require(args["accelerator"] in allowed, "accelerator",
                      f"{args['accelerator']!r} is not among the team's accelerators ({', '.join(allowed)})"
                      f"{did_you_mean(args['accelerator'], allowed)}")
    problem = image_problem(args.get("image", VLLM_IMAGE))
    check.require(problem is None, "image", f"{problem}: pin a version tag or a digest")
    for key in ("cpu", "memory", "shared_memory"):
        value = args.get(key)
        check.require(value is None or is_quantity(value), key, f"not a Kubernetes quantity: {value!r}")
    autoscaling_problems(check, args)
    check.require(args.get("monitoring", True) is not False or "autoscaling" not in args, "monitoring",
                  "autoscaling reads the server's metrics through its ServiceMonitor: keep monitoring on")
    check.require(args.get("metrics_api") != "gmp" or bool(args.get("prometheus_url")), "prometheus_url",
                  "required with metrics_api gmp: KEDA queries a Prometheus API, and GKE Managed Prometheus has no "
                  "in-cluster one (give the URL of a GMP frontend, docs/serving.md)")
    size_problems(check, args)
    port = args.get("port", 8000)
    check.require(isinstance(port, int) and 1024 <= port <= 65535, "port", f"must be 1024 to 65535 (got {port!r})")
    prefix = args.get("path_prefix")
    check.require(prefix is None or str(prefix).startswith("/"), "path_prefix", "must start with '/'")
    if args.get("gateway") is not None:
        gateway_ref_problems(check, args["gateway"])
    ttft = args.get("slo_ttft_seconds", d.SLO_TTFT_P95_SECONDS)
    check.require(isinstance(ttft, (int, float)) and ttft_threshold_problem(ttft) is None, "slo_ttft_seconds",
                  ttft_threshold_problem(ttft) if isinstance(ttft, (int, float)) else "must be a number")
    objective = args.get("slo_objective", d.SLO_OBJECTIVE)
    check.require(isinstance(objective, float) and 0.5 <= objective < 1, "slo_objective",
                  f"must be at least 0.5 and below 1 (got {objective!r})")
    for key, default in (("queue_depth", d.SLO_QUEUE_DEPTH), ("queue_minutes", d.SLO_QUEUE_MINUTES)):
        value = args.get(key, default)
        check.require(isinstance(value, int) and 1 <= value <= 100_000, key, f"must be 1 to 100000 (got {value!r})")


class InferenceService(pulumi.ComponentResource):
    """A Deployment of an OpenAI-compatible server (vLLM, pinned) that streams its model from the team's
    registry prefix onto the GPUs it requests (limits = the model's GPU count, the accelerator taint
    tolerated, the accelerator selected by node label), with startup/readiness/liveness probes, a
    non-root security context, a Service, a KEDA ScaledObject on vLLM's metrics (with an HTTPScaledObject of the KEDA
    HTTP add-on when it may sit at zero), a PodDisruptionBudget, a ServiceMonitor
    and a PrometheusRule with the server's SLO alerts (burn rate of time to first token, queue depth, target
    down) and, when a gateway is given, a `GatewayRoute` with the team's auth and limits."""

    service_name: pulumi.Output[str]
    """The Kubernetes Service."""
    url: pulumi.Output[str]
    """In-cluster base URL of the OpenAI API (`http://<service>.<namespace>.svc:<port>/v1`)."""
    model_uri: pulumi.Output[str]
    """Where the weights are loaded from."""
    path_prefix: pulumi.Output[str]
    """Path prefix on the gateway, or empty when not published."""
    cold_start_seconds: pulumi.Output[int]
    """The cold-start budget: how long the first request waits while the service starts from zero."""

    def __init__(self, name: str, args: InferenceServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        check.require(bool(_NAME.match(name)), "name", "a DNS label of at most 42 characters (it names the objects)")
        inference_problems(check, args)
        check.done()

        team = args["team"]
        gpus = args.get("gpus", 1)
        port = args.get("port", 8000)
        device = args.get("accelerator_resource", "nvidia.com/gpu")
        image = args.get("image", VLLM_IMAGE)
        budget = cold_start(args, image)
        scale = resolved(args)
        at_zero = scale["floor"] == 0
        keda_ns = args.get("keda_namespace", d.KEDA_NAMESPACE)
        root = bool(args.get("run_as_root", False))
        if root:
            warn_override(TYPE, name, "run_as_root", False, True)
        selector = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": f"{team}-{name}"}
        labels = {**dict(args.get("labels") or {}), **selector, "team": team,
                  "app.kubernetes.io/component": "model-server", "app.kubernetes.io/part-of": "aiplatform"}
        namespace = args["namespace"]
        meta = {"name": name, "namespace": namespace, "labels": labels}
        uri = pulumi.Output.from_input(args["registry_uri"]).apply(lambda r: model_uri(r, team, args["model"]))
        env = [{"name": "HOME", "value": CACHE_DIR}, {"name": "HF_HOME", "value": f"{CACHE_DIR}/hf"},
               {"name": "XDG_CACHE_HOME", "value": f"{CACHE_DIR}/.cache"}, {"name": "HF_HUB_OFFLINE", "value": "1"}]
        if args.get("region"):
            env.append({"name": "AWS_REGION", "value": args["region"]})
        probe = {"httpGet": {"path": "/health", "port": "http"}}
        container = {
            "name": "server",
            "image": image,
            "command": ["vllm", "serve"],
            "args": uri.apply(lambda u: server_args(u, args, name)),
            "ports": [{"name": "http", "containerPort": port}],
            "env": env,
            "resources": {
                "requests": {"cpu": args.get("cpu", "4"), "memory": args.get("memory", "24Gi"), device: str(gpus)},
                "limits": {"memory": args.get("memory", "24Gi"), device: str(gpus)},
            },
            # Loading and compiling a large model takes minutes: the startup probe covers twice the cold start.
            "startupProbe": {**probe, "periodSeconds": PROBE_PERIOD,
                             "failureThreshold": startup_probe_threshold(budget.seconds)},
            "readinessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3},
            "livenessProbe": {**probe, "periodSeconds": 20, "failureThreshold": 3, "timeoutSeconds": 5},
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
            "volumeMounts": [{"name": "cache", "mountPath": CACHE_DIR}, {"name": "shm", "mountPath": "/dev/shm"}],
        }
        annotations = {COLD_START_ANNOTATION: str(budget.seconds)}
        if model_gib(args) is not None:
            annotations[MODEL_SIZE_ANNOTATION] = f"{model_gib(args):g}"
        if args.get("client_timeout") is not None:
            annotations[CLIENT_TIMEOUT_ANNOTATION] = str(args["client_timeout"])
        pod_security: dict[str, Any] = {"seccompProfile": {"type": "RuntimeDefault"}}
        if not root:
            pod_security.update(runAsNonRoot=True, runAsUser=RUN_AS_USER, runAsGroup=RUN_AS_USER, fsGroup=RUN_AS_USER)
        self.deployment = k8s.apps.v1.Deployment(
            name,
            metadata={**meta, "annotations": annotations},
            spec={
                # No `replicas`: KEDA's ScaledObject owns it.
                "selector": {"matchLabels": selector},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": args["service_account"],
                        "nodeSelector": {ACCELERATOR_LABEL: args["accelerator"]},
                        "tolerations": [{"key": device, "operator": "Exists", "effect": "NoSchedule"}],
                        "securityContext": pod_security,
                        "terminationGracePeriodSeconds": 60,
                        "containers": [container],
                        "volumes": [
                            {"name": "cache", "emptyDir": {}},
                            {"name": "shm", "emptyDir": {"medium": "Memory",
                                                         "sizeLimit": args.get("shared_memory", "8Gi")}},
                        ],
                    },
                },
            },
            opts=child_opts(self),
        )
        self.service = k8s.core.v1.Service(
            name, metadata=meta,
            spec={"type": "ClusterIP", "selector": selector,
                  "ports": [{"name": "http", "port": port, "targetPort": "http"}]},
            opts=child_opts(self),
        )
        after_deployment = child_opts(self, depends_on=[self.deployment, self.service])
        self.http_scaler = None
        if at_zero:
            # The interceptor holds a request for the whole cold start, then waits for headers as long as a
            # non-streamed generation may take (vLLM sends a streamed answer's headers at once).
            self.http_scaler = k8s.apiextensions.CustomResource(
                f"{name}-http", api_version=HTTP_API, kind="HTTPScaledObject",
                metadata={**meta, "annotations": {SKIP_SCALED_OBJECT: "true"}},
                spec=pulumi.Output.from_input(namespace).apply(lambda ns: http_scaled_object_spec(
                    name, ns, port, max_replicas=scale["max_replicas"], hold_seconds=budget.seconds,
                    response_seconds=args.get("request_seconds", REQUEST_SECONDS))),
                opts=after_deployment)
        self.scaled_object = k8s.apiextensions.CustomResource(
            f"{name}-scaler", api_version=KEDA_API, kind="ScaledObject", metadata=meta,
            spec=pulumi.Output.from_input(namespace).apply(lambda ns: scaled_object_spec(
                args, name, ns, http=at_zero, keda_namespace=keda_ns)),
            opts=after_deployment)
        self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            name, metadata=meta, spec={"maxUnavailable": 1, "selector": {"matchLabels": selector}},
            opts=child_opts(self),
        )
        self.route = None
        prefix = ""
        if args.get("gateway") is not None:
            prefix = args.get("path_prefix") or f"/{team}/{name}"
            route_args: dict[str, Any] = {
                "gateway": args["gateway"], "namespace": namespace, "service_name": name, "port": port,
                "path_prefix": prefix, "team": team, "labels": dict(args.get("labels") or {}),
                "timeout_seconds": route_timeout(args, budget.seconds),
            }
            if at_zero:  # through the interceptor, which routes on the Host header the gateway rewrites to
                route_args.update(service_name=INTERCEPTOR_SERVICE, port=INTERCEPTOR_PORT, service_namespace=keda_ns,
                                  host_rewrite=pulumi.Output.from_input(namespace).apply(lambda ns: http_host(name, ns)))
            if args.get("requests_per_minute") is not None:
                route_args["requests_per_minute"] = args["requests_per_minute"]
            self.route = GatewayRoute(name, route_args, child_opts(self, depends_on=[self.service]))

        self.service_monitor = self.slo_rules = None
        if args.get("monitoring", True):
            after_service = child_opts(self, depends_on=[self.service])
            gmp = args.get("metrics_api") == "gmp"
            if gmp:
                self.service_monitor = gmp_model_server_monitoring(name, meta, selector, name, after_service)
            else:
                self.service_monitor = model_server_monitor(name, meta, selector, "http", after_service)
            slo = {"ttft_seconds": args.get("slo_ttft_seconds", d.SLO_TTFT_P95_SECONDS),
                   "objective": args.get("slo_objective", d.SLO_OBJECTIVE),
                   "queue_depth": args.get("queue_depth", d.SLO_QUEUE_DEPTH),
                   "queue_minutes": args.get("queue_minutes", d.SLO_QUEUE_MINUTES)}
            rule_meta = {"name": f"{name}-slo", "namespace": namespace, "labels": {**labels, SLO_FOR_LABEL: name}}
            groups = pulumi.Output.from_input(namespace).apply(lambda ns: service_rule_groups(ns, name, **slo))
            self.slo_rules = (gmp_rules(f"{name}-slo", "Rules", rule_meta, groups, after_service) if gmp
                              else prometheus_rule(f"{name}-slo", rule_meta, groups, after_service))

        self.service_name = pulumi.Output.from_input(name)
        self.url = pulumi.Output.from_input(namespace).apply(lambda ns: f"http://{name}.{ns}.svc:{port}/v1")
        self.model_uri = uri
        self.path_prefix = pulumi.Output.from_input(prefix)
        self.cold_start_seconds = pulumi.Output.from_input(budget.seconds)
        self.register_outputs({"serviceName": self.service_name, "url": self.url, "modelUri": self.model_uri,
                               "pathPrefix": self.path_prefix, "coldStartSeconds": self.cold_start_seconds})


__all__ = ["InferenceService", "InferenceServiceArgs", "model_uri", "server_args"]
