"""The platform's services: `model_registry`, `vector_store` and `gateway`."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from ..problems import raise_problems
from . import defaults as d
from ._common import Strict, Suppress, hostname_problem, name_check, suppress_field


def _on(value: bool) -> str:
    return "on" if value else "off"


_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ECR_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")


class ModelRegistryConfig(Strict):
    """Model artifacts (S3), lineage (SageMaker model package groups) and serving images (ECR)."""

    bucket_name: str | None = Field(None, description="Artifact bucket name; default: generated (globally unique).")
    model_families: list[str] = Field(
        default_factory=list, max_length=100,
        description="One SageMaker model package group per family, e.g. [chat, embeddings].",
    )
    noncurrent_version_days: int = Field(d.REGISTRY_NONCURRENT_VERSION_DAYS, ge=1, le=3650, description="Days a replaced model version is kept.")
    access_log_bucket: str | None = Field(None, description="Bucket for server access logs; default: none.")
    repository_name: str | None = Field(None, description=f"ECR repository for serving images; default: <name>{d.REGISTRY_REPOSITORY_SUFFIX}.")
    untagged_image_days: int = Field(d.REGISTRY_UNTAGGED_IMAGE_DAYS, ge=1, le=3650, description="Days an untagged image is kept.")
    namespace: str = Field(d.REGISTRY_NAMESPACE, description="Namespace of the publisher and consumer service accounts.")
    suppress: list[Suppress] = suppress_field()

    @field_validator("bucket_name", "access_log_bucket")
    @classmethod
    def _bucket(cls, v: str | None) -> str | None:
        if v is not None and (not _S3_BUCKET.match(v) or ".." in v):
            raise ValueError(f"{v!r} is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")
        return v

    @field_validator("repository_name")
    @classmethod
    def _repository(cls, v: str | None) -> str | None:
        if v is not None and (not _ECR_NAME.match(v) or len(v) > 256):
            raise ValueError(f"{v!r} is not a valid ECR repository name")
        return v

    @field_validator("model_families")
    @classmethod
    def _families(cls, families: list[str]) -> list[str]:
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, family in enumerate(families):
            try:
                name_check(family, 40)
            except ValueError as exc:
                found.append((f"[{i}]", str(exc)))
            if family in seen:
                found.append((f"[{i}]", f"duplicate family {family!r}"))
            seen.add(family)
        raise_problems(found)
        return families

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, v: str) -> str:
        name_check(v, 63)
        if v in d.PLATFORM_NAMESPACES:
            raise ValueError(f"{v!r} is a namespace the platform uses for something else "
                             f"({', '.join(sorted(d.PLATFORM_NAMESPACES))})")
        return v


_OPENSEARCH_ONLY = ("collection_name", "standby_replicas")
_QDRANT_ONLY = ("replicas", "volume_size_gib", "memory", "snapshots")


class VectorStoreConfig(Strict):
    """The vector store: OpenSearch Serverless (managed) or Qdrant (in-cluster)."""

    kind: Literal["opensearch-serverless", "qdrant"] = Field(description="opensearch-serverless or qdrant.")
    network: Literal["private", "public"] = Field(
        "private", description="private (VPC endpoint or in-cluster only) or public; public is refused in prod.",
    )
    collection_name: str | None = Field(
        None, description=f"opensearch-serverless: collection name (default: <name>{d.COLLECTION_SUFFIX}, "
                    f"cut to {d.COLLECTION_NAME_MAX} characters)."
    )
    standby_replicas: bool | None = Field(
        None, description=f"opensearch-serverless: standby replicas (default: {_on(d.STANDBY_REPLICAS.prod)} in prod, "
                          f"{_on(d.STANDBY_REPLICAS.other)} elsewhere)."
    )
    replicas: int | None = Field(None, ge=1, le=15, description=f"qdrant: nodes (default: {d.QDRANT_REPLICAS.prod} in prod, {d.QDRANT_REPLICAS.other} elsewhere).")
    volume_size_gib: int | None = Field(None, ge=1, le=16384, description=f"qdrant: data volume per node (default: {d.QDRANT_VOLUME_SIZE_GIB}).")
    memory: str | None = Field(None, pattern=r"^\d+(Mi|Gi)$", description=f"qdrant: memory per node (default: {d.QDRANT_MEMORY}).")
    snapshots: bool | None = Field(None, description=f"qdrant: snapshots to an encrypted S3 bucket (AWS; default: {str(d.QDRANT_SNAPSHOTS).lower()}).")

    @field_validator("collection_name")
    @classmethod
    def _collection(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[a-z][a-z0-9-]{2,31}$", v):
            raise ValueError(f"{v!r}: 3-32 lowercase letters, digits and '-', starting with a letter")
        return v

    CHECKS = (("the fields of the kind", "_kind_fields"),)

    def _kind_fields(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        other = _QDRANT_ONLY if self.kind == "opensearch-serverless" else _OPENSEARCH_ONLY
        for field in other:
            if getattr(self, field) is not None:
                found.append((field, f"does not apply to kind {self.kind}"))
        if self.kind == "qdrant" and self.network == "public":
            found.append(("network", "qdrant runs inside the cluster and is never exposed publicly"))
        return found


class GatewayConfig(Strict):
    """The AI gateway: HTTPS, JWT authentication against your OIDC issuer, rate limits."""

    oidc_issuer: str = Field(description="Issuer URL (https://) whose JWTs the gateway accepts.")
    jwks_uri: str = Field(description="URL (https://) of the issuer's signing keys (JWKS).")
    audiences: list[str] = Field(default_factory=list, description="Accepted audiences; default: any.")
    team_claim: str = Field(d.GATEWAY_TEAM_CLAIM, min_length=1, description="JWT claim listing the caller's teams.")
    hostname: str | None = Field(
        None, description="Host name of the HTTPS listener (RFC 1123: labels of 1-63 characters, 253 in all; "
                          "`*.` first for a wildcard).",
    )
    tls_secret_name: str | None = Field(None, description="Bring your own certificate: a TLS Secret in the gateway namespace.")
    cert_manager_issuer: str | None = Field(None, description="Or a cert-manager ClusterIssuer that creates it (needs hostname).")
    cert_manager_gateway_api: bool = Field(
        False, description="You state that your cert-manager runs with Gateway API support "
        "(`config.enableGatewayAPI=true`); required with cert_manager_issuer, which it honours only then.",
    )
    requests_per_minute: int = Field(d.GATEWAY_REQUESTS_PER_MINUTE, ge=1, le=1_000_000, description="Default limit per Envoy replica.")
    load_balancer: Literal["internal", "internet-facing"] = Field(
        "internal", description="Scheme of the gateway's NLB; internet-facing only when you say so.",
    )
    replicas: int | None = Field(None, ge=1, le=50, description=f"Envoy replicas (default: {d.GATEWAY_REPLICAS.prod} in prod, {d.GATEWAY_REPLICAS.other} elsewhere).")

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, v: str | None) -> str | None:
        if v is not None and (problem := hostname_problem(v)):
            raise ValueError(problem)
        return v

    @field_validator("oidc_issuer", "jwks_uri")
    @classmethod
    def _https(cls, v: str) -> str:
        if not re.match(r"^https://[^\s/]+\S*$", v):
            raise ValueError(f"must be an https:// URL (got {v!r})")
        return v

    CHECKS = (("the certificate", "_certificate"),)

    def _certificate(self, _: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.tls_secret_name and self.cert_manager_issuer:
            found.append(("cert_manager_issuer", "give tls_secret_name (your certificate) or cert_manager_issuer, not both"))
        elif not (self.tls_secret_name or self.cert_manager_issuer):
            found.append(("tls_secret_name", "required (or cert_manager_issuer): the gateway serves HTTPS only"))
        if self.cert_manager_issuer and not self.hostname:
            found.append(("hostname", "required with cert_manager_issuer (the certificate is issued for it)"))
        if self.cert_manager_issuer and not self.cert_manager_gateway_api:
            found.append(("cert_manager_gateway_api", "set true once your cert-manager runs with "
                          "config.enableGatewayAPI=true: it ignores a Gateway's issuer annotation otherwise"))
        return found
