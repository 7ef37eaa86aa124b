"""Estimates and diffs as text (rich tables), JSON and Markdown (a pull-request comment)."""

from __future__ import annotations

import io
import json

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..terminal import Style
from .diff import CostDiff
from .model import Estimate, Triple


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def unit_usd(amount: float) -> str:
    """A unit price with the precision it needs ($0.005, $0.0225, $55.04)."""
    text = f"{amount:,.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def signed(amount: float) -> str:
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def _console(style: Style) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return style.console(buffer), buffer


def _triple_cells(t: Triple) -> list[str]:
    return [usd(t.idle), usd(t.expected), usd(t.peak)]


# ---- one estimate --------------------------------------------------------------------------------


def _table(*text_columns: str) -> Table:
    """A borderless table: text columns that wrap at word boundaries, then idle / expected / peak, never wrapped.

    Amounts are at most 14 characters, so at 100 columns the text columns keep at least the width of their
    longest word and rich never has to fold one."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True)
    for col in text_columns:
        table.add_column(col, justify="left", overflow="fold")
    for col in ("idle", "expected", "peak"):
        table.add_column(col, justify="right", no_wrap=True)
    return table


def _charge(description: str, price: str, note: str) -> Text:
    """The charge, its unit price and the estimator's note, one cell: the note is prose and wraps."""
    text = Text(description)
    if price:
        text.append(f" · {price}", style="dim")
    if note:
        text.append(f"\n{note}", style="dim")
    return text


def estimate_text(est: Estimate, style: Style = Style(), usage_given: bool = False) -> str:
    console, buffer = _console(style)
    console.print(f"Monthly cost of {est.project}/{est.stack} in {est.region or 'an unknown region'} "
                  f"(USD, 730 h; list prices as of {est.catalog_as_of})")
    table = _table("resource", "charge")
    for item in est.items:
        price = "" if item.unit_price is None else f"{unit_usd(item.unit_price)}/{item.unit}"
        if item.status == "priced":
            cells = _triple_cells(item.monthly)
        else:
            cells = [item.status, "", ""]
        table.add_row(item.name, _charge(item.description, price, item.note), *cells)
    table.add_section()
    table.add_row(Text("total (plan)", style="bold"), "", *_triple_cells(est.totals))
    table.add_row(Text("total (plan + usage defaults)", style="bold"),
                  Text("documented default volumes of the usage-based lines (docs/cost.md)", style="dim"),
                  *_triple_cells(est.totals_with_usage_defaults))
    console.print(table)
    _groups(console, "by component", est.by_component())
    _groups(console, "by team", est.by_team())
    if est.unpriced:
        console.print(f"{len(est.unpriced)} unpriced line(s) are not in the totals (see their notes).")
    if est.usage_based and usage_given:
        console.print(f"{len(est.usage_based)} usage-based line(s) are not priced: the usage file gives no quantity "
                      "for them (see their notes).")
    elif est.usage_based:
        console.print(f"{len(est.usage_based)} usage-based line(s) need a usage file (--usage) to be priced.")
    if est.not_estimated:
        kinds = ", ".join(f"{t} x{n}" for t, n in est.not_estimated.items())
        console.print(f"Not estimated (no cost model yet): {kinds}")
    return buffer.getvalue()


def _groups(console: Console, title: str, groups: dict[str, Triple]) -> None:
    table = _table("")
    table.title, table.title_justify = title, "left"
    for key, value in groups.items():
        table.add_row(key, *_triple_cells(value))
    console.print(table)


def estimate_markdown(est: Estimate) -> str:
    t = est.totals
    lines = [f"### Monthly cost of `{est.stack}`", "",
             "| | idle | expected | peak |", "|---|---:|---:|---:|",
             f"| **total (plan)** | {usd(t.idle)} | {usd(t.expected)} | {usd(t.peak)} |"]
    w = est.totals_with_usage_defaults
    lines += [f"| plan + usage defaults | {usd(w.idle)} | {usd(w.expected)} | {usd(w.peak)} |"]
    lines += [f"| {k} | {usd(v.idle)} | {usd(v.expected)} | {usd(v.peak)} |" for k, v in est.by_component().items()]
    lines += ["", f"<sub>USD per month (730 h), list prices as of {est.catalog_as_of}, {est.region}; "
                  "no discounts or savings plans. Usage-based charges are left out unless a usage file is given."
                  "</sub>", ""]
    lines += _notes_markdown(est)
    return "\n".join(lines).rstrip() + "\n"


def _notes_markdown(est: Estimate) -> list[str]:
    lines = []
    if est.unpriced or est.usage_based:
        lines += ["<details><summary>Not in the totals "
                  f"({len(est.unpriced)} unpriced, {len(est.usage_based)} usage-based)</summary>", "",
                  "| resource | charge | why |", "|---|---|---|"]
        lines += [f"| `{i.name}` | {i.description} | {i.note} |" for i in est.unpriced + est.usage_based]
        lines += ["", "</details>", ""]
    return lines


def estimate_json(est: Estimate) -> str:
    return json.dumps(est.to_dict(), indent=2)


# ---- a diff --------------------------------------------------------------------------------------


def headline(d: CostDiff, basis: str = "expected") -> str:
    delta = d.delta.get(basis)
    if abs(delta) < 0.005:
        return f"Monthly cost ({basis}) will not change ({usd(d.after.totals.get(basis))})."
    verb = "increase" if delta > 0 else "decrease"
    return (f"Monthly cost ({basis}) will {verb} by {usd(abs(delta))} ({_pct(d.percent(basis))}), "
            f"from {usd(d.before.totals.get(basis))} to {usd(d.after.totals.get(basis))}.")


def diff_text(d: CostDiff, style: Style = Style()) -> str:
    console, buffer = _console(style)
    console.print(headline(d))
    table = _table("change", "resource", "charge")
    for c in d.changes:
        table.add_row(c.change, c.line.name, c.line.description, signed(c.delta.idle), signed(c.delta.expected),
                      signed(c.delta.peak))
    table.add_section()
    table.add_row(Text("total", style="bold"), "", "", signed(d.delta.idle), signed(d.delta.expected), signed(d.delta.peak))
    console.print(table)
    before, after = d.before.totals, d.after.totals
    console.print(f"before: idle {usd(before.idle)}, expected {usd(before.expected)}, peak {usd(before.peak)}")
    console.print(f"after:  idle {usd(after.idle)}, expected {usd(after.expected)}, peak {usd(after.peak)}")
    return buffer.getvalue()


def diff_markdown(d: CostDiff) -> str:
    before, after, delta = d.before.totals, d.after.totals, d.delta
    lines = [f"### {headline(d)}", "",
             "| | before | after | change |", "|---|---:|---:|---:|"]
    for basis in ("idle", "expected", "peak"):
        lines.append(f"| {basis} | {usd(before.get(basis))} | {usd(after.get(basis))} | "
                     f"{signed(delta.get(basis))} ({_pct(d.percent(basis))}) |")
    lines.append("")
    if d.changes:
        lines += [f"<details><summary>{len(d.changes)} changed line(s)</summary>", "",
                  "| change | resource | charge | expected | peak |", "|---|---|---|---:|---:|"]
        lines += [f"| {c.change} | `{c.line.name}` | {c.line.description} | {signed(c.delta.expected)} | "
                  f"{signed(c.delta.peak)} |" for c in d.changes]
        lines += ["", "</details>", ""]
    lines += _notes_markdown(d.after)
    lines.append(f"<sub>USD per month (730 h), list prices as of {d.after.catalog_as_of}; estimate by "
                 "`aiplatform cost`.</sub>")
    return "\n".join(lines).rstrip() + "\n"


def diff_json(d: CostDiff) -> str:
    return json.dumps(d.to_dict(), indent=2)
