"""Text rendering of a plan: a tree of components and resources with the properties that matter."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from ..labels import COLD_START_ANNOTATION
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
    "kubernetes:core/v1:ResourceQuota": ("spec.hard",),
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
    "kubernetes:keda.sh/v1alpha1:ScaledObject": ("spec.minReplicaCount", "spec.maxReplicaCount"),
}
#: Annotations shown as facts (their keys hold dots, which the path grammar splits): the model server's
#: cold-start budget (docs/serving.md).
ANNOTATION_FACTS = {"kubernetes:apps/v1:Deployment": ((COLD_START_ANNOTATION, "coldStart", "s"),)}


#: Helper resources folded into one line of their component in the summary: (type, what they are).
FOLDED = {"aws:autoscaling/tag:Tag": "cluster-autoscaler node-template tags"}


#: A secret met on the way to a highlighted path: printed as `[secret]`.
SECRET_MARK = {SECRET_SIG_KEY: SECRET_SIG, "value": None}


def _fmt(value: Any) -> str:
    if is_secret(value):
        return "[secret]"
    if is_unknown(value):
        return "(known after apply)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def _short(type_: str) -> str:
    """`aws:eks/nodeGroup:NodeGroup` -> `NodeGroup`; `aiplatform:index:EksGpuNodePool` -> `EksGpuNodePool`."""
    if type_.startswith("pulumi:providers:"):
        return f"provider {type_.rsplit(':', 1)[-1]}"
    return type_.rsplit(":", 1)[-1]


def _display_type(type_: str) -> str:
    """The type token as `pulumi preview` shows it: `aws:s3/bucketPolicy:BucketPolicy` -> `aws:s3:BucketPolicy`
    (the module's file part dropped when it only repeats the name); other tokens unchanged."""
    parts = type_.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module, _, file = parts[1].rpartition("/")
        if file.lower() == parts[2].lower():
            return f"{parts[0]}:{module}:{parts[2]}"
    return type_


def _k8s_name(resource: PlannedResource) -> str | None:
    """A Kubernetes object as `namespace/name` (or `name` for a cluster-scoped one), when its inputs say."""
    if not resource.type.startswith("kubernetes:") or resource.type.startswith("pulumi:providers"):
        return None
    meta = resource.inputs.get("metadata") if isinstance(resource.inputs.get("metadata"), dict) else resource.inputs
    name, namespace = meta.get("name"), meta.get("namespace")
    if not isinstance(name, str) or is_unknown(name):
        return None
    return f"{namespace}/{name}" if isinstance(namespace, str) and namespace else name


def _facts(resource: PlannedResource) -> Text | None:
    """The highlighted inputs: `key=value` pairs, keys dim and values plain, wrapped between pairs."""
    pairs = []
    for path in HIGHLIGHTS.get(resource.type, ()):
        value = walk(resource.inputs, path, None, stop=is_secret, stopped=SECRET_MARK)
        if value is not None:
            pairs.append(Text.assemble((f"{path}=", "dim"), _fmt(value)))
    annotations = walk(resource.inputs, "metadata.annotations", None, stop=is_secret, stopped=None)
    for key, shown, unit in ANNOTATION_FACTS.get(resource.type, ()):
        if isinstance(annotations, dict) and isinstance(annotations.get(key), str):
            pairs.append(Text.assemble((f"{shown}=", "dim"), f"{annotations[key]}{unit}"))
    return Text("  ").join(pairs) if pairs else None


def _label(resource: PlannedResource, detail: bool) -> Text:
    kind = _display_type(resource.type) if detail else _short(resource.type)
    label = Text(kind, style="bold cyan" if not resource.custom else "green")
    k8s = _k8s_name(resource)
    label.append(f" {k8s}" if k8s else f" {resource.name}")
    if k8s and detail and k8s.rsplit("/", 1)[-1] != resource.name:
        label.append(f" ({resource.name})", style="dim")
    if resource.protect:
        label.append(" (protected)", style="yellow")
    facts = _facts(resource)
    if facts is not None:
        label.append("  ")
        label.append_text(facts)
    return label


def _fold(children: list[PlannedResource]) -> tuple[list[PlannedResource], list[Text]]:
    """Summary: resources worth a line of their own, and one line per folded or uneventful group."""
    shown: list[PlannedResource] = []
    folded: dict[str, list[PlannedResource]] = {}
    plain: dict[str, int] = {}
    objects: dict[tuple[str, str], list[str]] = {}
    for r in children:
        k8s = _k8s_name(r)
        if k8s and "/" in k8s and r.type not in HIGHLIGHTS:
            objects.setdefault((r.type, k8s.split("/", 1)[0]), []).append(k8s.split("/", 1)[1])
    many = {key for key, names in objects.items() if len(names) > 2}
    grouped: dict[tuple[str, str], list[str]] = {}
    for r in children:
        k8s = _k8s_name(r)
        key = (r.type, k8s.split("/", 1)[0]) if k8s and "/" in k8s else None
        if key in many:
            grouped.setdefault(key, []).append(k8s.split("/", 1)[1])  # type: ignore[union-attr,arg-type]
        elif r.type in FOLDED:
            folded.setdefault(r.type, []).append(r)
        elif not r.custom or r.protect or r.type in HIGHLIGHTS or _k8s_name(r):
            shown.append(r)
        else:
            plain[_short(r.type)] = plain.get(_short(r.type), 0) + 1
    lines = [Text.assemble((f"{len(rs)} {FOLDED[t]}", "green"), (f" ({_short(t)})", "dim"))
             for t, rs in folded.items()]
    lines += [Text.assemble((f"{len(names)} {_short(t)}", "green"), f" {namespace}/", ", ".join(names))
              for (t, namespace), names in grouped.items()]
    if plain:
        lines.append(Text("and ", style="dim").append(", ".join(
            f"{n} {kind}" if n > 1 else kind for kind, n in plain.items()), style="green"))
    return shown, lines


def render_text(plan: Plan, console: Console, show_secrets: bool = False, detail: bool = False) -> None:
    """The plan as a tree: by default components with their key resources (helpers folded into a count),
    with `detail` every resource and its type token as `pulumi preview` shows it. Every secret, at any depth, prints as `[secret]`
    unless `show_secrets`."""
    if show_secrets:
        plan = _revealed(plan)
    stack = next((r for r in plan.resources if r.type == "pulumi:pulumi:Stack"), None)
    tree = Tree(Text.assemble((plan.project, "bold"), " / ", (plan.stack, "bold"), f" ({plan.mode})"))
    children: dict[str | None, list[PlannedResource]] = {}
    for r in plan.resources:
        if r is not stack:
            children.setdefault(stack.urn if stack is not None and r.parent is None else r.parent, []).append(r)
    # Parents register before children, so a walk from the root meets every resource.

    def add(node: Tree, parent: str | None) -> None:
        kids = children.get(parent, [])
        shown, lines = (kids, []) if detail else _fold(kids)
        for r in shown:
            add(node.add(_label(r, detail)), r.urn)
        for line in lines:
            node.add(line)

    add(tree, stack.urn if stack is not None else None)
    placed = {r.urn for rs in children.values() for r in rs}
    for orphan in (r for r in plan.resources if r is not stack and r.parent not in placed | {None}
                   and (stack is None or r.parent != stack.urn) and r.parent not in children):
        tree.add(_label(orphan, detail))
    console.print(tree)
    customs = sum(1 for r in plan.resources if r.custom)
    components = sum(1 for r in plan.resources if not r.custom) - (1 if stack else 0)
    console.print(f"\n{_count(customs, 'resource')} in {_count(components, 'component')}"
                  + ("" if detail else " (--detail shows every resource)"))
    for diag in plan.diagnostics:
        if diag.severity in ("warning", "error"):
            console.print(Text.assemble((diag.severity, "yellow"), f": {diag.message}"))
    if plan.outputs:
        console.print("\n[bold]Outputs[/]")
        tree = Tree("", hide_root=True, guide_style="dim")
        for key, value in plan.outputs.items():
            _output(tree, key, value)
        console.print(tree)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _output(node: Tree, key: str, value: Any) -> None:
    """One output as an indented tree: mappings and lists of mappings nest, scalars sit beside their key."""
    if isinstance(value, dict) and value and not is_secret(value) and not is_unknown(value):
        branch = node.add(Text(f"{key}:", style="bold"))
        for k, v in value.items():
            _output(branch, str(k), v)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        branch = node.add(Text(f"{key}:", style="bold"))
        for i, v in enumerate(value):
            _output(branch, f"[{i}]", v)
    else:
        node.add(Text.assemble((f"{key}: ", "bold"), _fmt(value)))


def _revealed(plan: Plan) -> Plan:
    from dataclasses import replace

    from ..shape.props import reveal

    return replace(plan, outputs=reveal(plan.outputs),
                   resources=[replace(r, inputs=reveal(r.inputs)) for r in plan.resources])
