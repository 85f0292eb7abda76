"""The audit: what the parser understood of each trial, and what a cohort makes of it.

Three parts, all computed here and only rendered by ``audit_html`` / ``audit_md``
(JSON is this module's :class:`AuditReport` as is, so every format carries the
same numbers):

* parse audit: every criterion with its recognised spans by kind, its rules in
  plain words, its status and what was not understood, with coverage figures;
* cohort audit (with patients): attrition as OHDSI ATLAS reports it, verdict
  counts, the most frequent missing data and one row per patient. It is built
  from the same :class:`MatchResult` objects ``eligibility match`` prints, fed one
  at a time, so the numbers cannot drift from ``match``;
* corpus summary: coverage by status and by rule kind over all trials, and the
  most frequent phrasings the parser did not understand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.ir.model import Criterion, RuleSet, Status
from eligibility.ir.schema import published_schema, schema_json
from eligibility.matching.verdicts import CriterionResult, MatchResult, TrialVerdict, Verdict
from eligibility.reports.describe import describe

AUDIT_SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("audit_schema.json")

HighlightKind = Literal[
    "measurement", "condition", "medication", "procedure", "time_window", "negation",
    "demographic", "manual", "pregnancy", "smoking",
]
HIGHLIGHT_KINDS: tuple[str, ...] = (
    "measurement", "condition", "medication", "procedure", "time_window", "negation",
    "demographic", "manual", "pregnancy", "smoking",
)
_LEAF_TO_HIGHLIGHT = {
    "age": "demographic", "sex": "demographic", "healthy_volunteers": "demographic",
    "measurement": "measurement", "condition": "condition", "medication": "medication",
    "procedure": "procedure", "pregnancy": "pregnancy", "smoking": "smoking", "manual": "manual",
    "allergy": "medication",  # its span is the substance; the allergy word is painted as a condition
}
# Which kind wins where spans overlap: the more specific, painted last.
_PAINT_ORDER = ("negation", "demographic", "manual", "condition", "procedure", "medication",
                "pregnancy", "smoking", "measurement", "time_window")
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
TRIAL_VERDICTS: tuple[str, ...] = tuple(v.value for v in TrialVerdict)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- the audit JSON ------------------------------------------------------------------------


class Highlight(_Model):
    """A recognised stretch of the criterion's ``display_text`` (offsets into it)."""

    start: int
    end: int
    kind: HighlightKind


class Segment(_Model):
    """``display_text`` cut at highlight boundaries; ``kind`` is null for plain text."""

    text: str
    kind: HighlightKind | None = None


class CriterionAudit(_Model):
    id: str
    section: Literal["inclusion", "exclusion"]
    depth: int = Field(description="0 for a top-level criterion, 1 for its children, ...")
    text: str
    display_text: str = Field(description="the criterion as it stands in the eligibility text")
    status: Literal["structured", "partial", "manual", "unparsed"]
    source: Literal["text", "field"]
    logic: Literal["all_of", "any_of"]
    rules: list[str] = Field(description="each rule in plain words")
    rule_kinds: list[str]
    unparsed: list[str]
    highlights: list[Highlight]
    segments: list[Segment]


class Coverage(_Model):
    criteria: int
    counts: dict[str, int] = Field(description="criteria per status")
    shares: dict[str, float] = Field(description="share of criteria per status, 0..1")


class AttritionRow(_Model):
    """One top-level criterion, in trial order, over the cohort."""

    id: str
    section: Literal["inclusion", "exclusion"]
    text: str
    met: int
    not_met: int
    unknown: int
    manual: int
    excluded_alone: int = Field(description="patients this criterion excludes on its own "
                                "(inclusion not_met, exclusion met)")
    excluded_here: int = Field(description="patients first excluded by this criterion, applying criteria in order")
    remaining: int = Field(description="patients not excluded after this and all earlier criteria")


class MissingData(_Model):
    reason: str
    patients: int = Field(description="patients with this missing datum on some criterion")
    criteria: list[str]


class PatientRow(_Model):
    patient_id: str
    verdict: Literal["eligible", "ineligible", "indeterminate"]
    deciding: list[str]
    unknown: list[str]
    manual: list[str]


class CohortAudit(_Model):
    patients: int
    verdicts: dict[str, int]
    attrition: list[AttritionRow]
    missing_data: list[MissingData]
    patient_rows: list[PatientRow]


class TrialAudit(_Model):
    id: str
    title: str | None
    source: str | None
    coverage: Coverage
    criteria: list[CriterionAudit] = Field(description="every criterion in order, children after their parent")
    cohort: CohortAudit | None = None


class Phrasing(_Model):
    text: str = Field(description="lowercased, numbers as #")
    count: int
    trials: int


class CorpusSummary(_Model):
    trials: int
    criteria: int
    coverage: Coverage
    rule_kinds: dict[str, int] = Field(description="rule leaves per kind, over all trials")
    unparsed_phrasings: list[Phrasing]


class AuditReport(_Model):
    """What ``eligibility audit --format json`` writes (schema: audit_schema.json)."""

    schema_version: str = AUDIT_SCHEMA_VERSION
    as_of: dt.date | None = Field(description="index date of the cohort audit, if patients were given")
    summary: CorpusSummary
    trials: list[TrialAudit]
    patient_errors: list[str] = Field(default_factory=list, description="patient files that could not be read")


def audit_schema() -> dict[str, Any]:
    return published_schema(AuditReport, "eligibility audit")


def audit_schema_json() -> str:
    return schema_json(audit_schema())


# -- parse audit ---------------------------------------------------------------------------


def _leaves_and_marks(rules: Iterable[Any]) -> Iterator[tuple[str, Any]]:
    """(highlight kind, node) for every leaf and every negation, depth first."""
    for rule in rules:
        kind = rule.kind
        if kind in ("all_of", "any_of"):
            yield from _leaves_and_marks(rule.children)
        elif kind == "not":
            yield "negation", rule
            yield from _leaves_and_marks([rule.child])
        else:
            yield _LEAF_TO_HIGHLIGHT.get(kind, "manual"), rule


def leaf_kinds(rules: Iterable[Any]) -> list[str]:
    return [node.kind for mark, node in _leaves_and_marks(rules) if mark != "negation"]


def _display(criterion: Criterion, text: str) -> tuple[str, int | None]:
    """The criterion's words and their offset in the eligibility text."""
    if criterion.span is None:
        return criterion.text, None
    start, end = criterion.span
    if not (0 <= start <= end <= len(text)):
        return criterion.text, None
    raw = text[start:end]
    at = raw.find(criterion.text)
    if criterion.text and at >= 0:
        return criterion.text, start + at
    return raw.strip(), start + (len(raw) - len(raw.lstrip()))


def highlights_for(criterion: Criterion, text: str) -> tuple[str, list[Highlight]]:
    shown, origin = _display(criterion, text)
    if origin is None:
        return shown, []
    found: list[Highlight] = []
    n = len(shown)
    for mark, node in _leaves_and_marks(criterion.rules):
        span = getattr(node, "span", None)
        if span is not None:
            lo, hi = max(span[0] - origin, 0), min(span[1] - origin, n)
            if lo < hi:
                found.append(Highlight(start=lo, end=hi, kind=mark))
            # the allergy word of an allergy leaf; the exceptions carved out of a concept
            extra: list[tuple[tuple[int, int], str]] = []
            if node.kind == "allergy" and node.allergy_span is not None:
                extra.append((node.allergy_span, "condition"))
            extra += [(s, mark) for s in getattr(node, "exception_spans", None) or ()]
            for (a, b), kind in extra:
                if max(a - origin, 0) < min(b - origin, n):
                    found.append(Highlight(start=max(a - origin, 0), end=min(b - origin, n), kind=kind))  # type: ignore[arg-type]
        else:
            lo, hi = 0, n
        win = getattr(node, "window", None)
        if win is not None and win.text:
            # The window's words, searched inside the leaf's span first, then the criterion.
            where = shown.lower().find(win.text.lower(), lo)
            if where < 0:
                where = shown.lower().find(win.text.lower())
            if where >= 0:
                found.append(Highlight(start=where, end=where + len(win.text), kind="time_window"))
    return shown, found


def segments_for(shown: str, highlights: list[Highlight]) -> list[Segment]:
    """Cut ``shown`` into plain and highlighted runs; on overlaps the more specific
    kind wins (a time window inside a measurement shows as a time window)."""
    if not highlights:
        return [Segment(text=shown)] if shown else []
    paint: list[str | None] = [None] * len(shown)
    order = {k: i for i, k in enumerate(_PAINT_ORDER)}
    for h in sorted(highlights, key=lambda h: (order[h.kind], -(h.end - h.start))):
        for i in range(h.start, h.end):
            paint[i] = h.kind
    out: list[Segment] = []
    start = 0
    for i in range(1, len(shown) + 1):
        if i == len(shown) or paint[i] != paint[start]:
            out.append(Segment(text=shown[start:i], kind=paint[start]))  # type: ignore[arg-type]
            start = i
    return out


def coverage(statuses: Iterable[str]) -> Coverage:
    counts = Counter(statuses)
    total = sum(counts.values())
    return Coverage(
        criteria=total,
        counts={s: counts.get(s, 0) for s in STATUSES},
        shares={s: round(counts.get(s, 0) / total, 4) if total else 0.0 for s in STATUSES},
    )


def criterion_audits(ruleset: RuleSet) -> list[CriterionAudit]:
    text = ruleset.trial.eligibility_text
    out: list[CriterionAudit] = []

    def visit(items: list[Criterion], depth: int) -> None:
        for c in items:
            shown, marks = highlights_for(c, text)
            out.append(CriterionAudit(
                id=c.id, section=c.section.value, depth=depth, text=c.text,  # type: ignore[arg-type]
                display_text=shown, status=c.status.value,  # type: ignore[arg-type]
                source=c.source, logic=c.logic,
                rules=[describe(r) for r in c.rules], rule_kinds=leaf_kinds(c.rules),
                unparsed=list(c.unparsed), highlights=marks, segments=segments_for(shown, marks),
            ))
            visit(c.children, depth + 1)

    visit(ruleset.criteria, 0)
    return out


def trial_audit(ruleset: RuleSet) -> TrialAudit:
    criteria = criterion_audits(ruleset)
    return TrialAudit(
        id=ruleset.trial.id, title=ruleset.trial.title, source=ruleset.trial.source,
        coverage=coverage(c.status for c in criteria), criteria=criteria,
    )


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACES = re.compile(r"\s+")


def normalize_phrasing(text: str) -> str:
    """Lowercase, numbers as #, spaces collapsed, edge punctuation trimmed."""
    text = _NUMBER.sub("#", text.lower())
    return _SPACES.sub(" ", text).strip(" \t;:,.()[]-*•")


def corpus_summary(trials: list[TrialAudit], top: int = 25) -> CorpusSummary:
    statuses: list[str] = []
    kinds: Counter[str] = Counter()
    phrasings: Counter[str] = Counter()
    in_trials: dict[str, set[str]] = {}
    for t in trials:
        for c in t.criteria:
            statuses.append(c.status)
            kinds.update(c.rule_kinds)
            parts = c.unparsed if c.status != "unparsed" or c.unparsed else [c.text]
            for part in parts:
                key = normalize_phrasing(part)
                if key:
                    phrasings[key] += 1
                    in_trials.setdefault(key, set()).add(t.id)
    return CorpusSummary(
        trials=len(trials), criteria=len(statuses), coverage=coverage(statuses),
        rule_kinds=dict(kinds.most_common()),
        unparsed_phrasings=[Phrasing(text=k, count=n, trials=len(in_trials[k])) for k, n in phrasings.most_common(top)],
    )


# -- cohort audit --------------------------------------------------------------------------


_CHILD_PREFIX = re.compile(r"^(?:(?:inc|exc|field)[-\w.]*: )+")


def _unknown_reasons(result: CriterionResult) -> list[str]:
    """The separate missing-data reasons behind an ``unknown`` criterion."""
    reasons: list[str] = []
    for piece in result.reason.split("; "):
        piece = _CHILD_PREFIX.sub("", piece.strip())
        if piece and piece not in reasons:
            reasons.append(piece)
    return reasons


class CohortBuilder:
    """Folds the match results of one trial, one patient at a time."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.top = [(c.id, c.section.value, c.text) for c in ruleset.criteria]
        self.counts: dict[str, Counter[str]] = {cid: Counter() for cid, _, _ in self.top}
        self.excluded_here: Counter[str] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()
        self.missing_criteria: dict[str, list[str]] = {}
        self.rows: list[PatientRow] = []

    def add(self, result: MatchResult) -> None:
        self.verdicts[result.verdict.value] += 1
        by_id = {r.id: r for r in result.criteria}
        first_exclusion: str | None = None
        seen: set[str] = set()
        for cid, section, _ in self.top:
            r = by_id.get(cid)
            if r is None:
                continue
            self.counts[cid][r.verdict.value] += 1
            excludes = (section == "inclusion" and r.verdict is Verdict.not_met) or (
                section == "exclusion" and r.verdict is Verdict.met)
            if excludes:
                self.counts[cid]["excluded"] += 1
                if first_exclusion is None:
                    first_exclusion = cid
            if r.verdict is Verdict.unknown:
                for reason in _unknown_reasons(r):
                    if reason not in seen:
                        seen.add(reason)
                        self.missing[reason] += 1
                    ids = self.missing_criteria.setdefault(reason, [])
                    if cid not in ids:
                        ids.append(cid)
        if first_exclusion is not None:
            self.excluded_here[first_exclusion] += 1
        self.rows.append(PatientRow(
            patient_id=result.patient_id, verdict=result.verdict.value,  # type: ignore[arg-type]
            deciding=list(result.deciding), unknown=list(result.unknown), manual=list(result.manual),
        ))

    def build(self, top_missing: int = 15) -> CohortAudit:
        total = sum(self.verdicts.values())
        remaining = total
        rows: list[AttritionRow] = []
        for cid, section, text in self.top:
            c = self.counts[cid]
            remaining -= self.excluded_here[cid]
            rows.append(AttritionRow(
                id=cid, section=section, text=text,  # type: ignore[arg-type]
                met=c["met"], not_met=c["not_met"], unknown=c["unknown"], manual=c["manual"],
                excluded_alone=c["excluded"], excluded_here=self.excluded_here[cid], remaining=remaining,
            ))
        return CohortAudit(
            patients=total,
            verdicts={v: self.verdicts.get(v, 0) for v in TRIAL_VERDICTS},
            attrition=rows,
            missing_data=[MissingData(reason=r, patients=n, criteria=self.missing_criteria[r])
                          for r, n in self.missing.most_common(top_missing)],
            patient_rows=self.rows,
        )


# -- the whole report ----------------------------------------------------------------------


def build_report(
    rulesets: list[RuleSet],
    results: Iterable[MatchResult] | None = None,
    as_of: dt.date | None = None,
    patient_errors: list[str] | None = None,
) -> AuditReport:
    """The audit of ``rulesets``; with ``results`` (any iterable, consumed once,
    e.g. :func:`eligibility.api.iter_matches`) the cohort audit too."""
    trials = [trial_audit(r) for r in rulesets]
    if results is not None:
        builders = [CohortBuilder(r) for r in rulesets]
        by_id: dict[str, list[CohortBuilder]] = {}
        for ruleset, builder in zip(rulesets, builders, strict=True):
            by_id.setdefault(ruleset.trial.id, []).append(builder)
        # iter_matches yields the trials in order for each patient, so the n-th
        # result of a trial id belongs to the n-th ruleset with that id.
        turn: Counter[str] = Counter()
        for result in results:
            group = by_id[result.trial_id]
            group[turn[result.trial_id] % len(group)].add(result)
            turn[result.trial_id] += 1
        for trial, builder in zip(trials, builders, strict=True):
            trial.cohort = builder.build()
    return AuditReport(
        as_of=as_of, summary=corpus_summary(trials), trials=trials,
        patient_errors=list(patient_errors or []),
    )


def render_json(report: AuditReport) -> str:
    return report.model_dump_json(indent=2) + "\n"
