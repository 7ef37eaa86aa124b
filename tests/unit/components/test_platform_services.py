"""The platform services on the reference stacks: registry, vector store, gateway and workload identities."""

from __future__ import annotations

from conftest import config_problems
from iam_helpers import wildcard_resource_problems

from aiplatform.config import load_platform_config


def test_the_wildcard_check_catches_what_it_should():
    assert wildcard_resource_problems("arn:aws:s3:::bucket/teams/a/*") == []
    assert wildcard_resource_problems("arn:aws:sagemaker:us-east-1:111122223333:model-package/chat/*") == []
    assert wildcard_resource_problems("arn:aws:s3:::*")
    assert wildcard_resource_problems("arn:aws:s3:::models-*")
    assert wildcard_resource_problems("arn:aws:kms:*:111122223333:key/abc")
    assert wildcard_resource_problems("arn:aws:ecr:us-east-1:111122223333:repository/*")




def test_bad_service_config_names_every_problem(prod_config):
    prod_config["vector_store"] = {"kind": "opensearch-serverless", "network": "public", "replicas": 2}
    prod_config["gateway"] = {"oidc_issuer": "https://idp", "jwks_uri": "https://idp/keys",
                              "tls_secret_name": "tls", "cert_manager_issuer": "le", "requests_per_minute": 0}
    prod_config["model_registry"]["model_families"] = ["chat", "chat", "Bad_Name"]
    assert config_problems(prod_config) == [
        "platform.model_registry.model_families[1]: duplicate family 'chat'",
        "platform.model_registry.model_families[2]: 'Bad_Name' is not a valid name: lowercase letters, digits and "
        "'-', starting with a letter, not ending with '-', at most 40 characters",
        "platform.vector_store.replicas: does not apply to kind opensearch-serverless",
        "platform.gateway.requests_per_minute: must be at least 1 (got 0)",
        # the gateway's field error no longer hides its certificate problems
        "platform.gateway.cert_manager_issuer: give tls_secret_name (your certificate) or cert_manager_issuer, not both",
        "platform.gateway.hostname: required with cert_manager_issuer (the certificate is issued for it)",
        "platform.gateway.cert_manager_gateway_api: set true once your cert-manager runs with "
        "config.enableGatewayAPI=true: it ignores a Gateway's issuer annotation otherwise",
    ]
    prod_config["gateway"]["requests_per_minute"] = 10
    del prod_config["vector_store"]["replicas"]
    prod_config["model_registry"]["model_families"] = ["chat"]
    assert config_problems(prod_config) == [
        "platform.gateway.cert_manager_issuer: give tls_secret_name (your certificate) or cert_manager_issuer, not both",
        "platform.gateway.hostname: required with cert_manager_issuer (the certificate is issued for it)",
        "platform.gateway.cert_manager_gateway_api: set true once your cert-manager runs with "
        "config.enableGatewayAPI=true: it ignores a Gateway's issuer annotation otherwise",
        "platform.vector_store.network: public network access to the vector store is not allowed in prod",
    ]
    del prod_config["gateway"]["oidc_issuer"]
    assert config_problems(prod_config) == [
        "platform.gateway.oidc_issuer: required",
        "platform.gateway.cert_manager_issuer: give tls_secret_name (your certificate) or cert_manager_issuer, not both",
        "platform.gateway.hostname: required with cert_manager_issuer (the certificate is issued for it)",
        "platform.gateway.cert_manager_gateway_api: set true once your cert-manager runs with "
        "config.enableGatewayAPI=true: it ignores a Gateway's issuer annotation otherwise",
        "platform.vector_store.network: public network access to the vector store is not allowed in prod",
    ]


def test_unknown_kind_and_public_store_in_prod(prod_config, dev_config):
    prod_config["vector_store"] = {"kind": "pinecone"}
    assert config_problems(prod_config) == [
        "platform.vector_store.kind: must be one of opensearch-serverless, qdrant (got 'pinecone')"]
    prod_config["vector_store"] = {"kind": "opensearch-serverless", "network": "public"}
    assert config_problems(prod_config) == [
        "platform.vector_store.network: public network access to the vector store is not allowed in prod"]
    dev_config["vector_store"] = {"kind": "opensearch-serverless", "network": "public"}
    assert load_platform_config(dev_config).vector_store.network == "public"
    dev_config["vector_store"] = {"kind": "qdrant", "network": "public", "standby_replicas": True}
    assert config_problems(dev_config) == [
        "platform.vector_store.standby_replicas: does not apply to kind qdrant",
        "platform.vector_store.network: qdrant runs inside the cluster and is never exposed publicly",
    ]


def test_gateway_needs_a_certificate_and_a_store_needs_the_registry(dev_config):
    dev_config["gateway"] = {"oidc_issuer": "https://idp", "jwks_uri": "https://idp/keys",
                             "cert_manager_issuer": "le"}
    assert config_problems(dev_config) == [
        "platform.gateway.hostname: required with cert_manager_issuer (the certificate is issued for it)",
        "platform.gateway.cert_manager_gateway_api: set true once your cert-manager runs with "
        "config.enableGatewayAPI=true: it ignores a Gateway's issuer annotation otherwise"]
    del dev_config["model_registry"]
    dev_config["gateway"].update(hostname="llm.example.com", cert_manager_gateway_api=True)
    assert config_problems(dev_config) == [
        "platform.vector_store: needs model_registry: its publisher and consumer roles are the workloads "
        "the vector store grants access to",
    ]
    dev_config["gateway"] = {"oidc_issuer": "http://idp", "jwks_uri": "https://idp/keys"}
    assert config_problems(dev_config) == [
        "platform.gateway.oidc_issuer: must be an https:// URL (got 'http://idp')",
        "platform.gateway.tls_secret_name: required (or cert_manager_issuer): the gateway serves HTTPS only",
        # a section's error no longer hides the platform's cross-section problems
        "platform.vector_store: needs model_registry: its publisher and consumer roles are the workloads "
        "the vector store grants access to",
    ]
    dev_config["gateway"]["oidc_issuer"] = "https://idp"
    assert config_problems(dev_config) == [
        "platform.gateway.tls_secret_name: required (or cert_manager_issuer): the gateway serves HTTPS only",
        "platform.vector_store: needs model_registry: its publisher and consumer roles are the workloads "
        "the vector store grants access to",
    ]


def test_issue16_point5_a_cert_manager_issuer_needs_the_gateway_api_statement(dev_config):
    """cert-manager honours the Gateway's cluster-issuer annotation only with config.enableGatewayAPI=true."""
    gateway = dev_config["gateway"]
    assert gateway["cert_manager_issuer"] and gateway["cert_manager_gateway_api"] is True
    assert load_platform_config(dev_config).gateway.cert_manager_gateway_api is True
    gateway["cert_manager_gateway_api"] = False
    assert config_problems(dev_config) == [
        "platform.gateway.cert_manager_gateway_api: set true once your cert-manager runs with "
        "config.enableGatewayAPI=true: it ignores a Gateway's issuer annotation otherwise"]
    del gateway["cert_manager_gateway_api"]
    assert len(config_problems(dev_config)) == 1
    gateway.pop("cert_manager_issuer")
    gateway["tls_secret_name"] = "llm-tls"
    assert load_platform_config(dev_config).gateway.tls_secret_name == "llm-tls"  # no cert-manager needed
