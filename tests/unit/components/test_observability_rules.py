"""The platform's alert rules judged by promtool: `check rules`, and `test rules` with a firing and a
non-firing case for every alert on synthetic series; metric names against the pinned exporters' lists."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from observability_helpers import OTHER_SOURCES, expand, metric_lists, metric_names, run, write_rules

from aiplatform.components.kubernetes.observability import rules as r

POOLS = {"serving-l4": 2}
NS, SVC = "search", "chat"
SERVICE = {"namespace": NS, "service": SVC}


def _groups() -> list[dict[str, Any]]:
    return r.service_rule_groups(NS, SVC) + r.platform_rule_groups(POOLS)


def _rule(name: str) -> dict[str, Any]:
    return next(x for g in _groups() for x in g["rules"] if x.get("alert") == name)


def _fires(name: str, labels: dict[str, str], value: str = "") -> dict[str, Any]:
    rule = _rule(name)
    every = {**rule["labels"], **labels}
    return {"exp_labels": every,
            "exp_annotations": {k: expand(v, every, value) for k, v in rule["annotations"].items()}}


def _case(series: list[tuple[str, str]], at: str, alert: str, fired: list[dict[str, Any]]) -> dict[str, Any]:
    return {"interval": "1m", "input_series": [{"series": s, "values": v} for s, v in series],
            "alert_rule_test": [{"eval_time": at, "alertname": alert, "exp_alerts": fired}]}


def _ttft(good_per_min: int, total_per_min: int) -> list[tuple[str, str]]:
    sel = f'namespace="{NS}",service="{SVC}"'
    return [(f'vllm:time_to_first_token_seconds_bucket{{{sel},le="2.5"}}', f"0+{good_per_min}x420"),
            (f"vllm:time_to_first_token_seconds_count{{{sel}}}", f"0+{total_per_min}x420")]


GPU = {"node": "ip-10-0-1-5", "gpu": "0", "UUID": "GPU-1"}
ALLOCATED = {**GPU, "namespace": "search", "pod": "chat-7f9c"}


def _labels(mapping: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in mapping.items()) + "}"


ENVOY = 'envoy_cluster_name="httproute/search/chat/rule/0"'

#: alert -> (firing case, non-firing case), each (series, eval time, expected alerts).
CASES: dict[str, tuple[tuple, tuple]] = {
    # 20% of requests slower than 2.5 s: 20x the 1% budget (above 14.4x) -> page; 1% (1x) -> nothing.
    "InferenceTtftBudgetBurnFast": (
        (_ttft(80, 100), "70m", [_fires("InferenceTtftBudgetBurnFast", SERVICE)]),
        (_ttft(99, 100), "70m", []),
    ),
    # 8% slow: 8x the budget, above the 6x ticket threshold and below the 14.4x page.
    "InferenceTtftBudgetBurnSlow": (
        (_ttft(92, 100), "70m", [_fires("InferenceTtftBudgetBurnSlow", SERVICE)]),
        (_ttft(99, 100), "70m", []),
    ),
    "InferenceQueueDeep": (
        ([(f"vllm:num_requests_waiting{_labels(SERVICE)}", "20x20")], "15m", [_fires("InferenceQueueDeep", SERVICE)]),
        ([(f"vllm:num_requests_waiting{_labels(SERVICE)}", "5x20")], "15m", []),
    ),
    "InferenceTargetDown": (
        ([(f"up{_labels(SERVICE)}", "0x20")], "15m", [_fires("InferenceTargetDown", SERVICE)]),
        ([(f"up{_labels(SERVICE)}", "1x20")], "15m", []),
    ),
    # A GPU allocated to a pod at 2% for more than 2 h is waste; at 60% it is not; an unallocated GPU is not judged.
    "GpuAllocatedIdle": (
        ([(f"DCGM_FI_DEV_GPU_UTIL{_labels(ALLOCATED)}", "2x140")], "130m",
         [_fires("GpuAllocatedIdle", ALLOCATED)]),
        ([(f"DCGM_FI_DEV_GPU_UTIL{_labels(ALLOCATED)}", "60x140"),
          (f"DCGM_FI_DEV_GPU_UTIL{_labels({**GPU, 'gpu': '1', 'UUID': 'GPU-2'})}", "0x140")], "130m", []),
    ),
    "GpuXidError": (
        ([(f"DCGM_FI_DEV_XID_ERRORS{_labels(GPU)}", "43x5")], "3m", [_fires("GpuXidError", GPU, "43")]),
        ([(f"DCGM_FI_DEV_XID_ERRORS{_labels(GPU)}", "79x5")], "3m", []),  # 79 is GpuFellOffBus, not both
    ),
    "GpuFellOffBus": (
        ([(f"DCGM_FI_DEV_XID_ERRORS{_labels(GPU)}", "79x5")], "3m", [_fires("GpuFellOffBus", GPU, "79")]),
        ([(f"DCGM_FI_DEV_XID_ERRORS{_labels(GPU)}", "43x5")], "3m", []),
    ),
    "GpuMissingFromNode": (
        ([('kube_node_status_capacity{node="ip-10-0-1-5",resource="nvidia_com_gpu"}', "4x20")]
         + [(f'DCGM_FI_DEV_GPU_UTIL{{node="ip-10-0-1-5",gpu="{i}"}}', "50x20") for i in range(3)], "15m",
         [_fires("GpuMissingFromNode", {"node": "ip-10-0-1-5"})]),
        ([('kube_node_status_capacity{node="ip-10-0-1-5",resource="nvidia_com_gpu"}', "4x20")]
         + [(f'DCGM_FI_DEV_GPU_UTIL{{node="ip-10-0-1-5",gpu="{i}"}}', "50x20") for i in range(4)], "15m", []),
    ),
    "GpuPoolAtMaxWithPendingPods": (
        ([(f'kube_node_labels{{node="n{i}",label_aiplatform_io_pool="serving-l4"}}', "1x30") for i in range(2)]
         + [('kube_pod_status_phase{namespace="search",pod="chat-2",phase="Pending"}', "1x30"),
            ('kube_pod_container_resource_requests{namespace="search",pod="chat-2",resource="nvidia_com_gpu"}', "1x30")],
         "20m", [_fires("GpuPoolAtMaxWithPendingPods", {"pool": "serving-l4"})]),
        ([('kube_node_labels{node="n0",label_aiplatform_io_pool="serving-l4"}', "1x30"),
          ('kube_pod_status_phase{namespace="search",pod="chat-2",phase="Pending"}', "1x30"),
          ('kube_pod_container_resource_requests{namespace="search",pod="chat-2",resource="nvidia_com_gpu"}', "1x30")],
         "20m", []),
    ),
    "GatewayTeamThrottled": (
        ([(f'envoy_cluster_upstream_rq{{{ENVOY},envoy_response_code="429"}}', "0+10x30"),
          (f"envoy_cluster_upstream_rq_total{{{ENVOY}}}", "0+100x30")], "20m",
         [_fires("GatewayTeamThrottled", {"team": "search"})]),
        ([(f'envoy_cluster_upstream_rq{{{ENVOY},envoy_response_code="429"}}', "0+1x30"),
          (f"envoy_cluster_upstream_rq_total{{{ENVOY}}}", "0+100x30")], "20m", []),
    ),
    # The gateway refuses 10% of what its rate limits see (two proxies) -> fires; 1% -> nothing.
    "GatewayRateLimiting": (
        ([(f'envoy_http_local_rate_limit_rate_limited{{envoy_local_http_ratelimit_prefix="http_local_rate_limiter",pod="p{i}"}}',
           "0+10x30") for i in range(2)]
         + [(f'envoy_http_local_rate_limit_enabled{{envoy_local_http_ratelimit_prefix="http_local_rate_limiter",pod="p{i}"}}',
             "0+100x30") for i in range(2)], "20m", [_fires("GatewayRateLimiting", {})]),
        ([('envoy_http_local_rate_limit_rate_limited{pod="p0"}', "0+1x30"),
          ('envoy_http_local_rate_limit_enabled{pod="p0"}', "0+100x30")], "20m", []),
    ),
}


def test_every_alert_has_a_firing_and_a_non_firing_case():
    assert sorted(CASES) == sorted(r.alert_names(_groups()))


def test_promtool_checks_the_rule_groups(tmp_path):
    result = run("check", "rules", str(write_rules(tmp_path / "rules.yaml", _groups())), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {sum(len(g['rules']) for g in _groups())} rules found" in result.stdout


@pytest.mark.parametrize("alert", sorted(CASES))
@pytest.mark.parametrize("fires", [True, False], ids=["fires", "does-not-fire"])
def test_promtool_unit_test(tmp_path, alert, fires):
    series, at, expected = CASES[alert][0 if fires else 1]
    assert bool(expected) is fires
    write_rules(tmp_path / "rules.yaml", _groups())
    (tmp_path / "test.yaml").write_text(yaml.safe_dump({
        "rule_files": ["rules.yaml"], "evaluation_interval": "1m",
        "tests": [_case(series, at, alert, expected)],
    }, sort_keys=False), encoding="utf-8")
    result = run("test", "rules", "test.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_expectation_fails_under_promtool(tmp_path):
    """The judge judges: the idle-GPU series at 60% expected to fire is a failed test."""
    series, at, _ = CASES["GpuAllocatedIdle"][1]
    write_rules(tmp_path / "rules.yaml", _groups())
    (tmp_path / "test.yaml").write_text(yaml.safe_dump({
        "rule_files": ["rules.yaml"], "evaluation_interval": "1m",
        "tests": [_case(series, at, "GpuAllocatedIdle", [_fires("GpuAllocatedIdle", ALLOCATED)])],
    }), encoding="utf-8")
    assert run("test", "rules", "test.yaml", cwd=tmp_path).returncode != 0


def test_thresholds_come_from_the_arguments():
    groups = r.service_rule_groups("a", "b", ttft_seconds=1.0, objective=0.995, queue_depth=3, queue_minutes=4)
    text = yaml.safe_dump(groups)
    assert 'le=\\"1.0\\"' in text or 'le="1.0"' in text
    assert "(14.4 * 0.005)" in text and "> 3" in text and "4m" in text
    idle = r.platform_rule_groups({}, idle_gpu_percent=10, idle_gpu_hours=3)[0]["rules"][0]
    assert idle["expr"].endswith("< 10") and idle["for"] == "180m"
    assert r.ttft_threshold_problem(2.0) is not None and r.ttft_threshold_problem(2.5) is None


def test_every_alert_has_a_runbook_section_in_the_docs():
    from conftest import ROOT

    doc = (ROOT / "docs" / "observability.md").read_text(encoding="utf-8")
    for group in _groups():
        for rule in group["rules"]:
            if "alert" in rule:
                anchor = rule["annotations"]["runbook_url"].split("#", 1)[1]
                assert f'<a id="{anchor}"></a>' in doc, rule["alert"]


# ---- metric names -----------------------------------------------------------------------------------------


def test_every_metric_a_rule_reads_is_emitted_by_a_pinned_exporter_or_recorded():
    known = metric_lists() | OTHER_SOURCES | {x["record"] for g in _groups() for x in g["rules"] if "record" in x}
    for group in _groups():
        for rule in group["rules"]:
            names = metric_names(rule["expr"])
            assert names - known == set(), f"{rule.get('alert') or rule.get('record')}: {names - known}"


def test_the_metric_name_check_sees_names():
    assert metric_names('sum(rate(vllm:prompt_tokens_total{a="b"}[5m])) / up') == {"vllm:prompt_tokens_total", "up"}
    assert "DCGM_FI_DEV_XID_ERRORS" in metric_lists() and "vllm:kv_cache_usage_perc" in metric_lists()
    assert "vllm:made_up_total" not in metric_lists()
    assert {"kube_node_labels", "kube_pod_status_phase", "kube_pod_container_resource_requests"} <= metric_lists()
