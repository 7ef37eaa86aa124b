"""The platform on Google Cloud: config, components under mocks with their inputs, guardrails, cost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import GCP_STACKS, ROOT, stack_platform

from aiplatform.catalog import zones_offering
from aiplatform.check.runner import check_plan
from aiplatform.config import load_platform_config
from aiplatform.shape.plan import Plan
from aiplatform.testing import plan_project

CLUSTER = "gcp:container/cluster:Cluster"

NODE_POOL = "gcp:container/nodePool:NodePool"

BUCKET = "gcp:storage/bucket:Bucket"

REPOSITORY = "gcp:artifactregistry/repository:Repository"


def _one(plan: Plan, type_: str, name: str | None = None):
    return plan.find(type_, name)


def test_cluster_is_private_hardened_and_encrypted(plans):
    for stack, plan in plans.up.of(GCP_STACKS).items():
        cluster = _one(plan, CLUSTER)
        prod = stack == "gcp-prod"
        assert cluster.get("privateClusterConfig.enablePrivateNodes") is True
        assert cluster.get("privateClusterConfig.enablePrivateEndpoint") is prod
        blocks = [b["cidrBlock"] for b in cluster.get("masterAuthorizedNetworksConfig.cidrBlocks")]
        assert blocks == (["10.60.0.0/20"] if prod else ["203.0.113.0/24"])
        assert cluster.get("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled") is False
        project = "ml-platform-prod-4410" if prod else "ml-platform-dev-4410"
        assert cluster.get("workloadIdentityConfig.workloadPool") == f"{project}.svc.id.goog"
        assert cluster.get("enableShieldedNodes") is True
        assert cluster.get("datapathProvider") == "ADVANCED_DATAPATH"
        assert cluster.get("releaseChannel.channel") == ("STABLE" if prod else "REGULAR")
        assert cluster.get("location") == ("us-east4" if prod else "us-central1-a")
        assert cluster.get("nodeLocations") == (["us-east4-a", "us-east4-b", "us-east4-c"] if prod else None)
        assert cluster.get("databaseEncryption.state") == "ENCRYPTED"
        assert cluster.get("databaseEncryption.keyName").endswith("/cryptoKeys/ml-" + stack[4:] + "-keys-secrets")
        assert set(cluster.get("loggingConfig.enableComponents")) >= {"SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"}
        assert cluster.get("monitoringConfig.managedPrometheus.enabled") is True
        assert cluster.get("removeDefaultNodePool") is True
        assert cluster.get("authenticatorGroupsConfig.securityGroup") == "gke-security-groups@example.com"
        assert (cluster.get("deletionProtection"), cluster.protect) == (prod, prod)
        # nodeConfig only shapes the default pool GKE removes: editing it later must not replace the cluster
        assert cluster.ignore_changes == ["nodeConfig"]
        assert all(p.ignore_changes == ["initialNodeCount"] for p in plan.of_type(NODE_POOL))
        # the default pool (minutes old) and every pool run as the dedicated account, never the default one
        nodes = f"ml-{stack[4:]}-nodes@{project}.iam.gserviceaccount.com"
        assert cluster.get("nodeConfig.serviceAccount") == nodes
        for pool in plan.of_type(NODE_POOL):
            assert pool.get("nodeConfig.serviceAccount") == nodes, pool.urn
            assert pool.get("nodeConfig.shieldedInstanceConfig.enableSecureBoot") is True
            assert pool.get("nodeConfig.workloadMetadataConfig.mode") == "GKE_METADATA"
            assert pool.get("nodeConfig.oauthScopes") == ["https://www.googleapis.com/auth/cloud-platform"]
        role = _one(plan, "gcp:projects/iAMMember:IAMMember")
        assert (role.get("role"), role.get("member")) == ("roles/container.defaultNodeServiceAccount",
                                                           f"serviceAccount:{nodes}")
        kubeconfig = json.loads(plan.outputs["kubeconfig"]["value"] if isinstance(plan.outputs["kubeconfig"], dict)
                                else plan.outputs["kubeconfig"])
        assert kubeconfig["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"


def test_issue16_point2_every_gcp_pool_is_placed_only_in_zones_that_sell_its_machine_type(plans):
    for stack, plan in plans.up.of(GCP_STACKS).items():
        region = stack_platform(stack)["region"]
        pools = plan.of_type(NODE_POOL)
        assert len(pools) == (4 if stack == "gcp-prod" else 3)  # the system pool and every GPU pool
        for pool in pools:
            machine, zones = pool.get("nodeConfig.machineType"), pool.get("nodeLocations")
            sold = zones_offering(machine, region)
            assert sold is not None, f"{machine} in {region}: not in catalog/data/gcp_zones.yaml"
            assert zones and set(zones) <= set(sold), (pool.urn, zones, sold)
    prod = plans.up["gcp-prod"]
    placed = {p.name: p.get("nodeLocations") for p in prod.of_type(NODE_POOL)}
    assert placed == {"ml-prod-system": ["us-east4-a", "us-east4-b", "us-east4-c"],
                      "ml-prod-serving-l4": ["us-east4-a", "us-east4-c"],
                      "ml-prod-training-a100": ["us-east4-c"], "ml-prod-batch-a100-mig": ["us-east4-c"]}
    serving = _one(prod, NODE_POOL, "ml-prod-serving-l4")
    # min/max stay totals across zones; the creation size is per zone (2 nodes over 2 zones)
    assert serving.get("autoscaling.totalMinNodeCount") == 1 and serving.get("autoscaling.totalMaxNodeCount") == 8
    assert serving.get("initialNodeCount") == 1


def test_gpu_pools_take_accelerators_from_the_catalog(plans):
    dev, prod = plans.preview["gcp-dev"], plans.preview["gcp-prod"]
    inference = _one(dev, NODE_POOL, "ml-dev-inference-l4")
    (accel,) = inference.get("nodeConfig.guestAccelerators")
    assert (accel["type"], accel["count"]) == ("nvidia-l4", 1)
    assert accel["gpuDriverInstallationConfig"] == {"gpuDriverVersion": "DEFAULT"}
    assert inference.get("nodeConfig.spot") is True
    assert inference.get("autoscaling") == {"totalMinNodeCount": 0, "totalMaxNodeCount": 4, "locationPolicy": "ANY"}
    assert inference.get("nodeConfig.taints") == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert inference.get("nodeConfig.labels")["aiplatform.io/accelerator"] == "L4"
    assert inference.get("nodeConfig.labels")["workload"] == "inference"
    assert inference.get("nodeConfig.resourceLabels")["team"] == "ml-platform"
    shared = _one(dev, NODE_POOL, "ml-dev-shared-l4")
    assert shared.get("nodeConfig.guestAccelerators")[0]["gpuSharingConfig"] == {
        "gpuSharingStrategy": "TIME_SHARING", "maxSharedClientsPerGpu": 4}
    serving = _one(prod, NODE_POOL, "ml-prod-serving-l4")
    assert serving.get("nodeConfig.guestAccelerators")[0]["count"] == 2  # g2-standard-24 carries two L4s
    assert serving.get("nodeConfig.guestAccelerators")[0]["gpuDriverInstallationConfig"]["gpuDriverVersion"] == "LATEST"
    assert serving.get("nodeConfig.spot") is False and serving.get("autoscaling.locationPolicy") == "BALANCED"
    assert serving.get("nodeLocations") == ["us-east4-a", "us-east4-c"]  # us-east4-b sells no G2
    training = _one(prod, NODE_POOL, "ml-prod-training-a100")
    assert training.get("nodeConfig.reservationAffinity") == {
        "consumeReservationType": "SPECIFIC_RESERVATION", "key": "compute.googleapis.com/reservation-name",
        "values": ["ml-prod-a100-q4"]}
    assert training.get("nodeConfig.guestAccelerators")[0]["type"] == "nvidia-a100-80gb"
    batch = _one(prod, NODE_POOL, "ml-prod-batch-a100-mig")
    assert batch.get("nodeConfig.guestAccelerators")[0]["gpuPartitionSize"] == "3g.40gb"


def test_model_registry_is_private_versioned_and_cmek(plans):
    for stack, plan in plans.up.of(GCP_STACKS).items():
        prod = stack == "gcp-prod"
        bucket = _one(plan, BUCKET)
        assert bucket.get("publicAccessPrevention") == "enforced"
        assert bucket.get("uniformBucketLevelAccess") is True
        assert bucket.get("versioning.enabled") is True
        assert bucket.get("encryption.defaultKmsKeyName").endswith("-keys-data")
        rules = bucket.get("lifecycleRules")
        assert rules[0]["condition"]["daysSinceNoncurrentTime"] == (180 if prod else 30)
        assert bucket.get("forceDestroy") is False and bucket.protect is prod
        if prod:
            assert bucket.get("name") == "ml-prod-models-4410"
        repo = _one(plan, REPOSITORY)
        assert repo.get("kmsKeyName").endswith("-keys-data") and repo.get("dockerConfig.immutableTags") is True
        assert repo.get("cleanupPolicies")[0]["condition"] == {
            "tagState": "UNTAGGED", "olderThan": f"{(30 if prod else 14) * 86400}s"}
        assert repo.protect is prod
        # the service agents can use the data key; GKE's agent the secrets key; nothing else is granted a key
        grants = {(g.get("cryptoKeyId").rsplit("/", 1)[1], g.get("member").split("@")[1])
                  for g in plan.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")}
        key = f"ml-{stack[4:]}-keys"
        assert grants == {(f"{key}-secrets", "container-engine-robot.iam.gserviceaccount.com"),
                          (f"{key}-data", "gs-project-accounts.iam.gserviceaccount.com"),
                          (f"{key}-data", "gcp-sa-artifactregistry.iam.gserviceaccount.com"),
                          (f"{key}-data", "compute-system.iam.gserviceaccount.com")}
        for key_ in plan.of_type("gcp:kms/cryptoKey:CryptoKey"):
            assert key_.get("rotationPeriod") == "7776000s" and key_.protect is prod


def _bindings(plan):
    """(role, member, resource, condition expression) of every IAM grant in a plan."""
    out = []
    for r in plan.resources:
        if r.type.startswith("gcp:") and ("IAMMember" in r.type or "IamMember" in r.type):
            resource = r.get("bucket") or r.get("repository") or r.get("serviceAccountId") or r.get("cryptoKeyId") \
                or r.get("project")
            out.append((r.get("role"), r.get("member"), resource, (r.get("condition") or {}).get("expression")))
    return out


def test_workload_identities_are_pinned_and_narrow(plans):
    plan = plans.up["gcp-prod"]
    bindings = _bindings(plan)
    assert not [b for b in bindings if b[0] in ("roles/owner", "roles/editor", "roles/viewer")]
    assert not [b for b in bindings if b[1] in ("allUsers", "allAuthenticatedUsers")]
    # every impersonation grant names exactly one Kubernetes service account of this project's pool
    impersonation = {b[1] for b in bindings if b[0] == "roles/iam.workloadIdentityUser"}
    assert impersonation == {f"serviceAccount:ml-platform-prod-4410.svc.id.goog[{ns}/{ksa}]" for ns, ksa in [
        ("ml-models", "model-publisher"), ("ml-models", "model-reader"), ("search", "workloads"),
        ("assistants", "workloads")]}
    by_member = {}
    for role, member, resource, condition in bindings:
        by_member.setdefault(member.split(":")[1].split("@")[0], set()).add((role, resource, condition))
    bucket, repo = "ml-prod-models-4410", "ml-prod-serving"
    assert {(r, x) for r, x, _ in by_member["ml-prod-publisher"]} == {
        ("roles/storage.objectUser", bucket), ("roles/artifactregistry.writer", repo)}
    assert {(r, x) for r, x, _ in by_member["ml-prod-consumer"]} == {
        ("roles/storage.objectViewer", bucket), ("roles/artifactregistry.reader", repo)}
    team = {(r, x, c) for r, x, c in by_member["ml-prod-team-search"]}
    (read,) = [t for t in team if t[0] == "roles/storage.objectViewer"]
    assert read[1] == bucket and 'objects/teams/search/")' in read[2] and '.startsWith("teams/search/")' in read[2]
    assert ("roles/artifactregistry.reader", repo, None) in team and len(team) == 2
    # the Kubernetes service accounts say which Google account they act as
    accounts = {(r.get("metadata.namespace"), r.get("metadata.name")): r.get("metadata.annotations")
                for r in plan.of_type("kubernetes:core/v1:ServiceAccount")}
    assert accounts[("search", "workloads")] == {
        "iam.gke.io/gcp-service-account": "ml-prod-team-search@ml-platform-prod-4410.iam.gserviceaccount.com"}
    assert accounts[("ml-models", "model-reader")]["iam.gke.io/gcp-service-account"].startswith("ml-prod-consumer@")


def test_team_network_policy_reaches_the_gke_metadata_server(plans):
    plan = plans.preview["gcp-dev"]
    policy = next(r for r in plan.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                  if r.get("metadata.namespace") == "search" and r.get("metadata.name") == "allow-cloud-apis")
    targets = [rule["to"][0]["ipBlock"]["cidr"] for rule in policy.get("spec.egress")]
    assert "169.254.169.254/32" in targets and "169.254.170.23/32" not in targets


def test_network_nat_and_gateway_on_an_internal_load_balancer(plans):
    plan = plans.preview["gcp-dev"]
    subnet = _one(plan, "gcp:compute/subnetwork:Subnetwork")
    assert subnet.get("ipCidrRange") == "10.50.0.0/20" and subnet.get("privateIpGoogleAccess") is True
    assert subnet.get("secondaryIpRanges") == [{"rangeName": "pods", "ipCidrRange": "10.51.0.0/16"},
                                               {"rangeName": "services", "ipCidrRange": "10.52.0.0/20"}]
    assert _one(plan, "gcp:compute/network:Network").get("autoCreateSubnetworks") is False
    nat = _one(plan, "gcp:compute/routerNat:RouterNat")
    assert nat.get("sourceSubnetworkIpRangesToNat") == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    proxy = _one(plan, "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")
    annotations = proxy.get("spec.provider.kubernetes.envoyService.annotations")
    assert annotations == {"networking.gke.io/load-balancer-type": "Internal"}
    sc = _one(plan, "kubernetes:storage.k8s.io/v1:StorageClass")
    assert sc.get("provisioner") == "pd.csi.storage.gke.io" and sc.get("reclaimPolicy") == "Delete"
    assert _one(plans.preview["gcp-prod"], "kubernetes:storage.k8s.io/v1:StorageClass").get("reclaimPolicy") == "Retain"


def test_stateful_resources_are_protected_in_prod_only(plans):
    stateful = {"gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey", BUCKET, REPOSITORY, CLUSTER}
    for stack, plan in plans.preview.of(GCP_STACKS).items():
        found = [r for r in plan.resources if r.type in stateful]
        found += [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r.get("chart") == "qdrant"]
        assert {r.type for r in found} == stateful | {"kubernetes:helm.sh/v3:Release"}
        assert [r.urn for r in found if r.protect is not (stack == "gcp-prod")] == []


def test_outputs_and_contract(plans):
    outputs = plans.preview["gcp-prod"].outputs
    assert outputs["project"] == "ml-platform-prod-4410"
    contract = outputs["aiplatform"]
    assert (contract["cloud"], contract["region"], contract["version"]) == ("gcp", "us-east4", 1)
    assert set(contract["teams"]) == {"search", "assistants"}
    assert contract["modelRegistry"]["repositoryUrl"] == "us-east4-docker.pkg.dev/ml-platform-prod-4410/ml-prod-serving"


def test_gcp_reference_stacks_pass_and_the_gcp_rules_ran(plans):
    for stack, plan in plans.preview.of(GCP_STACKS).items():
        report = check_plan(plan)
        assert report.exit_code == 0, [f"{f.rule} {f.urn}: {f.message}" for f in report.blocking]
        ran = {rule for rule, _ in report.checked}
        assert {"aip-security-gke-control-plane", "aip-security-gke-node-service-account",
                "aip-security-gcs-public-access", "aip-security-gcp-iam-primitive-roles",
                "aip-security-gcp-cmek", "aip-cost-gpu-spot-required", "aip-cost-required-tags",
                "aip-cost-accelerator-allowed", "aip-cost-team-budget"} <= ran, stack


def _plan_with(plan: Plan, edit) -> Plan:
    data = json.loads(plan.to_json())
    edit(data["resources"])
    return Plan.from_json(json.dumps(data))


def _resource(resources, type_, name=None):
    return next(r for r in resources if r["type"] == type_ and (name is None or r["urn"].endswith(f"::{name}")))


def _public_bucket(resources):
    bucket = _resource(resources, BUCKET)
    bucket["inputs"]["publicAccessPrevention"] = "inherited"
    grant = json.loads(json.dumps(_resource(resources, "gcp:storage/bucketIAMMember:BucketIAMMember")))
    grant["urn"] = grant["urn"].rsplit("::", 1)[0] + "::public-read"
    grant["inputs"].update(member="allUsers", role="roles/storage.objectViewer")
    grant["inputs"].pop("condition", None)
    resources.append(grant)


def _primitive_role(resources):
    _resource(resources, "gcp:projects/iAMMember:IAMMember")["inputs"]["role"] = "roles/editor"


def _default_compute_account(resources):
    pool = _resource(resources, NODE_POOL, "ml-prod-serving-l4")
    pool["inputs"]["nodeConfig"]["serviceAccount"] = "210987654321-compute@developer.gserviceaccount.com"


@pytest.mark.parametrize(("edit", "expected"), [
    (_public_bucket, {"aip-security-gcs-public-access", "aip-security-gcp-iam-public-members"}),
    (_primitive_role, {"aip-security-gcp-iam-primitive-roles"}),
    (_default_compute_account, {"aip-security-gke-node-service-account"}),
], ids=["public-bucket", "primitive-role", "default-compute-account"])
def test_plan_faults_fail_the_expected_rules(plans, edit, expected):
    report = check_plan(_plan_with(plans.up["gcp-prod"], edit))
    assert report.exit_code == 1
    assert {f.rule for f in report.blocking} == expected


def _mutated(stack, mutate):
    config = stack_platform(stack)
    mutate(config)
    return plan_project(ROOT, stack, config_overrides={"aiplatform:platform": config})


def _on_demand_in_dev(c):
    c["gpu_pools"][0]["capacity_type"] = "on-demand"


def _world_network_in_prod(c):
    # 0.0.0.0/0 itself is refused by config validation; two /1 halves are the same world
    c["cluster"]["endpoint"] = {"public": True, "public_cidrs": ["0.0.0.0/1", "128.0.0.0/1"]}


@pytest.mark.parametrize(("stack", "mutate", "expected"), [
    ("gcp-dev", _on_demand_in_dev, {"aip-cost-gpu-spot-required"}),
    ("gcp-prod", _world_network_in_prod, {"aip-security-gke-control-plane"}),
], ids=["on-demand-gpu-in-dev", "world-authorized-network-in-prod"])
def test_config_faults_fail_the_expected_rules(stack, mutate, expected):
    report = check_plan(_mutated(stack, mutate))
    assert report.exit_code == 1
    assert {f.rule for f in report.blocking} == expected


def test_cli_exit_codes_on_gcp(tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=ROOT, capture_output=True,
                              text=True, check=False)

    assert cli("check", "--stack", "gcp-prod").returncode == 0
    plan = plan_project(ROOT, "gcp-prod", mode="up")
    path = tmp_path / "plan.json"
    path.write_text(_plan_with(plan, _primitive_role).to_json())
    result = cli("check", "--plan", str(path), "--format", "json")
    assert result.returncode == 1
    assert {f["rule"] for f in json.loads(result.stdout)["findings"] if f["blocking"]} == {
        "aip-security-gcp-iam-primitive-roles"}


def test_gcp_plans_are_priced_from_the_gcp_catalog(plans):
    from aiplatform.cost.plan import estimate_plan

    dev = estimate_plan(plans.preview["gcp-dev"])
    assert dev.region == "us-central1"
    lines = {(i.name, i.sku): i for i in dev.items}
    spot = lines[("ml-dev-inference-l4", "gcp-compute-g2-standard-8-spot")]
    assert spot.unit_price == pytest.approx(0.34057)  # the published spot price, not 0.4 x on-demand
    assert (spot.monthly.idle, spot.monthly.peak) == (0, pytest.approx(4 * 0.34057 * 730))
    assert lines[("ml-dev", "gcp-gke-cluster")].monthly.expected == pytest.approx(73.0)
    assert lines[("ml-dev", "gcp-gke-free-tier")].monthly.expected == pytest.approx(-73.0)  # a zonal cluster
    assert lines[("ml-dev-nat", "gcp-cloud-nat-vm")].status == "priced"
    assert lines[("ml-dev-system", "gcp-compute-e2-standard-4")].monthly.expected == pytest.approx(2 * 0.134012 * 730)
    assert not dev.not_estimated, dev.not_estimated
    prod = estimate_plan(plans.preview["gcp-prod"])
    lines = {(i.name, i.sku): i for i in prod.items}
    reserved = lines[("ml-prod-training-a100", "gcp-compute-a2-ultragpu-8g")]
    assert reserved.monthly.peak == pytest.approx(2 * 40.55034 * 1.126 * 730, rel=1e-4)
    assert reserved.monthly.idle == reserved.monthly.peak  # billed whether used or not
    assert "reservation" in reserved.note
    assert prod.totals.peak < load_platform_config(stack_platform("gcp-prod")).budget.monthly_usd


def test_cli_exits_2_on_a_bad_gcp_config(tmp_path):
    import shutil

    project = tmp_path / "project"
    shutil.copytree(ROOT / "stacks", project / "stacks")
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    path = project / "stacks" / "Pulumi.gcp-dev.yaml"
    text = path.read_text().replace("    project: ml-platform-dev-4410\n", "").replace("owner: ml-platform", "owner: Ml@x")
    path.write_text(text)
    for command in ("plan", "check", "cost"):
        result = subprocess.run([sys.executable, "-m", "aiplatform.cli", command, "--project", str(project),
                                 "--stack", "gcp-dev"], capture_output=True, text=True, check=False)
        assert result.returncode == 2, (command, result.stderr)
        assert "platform.project: required on cloud gcp" in result.stderr
        assert "platform.tags['owner']: GCP labels take" in result.stderr
        assert "Traceback" not in result.stderr
