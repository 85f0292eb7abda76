"""The audit as one self-contained HTML file: inline CSS and SVG, no scripts.

All trial and patient text goes through jinja2 with autoescaping on; the
attrition chart's geometry is computed here and drawn by the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from eligibility.reports.audit import HIGHLIGHT_KINDS, AuditReport, CohortAudit

TEMPLATES = Path(__file__).with_name("templates")
_MANY_TRIALS = 10  # beyond this, trial sections start folded

KIND_LABELS = {
    "measurement": "measurement", "condition": "condition", "medication": "medication",
    "procedure": "procedure", "time_window": "time window", "negation": "negation",
    "demographic": "age / sex", "manual": "manual", "pregnancy": "pregnancy", "smoking": "smoking",
}


@dataclass
class Bar:
    y: float
    label: str
    title: str
    remaining_w: float
    excluded_w: float
    remaining: int
    excluded: int
    unknown: int
    manual: int
    section: str


@dataclass
class Chart:
    width: int
    height: int
    label_w: int
    plot_w: int
    row_h: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]
    total: int


def attrition_chart(cohort: CohortAudit, width: int = 900) -> Chart:
    """Bars per criterion: patients remaining after it (in order), and patients it
    excludes on its own, on one scale from 0 to the cohort size."""
    label_w = min(max(90, 8 * max((len(r.id) for r in cohort.attrition), default=8) + 16), 220)
    row_h, top = 30, 26
    plot_w = width - label_w - 130
    total = max(cohort.patients, 1)
    scale = plot_w / total
    bars = [Bar(y=top, label="all patients", title="all patients", remaining_w=cohort.patients * scale,
                excluded_w=0.0, remaining=cohort.patients, excluded=0, unknown=0, manual=0, section="start")]
    for i, row in enumerate(cohort.attrition, start=1):
        bars.append(Bar(
            y=top + i * row_h, label=row.id, title=row.text, remaining_w=row.remaining * scale,
            excluded_w=row.excluded_alone * scale, remaining=row.remaining, excluded=row.excluded_alone,
            unknown=row.unknown, manual=row.manual, section=row.section,
        ))
    step = max(1, _nice_step(total))
    ticks = [(label_w + v * scale, v) for v in range(0, total + 1, step)]
    return Chart(width=width, height=top + len(bars) * row_h + 10, label_w=label_w, plot_w=plot_w,
                 row_h=row_h, bars=bars, ticks=ticks, total=cohort.patients)


def _nice_step(total: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if total / step <= 8:
            return step
    return max(total // 8, 1)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda share: f"{float(share) * 100:.0f}%"
    env.globals["attrition_chart"] = attrition_chart
    return env


def render_html(report: AuditReport) -> str:
    template = _environment().get_template("audit.html.j2")
    return template.render(
        report=report, kinds=HIGHLIGHT_KINDS, kind_labels=KIND_LABELS,
        fold=len(report.trials) > _MANY_TRIALS,
    )
