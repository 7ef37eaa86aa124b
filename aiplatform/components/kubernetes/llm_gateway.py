"""LlmGateway: the single, authenticated, rate-limited entry point to model endpoints (Envoy Gateway)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import ENVOY_GATEWAY
from ...config import defaults as d
from .._base import LABEL_PREFIX, ArgsChecker, child_opts, warn_override
from .gateway_route import (
    ENVOY_API,
    GATEWAY_API,
    TEAM_HEADER,
    GatewayRefArgs,
    GatewayRoute,
    GatewayRouteArgs,
    jwt_provider,
    local_rate_limit,
)
from .gateway_route import custom_object as _custom
from .helm import pinned_release

TYPE = "aiplatform:index:LlmGateway"
CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
#: Namespaces carrying this label may attach routes to the gateway.
ACCESS_LABEL = f"{LABEL_PREFIX}gateway-access"

ACCESS_LOG_FIELDS = {
    "start_time": "%START_TIME%",
    "method": "%REQ(:METHOD)%",
    "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "status": "%RESPONSE_CODE%",
    "duration_ms": "%DURATION%",
    "bytes_sent": "%BYTES_SENT%",
    "team": f"%REQ({TEAM_HEADER.upper()})%",
    "upstream": "%UPSTREAM_HOST%",
    "request_id": "%REQ(X-REQUEST-ID)%",
}


class LlmGatewayArgs(TypedDict, total=False):
    oidc_issuer: str
    """Issuer URL of the identity provider whose JWTs are accepted (required)."""
    jwks_uri: str
    """Where the issuer publishes its signing keys (required)."""
    audiences: Sequence[str]
    """Accepted `aud` values. Default: any audience of the issuer."""
    team_claim: str
    """JWT claim naming the caller's team(s). Default: `groups`."""
    hostname: str
    """Host name served by the HTTPS listener. Default: any host."""
    tls_secret_name: str
    """Bring your own certificate: a `kubernetes.io/tls` Secret in the gateway namespace."""
    cert_manager_issuer: str
    """Or let this cert-manager ClusterIssuer create it (needs `hostname`)."""
    requests_per_minute: int
    """Gateway-wide limit per Envoy replica, for routes without their own. Default: 600."""
    load_balancer: Literal["internal", "internet-facing"]
    """Scheme of the gateway's load balancer. Default: internal."""
    load_balancer_annotations: Mapping[str, str]
    """Annotations of the Envoy Service that give it a load balancer of that scheme on the cluster's cloud
    (the platform's cloud builder gives them: `aiplatform.platform.aws.LOAD_BALANCER_ANNOTATIONS`, `...gcp...`).
    Default: none (the cluster's default load balancer)."""
    namespace: str
    """Namespace of the controller and the gateway. Default: `llm-gateway`."""
    replicas: int
    """Envoy replicas. Default: 2."""
    labels: Mapping[str, str]
    """Labels on the namespace and objects (team, cost-center, environment). Default: none."""


class LlmGateway(pulumi.ComponentResource):
    """Envoy Gateway (pinned chart) and the Gateway API objects of one gateway: an HTTPS-only listener,
    JWT authentication against the platform's OIDC issuer, rate limits, JSON access logs, and a
    load balancer that is internal unless asked otherwise. `register_route` adds a model service."""

    release: k8s.helm.v3.Release
    gateway: k8s.apiextensions.CustomResource
    namespace: str
    gateway_name: str

    def __init__(self, name: str, args: LlmGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        limit = args.get("requests_per_minute", d.GATEWAY_REQUESTS_PER_MINUTE)
        replicas = args.get("replicas", d.GATEWAY_REPLICAS.prod)
        scheme = args.get("load_balancer", "internal")
        check = ArgsChecker(TYPE, name)
        check.require(str(args.get("oidc_issuer") or "").startswith("https://"), "oidc_issuer",
                      "required: the https:// issuer URL of the identity provider")
        check.require(str(args.get("jwks_uri") or "").startswith("https://"), "jwks_uri", "required: an https:// URL")
        check.exclusive(args, "tls_secret_name", "cert_manager_issuer")
        check.require(bool(args.get("tls_secret_name") or args.get("cert_manager_issuer")), "tls_secret_name",
                      "give tls_secret_name or cert_manager_issuer: the listener is HTTPS only")
        check.require(not args.get("cert_manager_issuer") or bool(args.get("hostname")), "hostname",
                      "required with cert_manager_issuer")
        check.require(1 <= limit <= 1_000_000, "requests_per_minute", f"must be 1 to 1000000 (got {limit})")
        check.require(1 <= replicas <= 50, "replicas", f"must be 1 to 50 (got {replicas})")
        check.require(scheme in ("internal", "internet-facing"), "load_balancer", f"unknown scheme {scheme!r}")
        check.done()
        if scheme == "internet-facing":
            warn_override(TYPE, name, "load_balancer", "internal", "internet-facing",
                          why="the gateway is reachable from the internet (JWT auth still applies)")

        self.namespace = args.get("namespace", d.GATEWAY_NAMESPACE)
        self.gateway_name = name
        self.labels = {**dict(args.get("labels") or {}), "app.kubernetes.io/part-of": "aiplatform"}
        self.team_claim = args.get("team_claim", d.GATEWAY_TEAM_CLAIM)
        self._provider_spec = jwt_provider(args["oidc_issuer"], args["jwks_uri"], list(args.get("audiences") or []),
                                           self.team_claim)
        self.default_requests_per_minute = limit
        labels = self.labels
        ns = k8s.core.v1.Namespace(name, metadata={"name": self.namespace, "labels": labels}, opts=child_opts(self))
        self.release = pinned_release(
            name, ENVOY_GATEWAY, namespace=ns.metadata.name, release_name="envoy-gateway",
            values={"deployment": {"replicas": 2, "pod": {"labels": labels}}},
            opts=child_opts(self),
        )
        crd_opts = child_opts(self, depends_on=[self.release])
        meta = {"namespace": self.namespace, "labels": labels}
        annotations = dict(args.get("load_balancer_annotations") or {})
        proxy = _custom(
            f"{name}-proxy", ENVOY_API, "EnvoyProxy",
            metadata={"name": f"{name}-proxy", **meta},
            spec={
                "provider": {"type": "Kubernetes", "kubernetes": {
                    "envoyService": {"type": "LoadBalancer", "annotations": annotations},
                    "envoyDeployment": {"replicas": replicas, "pod": {"labels": labels}},
                }},
                "telemetry": {"accessLog": {"settings": [{
                    "format": {"type": "JSON", "json": ACCESS_LOG_FIELDS},
                    "sinks": [{"type": "File", "file": {"path": "/dev/stdout"}}],
                }]}},
            },
            opts=crd_opts,
        )
        gateway_class = _custom(
            f"{name}-class", GATEWAY_API, "GatewayClass",
            metadata={"name": name, "labels": labels},
            spec={
                "controllerName": CONTROLLER_NAME,
                "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy",
                                  "name": f"{name}-proxy", "namespace": self.namespace},
            },
            opts=child_opts(self, depends_on=[self.release, proxy]),
        )
        secret = args.get("tls_secret_name") or f"{name}-tls"
        listener: dict[str, Any] = {
            "name": "https",
            "protocol": "HTTPS",
            "port": 443,
            "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": secret}]},
            "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {ACCESS_LABEL: "true"}}}},
        }
        if args.get("hostname"):
            listener["hostname"] = args["hostname"]
        gateway_meta: dict[str, Any] = {"name": name, **meta}
        if args.get("cert_manager_issuer"):
            gateway_meta["annotations"] = {"cert-manager.io/cluster-issuer": args["cert_manager_issuer"]}
        self.gateway = _custom(
            name, GATEWAY_API, "Gateway",
            metadata=gateway_meta,
            spec={"gatewayClassName": name, "listeners": [listener]},
            opts=child_opts(self, depends_on=[gateway_class]),
        )
        target = [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": name}]
        _custom(
            f"{name}-jwt", ENVOY_API, "SecurityPolicy",
            metadata={"name": f"{name}-jwt", **meta},
            spec={"targetRefs": target, "jwt": {"providers": [self._provider_spec]}},
            opts=crd_opts,
        )
        _custom(
            f"{name}-limits", ENVOY_API, "BackendTrafficPolicy",
            metadata={"name": f"{name}-limits", **meta},
            spec={"targetRefs": target, "rateLimit": local_rate_limit(limit)},
            opts=crd_opts,
        )
        self.register_outputs({"namespace": self.namespace, "gatewayName": name, "hostname": args.get("hostname")})

    @property
    def ref(self) -> GatewayRefArgs:
        """The coordinates a `GatewayRoute` (or a team stack, through `PlatformRef`) needs to attach here."""
        return {
            "namespace": self.namespace,
            "gateway_name": self.gateway_name,
            "oidc_issuer": self._provider_spec["issuer"],
            "jwks_uri": self._provider_spec["remoteJWKS"]["uri"],
            "audiences": list(self._provider_spec.get("audiences") or []),
            "team_claim": self.team_claim,
            "requests_per_minute": self.default_requests_per_minute,
        }

    def register_route(self, name: str, route: GatewayRouteArgs,
                       opts: pulumi.ResourceOptions | None = None) -> GatewayRoute:
        """A `GatewayRoute` on this gateway (route, team-only `SecurityPolicy`, rate limit), parented here.

        `route` takes the `GatewayRouteArgs` fields except `gateway`. Team stacks, which have no
        `LlmGateway` object, create a `GatewayRoute` with `PlatformRef.gateway` instead.
        """
        base = pulumi.ResourceOptions(parent=self)
        return GatewayRoute(name, {**route, "gateway": self.ref},
                            pulumi.ResourceOptions.merge(base, opts) if opts else base)


__all__ = ["TEAM_HEADER", "LlmGateway", "LlmGatewayArgs"]
