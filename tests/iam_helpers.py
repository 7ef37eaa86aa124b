"""moto with IAM enforcement: an S3 client per identity, holding exactly one policy document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

#: Requests each `s3_client_for` makes before IAM enforcement must start (user, policy, key).
CALLS_PER_IDENTITY = 3


def s3_client_for(iam: Any, name: str, document: str) -> Any:
    """An S3 client of a new IAM user whose only permissions are `document`."""
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="grants", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.client("s3", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


def denied(call: Callable[[], Any]) -> bool:
    """True when the call fails with AccessDenied (and only then)."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "AccessDenied"
    return False
