"""Kueue: GPU sharing between teams. One ClusterQueue per team in the platform's cohort, a LocalQueue in each
team namespace, a ResourceFlavor per accelerator model of the GPU pools, and priorities serving > interactive
> batch, preempting inside the cohort.

The controller is the pinned chart (`catalog.pins.KUEUE`) on the system nodes. Quotas, as Kueue reads them:

- Each team's ClusterQueue has two resource groups: `cpu`/`memory` on the `default` flavor (no node labels),
  with the team's namespace quota as nominal and no borrowing; and the accelerator resources on one flavor per
  accelerator model the team may use, each with the team's `gpus` as nominal quota, its `borrowing_limit` and,
  if set, its `lending_limit`. The namespace's ResourceQuota caps the sum over flavors at gpus + borrowing.
- A workload that borrows may preempt lower-priority workloads of other teams; a team reclaims its own nominal
  quota from borrowers whatever their priority (Kueue's classical preemption).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from pulumi_kubernetes._utilities import get_version as k8s_version

from ...catalog.pins import KUEUE, KUEUE_IMAGE
from ...config import defaults as d
from ...labels import TEAM_QUEUE
from .._base import ArgsChecker, child_opts
from .helm import pinned_release

TYPE = "aiplatform:index:Kueue"
API_VERSION = "kueue.x-k8s.io/v1beta2"
#: The flavor of CPU and memory: no node labels (any node the pod's own selectors allow).
DEFAULT_FLAVOR = "default"
#: WorkloadPriorityClasses, highest first: a workload preempts only lower ones.
PRIORITIES: dict[str, tuple[int, str]] = {
    "serving": (1000, "Model servers and what they need to answer requests."),
    "interactive": (500, "Notebooks and jobs a person waits for."),
    "batch": (100, "Ingestion, evaluation and training jobs that can wait or restart."),
}
#: How each team's ClusterQueue preempts (classical preemption, kueue.x-k8s.io/v1beta2 ClusterQueuePreemption).
PREEMPTION = {
    "withinClusterQueue": "LowerPriority",
    "reclaimWithinCohort": "Any",
    "borrowWithinCohort": {"policy": "LowerPriority"},
}


class KueueFlavorArgs(TypedDict, total=False):
    name: Required[str]
    """Flavor name (a DNS label), e.g. the accelerator model in lower case (required)."""
    model: Required[str]
    """The accelerator model (`L4`), matched against a team's `accelerators` (required)."""
    resource: Required[str]
    """The extended resource its nodes offer (`nvidia.com/gpu`) (required)."""
    node_labels: Required[Mapping[str, str]]
    """Node labels that select its nodes (required)."""
    tolerations: Sequence[Mapping[str, str]]
    """Tolerations Kueue adds to the pods it admits on this flavor (the pools' taints). Default: none."""


class KueueTeamArgs(TypedDict, total=False):
    team: Required[str]
    """Team name: names its ClusterQueue (required)."""
    namespace: Required[pulumi.Input[str]]
    """The team's namespace (its LocalQueue lives there; pass `TeamNamespace.namespace`) (required)."""
    namespace_name: Required[str]
    """The same namespace's name, known now: the ClusterQueue admits only its LocalQueues (required)."""
    gpus: Required[int]
    """Nominal accelerator quota per allowed flavor (required)."""
    borrowing_limit: int
    """Accelerators it may borrow in the cohort. Default: 0."""
    lending_limit: int
    """Accelerators of its nominal quota others may borrow. Default: all."""
    cpu: Required[str]
    """Nominal CPU (the namespace quota) (required)."""
    memory: Required[str]
    """Nominal memory (the namespace quota) (required)."""
    accelerators: Sequence[str]
    """Accelerator models the team may use. Default: every flavor's."""


class KueueArgs(TypedDict, total=False):
    cohort: Required[str]
    """The cohort every team's ClusterQueue joins (the platform's name) (required)."""
    flavors: Required[Sequence[KueueFlavorArgs]]
    """One per accelerator model of the GPU pools (required; may be empty)."""
    teams: Required[Sequence[KueueTeamArgs]]
    """The teams (required; may be empty)."""
    node_selector: Mapping[str, str]
    """Node labels of the system nodes the controller runs on. Default: none."""
    namespace: str
    """Namespace created for the controller. Default: `kueue-system`."""
    labels: Mapping[str, str]
    """Labels on every object. Default: none."""


def flavor_specs(flavors: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """ResourceFlavor specs by name: the CPU/memory flavor, then one per accelerator flavor."""
    out: dict[str, dict[str, Any]] = {DEFAULT_FLAVOR: {}}
    for flavor in flavors:
        spec: dict[str, Any] = {"nodeLabels": dict(flavor["node_labels"])}
        if flavor.get("tolerations"):
            spec["tolerations"] = [dict(t) for t in flavor["tolerations"]]
        out[flavor["name"]] = spec
    return out


def cluster_queue_spec(team: Mapping[str, Any], flavors: Sequence[Mapping[str, Any]], cohort: str) -> dict[str, Any]:
    """A team's ClusterQueue spec (see the module docstring)."""
    groups: list[dict[str, Any]] = [{
        "coveredResources": ["cpu", "memory"],
        "flavors": [{"name": DEFAULT_FLAVOR, "resources": [
            {"name": "cpu", "nominalQuota": team["cpu"], "borrowingLimit": 0},
            {"name": "memory", "nominalQuota": team["memory"], "borrowingLimit": 0},
        ]}],
    }]
    allowed = set(team.get("accelerators") or [])
    usable = [f for f in flavors if not allowed or f["model"] in allowed]
    covered = sorted({f["resource"] for f in usable})
    if usable:
        entries = []
        for flavor in usable:
            resources = []
            for resource in covered:
                own = resource == flavor["resource"]
                quota: dict[str, Any] = {"name": resource, "nominalQuota": team["gpus"] if own else 0,
                                         "borrowingLimit": team.get("borrowing_limit", 0) if own else 0}
                if own and team.get("lending_limit") is not None:
                    quota["lendingLimit"] = team["lending_limit"]
                resources.append(quota)
            entries.append({"name": flavor["name"], "resources": resources})
        groups.append({"coveredResources": covered, "flavors": entries})
    return {
        "cohortName": cohort,
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": team["namespace_name"]}},
        "queueingStrategy": "BestEffortFIFO",
        "preemption": PREEMPTION,
        "resourceGroups": groups,
    }


def kueue_problems(check: ArgsChecker, args: Mapping[str, Any]) -> None:
    check.require(bool(args.get("cohort")), "cohort", "required: the cohort name (the platform's)")
    names = set()
    for i, flavor in enumerate(args.get("flavors") or []):
        check.require(flavor.get("name") not in (None, DEFAULT_FLAVOR, *names), f"flavors[{i}].name",
                      f"required, unique and not {DEFAULT_FLAVOR!r} (got {flavor.get('name')!r})")
        names.add(flavor.get("name"))
        check.require(bool(flavor.get("node_labels")), f"flavors[{i}].node_labels", "required: the nodes' labels")
    models = {f.get("model") for f in args.get("flavors") or []}
    for i, team in enumerate(args.get("teams") or []):
        gpus, lend = team.get("gpus"), team.get("lending_limit")
        check.require(isinstance(gpus, int) and gpus >= 0, f"teams[{i}].gpus", f"must be >= 0 (got {gpus!r})")
        check.require(isinstance(team.get("borrowing_limit", 0), int) and team.get("borrowing_limit", 0) >= 0,
                      f"teams[{i}].borrowing_limit", "must be >= 0")
        check.require(lend is None or (isinstance(gpus, int) and 0 <= lend <= gpus), f"teams[{i}].lending_limit",
                      f"must be 0 to gpus ({lend!r} > {gpus!r})")
        for j, model in enumerate(team.get("accelerators") or []):
            check.require(model in models, f"teams[{i}].accelerators[{j}]", f"no flavor for model {model!r}")


class ClusterObject(pulumi.CustomResource):
    """A custom resource whose fields sit beside `metadata` rather than in `spec` (WorkloadPriorityClass has
    `value` and `description`), which `apiextensions.CustomResource` cannot express; same type token."""

    def __init__(self, name: str, api_version: str, kind: str, fields: Mapping[str, Any],
                 opts: pulumi.ResourceOptions) -> None:
        super().__init__(f"kubernetes:{api_version}:{kind}", name,
                         {"apiVersion": api_version, "kind": kind, **fields},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(version=k8s_version())))


class Kueue(pulumi.ComponentResource):
    """Kueue (pinned chart) on the system nodes, with the platform's flavors, priorities and per-team queues."""

    release: k8s.helm.v3.Release
    flavors: dict[str, k8s.apiextensions.CustomResource]
    priority_classes: dict[str, ClusterObject]
    cluster_queues: dict[str, k8s.apiextensions.CustomResource]
    local_queues: dict[str, k8s.apiextensions.CustomResource]

    def __init__(self, name: str, args: KueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        check = ArgsChecker(TYPE, name)
        kueue_problems(check, args)
        check.done()
        labels = {**dict(args.get("labels") or {}), "app.kubernetes.io/managed-by": "aiplatform"}
        namespace = args.get("namespace", d.KUEUE_NAMESPACE)
        ns = k8s.core.v1.Namespace(f"{name}-kueue", metadata={"name": namespace, "labels": {
            **labels, "pod-security.kubernetes.io/enforce": "restricted"}}, opts=child_opts(self))
        repository, tag = KUEUE_IMAGE.rsplit(":", 1)
        # No system-* priority class: clusters may limit those to kube-system (GKE is believed to, through its
        # quota admission config; not verified here), and a queue controller restarting is no node emergency.
        manager: dict[str, Any] = {"image": {"repository": repository, "tag": tag, "pullPolicy": "IfNotPresent"}}
        self.release = pinned_release(f"{name}-kueue", KUEUE, namespace=ns.metadata.name, values={
            "controllerManager": {"manager": manager, "nodeSelector": dict(args.get("node_selector") or {})},
        }, opts=child_opts(self))
        after = child_opts(self, depends_on=[self.release])  # the chart installs the CRDs and the webhook

        def custom(logical: str, kind: str, metadata: Mapping[str, Any], **fields: Any) -> k8s.apiextensions.CustomResource:
            return k8s.apiextensions.CustomResource(logical, api_version=API_VERSION, kind=kind,
                                                    metadata={**metadata, "labels": labels}, opts=after, **fields)

        flavors = list(args.get("flavors") or [])
        self.flavors = {flavor: custom(f"{name}-flavor-{flavor}", "ResourceFlavor", {"name": flavor}, spec=spec)
                        for flavor, spec in flavor_specs(flavors).items()}
        self.priority_classes = {
            priority: ClusterObject(f"{name}-priority-{priority}", API_VERSION, "WorkloadPriorityClass", {
                "metadata": {"name": priority, "labels": labels}, "value": value, "description": description,
            }, after)
            for priority, (value, description) in PRIORITIES.items()}
        self.cluster_queues, self.local_queues = {}, {}
        for team in args.get("teams") or []:
            queue = self.cluster_queues[team["team"]] = custom(
                f"{name}-queue-{team['team']}", "ClusterQueue", {"name": team["team"]},
                spec=cluster_queue_spec(team, flavors, args["cohort"]))
            self.local_queues[team["team"]] = k8s.apiextensions.CustomResource(
                f"{name}-local-queue-{team['team']}", api_version=API_VERSION, kind="LocalQueue",
                metadata={"name": TEAM_QUEUE, "namespace": team["namespace"], "labels": labels},
                spec={"clusterQueue": team["team"]}, opts=child_opts(self, depends_on=[self.release, queue]))
        self.register_outputs({"namespace": ns.metadata.name, "cohort": args["cohort"]})


__all__ = ["API_VERSION", "PRIORITIES", "Kueue", "KueueArgs", "KueueFlavorArgs", "KueueTeamArgs",
           "cluster_queue_spec", "flavor_specs"]
