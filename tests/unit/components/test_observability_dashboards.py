"""The platform's dashboards: built with grafana-foundation-sdk, every PromQL expression parses
(promql-parser) and reads only metrics the pinned exporters emit."""

from __future__ import annotations

import re

import promql_parser
import pytest
from observability_helpers import OTHER_SOURCES, metric_lists, metric_names

from aiplatform.components.kubernetes.observability.dashboards import dashboards, expressions

BOARDS = dashboards({"L4": 0.8048, "A100": 3.6})
#: Grafana's variables as Grafana substitutes them before the query reaches Prometheus.
_VARIABLES = {"$__range": "6h", "$namespace": ".*", "$service": ".*"}


def _promql(expr: str) -> str:
    return re.sub(r"\$[A-Za-z_]\w*", lambda m: _VARIABLES[m.group(0)], expr)


def _label_values(expr: str) -> str | None:
    """The metric of a `label_values(metric{...}, label)` variable query (Grafana's, not PromQL)."""
    found = re.fullmatch(r"label_values\((.+), \w+\)", expr)
    return found.group(1) if found else None


def test_four_dashboards_with_panels():
    assert sorted(BOARDS) == ["aiplatform-cost.json", "aiplatform-gateway.json", "aiplatform-gpu.json",
                              "aiplatform-inference.json"]
    for name, board in BOARDS.items():
        assert board["uid"] == name.removesuffix(".json") and board["panels"], name
        assert all(p["datasource"]["uid"] == "prometheus" for p in board["panels"])


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_every_expression_parses_and_reads_known_metrics(name):
    known = metric_lists() | OTHER_SOURCES
    exprs = expressions(BOARDS[name])
    assert exprs
    for expr in exprs:
        query = _label_values(expr) or expr
        promql_parser.parse(_promql(query))  # raises on a syntax error
        assert metric_names(_promql(query)) - known == set(), expr


def test_a_broken_expression_is_refused_by_the_parser():
    with pytest.raises(Exception):
        promql_parser.parse("sum(rate(DCGM_FI_DEV_GPU_UTIL[5m])")


def test_the_cost_dashboard_prices_gpu_hours_from_the_given_catalog_prices():
    cost = " ".join(expressions(BOARDS["aiplatform-cost.json"]))
    assert 'vector(0.8048), "label_aiplatform_io_accelerator", "L4"' in cost
    assert 'vector(3.6000), "label_aiplatform_io_accelerator", "A100"' in cost
