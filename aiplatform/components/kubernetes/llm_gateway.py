"""LlmGateway: the single, authenticated, rate-limited entry point to model endpoints (Envoy Gateway)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ...catalog.pins import ENVOY_GATEWAY
from .._base import LABEL_PREFIX, ArgsChecker, child_opts
from .helm import pinned_release

TYPE = "aiplatform:index:LlmGateway"
GATEWAY_API = "gateway.networking.k8s.io/v1"
ENVOY_API = "gateway.envoyproxy.io/v1alpha1"
CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
JWT_PROVIDER = "platform"
#: The header the gateway copies the caller's team claim into (for limits and logs).
TEAM_HEADER = "x-aiplatform-team"
#: Namespaces carrying this label may attach routes to the gateway.
ACCESS_LABEL = f"{LABEL_PREFIX}gateway-access"

#: Service annotations that make the gateway's load balancer private, per cloud.
INTERNAL_LB_ANNOTATIONS: dict[str, dict[str, str]] = {
    "aws": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    },
    "gcp": {"networking.gke.io/load-balancer-type": "Internal"},
}
PUBLIC_LB_ANNOTATIONS: dict[str, dict[str, str]] = {
    "aws": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    },
    "gcp": {},
}
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
    cloud: Literal["aws", "gcp"]
    """Cloud whose load-balancer annotations apply. Default: aws."""
    namespace: str
    """Namespace of the controller and the gateway. Default: `llm-gateway`."""
    replicas: int
    """Envoy replicas. Default: 2."""
    labels: Mapping[str, str]
    """Labels on the namespace and objects (team, cost-center, environment). Default: none."""


class RouteArgs(TypedDict, total=False):
    namespace: str
    """Namespace of the model service; must carry the gateway-access label (required)."""
    service_name: str
    """The model's Kubernetes Service (required)."""
    port: int
    """Its port. Default: 8000."""
    path_prefix: str
    """Path prefix routed to it, e.g. `/v1/models/chat` (required)."""
    team: str
    """The team that owns it; only callers whose team claim contains it get through (required)."""
    requests_per_minute: int
    """Limit per Envoy replica for this route. Default: the gateway's."""
    timeout_seconds: int
    """Request timeout (generation can be slow). Default: 300."""
    labels: Mapping[str, str]
    """Labels on the route objects. Default: none."""


def _custom(logical: str, api_version: str, kind: str, *, metadata: dict[str, Any], spec: dict[str, Any],
            opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """A Gateway API or Envoy Gateway object (its CRD comes with the Envoy Gateway chart)."""
    return k8s.apiextensions.CustomResource(logical, api_version=api_version, kind=kind, metadata=metadata,
                                            spec=spec, opts=opts)


def jwt_provider(issuer: str, jwks_uri: str, audiences: Sequence[str], team_claim: str) -> dict[str, Any]:
    provider: dict[str, Any] = {
        "name": JWT_PROVIDER,
        "issuer": issuer,
        "remoteJWKS": {"uri": jwks_uri},
        "claimToHeaders": [{"header": TEAM_HEADER, "claim": team_claim}],
    }
    if audiences:
        provider["audiences"] = list(audiences)
    return provider


def local_rate_limit(requests_per_minute: int) -> dict[str, Any]:
    return {"type": "Local", "local": {"rules": [{"limit": {"requests": requests_per_minute, "unit": "Minute"}}]}}


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
        limit = args.get("requests_per_minute", 600)
        replicas = args.get("replicas", 2)
        scheme = args.get("load_balancer", "internal")
        cloud = args.get("cloud", "aws")
        check = ArgsChecker(TYPE, name)
        check.require(str(args.get("oidc_issuer") or "").startswith("https://"), "oidcIssuer",
                      "required: the https:// issuer URL of the identity provider")
        check.require(str(args.get("jwks_uri") or "").startswith("https://"), "jwksUri", "required: an https:// URL")
        check.exclusive(args, "tls_secret_name", "cert_manager_issuer")
        check.require(bool(args.get("tls_secret_name") or args.get("cert_manager_issuer")), "tlsSecretName",
                      "give tls_secret_name or cert_manager_issuer: the listener is HTTPS only")
        check.require(not args.get("cert_manager_issuer") or bool(args.get("hostname")), "hostname",
                      "required with cert_manager_issuer")
        check.require(1 <= limit <= 1_000_000, "requestsPerMinute", f"must be 1 to 1000000 (got {limit})")
        check.require(1 <= replicas <= 50, "replicas", f"must be 1 to 50 (got {replicas})")
        check.require(scheme in ("internal", "internet-facing"), "loadBalancer", f"unknown scheme {scheme!r}")
        check.require(cloud in INTERNAL_LB_ANNOTATIONS, "cloud", f"unknown cloud {cloud!r}")
        check.done()
        if scheme == "internet-facing":
            pulumi.log.warn(f"{name}: load_balancer overridden ('internal' -> 'internet-facing'); "
                            "the gateway is reachable from the internet (JWT auth still applies)")

        self.namespace = args.get("namespace", "llm-gateway")
        self.gateway_name = name
        self.labels = {**dict(args.get("labels") or {}), "app.kubernetes.io/part-of": "aiplatform"}
        self.team_claim = args.get("team_claim", "groups")
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
        annotations = (INTERNAL_LB_ANNOTATIONS if scheme == "internal" else PUBLIC_LB_ANNOTATIONS)[cloud]
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

    def register_route(self, name: str, route: RouteArgs, opts: pulumi.ResourceOptions | None = None) -> dict[str, k8s.apiextensions.CustomResource]:
        """An HTTPRoute from the gateway to a model service, with the team's auth and limits.

        Creates, in the service's namespace: the `HTTPRoute`; a `SecurityPolicy` that requires a valid
        platform JWT whose team claim contains `team`; a `BackendTrafficPolicy` with the route's limit.
        Team stacks call this with their own provider in `opts`.
        """
        limit = route.get("requests_per_minute", self.default_requests_per_minute)
        timeout = route.get("timeout_seconds", 300)
        check = ArgsChecker("aiplatform:index:LlmGateway.registerRoute", name)
        for key in ("namespace", "service_name", "path_prefix", "team"):
            check.require(bool(route.get(key)), key, "required")
        check.require(str(route.get("path_prefix") or "/").startswith("/"), "pathPrefix", "must start with '/'")
        check.require(1 <= limit <= 1_000_000, "requestsPerMinute", f"must be 1 to 1000000 (got {limit})")
        check.require(1 <= timeout <= 3600, "timeoutSeconds", f"must be 1 to 3600 (got {timeout})")
        check.done()
        team = route["team"]
        labels = {**self.labels, **dict(route.get("labels") or {}), "team": team}
        meta = {"namespace": route["namespace"], "labels": labels}
        base = pulumi.ResourceOptions(parent=self)
        opts = pulumi.ResourceOptions.merge(base, opts) if opts else base
        http_route = _custom(
            f"{name}-route", GATEWAY_API, "HTTPRoute",
            metadata={"name": name, **meta},
            spec={
                "parentRefs": [{"name": self.gateway_name, "namespace": self.namespace, "sectionName": "https"}],
                "rules": [{
                    "matches": [{"path": {"type": "PathPrefix", "value": route["path_prefix"]}}],
                    "backendRefs": [{"name": route["service_name"], "port": route.get("port", 8000)}],
                    "timeouts": {"request": f"{timeout}s"},
                }],
            },
            opts=opts,
        )
        target = [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": name}]
        after = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[http_route]))
        auth = _custom(
            f"{name}-auth", ENVOY_API, "SecurityPolicy",
            metadata={"name": f"{name}-auth", **meta},
            spec={
                "targetRefs": target,
                "jwt": {"providers": [self._provider_spec]},
                "authorization": {"defaultAction": "Deny", "rules": [{
                    "name": f"team-{team}",
                    "action": "Allow",
                    "principal": {"jwt": {"provider": JWT_PROVIDER, "claims": [{
                        "name": self.team_claim,
                        "valueType": "StringArray",
                        "values": [team],
                    }]}},
                }]},
            },
            opts=after,
        )
        limits = _custom(
            f"{name}-limits", ENVOY_API, "BackendTrafficPolicy",
            metadata={"name": f"{name}-limits", **meta},
            spec={"targetRefs": target, "rateLimit": local_rate_limit(limit)},
            opts=after,
        )
        return {"route": http_route, "security_policy": auth, "traffic_policy": limits}


__all__ = ["LlmGateway", "LlmGatewayArgs", "RouteArgs"]
