"""What product teams use: InferenceService, PlatformRef, the examples and the component package."""

from __future__ import annotations

import re
import sys

import kubernetes_validate
import pulumi
import pytest
import yaml
from conftest import ROOT
from plan_helpers import manifests_by_kind_and_name

from aiplatform.components import package
from aiplatform.components.kubernetes import InferenceService, TeamNamespace
from aiplatform.components.package import HOSTED
from aiplatform.offline import PlanInputError
from aiplatform.platform_ref import PlatformRef, PlatformRefError
from aiplatform.testing import kubernetes_manifests, plan_program

sys.path.insert(0, str(ROOT / "tools"))

from component_schema import SCHEMA_PATH, render, schema
from reference import EXAMPLE_PLATFORM_REF

SCHEMA_FILE = ROOT / SCHEMA_PATH

EXAMPLES = ROOT / "examples"

FIXTURES = EXAMPLES / "platform-fixtures.yaml"

PLATFORM = yaml.safe_load(FIXTURES.read_text())["stack_references"][EXAMPLE_PLATFORM_REF]["aiplatform"]

GATEWAY = PlatformRef.from_output(PLATFORM, team="search").gateway

SERVICE = {
    "team": "search", "namespace": "search", "service_account": "workloads", "registry_uri": "s3://models",
    "model": "chat/llama-3.1-8b-instruct/v1", "accelerator": "L4", "gpus": 2, "gateway": GATEWAY,
    "requests_per_minute": 90, "labels": {"team": "search", "cost-center": "cc-1", "environment": "dev"},
}


def test_inference_service_requests_its_gpus_and_publishes_with_the_teams_auth():
    plan = plan_program(lambda: InferenceService("chat", SERVICE), mode="up")
    objects = manifests_by_kind_and_name(plan)
    deployment = objects[("Deployment", "chat")]
    pod = deployment["spec"]["template"]["spec"]
    (server,) = pod["containers"]
    assert server["resources"]["limits"]["nvidia.com/gpu"] == "2" == server["resources"]["requests"]["nvidia.com/gpu"]
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert pod["nodeSelector"] == {"aiplatform.io/accelerator": "L4"}
    assert pod["serviceAccountName"] == "workloads"
    assert pod["securityContext"]["runAsNonRoot"] is True and server["securityContext"]["allowPrivilegeEscalation"] is False
    assert server["image"] == "vllm/vllm-openai:v0.11.1"
    assert server["args"][:1] == ["s3://models/teams/search/chat/llama-3.1-8b-instruct/v1"]
    assert server["args"][server["args"].index("--tensor-parallel-size") + 1] == "2"
    assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(server)
    assert "replicas" not in deployment["spec"]  # the autoscaler owns it
    assert not any(kind == "HorizontalPodAutoscaler" for kind, _ in objects)  # KEDA's ScaledObject instead
    scaler = objects[("ScaledObject", "chat")]["spec"]
    assert (scaler["minReplicaCount"], scaler["maxReplicaCount"]) == (1, 2)
    (trigger,) = scaler["triggers"]
    assert trigger["metadata"]["query"] == 'sum(vllm:num_requests_waiting{namespace="search",service="chat"})'
    assert trigger["metadata"]["serverAddress"] == "http://metrics-prometheus.monitoring.svc:9090"
    assert ("HTTPScaledObject", "chat") not in objects  # never at zero: no interceptor
    assert objects[("PodDisruptionBudget", "chat")]["spec"]["maxUnavailable"] == 1
    route = objects[("HTTPRoute", "chat")]["spec"]
    assert route["parentRefs"] == [{"name": "ml-dev", "namespace": "llm-gateway", "sectionName": "https"}]
    assert route["rules"][0]["matches"][0]["path"]["value"] == "/search/chat"
    assert route["rules"][0]["filters"][0]["urlRewrite"]["path"]["replacePrefixMatch"] == "/"
    auth = objects[("SecurityPolicy", "chat-auth")]["spec"]["authorization"]
    assert auth["defaultAction"] == "Deny"
    assert auth["rules"][0]["principal"]["jwt"]["claims"][0]["values"] == ["search"]
    limits = objects[("BackendTrafficPolicy", "chat-limits")]["spec"]["rateLimit"]["local"]["rules"]
    assert limits == [{"limit": {"requests": 90, "unit": "Minute"}}]
    for (kind, _), manifest in objects.items():
        assert manifest["metadata"]["labels"]["team"] == "search", kind
    for _, manifest in kubernetes_manifests(plan):
        kubernetes_validate.validate(manifest, "1.34", strict=True)


@pytest.mark.parametrize(("change", "problem"), [
    ({"image": "vllm/vllm-openai:latest"}, "image: image vllm/vllm-openai:latest uses the latest tag"),
    ({"image": "vllm/vllm-openai"}, "image: image vllm/vllm-openai has no tag"),
    ({"target_cpu_utilization": 80}, "target_cpu_utilization: no CPU autoscaler any more"),
    ({"min_replicas": 3}, "max_replicas: need 0 <= min_replicas <= max_replicas <= 100"),
    ({"autoscaling": {"metric": "cpu"}}, "autoscaling.metric: must be one of queue, kv_cache, requests_per_second"),
    ({"autoscaling": {"metric": "kv_cache", "target": 80}}, "autoscaling.target: must be above 0 (kv_cache: at most 1)"),
    ({"autoscaling": {"min_replicas": 0}, "min_replicas": 1}, "autoscaling.min_replicas: given twice"),
    ({"active_hours": {"timezone": "Europe/Paris", "start": "19:00", "end": "08:00"}},
     "active_hours.end: must be later than start"),
    ({"active_hours": {"timezone": "Paris time", "start": "8am", "end": "19:00", "days": ["monday"]}},
     "active_hours.timezone: an IANA time zone"),
    ({"parameters_billion": 8, "model_size_gib": 15}, "parameters_billion: give model_size_gib or parameters_billion"),
    ({"dtype": "fp64"}, "dtype: one of bf16"),
    ({"monitoring": False, "autoscaling": {"metric": "queue"}}, "monitoring: autoscaling reads the server's metrics"),
    ({"model": "../other-team/model"}, "model: a path inside the team's prefix"),
    ({"allowed_accelerators": ["A10G"]}, "accelerator: 'L4' is not among the team's accelerators (A10G)"),
    ({"accelerator": "l4s", "allowed_accelerators": ["L4", "A10G"]},
     "accelerator: 'l4s' is not among the team's accelerators (L4, A10G) (did you mean 'L4'?)"),
    ({"gpus": 0}, "gpus: must be 1 to 16"),
    ({"registry_uri": "https://bucket"}, "registry_uri: must be s3:// or gs://"),
])
def test_inference_service_refuses_bad_args(change, problem):
    with pytest.raises(PlanInputError, match=re.escape(problem)):
        plan_program(lambda: InferenceService("chat", {**SERVICE, **change}))


def test_inference_service_names_every_problem_at_once():
    with pytest.raises(PlanInputError) as caught:
        plan_program(lambda: InferenceService("chat", {"team": "search", "gpus": 99, "image": "x:latest"}))
    message = str(caught.value)
    for path in ("namespace", "service_account", "registry_uri", "model", "accelerator", "gpus", "image"):
        assert f"{path}:" in message


def test_platform_ref_gives_a_team_what_it_needs():
    ref = PlatformRef.from_output(PLATFORM, team="assistants")
    assert (ref.namespace, ref.service_account, ref.gpu_quota) == ("assistants", "workloads", 4)
    assert ref.accelerators == ["L4", "A10G"]
    assert ref.registry_prefix == "teams/assistants/" and ref.registry_uri.startswith("s3://")
    assert ref.labels == {"team": "assistants", "cost-center": "cc-5120", "environment": "dev"}
    assert ref.gateway["oidc_issuer"].startswith("https://") and ref.gateway_url == "https://llm.dev.ml.example.com"
    args = ref.inference_args()
    assert args["allowed_accelerators"] == ["L4", "A10G"] and args["gateway"] == ref.gateway


@pytest.mark.parametrize(("value", "team", "message"), [
    ({**PLATFORM, "version": 2}, "search", "aiplatform.version is 2; this aiplatform reads version 1"),
    (PLATFORM, "billing", "team 'billing' is not defined on the platform (teams: assistants, search)"),
    ({}, "search", "aiplatform.version is None"),
])
def test_platform_ref_refuses_what_it_cannot_read(value, team, message):
    with pytest.raises(PlatformRefError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PlatformRef.from_output(value, team=team)


def test_platform_ref_from_stack_reads_the_stack_reference_and_keeps_the_kubeconfig_secret():
    fixtures = {"stack_references": {"acme/aiplatform/aws-dev": {"aiplatform": PLATFORM}}}

    def program():
        ref = PlatformRef.from_stack("acme/aiplatform/aws-dev", team="search")
        ref.provider()
        pulumi.export("namespace", ref.namespace)

    plan = plan_program(program, fixtures=fixtures)
    assert plan.outputs["namespace"] == "search"
    provider = plan.find("pulumi:providers:kubernetes")
    assert provider.get("namespace") == "search"
    assert provider.inputs["kubeconfig"].get("4dabf18193072939515e22adb298388d")  # a secret
    with pytest.raises(PlanInputError, match="no output 'aiplatform'"):
        plan_program(lambda: PlatformRef.from_stack("acme/aiplatform/aws-dev", team="search"),
                     fixtures={"stack_references": {"acme/aiplatform/aws-dev": {}}})


EXPECTED_INPUTS = {
    "GatewayRoute": {"gateway", "namespace", "serviceName", "port", "serviceNamespace", "hostRewrite", "pathPrefix",
                     "team", "requestsPerMinute", "timeoutSeconds", "stripPrefix", "labels"},
    "InferenceService": {"team", "namespace", "serviceAccount", "registryUri", "model", "accelerator", "gpus",
                         "allowedAccelerators", "acceleratorResource", "image", "servedModelName", "cpu", "memory",
                         "sharedMemory", "minReplicas", "maxReplicas", "autoscaling", "activeHours", "modelSizeGib",
                         "parametersBillion", "dtype", "clientTimeout", "requestSeconds", "prometheusUrl",
                         "kedaNamespace", "port", "maxModelLen",
                         "extraArgs", "region", "gateway", "pathPrefix", "requestsPerMinute", "runAsRoot", "labels",
                         "monitoring", "metricsApi", "sloTtftSeconds", "sloObjective", "queueDepth", "queueMinutes"},
    "TeamNamespace": {"team", "namespace", "gpus", "borrowingLimit", "acceleratorResources", "cpu", "memory", "pods",
                      "persistentVolumeClaims", "storage", "membersGroup", "monthlyBudgetUsd", "accelerators",
                      "serviceAccount", "gatewayNamespace", "autoscalerNamespace", "vectorStoreNamespace", "vectorStorePorts",
                      "httpsEgressCidrs", "identity", "labels", "tags", "protect"},
}


def test_package_schema_has_every_hosted_component_with_its_inputs():
    resources = schema()["resources"]
    assert set(resources) == {f"aiplatform:index:{c.__name__}" for c in HOSTED}
    for name, expected in EXPECTED_INPUTS.items():
        spec = resources[f"aiplatform:index:{name}"]
        assert spec["isComponent"] is True
        assert set(spec["inputProperties"]) == expected, name
        assert all(p.get("description") for p in spec["inputProperties"].values()), name
    assert set(resources["aiplatform:index:InferenceService"]["requiredInputs"]) == {
        "team", "namespace", "serviceAccount", "registryUri", "model", "accelerator"}
    assert set(resources["aiplatform:index:TeamNamespace"]["requiredInputs"]) == {"team", "gpus", "membersGroup"}
    assert set(resources["aiplatform:index:InferenceService"]["properties"]) == {"serviceName", "url", "modelUri",
                                                                                  "coldStartSeconds",
                                                                                  "pathPrefix"}


def test_checked_in_schema_is_current():
    assert SCHEMA_FILE.read_text() == render(), "run: python tools/component_schema.py --root ."


def test_package_files_name_the_hosted_components():
    plugin = yaml.safe_load((ROOT / "components" / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    assert "component_provider_host" in (ROOT / "components" / "__main__.py").read_text()
    assert not (ROOT / "components" / "__init__.py").exists()  # never an import package named `components`


def test_hosted_components_construct_through_the_provider_under_mocks():
    """The multi-language path: schema-named inputs (camelCase) mapped back to the Python args."""
    from pulumi.provider.experimental.component import ComponentProvider

    provider = ComponentProvider(HOSTED, "aiplatform")
    gateway = {"namespace": "llm-gateway", "gatewayName": "ml-dev", "oidcIssuer": GATEWAY["oidc_issuer"],
               "jwksUri": GATEWAY["jwks_uri"], "teamClaim": "groups"}

    def program():
        provider.construct("search", "aiplatform:index:TeamNamespace",
                           {"team": "search", "gpus": 3, "membersGroup": "team-search",
                            "gatewayNamespace": "llm-gateway"}, pulumi.ResourceOptions())
        provider.construct("chat", "aiplatform:index:InferenceService",
                           {"team": "search", "namespace": pulumi.Output.from_input("search"),
                            "serviceAccount": "workloads", "registryUri": "s3://models", "model": "chat/v1",
                            "accelerator": "L4", "gpus": 1, "gateway": gateway}, pulumi.ResourceOptions())
        provider.construct("extra", "aiplatform:index:GatewayRoute",
                           {"gateway": gateway, "namespace": "search", "serviceName": "chat", "pathPrefix": "/x",
                            "team": "search"}, pulumi.ResourceOptions())

    plan = plan_program(program)
    assert {r.type for r in plan.resources if r.type.startswith("aiplatform:")} == {
        "aiplatform:index:TeamNamespace", "aiplatform:index:InferenceService", "aiplatform:index:GatewayRoute"}
    objects = manifests_by_kind_and_name(plan)
    assert objects[("ResourceQuota", "team-quota")]["spec"]["hard"]["requests.nvidia.com/gpu"] == "3"
    assert objects[("HTTPRoute", "chat")]["spec"]["parentRefs"][0]["name"] == "ml-dev"
    assert objects[("HTTPRoute", "extra")]["metadata"]["namespace"] == "search"


def _schema_problems(value, spec, types, path):
    problems = []
    ref = spec.get("$ref", "")
    if ref.startswith("#/types/"):
        type_spec = types[ref.removeprefix("#/types/")]
        if isinstance(value, dict):
            for key, sub in value.items():
                if key not in type_spec["properties"]:
                    problems.append(f"{path}.{key}: not a property of {ref.rsplit(':', 1)[-1]}")
                else:
                    problems += _schema_problems(sub, type_spec["properties"][key], types, f"{path}.{key}")
            for key in type_spec.get("required", []):
                if key not in value:
                    problems.append(f"{path}.{key}: required")
    return problems


def test_yaml_example_uses_only_what_the_package_schema_has():
    program = yaml.safe_load((EXAMPLES / "yaml-team" / "Pulumi.yaml").read_text())
    package = schema()
    assert program["packages"]["aiplatform"] == "../../components"
    assert (EXAMPLES / "yaml-team" / program["packages"]["aiplatform"] / "PulumiPlugin.yaml").is_file()
    used = [(name, r) for name, r in program["resources"].items() if r["type"].startswith("aiplatform:")]
    assert used
    for name, resource in used:
        spec = package["resources"].get(resource["type"])
        assert spec is not None, f"{name}: {resource['type']} is not in the package"
        properties = resource.get("properties", {})
        problems = [f"{name}.{key}: not an input of {resource['type']}" for key in properties
                    if key not in spec["inputProperties"]]
        problems += [f"{name}.{key}: required" for key in spec.get("requiredInputs", []) if key not in properties]
        for key, value in properties.items():
            if key in spec["inputProperties"]:
                problems += _schema_problems(value, spec["inputProperties"][key], package["types"], f"{name}.{key}")
        assert problems == []
    # And the check is live: a misspelt property is caught.
    gateway = package["resources"]["aiplatform:index:InferenceService"]["inputProperties"]["gateway"]
    assert _schema_problems({"gatewayNam": "x"}, gateway, package["types"], "chat.gateway")[0] == (
        "chat.gateway.gatewayNam: not a property of GatewayRefArgs")


def test_team_namespace_without_identity_creates_a_plain_service_account():
    plan = plan_program(lambda: TeamNamespace("t", {"team": "t", "gpus": 0, "members_group": "g"}))
    objects = manifests_by_kind_and_name(plan)
    assert objects[("ServiceAccount", "workloads")]["metadata"]["namespace"] == "t"
    assert not plan.of_type("aws:iam/role:Role")
    with pytest.raises(PlanInputError) as caught:  # the identity as data: through the component package
        plan_program(lambda: package.TeamNamespace("t", {
            "team": "T_1", "gpus": -1, "members_group": "", "cpu": "many",
            "identity": {"cloud": "azure", "cluster_name": "c"}}))
    for path in ("team:", "gpus:", "members_group:", "cpu:", "identity.cloud:"):
        assert path in str(caught.value)
