"""The audit as Markdown: short tables, fit to paste into a review."""

from __future__ import annotations

from eligibility.reports.audit import AuditReport, CohortAudit, Coverage, TrialAudit

_TEXT_WIDTH = 90
_MANY_TRIALS = 20  # beyond this, trial sections are one table row each plus their gaps


def cell(text: object, width: int = _TEXT_WIDTH) -> str:
    """One table cell: one line, pipes escaped, shortened with an ellipsis."""
    s = " ".join(str(text).split())
    if len(s) > width:
        s = s[: width - 1].rstrip() + "…"
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _coverage_line(cov: Coverage) -> str:
    parts = [f"{k} {cov.counts[k]} ({pct(cov.shares[k])})" for k in cov.counts]
    return f"{cov.criteria} criteria: " + ", ".join(parts)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _summary(report: AuditReport) -> list[str]:
    s = report.summary
    lines = ["## Corpus summary", "",
             f"{s.trials} trials, {_coverage_line(s.coverage)}.", ""]
    if s.rule_kinds:
        lines += [*_table(["rule kind", "rules"], [[k, str(n)] for k, n in s.rule_kinds.items()]), ""]
    if s.unparsed_phrasings:
        lines += ["Most frequent phrasings not understood (lowercased, numbers as #):", ""]
        lines += [*_table(["phrasing", "times", "trials"], [[cell(p.text, 70), str(p.count), str(p.trials)] for p in s.unparsed_phrasings]), ""]
    return lines


def _criteria(trial: TrialAudit) -> list[str]:
    rows = []
    for c in trial.criteria:
        indent = "&nbsp;&nbsp;" * c.depth + ("↳ " if c.depth else "")
        rows.append([
            f"{indent}{c.id}", c.status, cell(c.display_text, 80),
            cell("; ".join(c.rules) or "–", 80), cell(" · ".join(c.unparsed) or "–", 60),
        ])
    return _table(["criterion", "status", "text", "rules", "not understood"], rows)


def _cohort(cohort: CohortAudit, as_of: str) -> list[str]:
    v = cohort.verdicts
    lines = [f"**Cohort** ({cohort.patients} patients, as of {as_of}): eligible {v['eligible']}, "
             f"ineligible {v['ineligible']}, indeterminate {v['indeterminate']}.", "",
             "Attrition (criteria applied in order):", ""]
    rows = [["start", "", "", "", "", "", str(cohort.patients)]]
    for a in cohort.attrition:
        rows.append([a.id, cell(a.text, 60), str(a.excluded_alone), str(a.excluded_here),
                     str(a.unknown), str(a.manual), str(a.remaining)])
    lines += _table(["criterion", "text", "excludes alone", "excluded here", "unknown", "manual", "remaining"], rows)
    lines.append("")
    if cohort.missing_data:
        lines += ["Most frequent missing data:", ""]
        lines += _table(["missing", "patients", "criteria"],
                        [[cell(m.reason, 80), str(m.patients), ", ".join(m.criteria)] for m in cohort.missing_data])
        lines.append("")
    lines += _table(["patient", "verdict", "deciding", "unknown"],
                    [[cell(p.patient_id, 40), p.verdict, ", ".join(p.deciding) or "–", ", ".join(p.unknown) or "–"]
                     for p in cohort.patient_rows])
    lines.append("")
    return lines


def render_md(report: AuditReport) -> str:
    lines = ["# Eligibility audit", ""]
    if report.as_of:
        lines += [f"Index date: {report.as_of.isoformat()}.", ""]
    if report.patient_errors:
        lines += ["Patient files not read:", ""] + [f"- {cell(e, 200)}" for e in report.patient_errors] + [""]
    lines += _summary(report)
    many = len(report.trials) > _MANY_TRIALS
    if len(report.trials) > 1:
        lines += ["## Trials", ""]
        lines += _table(
            ["trial", "criteria", "structured", "partial", "manual", "unparsed"],
            [[t.id, str(t.coverage.criteria)] + [str(t.coverage.counts[k]) for k in ("structured", "partial", "manual", "unparsed")]
             for t in report.trials])
        lines.append("")
    for t in report.trials:
        title = f" — {cell(t.title, 120)}" if t.title else ""
        lines += [f"## {t.id}{title}", "", _coverage_line(t.coverage) + ".", ""]
        if many:
            gaps = [c for c in t.criteria if c.status in ("partial", "unparsed")]
            if gaps:
                lines += _table(["criterion", "status", "not understood"],
                                [[c.id, c.status, cell(" · ".join(c.unparsed) or c.display_text, 100)] for c in gaps])
                lines.append("")
        else:
            lines += [*_criteria(t), ""]
        if t.cohort is not None:
            lines += _cohort(t.cohort, report.as_of.isoformat() if report.as_of else "?")
    return "\n".join(lines).rstrip() + "\n"
