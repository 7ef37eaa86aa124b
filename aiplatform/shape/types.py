"""Resource type tokens that more than one module reads, spelled once.

A type token is what the engine calls a resource kind (`<package>:<module>/<kind>:<Kind>`),
as a policy analyzer and a plan see it. The rules, the pool readers, the property
links and the estimator compare against these; a token only one rule reads may stay
next to that rule. Standard library only, like the rest of `shape`.
"""

from __future__ import annotations

# ---- AWS ---------------------------------------------------------------------------------
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
EC2_INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EBS_VOLUME = "aws:ebs/volume:Volume"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
#: OpenSearch Serverless encryption and network policies (`type` says which).
AOSS_SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

# ---- Google Cloud ------------------------------------------------------------------------
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
ARTIFACT_REPOSITORY = "gcp:artifactregistry/repository:Repository"
KMS_CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"

# ---- Kubernetes --------------------------------------------------------------------------
NAMESPACE = "kubernetes:core/v1:Namespace"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
#: GKE Managed Prometheus (monitoring.googleapis.com/v1): scrape objects and rule objects.
GMP_POD_MONITORING = "kubernetes:monitoring.googleapis.com/v1:PodMonitoring"
GMP_CLUSTER_POD_MONITORING = "kubernetes:monitoring.googleapis.com/v1:ClusterPodMonitoring"
GMP_RULE_TYPES = frozenset({"kubernetes:monitoring.googleapis.com/v1:Rules",
                            "kubernetes:monitoring.googleapis.com/v1:ClusterRules",
                            "kubernetes:monitoring.googleapis.com/v1:GlobalRules"})

# ---- Providers ---------------------------------------------------------------------------
AWS_PROVIDER = "pulumi:providers:aws"
GCP_PROVIDER = "pulumi:providers:gcp"
#: The cloud providers whose `region` says where a stack's resources are created.
CLOUD_PROVIDERS = (AWS_PROVIDER, GCP_PROVIDER)
