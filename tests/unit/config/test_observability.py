"""The `observability` section: on by default, defaults per environment, receivers by secret config key."""

from __future__ import annotations

from conftest import config_problems, stack_platform

from aiplatform.config import load_platform_config


def test_on_by_default_with_defaults_per_environment():
    dev, prod = load_platform_config(stack_platform("aws-dev")), load_platform_config(stack_platform("gcp-prod"))
    assert dev.observability.enabled and prod.observability.enabled
    assert (dev.metrics_retention_days, dev.metrics_volume_gib) == (7, 50)
    assert (prod.metrics_retention_days, prod.metrics_volume_gib) == (30, 200)
    assert dev.gpu_metrics == "dcgm-exporter" and prod.gpu_metrics == "managed"
    assert dev.needs_storage_class and load_platform_config(stack_platform("aws-prod")).needs_storage_class


def test_given_values_win_and_off_means_off():
    raw = stack_platform("aws-dev")
    raw["observability"] = {"retention_days": 14, "volume_gib": 80}
    config = load_platform_config(raw)
    assert (config.metrics_retention_days, config.metrics_volume_gib) == (14, 80)
    raw["observability"] = {"enabled": False}
    config = load_platform_config(raw)
    assert config.gpu_metrics is None and config.needs_storage_class  # aws-dev's Qdrant still needs volumes


def test_gpu_hour_prices_come_from_the_catalog():
    prices = load_platform_config(stack_platform("aws-dev")).gpu_hour_prices
    assert set(prices) >= {"L4"} and all(p > 0 for p in prices.values())


def test_every_problem_is_named_with_its_path():
    raw = stack_platform("aws-dev")
    raw["observability"] = {
        "retention_days": 0,
        "managed": "azure",
        "slo": {"objective": 1.0, "colour": "red"},
        "alert_receivers": [
            {"name": "oncall", "kind": "slack", "url_config_key": "not a key"},
            {"name": "oncall", "kind": "sms", "url_config_key": "aiplatform:pager"},
            {"name": "team", "kind": "webhook", "url_config_key": "aiplatform:platform"},
        ],
    }
    text = "\n".join(config_problems(raw))
    for path in ("observability.retention_days", "observability.managed", "observability.slo.objective",
                 "observability.slo.colour", "observability.alert_receivers[0].url_config_key",
                 "observability.alert_receivers[1].kind", "observability.alert_receivers[2].url_config_key"):
        assert path in text, path


def _managed(stack: str, managed: str) -> dict:
    raw = stack_platform(stack)
    raw.setdefault("observability", {})["managed"] = managed
    return raw


def test_each_cloud_takes_its_own_managed_prometheus_only():
    assert load_platform_config(_managed("aws-dev", "amp")).observability.managed == "amp"
    assert load_platform_config(_managed("gcp-dev", "gmp")).observability.managed == "gmp"
    assert config_problems(_managed("gcp-dev", "amp")) == [
        "platform.observability.managed: 'amp' is not offered on gcp (it takes none, gmp)"]
    assert config_problems(_managed("aws-dev", "gmp")) == [
        "platform.observability.managed: 'gmp' is not offered on aws (it takes none, amp)"]
