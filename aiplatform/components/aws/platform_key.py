"""PlatformKey: the customer-managed KMS key the platform's data is encrypted with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from .._base import ArgsChecker, child_opts, merge_tags, stateful_opts

TYPE = "aiplatform:index:PlatformKey"


class PlatformKeyArgs(TypedDict, total=False):
    alias: str
    """Alias name without `alias/` (required), e.g. `aiplatform/ml-prod/data`."""
    description: str
    """Key description. Default: the alias."""
    deletion_window_days: int
    """Waiting period before a scheduled deletion (7-30). Default: 30."""
    protect: bool
    """Protect the key from deletion by `pulumi destroy` or a refactor. Default: False."""
    tags: Mapping[str, str]
    """Tags on the key. Default: none."""


class PlatformKey(pulumi.ComponentResource):
    """A symmetric KMS key with yearly rotation and an alias, for the model registry, the image
    repository, the vector store and its volumes. The key policy is the account default: access is
    granted by IAM, always through the owning service (`kms:ViaService`)."""

    key: aws.kms.Key
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: PlatformKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        window = args.get("deletion_window_days", 30)
        check = ArgsChecker(TYPE, name)
        check.require(bool(args.get("alias")), "alias", "required")
        check.require(7 <= window <= 30, "deletion_window_days", f"must be 7 to 30 (got {window})")
        check.done()
        alias = args["alias"]
        self.key = aws.kms.Key(
            name,
            description=args.get("description") or alias,
            enable_key_rotation=True,
            deletion_window_in_days=window,
            tags=merge_tags(args.get("tags"), Name=alias),
            opts=stateful_opts(self, bool(args.get("protect", False)), retain=True),  # what it encrypts outlives it
        )
        aws.kms.Alias(name, name=f"alias/{alias}", target_key_id=self.key.key_id, opts=child_opts(self))
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn})


__all__ = ["PlatformKey", "PlatformKeyArgs"]
