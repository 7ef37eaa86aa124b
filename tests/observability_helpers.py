"""The judges of the platform's rules and dashboards: promtool (Debian package `prometheus`; `.ci/run` installs
it), promql-parser, and the metric lists of the pinned exporters (tests/data/upstream/)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from upstream_helpers import UPSTREAM

from aiplatform.catalog.pins import DCGM_EXPORTER, VLLM_IMAGE

PROMTOOL = shutil.which("promtool")


def require_promtool() -> str:
    """promtool's path; the test skips where it is missing, and fails in CI (`AIPLATFORM_REQUIRE_PROMTOOL=1`)."""
    if PROMTOOL is None:
        if os.environ.get("AIPLATFORM_REQUIRE_PROMTOOL") == "1":
            pytest.fail("promtool is required here (apt-get install prometheus)")
        pytest.skip("promtool not installed (apt-get install prometheus)")
    return PROMTOOL


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([require_promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


def write_rules(path: Path, groups: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8")
    return path


_TEMPLATE = re.compile(r"\{\{\s*\$(labels\.(\w+)|value)\s*\}\}")


def expand(text: str, labels: dict[str, str], value: str = "") -> str:
    """An annotation as Prometheus renders it, for the templates the platform's rules use."""
    return _TEMPLATE.sub(lambda m: value if m.group(1) == "value" else labels.get(m.group(2), ""), text)


def metric_lists() -> set[str]:
    """Every metric name the pinned exporters emit: DCGM's default counters, vLLM's, Envoy's cluster stats and
    the kube-state-metrics metrics tables of the pinned kube-prometheus-stack's version."""
    names: set[str] = set()
    for table in (UPSTREAM / "kube-state-metrics-v2.20.0").glob("*-metrics.md"):
        names |= set(re.findall(r"^\| (kube_[a-z_]+) +\|", table.read_text(encoding="utf-8"), re.M))
    dcgm = (UPSTREAM / f"dcgm-exporter-{DCGM_EXPORTER.version}" / "default-counters.csv").read_text(encoding="utf-8")
    names |= {line.split(",")[0].strip() for line in dcgm.splitlines() if line.strip() and not line.startswith("#")}
    vllm = UPSTREAM / f"vllm-{VLLM_IMAGE.rsplit(':v', 1)[-1]}" / "metrics.txt"
    for line in vllm.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, kind, *hidden = line.split()
            if hidden:  # registered only with --show-hidden-metrics-for-version
                continue
            names |= {f"{name}_total"} if kind == "counter" else (
                {f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind == "histogram" else {name})
    envoy = [UPSTREAM / "envoy-cluster-stats-02aefdc" / "metrics.txt", UPSTREAM / "envoy-gateway-v1.8.3" / "metrics.txt"]
    for line in (row for path in envoy for row in path.read_text(encoding="utf-8").splitlines()):
        if line.strip() and not line.startswith("#"):
            _, family, kind = line.split()
            names |= {f"{family}_bucket", f"{family}_sum", f"{family}_count"} if kind == "histogram" else {family}
    return names


#: Prometheus' own series of every target.
OTHER_SOURCES = {"up"}


def metric_names(expr: str) -> set[str]:
    """Every metric name a PromQL expression selects, from promql-parser's syntax tree."""
    out: set[str] = set()

    def walk(node: Any) -> None:
        kind = type(node).__name__
        if kind == "VectorSelector":
            if node.name:
                out.add(node.name)
            return
        for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, (str, int, float)):
                walk(child)
        for arg in getattr(node, "args", None) or []:
            walk(arg)

    walk(promql_parser.parse(expr))
    return out
