"""The pins of aiplatform.catalog.pins against the upstream files vendored in tests/data/upstream/ (issue 16)."""

from __future__ import annotations

import re

import pytest
from crd_helpers import crd_schemas, schema_errors
from upstream_helpers import (
    CHARTS,
    COMMENTED,
    FREE_FORM,
    UPSTREAM,
    chart_values,
    load_yaml_documents,
    missing_keys,
    render_cluster_role,
    rule_grants,
    uncovered,
)

from aiplatform.catalog import pins
from aiplatform.components.kubernetes import NeuronDevicePlugin, Qdrant
from aiplatform.offline import reveal
from aiplatform.testing import plan_program

AUTOSCALER_DIR = f"cluster-autoscaler-chart-{pins.CLUSTER_AUTOSCALER.version}"
VOLUME_ATTACHMENTS = ("storage.k8s.io", "volumeattachments", "list", "*")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text))


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_pinned_chart_is_vendored_with_its_source(chart):
    pin, values = CHARTS[chart]
    directory = (UPSTREAM / values).parent
    assert directory.name.endswith(pin.version) and (UPSTREAM / values).is_file()
    source = (directory / "SOURCE.md").read_text(encoding="utf-8")
    for field in ("Repository:", "Tag:", "Commit:", "Date:", "Files:"):
        assert field in source, f"{directory.name}/SOURCE.md names no {field}"


@pytest.mark.parametrize("chart", sorted(FREE_FORM))
def test_free_form_paths_are_documented_maps_of_the_chart(chart):
    values = chart_values(chart)
    for path in FREE_FORM[chart]:
        node = values
        for part in path.split("."):
            assert isinstance(node, dict) and part in node, f"{chart}: free-form {path} is not in values.yaml"
            node = node[part]
        assert isinstance(node, dict), f"{chart}: {path} is not a map"


@pytest.mark.parametrize(("chart", "path"), [(c, p) for c, paths in COMMENTED.items() for p in paths])
def test_keys_documented_in_comments_are_read_by_the_chart(chart, path):
    directory = (UPSTREAM / CHARTS[chart][1]).parent
    text = (directory / "values.yaml").read_text(encoding="utf-8")
    assert re.search(rf"^\s*#\s*{re.escape(path.split('.')[-1])}:", text, re.M), f"no commented {path}"
    assert f".Values.{path}" in (directory / COMMENTED[chart][path]).read_text(encoding="utf-8")


def test_the_key_check_catches_a_key_the_chart_does_not_have():
    chart = "cluster-autoscaler"
    assert missing_keys(chart, {"image": {"tag": "v1"}, "extraArgs": {"anything": 1}}) == []
    assert missing_keys(chart, {"image": {"tagg": "v1"}, "rbac": {"serviceAccount": {"nam": "x"}}}) == [
        "image.tagg", "rbac.serviceAccount.nam"]


# --- issue 16 point 1: the autoscaler's ClusterRole --------------------------------------------------

def _chart_grants(directory: str = AUTOSCALER_DIR) -> set:
    values = load_yaml_documents(f"{directory}/values.yaml")[0]
    role = render_cluster_role(f"{directory}/templates/clusterrole.yaml", values, cloud="aws")
    assert role and role["kind"] == "ClusterRole"
    return rule_grants(role["rules"])


def _image_needs(tag: str) -> set:
    docs = load_yaml_documents(f"cluster-autoscaler-{tag.lstrip('v')}/cluster-autoscaler-autodiscover.yaml")
    [role] = [d for d in docs if d.get("kind") == "ClusterRole"]
    return rule_grants(role["rules"])


def test_issue16_point1_the_autoscaler_chart_is_at_least_9_46_3():
    assert _version(pins.CLUSTER_AUTOSCALER.version) >= (9, 46, 3)


@pytest.mark.parametrize("kubernetes", sorted(pins.CLUSTER_AUTOSCALER_IMAGE_TAGS))
def test_issue16_point1_chart_cluster_role_covers_what_the_pinned_image_lists(kubernetes):
    tag = pins.CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetes]
    assert tag.lstrip("v").rsplit(".", 1)[0] == kubernetes, "the image minor must match Kubernetes"
    needs = _image_needs(tag)
    assert VOLUME_ATTACHMENTS in needs, "the image's own manifest lists volumeattachments (kubernetes/autoscaler #7663)"
    assert uncovered(needs, _chart_grants()) == []


@pytest.mark.parametrize("kubernetes", sorted(pins.CLUSTER_AUTOSCALER_IMAGE_TAGS))
def test_issue16_point1_the_previous_pin_chart_9_44_0_misses_volumeattachments(kubernetes):
    """Main at 0aeb77d pinned chart 9.44.0: its ClusterRole lacks what the pinned images list."""
    missing = uncovered(_image_needs(pins.CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetes]),
                        _chart_grants("cluster-autoscaler-chart-9.44.0"))
    assert VOLUME_ATTACHMENTS in missing


def test_the_project_keeps_the_chart_cluster_role_on():
    values = chart_values("cluster-autoscaler")["rbac"]
    assert values["create"] is True and values["clusterScoped"] is True and not values["pspEnabled"]


# --- issue 16 point 4: Envoy Gateway exists upstream, its CRDs validate what the platform creates -------

def test_issue16_point4_envoy_gateway_pin_is_a_vendored_upstream_tag():
    source = (UPSTREAM / f"gateway-helm-{pins.ENVOY_GATEWAY.version}" / "SOURCE.md").read_text(encoding="utf-8")
    assert f"Tag: {pins.ENVOY_GATEWAY.version}\n" in source
    assert pins.ENVOY_GATEWAY.version != "v1.8.4"


GATEWAY = {
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
    "metadata": {"name": "gw", "namespace": "llm-gateway", "annotations": {"a": "b"}},
    "spec": {"gatewayClassName": "gw", "listeners": [{"name": "https", "protocol": "HTTPS", "port": 443,
             "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "tls"}]}}]},
}


def test_the_crd_check_accepts_a_gateway_and_refuses_unknown_fields_bad_enums_and_missing_fields():
    schema = crd_schemas(pins.ENVOY_GATEWAY.version)[("gateway.networking.k8s.io/v1", "Gateway")]
    assert schema_errors(schema, GATEWAY) == []
    bad = {**GATEWAY, "spec": {**GATEWAY["spec"], "listners": []}}
    assert any("listners" in e for e in schema_errors(schema, bad))
    listener = {**GATEWAY["spec"]["listeners"][0], "tls": {"mode": "Passthru"}}
    assert any("Passthru" in e for e in schema_errors(schema, {**GATEWAY, "spec": {**GATEWAY["spec"], "listeners": [listener]}}))
    assert any("gatewayClassName" in e for e in schema_errors(schema, {**GATEWAY, "spec": {"listeners": []}}))


def test_the_crd_check_honours_preserve_unknown_fields():
    schemas = crd_schemas(pins.ENVOY_GATEWAY.version)
    proxy = schemas[("gateway.envoyproxy.io/v1alpha1", "EnvoyProxy")]
    patch = proxy["properties"]["spec"]["properties"]["provider"]["properties"]["kubernetes"]["properties"][
        "envoyDeployment"]["properties"]["patch"]["properties"]["value"]
    assert "additionalProperties" not in patch  # x-kubernetes-preserve-unknown-fields: free JSON


# --- issue 16 point 5: Qdrant's service account -------------------------------------------------------

def test_issue16_point5_qdrant_names_its_service_account_where_the_chart_reads_it():
    templates = UPSTREAM / f"qdrant-{pins.QDRANT.version}" / "templates"
    assert 'name: {{ include "qdrant.fullname" . }}' in (templates / "serviceaccount.yaml").read_text()
    assert 'serviceAccountName: {{ include "qdrant.fullname" . }}' in (templates / "statefulset.yaml").read_text()
    assert ".Values.fullnameOverride" in (templates / "_helpers.tpl").read_text()
    assert "name" not in chart_values("qdrant")["serviceAccount"]  # the chart has no serviceAccount.name

    plan = plan_program(lambda: Qdrant("vs", {"storage_class_name": "gp3", "service_account_name": "vectors"}))
    values = reveal(plan.find("kubernetes:helm.sh/v3:Release").inputs)["values"]
    assert values["fullnameOverride"] == "vectors" and "name" not in values["serviceAccount"]
    assert missing_keys("qdrant", values) == []


# --- issue 16 point 6: the Neuron device plugin -------------------------------------------------------

def test_issue16_point6_neuron_device_plugin_values_fit_the_pinned_chart():
    plan = plan_program(lambda: NeuronDevicePlugin("np", {"instance_types": ["trn1.2xlarge", "inf2.xlarge"]}))
    release = reveal(plan.find("kubernetes:helm.sh/v3:Release").inputs)
    assert release["chart"] == "oci://public.ecr.aws/neuron/neuron-helm-chart"
    assert release["version"] == pins.NEURON_DEVICE_PLUGIN.version
    assert missing_keys(release["chart"], release["values"]) == []
    assert release["values"]["npd"] == {"enabled": False} and release["values"]["scheduler"] == {"enabled": False}
    daemonset = (UPSTREAM / f"neuron-helm-chart-{pins.NEURON_DEVICE_PLUGIN.version}" / "templates"
                 / "device-plugin-daemonset.yaml").read_text()
    for used in (".Values.devicePlugin.nodeSelector", ".Values.devicePlugin.tolerations", ".Values.neuronInstances"):
        assert used in daemonset


def test_neuron_device_plugin_needs_instance_types():
    with pytest.raises(Exception, match="instance_types"):
        plan_program(lambda: NeuronDevicePlugin("np", {}))


# --- docs/pins.md -------------------------------------------------------------------------------------

def _reference():
    import sys

    sys.path.insert(0, str(UPSTREAM.parents[2] / "tools"))
    import reference

    return reference


def test_pins_doc_is_current():
    reference = _reference()
    docs = UPSTREAM.parents[2] / "docs" / "pins.md"
    assert docs.read_text(encoding="utf-8") == reference.pins_markdown(UPSTREAM.parents[2]), (
        "stale: run `python tools/reference.py --root .`")


def test_pins_doc_lists_every_pin():
    names = {n for n, v in vars(pins).items() if n.isupper() and (
        isinstance(v, pins.HelmChart) or n.endswith(("_IMAGE", "_IMAGE_TAG", "_IMAGE_TAGS", "_ADDON_VERSIONS")))}
    assert names == set(_reference().PIN_CHECKS)


def test_issue16_point3_the_pinned_vllm_image_streams_from_gs():
    # case: vLLM v0.11.0's image had no GCS support in its Run:ai streamer, so serving on GKE failed to load models
    from aiplatform.catalog.pins import VLLM_IMAGE

    tag = VLLM_IMAGE.rsplit(":v", 1)[-1]
    vendored = UPSTREAM / f"vllm-{tag}"
    dockerfile = (vendored / "docker" / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)
    openai = next(s for s in stages if re.match(r"\S+ AS vllm-openai-base\b", s))
    assert re.search(r"runai-model-streamer\[[^\]]*\bgcs\b[^\]]*\]", openai), "the image's streamer has no GCS extra"
    assert any(re.match(r"vllm-openai-base AS vllm-openai\b", s) for s in stages)
    loader = (vendored / "vllm" / "transformers_utils" / "runai_utils.py").read_text()
    assert re.search(r"SUPPORTED_SCHEMES = \[[^\]]*[\"']gs://[\"']", loader)
    assert f"Tag: v{tag}" in (vendored / "SOURCE.md").read_text()


# --- issue 20: Kueue ---------------------------------------------------------------------------------

def test_kueue_pin_is_the_vendored_release_and_its_image():
    chart = load_yaml_documents(f"kueue-{pins.KUEUE.version}/Chart.yaml")[0]
    assert (chart["name"], chart["version"]) == (pins.KUEUE.chart, pins.KUEUE.version)
    # The release packages the chart with the image of its own tag (hack/helm-chart-package.sh).
    assert f"registry.k8s.io/kueue/kueue:{chart['appVersion']}" == pins.KUEUE_IMAGE
    manager = chart_values("oci://registry.k8s.io/kueue/charts/kueue")["controllerManager"]
    assert {"repository", "tag", "pullPolicy"} <= set(manager["manager"]["image"])
    schemas = crd_schemas(pins.KUEUE.version)
    for kind in ("ResourceFlavor", "ClusterQueue", "LocalQueue", "WorkloadPriorityClass"):
        assert ("kueue.x-k8s.io/v1beta2", kind) in schemas


# --- issue 20: KEDA and its HTTP add-on ------------------------------------------------------------

@pytest.mark.parametrize(("pin", "directory", "kind"), [
    (pins.KEDA, f"keda-{pins.KEDA.version}", ("keda.sh/v1alpha1", "ScaledObject")),
    (pins.KEDA_HTTP_ADD_ON, f"keda-add-ons-http-{pins.KEDA_HTTP_ADD_ON.version}",
     ("http.keda.sh/v1alpha1", "HTTPScaledObject")),
])
def test_keda_pins_are_the_vendored_releases_with_their_crds(pin, directory, kind):
    chart = load_yaml_documents(f"{directory}/Chart.yaml")[0]
    assert (chart["name"], chart["version"], chart["appVersion"]) == (pin.chart, pin.version, pin.version)
    assert kind in crd_schemas(pin.version)
    source = (UPSTREAM / directory / "SOURCE.md").read_text()
    assert re.search(r"^Commit: [0-9a-f]{40}", source, re.M)
