"""The difference between two estimates, per resource line and in total (for pull requests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .model import BASES, Estimate, LineItem, Triple

Change = Literal["added", "removed", "changed"]


@dataclass
class LineChange:
    change: Change
    before: LineItem | None
    after: LineItem | None

    @property
    def line(self) -> LineItem:
        return self.after or self.before  # type: ignore[return-value]

    @property
    def delta(self) -> Triple:
        return _amount(self.after) - _amount(self.before)

    def to_dict(self) -> dict[str, Any]:
        line = self.line
        return {"change": self.change, "urn": line.urn, "name": line.name, "type": line.type, "sku": line.sku,
                "component": line.component, "team": line.team, "description": line.description,
                "before": _amount(self.before).to_dict(), "after": _amount(self.after).to_dict(),
                "delta": self.delta.to_dict(),
                "statusBefore": self.before.status if self.before else None,
                "statusAfter": self.after.status if self.after else None}


def _amount(item: LineItem | None) -> Triple:
    return item.monthly if item is not None and item.status == "priced" else Triple()


@dataclass
class CostDiff:
    before: Estimate
    after: Estimate
    changes: list[LineChange]

    @property
    def delta(self) -> Triple:
        return self.after.totals - self.before.totals

    def percent(self, basis: str) -> float | None:
        base = self.before.totals.get(basis)
        return None if base == 0 else 100.0 * self.delta.get(basis) / base

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "aiplatform-cost-diff", "version": 1, "project": self.after.project, "stack": self.after.stack,
            "before": self.before.totals.to_dict(), "after": self.after.totals.to_dict(),
            "delta": self.delta.to_dict(),
            "percent": {b: (None if self.percent(b) is None else round(self.percent(b), 2)) for b in BASES},
            "changes": [c.to_dict() for c in self.changes],
        }


def diff(before: Estimate, after: Estimate) -> CostDiff:
    """Lines added, removed, or whose quantity, price or status changed; ordered by the largest expected change."""
    old = {i.key: i for i in before.items}
    new = {i.key: i for i in after.items}
    changes: list[LineChange] = []
    for key, item in new.items():
        prior = old.get(key)
        if prior is None:
            changes.append(LineChange("added", None, item))
        elif (prior.monthly, prior.status, prior.quantity, prior.unit_price) != (
                item.monthly, item.status, item.quantity, item.unit_price):
            changes.append(LineChange("changed", prior, item))
    changes += [LineChange("removed", item, None) for key, item in old.items() if key not in new]
    changes.sort(key=lambda c: (-abs(c.delta.expected), -abs(c.delta.peak), c.line.urn, c.line.sku))
    return CostDiff(before, after, changes)
