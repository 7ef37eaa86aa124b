"""SecureBucket: an S3 bucket for platform data, private, encrypted, versioned and TLS-only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from ...catalog.names import BUCKET_PREFIX_ROOM, fit
from .._base import ArgsChecker, child_opts, merge_tags, stateful_opts

TYPE = "aiplatform:index:SecureBucket"


class SecureBucketArgs(TypedDict, total=False):
    kms_key_arn: pulumi.Input[str]
    """The key for SSE-KMS (required); bucket keys keep KMS request costs down."""
    bucket_name: str | None
    """Bucket name. Default: generated from the component name."""
    noncurrent_version_days: int
    """Days a replaced or deleted object version is kept. Default: 90."""
    access_log_bucket: str | None
    """Bucket receiving server access logs under `<bucket>/`. Default: no access logging."""
    protect: bool
    """Protect the bucket and retain it when the resource is deleted (production). Default: False."""
    tags: Mapping[str, str]
    """Tags on the bucket. Default: none."""


def tls_only_policy(bucket_arn: str) -> str:
    """Bucket policy that denies every request not made over TLS."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}, sort_keys=True)


class SecureBucket(pulumi.ComponentResource):
    """A bucket with all four public-access blocks, object ownership enforced (no ACLs), versioning,
    SSE-KMS with bucket keys, a policy denying non-TLS requests, expiry of noncurrent versions and
    incomplete uploads, and optional access logging. Never force-destroyed."""

    bucket: aws.s3.Bucket
    name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        days = args.get("noncurrent_version_days", 90)
        check = ArgsChecker(TYPE, name)
        check.require(args.get("kms_key_arn") is not None, "kms_key_arn", "required")
        check.require(1 <= days <= 3650, "noncurrent_version_days", f"must be 1 to 3650 (got {days})")
        check.done()
        tags = dict(args.get("tags") or {})
        bucket_opts = stateful_opts(self, bool(args.get("protect", False)), retain=True)
        if args.get("bucket_name"):
            bucket = aws.s3.Bucket(name, bucket=args["bucket_name"], force_destroy=False,
                                   tags=merge_tags(tags, Name=str(args["bucket_name"])), opts=bucket_opts)
        else:
            bucket = aws.s3.Bucket(name, bucket_prefix=f"{fit(name, BUCKET_PREFIX_ROOM)}-", force_destroy=False, tags=tags, opts=bucket_opts)
        self.bucket = bucket
        block = aws.s3.BucketPublicAccessBlock(
            name, bucket=bucket.bucket, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child_opts(self),
        )
        aws.s3.BucketOwnershipControls(
            name, bucket=bucket.bucket, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child_opts(self),
        )
        versioning = aws.s3.BucketVersioning(
            name, bucket=bucket.bucket, versioning_configuration={"status": "Enabled"}, opts=child_opts(self),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket.bucket,
            rules=[{
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms", "kms_master_key_id": args["kms_key_arn"],
                },
                "bucket_key_enabled": True,
            }],
            opts=child_opts(self),
        )
        aws.s3.BucketPolicy(
            name, bucket=bucket.bucket, policy=bucket.arn.apply(tls_only_policy),
            opts=child_opts(self, depends_on=[block]),
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=bucket.bucket,
            rules=[{
                "id": "expire-noncurrent-versions",
                "status": "Enabled",
                "filter": {},
                "noncurrent_version_expiration": {"noncurrent_days": days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }],
            opts=child_opts(self, depends_on=[versioning]),
        )
        if args.get("access_log_bucket"):
            aws.s3.BucketLogging(
                name, bucket=bucket.bucket, target_bucket=args["access_log_bucket"],
                target_prefix=pulumi.Output.concat(bucket.bucket, "/"), opts=child_opts(self),
            )
        self.name = bucket.bucket
        self.arn = bucket.arn
        self.register_outputs({"bucketName": self.name, "bucketArn": self.arn})


__all__ = ["SecureBucket", "SecureBucketArgs", "tls_only_policy"]
