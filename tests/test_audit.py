"""`eligibility audit`: the parse audit, the cohort audit and their three formats."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from eligibility.ir.model import (
    ConditionRule,
    Criterion,
    MeasurementRule,
    Not,
    RuleSet,
    Section,
    Status,
    Trial,
)
from eligibility.reports.audit import (
    SCHEMA_PATH,
    AuditReport,
    audit_schema_json,
    build_report,
    normalize_phrasing,
    trial_audit,
)
from eligibility.reports.audit_html import render_html
from eligibility.reports.audit_md import render_md
from tests.conftest import SAMPLES, TRIALS

PATIENTS = SAMPLES / "patients" / "fhir"
SEEDS = [str(TRIALS / "NCT06949137_page.txt"), str(TRIALS / "NCT04501354_medpath.txt")]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eligibility", *args], capture_output=True, text=True, timeout=300)


def _ruleset(text: str, criteria: list[Criterion]) -> RuleSet:
    return RuleSet(trial=Trial(id="NCT00000001", title="<b>Title</b>", eligibility_text=text), criteria=criteria)


def test_highlights_come_from_rule_spans_relative_to_the_criterion() -> None:
    text = "Inclusion Criteria:\n  1. No eGFR < 60 mL/min within 3 months; diabetes\n"
    start = text.index("1.")
    end = text.index("\n", start)
    egfr = text.index("eGFR")
    diabetes = text.index("diabetes")
    crit = Criterion(
        id="inc-1", section=Section.inclusion, text=text[start + 3:end], span=(start, end), status=Status.partial,
        rules=[
            Not(child=MeasurementRule(analyte="egfr", comparator="<", value=60, span=(egfr, egfr + 19),
                                      window={"within": {"value": 3, "unit": "months"}, "text": "within 3 months"}),
                span=(egfr - 3, egfr + 19)),
            ConditionRule(concept="diabetes", span=(diabetes, diabetes + 8)),
        ],
        unparsed=["mL/min"],
    )
    audit = trial_audit(_ruleset(text, [crit]))
    [c] = audit.criteria
    assert c.display_text == "No eGFR < 60 mL/min within 3 months; diabetes"
    marked = {(c.display_text[h.start:h.end], h.kind) for h in c.highlights}
    assert ("eGFR < 60 mL/min wi", "measurement") in marked
    assert ("diabetes", "condition") in marked
    assert ("within 3 months", "time_window") in marked
    assert ("No eGFR < 60 mL/min wi", "negation") in marked
    # Segments cover the text exactly once, the more specific kind winning.
    assert "".join(s.text for s in c.segments) == c.display_text
    kinds = [(s.text, s.kind) for s in c.segments]
    assert ("No ", "negation") in kinds and ("diabetes", "condition") in kinds
    assert audit.coverage.counts["partial"] == 1 and audit.coverage.shares["partial"] == 1.0


def test_allergy_words_and_exceptions_are_highlighted() -> None:
    import eligibility

    rs = eligibility.parse("Exclusion Criteria:\n- history of any malignancy except basal cell carcinoma\n"
                           "- known allergy to eggs or penicillin\n", text=True)[0]
    audit = trial_audit(rs)
    marked = [{(c.display_text[h.start:h.end], h.kind) for h in c.highlights} for c in audit.criteria]
    assert ("except basal cell carcinoma", "condition") in marked[0]
    assert {("known allergy", "condition"), ("eggs", "medication"), ("penicillin", "medication")} <= marked[1]


def test_script_in_a_criterion_is_shown_as_text() -> None:
    text = "Inclusion Criteria:\n- <script>alert(1)</script> diabetes\n"
    start = text.index("<script>")
    crit = Criterion(id="inc-1", section=Section.inclusion, text=text[start:-1], span=(start, len(text) - 1),
                     status=Status.partial, rules=[ConditionRule(concept="diabetes", span=(text.index("diabetes"), text.index("diabetes") + 8))],
                     unparsed=["<script>alert(1)</script>"])
    report = build_report([_ruleset(text, [crit])])
    html = render_html(report)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Title&lt;/b&gt;" in html
    md = render_md(report)
    assert "<script>" not in md


def test_phrasings_are_normalized() -> None:
    assert normalize_phrasing("  Within 12 Months, 1.5 x ULN; ") == "within # months, # x uln"


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == audit_schema_json(), (
        "regenerate: python -c 'from eligibility.reports.audit import *; "
        "SCHEMA_PATH.write_text(audit_schema_json())'"
    )


def _audit_json(*extra: str) -> AuditReport:
    result = run("audit", *SEEDS, "--patients", str(PATIENTS), "--as-of", "2026-01-01", "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return AuditReport.model_validate_json(result.stdout)


def test_cohort_numbers_agree_with_match() -> None:
    report = _audit_json()
    matched = run("match", *SEEDS, "--patients", str(PATIENTS), "--as-of", "2026-01-01", "--format", "json")
    assert matched.returncode == 0, matched.stderr
    rows = json.loads(matched.stdout)
    patients = len(list(PATIENTS.glob("*.json")))
    assert [t.id for t in report.trials] == ["NCT06949137", "NCT04501354"]
    for trial in report.trials:
        cohort = trial.cohort
        assert cohort is not None and cohort.patients == patients
        mine = [r for r in rows if r["trial_id"] == trial.id]
        assert cohort.verdicts == {v: sum(r["verdict"] == v for r in mine) for v in ("eligible", "ineligible", "indeterminate")}
        by_patient = {r["patient_id"]: r for r in mine}
        for prow in cohort.patient_rows:
            m = by_patient[prow.patient_id]
            assert (prow.verdict, prow.deciding, prow.unknown, prow.manual) == (m["verdict"], m["deciding"], m["unknown"], m["manual"])
        for a in cohort.attrition:
            verdicts = Counter(next(c["verdict"] for c in r["criteria"] if c["id"] == a.id) for r in mine)
            assert (a.met, a.not_met, a.unknown, a.manual) == (verdicts["met"], verdicts["not_met"], verdicts["unknown"], verdicts["manual"])
            assert a.excluded_alone == sum(a.id in r["deciding"] for r in mine)
        # In order: what remains after the last criterion is everyone not ineligible.
        assert cohort.attrition[-1].remaining == cohort.verdicts["eligible"] + cohort.verdicts["indeterminate"]
        remaining = [a.remaining for a in cohort.attrition]
        assert remaining == sorted(remaining, reverse=True)
        assert sum(a.excluded_here for a in cohort.attrition) == cohort.verdicts["ineligible"]


def test_missing_data_groups_unknown_reasons() -> None:
    report = _audit_json()
    for trial in report.trials:
        assert trial.cohort is not None
        for m in trial.cohort.missing_data:
            assert m.patients >= 1 and m.criteria and m.reason
            assert not m.reason.startswith(("inc-", "exc-"))


def test_json_validates_and_summary_adds_up() -> None:
    report = _audit_json()
    s = report.summary
    assert s.trials == 2
    assert s.criteria == sum(t.coverage.criteria for t in report.trials) == sum(s.coverage.counts.values())
    assert abs(sum(s.coverage.shares.values()) - 1.0) < 0.01
    assert sum(s.rule_kinds.values()) > 0
    for t in report.trials:
        depths = [c.depth for c in t.criteria]
        assert depths[0] == 0 and max(depths) >= 0
        for c in t.criteria:
            assert "".join(seg.text for seg in c.segments) == c.display_text


def test_markdown_and_html_formats(tmp_path: Path) -> None:
    md = run("audit", *SEEDS, "--patients", str(PATIENTS), "--as-of", "2026-01-01", "--format", "md")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Eligibility audit")
    assert "| criterion |" in md.stdout and "remaining" in md.stdout and "NCT04501354" in md.stdout
    out = tmp_path / "audit.html"
    html = run("audit", *SEEDS, "--patients", str(PATIENTS), "--as-of", "2026-01-01", "-o", str(out))
    assert html.returncode == 0, html.stderr
    assert html.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "@media print" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert '<mark class="k-measurement"' in page


def test_parse_only_audit_without_patients() -> None:
    result = run("audit", str(TRIALS / "NCT04501354_medpath.txt"), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = AuditReport.model_validate_json(result.stdout)
    assert report.as_of is None and report.trials[0].cohort is None


def test_usage_errors_are_one_line() -> None:
    bad = run("audit", str(TRIALS / "NCT04501354_medpath.txt"), "--format", "pdf")
    assert bad.returncode == 2 and "--format" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("audit", "no/such/trial.txt")
    assert missing.returncode == 2 and "trial.txt" in missing.stderr and "Traceback" not in missing.stderr
    nodate = run("audit", str(TRIALS / "NCT04501354_medpath.txt"), "--as-of", "soon")
    assert nodate.returncode == 2 and "--as-of" in nodate.stderr


def test_broken_patient_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text((PATIENTS / "p-osteo-eligible.json").read_text())
    (tmp_path / "bad.json").write_text('{"resourceType": "Bundle", "entry": [')
    result = run("audit", str(TRIALS / "NCT04501354_medpath.txt"), "-p", str(tmp_path), "--as-of", "2026-01-01", "-f", "json")
    assert result.returncode == 2 and "bad.json" in result.stderr
    report = AuditReport.model_validate_json(result.stdout)
    assert report.trials[0].cohort is not None and report.trials[0].cohort.patients == 1
    assert any("bad.json" in e for e in report.patient_errors)
