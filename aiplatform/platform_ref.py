"""What a platform stack hands its team stacks: one versioned output, and `PlatformRef` to read it.

The platform stack exports `aiplatform` (`aiplatform.platform.contract` writes it); a team stack reads it
through a `StackReference`:

    from aiplatform import PlatformRef
    platform = PlatformRef.from_stack("acme/aiplatform/aws-prod", team="search")
    InferenceService("chat", {**platform.inference_args(), "model": "chat/llama-3.1-8b/v3",
                              "accelerator": "L4"}, platform.opts())

The contract is versioned: fields are only added within a major version; a
team stack built for version N refuses a platform output of another major
version with a clear error rather than misreading it. docs/teams.md lists the
fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pulumi

from .labels import CONTRACT_VERSION, OUTPUT_NAME
from .problems import UserError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    import pulumi_kubernetes as k8s


class PlatformRefError(UserError, pulumi.RunError):
    """The platform output is missing, of another version, or has no such team."""


@dataclass(frozen=True)
class PlatformRef:
    """A team's view of a platform stack: where to deploy, as whom, and through which gateway.

    Build it with `from_stack` in a team stack, or `from_output` from the output value itself
    (tests, or a platform and a team in one program).
    """

    team: str
    output: Mapping[str, Any]
    kubeconfig: pulumi.Input[str] | None = None

    @classmethod
    def from_stack(cls, stack: str, *, team: str, name: str | None = None) -> PlatformRef:
        """Read platform stack `stack` (`org/project/stack`) through a `StackReference` named `name`."""
        ref = pulumi.StackReference(name or f"platform-{team}", stack_name=stack)
        details = _sync_await(ref.get_output_details(OUTPUT_NAME))
        value = details.value if details.value is not None else details.secret_value
        if value is None:
            raise PlatformRefError(
                f"stack {stack} has no output {OUTPUT_NAME!r}: is it an aiplatform platform stack that has been "
                "deployed (`pulumi up`) with an aiplatform that has team stacks?")
        cluster = value.get("cluster") if isinstance(value, Mapping) else None
        kubeconfig = (cluster or {}).get("kubeconfig")
        return cls.from_output(value, team=team, source=stack,
                               kubeconfig=pulumi.Output.secret(kubeconfig) if kubeconfig else None)

    @classmethod
    def from_output(cls, value: Mapping[str, Any], *, team: str, kubeconfig: pulumi.Input[str] | None = None,
                    source: str = "the platform output") -> PlatformRef:
        problems = []
        version = value.get("version") if isinstance(value, Mapping) else None
        if version != CONTRACT_VERSION:
            problems.append(f"{OUTPUT_NAME}.version is {version!r}; this aiplatform reads version "
                            f"{CONTRACT_VERSION} (upgrade the one of the two that is older)")
        teams = value.get("teams") if isinstance(value, Mapping) else None
        if not problems and (not isinstance(teams, Mapping) or team not in teams):
            known = ", ".join(sorted(teams or {})) or "none"
            hint = did_you_mean(team, teams or {})
            problems.append(f"team {team!r} is not defined on the platform{hint} (teams: {known}); add it under "
                            "`teams:` in the platform stack's config")
        if problems:
            raise PlatformRefError(f"{source}: " + "; ".join(problems))
        if kubeconfig is None:
            kubeconfig = (value.get("cluster") or {}).get("kubeconfig")
        return cls(team=team, output=value, kubeconfig=kubeconfig)

    # ---- what a team stack uses --------------------------------------------------------

    @property
    def _team(self) -> Mapping[str, Any]:
        return self.output["teams"][self.team]

    @property
    def namespace(self) -> str:
        return str(self._team["namespace"])

    @property
    def service_account(self) -> str:
        return str(self._team["serviceAccount"])

    @property
    def role_arn(self) -> str:
        return str(self._team.get("roleArn") or "")

    @property
    def gpu_quota(self) -> int:
        return int(self._team["gpuQuota"])

    @property
    def accelerators(self) -> list[str]:
        return list(self._team.get("accelerators") or [])

    @property
    def labels(self) -> dict[str, str]:
        """The team's cost labels (team, cost-center, environment): put them on everything."""
        return dict(self._team.get("labels") or {"team": self.team})

    @property
    def region(self) -> str:
        return str(self.output["region"])

    @property
    def registry_uri(self) -> str:
        registry = self.output.get("modelRegistry")
        if not registry:
            raise PlatformRefError(f"platform {self.output.get('platform')!r} has no model registry")
        return str(registry["uri"])

    @property
    def registry_prefix(self) -> str:
        return str(self._team["registryPrefix"])

    @property
    def vector_store(self) -> Mapping[str, Any] | None:
        return self.output.get("vectorStore")

    @property
    def gateway(self) -> dict[str, Any]:
        """`GatewayRefArgs` of the platform gateway, for `GatewayRoute` and `InferenceService`."""
        gateway = self.output.get("gateway")
        if not gateway:
            raise PlatformRefError(f"platform {self.output.get('platform')!r} has no gateway")
        return {
            "namespace": gateway["namespace"],
            "gateway_name": gateway["gatewayName"],
            "oidc_issuer": gateway["oidcIssuer"],
            "jwks_uri": gateway["jwksUri"],
            "audiences": list(gateway.get("audiences") or []),
            "team_claim": gateway.get("teamClaim") or "groups",
            "requests_per_minute": int(gateway.get("requestsPerMinute") or 600),
        }

    @property
    def gateway_url(self) -> str | None:
        gateway = self.output.get("gateway") or {}
        return f"https://{gateway['hostname']}" if gateway.get("hostname") else None

    def provider(self) -> k8s.Provider:
        """A Kubernetes provider for the platform's cluster, defaulting to the team's namespace (created once)."""
        return self._kubernetes

    @cached_property
    def _kubernetes(self) -> k8s.Provider:
        import pulumi_kubernetes as k8s

        return k8s.Provider(f"platform-{self.team}", kubeconfig=self.kubeconfig, namespace=self.namespace)

    def opts(self, **extra: Any) -> pulumi.ResourceOptions:
        """Resource options that deploy into the platform's cluster."""
        return pulumi.ResourceOptions(providers={"kubernetes": self.provider()}, **extra)

    def inference_args(self) -> dict[str, Any]:
        """The `InferenceServiceArgs` the platform decides for this team (merge in the model's own)."""
        args: dict[str, Any] = {
            "team": self.team,
            "namespace": self.namespace,
            "service_account": self.service_account,
            "registry_uri": self.registry_uri,
            "allowed_accelerators": self.accelerators,
            "region": self.region,
            "labels": self.labels,
        }
        if self.output.get("gateway"):
            args["gateway"] = self.gateway
        return args


def _sync_await(awaitable: Any) -> Any:
    """Wait for a stack reference's output while the program is being built, as the SDK's synchronous
    invokes do (its `_sync_await`; pulumi is pinned to 3.x in pyproject.toml, and a test exercises this)."""
    try:
        from pulumi.runtime.sync_await import _sync_await as wait
    except ImportError as exc:  # pragma: no cover - a future SDK without it
        raise PlatformRefError(f"this pulumi SDK cannot read stack outputs synchronously ({exc}); "
                               "use PlatformRef.from_output with the output's value") from None
    return wait(awaitable)


__all__ = ["CONTRACT_VERSION", "OUTPUT_NAME", "PlatformRef", "PlatformRefError"]
