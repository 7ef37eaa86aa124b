"""`aiplatform cost --actual`: an OpenCost allocation export against the plan's estimate, per team and per
component, with the difference.

The export is the response of OpenCost's allocation API (`GET /allocation?window=30d&aggregate=namespace`
or `aggregate=label:aiplatform_io_team`, `accumulate=true` or not): `{"code": 200, "data": [set, ...]}`, each
set a mapping of allocation name -> allocation (`window`, `minutes`, `cpuCost`, `gpuCost`, `ramCost`, `pvCost`,
`networkCost`, `loadBalancerCost`, `totalCost`, ...). Sets are summed; the cost over the export's minutes is
scaled to a month of 730 hours. Team namespaces are named after their teams; `__idle__` (capacity no pod
requested) and `__unallocated__` (allocations without the label) stay rows of their own.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog.prices import HOURS_PER_MONTH
from ..files import read_json
from ..problems import Problem, UserError, format_problems, join
from ..shape.types import HELM_RELEASE, SERVICE
from .model import Estimate
from .pools import POOL_TYPES

#: OpenCost's cost fields -> the component they are compared in.
COMPONENTS = {"cpuCost": "nodes", "gpuCost": "nodes", "ramCost": "nodes", "pvCost": "persistent volumes",
              "loadBalancerCost": "load balancers", "networkCost": "network", "sharedCost": "other",
              "externalCost": "other"}
#: What OpenCost does not see: the estimate's lines outside the cluster (control plane, NAT, keys, buckets...).
OUTSIDE = "outside the cluster"


class AllocationError(UserError, ValueError):
    """The allocation export is unreadable or not OpenCost's allocation format; the message names every problem."""


@dataclass
class Allocation:
    """An allocation export, per name and per component, as monthly USD."""

    origin: str
    minutes: float
    by_name: dict[str, float] = field(default_factory=dict)
    by_component: dict[str, float] = field(default_factory=dict)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_allocation(data: Any, origin: str) -> Allocation:
    """Validate an allocation response (every problem with its path) and total it per name and component."""
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise AllocationError(format_problems(f"{origin}: not an OpenCost allocation response",
                                              [Problem("data", "required: the list of allocation sets")]))
    if data.get("code", 200) != 200:
        problems.append(Problem("code", f"the API answered {data.get('code')!r}, not 200"))
    totals: dict[str, float] = {}
    parts: dict[str, float] = {}
    minutes_by_name: dict[str, float] = {}
    for i, step in enumerate(data["data"]):
        where = join("data", i)
        if not isinstance(step, dict):
            problems.append(Problem(where, "an allocation set is a mapping of name -> allocation"))
            continue
        for name, alloc in step.items():
            path = join(where, str(name))
            if not isinstance(alloc, dict):
                problems.append(Problem(path, "an allocation is a mapping"))
                continue
            found = [Problem(join(path, k), "must be a number") for k in COMPONENTS if k in alloc
                     and not _number(alloc[k])]
            if not _number(alloc.get("totalCost")):
                found.append(Problem(join(path, "totalCost"), "required: a number"))
            if not _number(alloc.get("minutes")) or alloc["minutes"] <= 0:
                found.append(Problem(join(path, "minutes"), "required: the allocation's window in minutes (> 0)"))
            if found:
                problems += found
                continue
            totals[name] = totals.get(name, 0.0) + float(alloc["totalCost"])
            minutes_by_name[name] = minutes_by_name.get(name, 0.0) + float(alloc["minutes"])
            for key, component in COMPONENTS.items():
                if _number(alloc.get(key)):
                    parts[component] = parts.get(component, 0.0) + float(alloc[key])
    if not totals and not problems:
        problems.append(Problem("data", "no allocations"))
    if problems:
        raise AllocationError(format_problems(f"{origin}: not an OpenCost allocation response", problems))
    minutes = max(minutes_by_name.values())  # the export's window: the longest-lived allocation's
    scale = HOURS_PER_MONTH * 60 / minutes
    return Allocation(origin=origin, minutes=minutes,
                      by_name={k: round(v * scale, 2) for k, v in sorted(totals.items())},
                      by_component={k: round(v * scale, 2) for k, v in sorted(parts.items())})


def load_allocation(path: str | Path) -> Allocation:
    return parse_allocation(read_json(path, "allocation export", AllocationError), str(path))


def _component(type_: str, sku: str) -> str:
    if type_ in POOL_TYPES:
        return "nodes"
    if type_ == HELM_RELEASE:
        return "persistent volumes"
    if type_ == SERVICE or type_.endswith(":EnvoyProxy") or "lb" in sku.split("-"):
        return "load balancers"
    return OUTSIDE


@dataclass(frozen=True)
class Row:
    name: str
    estimate: float
    actual: float | None

    @property
    def difference(self) -> float | None:
        return None if self.actual is None else round(self.actual - self.estimate, 2)


@dataclass
class Comparison:
    basis: str
    minutes: float
    teams: list[Row]
    components: list[Row]

    def to_dict(self) -> dict[str, Any]:
        def rows(items: list[Row]) -> list[dict[str, Any]]:
            return [{"name": r.name, "estimate": r.estimate, "actual": r.actual, "difference": r.difference}
                    for r in items]

        return {"kind": "aiplatform/cost-actual", "version": 1, "basis": self.basis, "windowMinutes": self.minutes,
                "teams": rows(self.teams), "components": rows(self.components)}


def compare(estimate: Estimate, actual: Allocation, basis: str = "expected") -> Comparison:
    """Plan estimate vs OpenCost per team (estimate teams and allocation names) and per component."""
    teams_est = {team: round(t.get(basis), 2) for team, t in estimate.by_team().items()}
    names = sorted(set(teams_est) | set(actual.by_name))
    teams = [Row(n, teams_est.get(n, 0.0), actual.by_name.get(n, 0.0)) for n in names]
    comp_est: dict[str, float] = {}
    for item in estimate.priced:
        key = _component(item.type, item.sku)
        comp_est[key] = comp_est.get(key, 0.0) + item.monthly.get(basis)
    keys = sorted(set(comp_est) | set(actual.by_component), key=lambda k: (k == OUTSIDE, k))
    components = [Row(k, round(comp_est.get(k, 0.0), 2), None if k == OUTSIDE else actual.by_component.get(k, 0.0))
                  for k in keys]
    return Comparison(basis, actual.minutes, teams, components)


def comparison_text(c: Comparison) -> str:
    def table(title: str, rows: list[Row]) -> list[str]:
        width = max([len(title), *(len(r.name) for r in rows)])
        out = [f"{title:<{width}}  {'estimate':>12}  {'actual':>12}  {'difference':>12}"]
        for r in rows:
            actual = "-" if r.actual is None else f"${r.actual:,.2f}"
            diff = "-" if r.difference is None else f"{'+' if r.difference >= 0 else '-'}${abs(r.difference):,.2f}"
            out.append(f"{r.name:<{width}}  {f'${r.estimate:,.2f}':>12}  {actual:>12}  {diff:>12}")
        return out

    head = (f"Monthly cost, plan estimate ({c.basis}) vs OpenCost ({c.minutes / 60:g} h of allocations scaled to "
            f"{HOURS_PER_MONTH:g} h)")
    return "\n".join([head, "", *table("team", c.teams), "", *table("component", c.components)]) + "\n"


def comparison_json(c: Comparison) -> str:
    return json.dumps(c.to_dict(), indent=2, sort_keys=False) + "\n"


__all__ = ["AllocationError", "Comparison", "compare", "comparison_json", "comparison_text", "load_allocation",
           "parse_allocation"]
