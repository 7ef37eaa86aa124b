"""Each guardrail on a compliant baseline and on mutations of it, with unknowns and missing keys.

Every case goes through the real path: a hand-made plan, checked by pulumi_policy's
analyzer servicer (`check_plan`). A case names exactly the rules it must trigger.
"""

from __future__ import annotations

import copy
import json

import pytest
from guardrail_helpers import PROD_TAGS, TAGS, check, resource, rules_hit

from aiplatform.shape.props import UNKNOWN

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"

CLUSTER = "aws:eks/cluster:Cluster"

LT = "aws:ec2/launchTemplate:LaunchTemplate"

ROLE = "aws:iam/role:Role"

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"

ECR = "aws:ecr/repository:Repository"

AOSS = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"

SG = "aws:ec2/securityGroup:SecurityGroup"

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def node_group(**over):
    props = {"instanceTypes": ["g6.xlarge"], "capacityType": "SPOT", "tags": dict(TAGS),
             "scalingConfig": {"minSize": 0.0, "maxSize": 4.0, "desiredSize": 0.0}}
    props.update(over)
    return props


def cluster(**over):
    props = {"tags": dict(PROD_TAGS), "enabledClusterLogTypes": ["api", "audit", "authenticator"],
             "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": UNKNOWN}},
             "vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}}
    props.update(over)
    return props


def launch_template(**over):
    props = {"tags": dict(TAGS), "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0},
             "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 100.0}}]}
    props.update(over)
    return props


def policy_doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


TRUST_OK = policy_doc({
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"},
    "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB:sub": "system:serviceaccount:ml:reader",
                                   "oidc.eks.us-east-1.amazonaws.com/id/AB:aud": "sts.amazonaws.com"}},
})


def deployment(container=None, **spec_over):
    container = container or {"name": "vllm", "image": "vllm/vllm-openai:v0.11.1",
                              "resources": {"limits": {"nvidia.com/gpu": "1"}}}
    spec = {"containers": [container],
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}
    spec.update(spec_over)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "chat", "labels": dict(TAGS)},
            "spec": {"template": {"spec": spec}}}


JOB = "kubernetes:batch/v1:Job"

CRONJOB = "kubernetes:batch/v1:CronJob"

QUEUED = "aip-kubernetes-gpu-jobs-queued"


def gpu_job(labels=None, namespace="search", devices=None):
    """A GPU Job in a team namespace, queued by Kueue unless `labels` says otherwise."""
    pod = deployment()["spec"]["template"]["spec"] | {"restartPolicy": "Never"}
    if devices is not None:
        pod["containers"][0]["resources"] = {"limits": devices}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": "eval", "namespace": namespace,
        "labels": dict(TAGS) | ({"kueue.x-k8s.io/queue-name": "default"} if labels is None else labels)},
        "spec": {"template": {"spec": pod}}}


def gpu_cronjob(job_labels=None):
    job = gpu_job()
    template = {"spec": job["spec"]}
    if job_labels is not None:
        template["metadata"] = {"labels": job_labels}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {**job["metadata"], "labels": dict(TAGS)},
            "spec": {"schedule": "0 2 * * *", "jobTemplate": template}}


GKE = "gcp:container/cluster:Cluster"

GKE_POOL = "gcp:container/nodePool:NodePool"

GCS = "gcp:storage/bucket:Bucket"

GAR = "gcp:artifactregistry/repository:Repository"

GCP_KEY = "gcp:kms/cryptoKey:CryptoKey"

GCS_GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"

NODE_SA = "ml-dev-nodes@p-123456.iam.gserviceaccount.com"

HARDENED_NODE = {"serviceAccount": NODE_SA, "shieldedInstanceConfig": {"enableSecureBoot": True},
                 "workloadMetadataConfig": {"mode": "GKE_METADATA"}}


def gke(**over):
    props = {"resourceLabels": dict(PROD_TAGS), "enableShieldedNodes": True,
             "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": True},
             "workloadIdentityConfig": {"workloadPool": "p-123456.svc.id.goog"},
             "databaseEncryption": {"state": "ENCRYPTED", "keyName": UNKNOWN},
             "loggingConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "WORKLOADS"]},
             "nodeConfig": dict(HARDENED_NODE)}
    props.update(over)
    return props


def gke_pool(node=None, **over):
    props = {"autoscaling": {"totalMinNodeCount": 0.0, "totalMaxNodeCount": 4.0},
             "nodeConfig": {"machineType": "g2-standard-8", "spot": True, "resourceLabels": dict(TAGS),
                            "guestAccelerators": [{"type": "nvidia-l4", "count": 1.0}], **HARDENED_NODE,
                            **(node or {})}}
    props.update(over)
    return props


def gcs(**over):
    props = {"labels": dict(TAGS), "publicAccessPrevention": "enforced", "uniformBucketLevelAccess": True,
             "encryption": {"defaultKmsKeyName": UNKNOWN}}
    props.update(over)
    return props


# (case id, resource type, props, rules expected to be violated)
#: A serving workload requesting accelerators that nothing scrapes.
MONITORED = "aip-observability-service-monitored"

CASES = [
    # ---- cost ----------------------------------------------------------------------------
    ("pool ok", NODE_GROUP, node_group(), set()),
    ("pool p5 in dev", NODE_GROUP, node_group(instanceTypes=["p5.48xlarge"], scalingConfig={"minSize": 0.0, "maxSize": 1.0}),
     {"aip-cost-accelerator-allowed"}),
    ("pool too large", NODE_GROUP, node_group(instanceTypes=["g5.12xlarge"], scalingConfig={"minSize": 0.0, "maxSize": 3.0}),
     {"aip-cost-pool-max-accelerators"}),
    ("pool warm in dev", NODE_GROUP, node_group(scalingConfig={"minSize": 1.0, "maxSize": 2.0}),
     {"aip-cost-gpu-scale-to-zero"}),
    ("pool on demand in dev", NODE_GROUP, node_group(capacityType="ON_DEMAND"), {"aip-cost-gpu-spot-required"}),
    ("pool capacity type missing means on demand", NODE_GROUP,
     {k: v for k, v in node_group().items() if k != "capacityType"}, {"aip-cost-gpu-spot-required"}),
    ("pool capacity block ok", NODE_GROUP, node_group(capacityType="CAPACITY_BLOCK"), set()),
    ("pool on demand in prod ok", NODE_GROUP,
     node_group(capacityType="ON_DEMAND", tags=dict(PROD_TAGS), scalingConfig={"minSize": 2.0, "maxSize": 8.0}), set()),
    ("pool untagged env is held to dev", NODE_GROUP,
     node_group(capacityType="ON_DEMAND", tags={"team": "t", "cost-center": "c"}),
     {"aip-cost-gpu-spot-required", "aip-cost-required-tags"}),
    ("pool unknown sizes skip", NODE_GROUP, node_group(scalingConfig=UNKNOWN, capacityType=UNKNOWN), set()),
    ("pool unknown instance types skip", NODE_GROUP, node_group(instanceTypes=UNKNOWN, capacityType="ON_DEMAND"), set()),
    ("cpu pool on demand is fine", NODE_GROUP, node_group(instanceTypes=["m7i.large"], capacityType="ON_DEMAND",
                                                         scalingConfig={"minSize": 2.0, "maxSize": 3.0}), set()),
    ("missing cost tag", NODE_GROUP, node_group(tags={"team": "ml", "environment": "dev"}), {"aip-cost-required-tags"}),
    ("empty cost tag", NODE_GROUP, node_group(tags={**TAGS, "team": ""}), {"aip-cost-required-tags"}),
    ("no tags at all", "aws:s3/bucket:Bucket", {}, {"aip-cost-required-tags", "aip-security-s3-encryption-kms",
                                                    "aip-security-s3-public-access-block"}),
    ("unknown tags skip", ECR, {"tags": UNKNOWN, "imageTagMutability": "IMMUTABLE",
                                "imageScanningConfiguration": {"scanOnPush": True},
                                "encryptionConfigurations": [{"encryptionType": "KMS"}]}, set()),
    ("ec2 spot instance", "aws:ec2/instance:Instance",
     {"instanceType": "g6.xlarge", "tags": dict(TAGS), "instanceMarketOptions": {"marketType": "spot"},
      "metadataOptions": {"httpTokens": "required"}, "rootBlockDevice": {"encrypted": True}}, set()),
    ("ec2 on-demand gpu instance", "aws:ec2/instance:Instance",
     {"instanceType": "g6.xlarge", "tags": dict(TAGS), "metadataOptions": {"httpTokens": "required"},
      "rootBlockDevice": {"encrypted": True}}, {"aip-cost-gpu-spot-required"}),
    # ---- EKS -----------------------------------------------------------------------------
    ("cluster ok", CLUSTER, cluster(), set()),
    ("cluster without secrets encryption", CLUSTER, {k: v for k, v in cluster().items() if k != "encryptionConfig"},
     {"aip-security-eks-secrets-encryption"}),
    ("cluster encryption without key", CLUSTER, cluster(encryptionConfig={"resources": ["secrets"], "provider": {}}),
     {"aip-security-eks-secrets-encryption"}),
    ("cluster logs missing audit", CLUSTER, cluster(enabledClusterLogTypes=["api"]),
     {"aip-security-eks-control-plane-logging"}),
    ("cluster logs unknown skip", CLUSTER, cluster(enabledClusterLogTypes=UNKNOWN), set()),
    ("cluster endpoint public by default", CLUSTER, cluster(vpcConfig={"subnetIds": UNKNOWN}),
     {"aip-security-eks-public-endpoint"}),
    ("cluster endpoint public with allow-list", CLUSTER,
     cluster(vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}), set()),
    ("cluster endpoint world in prod", CLUSTER,
     cluster(vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}),
     {"aip-security-eks-public-endpoint"}),
    ("cluster endpoint split world in prod", CLUSTER,
     cluster(vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}),
     {"aip-security-eks-public-endpoint"}),
    ("cluster endpoint world in dev allowed", CLUSTER,
     cluster(tags=dict(TAGS), vpcConfig={"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}), set()),
    # ---- launch templates ------------------------------------------------------------------
    ("launch template ok", LT, launch_template(), set()),
    ("imdsv1 allowed", LT, launch_template(metadataOptions={"httpTokens": "optional"}), {"aip-security-imdsv2-required"}),
    ("imds not set", LT, {k: v for k, v in launch_template().items() if k != "metadataOptions"},
     {"aip-security-imdsv2-required"}),
    ("imds unknown skip", LT, launch_template(metadataOptions=UNKNOWN), set()),
    ("unencrypted volume", LT, launch_template(blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 9.0}}]),
     {"aip-security-ebs-encryption"}),
    ("no block devices", LT, launch_template(blockDeviceMappings=[]), {"aip-security-ebs-encryption"}),
    ("p5 launch template in dev", LT, launch_template(instanceType="p5.48xlarge"), {"aip-cost-accelerator-allowed"}),
    # ---- IAM --------------------------------------------------------------------------------
    ("irsa trust ok", ROLE, {"tags": dict(TAGS), "assumeRolePolicy": TRUST_OK}, set()),
    ("irsa trust unknown skip", ROLE, {"tags": dict(TAGS), "assumeRolePolicy": UNKNOWN}, set()),
    ("irsa trust StringLike sub", ROLE, {"tags": dict(TAGS), "assumeRolePolicy": TRUST_OK.replace(
        '"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB:sub": "system:serviceaccount:ml:reader", ',
        '"StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/AB:sub": "system:serviceaccount:*"}, "StringEquals": {')},
     {"aip-security-irsa-trust-pinned"}),
    ("irsa trust without aud", ROLE, {"tags": dict(TAGS), "assumeRolePolicy": policy_doc({
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": "x"},
        "Condition": {"StringEquals": {"x:sub": "system:serviceaccount:a:b"}}})}, {"aip-security-irsa-trust-pinned"}),
    ("service trust needs no condition", ROLE, {"tags": dict(TAGS), "assumeRolePolicy": policy_doc({
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "eks.amazonaws.com"}})}, set()),
    ("scoped policy ok", ROLE_POLICY, {"policy": policy_doc(
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::models/team-a/*"},
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"})}, set()),
    ("wildcard action", ROLE_POLICY, {"policy": policy_doc({"Effect": "Allow", "Action": "s3:*",
                                                            "Resource": "arn:aws:s3:::models/*"})},
     {"aip-security-iam-no-wildcards"}),
    ("star resource", ROLE_POLICY, {"policy": policy_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})},
     {"aip-security-iam-no-wildcards"}),
    ("tag-scoped star resource ok", ROLE_POLICY, {"policy": policy_doc({
        "Effect": "Allow", "Action": "autoscaling:SetDesiredCapacity", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/c": "owned"}}})}, set()),
    ("deny star is fine", ROLE_POLICY, {"policy": policy_doc({"Effect": "Deny", "Action": "*", "Resource": "*"})}, set()),
    ("not action", ROLE_POLICY, {"policy": policy_doc({"Effect": "Allow", "NotAction": "iam:*",
                                                       "Resource": "arn:aws:s3:::x"})},
     {"aip-security-iam-no-wildcards"}),
    ("invalid policy json", ROLE_POLICY, {"policy": "{not json"}, {"aip-security-iam-no-wildcards"}),
    ("unknown policy skip", ROLE_POLICY, {"policy": UNKNOWN}, set()),
    ("inline role policy wildcard", ROLE, {"tags": dict(TAGS), "assumeRolePolicy": TRUST_OK, "inlinePolicies": [
        {"name": "x", "policy": policy_doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}]},
     {"aip-security-iam-no-wildcards"}),
    # ---- ECR, OpenSearch Serverless ----------------------------------------------------------
    ("ecr ok", ECR, {"tags": dict(TAGS), "imageTagMutability": "IMMUTABLE",
                     "imageScanningConfiguration": {"scanOnPush": True},
                     "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": UNKNOWN}]}, set()),
    ("ecr defaults", ECR, {"tags": dict(TAGS)}, {"aip-security-ecr-immutable-scanned", "aip-security-ecr-kms"}),
    ("aoss encryption cmk ok", AOSS, {"type": "encryption", "name": "vectors-enc", "policy": json.dumps(
        {"Rules": [{"ResourceType": "collection", "Resource": ["collection/v"]}], "AWSOwnedKey": False,
         "KmsARN": "arn:aws:kms:us-east-1:1:key/abc"})}, set()),
    ("aoss encryption aws-owned", AOSS, {"type": "encryption", "name": "vectors-enc", "policy": json.dumps(
        {"Rules": [], "AWSOwnedKey": True})}, {"aip-security-opensearch-encryption"}),
    ("aoss encryption policy unknown", AOSS, {"type": "encryption", "name": "vectors-enc", "policy": UNKNOWN}, set()),
    ("aoss network private ok", AOSS, {"type": "network", "name": "vectors-enc", "policy": json.dumps(
        [{"Rules": [], "AllowFromPublic": False, "SourceVPCEs": ["vpce-1"]}])}, set()),
    ("aoss network public", AOSS, {"type": "network", "name": "vectors-enc", "policy": json.dumps(
        [{"Rules": [], "AllowFromPublic": True}])}, {"aip-security-vector-store-private"}),
    ("qdrant public load balancer", "kubernetes:helm.sh/v3:Release",
     {"chart": "qdrant", "values": {"service": {"type": "LoadBalancer"}, "image": {"tag": "v1.15.0"}}},
     {"aip-security-vector-store-private"}),
    ("qdrant internal load balancer", "kubernetes:helm.sh/v3:Release",
     {"chart": "qdrant", "values": {"service": {"type": "LoadBalancer", "annotations": {
         "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}}}}, set()),
    # ---- security groups -----------------------------------------------------------------------
    ("sg private ok", SG, {"tags": dict(TAGS), "ingress": [{"fromPort": 443.0, "toPort": 443.0, "protocol": "tcp",
                                                            "cidrBlocks": ["10.0.0.0/8"]}]}, set()),
    ("sg ssh from world", SG, {"tags": dict(TAGS), "ingress": [{"fromPort": 22.0, "toPort": 22.0, "protocol": "tcp",
                                                                "cidrBlocks": ["0.0.0.0/0"]}]},
     {"aip-security-sg-world-ingress"}),
    ("sg 443 world on gateway ok", INGRESS, {"tags": {**TAGS, "aiplatform.io/role": "gateway"}, "fromPort": 443.0,
                                              "toPort": 443.0, "ipProtocol": "tcp", "cidrIpv4": "0.0.0.0/0"}, set()),
    ("sg 443 world not a gateway", INGRESS, {"tags": dict(TAGS), "fromPort": 443.0, "toPort": 443.0,
                                             "ipProtocol": "tcp", "cidrIpv4": "0.0.0.0/0"},
     {"aip-security-sg-world-ingress"}),
    ("sg all ipv6 world", INGRESS, {"tags": dict(TAGS), "ipProtocol": "-1", "cidrIpv6": "::/0"},
     {"aip-security-sg-world-ingress"}),
    # ---- GCP -----------------------------------------------------------------------------------
    ("gke ok", GKE, gke(), set()),
    ("gke public nodes", GKE, gke(privateClusterConfig={"enablePrivateNodes": False, "enablePrivateEndpoint": True}),
     {"aip-security-gke-control-plane"}),
    ("gke public endpoint without authorized networks", GKE,
     gke(privateClusterConfig={"enablePrivateNodes": True}), {"aip-security-gke-control-plane"}),
    ("gke authorized world", GKE, gke(privateClusterConfig={"enablePrivateNodes": True},
                                      masterAuthorizedNetworksConfig={"cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}),
     {"aip-security-gke-control-plane"}),
    ("gke authorized /1 halves in prod", GKE, gke(
        privateClusterConfig={"enablePrivateNodes": True},
        masterAuthorizedNetworksConfig={"cidrBlocks": [{"cidrBlock": "0.0.0.0/1"}, {"cidrBlock": "128.0.0.0/1"}]}),
     {"aip-security-gke-control-plane"}),
    ("gke authorized office ok", GKE, gke(privateClusterConfig={"enablePrivateNodes": True},
                                          masterAuthorizedNetworksConfig={"cidrBlocks": [{"cidrBlock": "203.0.113.0/24"}]}),
     set()),
    ("gke google public cidrs", GKE, gke(privateClusterConfig={"enablePrivateNodes": True},
                                         masterAuthorizedNetworksConfig={"gcpPublicCidrsAccessEnabled": True,
                                                                         "cidrBlocks": []}),
     {"aip-security-gke-control-plane"}),
    ("gke without workload identity", GKE, {k: v for k, v in gke().items() if k != "workloadIdentityConfig"},
     {"aip-security-gke-workload-identity"}),
    ("gke unshielded", GKE, gke(enableShieldedNodes=False), {"aip-security-gke-shielded-nodes"}),
    ("gke secrets not encrypted", GKE, gke(databaseEncryption={"state": "DECRYPTED"}),
     {"aip-security-gke-secrets-encryption"}),
    ("gke logging off", GKE, gke(loggingService="none"), {"aip-security-gke-logging"}),
    ("gke default pool on the default account", GKE,
     gke(nodeConfig={**HARDENED_NODE, "serviceAccount": "123456789012-compute@developer.gserviceaccount.com"}),
     {"aip-security-gke-node-service-account"}),
    ("gke unknown private config skips", GKE, gke(privateClusterConfig=UNKNOWN), set()),
    ("gke pool ok", GKE_POOL, gke_pool(), set()),
    ("gke pool without service account", GKE_POOL,
     gke_pool(nodeConfig={k: v for k, v in gke_pool()["nodeConfig"].items() if k != "serviceAccount"}),
     {"aip-security-gke-node-service-account"}),
    ("gke pool metadata exposed", GKE_POOL, gke_pool({"workloadMetadataConfig": {"mode": "GCE_METADATA"}}),
     {"aip-security-gke-workload-identity"}),
    ("gke pool without secure boot", GKE_POOL, gke_pool({"shieldedInstanceConfig": {"enableSecureBoot": False}}),
     {"aip-security-gke-shielded-nodes"}),
    ("gke pool on demand in dev", GKE_POOL, gke_pool({"spot": False}), {"aip-cost-gpu-spot-required"}),
    ("gke pool on a reservation in dev ok", GKE_POOL, gke_pool({"spot": False, "reservationAffinity": {
        "consumeReservationType": "SPECIFIC_RESERVATION"}}), set()),
    ("gke pool warm in dev", GKE_POOL, gke_pool(autoscaling={"totalMinNodeCount": 1.0, "totalMaxNodeCount": 4.0}),
     {"aip-cost-gpu-scale-to-zero"}),
    ("gke pool a3 in dev", GKE_POOL, gke_pool({"machineType": "a3-highgpu-8g", "guestAccelerators": []},
                                              autoscaling={"totalMinNodeCount": 0.0, "totalMaxNodeCount": 1.0}),
     {"aip-cost-accelerator-allowed"}),
    ("gke pool per-zone limits x zones", GKE_POOL, gke_pool(autoscaling={"minNodeCount": 0.0, "maxNodeCount": 4.0},
                                                            nodeLocations=["us-central1-a", "us-central1-b", "us-central1-c"]),
     {"aip-cost-pool-max-accelerators"}),
    ("gke pool declared T4s count", GKE_POOL, gke_pool({"machineType": "n1-standard-8", "guestAccelerators": [
        {"type": "nvidia-tesla-t4", "count": 4.0}]}), {"aip-cost-pool-max-accelerators"}),
    ("gke pool declared A100s on an unlisted type in dev", GKE_POOL, gke_pool({"machineType": "a2-custom-12", "guestAccelerators": [
        {"type": "nvidia-tesla-a100", "count": 1.0}]}), {"aip-cost-accelerator-allowed"}),
    ("gke pool without labels", GKE_POOL, gke_pool({"resourceLabels": {}}), {"aip-cost-required-tags"}),
    ("gcs ok", GCS, gcs(), set()),
    ("gcs public", GCS, gcs(publicAccessPrevention="inherited", uniformBucketLevelAccess=False),
     {"aip-security-gcs-public-access"}),
    ("gcs google-managed key", GCS, gcs(encryption=None), {"aip-security-gcp-cmek"}),
    ("artifact registry without cmek", GAR, {"labels": dict(TAGS)}, {"aip-security-gcp-cmek"}),
    ("kms key rotated", GCP_KEY, {"labels": dict(TAGS), "rotationPeriod": "7776000s"}, set()),
    ("kms key never rotates", GCP_KEY, {"labels": dict(TAGS)}, {"aip-security-gcp-kms-rotation"}),
    ("kms key rotates yearly", GCP_KEY, {"labels": dict(TAGS), "rotationPeriod": "31536000s"},
     {"aip-security-gcp-kms-rotation"}),
    ("grant ok", GCS_GRANT, {"role": "roles/storage.objectViewer", "member": f"serviceAccount:{NODE_SA}"}, set()),
    ("grant to allUsers", GCS_GRANT, {"role": "roles/storage.objectViewer", "member": "allUsers"},
     {"aip-security-gcp-iam-public-members"}),
    ("binding with allAuthenticatedUsers", "gcp:storage/bucketIAMBinding:BucketIAMBinding",
     {"role": "roles/storage.objectViewer", "members": ["group:ml@example.com", "allAuthenticatedUsers"]},
     {"aip-security-gcp-iam-public-members"}),
    ("project editor", "gcp:projects/iAMMember:IAMMember", {"role": "roles/editor", "member": f"serviceAccount:{NODE_SA}"},
     {"aip-security-gcp-iam-primitive-roles"}),
    # ---- Kubernetes ---------------------------------------------------------------------------
    # A lone GPU Deployment is also unscraped (tests/unit/guardrails/test_observability.py has the scraped ones).
    ("gpu deployment ok", DEPLOYMENT, deployment(), {MONITORED}),
    ("gpu request without limit", DEPLOYMENT, deployment({"name": "c", "image": "x:1",
                                                          "resources": {"requests": {"nvidia.com/gpu": "1"}}}),
     {"aip-kubernetes-accelerator-scheduling", MONITORED}),
    ("gpu without toleration", DEPLOYMENT, deployment(tolerations=[]), {"aip-kubernetes-accelerator-scheduling",
                                                                        MONITORED}),
    ("privileged", DEPLOYMENT, deployment({"name": "c", "image": "x:1", "securityContext": {"privileged": True}}),
     {"aip-kubernetes-no-host-access"}),
    ("host network", DEPLOYMENT, deployment(hostNetwork=True), {"aip-kubernetes-no-host-access", MONITORED}),
    ("latest image", DEPLOYMENT, deployment({"name": "c", "image": "vllm/vllm-openai:latest"}),
     {"aip-kubernetes-image-pinned"}),
    ("untagged image", DEPLOYMENT, deployment({"name": "c", "image": "registry:5000/vllm"}),
     {"aip-kubernetes-image-pinned"}),
    ("digest image ok", DEPLOYMENT, deployment({"name": "c", "image": "vllm@sha256:" + "a" * 64}), set()),
    ("unknown image skip", DEPLOYMENT, deployment({"name": "c", "image": UNKNOWN}), set()),
    ("gpu job queued", JOB, gpu_job(), set()),
    ("gpu job without queue label", JOB, gpu_job(labels={}), {QUEUED}),
    ("gpu job with empty queue label", JOB, gpu_job(labels={"kueue.x-k8s.io/queue-name": ""}), {QUEUED}),
    ("neuron job without queue label", JOB, gpu_job(labels={}, devices={"aws.amazon.com/neuron": "1"}),
     {QUEUED, "aip-kubernetes-accelerator-scheduling"}),
    ("gpu job in default namespace", JOB, gpu_job(labels={}, namespace=None), {QUEUED}),
    ("cpu job needs no queue", JOB, gpu_job(labels={}, devices={"cpu": "1"}), set()),
    ("gpu job in kube-system exempt", JOB, gpu_job(labels={}, namespace="kube-system"), set()),
    ("gpu job unknown labels skip", JOB, gpu_job(labels={"kueue.x-k8s.io/queue-name": UNKNOWN}), set()),
    ("gpu job unknown namespace skip", JOB, gpu_job(labels={}, namespace=UNKNOWN), set()),
    ("gpu cronjob queued on its job template", CRONJOB, gpu_cronjob({"kueue.x-k8s.io/queue-name": "default"}),
     set()),
    ("gpu cronjob without job template labels", CRONJOB, gpu_cronjob(), {QUEUED}),
    ("gpu cronjob labelled on itself only", CRONJOB,
     gpu_cronjob() | {"metadata": {"name": "eval", "namespace": "search",
                                   "labels": dict(TAGS) | {"kueue.x-k8s.io/queue-name": "default"}}}, {QUEUED}),
    ("helm latest", "kubernetes:helm.sh/v3:Release", {"chart": "x", "values": {"image": {"tag": "latest"}}},
     {"aip-kubernetes-image-pinned"}),
]


@pytest.mark.parametrize(("type_", "props", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_case(type_, props, expected):
    report = check(resource(type_, "r", copy.deepcopy(props)))
    assert rules_hit(report) == expected, [f"{f.rule}: {f.message}" for f in report.findings]


def test_every_rule_has_a_failing_case():
    """No rule is untested: each appears among the expected violations above (stack and region cases below)."""
    from aiplatform.guardrails import rules

    covered = set().union(*(c[3] for c in CASES)) | {
        "aip-compliance-region-allowed", "aip-cost-stack-max-accelerators", "aip-meta-suppression-valid",
        "aip-cost-monthly-budget",  # tests/test_cost.py
        "aip-kubernetes-namespace-gpu-quota", "aip-cost-team-budget", "aip-kubernetes-rbac-no-wildcards",
        "aip-naming-cloud-limits",  # test_naming.py
        "aip-observability-gpu-metrics",  # tests/unit/guardrails/test_observability.py
        "aip-serving-cold-start-budget",  # tests/unit/guardrails/test_serving.py
    }  # tests/test_guardrails_tenancy.py
    assert {r.name for r in rules()} <= covered


BUCKET = "aws:s3/bucket:Bucket"

SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"

PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

ALL_BLOCKED = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)


def bucket_set(algorithm="aws:kms", blocks=None, link="deps"):
    bucket = resource(BUCKET, "models", {"bucket": "acme-models", "tags": dict(TAGS)})
    ref = {"bucket": [bucket.urn]} if link == "deps" else {}
    bucket_value = UNKNOWN if link == "deps" else "acme-models"
    sse = resource(SSE, "models", {"bucket": bucket_value, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}, "bucketKeyEnabled": True}]}, deps=ref)
    pab = resource(PAB, "models", {"bucket": bucket_value, **(ALL_BLOCKED if blocks is None else blocks)}, deps=ref)
    return bucket, sse, pab


@pytest.mark.parametrize("link", ["deps", "name"])
def test_s3_bucket_with_kms_and_full_block_passes(link):
    assert rules_hit(check(*bucket_set(link=link))) == set()


def test_s3_sse_s3_and_partial_block_fail_on_the_right_resources():
    bucket, sse, pab = bucket_set(algorithm="AES256", blocks={**ALL_BLOCKED, "restrictPublicBuckets": False})
    report = check(bucket, sse, pab)
    hits = {(f.rule, f.name, f.type) for f in report.findings}
    # reported once, on the resource to change (not again on the bucket it configures)
    assert hits == {("aip-security-s3-encryption-kms", "models", SSE),
                    ("aip-security-s3-public-access-block", "models", PAB)}


def test_s3_account_level_block_covers_buckets():
    bucket, sse, _ = bucket_set()
    account = resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "acct", dict(ALL_BLOCKED))
    assert rules_hit(check(bucket, sse, account)) == set()


def test_stack_accelerator_limit_adds_pools_and_names_the_biggest():
    pools = [resource(NODE_GROUP, f"p{i}", node_group(instanceTypes=["g5.12xlarge"],
                                                     scalingConfig={"minSize": 0.0, "maxSize": 2.0}))
             for i in range(3)]
    report = check(*pools)
    (finding,) = [f for f in report.findings if f.rule == "aip-cost-stack-max-accelerators"]
    assert "24 accelerators" in finding.message and "limit is 16" in finding.message and "p0 (8)" in finding.message
    assert finding.urn is None and finding.blocking


def test_region_allow_list_covers_provider_and_per_resource_region():
    report = check(resource(ECR, "r", {"tags": dict(TAGS), "region": "ap-south-1", "imageTagMutability": "IMMUTABLE",
                                       "imageScanningConfiguration": {"scanOnPush": True},
                                       "encryptionConfigurations": [{"encryptionType": "KMS"}]}),
                   region="sa-east-1")
    urns = {f.urn for f in report.findings if f.rule == "aip-compliance-region-allowed"}
    assert urns == {"urn:pulumi:dev::p::pulumi:providers:aws::aws", "urn:pulumi:dev::p::aws:ecr/repository:Repository::r"}


def test_policy_config_changes_limits_and_enforcement():
    pool = resource(NODE_GROUP, "big", node_group(instanceTypes=["g5.12xlarge"],
                                                  scalingConfig={"minSize": 0.0, "maxSize": 3.0}))
    assert "aip-cost-pool-max-accelerators" in rules_hit(check(pool))
    relaxed = check(pool, config={"aip-cost-pool-max-accelerators": {"maxAcceleratorsPerPool": {"*": 12}}})
    assert "aip-cost-pool-max-accelerators" not in rules_hit(relaxed)
    advisory = check(pool, config={"aip-cost-pool-max-accelerators": "advisory"})
    (finding,) = [f for f in advisory.findings if f.rule == "aip-cost-pool-max-accelerators"]
    assert finding.enforcement == "advisory" and not finding.blocking and advisory.exit_code == 0
    disabled = check(pool, config={"all": "disabled"})
    assert disabled.findings == [] and disabled.checked == []


def test_the_autoscaler_policy_needs_no_exception_to_the_wildcard_rule():
    """The component's `Resource: "*"` actions and the rule's allow-list both come from catalog/iam.py (the pack
    imports no provider SDK, so neither reads the other); this keeps them agreeing: the real autoscaler policy
    passes the rule."""
    from aiplatform.components.aws.cluster_autoscaler import autoscaler_policy

    document = autoscaler_policy("ml-dev", "arn:aws:eks:us-east-1:111122223333:cluster/ml-dev")
    assert rules_hit(check(resource(ROLE_POLICY, "ca", {"policy": document}))) == set()
