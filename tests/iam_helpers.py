"""moto with IAM enforcement: an S3 client per identity, holding exactly one policy document."""

from __future__ import annotations

import re
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


_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)$")


def wildcard_resource_problems(resource: str) -> list[str]:
    """Why a policy `Resource` is too broad: a non-ARN, a wildcard service/region/account, or a wildcard name."""
    if resource == "*":
        return []  # judged with the actions
    match = _ARN.match(resource)
    if not match:
        return [f"{resource}: not an ARN"]
    head, path = match.groups()[:4], match.group(5)
    if any("*" in (part or "") for part in head):
        return [f"{resource}: wildcard service, region or account"]
    segments = re.split(r"[/:]", path)
    # S3 ARNs start with the bucket; the others with a resource type, then the name.
    name = segments[0] if head[1] == "s3" or len(segments) == 1 else segments[1]
    # A wildcard may close a path (objects under a prefix, versions of a package), never name the resource.
    if "*" in name or re.search(r"[^/:]\*", path):
        return [f"{resource}: wildcard resource name"]
    return []
