"""The observability rules on hand-made plans: GPU metrics where there are NVIDIA pools, accelerator
workloads scraped and covered by an SLO alert."""

from __future__ import annotations

from guardrail_helpers import TAGS, check, resource, rules_hit

from aiplatform.components.kubernetes.observability.rules import service_rule_groups
from aiplatform.shape.props import UNKNOWN

GPU_METRICS = "aip-observability-gpu-metrics"
MONITORED = "aip-observability-service-monitored"
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SELECTOR = {"app.kubernetes.io/name": "chat", "app.kubernetes.io/instance": "search-chat"}


def node_group(instance_types, name="gpu"):
    return resource("aws:eks/nodeGroup:NodeGroup", name, {
        "instanceTypes": instance_types, "capacityType": "SPOT", "tags": TAGS,
        "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0}})


def release(chart):
    return resource(RELEASE, chart, {"chart": chart, "version": "1", "namespace": "x", "values": {}})


def gke_cluster(components):
    return resource("gcp:container/cluster:Cluster", "gke", {
        "monitoringConfig": {"enableComponents": components}, "resourceLabels": TAGS})


EKS = resource("aws:eks/cluster:Cluster", "eks", {"name": "c", "tags": TAGS})


def test_nvidia_pools_need_gpu_metrics():
    assert GPU_METRICS in rules_hit(check(EKS, node_group(["g6.xlarge"])))
    assert GPU_METRICS in rules_hit(check(EKS, node_group(["g6.xlarge"]), release("qdrant")))
    assert GPU_METRICS not in rules_hit(check(EKS, node_group(["g6.xlarge"]), release("dcgm-exporter")))
    # GKE's managed DCGM counts; a cluster collecting system components only does not
    assert GPU_METRICS not in rules_hit(check(node_group(["g6.xlarge"]), gke_cluster(["SYSTEM_COMPONENTS", "DCGM"])))
    assert GPU_METRICS in rules_hit(check(node_group(["g6.xlarge"]), gke_cluster(["SYSTEM_COMPONENTS"])))


def _daemon_set(image):
    return resource("kubernetes:apps/v1:DaemonSet", "neuron-monitor", {
        "metadata": {"name": "neuron-monitor", "namespace": "neuron-monitor"},
        "spec": {"template": {"spec": {"containers": [{"name": "neuron-monitor", "image": image}]}}}})


def test_neuron_pools_need_neuron_monitor():
    neuron = node_group(["inf2.xlarge"], name="neuron")
    assert GPU_METRICS in rules_hit(check(EKS, neuron))
    assert GPU_METRICS in rules_hit(check(EKS, neuron, release("dcgm-exporter")))  # DCGM does not read Neuron
    assert GPU_METRICS in rules_hit(check(EKS, neuron, _daemon_set("public.ecr.aws/neuron/neuron-device-plugin:2.24")))
    assert GPU_METRICS not in rules_hit(check(EKS, neuron, _daemon_set("public.ecr.aws/neuron/neuron-monitor:1.3.0")))
    assert GPU_METRICS not in rules_hit(check(EKS, neuron, _daemon_set(UNKNOWN)))  # cannot be told in preview


def test_stacks_without_nvidia_pools_or_without_the_cluster_are_not_judged():
    assert GPU_METRICS not in rules_hit(check(EKS, node_group(["m7i.large"], name="cpu")))
    assert GPU_METRICS not in rules_hit(check(node_group(["inf2.xlarge"], name="neuron")))
    assert GPU_METRICS not in rules_hit(check(EKS))
    # pools added to a cluster created by another stack: that stack installs (and is judged for) the collection
    assert GPU_METRICS not in rules_hit(check(node_group(["g6.xlarge"])))


def deployment(labels=SELECTOR, gpus=True, namespace="search", name="chat"):
    limits = {"nvidia.com/gpu": "1"} if gpus else {"cpu": "1"}
    return resource(DEPLOYMENT, name, {"metadata": {"name": name, "namespace": namespace, "labels": TAGS},
                                       "spec": {"template": {"metadata": {"labels": {**labels, "team": "search"}},
                                                             "spec": {"containers": [{
                                                                 "name": "s", "image": "vllm/vllm-openai:v0.11.0",
                                                                 "resources": {"limits": limits}}]}}}})


def service(name="chat", namespace="search", selector=SELECTOR):
    return resource(SERVICE, f"svc-{name}", {"metadata": {"name": name, "namespace": namespace,
                                                          "labels": {**SELECTOR, **TAGS}},
                                             "spec": {"type": "ClusterIP", "selector": selector}})


def service_monitor(namespace="search", selector=SELECTOR):
    return resource(SERVICE_MONITOR, "sm", {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
                                            "metadata": {"name": "chat", "namespace": namespace},
                                            "spec": {"selector": {"matchLabels": selector},
                                                     "endpoints": [{"port": "http"}]}})


def slo_rule(namespace="search", svc="chat"):
    return resource(RULE, "slo", {"metadata": {"name": "chat-slo", "namespace": namespace},
                                  "spec": {"groups": service_rule_groups(namespace, svc)}})


def test_a_scraped_gpu_deployment_with_an_slo_rule_passes():
    assert MONITORED not in rules_hit(check(deployment(), service(), service_monitor(), slo_rule()))


def test_an_unscraped_gpu_deployment_fails():
    report = check(deployment(), service())
    assert MONITORED in rules_hit(report)
    assert any("no ServiceMonitor or PodMonitor scrapes it" in f.message for f in report.findings)
    # a monitor in another namespace, or selecting other Services, does not scrape it
    assert MONITORED in rules_hit(check(deployment(), service(), service_monitor(namespace="other"), slo_rule()))
    assert MONITORED in rules_hit(check(deployment(), service(), service_monitor(selector={"app": "x"}), slo_rule()))
    # a Service that does not select the pods does not count either
    assert MONITORED in rules_hit(check(deployment(), service(selector={"app": "x"}), service_monitor(), slo_rule()))


def test_a_pod_monitor_scrapes_too():
    monitor = resource(POD_MONITOR, "pm", {"metadata": {"name": "pm", "namespace": "search"},
                                           "spec": {"selector": {"matchExpressions": [
                                               {"key": "app.kubernetes.io/name", "operator": "In",
                                                "values": ["chat"]}]}}})
    report = check(deployment(), monitor)
    assert not any("no ServiceMonitor" in f.message for f in report.findings)


def test_a_scraped_deployment_without_an_slo_rule_fails():
    report = check(deployment(), service(), service_monitor())
    assert MONITORED in rules_hit(report)
    assert any("no SLO alert rule covers its Service (chat)" in f.message for f in report.findings)
    assert MONITORED in rules_hit(check(deployment(), service(), service_monitor(), slo_rule(svc="other")))


def test_cpu_workloads_and_jobs_are_not_judged():
    assert MONITORED not in rules_hit(check(deployment(gpus=False)))
    job = resource("kubernetes:batch/v1:Job", "train", {"metadata": {"name": "train", "namespace": "search"},
                                                       "spec": {"template": {"spec": {"containers": [{
                                                           "name": "t", "image": "x:1",
                                                           "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}}})
    assert MONITORED not in rules_hit(check(job))


def test_unknown_values_are_skipped_not_judged():
    from aiplatform.shape.props import UNKNOWN

    unknown_rule = resource(RULE, "slo", {"metadata": {"name": "chat-slo", "namespace": "search"}, "spec": UNKNOWN})
    assert MONITORED not in rules_hit(check(deployment(), service(), service_monitor(), unknown_rule))
    unknown_chart = resource(RELEASE, "r", {"chart": UNKNOWN, "version": "1"})
    assert GPU_METRICS not in rules_hit(check(EKS, node_group(["g6.xlarge"]), unknown_chart))
