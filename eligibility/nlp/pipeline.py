"""From a trial source to its rule set: segment, extract, judge coverage.

Each extractor reads one criterion's own text (with its original line breaks,
so spans stay exact) and returns rule leaves or groups whose spans are
offsets into the trial's eligibility text. What no rule covers, apart from
filler words, is listed as the criterion's unparsed part; that decides its
status (structured, partial, manual, unparsed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from eligibility.ingest.source import TrialSource
from eligibility.ir.model import (
    AgeRule,
    AllergyRule,
    AllOf,
    AnyOf,
    ConditionRule,
    Criterion,
    HealthyVolunteersRule,
    ManualRule,
    MeasurementRule,
    MedicationRule,
    Not,
    PregnancyRule,
    ProcedureRule,
    Rule,
    RuleSet,
    Section,
    Sex,
    SexRule,
    SmokingRule,
    Span,
    Status,
    TimeUnit,
    Trial,
)
from eligibility.knowledge.language import (
    leftover_words,
    severity_after_regex,
    severity_regex,
    severity_regex_folded,
)
from eligibility.nlp.concepts import extract_concepts
from eligibility.nlp.definitions import defined_by_measurement
from eligibility.nlp.demographics import extract_demographics
from eligibility.nlp.manual import extract_manual
from eligibility.nlp.measurements import extract_measurements
from eligibility.nlp.subgroups import restructure_subgroups
from eligibility.segment.segmenter import content_span, is_group, segment

Extractor = Callable[[str, int, Section], list[Rule]]


def _manual(text: str, offset: int, section: Section) -> list[Rule]:
    return extract_manual(text, offset)


def _demographics(text: str, offset: int, section: Section) -> list[Rule]:
    return extract_demographics(text, offset, section)


def _measurements(text: str, offset: int, section: Section) -> list[Rule]:
    return extract_measurements(text, offset)


def _concepts(text: str, offset: int, section: Section) -> list[Rule]:
    kept = [r for r in (_without_imaging(rule) for rule in extract_concepts(text, offset, section.value)) if r is not None]
    return [_with_severity(rule, text, offset) for rule in kept]


# In order of precedence: a later rule whose span lies inside an earlier
# rule's span is dropped (the earlier one understood that text already).
EXTRACTORS: tuple[Extractor, ...] = (_manual, _demographics, _measurements, _concepts)


def _pruned(rule: Rule, drop: Callable[[Rule], bool]) -> Rule | None:
    """The rule without the leaves ``drop`` picks: a group left with one
    child is that child, one left with none is gone, an unchanged one is
    kept as it is (a copy would equal it)."""
    if isinstance(rule, AllOf | AnyOf):
        kept = [c for c in (_pruned(child, drop) for child in rule.children) if c is not None]
        if not kept:
            return None
        if len(kept) == 1:
            return kept[0]
        if len(kept) == len(rule.children) and all(k is c for k, c in zip(kept, rule.children, strict=True)):
            return rule
        return rule.model_copy(update={"children": kept})
    if isinstance(rule, Not):
        child = _pruned(rule.child, drop)
        if child is None:
            return None
        return rule if child is rule.child else rule.model_copy(update={"child": child})
    return None if drop(rule) else rule


def _is_imaging(rule: Rule) -> bool:
    """Imaging named in a criterion ("measurable by DXA", "confirmed by MRI",
    "inability to undergo MRI") says how something is measured, not that the
    patient must have had the scan: such leaves are dropped, and their text
    stays visible as not understood."""
    return isinstance(rule, ProcedureRule) and ("imaging" in rule.classes or rule.concept == "imaging")


def _without_imaging(rule: Rule) -> Rule | None:
    return _pruned(rule, _is_imaging)


def _with_severity(rule: Rule, text: str, offset: int) -> Rule:
    """"Severe infectious diseases", "uncontrolled hypertension": a record
    codes the disease, not its severity. The condition decides when absent
    (not_met); when present, a person judges the severity (manual)."""
    if isinstance(rule, AllOf | AnyOf):
        children = [_with_severity(c, text, offset) for c in rule.children]
        if all(new is old for new, old in zip(children, rule.children, strict=True)):
            return rule  # nothing qualified: a copy would equal it
        return rule.model_copy(update={"children": children})
    if isinstance(rule, Not):
        child = _with_severity(rule.child, text, offset)
        return rule if child is rule.child else rule.model_copy(update={"child": child})
    if not isinstance(rule, ConditionRule) or rule.span is None:
        return rule
    start = rule.span[0] - offset
    before = text[max(0, start - 60) : start]
    # ASCII text is searched lowercased (the same match, faster; see fold_case).
    m = severity_regex_folded().search(before.lower()) if before.isascii() else severity_regex().search(before)
    if m is None:
        after = severity_after_regex().match(text, rule.span[1] - offset)
        if after is None:
            return rule
        # "hypertension that is not well controlled": the qualifier follows
        a, b = after.start() + len(after.group()) - len(after.group().lstrip(" ,")), after.end()
        judge = ManualRule(category="investigator_judgement", span=(offset + a, offset + b), text=text[a:b],
                           reason=f"'{' '.join(text[a:b].split())}' is not coded in the record: a person judges it")
        return AllOf(children=[rule, judge], span=(rule.span[0], offset + b), text=text[start:b])
    qualifier = " ".join(before[m.start() : m.end()].split())
    span = (offset + start - len(before) + m.start(), offset + start - len(before) + m.end())
    judge = ManualRule(category="investigator_judgement", span=span, text=text[span[0] - offset : span[1] - offset],
                       reason=f"'{qualifier}' is not coded in the record: a person judges it")
    return AllOf(children=[rule, judge], span=(span[0], rule.span[1]), text=text[span[0] - offset : rule.span[1] - offset])


# -- coverage -----------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?")
_CHUNK_BREAK = re.compile(r"[;:()\[\]]|[.,](?=\s|$)")


def spans_of(rule: Any) -> Iterable[tuple[int, int]]:
    span = getattr(rule, "span", None)
    if span is not None:
        yield span
    # The IR's own types first: getattr with a default on a pydantic model
    # that lacks the attribute goes through its slow __getattr__ and an
    # exception (a leaf has neither children nor child).
    if isinstance(rule, AllOf | AnyOf):
        for sub in rule.children:
            yield from spans_of(sub)
        return
    if isinstance(rule, Not):
        yield from spans_of(rule.child)
        return
    if isinstance(rule, AllergyRule):
        if rule.allergy_span is not None:
            yield rule.allergy_span
        return
    if isinstance(rule, ConditionRule | MedicationRule | ProcedureRule):
        yield from rule.exception_spans
        if rule.window is not None and rule.window.span is not None:
            yield rule.window.span
        return
    if isinstance(rule, BaseModel) and not ({"children", "child"} & type(rule).model_fields.keys()):
        return
    for child in getattr(rule, "children", []) or []:
        yield from spans_of(child)
    child = getattr(rule, "child", None)
    if child is not None:
        yield from spans_of(child)


# The rule types _add_spans reads directly; any other object goes through
# spans_of.
_LEAF_TYPES: frozenset[type] = frozenset(
    {AgeRule, SexRule, HealthyVolunteersRule, MeasurementRule, PregnancyRule, SmokingRule, ManualRule}
)
_CONCEPT_TYPES: frozenset[type] = frozenset({ConditionRule, MedicationRule, ProcedureRule})


def _add_spans(rule: Any, out: list[Span]) -> None:
    """Append spans_of(rule) to ``out``, in the same order: one call per node
    instead of a generator per node (coverage asks for every rule's spans)."""
    kind = type(rule)
    if kind in _LEAF_TYPES:
        if rule.span is not None:
            out.append(rule.span)
    elif kind is AllOf or kind is AnyOf:
        if rule.span is not None:
            out.append(rule.span)
        for sub in rule.children:
            _add_spans(sub, out)
    elif kind in _CONCEPT_TYPES:
        if rule.span is not None:
            out.append(rule.span)
        out.extend(rule.exception_spans)
        if rule.window is not None and rule.window.span is not None:
            out.append(rule.window.span)
    elif kind is Not:
        if rule.span is not None:
            out.append(rule.span)
        _add_spans(rule.child, out)
    elif kind is AllergyRule:
        if rule.span is not None:
            out.append(rule.span)
        if rule.allergy_span is not None:
            out.append(rule.allergy_span)
    else:
        out.extend(spans_of(rule))


def _span_list(rules: Iterable[Any]) -> list[Span]:
    out: list[Span] = []
    for rule in rules:
        _add_spans(rule, out)
    return out


def leaves(rules: Iterable[Any]) -> Iterable[Any]:
    for rule in rules:
        if isinstance(rule, AllOf | AnyOf):
            yield from leaves(rule.children)
        elif isinstance(rule, Not):
            yield from leaves([rule.child])
        else:
            yield rule


def _uncovered(text: str, start: int, end: int, rules: list[Rule], spans: list[Span] | None = None) -> list[str]:
    """What no rule covers, apart from filler words; ``spans`` are the rules'
    spans where the caller has them already."""
    covered = sorted(_span_list(rules) if spans is None else spans)
    pieces: list[str] = []
    pos = start
    for s, e in covered:
        if s > pos:
            pieces.append(text[pos : min(s, end)])
        pos = max(pos, e)
    if pos < end:
        pieces.append(text[pos:end])
    filler = leftover_words()
    out: list[str] = []
    for piece in pieces:
        for chunk in _CHUNK_BREAK.split(piece):
            words = _WORD.findall(chunk)
            if any(len(w) > 1 and not w[0].isdigit() and w.lower() not in filler for w in words):
                out.append(" ".join(chunk.split()))
    return out


def _extract(text: str, start: int, end: int, section: Section) -> list[Rule]:
    return _extract_with_spans(text, start, end, section)[0]


def _extract_with_spans(text: str, start: int, end: int, section: Section) -> tuple[list[Rule], list[Span]]:
    """The rules and all their spans (those of each extractor's rules are
    added once, after it ran: a rule is checked against earlier extractors'
    rules only)."""
    local = text[start:end]
    rules: list[Rule] = []
    taken: list[Span] = []
    for extractor in EXTRACTORS:
        found = len(rules)
        for rule in extractor(local, start, section):
            span = rule.span
            if span is not None and any(t[0] <= span[0] and span[1] <= t[1] for t in taken):
                continue
            kept = _without_covered(rule, taken) if taken and isinstance(rule, AllOf | AnyOf) else rule
            if kept is not None:
                rules.append(kept)
        for rule in rules[found:]:
            _add_spans(rule, taken)
    return rules, taken


def _without_covered(rule: Rule, taken: list[Span]) -> Rule | None:
    """A group without the manual checks inside it whose words an earlier
    extractor's rule already covers ("plan to become pregnant" read by the
    manual extractor and, inside "pregnant or plan to become pregnant", by
    the concept extractor): the same check once."""
    def covered(leaf: Rule) -> bool:
        span = leaf.span
        return isinstance(leaf, ManualRule) and span is not None and any(t[0] <= span[0] and span[1] <= t[1] for t in taken)

    return _pruned(rule, covered)


# between two findings of different kinds, only "and": "6 years or older and weighs less than 19 kg"
_AND_ONLY = re.compile(r"\s*,?\s*and\s+(?:(?:who|with|has|have|is|are)\s+)?", re.IGNORECASE)


def _family(rule: Rule) -> str:
    """Which extractor a rule comes from, roughly: demographics, measurements or concepts."""
    if isinstance(rule, AgeRule | SexRule):
        return "demographics"
    if isinstance(rule, MeasurementRule):
        return "measurement"
    if isinstance(rule, AllOf | AnyOf) and rule.children:
        families = {_family(c) for c in rule.children}
        return families.pop() if len(families) == 1 else "mixed"
    return "concept"


def _joined_by_and(text: str, rules: list[Rule]) -> list[Rule]:
    """An exclusion's findings of different kinds joined by a bare "and"
    ("Subject is 6 years or older and weighs less than 19 kg", "BMI > 35 and
    diabetes") must both hold: read as separate reasons, every patient over 6
    was excluded. A list of findings of one kind keeps its reading."""
    ordered = sorted(rules, key=lambda r: (r.span or (0, 0))[0])
    out: list[Rule] = []
    for rule in ordered:
        prev = out[-1] if out else None
        if (prev is not None and prev.span is not None and rule.span is not None and prev.span[1] <= rule.span[0]
                and _family(prev) != _family(rule) and "mixed" not in (_family(prev), _family(rule))
                and _AND_ONLY.fullmatch(text, prev.span[1], rule.span[0])):
            span = (prev.span[0], rule.span[1])
            out[-1] = AllOf(children=[prev, rule], span=span, text=text[span[0] : span[1]])
            continue
        out.append(rule)
    return out if len(out) < len(rules) else rules


_OPENS_SCOPE = re.compile(r"\s*\)?\s*:")


def _scoped_by_age(text: str, rules: list[Rule], section: Section) -> list[Rule]:
    """"Subjects age 11 and older: known to be pregnant": the age says whom the
    rest applies to; both hold (read as a separate finding of the exclusion,
    every patient over 11 was excluded)."""
    scope = next((r for r in rules if isinstance(r, AgeRule | SexRule) and r.span is not None
                  and _OPENS_SCOPE.match(text, r.span[1])), None)
    rest = [r for r in rules if r is not scope]
    if scope is None or scope.span is None or not rest or any(r.span is None or r.span[0] < scope.span[1] for r in rest):
        return rules
    a, b = scope.span[0], max(r.span[1] for r in rest if r.span is not None)
    inner = rest[0] if len(rest) == 1 else (AnyOf if section is Section.exclusion else AllOf)(
        children=rest, span=(min(r.span[0] for r in rest if r.span is not None), b),
        text=text[min(r.span[0] for r in rest if r.span is not None) : b])
    return [AllOf(children=[scope, inner], span=(a, b), text=text[a:b])]


def _status(rules: list[Rule], unparsed: list[str]) -> Status:
    if not rules:
        return Status.unparsed
    if all(isinstance(leaf, ManualRule) for leaf in leaves(rules)):
        return Status.manual
    return Status.partial if unparsed else Status.structured


def _combine(own: Status | None, children: list[Status]) -> Status:
    statuses = ([own] if own is not None else []) + children
    if all(s is Status.manual for s in statuses):
        return Status.manual
    if all(s in (Status.structured, Status.manual) for s in statuses):
        return Status.structured
    if all(s is Status.unparsed for s in statuses):
        return Status.unparsed
    return Status.partial


def _fill(criterion: Criterion, text: str) -> None:
    if is_group(criterion):
        # Its words are its children's: read there, not twice.
        for child in criterion.children:
            _fill(child, text)
        criterion.status = _combine(None, [c.status for c in criterion.children])
        return
    start, end = content_span(criterion, text)
    rules, spans = _extract_with_spans(text, start, end, criterion.section)
    # "≤ 1.5 × ULN (≤ 3 × ULN for patients with Gilbert's syndrome)": the
    # subgroup's condition is no requirement, its limit an alternative.
    rules, restructured = restructure_subgroups(text, start, end, rules, criterion.section)
    # "Morbidly obese (BMI > 40 kg/m2)": the threshold defines the condition
    rules, defined = defined_by_measurement(text, rules)
    if restructured or defined:
        spans = _span_list(rules)
    criterion.rules = rules
    criterion.unparsed = _uncovered(text, start, end, rules, spans)
    if len(criterion.rules) > 1:
        criterion.rules = _scoped_by_age(text, criterion.rules, criterion.section)
    if criterion.section is Section.exclusion and len(criterion.rules) > 1:
        criterion.rules = _joined_by_and(text, criterion.rules)
    if criterion.section is Section.exclusion and len(criterion.rules) > 1:
        # Separate findings in one exclusion ("AST >= 2 x ULN ...; liver
        # cirrhosis; eGFR < 60") are separate reasons to exclude.
        criterion.rules = [AnyOf(children=criterion.rules, span=(min(a for a, _ in spans), max(b for _, b in spans)) if spans else None)]
    own = _status(criterion.rules, criterion.unparsed)
    for child in criterion.children:
        _fill(child, text)
    if criterion.children:
        # A parent line that only introduces its list ("defined by:") adds
        # no requirement of its own.
        own_counts = own if criterion.rules else None
        if own_counts is None:
            criterion.unparsed = []
        criterion.status = _combine(own_counts, [c.status for c in criterion.children])
    else:
        criterion.status = own


# -- structured fields ----------------------------------------------------------

_FIELD_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)


def _field_age(value: str | None) -> tuple[float, TimeUnit] | None:
    if not value:
        return None
    m = _FIELD_AGE.match(value)
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2).lower()
    if unit in ("hour", "minute"):
        return number / (24 if unit == "hour" else 1440), TimeUnit.days
    return number, TimeUnit(unit + "s")


def _same_unit(a: tuple[float, TimeUnit] | None, b: tuple[float, TimeUnit] | None) -> tuple[float | None, float | None, TimeUnit]:
    if a and b and a[1] is not b[1]:
        # One unit for both ends: the smaller one, so no bound is rounded.
        unit = min(a[1], b[1], key=lambda u: u.days_each)
        return a[1].convert(a[0], unit), b[1].convert(b[0], unit), unit
    unit = (a or b or (0.0, TimeUnit.years))[1]
    return (a[0] if a else None), (b[0] if b else None), unit


def field_criteria(source: TrialSource) -> list[Criterion]:
    out: list[Criterion] = []
    low, high = _field_age(source.minimum_age), _field_age(source.maximum_age)
    if low or high:
        minimum, maximum, unit = _same_unit(low, high)
        text = f"Age: minimum {source.minimum_age or 'none'}, maximum {source.maximum_age or 'none'} (registry field)"
        out.append(Criterion(
            id="field-age", section=Section.inclusion, text=text, status=Status.structured, source="field",
            rules=[AgeRule(min=minimum, max=maximum, unit=unit, text=text)],
        ))
    sex = (source.sex or "").strip().lower()
    if sex in ("female", "male"):
        text = f"Sex: {source.sex} (registry field)"
        out.append(Criterion(
            id="field-sex", section=Section.inclusion, text=text, status=Status.structured, source="field",
            rules=[SexRule(sex=Sex(sex), text=text)],
        ))
    if source.healthy_volunteers is not None:
        text = f"Accepts healthy volunteers: {'yes' if source.healthy_volunteers else 'no'} (registry field)"
        out.append(Criterion(
            id="field-healthy-volunteers", section=Section.inclusion, text=text, status=Status.structured,
            source="field", rules=[HealthyVolunteersRule(accepted=source.healthy_volunteers, text=text)],
        ))
    return out


# -- trial-level passes ------------------------------------------------------------


def _bind_ages_to_sexes(criteria: list[Criterion]) -> None:
    """"Male patients older than 50 / Female patients older than 40" is an
    age limit for each sex, not two criteria no one can meet together: where
    the inclusion list has sex-and-age criteria for both sexes, each becomes
    an age rule that applies to its sex only."""
    bound: list[tuple[Criterion, SexRule, AgeRule]] = []
    for criterion in criteria:
        if criterion.section is not Section.inclusion or criterion.children:
            continue
        sexes = [r for r in criterion.rules if isinstance(r, SexRule) and r.sex is not Sex.all]
        ages = [r for r in criterion.rules if isinstance(r, AgeRule)]
        if len(sexes) == 1 and len(ages) == 1:
            bound.append((criterion, sexes[0], ages[0]))
    if len({sex.sex for _, sex, _ in bound}) < 2:
        return
    for criterion, sex, age in bound:
        age.sex = sex.sex.value  # type: ignore[assignment]
        if sex.span and age.span:
            age.span = (min(sex.span[0], age.span[0]), max(sex.span[1], age.span[1]))
        criterion.rules = [r for r in criterion.rules if r is not sex]


def build_ruleset(source: TrialSource) -> RuleSet:
    text = source.text
    segmentation = segment(text)
    for criterion in segmentation.criteria:
        _fill(criterion, text)
    _bind_ages_to_sexes(segmentation.criteria)
    trial = Trial(
        id=source.id,
        title=source.title,
        conditions=source.conditions,
        source=source.source,
        minimum_age=source.minimum_age,
        maximum_age=source.maximum_age,
        sex=source.sex,
        healthy_volunteers=source.healthy_volunteers,
        eligibility_text=text,
    )
    return RuleSet(
        trial=trial,
        criteria=field_criteria(source) + segmentation.criteria,
        headings=segmentation.headings,
    )
