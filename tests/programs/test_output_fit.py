"""Text output fits where it goes: at 100 columns no line is wider and no word is folded; colour only on a
terminal, and never with NO_COLOR."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import ALL_STACKS, ROOT

from aiplatform.check.reports import Format, render
from aiplatform.check.runner import check_plan
from aiplatform.cost import diff
from aiplatform.cost.plan import estimate_plan
from aiplatform.cost.render import diff_text, estimate_text
from aiplatform.offline.render import render_text
from aiplatform.terminal import OFF_TTY_WIDTH, Style, style_for

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOX = set("─━│┃╇┡┩╈┼┬┴├┤└┘┌┐═║ ")
NARROW, WIDE = Style(width=100), Style(width=2000)


def tokens(text: str) -> set[str]:
    return {t for t in ANSI.sub("", text).split() if not set(t) <= BOX}


def assert_fits(narrow: str, wide: str, width: int = 100, unbreakable: int | None = None) -> None:
    """No line of `narrow` is wider than `width`, and every word of it is a word of `wide` (the same output laid
    out with room to spare): a word folded mid-way would leave fragments that are not words of `wide`.
    With `unbreakable`, words longer than that (an ARN, a kubeconfig) may be folded: no line could hold them."""
    long = [line for line in narrow.splitlines() if len(line) > width]
    assert not long, long[:3]
    fragments = tokens(narrow) - tokens(wide)
    if unbreakable is not None:
        huge = [t for t in tokens(wide) if len(t) > unbreakable]
        fragments = {f for f in fragments if not any(f in t for t in huge)}
    assert not fragments, sorted(fragments)[:10]


def _failing(plan):
    pools = next(r for r in plan.resources if r.type == "aws:eks/nodeGroup:NodeGroup" and "inference" in r.name)
    pools.inputs["instanceTypes"] = ["p5.48xlarge"]
    pools.inputs["capacityType"] = "ON_DEMAND"
    return plan


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_check_and_cost_text_fit_100_columns(plans, stack):
    plan = plans.preview[stack]
    if stack == "aws-dev":
        plan = _failing(plan)
    report = check_plan(plan)
    assert_fits(render(report, Format.text, style=NARROW), render(report, Format.text, style=WIDE))
    estimate = estimate_plan(plan)
    assert_fits(estimate_text(estimate, NARROW), estimate_text(estimate, WIDE))
    change = diff(estimate_plan(plans.preview["aws-dev"]), estimate)
    assert_fits(diff_text(change, NARROW), diff_text(change, WIDE))


def test_failing_check_text_shows_every_finding_whole(plans):
    report = check_plan(_failing(plans.preview["aws-dev"]))
    text = render(report, Format.text, style=NARROW)
    assert report.blocking
    flat = " ".join(text.split())
    for f in report.blocking:
        assert " ".join(f.message.split()) in flat and f.rule in text and (f.type or "stack") in text


def _plan_text(plan, style: Style, detail: bool = False) -> str:
    console = style.console()
    render_text(plan, console, detail=detail)
    return console.file.getvalue()


@pytest.mark.parametrize("stack", ALL_STACKS)
@pytest.mark.parametrize("detail", [False, True])
def test_plan_tree_fits_100_columns(plans, stack, detail):
    for mode in (plans.preview, plans.up):
        plan = mode[stack]
        assert_fits(_plan_text(plan, NARROW, detail), _plan_text(plan, WIDE, detail), unbreakable=70)


def test_colour_only_when_asked(plans):
    report = check_plan(_failing(plans.preview["aws-dev"]))
    plain = render(report, Format.text, style=NARROW)
    coloured = render(report, Format.text, style=Style(width=100, color=True))
    assert not ANSI.search(plain)
    assert "\x1b[1;31mBLOCK" in coloured  # BLOCK in bold red
    assert ANSI.sub("", coloured) == plain
    estimate = estimate_plan(plans.preview["aws-dev"])
    assert not ANSI.search(estimate_text(estimate, NARROW))


class _Tty:
    def isatty(self) -> bool:
        return True


def test_style_follows_the_terminal_and_no_color():
    assert style_for(None, {}) == Style(width=OFF_TTY_WIDTH, color=False)  # -o file
    assert style_for(sys.stdout if not sys.stdout.isatty() else None, {}) == Style(OFF_TTY_WIDTH, False)
    assert style_for(_Tty(), {"COLUMNS": "120"}) == Style(width=120, color=True)
    assert style_for(_Tty(), {"COLUMNS": "120", "NO_COLOR": "1"}) == Style(width=120, color=False)
    assert style_for(_Tty(), {"COLUMNS": "120", "TERM": "dumb"}).color is False
    assert style_for(None, {"COLUMNS": "132", "FORCE_COLOR": "1"}) == Style(width=132, color=True)
    assert style_for(None, {"COLUMNS": "20"}).width == 60  # never narrower than MIN_WIDTH


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "aiplatform.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, env={**environ, **env})


def test_cli_off_a_terminal_is_100_columns_without_colour():
    for command in (("check", "-s", "aws-dev"), ("cost", "-s", "aws-prod"), ("plan", "-s", "gcp-prod")):
        result = _cli(*command)
        assert result.returncode == 0, result.stderr
        assert not ANSI.search(result.stdout)
        assert max(len(line) for line in result.stdout.splitlines()) <= 100
    wide = _cli("cost", "-s", "aws-prod", COLUMNS="160", FORCE_COLOR="1")
    assert ANSI.search(wide.stdout) and max(len(ANSI.sub("", x)) for x in wide.stdout.splitlines()) > 100
    assert not ANSI.search(_cli("cost", "-s", "aws-prod", FORCE_COLOR="1", NO_COLOR="1").stdout)


def test_the_cost_footer_asks_for_a_usage_file_only_when_none_was_given(plans):
    estimate = estimate_plan(plans.preview["aws-dev"])
    assert estimate.usage_based
    assert "need a usage file (--usage)" in " ".join(estimate_text(estimate, NARROW).split())
    given = " ".join(estimate_text(estimate, NARROW, usage_given=True).split())
    assert "--usage" not in given and "the usage file gives no quantity for them" in given
