"""CloudKmsKey: a Cloud KMS key ring and a rotated key, usable by named Google service agents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from .._base import ArgsChecker, child_opts, stateful_opts

TYPE = "aiplatform:index:CloudKmsKey"
#: Google service agents that use a CMEK on a project's behalf, by service.
SERVICE_AGENT_DOMAINS = {
    "container": "container-engine-robot",  # GKE application-layer secrets encryption
    "storage": "gs-project-accounts",  # Cloud Storage default bucket key
    "artifactregistry": "gcp-sa-artifactregistry",  # Artifact Registry repositories
    "compute": "compute-system",  # persistent disks (node boot disks, volumes)
}
#: 90 days, in seconds: the rotation the guardrails require at most.
ROTATION_PERIOD = "7776000s"


def service_agent(project_number: str, service: str) -> str:
    """The email of a Google service agent of a project ("service-<number>@<domain>.iam.gserviceaccount.com")."""
    return f"service-{project_number}@{SERVICE_AGENT_DOMAINS[service]}.iam.gserviceaccount.com"


class CloudKmsKeyArgs(TypedDict, total=False):
    project: str
    """The project (required)."""
    project_number: str
    """The project number, naming the service agents (required with `service_agents`)."""
    location: str
    """Region of the key ring; a CMEK must be in its resource's region (required)."""
    key_ring_name: str
    """Default: the component name."""
    keys: Sequence[str]
    """Key names in the ring, one per purpose (required)."""
    service_agents: Mapping[str, Sequence[str]]
    """Key name -> services whose agents may encrypt and decrypt with it (see SERVICE_AGENT_DOMAINS)."""
    rotation_period: str
    """Default: 7776000s (90 days)."""
    protect: bool
    """Protect the key ring and keys, and retain the keys when deleted (production). Default: False."""
    labels: Mapping[str, str]
    """Labels on the keys. Default: none."""


class CloudKmsKey(pulumi.ComponentResource):
    """A regional key ring with one software key per purpose, rotated every 90 days.

    Each key grants `roles/cloudkms.cryptoKeyEncrypterDecrypter` to exactly the
    service agents named for it, nothing else. Key rings and keys cannot be
    deleted in Cloud KMS; in production both are protected.
    """

    key_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: CloudKmsKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        for key in ("project", "location", "keys"):
            check.require(bool(args.get(key)), key, "required")
        agents = dict(args.get("service_agents") or {})
        for key, services in agents.items():
            check.require(key in (args.get("keys") or []), f"service_agents.{key}", "not one of keys")
            for service in services:
                check.require(service in SERVICE_AGENT_DOMAINS, f"service_agents.{key}",
                              f"unknown service {service!r} (known: {', '.join(SERVICE_AGENT_DOMAINS)})")
        check.require(not agents or bool(args.get("project_number")), "project_number", "required with service_agents")
        check.done()
        protect = bool(args.get("protect"))
        ring = gcp.kms.KeyRing(name, name=args.get("key_ring_name", name), project=args["project"],
                               location=args["location"], opts=stateful_opts(self, protect))
        self.key_ids = {}
        for key_name in args["keys"]:
            key = gcp.kms.CryptoKey(
                f"{name}-{key_name}", name=key_name, key_ring=ring.id, purpose="ENCRYPT_DECRYPT",
                rotation_period=args.get("rotation_period", ROTATION_PERIOD),
                version_template=gcp.kms.CryptoKeyVersionTemplateArgs(
                    algorithm="GOOGLE_SYMMETRIC_ENCRYPTION", protection_level="SOFTWARE"),
                labels=dict(args.get("labels") or {}),
                opts=stateful_opts(self, protect, retain=True),  # destroying it loses what it encrypts
            )
            self.key_ids[key_name] = key.id
            for service in agents.get(key_name, ()):
                gcp.kms.CryptoKeyIAMMember(
                    f"{name}-{key_name}-{service}", crypto_key_id=key.id,
                    role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
                    member=f"serviceAccount:{service_agent(args['project_number'], service)}",
                    opts=child_opts(self),
                )
        self.key_ring_id = ring.id
        self.register_outputs({"keyRingId": ring.id, "keyIds": self.key_ids})
