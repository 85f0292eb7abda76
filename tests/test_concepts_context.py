"""Readings that depend on the words around a drug word: the trial's own
events (window anchors), kinds of other trials, substance use written as an
ellipsis, methods of contraception a criterion asks for, an allergy check
that names the study drug. Each wrong reading here decided a verdict."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eligibility import match, parse
from eligibility.ir.model import ManualRule, PregnancyRule
from eligibility.matching.evaluate import evaluate_rule
from eligibility.matching.verdicts import Verdict
from eligibility.nlp.concepts import extract_concepts
from eligibility.patients.model import ConditionFact, MedicationFact, Patient
from tests.test_concepts_extract import leaves
from tests.test_medication_precision import kinds


def concepts(text: str, section: str = "exclusion") -> list[str]:
    return [c for _, c in kinds(text, section) if c]


def manual_leaves(text: str, section: str = "exclusion") -> list[ManualRule]:
    return [leaf for leaf in leaves(extract_concepts(text, 0, section)) if isinstance(leaf, ManualRule)]


# ---------------------------------------------------------------- the trial's own events

@pytest.mark.parametrize("text", [
    "Receipt of blood or blood products 8 weeks prior to vaccination",
    "Use of blood products within 12 months before the vaccination;",
    "Systemic corticosteroids for more than 14 days and within 6 months of vaccination",
    "Negative urine pregnancy test within 24 hours prior to the first dose of test drug.",
    "Must agree to use contraception from first drug administration until 3 months after the last drug administration",
])
def test_trial_event_is_an_anchor_not_a_requirement(text: str) -> None:
    found = kinds(text)
    assert not any(c in ("vaccine", "vaccination", "generic") for _, c in found), found
    assert not any("medication" in (leaf.about or []) for leaf in manual_leaves(text)), text


def test_blood_products_keep_their_window_before_vaccination() -> None:
    [rule] = extract_concepts("Receipt of blood or blood products 8 weeks prior to vaccination", 0, "exclusion")
    assert rule.concept == "blood_product"  # type: ignore[union-attr]
    assert rule.window is not None and rule.window.within is not None  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "Hepatitis B vaccination within 6 months",
    "History of severe allergic reaction after previous vaccinations",
    "Live vaccine within 4 weeks prior to randomization",
])
def test_a_vaccination_of_the_patient_is_still_read(text: str) -> None:
    assert any("vaccin" in c for c in concepts(text)), kinds(text)


# ---------------------------------------------------------------- kinds of other trials

@pytest.mark.parametrize("text", [
    "Participation in other drug clinical trial within the last 4 weeks;",
    "Participation in another clinical trial investigating a vaccine, drug, medical device, or medical procedure.",
    "Enrollment in a clinical study evaluating another device or drug, within the past 6 months",
    "Subject has participated in a drug or device research study within 30 days of enrollment",
])
def test_the_kind_of_another_trial_is_no_drug(text: str) -> None:
    assert kinds(text) == []


def test_a_drug_beside_a_device_outside_a_trial_is_still_read() -> None:
    text = "Subjects with topical and/or systemic medication or mechanical devices that interfere with healing"
    assert manual_leaves(text)


# ---------------------------------------------------------------- substance use as an ellipsis

@pytest.mark.parametrize("text", [
    "History of drug/alcohol abuse.",
    "Drug and / or alcohol abusers",
    "Evidence of drug and/or alcohol abuse",
    "alcohol or drug abuse",
    "Known history or present abuse of alcohol or drugs",
])
def test_drug_and_alcohol_abuse_are_two_conditions(text: str) -> None:
    found = concepts(text)
    assert "drug_abuse" in found and "alcohol_abuse" in found, kinds(text)
    assert not manual_leaves(text)


def test_a_drug_before_an_abuse_head_is_that_abuse() -> None:
    found = concepts("Preoperative recent history of opioid or alcohol abuse")
    assert found == ["opioid_use_disorder", "alcohol_abuse"]


def test_recreational_drugs_are_drug_use() -> None:
    assert concepts("Active intake of toxic amounts of alcohol or recreational drugs.") == ["drug_abuse"]


@pytest.mark.parametrize(("text", "expected"), [
    # a condition before "or <treatment>" is not the first half of the treatment
    ("active cancers or chemotherapy", "chemotherapy"),
    ("Current TB or TB treatment", "antituberculosis"),
])
def test_a_condition_is_not_swallowed_by_an_ellipsis(text: str, expected: str) -> None:
    found = concepts(text)
    assert expected in found and len(found) >= 2, kinds(text)


def test_a_hyphenated_item_shares_the_head() -> None:
    assert concepts("nitrates, alpha- or beta-blockers")[:2] == ["nitrate", "alpha_blocker"]


# ---------------------------------------------------------------- methods of contraception

def test_methods_of_contraception_are_options_of_the_manual_check() -> None:
    text = ("Women of childbearing potential must be willing to use an adequate method of contraception "
            "(oral contraceptives, intrauterine device, condom, etc.) during the study.")
    rules = extract_concepts(text, 0, "inclusion")
    assert all(isinstance(leaf, ManualRule) for leaf in leaves(rules))
    methods = [leaf for leaf in leaves(rules) if isinstance(leaf, ManualRule) and leaf.category == "contraception"]
    assert [leaf.text for leaf in methods] == ["oral contraceptives", "intrauterine device"]


def test_hormonal_contraception_as_an_exposure_is_still_a_drug() -> None:
    assert concepts("Use of hormonal contraception within 3 months of study entry") == ["hormonal_contraceptive"]


def test_contraception_methods_do_not_make_a_woman_ineligible(tmp_path: Path) -> None:
    folder = tmp_path
    trial = folder / "contra.txt"
    trial.write_text("Inclusion Criteria:\n* Women of childbearing potential must use an adequate method of "
                     "contraception (oral contraceptives, intrauterine device, condom) during the study.\n")
    patient = Path(__file__).resolve().parents[1] / "samples" / "patients" / "fhir" / "p-osteo-eligible.json"
    [result] = match(trial, patient)
    assert result.verdict != "ineligible"


# ---------------------------------------------------------------- an allergy check names the study drug

@pytest.mark.parametrize(("text", "words"), [
    ("Allergy to study medication", "Allergy to study medication"),
    ("History of allergy or intolerance to any of the study drugs", "allergy or intolerance to any of the study drugs"),
])
def test_allergy_to_the_study_drug_is_one_check_over_its_words(text: str, words: str) -> None:
    [rule] = manual_leaves(text)
    assert rule.text == words
    assert rule.about == ["condition", "medication"]


# ---------------------------------------------------------------- treatments named by an abbreviation

def test_an_abbreviated_therapy_is_a_treatment_too() -> None:
    found = kinds("No prior ART", "exclusion")
    assert ("medication", "antiretroviral") in found
    assert ("procedure", "antiretroviral_therapy") in found


def test_examples_of_a_class_are_treatments_too() -> None:
    found = kinds("Antitumor therapy (e.g., chemotherapy, hormonal therapy)", "exclusion")
    assert ("medication", "chemotherapy") in found
    assert ("procedure", "chemotherapy") in found


# ---------------------------------------------------------------- drug screens

@pytest.mark.parametrize("text", [
    "Negative urine drug screen including amphetamine, barbiturates, cocaine, opiates and methadone",
    "Positive urine drug screen for cocaine or opiates",
    "Positive toxicology screen for benzodiazepines",
])
def test_what_a_drug_screen_tests_for_is_no_medication(text: str) -> None:
    rules = extract_concepts(text, 0, "inclusion")
    assert rules and all(isinstance(leaf, ManualRule) and leaf.category == "other" for leaf in leaves(rules))


def test_a_drug_before_the_screen_is_still_a_medication() -> None:
    assert concepts("Use of methadone; positive drug screen") == ["methadone"]


# ---------------------------------------------------------------- "non-<drug> <class>"

@pytest.mark.parametrize(("text", "head", "carved"), [
    ("Treatment with non-insulin injectable antidiabetic agents", "antidiabetic", "insulin"),
    ("on non-statin lipid lowering therapy", "lipid_lowering", "statin"),
])
def test_non_drug_before_its_class_is_the_class_without_it(text: str, head: str, carved: str) -> None:
    found = [leaf for leaf in leaves(extract_concepts(text, 0, "exclusion")) if getattr(leaf, "concept", None) == head]
    assert found and all(leaf.exceptions == [carved] for leaf in found)  # type: ignore[attr-defined]
    assert carved not in concepts(text)


def test_non_before_a_lone_name_still_negates() -> None:
    [rule] = extract_concepts("non-smokers", 0, "inclusion")
    assert rule.kind == "smoking"


# ---------------------------------------------------------------- "whichever is longer"

def _window(text: str, section: str = "exclusion") -> object:
    found = [leaf for leaf in leaves(extract_concepts(text, 0, section)) if getattr(leaf, "window", None)]
    assert found, text
    return found[0].window  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "days", "longer"), [
    ("Treatment with rituximab within 6 months or 5 half-lives (whichever is longer) before screening", 180, "5 half-lives"),
    ("Use of tacrolimus within 30 days or 5 half-lives of the drug, whichever is longer, prior to randomization", 30,
     "5 half-lives"),
    ("Treatment with etanercept within 5 half-lives or 4 weeks (whichever is longer) prior to baseline", 28, "5 half-lives"),
    ("Chemotherapy within 4 weeks or 3 months, whichever is longer", 90, None),
    ("Chemotherapy within 4 weeks or 3 months, whichever is shorter", 28, None),
])
def test_the_longer_of_two_bounds(text: str, days: int, longer: str | None) -> None:
    w = _window(text)
    assert w.within is not None and abs(w.within.days() - days) <= 3  # type: ignore[attr-defined]
    assert w.or_longer == longer  # type: ignore[attr-defined]
    assert "whichever" in (w.text or "")  # type: ignore[attr-defined]


def test_a_half_life_bound_leaves_older_use_unknown() -> None:
    [rule] = extract_concepts("Use of tacrolimus within 30 days or 5 half-lives, whichever is longer", 0, "exclusion")

    def on(start: date, end: date) -> Patient:
        fact = MedicationFact(resource_type="MedicationRequest", resource_id="m", text="tacrolimus 1 MG Oral Capsule",
                              start=start, end=end, status="completed")
        return Patient(id="p", medications=[fact])

    as_of = date(2026, 1, 1)
    assert evaluate_rule(rule, on(date(2025, 12, 1), date(2025, 12, 20)), as_of).verdict is Verdict.met
    older = evaluate_rule(rule, on(date(2025, 9, 1), date(2025, 10, 1)), as_of)
    assert older.verdict is Verdict.unknown and "half-lives" in older.reason
    assert evaluate_rule(rule, Patient(id="q"), as_of).verdict is Verdict.not_met


# ---------------------------------------------------------------- women of childbearing potential as a scope

@pytest.mark.parametrize("text", [
    "Subject has negative urine pregnancy test prior to study entry, if female of child-bearing potential",
    "Documented negative pregnancy test for female patients of childbearing potential.",
    "Women of child-bearing potential and men must agree to use adequate contraception",
    "Females of childbearing potential must have a negative serum pregnancy test within 7 days",
])
def test_childbearing_potential_says_whom_a_criterion_applies_to(text: str) -> None:
    rules = extract_concepts(text, 0, "inclusion")
    assert rules and all(isinstance(leaf, ManualRule) for leaf in leaves(rules)), rules


def test_childbearing_potential_alone_is_still_a_state() -> None:
    [rule] = extract_concepts("Women of childbearing potential", 0, "exclusion")
    assert rule.kind == "pregnancy"


def test_a_man_is_not_ineligible_for_a_pregnancy_test_criterion(tmp_path: Path) -> None:
    trial = tmp_path / "wocbp.txt"
    trial.write_text("Inclusion Criteria:\n* Negative pregnancy test for female patients of childbearing potential.\n")
    fhir = Path(__file__).resolve().parents[1] / "samples" / "patients" / "fhir"
    men = [p for p in sorted(fhir.glob("*.json")) if '"gender": "male"' in p.read_text()]
    assert men
    for result in match(trial, men[:2]):
        assert result.verdict != "ineligible"


# ---------------------------------------------------------------- "No X" listed under exclusions

@pytest.mark.parametrize(("text", "concept"), [
    ("No prior PARP inhibitor for any indication.", "parp_inhibitor"),
    ("Do not have diabetes mellitus.", "diabetes_mellitus"),
    ("Subject must not have any past history of pancreatic cancer.", "pancreatic_cancer"),
])
def test_an_exclusion_worded_as_no_x_excludes_x(text: str, concept: str) -> None:
    [rule] = extract_concepts(text, 0, "exclusion")
    assert rule.kind != "not" and getattr(rule, "concept", None) == concept, rule
    assert rule.span is not None and rule.span[0] <= text.lower().index("no")  # its words count as read


def test_no_x_after_the_subject_inside_an_exclusion_still_negates() -> None:
    [rule] = extract_concepts("Patients with no prior chemotherapy", 0, "exclusion")
    assert rule.kind == "not"


def test_no_x_in_an_inclusion_negates() -> None:
    [rule] = extract_concepts("No prior PARP inhibitor", 0, "inclusion")
    assert rule.kind == "not"


# ---------------------------------------------------------------- planned, not done

@pytest.mark.parametrize("text", [
    "Scheduled for elective lumbar laminectomy",
    "indication for anterior cervical discectomy",
    "Participants registered to receive the mRNA-1273 vaccine",
    "Candidate for chemotherapy",
])
def test_a_planned_procedure_or_drug_is_a_manual_check(text: str) -> None:
    rules = extract_concepts(text, 0, "inclusion")
    assert rules and all(isinstance(leaf, ManualRule) and "planned" in (leaf.reason or "") for leaf in leaves(rules))


@pytest.mark.parametrize("text", ["Patients undergoing hemodialysis", "History of kidney transplantation"])
def test_a_procedure_done_is_still_looked_up(text: str) -> None:
    assert [k for k, _ in kinds(text, "inclusion")] == ["procedure"]


def test_age_at_the_time_of_surgery_needs_no_surgery() -> None:
    assert kinds("At least 18 years of age at the time of surgery", "inclusion") == []


def test_treatment_naive_is_never_treated() -> None:
    [rule] = extract_concepts("Biologic-naive patients", 0, "inclusion")
    assert rule.kind == "not"
    assert all(getattr(leaf, "status", "ever") == "ever" for leaf in leaves([rule]) if leaf.kind == "medication")


# ---------------------------------------------------------------- how a finding is shown

@pytest.mark.parametrize("text", [
    "In good health as determined by medical history and medical examination",
    "Confirmed NSCLC diagnosis (e.g. bronchoscope or FNAB)",
    "Histologically confirmed by biopsy adenocarcinoma of the prostate",
    "Herniated disc evident on diagnostic imaging",
])
def test_a_diagnostic_procedure_that_shows_a_finding_is_no_requirement(text: str) -> None:
    assert [k for k, _ in kinds(text, "inclusion") if k == "procedure"] == []


@pytest.mark.parametrize("text", ["Colonoscopy within the past 10 years", "Prior biopsy of the lesion"])
def test_a_diagnostic_procedure_done_is_still_read(text: str) -> None:
    assert "procedure" in [k for k, _ in kinds(text, "inclusion")]


# ---------------------------------------------------------------- a site the record does not code

@pytest.mark.parametrize("text", [
    "Infection at the puncture site;",
    "Previous surgery at symptomatic level",
    "Have had a previous surgery in the intended implant area",
    "Prior surgery on the study knee",
])
def test_a_finding_at_a_site_is_the_finding_and_a_clinicians_check(text: str) -> None:
    [rule] = extract_concepts(text, 0, "exclusion")
    finding, check = rule.children  # type: ignore[union-attr]
    assert rule.kind == "all_of" and finding.kind in ("condition", "procedure")
    assert isinstance(check, ManualRule) and "site" in (check.reason or "")


def test_no_infection_is_no_infection_at_the_site() -> None:
    [rule] = extract_concepts("Infection at the puncture site", 0, "exclusion")
    as_of = date(2026, 1, 1)
    assert evaluate_rule(rule, Patient(id="p"), as_of).verdict is Verdict.not_met
    sinusitis = ConditionFact(resource_type="Condition", resource_id="c", text="Viral sinusitis (disorder)",
                              onset=date(2025, 12, 20), clinical_status="active")
    assert evaluate_rule(rule, Patient(id="q", conditions=[sinusitis]), as_of).verdict is Verdict.manual


def test_an_infection_without_a_site_is_still_looked_up() -> None:
    assert concepts("Active infection") == ["infection"]


# ---------------------------------------------------------------- washouts

@pytest.mark.parametrize(("text", "days", "kinds_"), [
    ("≥ 2 weeks from prior chemotherapy, radiation therapy or major surgery", 14,
     {"chemotherapy", "radiotherapy", "major_surgery"}),
    ("≥ 3 days post Tyrosine Kinase Inhibitor (TKI) use", 3, {"targeted_therapy"}),
    ("14 days must have elapsed since the completion of systemic cytotoxic therapy", 14, {"chemotherapy"}),
    ("At least 4 weeks since the last dose of chemotherapy", 28, {"chemotherapy"}),
])
def test_a_washout_is_none_within_the_period(text: str, days: int, kinds_: set[str]) -> None:
    [rule] = extract_concepts(text, 0, "inclusion")
    assert rule.kind == "not", rule
    found = [leaf for leaf in leaves([rule]) if getattr(leaf, "window", None)]
    assert kinds_ <= {leaf.concept for leaf in found}  # type: ignore[attr-defined]
    assert all(leaf.window.within.days() == days for leaf in found)  # type: ignore[attr-defined]


def test_a_washout_is_met_by_a_patient_who_never_had_it() -> None:
    [rule] = extract_concepts("≥ 2 weeks from prior chemotherapy, radiation therapy or major surgery", 0, "inclusion")
    assert evaluate_rule(rule, Patient(id="p"), date(2026, 1, 1)).verdict is Verdict.met


def test_at_least_before_is_older_than() -> None:
    found = [leaf for leaf in leaves(extract_concepts("Prior chemotherapy completed at least 4 weeks before enrollment",
                                                      0, "inclusion")) if getattr(leaf, "window", None)]
    assert found and all(leaf.window.not_within is not None for leaf in found)  # type: ignore[attr-defined]


def test_time_since_a_condition_keeps_its_meaning() -> None:
    [rule] = extract_concepts("At least 6 months since myocardial infarction", 0, "inclusion")
    assert rule.kind == "condition" and rule.window.not_within is not None  # type: ignore[union-attr]


# ---------------------------------------------------------------- the terms of a permission

@pytest.mark.parametrize(("text", "section"), [
    ("Prior therapy with decitabine will be allowed unless there was progression to AML", "inclusion"),
    ("Cervical fusion is allowed as long as there are no neurologic deficits", "exclusion"),
])
def test_the_terms_of_a_permission_are_no_requirement(text: str, section: str) -> None:
    assert kinds(text, section) == []


def test_a_period_in_the_terms_of_a_permission_is_its_washout() -> None:
    [rule] = extract_concepts("Patients with history of allogeneic stem cell transplantation are eligible if at least "
                              "100 days post-transplant", 0, "inclusion")
    assert rule.kind == "not"


def test_in_subjects_without_narrows_an_exclusion() -> None:
    [rule] = extract_concepts("Acute cholecystitis in subjects without H/O cholecystectomy", 0, "exclusion")
    assert rule.kind == "all_of"
    assert [c.kind for c in rule.children] == ["condition", "not"]  # type: ignore[union-attr]


# ---------------------------------------------------------------- "non-" negates the word it is joined to

@pytest.mark.parametrize(("text", "concept"), [
    ("Non-specific back pain", "back_pain"),
    ("non-radicular leg pain", "pain"),
])
def test_non_before_a_word_not_read_negates_nothing(text: str, concept: str) -> None:
    [rule] = extract_concepts(text, 0, "exclusion")
    assert rule.kind == "condition" and rule.concept == concept  # type: ignore[union-attr]


def test_non_does_not_reach_the_next_item_of_a_list() -> None:
    found = leaves(extract_concepts("Non-healing wound, active peptic ulcer, or bone fracture", 0, "exclusion"))
    assert "not" not in [leaf.kind for leaf in found]
    assert "peptic_ulcer" in [getattr(leaf, "concept", None) for leaf in found]


def test_non_before_a_drug_class_is_a_class_no_lexicon_names() -> None:
    [rule] = extract_concepts("Current use of non-dihydropyridines", 0, "exclusion")
    assert isinstance(rule, ManualRule) and rule.text == "non-dihydropyridines"


def test_non_before_a_condition_negates_it() -> None:
    [rule] = extract_concepts("Non-diabetic patients", 0, "inclusion")
    assert rule.kind == "not"


# ---------------------------------------------------------------- negative tests

@pytest.mark.parametrize(("text", "concept"), [
    ("Negative hepatitis B surface antigen (HBsAg) test at screening", "hepatitis_b"),
    ("Negative HIV test", "hiv"),
    ("Has a negative screening for SARS-CoV-2 infection", "covid19"),
    ("shows no evidence of a current infection with SARS-CoV-2", "covid19"),
])
def test_a_negative_test_is_no_disease(text: str, concept: str) -> None:
    [rule] = extract_concepts(text, 0, "inclusion")
    assert rule.kind == "not" and [getattr(x, "concept", None) for x in leaves([rule])] == [concept], rule


def test_a_receptor_negative_cancer_is_still_the_cancer() -> None:
    found = leaves(extract_concepts("HER2-negative breast cancer", 0, "inclusion"))
    assert "not" not in [x.kind for x in found] and "breast_cancer" in [getattr(x, "concept", None) for x in found]


# ---------------------------------------------------------------- over-reaches found on CT.gov x Synthea

def test_a_washout_listed_under_exclusions_excludes_recent_use() -> None:
    [rule] = extract_concepts("Patients must be > 2 months from allogeneic stem cell transplantation", 0, "exclusion")
    assert rule.kind == "procedure" and rule.window.within is not None  # type: ignore[union-attr]


def test_less_than_a_period_since_is_within_it() -> None:
    [rule] = extract_concepts("Less than 4 weeks from prior chemotherapy", 0, "exclusion")
    assert rule.kind != "not"
    assert all(leaf.window.within.days() == 28 for leaf in leaves([rule]))  # type: ignore[attr-defined]


def test_the_last_dose_of_the_trials_drug_anchors_contraception() -> None:
    assert kinds("Men must use contraception until 6 months after the last dose of fludarabine", "exclusion") == []


@pytest.mark.parametrize("text", [
    "Non-response to verapamil, intolerance, or contraindication",
    "Patients who progressed on chemotherapy (combined or non-combined chemotherapy)",
])
def test_failure_of_a_drug_means_it_was_taken_not_that_it_is_taken(text: str) -> None:
    drugs_ = [leaf for leaf in leaves(extract_concepts(text, 0, "inclusion")) if leaf.kind == "medication"]
    assert drugs_ and all(leaf.status == "ever" for leaf in drugs_)  # type: ignore[attr-defined]


def test_intolerant_to_a_drug_is_an_allergy_to_it() -> None:
    assert kinds("Intolerant to metformin", "exclusion") == [("allergy", "metformin")]


@pytest.mark.parametrize("text", [
    "Females of child-bearing potential must agree not to become pregnant",
    "Women who plan to become pregnant during the study",
])
def test_a_plan_about_pregnancy_is_no_pregnancy(text: str) -> None:
    assert not [leaf for leaf in leaves(extract_concepts(text, 0, "exclusion")) if leaf.kind == "pregnancy"]


def test_a_negative_pregnancy_is_no_pregnancy() -> None:
    [rule] = extract_concepts("Female subjects have a negative urine or serum pregnancy.", 0, "inclusion")
    assert rule.kind == "not"


# ---------------------------------------------------------------- illnesses that pass

def test_an_infection_named_alone_is_one_the_patient_has_now() -> None:
    [rule] = extract_concepts("Infection", 0, "exclusion")
    assert rule.status == "active"  # type: ignore[union-attr]
    resolved = ConditionFact(resource_type="Condition", resource_id="c", text="Viral sinusitis (disorder)",
                             onset=date(2017, 3, 1), abatement=date(2017, 3, 15), clinical_status="resolved")
    assert evaluate_rule(rule, Patient(id="p", conditions=[resolved]), date(2026, 1, 1)).verdict is Verdict.not_met


@pytest.mark.parametrize(("text", "status"), [
    ("History of infection", "history"),
    ("Prior fracture", "history"),
    ("Vertebral fracture", "any"),
])
def test_a_stated_status_or_a_lasting_finding_keeps_its_status(text: str, status: str) -> None:
    [rule] = extract_concepts(text, 0, "exclusion")
    assert rule.status == status  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "concept"), [
    ("Any prior lumbar surgery involving fusion", "surgery"),
    ("Patient with lumbar infection", "infection"),
    ("Recent nasal/midface trauma", "injury"),
])
def test_a_site_before_a_class_is_the_class_and_a_check_of_the_site(text: str, concept: str) -> None:
    [rule] = extract_concepts(text, 0, "exclusion")
    finding, check = rule.children  # type: ignore[union-attr]
    assert getattr(finding, "concept", None) == concept
    assert isinstance(check, ManualRule) and "site" in (check.reason or "")


def test_a_site_named_in_the_lexicon_is_its_own_concept() -> None:
    [rule] = extract_concepts("Prior cardiac surgery", 0, "exclusion")
    assert getattr(rule, "concept", None) == "cardiac_surgery"


# ---------------------------------------------------------------- a condition defined by a measurement

@pytest.mark.parametrize(("line", "analytes"), [
    ("Morbidly obese (BMI > 40 kg/m2)", {"bmi"}),
    ("Uncontrolled hypertension (BP >160/95)", {"systolic_bp", "diastolic_bp"}),
    ("Patients who are morbidly obese, defined as BMI >40", {"bmi"}),
    ("Uncontrolled hypertension (defined as BP > 160/100)", {"systolic_bp", "diastolic_bp"}),
])
def test_a_measurement_in_parentheses_defines_the_condition(line: str, analytes: set[str]) -> None:
    [rules] = parse(f"Exclusion Criteria:\n* {line}\n", text=True)
    found = list(leaves(rules.criteria[0].rules))
    assert {getattr(x, "analyte", None) for x in found} == analytes
    assert not [x for x in found if x.kind == "condition"]


# ---------------------------------------------------------------- exceptions in the sentence after

@pytest.mark.parametrize(("text", "head", "carved"), [
    ("Use of NSAIDs. This does not include low dose aspirin.", "nsaid", "aspirin"),
    ("Any malignancy. This does not apply to basal cell skin cancer", "malignancy", "basal_cell_carcinoma"),
])
def test_an_exception_in_the_next_sentence_carves_the_class(text: str, head: str, carved: str) -> None:
    [rule] = extract_concepts(text, 0, "exclusion")
    assert getattr(rule, "concept", None) == head and rule.exceptions == [carved]  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "The following are not exclusionary: vitiligo, childhood asthma",
    "Corticosteroids are allowed in the absence of active autoimmune diseases",
])
def test_what_an_exclusion_permits_is_no_reason_to_exclude(text: str) -> None:
    assert kinds(text, "exclusion") == []


# ---------------------------------------------------------------- another person's condition

@pytest.mark.parametrize("text", [
    "Self-identified primary caregiver of a child with acute lymphoblastic leukemia",
    "Has a first- or second-degree relative with acute leukemia",
    "The individual is the caregiver or family members of an individual having DFU",
])
def test_a_condition_of_another_person_is_a_manual_check(text: str) -> None:
    rules = extract_concepts(text, 0, "inclusion")
    assert rules and all(isinstance(leaf, ManualRule) for leaf in leaves(rules))


def test_the_patients_own_condition_before_a_caregiver_is_read() -> None:
    assert concepts("Patients with diabetes and their caregivers", "inclusion") == ["diabetes_mellitus"]


# ---------------------------------------------------------------- second re-run on CT.gov x Synthea

def test_a_partners_pregnancy_is_not_the_patients() -> None:
    rules = extract_concepts("Males need to inform the doctor if the partner becomes pregnant", 0, "inclusion")
    assert rules and all(isinstance(leaf, ManualRule) for leaf in leaves(rules))


@pytest.mark.parametrize("text", [
    "History of liver cirrhosis with or without hepatitis viral co-infection",
    "Diabetes with or without insulin, and hypertension",
])
def test_what_is_optional_is_no_requirement_and_negates_nothing(text: str) -> None:
    found = leaves(extract_concepts(text, 0, "exclusion"))
    assert "not" not in [x.kind for x in found]
    assert not [x for x in found if getattr(x, "concept", None) in ("infection", "insulin")]


def test_an_extra_cohort_admitted_is_a_permission() -> None:
    assert kinds("Patients who are intolerant to chemotherapy or EGFR-TKI can also be admitted", "inclusion") == []


def test_an_injury_to_the_head_is_an_injury_and_a_site_check() -> None:
    [rule] = extract_concepts("The injury to the head", 0, "inclusion")
    assert rule.kind == "all_of"


def test_a_pregnancy_left_open_in_the_record_for_years_is_over() -> None:
    open_since_2021 = ConditionFact(resource_type="Condition", resource_id="c", text="Normal pregnancy",
                                    onset=date(2021, 3, 21), clinical_status="active")
    patient = Patient(id="p", gender="female", birth_date=date(1995, 1, 1), conditions=[open_since_2021])
    outcome = evaluate_rule(PregnancyRule(state="pregnant"), patient, date(2026, 1, 1))
    assert outcome.verdict is Verdict.not_met
    patient.conditions[0].onset = date(2025, 9, 1)
    assert evaluate_rule(PregnancyRule(state="pregnant"), patient, date(2026, 1, 1)).verdict is Verdict.met


@pytest.mark.parametrize("text", [
    "Patients undergoing distal pancreatectomy",
    "Participants who can be hospitalized throughout the Treatment Period",
])
def test_the_trials_own_surgery_or_stay_is_planned(text: str) -> None:
    rules = extract_concepts(text, 0, "inclusion")
    assert rules and all(isinstance(leaf, ManualRule) and "planned" in (leaf.reason or "") for leaf in leaves(rules))


@pytest.mark.parametrize("text", ["Patients having had a hysterectomy", "Has undergone hysterectomy",
                                  "Patients undergoing hemodialysis"])
def test_a_surgery_done_or_a_therapy_under_way_is_looked_up(text: str) -> None:
    assert [k for k, _ in kinds(text, "inclusion")] == ["procedure"]


def test_a_contraception_requirement_is_read_whole() -> None:
    [rules] = parse("Inclusion Criteria:\n* Fertile patients must use effective contraception\n", text=True)
    criterion = rules.criteria[0]
    assert criterion.status.value == "manual" and criterion.unparsed == []


def test_the_event_a_window_counts_from_is_part_of_its_words() -> None:
    [rule] = extract_concepts("Use of warfarin within 30 days prior to the first study drug administration", 0, "exclusion")
    assert rule.window.text == "within 30 days prior to the first study drug administration"  # type: ignore[union-attr]
    [rules] = parse("Exclusion Criteria:\n* Use of warfarin within 30 days prior to the first study drug "
                    "administration\n", text=True)
    assert rules.criteria[0].unparsed == []


@pytest.mark.parametrize("line", [
    "Written informed consent.",
    "Signed informed consent according to institutional guidelines",
    "Patient has signed a written informed consent.",
])
def test_consent_wording_is_read_whole(line: str) -> None:
    [rules] = parse(f"Inclusion Criteria:\n* {line}\n", text=True)
    assert rules.criteria[0].status.value == "manual" and rules.criteria[0].unparsed == []


def test_the_qualifiers_of_a_generic_check_are_its_words() -> None:
    [rule] = extract_concepts("No other uncontrolled serious medical condition", 0, "inclusion")
    assert rule.child.text == "other uncontrolled serious medical condition"  # type: ignore[union-attr]


# ---------------------------------------------------------------- what an allergy or a reaction is to

@pytest.mark.parametrize(("text", "drugs"), [
    ("History or presence of hypersensitivity or idiosyncratic reaction to deferiprone or deferoxamine;",
     ["deferiprone", "deferoxamine"]),
    ("Known allergy or hypersensitive reaction to dexmedetomidine", ["dexmedetomidine"]),
    ("History of hypersensitivity or adverse reaction to bupivacaine", ["bupivacaine"]),
    ("Has known intolerance or documented adverse reaction to acetaminophen or naproxen or celecoxib",
     ["acetaminophen", "naproxen", "celecoxib"]),
    ("Known asthmatic or history of allergy towards peanut or milk products", ["peanut", "milk"]),
    ("Have characteristics contraindicating metformin or sulfonylurea use.", ["metformin", "sulfonylurea"]),
    ("Patients hypersensitive to HMG-CoA reductase inhibitors or ezetimibe.", ["statin", "ezetimibe"]),
    ("allergic history to dexmedetomidine", ["dexmedetomidine"]),
])
def test_a_reaction_to_a_drug_is_an_allergy_to_it(text: str, drugs: list[str]) -> None:
    found = kinds(text, "exclusion")
    assert [c for k, c in found if k == "allergy"] == drugs, found
    # the reaction word is no condition of its own: any allergy in the record would decide it
    assert not any(k == "condition" and c in ("allergy", "drug_allergy", "idiosyncratic_reaction",
                                              "hypersensitive_reaction") for k, c in found), found


@pytest.mark.parametrize(("text", "words"), [
    ("Known allergy to tested drugs", "allergy to tested drugs"),
    ("history of hypersensitivity to test drugs", "hypersensitivity to test drugs"),
    ("Allergy to any of proposed medications", "Allergy to any of proposed medications"),
    ("Known allergy to any drug used", "allergy to any drug used"),
    ("Known or suspected allergy to trial product(s) or related products", "allergy to trial product"),
    ("Known allergy/hypersensitivity to any agent given in the course of this trial.",
     "allergy/hypersensitivity to any agent given"),
    ("Known sensitivity to any of the products administered during the study", "sensitivity to any of the products administered"),
    ("study drug hypersensitivity", "study drug hypersensitivity"),
    ("Contraindication to the study medication.", "Contraindication to the study medication"),
    ("A previous history of intolerance to the study drug or related compounds and additives",
     "intolerance to the study drug or related compounds and additives"),
    ("Known hypersensitivity to any component of the formulation",
     "Known hypersensitivity to any component of the formulation"),
])
def test_an_allergy_to_the_trials_own_products_is_a_check(text: str, words: str) -> None:
    # not "any allergy": a patient allergic to penicillin may take the tested drug
    found = kinds(text, "exclusion")
    assert not any(k in ("condition", "allergy") for k, _ in found), found
    [rule] = manual_leaves(text)
    assert words in (rule.text or ""), rule.text
    assert "medication" in (rule.about or [])


def test_allergic_to_the_tested_drug_does_not_exclude_a_patient_with_another_allergy() -> None:
    from eligibility.patients.model import AllergyFact
    patient = Patient(id="p", allergies=[AllergyFact(resource_type="AllergyIntolerance", resource_id="a",
                                                     text="Allergy to penicillin")])
    [rule] = extract_concepts("Known allergy to tested drugs", 0, "exclusion")
    assert evaluate_rule(rule, patient, date(2026, 1, 1)).verdict is Verdict.manual


def test_an_allergy_to_the_study_drugs_and_named_drugs_reads_both() -> None:
    text = "Known hypersensitivity or allergy to study drugs, aspirin, sulfonamides, or NSAIDs"
    found = kinds(text, "exclusion")
    assert [c for k, c in found if k == "allergy"] == ["aspirin", "sulfonamide_antibiotic", "nsaid"], found
    [asked] = manual_leaves(text)
    assert asked.text == "study drugs"


@pytest.mark.parametrize(("text", "condition", "allergens"), [
    ("hypersensitivity to penicillin, amoxicillin or amoxicillin-clavulanate", "penicillin_allergy",
     ["amoxicillin", "amoxicillin"]),
    ("documented allergy to iodine or shellfish", "contrast_allergy", ["shellfish"]),
])
def test_a_named_allergy_keeps_the_allergens_listed_after_it(text: str, condition: str, allergens: list[str]) -> None:
    found = kinds(text, "exclusion")
    assert found[0] == ("condition", condition), found
    assert [c for k, c in found if k == "allergy"] == allergens, found


def test_a_named_allergy_or_the_trials_drug() -> None:
    text = "Allergy to penicillin or any drug used in the study"
    assert kinds(text, "exclusion")[0] == ("condition", "penicillin_allergy")
    [asked] = manual_leaves(text)
    assert "drug used" in (asked.text or "")


@pytest.mark.parametrize(("text", "drug"), [
    ("Use of corticosteroid nasal spray for allergic rhinitis or topical corticosteroids for an acute dermatitis",
     "topical_corticosteroid"),
    ("Seasonal allergic rhinitis treated with montelukast", "montelukast"),
])
def test_a_drug_after_an_allergic_disease_is_no_allergen(text: str, drug: str) -> None:
    found = kinds(text, "exclusion")
    assert ("medication", drug) in found, found
    assert not any(k == "allergy" for k, _ in found), found


# ---------------------------------------------------------------- inclusion negations over a list

def shape(text: str, section: str = "inclusion") -> list[str]:
    def one(rule: object) -> str:
        child = getattr(rule, "child", None)
        if child is not None:
            return f"not({one(child)})"
        children = getattr(rule, "children", None)
        if children is not None:
            return f"{rule.kind}({', '.join(one(c) for c in children)})"  # type: ignore[attr-defined]
        return str(getattr(rule, "concept", None) or getattr(rule, "kind", "?"))
    return [one(r) for r in extract_concepts(text, 0, section)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Not having received a GON injection or oral prednisone in the previous 3 months",
     ["not(any_of(gon_injection, prednisone))"]),
    ("Diagnosis of relapsed APL who have not been previously treated with ATO",
     ["acute_promyelocytic_leukemia", "not(arsenic_trioxide)"]),
    ("Not receiving physical therapy and rehabilitation in the last 3 months",
     ["not(any_of(physical_therapy, rehabilitation))"]),
    # the relative clause says which disease a clinician judges: no pain is required
    ("The patients do not have any other acute disease that will cause pain.", ["not(manual)"]),
])
def test_an_inclusion_negation_covers_what_it_names(text: str, expected: list[str]) -> None:
    assert shape(text) == expected


# ---------------------------------------------------------------- a surgery's site, purpose and plan

@pytest.mark.parametrize("text", [
    "Patients who had undergone surgery on the relevant lumbar vertebra",
    "History of previous surgery in the lower extremities.",
    "Surgery to treat cluster headache.",
    "Prior surgery for stress UI",
])
def test_a_surgery_narrowed_by_site_or_purpose_is_surgery_and_a_check(text: str) -> None:
    # any surgery alone excluded every patient with an appendectomy; "to treat cluster
    # headache" made every cluster-headache patient of a cluster-headache trial ineligible
    # (the headache now holds beside the surgery and the check)
    assert shape(text, "exclusion") in (["all_of(surgery, manual)"], ["all_of(surgery, cluster_headache, manual)"])


@pytest.mark.parametrize("text", [
    "Patients requiring surgical treatment at more than 2 lumbar levels.",
    "Abnormal liver or kidney function unsuitable for surgery",
])
def test_a_surgery_required_or_ruled_out_is_no_surgery_done(text: str) -> None:
    assert "surgery" not in " ".join(shape(text, "exclusion")), shape(text, "exclusion")


def test_morbid_obesity_is_not_met_by_a_bmi_30_record() -> None:
    [rule] = extract_concepts("Morbid obesity", 0, "exclusion")
    assert rule.concept == "morbid_obesity"  # type: ignore[union-attr]
    bmi30 = ConditionFact(resource_type="Condition", resource_id="o", text="Body mass index 30+ - obesity (finding)",
                          codes=[], onset=date(2015, 1, 1))
    assert evaluate_rule(rule, Patient(id="p", conditions=[bmi30]), date(2026, 1, 1)).verdict is Verdict.not_met
    [obesity] = extract_concepts("Obesity", 0, "exclusion")
    assert evaluate_rule(obesity, Patient(id="p", conditions=[bmi30]), date(2026, 1, 1)).verdict is Verdict.met


# ---------------------------------------------------------------- a severity said before or after

@pytest.mark.parametrize("line", [
    "Hypertension that is not well controlled with antihypertensive",
    "refractory hypertension",
    "Even after drug treatment, hypertension is still poorly controlled",
    "Poorly controlled diabetes/hypertension",
])
def test_a_qualified_hypertension_is_hypertension_and_a_judgement(line: str) -> None:
    # read as hypertension alone, every patient with hypertension was excluded
    [rules] = parse(f"Exclusion Criteria:\n* {line}\n", text=True)
    found = list(leaves(rules.criteria[0].rules))
    assert any(getattr(x, "concept", None) == "hypertension" for x in found)
    assert any(isinstance(x, ManualRule) and x.category == "investigator_judgement" for x in found)
    patient = Patient(id="p", conditions=[ConditionFact(resource_type="Condition", resource_id="h", text="Hypertension",
                                                         onset=date(2015, 1, 1))])
    from eligibility.matching.evaluate import match_patient
    assert match_patient(rules, patient, date(2026, 1, 1)).verdict != "ineligible"


@pytest.mark.parametrize(("text", "expected"), [
    ("Diabetes requiring insulin", ["all_of(diabetes_mellitus, insulin)"]),
    ("Active infection requiring systemic antibiotics within 2 weeks", ["all_of(infection, antibiotic)"]),
    ("Asthma requiring oral corticosteroids", ["all_of(asthma, systemic_corticosteroid)"]),
    ("Patients with diabetes treated with insulin", ["all_of(diabetes_mellitus, insulin)"]),
])
def test_a_treatment_a_condition_requires_narrows_it(text: str, expected: list[str]) -> None:
    # as alternatives, every patient with diabetes (or any infection) was excluded
    assert shape(text, "exclusion") == expected


# ---------------------------------------------------------------- a test named with its result

@pytest.mark.parametrize(("text", "expected"), [
    ("women with positive pregnancy tests before the trial", ["pregnancy"]),
    ("Reproductive-aged female patients with positive blood HCG test", ["pregnancy"]),
    ("abnormal physical examination", ["manual"]),
    ("Physical examination or laboratory findings evidence reasonable doubt", ["any_of(manual, manual)"]),
    ("Abnormal ECG, prior colonoscopy", ["any_of(manual, colonoscopy)"]),
])
def test_a_test_named_with_its_result_is_a_finding(text: str, expected: list[str]) -> None:
    # read as a procedure, every patient ever examined or tested was excluded
    assert shape(text, "exclusion") == expected


def test_a_test_without_a_result_is_a_procedure() -> None:
    assert shape("Colonoscopy within the past 10 years", "inclusion") == ["colonoscopy"]


# ---------------------------------------------------------------- a procedure needed, elected or ruled out

@pytest.mark.parametrize("text", [
    "Patients undergoing an allo-HSCT",
    "Patients requiring spinal fusion",
    "elected to undergo contiguous two-level ACDF surgery",
    "Patients who require radiotherapy",
    "ineligible to receive intensive chemotherapy",
    "Candidate to receive osimertinib",
])
def test_a_needed_or_elected_procedure_is_planned_not_done(text: str) -> None:
    # read as done, every patient of the trial's own population (not yet treated) was ineligible
    assert set(shape(text, "inclusion")) <= {"manual", "all_of(manual, manual)"}, shape(text, "inclusion")


@pytest.mark.parametrize(("text", "expected"), [
    ("Requires supplemental oxygen", ["oxygen_therapy"]),  # under way, not planned
    ("Infection requiring hospitalization", ["all_of(infection, hospitalization)"]),
])
def test_a_therapy_under_way_or_a_condition_requiring_it_is_read(text: str, expected: list[str]) -> None:
    assert shape(text, "exclusion") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Must not be receiving any moderate or strong cytochrome P450 3A4 (CYP3A4) inhibitor", ["cyp3a4_inhibitor"]),
    ("Subject must not be on anti-diabetes medications", ["antidiabetic"]),
])
def test_an_inclusion_wording_listed_under_exclusions_names_what_excludes(text: str, expected: list[str]) -> None:
    # read as not(X), every patient without the drug was excluded
    assert shape(text, "exclusion") == expected


@pytest.mark.parametrize("text", [
    "Patients seen by a surgeon in the Center for spine surgery at our hospital",
    "Referred to the Department of Surgery",
])
def test_an_institutions_name_is_no_concept(text: str) -> None:
    assert shape(text, "inclusion") == []


def test_a_surgery_not_named_for_an_institution_is_read() -> None:
    assert shape("History of spine surgery", "exclusion") == ["spinal_surgery"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Gastrointestinal disease that may alter absorption of oral medication", ["all_of(gastrointestinal_disease, manual)"]),
    ("Any cardiovascular disease that would limit participation", ["all_of(cardiovascular_disease, manual)"]),
])
def test_a_class_narrowed_by_a_clause_is_the_class_and_a_check(text: str, expected: list[str]) -> None:
    # a colon polyp of 1984 is a GI disease; whether it alters absorption is a clinician's call
    assert shape(text, "exclusion") == expected


@pytest.mark.parametrize(("text", "expected"), [
    # other diseases than headaches: no headache is negated (every patient without one was excluded)
    ("Pulmonary or other non-headache diseases that require the use of supplemental oxygen", ["manual"]),
    ("Non-Diabetic patients with AKI", ["all_of(not(diabetes_mellitus), acute_kidney_injury)"]),
    ("Diabetes with AKI", ["all_of(diabetes_mellitus, acute_kidney_injury)"]),
    ("Pregnant women, patients with HIV", ["any_of(pregnancy, hiv)"]),
])
def test_non_and_with_keep_their_scope(text: str, expected: list[str]) -> None:
    assert shape(text, "exclusion") == expected


@pytest.mark.parametrize(("line", "logic"), [
    ("Subject is 6 years or older and weighs less than 19 kg", "all_of"),  # read as either, everyone over 6 was out
    ("BMI > 35 and diabetes", "all_of"),
    ("Age < 18 or age ≥ 80 years", "any_of"),
    ("AST > 3 x ULN; liver cirrhosis; eGFR < 60", "any_of"),
])
def test_findings_of_different_kinds_joined_by_and_both_hold(line: str, logic: str) -> None:
    [rules] = parse(f"Exclusion Criteria:\n* {line}\n", text=True)
    [rule] = rules.criteria[0].rules
    assert rule.kind == logic


@pytest.mark.parametrize(("line", "expected"), [
    # whose age it is: a relative's, or at a disease's onset, is no age of the patient
    ("Unexplained sudden death under 40 years of age in first-degree relatives", "manual"),
    ("Atrophic gastritis (onset age less than 60 years)", "any_of"),
    # an age before a colon says whom the rest applies to
    ("Subjects age 11 and older: Subject is known to be pregnant", "all_of"),
])
def test_an_age_that_is_not_the_patients_or_a_scope(line: str, expected: str) -> None:
    [rules] = parse(f"Exclusion Criteria:\n* {line}\n", text=True)
    [rule] = rules.criteria[0].rules
    assert rule.kind == expected
    assert not any(leaf.kind == "age" and "relatives" in line for leaf in leaves([rule]))
    if "onset" in line:
        assert not any(leaf.kind == "age" for leaf in leaves([rule]))


def test_the_patients_age_beside_a_relative_stays_the_patients() -> None:
    [rules] = parse("Inclusion Criteria:\n* Patients aged 18-75 years with a relative who donated\n", text=True)
    assert any(leaf.kind == "age" for leaf in leaves(rules.criteria[0].rules))


def test_a_hospitalization_for_a_reason_is_any_stay_and_a_check_of_why() -> None:
    # the record's encounters hold the stay, not its reason; heart failure alone excluded everyone with it
    assert shape("Hospitalization for heart failure within the past 6 months", "exclusion") == [
        "all_of(hospitalization, heart_failure, manual)"]
    [rule] = extract_concepts("Hospitalization for heart failure within the past 6 months", 0, "exclusion")
    stay = rule.children[0]  # type: ignore[union-attr]
    assert stay.window is not None and stay.window.within is not None


def test_an_allergy_to_a_substance_no_lexicon_names_is_to_that_substance() -> None:
    # not any drug allergy: a patient allergic to penicillin is not allergic to cortivazol
    [rule] = extract_concepts("patient with a known allergy to cortivazol", 0, "exclusion")
    assert rule.kind == "allergy" and rule.label == "cortivazol"  # type: ignore[union-attr]
    from eligibility.patients.model import AllergyFact
    patient = Patient(id="p", allergies=[AllergyFact(resource_type="AllergyIntolerance", resource_id="a",
                                                     text="Allergy to penicillin")])
    assert evaluate_rule(rule, patient, date(2026, 1, 1)).verdict is Verdict.unknown
    assert kinds("Known allergy to any", "exclusion") == [("condition", "drug_allergy")]
