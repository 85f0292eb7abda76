"""The semantics of verdicts (CONTRACT.md, "Meaning of the verdicts")."""

from __future__ import annotations

from datetime import date

import pytest

import eligibility
from eligibility.ir.model import (
    DRUG_TREATMENT,
    AgeRule,
    AllergyRule,
    AllOf,
    AnyOf,
    ConditionRule,
    Criterion,
    Duration,
    ManualRule,
    MedicationRule,
    Not,
    PregnancyRule,
    ProcedureRule,
    RuleSet,
    Section,
    SexRule,
    Status,
    TimeUnit,
    Trial,
    Window,
)
from eligibility.matching.evaluate import all_of, any_of, evaluate_rule, match_patient, negate
from eligibility.matching.verdicts import Outcome, TrialVerdict, Verdict
from eligibility.nlp.concepts import extract_concepts
from eligibility.patients.model import AllergyFact, Coding, ConditionFact, MedicationFact, Patient
from tests.conftest import TRIALS

AS_OF = date(2026, 1, 1)
M, N, U, H = Verdict.met, Verdict.not_met, Verdict.unknown, Verdict.manual


def o(v: Verdict) -> Outcome:
    return Outcome(verdict=v, reason=v.value)


@pytest.mark.parametrize(
    ("parts", "expected_all", "expected_any"),
    [
        ([M, M], M, M), ([M, N], N, M), ([N, N], N, N), ([M, U], U, M), ([N, U], N, U),
        ([U, U], U, U), ([M, H], H, M), ([N, H], N, H), ([U, H], U, U), ([H, H], H, H),
    ],
)
def test_kleene_logic(parts: list[Verdict], expected_all: Verdict, expected_any: Verdict) -> None:
    assert all_of([o(p) for p in parts]).verdict is expected_all
    assert any_of([o(p) for p in parts]).verdict is expected_any


def test_negation_keeps_unknown() -> None:
    assert [negate(o(v)).verdict for v in (M, N, U, H)] == [N, M, U, H]


def woman(**kw: object) -> Patient:
    return Patient(id="w", gender="female", birth_date=date(1960, 6, 1), **kw)  # type: ignore[arg-type]


def test_age_and_sex_bound_age() -> None:
    p = woman()
    assert evaluate_rule(AgeRule(min=45, max=85), p, AS_OF).verdict is M
    assert evaluate_rule(AgeRule(max=60, max_inclusive=False), p, AS_OF).verdict is N
    # "Male patients older than 50" does not apply to a woman.
    assert evaluate_rule(AgeRule(min=70, sex="male"), p, AS_OF).verdict is M
    assert evaluate_rule(AgeRule(min=70, sex="female"), p, AS_OF).verdict is N
    assert evaluate_rule(AgeRule(min=18), Patient(id="x"), AS_OF).verdict is U


def test_sex() -> None:
    assert evaluate_rule(SexRule(sex="female"), woman(), AS_OF).verdict is M
    assert evaluate_rule(SexRule(sex="male"), woman(), AS_OF).verdict is N
    assert evaluate_rule(SexRule(sex="male"), Patient(id="x"), AS_OF).verdict is U


def ra(onset: date, abatement: date | None = None) -> ConditionFact:
    return ConditionFact(resource_type="Condition", resource_id="c1", text="Rheumatoid arthritis",
                         codes=[Coding(system="snomed", code="69896004", display="Rheumatoid arthritis")],
                         onset=onset, abatement=abatement, clinical_status="resolved" if abatement else "active")


def test_closed_world_for_conditions() -> None:
    rule = ConditionRule(concept="rheumatoid_arthritis", label="rheumatoid arthritis",
                         codes=[{"system": "snomed", "code": "69896004"}])  # type: ignore[list-item]
    assert evaluate_rule(rule, woman(), AS_OF).verdict is N
    assert evaluate_rule(rule, woman(conditions=[ra(date(2010, 1, 1))]), AS_OF).verdict is M
    # A fact after the index date does not count.
    assert evaluate_rule(rule, woman(conditions=[ra(date(2026, 6, 1))]), AS_OF).verdict is N


def test_resolved_condition_is_history_not_current() -> None:
    rule = ConditionRule(concept="rheumatoid_arthritis", label="rheumatoid arthritis", status="active",
                         codes=[{"system": "snomed", "code": "69896004"}])  # type: ignore[list-item]
    past = woman(conditions=[ra(date(2010, 1, 1), date(2015, 1, 1))])
    assert evaluate_rule(rule, past, AS_OF).verdict is N
    history = rule.model_copy(update={"status": "history"})
    assert evaluate_rule(history, past, AS_OF).verdict is M


def test_windows_measured_back_from_the_index_date() -> None:
    rule = MedicationRule(concept="denosumab", label="denosumab",
                          window=Window(within=Duration(value=1, unit=TimeUnit.years)),
                          codes=[{"system": "rxnorm", "code": "993449"}])  # type: ignore[list-item]
    fact = MedicationFact(resource_type="MedicationRequest", resource_id="m1", text="denosumab 60 MG/ML",
                          codes=[Coding(system="rxnorm", code="993449", display="denosumab")],
                          start=date(2025, 6, 1), end=date(2025, 6, 2), status="stopped")
    assert evaluate_rule(rule, woman(medications=[fact]), AS_OF).verdict is M
    old = fact.model_copy(update={"start": date(2023, 1, 1), "end": date(2023, 1, 2)})
    assert evaluate_rule(rule, woman(medications=[old]), AS_OF).verdict is N


def test_pregnancy() -> None:
    assert evaluate_rule(PregnancyRule(state="pregnant"), Patient(id="m", gender="male"), AS_OF).verdict is N
    pregnant = woman(conditions=[ConditionFact(resource_type="Condition", resource_id="p", text="Normal pregnancy",
                                               codes=[Coding(system="snomed", code="72892002")],
                                               onset=date(2025, 10, 1), clinical_status="active")])
    assert evaluate_rule(PregnancyRule(state="pregnant"), pregnant, AS_OF).verdict is M
    assert evaluate_rule(PregnancyRule(state="lactating"), woman(), AS_OF).verdict is H


def ruleset(*criteria: Criterion) -> RuleSet:
    return RuleSet(trial=Trial(id="T"), criteria=list(criteria))


def test_trial_verdicts() -> None:
    inc = Criterion(id="inc-1", section=Section.inclusion, text="women", status=Status.structured,
                    rules=[SexRule(sex="female")])
    exc = Criterion(id="exc-1", section=Section.exclusion, text="RA", status=Status.structured,
                    rules=[ConditionRule(concept="ra", label="rheumatoid arthritis",
                                         codes=[{"system": "snomed", "code": "69896004"}])])  # type: ignore[list-item]
    consent = Criterion(id="inc-2", section=Section.inclusion, text="consent", status=Status.manual,
                        rules=[ManualRule(category="consent")])
    result = match_patient(ruleset(inc, exc, consent), woman(), AS_OF)
    assert result.verdict is TrialVerdict.eligible
    assert result.manual == ["inc-2"]
    result = match_patient(ruleset(inc, exc), woman(conditions=[ra(date(2000, 1, 1))]), AS_OF)
    assert result.verdict is TrialVerdict.ineligible and result.deciding == ["exc-1"]
    result = match_patient(ruleset(inc), Patient(id="x"), AS_OF)
    assert result.verdict is TrialVerdict.indeterminate and result.unknown == ["inc-1"]


def test_any_of_children_and_partial_criteria() -> None:
    children = [
        Criterion(id="inc-1.1", section=Section.inclusion, text="a", status=Status.structured, rules=[SexRule(sex="male")]),
        Criterion(id="inc-1.2", section=Section.inclusion, text="b", status=Status.structured, rules=[AgeRule(min=18)]),
    ]
    parent = Criterion(id="inc-1", section=Section.inclusion, text="one of", logic="any_of", children=children)
    assert match_patient(ruleset(parent), woman(), AS_OF).criteria[0].verdict is M
    # An inclusion's unparsed part is one more requirement: met + not understood -> manual.
    partial = Criterion(id="inc-2", section=Section.inclusion, text="x", status=Status.partial,
                        rules=[AgeRule(min=18)], unparsed=["with primary menopause"])
    assert match_patient(ruleset(partial), woman(), AS_OF).criteria[0].verdict is H
    # ... but a failed part still decides.
    failing = partial.model_copy(update={"rules": [AgeRule(max=20)]})
    assert match_patient(ruleset(failing), woman(), AS_OF).criteria[0].verdict is N


def test_not_and_groups_in_rules() -> None:
    rule = AllOf(children=[SexRule(sex="female"), Not(child=AnyOf(children=[AgeRule(max=18), AgeRule(min=90)]))])
    assert evaluate_rule(rule, woman(), AS_OF).verdict is M


def test_unparsed_criterion_is_manual() -> None:
    c = Criterion(id="inc-1", section=Section.inclusion, text="something odd")
    assert match_patient(ruleset(c), woman(), AS_OF).criteria[0].verdict is H


def test_seed_001_sex_bound_ages_end_to_end() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT04501354_medpath.txt")
    man55 = Patient(id="m", gender="male", birth_date=date(1970, 1, 1))
    man45 = Patient(id="m2", gender="male", birth_date=date(1980, 1, 1))
    woman45 = Patient(id="w", gender="female", birth_date=date(1980, 1, 1))
    by = {p.id: {c.id: c.verdict for c in match_patient(rs, p, AS_OF).criteria} for p in (man55, man45, woman45)}
    # A man of 55 meets "male older than 50" and is not bound by "female older than 40".
    assert (by["m"]["inc-1"], by["m"]["inc-2"]) == (M, M)
    # A man of 45 fails the male limit.
    assert by["m2"]["inc-1"] is N
    # A woman of 45 meets the female limit; the male one does not apply.
    assert (by["w"]["inc-1"], by["w"]["inc-2"]) == (M, M)


def test_a_concept_outside_the_lexicon_is_unknown_when_no_record_text_names_it() -> None:
    # read by word formation ("vestibular disease"): only its own words can find it
    uncoded = ConditionRule(concept="vestibular_disease", label="vestibular disease")
    outcome = evaluate_rule(uncoded, woman(conditions=[ra(date(2015, 1, 1))]), AS_OF)
    assert outcome.verdict is U and "not in the lexicon" in outcome.reason
    named = ConditionFact(resource_type="Condition", resource_id="v", text="Vestibular disease of left ear",
                          onset=date(2019, 1, 1))
    assert evaluate_rule(uncoded, woman(conditions=[named]), AS_OF).verdict is M
    # a lexicon concept keeps the closed world
    known = ConditionRule(concept="rheumatoid_arthritis", label="rheumatoid arthritis")
    assert evaluate_rule(known, woman(), AS_OF).verdict is N


def test_a_treatment_named_by_its_drug_keeps_the_closed_world() -> None:
    # "anticoagulant treatment" is recorded as the anticoagulant itself
    treatment = ProcedureRule(concept="anticoagulant_treatment", label="anticoagulant treatment",
                              classes=[DRUG_TREATMENT])
    assert evaluate_rule(treatment, woman(), AS_OF).verdict is N


def allergy(text: str, code: tuple[str, str] | None = None, status: str = "active") -> AllergyFact:
    return AllergyFact(resource_type="AllergyIntolerance", resource_id="a1", text=text,
                       codes=[Coding(system=code[0], code=code[1], display=text)] if code else [],
                       recorded=date(2015, 3, 1), clinical_status=status)


def test_an_allergy_is_decided_by_the_records_allergies() -> None:
    # as the parser writes "Known hypersensitivity to penicillins or aspirin"
    (rule,) = extract_concepts("Known hypersensitivity to aspirin", 0, "exclusion")
    assert isinstance(rule, AllergyRule)
    assert evaluate_rule(rule, woman(), AS_OF).verdict is N
    # by name inside the allergy's text, by RxNorm code, and as a condition that records it
    assert evaluate_rule(rule, woman(allergies=[allergy("Aspirin")]), AS_OF).verdict is M
    by_code = woman(allergies=[allergy("ASA 81", ("rxnorm", "1191"))])
    assert evaluate_rule(rule, by_code, AS_OF).verdict is M
    as_problem = ConditionFact(resource_type="Condition", resource_id="c9", text="Allergy to aspirin",
                               onset=date(2012, 1, 1))
    assert evaluate_rule(rule, woman(conditions=[as_problem]), AS_OF).verdict is M
    # another substance is not it
    assert evaluate_rule(rule, woman(allergies=[allergy("Allergy to peanuts", ("snomed", "91935009"))]),
                         AS_OF).verdict is N


def test_an_allergy_to_a_class_matches_a_member_and_active_means_active() -> None:
    penicillins = AllergyRule(substance="penicillin_class", label="penicillins")
    amoxicillin = woman(allergies=[allergy("Amoxicillin")])
    assert evaluate_rule(penicillins, amoxicillin, AS_OF).verdict is M
    active = AllergyRule(substance="aspirin", label="aspirin", status="active")
    resolved = woman(allergies=[allergy("Aspirin", status="resolved")])
    assert evaluate_rule(active, resolved, AS_OF).verdict is N
    assert evaluate_rule(active.model_copy(update={"status": "any"}), resolved, AS_OF).verdict is M


def test_an_allergy_to_a_substance_outside_the_lexicon_is_unknown_unless_named() -> None:
    rule = AllergyRule(substance="zorvatinib", label="zorvatinib")  # a made-up name
    outcome = evaluate_rule(rule, woman(allergies=[allergy("Latex allergy")]), AS_OF)
    assert outcome.verdict is U and "not in the lexicon" in outcome.reason
    assert evaluate_rule(rule, woman(allergies=[allergy("Zorvatinib")]), AS_OF).verdict is M


def test_a_condition_about_allergies_reads_the_allergy_list_too() -> None:
    latex = ConditionRule(concept="latex_allergy", label="latex allergy", classes=["allergy"],
                          codes=[{"system": "snomed", "code": "300916003"}])  # type: ignore[list-item]
    recorded = woman(allergies=[allergy("Latex allergy", ("snomed", "300916003"))])
    assert evaluate_rule(latex, recorded, AS_OF).verdict is M
    assert evaluate_rule(latex, woman(), AS_OF).verdict is N
    # any allergy: a recorded one the lexicon knows is one
    any_allergy = ConditionRule(concept="allergy", label="allergy")
    assert evaluate_rule(any_allergy, recorded, AS_OF).verdict is M
    # other condition rules do not look at allergies
    ra_rule = ConditionRule(concept="rheumatoid_arthritis", label="rheumatoid arthritis")
    assert evaluate_rule(ra_rule, recorded, AS_OF).verdict is N


def test_an_allergy_to_a_food_or_material_matches_synthea_allergy_codes() -> None:
    (rule,) = extract_concepts("Known allergy to eggs, shellfish or latex", 0, "exclusion")
    assert isinstance(rule, AnyOf) and [x.substance for x in rule.children] == ["egg", "shellfish", "latex"]
    # Synthea writes "Shellfish allergy" with SNOMED 300913006 on AllergyIntolerance
    synthea = woman(allergies=[allergy("Shellfish allergy", ("snomed", "300913006"))])
    assert evaluate_rule(rule, synthea, AS_OF).verdict is M
    pollen = woman(allergies=[allergy("Allergy to grass pollen", ("snomed", "418689008"))])
    assert evaluate_rule(rule, pollen, AS_OF).verdict is N


def test_an_open_world_concept_absent_from_the_record_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    from eligibility.knowledge import concepts as knowledge

    lex = knowledge.conditions()
    rheumatoid = lex.concepts["rheumatoid_arthritis"]
    rule = ConditionRule(concept="rheumatoid_arthritis", label="rheumatoid arthritis")
    assert evaluate_rule(rule, woman(), AS_OF).verdict is N
    monkeypatch.setitem(lex.concepts, "rheumatoid_arthritis", rheumatoid.model_copy(update={"open_world": True}))
    outcome = evaluate_rule(rule, woman(), AS_OF)
    assert outcome.verdict is U and "often leave it out" in outcome.reason
    # named in the record, it is met as before
    assert evaluate_rule(rule, woman(conditions=[ra(date(2010, 1, 1))]), AS_OF).verdict is M


def condition(text: str, code: str, onset: date) -> ConditionFact:
    return ConditionFact(resource_type="Condition", resource_id=code, text=text, onset=onset,
                         codes=[Coding(system="snomed", code=code, display=text)], clinical_status="active")


AS_OF = date(2026, 1, 1)


@pytest.mark.parametrize(("criterion", "fact", "expected"), [
    # Synthea leaves these open for good; years later they are over
    ("Active infection", condition("Appendicitis", "74400008", date(2010, 5, 1)), Verdict.not_met),
    ("Active infection", condition("Pneumonia", "233604007", date(2018, 3, 1)), Verdict.not_met),
    ("Myocardial infarction within the past 6 months",
     condition("Myocardial Infarction", "22298006", date(2012, 7, 1)), Verdict.not_met),
    # recent ones, or chronic ones, are not
    ("Myocardial infarction within the past 6 months",
     condition("Myocardial Infarction", "22298006", date(2025, 11, 1)), Verdict.met),
    ("Active infection", condition("Pneumonia", "233604007", date(2025, 12, 1)), Verdict.met),
    ("Active infection", condition("Chronic hepatitis B", "61977001", date(2010, 5, 1)), Verdict.met),
])
def test_an_acute_illness_left_open_in_the_record_is_over_after_an_episode(
        criterion: str, fact: ConditionFact, expected: Verdict) -> None:
    [rule] = extract_concepts(criterion, 0, "exclusion")
    assert evaluate_rule(rule, Patient(id="p", conditions=[fact]), AS_OF).verdict is expected


def test_an_illness_taken_as_over_says_so() -> None:
    [rule] = extract_concepts("Active infection", 0, "exclusion")
    fact = condition("Appendicitis", "74400008", date(2010, 5, 1))
    outcome = evaluate_rule(rule, Patient(id="p", conditions=[fact]), AS_OF)
    assert "Appendicitis" in outcome.reason and "no end date" in outcome.reason


def test_an_exception_not_understood_leaves_a_met_exclusion_to_a_person() -> None:
    # the unparsed "except those cured ..." may take this patient out of the exclusion
    [rules] = eligibility.parse("Exclusion Criteria:\n* History of malignancy, except those cured with no "
                                "recurrence for 5 years\n", text=True)
    [criterion] = rules.criteria
    assert criterion.status.value == "partial" and criterion.unparsed
    cancer = ConditionFact(resource_type="Condition", resource_id="c", text="Malignant neoplasm of breast",
                           codes=[Coding(system="snomed", code="254837009", display="Malignant neoplasm of breast")],
                           onset=date(2010, 1, 1))
    result = match_patient(rules, Patient(id="p", conditions=[cancer]), AS_OF)
    assert result.verdict != "ineligible"
    # with nothing to take away, the unparsed part only adds: a decided exclusion stands
    [plain] = eligibility.parse("Exclusion Criteria:\n* History of malignancy or blorfic syndrome\n", text=True)
    assert match_patient(plain, Patient(id="p", conditions=[cancer]), AS_OF).verdict == "ineligible"
