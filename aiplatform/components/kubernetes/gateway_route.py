"""GatewayRoute: a model service published on the platform's LlmGateway, with its team's auth and limits.

Hosted by the component package (`components/`) for every Pulumi language, so
this module keeps its annotations evaluated (no `from __future__ import
annotations`): `pulumi.provider.experimental` infers the schema from them.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .._base import ArgsChecker, child_opts, is_known

TYPE = "aiplatform:index:GatewayRoute"
GATEWAY_API = "gateway.networking.k8s.io/v1"
ENVOY_API = "gateway.envoyproxy.io/v1alpha1"
JWT_PROVIDER = "platform"
#: The header the gateway copies the caller's team claim into (for limits and logs).
TEAM_HEADER = "x-aiplatform-team"


class GatewayRefArgs(TypedDict, total=False):
    """Where the platform's gateway is and how it authenticates: the `gateway` block of the platform's
    `aiplatform` stack output (`PlatformRef.gateway`)."""

    namespace: Required[str]
    """Namespace of the Gateway object (required)."""
    gateway_name: Required[str]
    """Name of the Gateway object (required)."""
    oidc_issuer: Required[str]
    """Issuer whose JWTs the gateway accepts (required)."""
    jwks_uri: Required[str]
    """The issuer's signing keys (required)."""
    audiences: Sequence[str]
    """Accepted audiences. Default: any."""
    team_claim: str
    """JWT claim listing the caller's teams. Default: `groups`."""
    requests_per_minute: int
    """The gateway's default limit per Envoy replica. Default: 600."""


class GatewayRouteArgs(TypedDict, total=False):
    gateway: Required[GatewayRefArgs]
    """The platform gateway to attach to (required)."""
    namespace: Required[pulumi.Input[str]]
    """Namespace of the model service; the platform labels team namespaces for gateway access (required)."""
    service_name: Required[str]
    """The model's Kubernetes Service (required)."""
    port: int
    """Its port. Default: 8000."""
    service_namespace: str
    """Namespace of the Service when it is not the route's (the KEDA HTTP add-on's interceptor; a ReferenceGrant
    there must admit the route). Default: the route's namespace."""
    host_rewrite: pulumi.Input[str]
    """Host header sent to the backend (the interceptor routes on it). Default: the caller's."""
    path_prefix: Required[str]
    """Path prefix routed to it, e.g. `/v1/search/chat` (required)."""
    team: Required[str]
    """The team that owns it; only callers whose team claim contains it get through (required)."""
    requests_per_minute: int
    """Limit per Envoy replica for this route. Default: the gateway's."""
    timeout_seconds: int
    """Request timeout (generation can be slow). Default: 300."""
    strip_prefix: bool
    """Strip `path_prefix` before forwarding, so `<prefix>/v1/chat/completions` reaches the server as
    `/v1/chat/completions`. Default: True."""
    labels: Mapping[str, str]
    """Labels on the route objects. Default: none."""


def jwt_provider(issuer: str, jwks_uri: str, audiences: Sequence[str], team_claim: str) -> dict[str, Any]:
    """The Envoy Gateway JWT provider of the platform: its issuer, keys and the team claim copied to a header."""
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


def custom_object(logical: str, api_version: str, kind: str, *, metadata: dict[str, Any], spec: dict[str, Any],
                  opts: pulumi.ResourceOptions) -> k8s.apiextensions.CustomResource:
    """A Gateway API or Envoy Gateway object (its CRD comes with the Envoy Gateway chart)."""
    return k8s.apiextensions.CustomResource(logical, api_version=api_version, kind=kind, metadata=metadata,
                                            spec=spec, opts=opts)


def gateway_ref_problems(check: ArgsChecker, gateway: Mapping[str, Any] | None, path: str = "gateway") -> None:
    """Problems of a `GatewayRefArgs`; values only known later (Outputs from a stack reference) pass."""
    gateway = gateway or {}
    for key in ("namespace", "gateway_name"):
        check.require(bool(gateway.get(key)), f"{path}.{key}", "required")
    for key in ("oidc_issuer", "jwks_uri"):
        value = gateway.get(key)
        check.require(value is not None and (not is_known(value) or str(value).startswith("https://")),
                      f"{path}.{key}", "required: an https:// URL")


class GatewayRoute(pulumi.ComponentResource):
    """An `HTTPRoute` from the platform's gateway to a model service, a route `SecurityPolicy` that admits
    only callers whose JWT team claim contains the owning team (default deny), and a route
    `BackendTrafficPolicy` with the route's rate limit. All three live in the service's namespace."""

    route_name: pulumi.Output[str]
    """Name of the HTTPRoute."""
    path_prefix: pulumi.Output[str]
    """The path prefix served."""

    def __init__(self, name: str, args: GatewayRouteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        gateway = dict(args.get("gateway") or {})
        limit = args.get("requests_per_minute", gateway.get("requests_per_minute", 600))
        timeout = args.get("timeout_seconds", 300)
        port = args.get("port", 8000)
        check = ArgsChecker(TYPE, name)
        gateway_ref_problems(check, gateway)
        for key in ("namespace", "service_name", "path_prefix", "team"):
            check.require(bool(args.get(key)), key, "required")
        check.require(isinstance(args.get("team"), str), "team", "must be a plain string (it names the auth rule)")
        check.require(str(args.get("path_prefix") or "/").startswith("/"), "path_prefix", "must start with '/'")
        check.require(1 <= limit <= 1_000_000, "requests_per_minute", f"must be 1 to 1000000 (got {limit})")
        check.require(1 <= timeout <= 3600, "timeout_seconds", f"must be 1 to 3600 (got {timeout})")
        check.require(1 <= port <= 65535, "port", f"must be 1 to 65535 (got {port})")
        check.done()

        team = args["team"]
        claim = gateway.get("team_claim") or "groups"
        provider = jwt_provider(gateway["oidc_issuer"], gateway["jwks_uri"], list(gateway.get("audiences") or []),
                                claim)
        labels = {**dict(args.get("labels") or {}), "team": team, "app.kubernetes.io/part-of": "aiplatform"}
        meta = {"namespace": args["namespace"], "labels": labels}
        backend: dict[str, Any] = {"name": args["service_name"], "port": port}
        if args.get("service_namespace"):
            backend["namespace"] = args["service_namespace"]
        rule: dict[str, Any] = {
            "matches": [{"path": {"type": "PathPrefix", "value": args["path_prefix"]}}],
            "backendRefs": [backend],
            "timeouts": {"request": f"{timeout}s"},
        }
        rewrite: dict[str, Any] = {}
        if args.get("strip_prefix", True) and args["path_prefix"] != "/":
            rewrite["path"] = {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}
        if args.get("host_rewrite") is not None:
            rewrite["hostname"] = args["host_rewrite"]
        if rewrite:  # one URLRewrite filter per rule (Gateway API)
            rule["filters"] = [{"type": "URLRewrite", "urlRewrite": rewrite}]
        self.route = custom_object(
            f"{name}-route", GATEWAY_API, "HTTPRoute",
            metadata={"name": name, **meta},
            spec={
                "parentRefs": [{"name": gateway["gateway_name"], "namespace": gateway["namespace"],
                                "sectionName": "https"}],
                "rules": [rule],
            },
            opts=child_opts(self),
        )
        target = [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": name}]
        after = child_opts(self, depends_on=[self.route])
        self.security_policy = custom_object(
            f"{name}-auth", ENVOY_API, "SecurityPolicy",
            metadata={"name": f"{name}-auth", **meta},
            spec={
                "targetRefs": target,
                "jwt": {"providers": [provider]},
                "authorization": {"defaultAction": "Deny", "rules": [{
                    "name": f"team-{team}",
                    "action": "Allow",
                    "principal": {"jwt": {"provider": JWT_PROVIDER, "claims": [{
                        "name": claim,
                        "valueType": "StringArray",
                        "values": [team],
                    }]}},
                }]},
            },
            opts=after,
        )
        self.traffic_policy = custom_object(
            f"{name}-limits", ENVOY_API, "BackendTrafficPolicy",
            metadata={"name": f"{name}-limits", **meta},
            spec={"targetRefs": target, "rateLimit": local_rate_limit(limit)},
            opts=after,
        )
        self.route_name = pulumi.Output.from_input(name)
        self.path_prefix = pulumi.Output.from_input(args["path_prefix"])
        self.register_outputs({"routeName": self.route_name, "pathPrefix": self.path_prefix})


__all__ = ["GatewayRefArgs", "GatewayRoute", "GatewayRouteArgs", "jwt_provider", "local_rate_limit"]
