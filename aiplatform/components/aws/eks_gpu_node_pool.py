"""EksGpuNodePool: an accelerator node group that scales to zero and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict

import pulumi
import pulumi_aws as aws

from ...catalog import DEVICE_RESOURCE, aws_instances
from ...catalog.checks import accelerator_type_problems, vendor_of
from ...catalog.names import NODE_GROUP, name_args
from ...catalog.pins import AMI_TYPES_BY_VENDOR
from ...config.clouds.aws import AWS, default_ami_type
from .._base import LABEL_PREFIX, ArgsChecker, child_opts
from .._pool import TAINT_EFFECTS, PoolDescription, TaintArgs, pool_labels, pool_taints
from .launch_template import node_launch_template

TYPE = "aiplatform:index:EksGpuNodePool"

CAPACITY_TYPES = {"on-demand": "ON_DEMAND", "spot": "SPOT", "capacity-block": "CAPACITY_BLOCK"}
#: Cluster-autoscaler reads these ASG tags to build a node from nothing when a pool is at zero.
NODE_TEMPLATE_TAG = "k8s.io/cluster-autoscaler/node-template"


class EksGpuNodePoolArgs(TypedDict, total=False):
    cluster_name: pulumi.Input[str]
    """The EKS cluster (required)."""
    node_role_arn: pulumi.Input[str]
    """IAM role of the nodes (required; `EksCluster.node_role_arn`)."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the nodes run in (required)."""
    pool_name: str
    """Short pool name for labels. Default: the component name."""
    instance_types: Sequence[str]
    """Accelerator instance types from the catalog (required)."""
    allow_unlisted_instance_types: bool
    """Accept instance types that are not catalogued accelerator types. Default: False."""
    capacity_type: Literal["on-demand", "spot", "capacity-block"]
    """Default: on-demand."""
    capacity_reservation_id: str
    """The EC2 Capacity Block reservation (capacity-block only)."""
    min_size: int
    """Default: 0 (scale to zero)."""
    max_size: int
    """Largest node count (required)."""
    desired_size: int
    """Node count at creation; ignored afterwards so the autoscaler owns it. Default: `min_size`."""
    disk_size_gib: int
    """Encrypted gp3 volume. Default: 200."""
    ami_type: str
    """EKS AMI type. Default: AL2023_x86_64_NVIDIA (NVIDIA) or AL2023_x86_64_NEURON (Neuron)."""
    volume_kms_key_arn: pulumi.Input[str]
    """KMS key for the volumes. Default: the account's EBS key (`alias/aws/ebs`)."""
    labels: Mapping[str, str]
    """Extra node labels. Default: none."""
    taints: Sequence[TaintArgs]
    """Extra taints; the accelerator taint is always set. Default: none."""
    kubernetes_version: pulumi.Input[str]
    """Node Kubernetes version. Default: the cluster's."""
    tags: Mapping[str, str]
    """Tags on every taggable resource and on the instances. Default: none."""


class EksGpuNodePool(pulumi.ComponentResource):
    """A managed node group of GPU (or Neuron) instances on a hardened launch template.

    Nodes carry the accelerator taint (`nvidia.com/gpu=true:NoSchedule` or
    `aws.amazon.com/neuron=true:NoSchedule`) and labels for the pool,
    accelerator model and count and capacity type. `desiredSize` is ignored after
    creation, and the node group's Auto Scaling group carries the
    cluster-autoscaler node-template tags, so a pool at zero scales up on demand.
    """

    node_group: aws.eks.NodeGroup
    launch_template: aws.ec2.LaunchTemplate
    max_accelerators: int
    accelerator_resource: str

    def __init__(self, name: str, args: EksGpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        described, ami_type = _described(name, args)
        types, capacity = described.instance_types, args.get("capacity_type", "on-demand")
        min_size, max_size = args.get("min_size", 0), args["max_size"]
        tags = dict(args.get("tags") or {})
        resource, labels, taints = described.accelerator_resource, described.node_labels, described.node_taints
        self.instance_types = types
        self.accelerator_resource = resource
        self.accelerators_per_node = described.accelerators_per_node
        self.max_accelerators = described.max_accelerators
        self.node_labels, self.node_taints = labels, taints

        self.launch_template = node_launch_template(
            name,
            disk_size_gib=args.get("disk_size_gib", AWS.defaults.gpu_disk_size_gib),
            ami_type=ami_type,
            tags=tags,
            kms_key_arn=args.get("volume_kms_key_arn"),
            capacity_reservation_id=args.get("capacity_reservation_id"),
            opts=child_opts(self),
        )
        self.node_group = aws.eks.NodeGroup(
            name,
            **name_args(NODE_GROUP, name),
            cluster_name=args["cluster_name"],
            node_role_arn=args["node_role_arn"],
            subnet_ids=args["subnet_ids"],
            version=args.get("kubernetes_version"),
            instance_types=types,
            capacity_type=CAPACITY_TYPES[capacity],
            ami_type=ami_type,
            launch_template={"id": self.launch_template.id, "version": self.launch_template.latest_version.apply(str)},
            scaling_config={
                "min_size": min_size,
                "max_size": max_size,
                "desired_size": args.get("desired_size", min_size),
            },
            update_config={"max_unavailable": 1},
            node_repair_config={"enabled": True},
            labels=labels,
            taints=[{**t, "effect": TAINT_EFFECTS[t["effect"]]} for t in taints],
            tags=tags,
            opts=child_opts(self, ignore_changes=["scalingConfig.desiredSize"]),
        )

        # Node-template tags on the Auto Scaling group, so the autoscaler can scale from zero.
        asg_name = self.node_group.resources.apply(lambda r: r[0].autoscaling_groups[0].name)
        template_tags = {f"{NODE_TEMPLATE_TAG}/label/{k}": v for k, v in labels.items()}
        template_tags.update({f"{NODE_TEMPLATE_TAG}/taint/{t['key']}": f"{t['value']}:{t['effect']}" for t in taints})
        if self.accelerators_per_node:
            template_tags[f"{NODE_TEMPLATE_TAG}/resources/{resource}"] = str(self.accelerators_per_node)
        for key, value in sorted(template_tags.items()):
            aws.autoscaling.Tag(
                f"{name}-asg-{_tag_slug(key)}",
                autoscaling_group_name=asg_name,
                tag={"key": key, "value": value, "propagate_at_launch": False},
                opts=child_opts(self),
            )

        self.register_outputs({
            "nodeGroupName": self.node_group.node_group_name,
            "instanceTypes": types,
            "maxAccelerators": self.max_accelerators,
            "acceleratorResource": resource,
        })


    @staticmethod
    def describe(name: str, args: EksGpuNodePoolArgs) -> PoolDescription:
        """The pool as the platform reads it (`GpuPool`), from the same arguments with the same checks (the same
        error for bad ones), creating no resource: what a chunked offline plan keeps of the pools it does not
        register (`aiplatform.components._chunk`)."""
        return _described(name, args)[0]


def _described(name: str, args: EksGpuNodePoolArgs) -> tuple[PoolDescription, str]:
    """The checked arguments' description of the pool, and its AMI type."""
    types = list(args.get("instance_types") or [])
    capacity = args.get("capacity_type", "on-demand")
    min_size, max_size = args.get("min_size", 0), args.get("max_size")
    check = ArgsChecker(TYPE, name)
    for key in ("cluster_name", "node_role_arn", "subnet_ids"):
        check.require(args.get(key) is not None, key, "required")
    check.require(bool(types), "instance_types", "give at least one instance type")
    for sub, reason in accelerator_type_problems(types, args.get("allow_unlisted_instance_types", False)):
        check.add(f"instance_types{sub}", reason)
    check.require(capacity in CAPACITY_TYPES, "capacity_type", f"must be one of {', '.join(CAPACITY_TYPES)}")
    check.require(max_size is not None and max_size >= 1, "max_size", "required, at least 1")
    if max_size is not None:
        check.require(0 <= min_size <= max_size, "min_size", f"must be 0..max_size ({min_size} > {max_size})")
        desired = args.get("desired_size")
        check.require(desired is None or min_size <= desired <= max_size, "desired_size", "must be min_size..max_size")
    if capacity == "capacity-block":
        check.require(bool(args.get("capacity_reservation_id")), "capacity_reservation_id", "required for capacity-block")
        check.require(len(types) == 1, "instance_types", "a capacity-block pool takes exactly one instance type")
    else:
        check.require(args.get("capacity_reservation_id") is None, "capacity_reservation_id", "only for capacity-block")
    vendor = vendor_of(types) or "nvidia"
    ami_type = args.get("ami_type") or default_ami_type(vendor)
    check.require(ami_type in AMI_TYPES_BY_VENDOR[vendor], "ami_type",
                  f"{ami_type!r} does not fit {vendor} instances ({', '.join(AMI_TYPES_BY_VENDOR[vendor])})")
    check.done()

    resource = DEVICE_RESOURCE[vendor]
    accelerators = [row.accelerator for t in types if (row := aws_instances().get(t)) and row.accelerator]
    models = {a.model for a in accelerators}
    counts = {a.count for a in accelerators}
    labels = pool_labels(
        args.get("pool_name", name), vendor, capacity,
        {f"{LABEL_PREFIX}ami-family": "bottlerocket" if ami_type.startswith("BOTTLEROCKET") else "al2023"},
        model=next(iter(models)) if len(models) == 1 else None,
        count=next(iter(counts)) if len(counts) == 1 else None,
        labels=args.get("labels"),
    )
    return PoolDescription(
        name=name,
        instance_types=types,
        accelerator_resource=resource,
        accelerators_per_node=min((a.count for a in accelerators), default=0),
        max_accelerators=max((a.count for a in accelerators), default=0) * (max_size or 0),
        node_labels=labels,
        node_taints=pool_taints({"key": resource, "value": "true", "effect": "NoSchedule"}, args.get("taints")),
    ), ami_type


def _tag_slug(key: str) -> str:
    """A stable, readable resource-name suffix for a node-template tag key."""
    tail = key.removeprefix(f"{NODE_TEMPLATE_TAG}/")
    return tail.replace("/", "-").replace(".", "-").lower()
