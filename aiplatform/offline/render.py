"""Text rendering of a plan: a tree of components and resources with the properties that matter."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from ..shape.paths import walk
from ..shape.plan import Plan, PlannedResource
from ..shape.props import SECRET_SIG, SECRET_SIG_KEY, is_secret, is_unknown

#: Per resource type, the input paths worth showing in the tree.
HIGHLIGHTS: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone"),
    "aws:eks/cluster:Cluster": (
        "name", "version", "vpcConfig.endpointPublicAccess", "vpcConfig.publicAccessCidrs",
        "enabledClusterLogTypes", "accessConfig.authenticationMode",
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        "instanceTypes", "capacityType", "amiType", "scalingConfig", "taints",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "metadataOptions.httpTokens", "metadataOptions.httpPutResponseHopLimit",
        "blockDeviceMappings[0].ebs.volumeSize", "blockDeviceMappings[0].ebs.encrypted",
    ),
    "aws:eks/addon:Addon": ("addonName", "addonVersion"),
    "aws:kms/key:Key": ("enableKeyRotation",),
    "kubernetes:helm.sh/v3:Release": ("chart", "version", "namespace"),
    "aws:autoscaling/tag:Tag": ("tag.key", "tag.value"),
    "gcp:container/cluster:Cluster": (
        "location", "minMasterVersion", "releaseChannel.channel", "privateClusterConfig.enablePrivateEndpoint",
        "masterAuthorizedNetworksConfig.cidrBlocks",
    ),
    "gcp:container/nodePool:NodePool": (
        "nodeConfig.machineType", "nodeConfig.spot", "nodeConfig.guestAccelerators", "autoscaling",
    ),
    "gcp:compute/subnetwork:Subnetwork": ("ipCidrRange", "secondaryIpRanges"),
    "gcp:storage/bucket:Bucket": ("location", "publicAccessPrevention"),
    "gcp:kms/cryptoKey:CryptoKey": ("rotationPeriod",),
}


#: A secret met on the way to a highlighted path: printed as `[secret]`.
SECRET_MARK = {SECRET_SIG_KEY: SECRET_SIG, "value": None}


def _fmt(value: Any) -> str:
    if is_secret(value):
        return "[secret]"
    if is_unknown(value):
        return "(known after apply)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def _label(resource: PlannedResource) -> str:
    style = "bold cyan" if not resource.custom else "green"
    label = f"[{style}]{escape(resource.type)}[/] {escape(resource.name)}"
    if resource.protect:
        label += " [yellow](protected)[/]"
    details = []
    for path in HIGHLIGHTS.get(resource.type, ()):
        value = walk(resource.inputs, path, None, stop=is_secret, stopped=SECRET_MARK)
        if value is not None:
            details.append(f"{path}={_fmt(value)}")
    if details:
        label += "\n[dim]" + escape("  ".join(details)) + "[/]"
    return label


def render_text(plan: Plan, console: Console, show_secrets: bool = False) -> None:
    """The plan as a tree; every secret, at any depth, prints as `[secret]` unless `show_secrets`."""
    if show_secrets:
        plan = _revealed(plan)
    stack = next((r for r in plan.resources if r.type == "pulumi:pulumi:Stack"), None)
    title = f"[bold]{escape(plan.project)}[/] / [bold]{escape(plan.stack)}[/] ({plan.mode})"
    tree = Tree(title)
    nodes: dict[str | None, Tree] = {None: tree}
    if stack is not None:
        nodes[stack.urn] = tree
    pending = [r for r in plan.resources if r is not stack]
    # Parents register before children, so one pass in order places every node.
    for resource in pending:
        parent = nodes.get(resource.parent, tree)
        nodes[resource.urn] = parent.add(_label(resource))
    console.print(tree)
    customs = sum(1 for r in plan.resources if r.custom)
    components = sum(1 for r in plan.resources if not r.custom) - (1 if stack else 0)
    console.print(f"\n{customs} resources in {components} components")
    for diag in plan.diagnostics:
        if diag.severity in ("warning", "error"):
            console.print(f"[yellow]{diag.severity}[/]: {escape(diag.message)}")
    if plan.outputs:
        console.print("\n[bold]Outputs[/]")
        for key, value in plan.outputs.items():
            shown = _fmt(value)
            console.print(f"  {escape(key)}: {escape(shown)}")


def _revealed(plan: Plan) -> Plan:
    from dataclasses import replace

    from ..shape.props import reveal

    return replace(plan, outputs=reveal(plan.outputs),
                   resources=[replace(r, inputs=reveal(r.inputs)) for r in plan.resources])
