"""OpenSearchVectorStore: an OpenSearch Serverless vector collection reachable only through a VPC endpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from ...catalog.names import fit
from ...config.clouds.aws import AWS
from .._base import ArgsChecker, child_opts, merge_tags, stateful_opts, warn_override
from .grants import GrantArgs, aoss_data_rules

_STANDBY = AWS.defaults.standby_replicas
assert _STANDBY is not None

TYPE = "aiplatform:index:OpenSearchVectorStore"
_AOSS_NAME = re.compile(r"^[a-z][a-z0-9-]{2,31}$")

#: OpenSearch Serverless policy and endpoint names: 3-32 characters (catalog/data/name_rules.yaml).
POLICY_NAME_LIMIT = 32


class OpenSearchVectorStoreArgs(TypedDict, total=False):
    collection_name: str
    """Collection name, 3-32 lowercase letters, digits and '-' (required)."""
    kms_key_arn: pulumi.Input[str]
    """The platform key for the encryption policy (required)."""
    vpc_id: pulumi.Input[str]
    """VPC of the endpoint (required)."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets of the endpoint (required)."""
    source_security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Security groups allowed to reach the endpoint on 443, e.g. the EKS cluster security group (required)."""
    public_access: bool
    """Allow access from the internet (still IAM-authenticated) instead of only the VPC endpoint.
    Default: False; the platform refuses it in production."""
    standby_replicas: bool
    """Standby replicas in a second zone (doubles the minimum OCUs). Default: True."""
    protect: bool
    """Protect the collection (production). Default: False."""
    tags: Mapping[str, str]
    """Tags on every taggable resource. Default: none."""


def encryption_policy(collection: str, kms_key_arn: str) -> str:
    return json.dumps({
        "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{collection}"]}],
        "AWSOwnedKey": False,
        "KmsARN": kms_key_arn,
    }, sort_keys=True)


def network_policy(collection: str, vpc_endpoint_id: str | None, public: bool = False) -> str:
    """Access to the collection's API only from the VPC endpoint (unless `public`); no dashboards."""
    rule: dict[str, object] = {
        "Description": f"{collection}: {'public' if public else 'VPC endpoint only'}",
        "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{collection}"]}],
        "AllowFromPublic": public,
    }
    if not public:
        rule["SourceVPCEs"] = [vpc_endpoint_id]
    return json.dumps([rule], sort_keys=True)


def data_access_policy(collection: str, principals: Sequence[str], write: bool,
                       index_prefix: str | None = None) -> str:
    scope = f"indexes {index_prefix}-*" if index_prefix else "platform workloads"
    return json.dumps([{
        "Description": f"{collection}: {'read-write' if write else 'read-only'} for {scope}",
        "Rules": aoss_data_rules(collection, write, index_prefix),
        "Principal": sorted(principals),
    }], sort_keys=True)


class OpenSearchVectorStore(pulumi.ComponentResource):
    """A `VECTORSEARCH` collection encrypted with the platform key, reachable only through a VPC
    endpoint created here (never public, no dashboards), readable and writable only by the roles
    given to `allow`."""

    collection: aws.opensearch.ServerlessCollection
    endpoint: pulumi.Output[str]
    read_grant: GrantArgs
    write_grant: GrantArgs

    def __init__(self, name: str, args: OpenSearchVectorStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        collection = str(args.get("collection_name") or "")
        check = ArgsChecker(TYPE, name)
        check.require(bool(_AOSS_NAME.match(collection)), "collection_name",
                      f"{collection!r}: 3-32 lowercase letters, digits and '-', starting with a letter")
        for key in ("kms_key_arn", "vpc_id", "subnet_ids", "source_security_group_ids"):
            check.require(args.get(key) is not None, key, "required")
        check.done()
        public = bool(args.get("public_access", False))
        if public:
            warn_override(TYPE, name, "public_access", False, True)
        self.collection_name = collection
        tags = dict(args.get("tags") or {})
        # Policy names share the collection's limit of 32 characters.
        short = collection[:POLICY_NAME_LIMIT - 6].rstrip("-")

        # Public: the policy is known at preview (so guardrails see it) and no endpoint is needed.
        self.vpc_endpoint = None
        if public:
            policy: pulumi.Input[str] = network_policy(collection, None, public=True)
        else:
            group = aws.ec2.SecurityGroup(
                f"{name}-endpoint",
                description=f"OpenSearch Serverless endpoint of {collection}: HTTPS from the cluster only",
                vpc_id=args["vpc_id"],
                ingress=[{
                    "description": "HTTPS from the cluster",
                    "protocol": "tcp", "from_port": 443, "to_port": 443,
                    "security_groups": args["source_security_group_ids"],
                }],
                tags=merge_tags(tags, Name=f"{collection}-endpoint"),
                opts=child_opts(self),
            )
            endpoint = aws.opensearch.ServerlessVpcEndpoint(
                name,
                name=f"{short}-vpce",
                vpc_id=args["vpc_id"],
                subnet_ids=args["subnet_ids"],
                security_group_ids=[group.id],
                opts=child_opts(self),
            )
            self.vpc_endpoint = endpoint
            policy = endpoint.id.apply(lambda vpce: network_policy(collection, vpce))

        encryption = aws.opensearch.ServerlessSecurityPolicy(
            f"{name}-encryption",
            name=f"{short}-enc",
            type="encryption",
            description=f"{collection}: the platform key",
            policy=pulumi.Output.from_input(args["kms_key_arn"]).apply(lambda arn: encryption_policy(collection, arn)),
            opts=child_opts(self),
        )
        network = aws.opensearch.ServerlessSecurityPolicy(
            f"{name}-network",
            name=f"{short}-net",
            type="network",
            description=f"{collection}: {'public' if public else 'VPC endpoint only'}",
            policy=policy,
            opts=child_opts(self),
        )
        self.collection = aws.opensearch.ServerlessCollection(
            name,
            name=collection,
            type="VECTORSEARCH",
            description=f"Vector store {collection}",
            standby_replicas="ENABLED" if args.get("standby_replicas", _STANDBY.prod) else "DISABLED",
            tags=tags,
            opts=stateful_opts(self, bool(args.get("protect", False)), retain=True, depends_on=[encryption, network]),
        )
        self.endpoint = self.collection.collection_endpoint
        self.arn = self.collection.arn
        self.read_grant = {"kind": "vector-read", "collection_arn": self.collection.arn}  # type: ignore[typeddict-item]
        self.write_grant = {"kind": "vector-write", "collection_arn": self.collection.arn}  # type: ignore[typeddict-item]
        self._short = short
        self.register_outputs({"endpoint": self.endpoint, "collectionArn": self.arn, "collectionName": collection})

    def allow(self, name: str, role_arns: Sequence[pulumi.Input[str]], *, write: bool = False,
              index_prefix: str | None = None) -> aws.opensearch.ServerlessAccessPolicy:
        """A data access policy letting exactly these roles read (or read and write) the collection's indexes,
        or only the indexes named `<index_prefix>-...` (a team's)."""
        collection = self.collection_name
        access = "rw" if write else "ro"
        policy_name = f"{self._short}-{index_prefix}-{access}" if index_prefix else f"{self._short}-{access}"
        return aws.opensearch.ServerlessAccessPolicy(
            f"{name}-{access}",
            name=fit(policy_name, POLICY_NAME_LIMIT),
            type="data",
            description=f"{collection}: {'read-write' if write else 'read-only'} "
                        f"{f'indexes {index_prefix}-*' if index_prefix else 'workload roles'}",
            policy=pulumi.Output.all(*role_arns).apply(
                lambda arns: data_access_policy(collection, arns, write, index_prefix)),
            opts=child_opts(self),
        )


__all__ = ["OpenSearchVectorStore", "OpenSearchVectorStoreArgs"]
