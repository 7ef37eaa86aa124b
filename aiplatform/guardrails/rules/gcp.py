"""Google Cloud: the security rules of the AWS pack applied to their GCP equivalents.

Private GKE control plane and nodes, Workload Identity, shielded nodes, a
dedicated node service account, secrets and data encrypted with keys you
control (CMEK, rotated), Cloud Storage public access prevention, and IAM without
basic roles or public members. Labels, accelerator allow-lists, spot and
scale-to-zero are the cloud-neutral cost rules (`cost.py`), which read GKE node
pools like EKS node groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ...shape.props import as_bool, as_list, is_unknown, known
from ...shape.resource import Resource
from .._rule import PRODUCTION_ENVIRONMENTS, resource_rule
from .exposure import broad_cidrs

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
BUCKET = "gcp:storage/bucket:Bucket"
REPOSITORY = "gcp:artifactregistry/repository:Repository"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
#: IAM member and binding resources: `member` (one) or `members` (many) get `role` on something.
IAM_TYPES = frozenset({
    f"gcp:{module}/{kind}:{kind[0].upper()}{kind[1:]}"
    for module, kinds in {
        "projects": ("iAMMember", "iAMBinding"),
        "organizations": ("iAMMember", "iAMBinding"),
        "folder": ("iAMMember", "iAMBinding"),
        "storage": ("bucketIAMMember", "bucketIAMBinding"),
        "serviceaccount": ("iAMMember", "iAMBinding"),
        "kms": ("cryptoKeyIAMMember", "cryptoKeyIAMBinding", "keyRingIAMMember", "keyRingIAMBinding"),
        "artifactregistry": ("repositoryIamMember", "repositoryIamBinding"),
        "vertex": ("aiEndpointIamMember", "aiEndpointIamBinding"),
    }.items()
    for kind in kinds
})
#: Basic (primitive) roles: thousands of permissions on everything in the project.
PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
#: The Compute Engine default service account (`<number>-compute@developer.gserviceaccount.com`).
DEFAULT_COMPUTE_SA = re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$")
BOUNDARY = ("nist-800-53:SC-7",)
AT_REST = ("nist-800-53:SC-28",)
LEAST_PRIVILEGE = ("nist-800-53:AC-6",)


def _node_configs(resource: Resource) -> Iterator[tuple[str, Any]]:
    """(path, nodeConfig) of a node pool, or of a cluster's default pool when it declares one."""
    config = resource.get("nodeConfig")
    if resource.type == NODE_POOL or known(config):
        yield "nodeConfig", config


@resource_rule(
    "aip-security-gke-control-plane",
    area="security",
    severity=Severity.CRITICAL,
    types={CLUSTER},
    description="GKE clusters have private nodes, and a control plane reachable only through a private endpoint "
                "or authorized networks; never the whole internet in production.",
    why="The Kubernetes API is the keys to every GPU and secret in the cluster. Without authorized networks a "
        "public GKE endpoint accepts connections from anywhere; public nodes add an address per GPU machine.",
    remediation="Set privateClusterConfig.enablePrivateNodes, and enablePrivateEndpoint or "
                "masterAuthorizedNetworksConfig with the office/VPN CIDRs (gcpPublicCidrsAccessEnabled false).",
    config={"minPrefixLengthInProduction": {
        "type": "integer", "minimum": 0, "maximum": 32, "default": 8,
        "description": "In production, authorized networks broader than this prefix length count as the world.",
    }, **PRODUCTION_ENVIRONMENTS},
    frameworks=BOUNDARY,
    tags=("public-access", "gke"),
)
def gke_control_plane(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    private = resource.get("privateClusterConfig")
    if is_unknown(private):
        return
    if not known(private) or resource.get("privateClusterConfig.enablePrivateNodes") is not True:
        yield "nodes are not private (privateClusterConfig.enablePrivateNodes): every node gets a public address"
    if resource.get("privateClusterConfig.enablePrivateEndpoint") is True:
        return
    authorized = resource.get("masterAuthorizedNetworksConfig")
    if is_unknown(authorized):
        return
    if not known(authorized):
        yield "the control plane has a public endpoint and no masterAuthorizedNetworksConfig: open to the internet"
        return
    if resource.get("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled") is True:
        yield "gcpPublicCidrsAccessEnabled lets any Google Cloud address reach the control plane"
    blocks = resource.get("masterAuthorizedNetworksConfig.cidrBlocks")
    cidrs = [b.get("cidrBlock") for b in as_list(blocks) if isinstance(b, dict) and known(b.get("cidrBlock"))]
    if any(str(c).endswith("/0") for c in cidrs):
        yield f"authorized networks include {', '.join(c for c in cidrs if str(c).endswith('/0'))}: the whole internet"
        return
    if resource.is_production(config) is False:
        return
    broad = broad_cidrs(cidrs, config["minPrefixLengthInProduction"])
    if broad:
        yield (f"authorized networks {', '.join(broad)} open the control plane to the world (or close to it) in "
               f"production: /{int(config['minPrefixLengthInProduction'])} or narrower")


@resource_rule(
    "aip-security-gke-workload-identity",
    area="security",
    severity=Severity.HIGH,
    types={CLUSTER, NODE_POOL},
    description="GKE clusters enable Workload Identity and their nodes serve it (GKE metadata server).",
    why="Without Workload Identity every pod acts as the node's service account: one compromised pod reads "
        "whatever the nodes can, and the node's credentials leak through the metadata server.",
    remediation="Set workloadIdentityConfig.workloadPool to <project>.svc.id.goog on the cluster and "
                "nodeConfig.workloadMetadataConfig.mode GKE_METADATA on every node pool.",
    frameworks=LEAST_PRIVILEGE,
    tags=("identity", "gke"),
)
def gke_workload_identity(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type == CLUSTER:
        pool = resource.get("workloadIdentityConfig.workloadPool")
        if not known(pool) and not is_unknown(pool):
            yield "workloadIdentityConfig.workloadPool is not set: pods act as the node's service account"
    for path, node in _node_configs(resource):
        mode = resource.get(f"{path}.workloadMetadataConfig.mode")
        if is_unknown(node) or is_unknown(mode):
            continue
        if mode != "GKE_METADATA":
            yield f"{path}.workloadMetadataConfig.mode is {mode if known(mode) else 'unset'}, not GKE_METADATA"


@resource_rule(
    "aip-security-gke-shielded-nodes",
    area="security",
    severity=Severity.HIGH,
    types={CLUSTER, NODE_POOL},
    description="GKE nodes are shielded VMs with secure boot and integrity monitoring.",
    why="Secure boot refuses unsigned boot components and kernel modules: a rootkit on a GPU node would see "
        "every model and request that node serves.",
    remediation="Set enableShieldedNodes on the cluster and nodeConfig.shieldedInstanceConfig.enableSecureBoot "
                "(and enableIntegrityMonitoring) on every node pool.",
    tags=("hardening", "gke"),
)
def gke_shielded_nodes(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.type == CLUSTER:
        shielded = resource.get("enableShieldedNodes")
        if known(shielded) and as_bool(shielded) is False:
            yield "enableShieldedNodes is false"
    for path, node in _node_configs(resource):
        if is_unknown(node):
            continue
        boot = resource.get(f"{path}.shieldedInstanceConfig.enableSecureBoot")
        if not is_unknown(boot) and boot is not True:
            yield f"{path}.shieldedInstanceConfig.enableSecureBoot is not true"


@resource_rule(
    "aip-security-gke-node-service-account",
    area="security",
    severity=Severity.HIGH,
    types={CLUSTER, NODE_POOL},
    description="GKE nodes run as a dedicated service account, never the Compute Engine default account.",
    why="The default compute account has the Editor role in many projects: every node, and every pod that "
        "reaches the metadata server, could change almost anything in the project.",
    remediation="Create a service account with roles/container.defaultNodeServiceAccount only and set it as "
                "nodeConfig.serviceAccount (GkeCluster does).",
    frameworks=LEAST_PRIVILEGE,
    tags=("identity", "gke"),
)
def gke_node_service_account(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    for path, node in _node_configs(resource):
        if is_unknown(node):
            continue
        account = resource.get(f"{path}.serviceAccount")
        if is_unknown(account):
            continue
        if not known(account) or account == "default":
            yield f"{path}.serviceAccount is not set: nodes run as the Compute Engine default service account"
        elif isinstance(account, str) and DEFAULT_COMPUTE_SA.match(account):
            yield f"{path}.serviceAccount is the Compute Engine default service account ({account})"


@resource_rule(
    "aip-security-gke-secrets-encryption",
    area="security",
    severity=Severity.HIGH,
    types={CLUSTER},
    description="GKE clusters encrypt Kubernetes secrets at the application layer with a Cloud KMS key.",
    why="Secrets hold API keys and registry credentials; a key you control keeps them unreadable in etcd "
        "backups and auditable in Cloud Audit Logs.",
    remediation="Set databaseEncryption {state: ENCRYPTED, keyName: <Cloud KMS key in the cluster's region>}.",
    frameworks=AT_REST,
    tags=("encryption", "gke"),
)
def gke_secrets_encryption(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    encryption = resource.get("databaseEncryption")
    if is_unknown(encryption):
        return
    state = resource.get("databaseEncryption.state")
    key = resource.get("databaseEncryption.keyName")
    if not known(encryption) or (known(state) and state != "ENCRYPTED"):
        yield "secrets are not encrypted with a Cloud KMS key (databaseEncryption.state is not ENCRYPTED)"
    elif not known(key) and not is_unknown(key):
        yield "databaseEncryption has no keyName"


@resource_rule(
    "aip-security-gke-logging",
    area="security",
    severity=Severity.MEDIUM,
    types={CLUSTER},
    description="GKE clusters send system and workload logs to Cloud Logging.",
    why="Without system logs there is no record of who scheduled what on a GPU node, or why it failed.",
    remediation="Set loggingConfig.enableComponents to include SYSTEM_COMPONENTS and WORKLOADS "
                "(and APISERVER for audit detail); never loggingService none.",
    tags=("logging", "gke"),
)
def gke_logging(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.get("loggingService") == "none":
        yield "loggingService is none"
        return
    components = resource.get("loggingConfig.enableComponents")
    if is_unknown(components) or not known(components):
        return  # GKE's default logs system components and workloads
    missing = [c for c in ("SYSTEM_COMPONENTS", "WORKLOADS") if c not in as_list(components)]
    if missing:
        yield f"loggingConfig.enableComponents leaves out {', '.join(missing)}"


@resource_rule(
    "aip-security-gcs-public-access",
    area="security",
    severity=Severity.CRITICAL,
    types={BUCKET},
    description="Cloud Storage buckets enforce public access prevention and uniform bucket-level access.",
    why="Model weights and training data are the platform's most valuable data; one allUsers grant or ACL "
        "publishes them. Enforced prevention makes such a grant fail instead.",
    remediation="Set publicAccessPrevention: enforced and uniformBucketLevelAccess: true.",
    frameworks=BOUNDARY,
    tags=("public-access", "gcs"),
)
def gcs_public_access(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    prevention = resource.get("publicAccessPrevention")
    if not is_unknown(prevention) and prevention != "enforced":
        yield f"publicAccessPrevention is {prevention if known(prevention) else 'unset (inherited)'}, not enforced"
    uniform = resource.get("uniformBucketLevelAccess")
    if not is_unknown(uniform) and uniform is not True:
        yield "uniformBucketLevelAccess is not true: object ACLs can grant access past IAM"


@resource_rule(
    "aip-security-gcp-cmek",
    area="security",
    severity=Severity.HIGH,
    types={BUCKET, REPOSITORY},
    description="Model buckets and image repositories are encrypted with a customer-managed Cloud KMS key.",
    why="A key you control can be revoked, rotated and audited; deleting or disabling it makes a leaked copy "
        "of the data unreadable.",
    remediation="Set encryption.defaultKmsKeyName on buckets and kmsKeyName on Artifact Registry repositories "
                "(and grant the service agents the key).",
    frameworks=AT_REST,
    tags=("encryption", "cmek"),
)
def gcp_cmek(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    path = "encryption.defaultKmsKeyName" if resource.type == BUCKET else "kmsKeyName"
    key = resource.get(path)
    if not known(key) and not is_unknown(key):
        yield f"{path} is not set: encrypted with a Google-managed key only"


@resource_rule(
    "aip-security-gcp-kms-rotation",
    area="security",
    severity=Severity.MEDIUM,
    types={CRYPTO_KEY},
    description="Cloud KMS keys rotate automatically, at least every 90 days.",
    why="Rotation limits how much data one key version protects; NIST and CIS ask for it.",
    remediation="Set rotationPeriod to 7776000s (90 days) or less.",
    config={"maxRotationDays": {"type": "number", "minimum": 1, "default": 90,
                                "description": "Longest allowed rotation period, in days."}},
    frameworks=("cis-gcp:1.10",),
    tags=("encryption", "kms"),
)
def gcp_kms_rotation(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    if resource.get("purpose") not in (None, "ENCRYPT_DECRYPT") and known(resource.get("purpose")):
        return  # only symmetric keys rotate automatically
    period = resource.get("rotationPeriod")
    if is_unknown(period):
        return
    if not known(period):
        yield "rotationPeriod is not set: the key never rotates"
        return
    match = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(period))
    if match and float(match.group(1)) > config["maxRotationDays"] * 86400:
        yield f"rotationPeriod {period} is longer than {config['maxRotationDays']:g} days"


def _members(resource: Resource) -> list[str]:
    found = [resource.get("member")] + list(as_list(resource.get("members")))
    return [m for m in found if isinstance(m, str) and known(m)]


@resource_rule(
    "aip-security-gcp-iam-public-members",
    area="security",
    severity=Severity.CRITICAL,
    types=IAM_TYPES,
    description="No IAM grant names allUsers or allAuthenticatedUsers.",
    why="allUsers is anyone on the internet; allAuthenticatedUsers is anyone with a Google account. Either "
        "publishes the bucket, repository or key the grant is on.",
    remediation="Grant a specific service account or group instead.",
    frameworks=BOUNDARY,
    tags=("public-access", "iam"),
)
def gcp_iam_public_members(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    public = [m for m in _members(resource) if m in PUBLIC_MEMBERS]
    if public:
        yield f"grants {resource.get('role')} to {', '.join(public)}"


@resource_rule(
    "aip-security-gcp-iam-primitive-roles",
    area="security",
    severity=Severity.HIGH,
    types=IAM_TYPES,
    description="No IAM grant uses a basic role (owner, editor, viewer); grants use the narrowest predefined role.",
    why="Basic roles carry thousands of permissions across every service in the project: a workload that "
        "needs to read one bucket could change the project's IAM or read every secret.",
    remediation="Grant a predefined role on the resource itself, e.g. roles/storage.objectViewer on the bucket "
                "(WorkloadIdentity does).",
    frameworks=LEAST_PRIVILEGE,
    tags=("iam", "least-privilege"),
)
def gcp_iam_primitive_roles(resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
    role = resource.get("role")
    if isinstance(role, str) and role in PRIMITIVE_ROLES:
        yield f"grants the basic role {role} to {', '.join(_members(resource)) or 'its members'}"
