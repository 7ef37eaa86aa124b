"""AWS IAM actions that take no resource ARN, so `Resource: "*"` is the only way to grant them.

Source: the AWS Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
one page per service, table "Actions defined by ..."), where these actions list no resource type. Data, shared
by the components that grant them (the cluster autoscaler's role) and the
`aip-security-iam-no-wildcards` rule, whose default allow-list this is; add an action here only
after checking its row in that reference.
"""

from __future__ import annotations

#: The read-only calls the cluster autoscaler makes (its `Describe` statement).
AUTOSCALER_DESCRIBE_ACTIONS: tuple[str, ...] = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)

#: Every action the platform grants on `Resource: "*"` for want of an ARN, in the rule's documented order.
UNSCOPABLE_ACTIONS: tuple[str, ...] = (
    "ecr:GetAuthorizationToken",
    "sts:GetCallerIdentity",
    *AUTOSCALER_DESCRIBE_ACTIONS,
    "aoss:ListCollections",
    "aoss:BatchGetCollection",
    "sagemaker:ListModelPackageGroups",
)
