"""GkeGpuNodePool: a GKE node pool of accelerator-optimized machines that scales to zero and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict

import pulumi
import pulumi_gcp as gcp

from ...catalog import DEVICE_RESOURCE, Accelerator, instance_row
from ...catalog.names import NODE_POOL, name_args
from ...config.clouds.gcp import GCP
from .._base import ArgsChecker, child_opts
from .._pool import TAINT_EFFECTS, PoolDescription, TaintArgs, pool_labels, pool_taints
from .gke_cluster import hardened_node_config, per_zone

TYPE = "aiplatform:index:GkeGpuNodePool"
SHARING = {"time-sharing": "TIME_SHARING", "mps": "MPS"}
#: The taint GKE itself puts on GPU nodes; set explicitly so the plan shows it.
GPU_TAINT = {"key": DEVICE_RESOURCE["nvidia"], "value": "present", "effect": "NoSchedule"}


#: The taint args of a GKE pool: the cloud-neutral ones.
GkeTaintArgs = TaintArgs


class GkeGpuNodePoolArgs(TypedDict, total=False):
    project: str
    """The project (required)."""
    cluster: pulumi.Input[str]
    """The cluster id (required; `GkeCluster.cluster_id`)."""
    location: str
    """The cluster's location, region or zone (required)."""
    node_locations: Sequence[str]
    """Zones of the nodes (required)."""
    node_service_account: pulumi.Input[str]
    """Email of the nodes' dedicated service account (required; never the Compute Engine default)."""
    pool_name: str
    """Short pool name for labels. Default: the component name."""
    machine_type: str
    """Accelerator-optimized machine type from the catalog (required)."""
    allow_unlisted_machine_type: bool
    """Accept a machine type the catalog does not list as accelerated. Default: False."""
    capacity_type: Literal["on-demand", "spot", "reservation"]
    """Default: on-demand."""
    reservation_name: str
    """The specific reservation to consume (reservation only)."""
    min_size: int
    """Smallest total node count across zones. Default: 0 (scale to zero)."""
    max_size: int
    """Largest total node count across zones (required)."""
    desired_size: int
    """Total nodes at creation (rounded up to a whole number per zone); ignored afterwards so the autoscaler
    owns it. Default: 0."""
    disk_size_gib: int
    """Boot disk (pd-balanced), GiB. Default: 200."""
    gpu_driver_version: Literal["DEFAULT", "LATEST"]
    """The NVIDIA driver GKE installs. Default: DEFAULT."""
    gpu_sharing: Literal["time-sharing", "mps"]
    """Share each GPU (or MIG partition) between pods. Default: none."""
    max_shared_clients_per_gpu: int
    """Pods per GPU with gpu_sharing (required with it)."""
    mig_partition_size: str
    """MIG partition size, e.g. 1g.10gb (A100/H100). Default: whole GPUs."""
    labels: Mapping[str, str]
    """Extra Kubernetes node labels. Default: none."""
    taints: Sequence[GkeTaintArgs]
    """Extra taints; the nvidia.com/gpu taint is always set. Default: none."""
    resource_labels: Mapping[str, str]
    """GCP labels on the node VMs (cost allocation). Default: none."""


class GkeGpuNodePool(pulumi.ComponentResource):
    """A GKE node pool of GPU machines, hardened like the system pool, sized by total node counts.

    `guestAccelerators` carries the machine type's GPU model and count from the
    catalog, with GKE-managed driver installation and optional time-sharing,
    MPS or MIG. Spot, on-demand, or a specific reservation. Nodes carry the
    `nvidia.com/gpu=present:NoSchedule` taint and the platform's pool and
    accelerator labels, run as the dedicated node service account with the GKE
    metadata server (Workload Identity) and shielded VMs with secure boot.
    """

    node_pool: gcp.container.NodePool
    max_accelerators: int
    accelerator_resource: str

    def __init__(self, name: str, args: GkeGpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        described, accelerator = _described(name, args)
        machine, capacity = described.instance_types[0], args.get("capacity_type", "on-demand")
        min_size, max_size = args.get("min_size", 0), args["max_size"]
        sharing, mig = args.get("gpu_sharing"), args.get("mig_partition_size")
        count = described.accelerators_per_node
        self.accelerator_resource = described.accelerator_resource
        self.accelerators_per_node = count
        self.max_accelerators = described.max_accelerators
        self.instance_types = described.instance_types
        labels, taints = described.node_labels, described.node_taints
        self.node_labels, self.node_taints = labels, taints

        guest = None
        if accelerator is not None and accelerator.gcp_type is not None:
            guest = [gcp.container.NodePoolNodeConfigGuestAcceleratorArgs(
                type=accelerator.gcp_type,
                count=count,
                gpu_driver_installation_config=gcp.container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs(
                    gpu_driver_version=args.get("gpu_driver_version", "DEFAULT")),
                gpu_partition_size=mig,
                gpu_sharing_config=gcp.container.NodePoolNodeConfigGuestAcceleratorGpuSharingConfigArgs(
                    gpu_sharing_strategy=SHARING[sharing],
                    max_shared_clients_per_gpu=args["max_shared_clients_per_gpu"],
                ) if sharing else None,
            )]
        reservation = None
        if capacity == "reservation":
            reservation = gcp.container.NodePoolNodeConfigReservationAffinityArgs(
                consume_reservation_type="SPECIFIC_RESERVATION",
                key="compute.googleapis.com/reservation-name",
                values=[args["reservation_name"]],
            )

        self.node_pool = gcp.container.NodePool(
            name,
            **name_args(NODE_POOL, name),
            project=args["project"],
            cluster=args["cluster"],
            location=args["location"],
            node_locations=list(args["node_locations"]),
            initial_node_count=per_zone(args.get("desired_size", 0), args["node_locations"]),
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                total_min_node_count=min_size,
                total_max_node_count=max_size,
                # Spot and scarce GPUs: take capacity in any zone that has it.
                location_policy="ANY" if capacity == "spot" else "BALANCED",
            ),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            # A surge GPU node may not be obtainable; replace nodes one at a time instead.
            upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(max_surge=0, max_unavailable=1),
            node_config=hardened_node_config(
                args["node_service_account"], args.get("resource_labels") or {},
                args.get("disk_size_gib", GCP.defaults.gpu_disk_size_gib),
                machine_type=machine,
                guest_accelerators=guest,
                spot=capacity == "spot",
                reservation_affinity=reservation,
                labels=labels,
                taints=[gcp.container.NodePoolNodeConfigTaintArgs(
                    key=t["key"], value=t["value"], effect=TAINT_EFFECTS[t["effect"]]) for t in taints],
            ),
            opts=child_opts(self, ignore_changes=["initialNodeCount"]),
        )
        self.register_outputs({
            "nodePoolName": self.node_pool.name,
            "instanceTypes": self.instance_types,
            "maxAccelerators": self.max_accelerators,
            "acceleratorResource": self.accelerator_resource,
        })


    @staticmethod
    def describe(name: str, args: GkeGpuNodePoolArgs) -> PoolDescription:
        """The pool as the platform reads it (`GpuPool`), from the same arguments with the same checks (the same
        error for bad ones), creating no resource: what a chunked offline plan keeps of the pools it does not
        register (`aiplatform.components._chunk`)."""
        return _described(name, args)[0]


def _described(name: str, args: GkeGpuNodePoolArgs) -> tuple[PoolDescription, Accelerator | None]:
    """The checked arguments' description of the pool, and the catalog's accelerator of its machine type."""
    check = ArgsChecker(TYPE, name)
    for key in ("project", "cluster", "location", "node_locations", "node_service_account", "machine_type"):
        check.require(bool(args.get(key)), key, "required")
    machine = args.get("machine_type", "")
    row = instance_row(machine)
    accelerator = row.accelerator if row is not None else None
    if not args.get("allow_unlisted_machine_type"):
        check.require(accelerator is not None and accelerator.gcp_type is not None, "machine_type",
                      f"{machine!r} is not an accelerator-optimized GCP machine type of the catalog")
    capacity = args.get("capacity_type", "on-demand")
    check.require(capacity in ("on-demand", "spot", "reservation"), "capacity_type",
                  "must be on-demand, spot or reservation")
    check.require((capacity == "reservation") == bool(args.get("reservation_name")), "reservation_name",
                  "required with capacity_type reservation, and only with it")
    min_size, max_size = args.get("min_size", 0), args.get("max_size")
    check.require(max_size is not None and max_size >= 1, "max_size", "required, at least 1")
    if max_size is not None:
        check.require(0 <= min_size <= max_size, "min_size", f"must be 0..max_size ({min_size} > {max_size})")
    sharing = args.get("gpu_sharing")
    check.require(sharing is None or sharing in SHARING, "gpu_sharing", "must be time-sharing or mps")
    check.require((sharing is None) == (args.get("max_shared_clients_per_gpu") is None),
                  "max_shared_clients_per_gpu", "give it together with gpu_sharing")
    mig = args.get("mig_partition_size")
    if mig is not None and accelerator is not None:
        check.require(mig in accelerator.mig_profiles, "mig_partition_size",
                      f"{accelerator.model} takes {', '.join(accelerator.mig_profiles) or 'no MIG partitions'}")
    check.done()

    count = accelerator.count if accelerator is not None else 0
    return PoolDescription(
        name=name,
        instance_types=[machine],
        accelerator_resource=DEVICE_RESOURCE["nvidia"],
        accelerators_per_node=count,
        max_accelerators=count * (max_size or 0),
        node_labels=pool_labels(args.get("pool_name", name), "nvidia", capacity,
                                model=accelerator.model if accelerator is not None else None,
                                count=count if accelerator is not None else None,
                                labels=args.get("labels")),
        node_taints=pool_taints(GPU_TAINT, args.get("taints")),
    ), accelerator


__all__ = ["GPU_TAINT", "GkeGpuNodePool", "GkeGpuNodePoolArgs", "GkeTaintArgs"]
