"""The layout's promises that no contract of import-linter states: no import cycle at all, small modules.

`lint-imports` (contracts in pyproject.toml) checks the layers and the forbidden imports; this adds
what a layers contract cannot see: a cycle inside one layer, or between two unlisted modules. grimp
reads every import, including those inside functions, so a lazy import that closes a cycle counts.
"""

from __future__ import annotations

import grimp
import pytest
from conftest import ROOT

PACKAGE = ROOT / "aiplatform"

MAX_LINES = 400


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("aiplatform")
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of two or more nodes that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_module_import_cycle(imports):
    assert strongly_connected(imports) == []


def test_no_package_import_cycle(imports):
    """Between the package's parts (`aiplatform.cost`, `aiplatform.guardrails`, ...): the cycle
    cost -> guardrails -> offline -> cost used to hide behind lazy imports."""
    def part(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for source, targets in imports.items():
        for target in targets:
            a, b = part(source), part(target)
            if a != b and "aiplatform" not in (a, b):
                edges.setdefault(a, set()).add(b)
    assert strongly_connected(edges) == []


def test_no_module_over_the_limit():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_shared_plans_fixture_hands_out_a_fresh_plan_each_time(tmp_path):
    """A test that edits its plan in place must not change what the next test sees (it once did)."""
    from conftest import _SharedPlans

    from aiplatform.shape.plan import Plan, PlannedResource

    made = []

    def make():
        made.append(1)
        row = PlannedResource(urn="u", type="t", name="n", custom=True, parent=None, provider=None, protect=False,
                              dependencies=[], inputs={"labels": {"a": "b"}})
        return Plan(project="p", stack="s", mode="up", resources=[row], outputs={})

    shared = _SharedPlans(tmp_path)
    first = shared._get("k", make)
    first.resources[0].inputs["labels"].pop("a")
    assert shared._get("k", make).resources[0].inputs == {"labels": {"a": "b"}}
    assert made == [1]  # planned once
