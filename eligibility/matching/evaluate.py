"""Evaluate a rule set against one patient: three-valued, explained.

Semantics (CONTRACT.md, "Meaning of the verdicts"):

* A leaf is ``met`` or ``not_met`` from the record, ``unknown`` where a record
  could decide it but this one lacks the data, ``manual`` where no record
  decides it.
* Closed world for conditions, medications and procedures (absent from the
  record means absent); open world for measurements (absent means unknown).
* Windows are measured back from the index date (``as_of``); facts dated
  after it are ignored.
* Groups use Kleene logic; ``manual`` behaves as ``unknown`` inside logic and
  is reported as ``manual`` where only manual leaves leave a group undecided.
* A ``partial`` criterion's unparsed part can only add to it: one more
  requirement for an inclusion (all of), one more reason to exclude for an
  exclusion (any of). So a decided inclusion failure or a decided exclusion
  stands, and everything else waits for a person. Where the unparsed part is
  an exception or a permission ("except those cured ..."), it takes away
  instead: a met exclusion or a failed inclusion waits for a person.
* An ``unparsed`` criterion is ``manual``: a person reads it.
* The rules of a criterion must all hold; the parser joins the separate
  findings of an exclusion into one any-of (each is a reason to exclude).
* A trial is ``ineligible`` if any inclusion criterion is not_met or any
  exclusion criterion is met; else ``indeterminate`` if any is unknown; else
  ``eligible``, with the manual criteria listed for a person to confirm.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any, Literal

from eligibility.ir.model import (
    DRUG_TREATMENT,
    AgeRule,
    AllergyRule,
    AllOf,
    AnyOf,
    Code,
    ConditionRule,
    Criterion,
    HealthyVolunteersRule,
    ManualRule,
    MeasurementRule,
    MedicationRule,
    Not,
    PregnancyRule,
    ProcedureRule,
    RuleSet,
    Section,
    SexRule,
    SmokingRule,
    Status,
    TimeUnit,
    Window,
)
from eligibility.knowledge.analytes import analyte_by_id_or_name
from eligibility.knowledge.concepts import lexicon, triggers
from eligibility.knowledge.language import phrase_pattern
from eligibility.matching.concepts import FactIndex, find_matches, is_passing
from eligibility.matching.measurements import ObservationIndex, evaluate_measurement
from eligibility.matching.verdicts import (
    CriterionResult,
    Evidence,
    MatchResult,
    Outcome,
    TrialVerdict,
    Verdict,
)
from eligibility.patients.model import (
    AllergyFact,
    ConditionFact,
    Fact,
    MedicationFact,
    Patient,
    ProcedureFact,
)
from eligibility.reports.describe import describe, number, window

MET, NOT_MET, UNKNOWN, MANUAL = Verdict.met, Verdict.not_met, Verdict.unknown, Verdict.manual


# -- Kleene logic -----------------------------------------------------------------


def _kleene(outcomes: Sequence[Outcome], decisive: Verdict, otherwise: Verdict, empty: str) -> Outcome:
    """All-of and any-of are duals: one ``decisive`` part decides the group;
    else an open part (unknown before manual) leaves it open; else every part
    agrees on ``otherwise``."""
    if not outcomes:
        return Outcome(verdict=otherwise, reason=empty)
    deciding = [o for o in outcomes if o.verdict is decisive]
    if deciding:
        return _merge(decisive, deciding)
    open_ = [o for o in outcomes if o.verdict in (UNKNOWN, MANUAL)]
    if open_:
        verdict = UNKNOWN if any(o.verdict is UNKNOWN for o in open_) else MANUAL
        return _merge(verdict, [o for o in open_ if o.verdict is verdict])
    return _merge(otherwise, list(outcomes))


def all_of(outcomes: Sequence[Outcome]) -> Outcome:
    return _kleene(outcomes, NOT_MET, MET, "no requirement")


def any_of(outcomes: Sequence[Outcome]) -> Outcome:
    return _kleene(outcomes, MET, NOT_MET, "no alternative")


def negate(outcome: Outcome) -> Outcome:
    flipped = {MET: NOT_MET, NOT_MET: MET}.get(outcome.verdict, outcome.verdict)
    return Outcome(verdict=flipped, reason=outcome.reason, evidence=outcome.evidence)


def _merge(verdict: Verdict, parts: list[Outcome]) -> Outcome:
    reasons: list[str] = []
    evidence: list[Evidence] = []
    for part in parts:
        if part.reason not in reasons:
            reasons.append(part.reason)
        evidence.extend(part.evidence)
    return Outcome(verdict=verdict, reason="; ".join(reasons), evidence=evidence)


# -- dates ----------------------------------------------------------------------------


def age_in(birth: date, as_of: date, unit: TimeUnit) -> float:
    years = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
    if unit is TimeUnit.years:
        return float(years)
    months = (as_of.year - birth.year) * 12 + as_of.month - birth.month - (as_of.day < birth.day)
    if unit is TimeUnit.months:
        return float(months)
    days = (as_of - birth).days
    return days / 7 if unit is TimeUnit.weeks else float(days)


def window_bounds(w: Window | None, as_of: date) -> tuple[date | None, date | None]:
    """Earliest and latest date a fact may have to fall in the window."""
    if w is None:
        return None, as_of
    earliest = as_of - timedelta(days=w.within.days()) if w.within else None
    latest = as_of - timedelta(days=w.not_within.days()) if w.not_within else as_of
    return earliest, latest


# -- leaves ---------------------------------------------------------------------------


def _age(rule: AgeRule, patient: Patient, as_of: date) -> Outcome:
    if rule.sex is not None:
        if patient.gender not in ("male", "female"):
            return Outcome(verdict=UNKNOWN, reason=f"applies to {rule.sex} patients only and the record has no sex")
        if patient.gender != rule.sex:
            return Outcome(verdict=MET, reason=f"applies to {rule.sex} patients only; the patient is {patient.gender}")
    if patient.birth_date is None:
        if patient.age is None or rule.unit is not TimeUnit.years:
            return Outcome(verdict=UNKNOWN, reason="no birth date in the record")
        age = float(patient.age)  # a hand-written profile may give the age instead
    else:
        age = age_in(patient.birth_date, as_of, rule.unit)
    ok = True
    if rule.min is not None:
        ok = ok and (age >= rule.min if rule.min_inclusive else age > rule.min)
    if rule.max is not None:
        ok = ok and (age <= rule.max if rule.max_inclusive else age < rule.max)
    unit = rule.unit.value
    evidence = [Evidence(resource_type="Patient", resource_id=patient.id, display="birthDate",
                         value=number(age), unit=unit, date=patient.birth_date)]
    verb = "is" if ok else "is not"
    return Outcome(verdict=MET if ok else NOT_MET,
                   reason=f"age {number(age)} {unit} on {as_of} {verb} {describe(rule).removeprefix('age ')}",
                   evidence=evidence)


def _sex(rule: SexRule, patient: Patient) -> Outcome:
    if rule.sex.value == "all":
        return Outcome(verdict=MET, reason="any sex")
    if patient.gender not in ("male", "female"):
        return Outcome(verdict=UNKNOWN, reason="no sex in the record")
    evidence = [Evidence(resource_type="Patient", resource_id=patient.id, display="gender", value=patient.gender)]
    ok = patient.gender == rule.sex.value
    return Outcome(verdict=MET if ok else NOT_MET,
                   reason=f"the patient is {patient.gender}" + ("" if ok else f", not {rule.sex.value}"),
                   evidence=evidence)


def _healthy(rule: HealthyVolunteersRule, trial_conditions: list[str]) -> Outcome:
    if rule.accepted:
        return Outcome(verdict=MET, reason="healthy volunteers are accepted")
    studied = ", ".join(trial_conditions) or "the studied condition"
    return Outcome(verdict=MANUAL, reason=f"healthy volunteers are not accepted: confirm the patient has {studied}")


def _fact_dates(fact: Fact) -> tuple[date | None, date | None]:
    if isinstance(fact, ConditionFact):
        return fact.onset, fact.abatement
    if isinstance(fact, AllergyFact):
        return fact.recorded, None
    if isinstance(fact, MedicationFact):
        return fact.start, fact.end
    if isinstance(fact, ProcedureFact):
        return fact.performed, fact.performed_end or fact.performed
    return None, None


def _in_window(fact: Fact, w: Window | None, as_of: date) -> bool:
    start, end = _fact_dates(fact)
    earliest, latest = window_bounds(w, as_of)
    if start is not None and latest is not None and start > latest:
        return False  # began after the window (or after the index date)
    if earliest is not None:
        last_seen = end or start
        if last_seen is None:
            return False
        if isinstance(fact, ConditionFact | MedicationFact | AllergyFact) and end is None and _ongoing(fact, as_of):
            return True
        return last_seen >= earliest
    return True


# Records leave many acute illnesses open (Synthea never closes an
# appendicitis, a pneumonia or a myocardial infarction): one that began longer
# ago than this with no end date is over, as a pregnancy is after 300 days
EPISODE_MAX_DAYS = 180


def _left_open(fact: Fact, as_of: date) -> bool:
    """An acute illness with no end date whose onset is past the episode horizon."""
    return (isinstance(fact, ConditionFact) and fact.abatement is None and fact.onset is not None
            and (as_of - fact.onset).days > EPISODE_MAX_DAYS and is_passing(fact))


def _ongoing(fact: Fact, as_of: date) -> bool:
    if isinstance(fact, ConditionFact):
        if fact.abatement is not None and fact.abatement <= as_of:
            return False
        if _left_open(fact, as_of):
            return False
        return (fact.clinical_status or "active") in ("active", "recurrence", "relapse")
    if isinstance(fact, MedicationFact):
        if fact.end is not None:
            return fact.end >= as_of
        return (fact.status or "active") in ("active", "on-hold", "intended")
    if isinstance(fact, AllergyFact):
        return (fact.clinical_status or "active") == "active"
    return False


def _fact_index(patient: Patient, kind: Literal["condition", "medication", "procedure"],
                with_allergies: bool = False) -> FactIndex:
    """The index of the patient's facts of one kind (refuted and erroneous
    conditions left out), built once for all rules of all trials matched
    against the patient; rebuilt if the list was replaced or grown since.
    ``with_allergies``: the conditions and the allergy list together, for a
    condition rule about allergies ("latex allergy", "history of allergies")."""
    source: Sequence[Fact]
    if kind == "condition":
        source = patient.conditions
    elif kind == "medication":
        source = patient.medications
    else:
        source = patient.procedures
    key = "condition+allergies" if with_allergies else kind
    size = len(source) + (len(patient.allergies) if with_allergies else 0)
    cached = patient._matcher_cache.get(key)
    if cached is not None and cached[0] is source and cached[1] == size:
        index: FactIndex = cached[2]
        return index
    facts: Sequence[Fact] = source
    if kind == "condition":
        facts = [f for f in patient.conditions if f.verification_status not in ("refuted", "entered-in-error")]
        if with_allergies:
            facts = [*facts, *patient.allergies]
    index = FactIndex(kind, facts)
    patient._matcher_cache[key] = (source, size, index)
    return index


def _concept(rule: ConditionRule | MedicationRule | ProcedureRule, patient: Patient, as_of: date,
             targets: frozenset[str] = frozenset()) -> Outcome:
    noun = {"condition": "condition", "medication": "medication", "procedure": "procedure"}[rule.kind]
    allergic = isinstance(rule, ConditionRule) and (rule.concept == "allergy" or "allergy" in rule.classes)
    index = _fact_index(patient, rule.kind, with_allergies=allergic)
    # A class named in an exclusion ("diseases affecting bone metabolism") does
    # not exclude the condition the trial itself requires (osteoporosis).
    candidates = [
        m.fact for m in find_matches(rule, index.facts, index)
        if not (m.how == "class" and m.concept in targets)
    ]
    label = rule.label or rule.concept.replace("_", " ")
    kept: list[Fact] = []
    for fact in candidates:
        start, _ = _fact_dates(fact)
        if start is not None and start > as_of:
            continue
        if not _in_window(fact, rule.window, as_of):
            continue
        if isinstance(rule, ConditionRule) and rule.status == "active" and not _ongoing(fact, as_of):
            continue
        if isinstance(rule, MedicationRule) and rule.status == "current" and not _ongoing(fact, as_of):
            continue
        kept.append(fact)
    if isinstance(rule, MedicationRule) and rule.min_duration is not None and kept:
        total = sum(((f.end or as_of) - (f.start or as_of)).days for f in kept if isinstance(f, MedicationFact))
        need = rule.min_duration.days()
        evidence = [Evidence.of(f, _fact_dates(f)[0]) for f in kept]
        if total < need:
            return Outcome(verdict=NOT_MET, reason=f"{label} for {total} days in all, less than {rule.min_duration}",
                           evidence=evidence)
        return Outcome(verdict=MET, reason=f"{label} for {total} days in all (at least {rule.min_duration})",
                       evidence=evidence)
    w = window(rule.window)
    longer = rule.window.or_longer if rule.window is not None else None
    if longer and rule.window is not None:
        # "within 30 days or 5 half-lives, whichever is longer": no record
        # measures half-lives, so only the period in days can decide
        if rule.window.not_within is not None and kept:
            return Outcome(verdict=UNKNOWN,
                           reason=f"{kept[0].label()} {w}; whether that is also past {longer} is not in the record",
                           evidence=[Evidence.of(f, _fact_dates(f)[0]) for f in kept[:10]])
        older = [f for f in candidates if f not in kept and rule.window.within is not None
                 and _in_window(f, rule.window.model_copy(update={"within": None}), as_of)]
        if not kept and older:
            return Outcome(verdict=UNKNOWN,
                           reason=f"{older[0].label()} in the record, not {w} but perhaps within {longer}",
                           evidence=[Evidence.of(f, _fact_dates(f)[0]) for f in older[:10]])
    if kept:
        first = kept[0]
        when = _fact_dates(first)[0]
        more = f" and {len(kept) - 1} more" if len(kept) > 1 else ""
        return Outcome(verdict=MET,
                       reason=f"{first.label()}{' since ' + str(when) if when else ''}{more} ({noun} {label}{' ' + w if w else ''})",
                       evidence=[Evidence.of(f, _fact_dates(f)[0]) for f in kept[:10]])
    if candidates:
        over = (f" (no end date; an acute illness is taken as over {EPISODE_MAX_DAYS} days after it began)"
                if _left_open(candidates[0], as_of) else "")
        return Outcome(verdict=NOT_MET,
                       reason=f"{candidates[0].label()} in the record, but not {('active ' if getattr(rule, 'status', '') in ('active', 'current') else '')}{w or 'as required'}".rstrip() + over,
                       evidence=[Evidence.of(f, _fact_dates(f)[0]) for f in candidates[:10]])
    # Read by word formation, not from the lexicon: only its own words can find
    # it, so a record that does not name it has not been shown to lack it. A
    # drug named as a treatment is the exception: the medication list decides.
    if not rule.codes and rule.concept not in lexicon(rule.kind) and DRUG_TREATMENT not in rule.classes:
        return Outcome(verdict=UNKNOWN,
                       reason=f"{label!r} is not in the lexicon and no {noun} in the record names it")
    known = lexicon(rule.kind).get(rule.concept)
    if known is not None and known.open_world:
        return Outcome(verdict=UNKNOWN, reason=f"no {label} in the record, and records often leave it out")
    return Outcome(verdict=NOT_MET, reason=f"no {label} in the record" + (f" {w}" if w else ""))


# A condition that records an allergy ("Allergy to penicillin" coded as a
# problem, as some EHRs do) counts beside the AllergyIntolerance list.
_ALLERGY_WORDS = ("allerg", "hypersensitiv", "intoleran", "anaphyla")


def _allergy_index(patient: Patient) -> FactIndex:
    """The patient's allergies and the conditions that record one, indexed
    as drugs are (a substance is looked up like a medication), built once for
    all the allergy rules of all trials; rebuilt if either list changed."""
    size = (len(patient.allergies), len(patient.conditions))
    cached = patient._matcher_cache.get("allergies")
    if cached is not None and cached[0] == size:
        index: FactIndex = cached[1]
        return index
    facts: list[Fact] = [*patient.allergies]
    facts += [c for c in patient.conditions if c.verification_status not in ("refuted", "entered-in-error")
              and any(w in c.label().lower() for w in _ALLERGY_WORDS)]
    index = FactIndex("medication", facts)
    patient._matcher_cache["allergies"] = (size, index)
    return index


@lru_cache(maxsize=4096)
def _substance_rule(substance: str, label: str | None, codes: tuple[tuple[str, str], ...]) -> MedicationRule:
    """An allergy's substance as the medication rule the matcher looks up
    (one per substance, not one per patient)."""
    return MedicationRule(concept=substance, label=label,
                          codes=[Code(system=s, code=c) for s, c in codes])  # type: ignore[arg-type]


def _allergy(rule: AllergyRule, patient: Patient, as_of: date) -> Outcome:
    """The record's allergies, and conditions that name an allergy, matched
    against the substance as a medication is: by code, by name, by class (an
    allergy to amoxicillin is an allergy to a penicillin)."""
    index = _allergy_index(patient)
    wanted = _substance_rule(rule.substance, rule.label, tuple((c.system, c.code) for c in rule.codes))
    label = rule.label or rule.substance.replace("_", " ")
    found = [m.fact for m in find_matches(wanted, index.facts, index)
             if (_fact_dates(m.fact)[0] or as_of) <= as_of and (rule.status != "active" or _ongoing(m.fact, as_of))]
    if found:
        return Outcome(verdict=MET, reason=f"{found[0].label()} in the record (allergy to {label})",
                       evidence=[Evidence.of(f, _fact_dates(f)[0]) for f in found[:10]])
    if not rule.codes and rule.substance not in lexicon("medication"):
        return Outcome(verdict=UNKNOWN,
                       reason=f"{label!r} is not in the lexicon and no allergy in the record names it")
    return Outcome(verdict=NOT_MET, reason=f"no allergy to {label} in the record")


_PREGNANCY_MAX_DAYS = 300
_PREGNANCY_CODES = {"72892002", "77386006", "289908002"}
_NO_POTENTIAL = ("menopaus", "hysterectomy", "oophorectomy", "sterilization", "sterilisation")


def _pregnancy(rule: PregnancyRule, patient: Patient, as_of: date) -> Outcome:
    if patient.gender == "male":
        return Outcome(verdict=NOT_MET, reason="the patient is male")
    if patient.gender is None:
        return Outcome(verdict=UNKNOWN, reason="no sex in the record")
    if rule.state == "lactating":
        return Outcome(verdict=MANUAL, reason="breast-feeding is not recorded in the medical record; ask the patient")
    if rule.state == "childbearing_potential":
        if patient.birth_date is not None and age_in(patient.birth_date, as_of, TimeUnit.years) > 55:
            return Outcome(verdict=NOT_MET, reason="the patient is over 55")
        for fact in [*patient.conditions, *patient.procedures]:
            if any(word in fact.label().lower() for word in _NO_POTENTIAL):
                return Outcome(verdict=NOT_MET, reason=f"{fact.label()} in the record", evidence=[Evidence.of(fact)])
        return Outcome(verdict=UNKNOWN, reason="childbearing potential is not recorded (no menopause or sterilisation on file)")
    pregnant = [
        f for f in patient.conditions
        if (any(c.code in _PREGNANCY_CODES for c in f.codes) or "pregnan" in f.label().lower())
        and (f.onset is None or f.onset <= as_of) and _ongoing(f, as_of)
        # a pregnancy lasts at most about 42 weeks: one begun earlier and never
        # closed in the record (Synthea leaves some open) is over
        and (f.onset is None or (as_of - f.onset).days <= _PREGNANCY_MAX_DAYS)
    ]
    if pregnant:
        return Outcome(verdict=MET, reason=f"{pregnant[0].label()} since {pregnant[0].onset}",
                       evidence=[Evidence.of(f, f.onset) for f in pregnant])
    if rule.state == "pregnant_or_lactating":
        return Outcome(verdict=MANUAL, reason="no current pregnancy in the record; breast-feeding must be asked")
    return Outcome(verdict=NOT_MET, reason="no current pregnancy in the record")


_SMOKING_LOINC = "72166-2"
_SMOKING_STATES = {
    "current": ("current", "every day", "some day", "daily", "smoker, current status unknown"),
    "former": ("former", "ex-smoker", "ex smoker"),
    "never": ("never",),
}


def _smoking(rule: SmokingRule, patient: Patient, as_of: date) -> Outcome:
    obs = [o for o in patient.observations
           if any(c.code == _SMOKING_LOINC for c in o.codes) and (o.effective is None or o.effective <= as_of)]
    if not obs:
        return Outcome(verdict=UNKNOWN, reason="no smoking status in the record")
    latest = max(obs, key=lambda o: o.effective or date.min)
    value = (latest.value_code.display if latest.value_code and latest.value_code.display else latest.value_text or "").lower()
    state = next((s for s, words in _SMOKING_STATES.items() if any(w in value for w in words)), None)
    evidence = [Evidence.of(latest, latest.effective, value=value)]
    if state is None:
        return Outcome(verdict=UNKNOWN, reason=f"smoking status '{value}' is not understood", evidence=evidence)
    wanted = {"ever": ("current", "former")}.get(rule.status, (rule.status,))
    ok = state in wanted
    return Outcome(verdict=MET if ok else NOT_MET, reason=f"smoking status on {latest.effective}: {value}", evidence=evidence)


def _observation_index(patient: Patient) -> ObservationIndex:
    """The patient's observation index, built once for all the rules of all
    trials matched against the patient; rebuilt if the list was replaced or
    grown since."""
    index = patient._matcher_cache.get("observations")
    if not isinstance(index, ObservationIndex) or index.observations is not patient.observations \
            or index.size != len(patient.observations):
        index = ObservationIndex(patient.observations)
        patient._matcher_cache["observations"] = index
    return index


def _measurement(rule: MeasurementRule, patient: Patient, as_of: date) -> Outcome:
    result = evaluate_measurement(rule, patient.observations, as_of, _observation_index(patient))
    evidence = [Evidence.of(o, o.effective, o.value if o.value is not None else o.value_text, o.unit) for o in result.evidence]
    if result.verdict == "unknown" and not result.evidence:
        analyte = analyte_by_id_or_name(rule.analyte)
        if analyte is not None and analyte.in_person:
            return Outcome(verdict=MANUAL, reason=f"{result.reason}; {analyte.label} is assessed in person")
    return Outcome(verdict=Verdict(result.verdict), reason=result.reason, evidence=evidence)


def evaluate_rule(rule: Any, patient: Patient, as_of: date, trial_conditions: list[str] | None = None,
                  targets: frozenset[str] = frozenset()) -> Outcome:
    if isinstance(rule, AllOf):
        return all_of([evaluate_rule(c, patient, as_of, trial_conditions, targets) for c in rule.children])
    if isinstance(rule, AnyOf):
        return any_of([evaluate_rule(c, patient, as_of, trial_conditions, targets) for c in rule.children])
    if isinstance(rule, Not):
        return negate(evaluate_rule(rule.child, patient, as_of, trial_conditions, targets))
    if isinstance(rule, AgeRule):
        return _age(rule, patient, as_of)
    if isinstance(rule, SexRule):
        return _sex(rule, patient)
    if isinstance(rule, HealthyVolunteersRule):
        return _healthy(rule, trial_conditions or [])
    if isinstance(rule, MeasurementRule):
        return _measurement(rule, patient, as_of)
    if isinstance(rule, ConditionRule | MedicationRule | ProcedureRule):
        return _concept(rule, patient, as_of, targets)
    if isinstance(rule, AllergyRule):
        return _allergy(rule, patient, as_of)
    if isinstance(rule, PregnancyRule):
        return _pregnancy(rule, patient, as_of)
    if isinstance(rule, SmokingRule):
        return _smoking(rule, patient, as_of)
    if isinstance(rule, ManualRule):
        return Outcome(verdict=MANUAL, reason=rule.reason or f"{rule.category.replace('_', ' ')}: confirm in person")
    return Outcome(verdict=UNKNOWN, reason=f"no evaluator for rule kind {getattr(rule, 'kind', '?')}")


# -- criteria and trials -------------------------------------------------------------------


@cache
def _exception_words() -> re.Pattern[str]:
    """An exception or a permission (rules/triggers.yaml exception,
    exception_after, context.permission) in a criterion's unparsed part."""
    trig = triggers()
    phrases = sorted({p.lower() for p in [*trig.exception, *trig.exception_after, *trig.context.permission]
                      if p.lower() not in ("if", "when", "without")}, key=len, reverse=True)
    return re.compile("|".join(phrase_pattern(p) for p in phrases), re.IGNORECASE)


@lru_cache(maxsize=65536)
def _takes_away(unparsed: tuple[str, ...]) -> bool:
    """Whether a criterion's unparsed part is an exception or a permission:
    the same for every patient, so decided once per criterion text."""
    return any(_exception_words().search(u) for u in unparsed)


def evaluate_criterion(criterion: Criterion, patient: Patient, as_of: date, trial_conditions: list[str],
                       targets: frozenset[str] = frozenset()) -> CriterionResult:
    children = [evaluate_criterion(c, patient, as_of, trial_conditions, targets) for c in criterion.children]
    scope = targets if criterion.section is Section.exclusion else frozenset()
    parts = [evaluate_rule(r, patient, as_of, trial_conditions, scope) for r in criterion.rules]
    if children:
        outcomes = [Outcome(verdict=c.verdict, reason=f"{c.id}: {c.reason}", evidence=c.evidence) for c in children]
        parts.append(any_of(outcomes) if criterion.logic == "any_of" else all_of(outcomes))
    if not parts:
        outcome = Outcome(verdict=MANUAL, reason="not understood by the parser: a person must read this criterion")
    else:
        outcome = all_of(parts)
        if criterion.status is Status.partial and criterion.unparsed:
            rest = Outcome(verdict=MANUAL, reason="not understood: " + " | ".join(criterion.unparsed))
            adds = criterion.section is Section.inclusion
            if _takes_away(tuple(criterion.unparsed)):
                # "malignancy (except those cured with no recurrence for 5 years)": the part not
                # understood takes away, so a met exclusion or a failed inclusion waits for a person
                adds = not adds
            outcome = all_of([outcome, rest]) if adds else any_of([outcome, rest])
    return CriterionResult(
        id=criterion.id, section=criterion.section.value, text=criterion.text,  # type: ignore[arg-type]
        verdict=outcome.verdict, reason=outcome.reason, evidence=outcome.evidence, children=children,
    )


def target_concepts(ruleset: RuleSet) -> frozenset[str]:
    """The conditions a trial requires: those its inclusion criteria ask for
    (not under a negation)."""
    found: set[str] = set()

    def visit(rule: Any) -> None:
        if isinstance(rule, ConditionRule):
            found.add(rule.concept)
        elif isinstance(rule, AllOf | AnyOf):
            for child in rule.children:
                visit(child)

    for criterion in ruleset.walk():
        if criterion.section is Section.inclusion:
            for rule in criterion.rules:
                visit(rule)
    return frozenset(found)


def match_patient(ruleset: RuleSet, patient: Patient, as_of: date,
                  targets: frozenset[str] | None = None) -> MatchResult:
    """``targets`` depends on the trial only: give it (``target_concepts``)
    when matching many patients, so it is not derived again for each."""
    conditions = ruleset.trial.conditions
    if targets is None:
        targets = target_concepts(ruleset)
    results = [evaluate_criterion(c, patient, as_of, conditions, targets) for c in ruleset.criteria]
    deciding = [r.id for r in results if (r.section == "inclusion" and r.verdict is NOT_MET)
                or (r.section == "exclusion" and r.verdict is MET)]
    unknown = [r.id for r in results if r.verdict is UNKNOWN]
    manual = [r.id for r in results if r.verdict is MANUAL]
    if deciding:
        verdict = TrialVerdict.ineligible
    elif unknown:
        verdict = TrialVerdict.indeterminate
    else:
        verdict = TrialVerdict.eligible
    return MatchResult(trial_id=ruleset.trial.id, patient_id=patient.id, as_of=as_of, verdict=verdict,
                       deciding=deciding, unknown=unknown, manual=manual, criteria=results)
