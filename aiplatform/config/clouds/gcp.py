"""GCP, as the config sees it: region grammar, fields only GCP takes, GCP's checks and every GCP default."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ...catalog import instance_row
from ..defaults import ByEnv
from ._rules import CloudDefaults, CloudRules, Found, cost_center_problems

LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
ARTIFACT_REPOSITORY = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
#: The private control plane's /28 when the config names none.
MASTER_CIDR = ipaddress.ip_network("172.16.0.0/28")
EXISTING_NETWORK = ("network_name", "subnetwork_name", "pods_range_name", "services_range_name")


def pods_cidr(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """The pods range of a new subnetwork when none is given: the /16 after the /16 that holds `cidr`."""
    base = ipaddress.ip_network(f"{cidr.network_address}/16", strict=False)
    return ipaddress.ip_network(f"{base.broadcast_address + 1}/16")


def services_cidr(pods: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """The services range when none is given: the /20 after the pods range."""
    return ipaddress.ip_network(f"{pods.broadcast_address + 1}/20")


def _network_problems(net: Any) -> Found:
    found: Found = net.zone_problems()
    if net.cidr is None:
        found += [(f, "required with an existing network") for f in EXISTING_NETWORK if getattr(net, f) is None]
        if net.pods_cidr is not None or net.services_cidr is not None or net.nat_gateways is not None:
            found.append(("", "pods_cidr, services_cidr and nat_gateways apply only to a new network (cidr)"))
        return found
    if not 16 <= net.cidr.prefixlen <= 24:
        found.append(("cidr", f"prefix length must be /16 to /24 (got /{net.cidr.prefixlen})"))
    if net.nat_gateways == "per-az":
        found.append(("nat_gateways", "Cloud NAT is regional: one gateway serves every zone (use single)"))
    try:
        pods = net.pods_cidr_resolved
    except ValueError:  # the default is the /16 after cidr's: there is none after 255.255.0.0/16
        return found + [("cidr", f"no /16 follows {net.cidr} for the default pods range; give pods_cidr")]
    try:
        services = net.services_cidr_resolved
    except ValueError:
        where = "pods_cidr" if net.pods_cidr is not None else "cidr"
        return found + [(where, f"no /20 follows the pods range {pods} for the default services range; "
                                "give services_cidr")]
    ranges = [("cidr", net.cidr), ("pods_cidr", pods), ("services_cidr", services),
              ("master_cidr", net.master_cidr_resolved)]
    for i, (name, one) in enumerate(ranges):
        for other_name, other in ranges[i + 1:]:
            if one.overlaps(other):
                found.append((other_name, f"{other} overlaps {name} {one}"))
    if net.master_cidr is not None and net.master_cidr.prefixlen != 28:
        found.append(("master_cidr", f"the control plane takes a /28 (got /{net.master_cidr.prefixlen})"))
    if net.pods_cidr is not None and not 9 <= net.pods_cidr.prefixlen <= 21:
        found.append(("pods_cidr", f"prefix length must be /9 to /21 (got /{net.pods_cidr.prefixlen})"))
    return found


def _pool_problems(pool: Any) -> Found:
    found: Found = []
    if pool.capacity_type == "capacity-block":
        found.append(("capacity_type", "capacity-block is AWS's; on GCP use reservation"))
    if len(pool.instance_types) != 1:
        found.append(("instance_types", "a GKE node pool takes exactly one machine type"))
    if pool.capacity_type == "reservation" and pool.reservation_name is None:
        found.append(("reservation_name", "required when capacity_type is reservation"))
    if pool.capacity_type != "reservation" and pool.reservation_name is not None:
        found.append(("reservation_name", "only used when capacity_type is reservation"))
    if (pool.gpu_sharing is None) != (pool.max_shared_clients_per_gpu is None):
        found.append(("max_shared_clients_per_gpu", "give it together with gpu_sharing"))
    row = instance_row(pool.instance_types[0])
    if pool.mig_partition_size is not None and row is not None and row.accelerator is not None:
        profiles = row.accelerator.mig_profiles
        if pool.mig_partition_size not in profiles:
            found.append(("mig_partition_size", f"{row.accelerator.model} takes "
                                                f"{', '.join(profiles) if profiles else 'no MIG partitions'}"))
    if pool.gpu_sharing == "mps" and pool.mig_partition_size is not None:
        found.append(("gpu_sharing", "MPS cannot share MIG partitions; use time-sharing or drop mig_partition_size"))
    return found


def _platform_problems(config: Any) -> Found:
    found: Found = [(f, "required on cloud gcp") for f in ("project", "project_number") if getattr(config, f) is None]
    if len(config.cluster.system_nodes.instance_types or []) > 1:
        found.append(("cluster.system_nodes.instance_types", "a GKE node pool takes exactly one machine type"))
    if config.environment == "prod" and config.cluster.regional is False:
        found.append(("cluster.regional", "prod clusters are regional (a zonal control plane is one zone's outage away)"))
    for key, value in config.tags.items():
        if not LABEL_KEY.match(key) or not LABEL_VALUE.match(value):
            found.append((f"tags[{key!r}]", "GCP labels take lowercase letters, digits, '_' and '-' "
                                            "(keys start with a letter; at most 63 characters)"))
    registry = config.model_registry
    if registry is not None:
        if registry.model_families:
            found.append(("model_registry.model_families", "SageMaker model package groups are AWS's; on GCP, "
                                                           "register versions in Vertex AI Model Registry"))
        name = registry.repository_name
        if name is not None and not ARTIFACT_REPOSITORY.match(name):
            found.append(("model_registry.repository_name", f"{name!r} is not a valid Artifact Registry repository id"))
    if config.vector_store is not None and config.vector_store.kind == "opensearch-serverless":
        found.append(("vector_store.kind", "opensearch-serverless is AWS's; on GCP use qdrant"))
    return found


#: What Cloud Storage refuses in a bucket name (the platform name starts every bucket name it derives).
_GOOGLE = re.compile(r"^goog|g[o0][o0]g(l|1)e")


def _name_problems(config: Any) -> Found:
    found: Found = []
    if _GOOGLE.search(config.name):
        found.append(("name", "Cloud Storage refuses bucket names that start with 'goog' or contain 'google' "
                              "(or a close misspelling): the platform's bucket names start with the platform name"))
    return found + cost_center_problems(
        config, LABEL_VALUE, "GCP label values take lowercase letters, digits, '_' and '-' (at most 63)")


GCP = CloudRules(
    name="gcp",
    article="a GCP",
    region=re.compile(r"^[a-z]+-[a-z]+\d+$"),
    zone_separator="-",
    tag_separator="-",
    defaults=CloudDefaults(
        system_instance_type="e2-standard-4",
        regional=ByEnv(True, False),
        release_channel=ByEnv("STABLE", "REGULAR"),
        nat_gateways=ByEnv("single", "single"),  # Cloud NAT is regional: one gateway serves every zone
        managed_gpu_metrics=True,
        storage_sku="gcp-pd-balanced",  # GKE's managed DCGM metrics, the supported path on GKE's own GPU drivers
    ),
    managed_prometheus="gmp",  # GKE Managed Prometheus
    fields={
        "": ("project", "project_number"),
        "network": (*EXISTING_NETWORK, "pods_cidr", "services_cidr", "master_cidr"),
        "cluster": ("release_channel", "regional", "security_group"),
        "gpu_pools": ("reservation_name", "gpu_sharing", "max_shared_clients_per_gpu", "mig_partition_size",
                      "gpu_driver_version"),
    },
    refusals={
        "workload_identity": "GKE Workload Identity is always on",
        "cluster.admin_role_arns": "grant roles/container.admin in IAM",
        "gpu_pools.ami_type": "GKE picks the node image",
        "gpu_pools.suppress": "GCP labels cannot carry a suppression; suppress in the policy config instead",
        "model_registry.suppress": "GCP labels cannot carry a suppression; suppress in the policy config instead",
        "teams.member_role_arns": "members_group is a Google group, through Google Groups for RBAC",
    },
    existing_network=EXISTING_NETWORK,
    existing_network_words="network_name, subnetwork_name, pods_range_name and services_range_name",
    network_noun="a network",
    network_problems=_network_problems,
    pool_problems=_pool_problems,
    platform_problems=_platform_problems,
    name_problems=_name_problems,
)
