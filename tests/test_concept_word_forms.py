# mypy: disable-error-code="union-attr"
"""Words no lexicon names, read from word formation (rules/word_forms.yaml),
generic words read as a clinician's check, and drugs named as treatments."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.ir.model import (
    DRUG_TREATMENT,
    AllergyRule,
    AllOf,
    AnyOf,
    ConditionRule,
    ManualRule,
    MedicationRule,
    Not,
    ProcedureRule,
)
from eligibility.knowledge.language import word_forms
from eligibility.nlp.concepts import extract_concepts
from tests.test_concepts_extract import leaves


def one(text: str, section: str = "inclusion") -> Any:
    rules = extract_concepts(text, 0, section)
    assert len(rules) == 1, rules
    return rules[0]


def uncoded(rule: Any) -> bool:
    return rule.codes == [] and rule.label is not None


# ---------------------------------------------------------------- suffixes and stems

def test_condition_suffix_makes_an_uncoded_condition() -> None:
    rule = one("History of xenopancreatitis")
    assert isinstance(rule, ConditionRule) and uncoded(rule)
    assert rule.label == "xenopancreatitis" and rule.concept == "xenopancreatitis" and rule.status == "history"


def test_drug_stems_make_uncoded_medications() -> None:
    rule = one("Treatment with zorbikumab or fexaprazole within 30 days", "exclusion")
    assert isinstance(rule, AnyOf)
    assert [(x.kind, x.label) for x in rule.children] == [("medication", "zorbikumab"), ("medication", "fexaprazole")]
    assert all(isinstance(x, MedicationRule) and uncoded(x) and x.window.within.value == 30 for x in rule.children)


def test_procedure_suffix_and_imaging() -> None:
    rule = one("Prior splenoplectomy", "exclusion")
    assert isinstance(rule, ProcedureRule) and uncoded(rule) and rule.label == "splenoplectomy"
    assert rule.classes == []
    # a way of looking is marked imaging, as the lexicon's imaging is
    rule = one("confirmed by lymphoscintigraphy")
    assert isinstance(rule, ProcedureRule) and rule.classes == ["imaging"]


def test_excluded_words_and_bare_suffixes_are_not_read() -> None:
    for text in ("a high school diploma", "prognosis is poor", "the study program", "any therapy", "no sympathy"):
        assert extract_concepts(text, 0, "exclusion") == [], text


def test_lexicon_names_win_over_word_formation() -> None:
    rule = one("rheumatoid arthritis")
    assert isinstance(rule, ConditionRule) and rule.concept == "rheumatoid_arthritis" and rule.codes


# ---------------------------------------------------------------- condition heads

def test_modifier_and_head_make_an_uncoded_condition() -> None:
    rule = one("No history of cochlear disease or ocular dysfunction")
    assert isinstance(rule, Not) and isinstance(rule.child, AnyOf)
    assert [x.label for x in rule.child.children] == ["cochlear disease", "ocular dysfunction"]
    assert all(isinstance(x, ConditionRule) and uncoded(x) and x.status == "history" for x in rule.child.children)


def test_degree_words_are_not_modifiers() -> None:
    # "serious", "clinically significant", "other": not which disease -> generic
    for text in ("serious illness", "other clinically significant disease", "any medical condition"):
        rule = one(text, "exclusion")
        assert isinstance(rule, ManualRule) and rule.category == "investigator_judgement", text


def test_a_head_after_a_lexicon_name_belongs_to_it() -> None:
    rule = one("HIV disease")
    assert isinstance(rule, ConditionRule) and rule.concept == "hiv"


def test_heads_that_need_a_modifier() -> None:
    assert extract_concepts("failure to comply", 0, "exclusion") == []


# ---------------------------------------------------------------- generic words

def test_generic_words_are_a_clinicians_check() -> None:
    rule = one("No serious illness", "inclusion")
    assert isinstance(rule, Not) and isinstance(rule.child, ManualRule)
    assert "too general" in rule.child.reason


def test_contraindication_covers_its_objects() -> None:
    rule = one("Contraindication to MRI or to clopidogrel", "exclusion")
    # the drug may be decided by a recorded allergy; the rest (MRI too) is the manual check over all of it
    assert isinstance(rule, AnyOf) and rule.text == "Contraindication to MRI or to clopidogrel"
    assert [x.kind for x in rule.children] == ["allergy", "manual"]
    assert rule.children[1].text == rule.text


def test_generic_class_with_examples_keeps_the_examples() -> None:
    rule = one("Patients with diseases such as diabetes", "exclusion")
    assert isinstance(rule, AnyOf)
    generic, diabetes = rule.children
    assert isinstance(generic, ManualRule) and isinstance(diabetes, ConditionRule)
    assert diabetes.concept == "diabetes_mellitus"


def test_generic_words_in_a_manual_criterion_are_a_manual_check_too() -> None:
    # read (so "Any condition which" counts as understood), but only ever a clinician's check
    import eligibility

    rs = eligibility.parse("Exclusion Criteria:\n- Any condition which, in the opinion of the investigator, would "
                           "interfere with the study\n", text=True)[0]
    (criterion,) = rs.criteria
    assert criterion.status.value == "manual" and criterion.unparsed == []
    assert all(isinstance(x, ManualRule) for x in leaves(criterion.rules))


def test_negation_phrases_are_not_generic_words() -> None:
    rule = one("No symptoms of infection")
    assert isinstance(rule, Not) and isinstance(rule.child, ConditionRule) and rule.child.concept == "infection"


# ---------------------------------------------------------------- treatments

def test_drug_named_as_treatment_is_drug_or_procedure() -> None:
    rule = one("Use of anticoagulation therapy", "exclusion")
    assert isinstance(rule, AnyOf)
    med, proc = rule.children
    assert isinstance(med, MedicationRule) and med.concept == "anticoagulant"
    assert isinstance(proc, ProcedureRule) and uncoded(proc) and proc.label == "anticoagulation therapy"
    # the matcher reads the medication list for it (closed world), see evaluate._concept
    assert proc.classes == [DRUG_TREATMENT]
    assert med.span == proc.span == rule.span


def test_status_word_opening_a_name_sets_the_status() -> None:
    rule = one("prior chemotherapy", "exclusion")
    med, proc = rule.children
    assert med.status == "ever" and proc.label == "chemotherapy"


def test_a_plain_drug_is_not_a_treatment() -> None:
    rule = one("Treatment with insulin", "exclusion")
    assert isinstance(rule, MedicationRule) and rule.concept == "insulin"


# ---------------------------------------------------------------- properties

_STEMS = word_forms().drug_stems.stems


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="bcdfklmnprstvz", min_size=4, max_size=6), st.sampled_from(_STEMS))
def test_any_word_with_a_drug_stem_is_an_uncoded_medication(stem: str, ending: str) -> None:
    word = "xa" + stem + ending
    rules = extract_concepts(f"Current use of {word}", 0, "exclusion")
    found = [x for x in leaves(rules) if getattr(x, "label", None) == word]
    assert found and all(x.kind in ("medication", "procedure", "condition") and x.codes == [] for x in found)


# ---------------------------------------------------------------- allergies

def test_allergy_to_named_drugs_is_one_allergy_leaf_each() -> None:
    text = "Known hypersensitivity to clopidogrel or ticagrelor or any of its components"
    rule = one(text, "exclusion")
    assert isinstance(rule, AnyOf)
    # "or any of its components" is asked about, beside the two allergies
    assert isinstance(rule.children[-1], ManualRule) and rule.children[-1].text == "components"
    rule = rule.model_copy(update={"children": rule.children[:-1]})
    assert [(x.substance, x.label) for x in rule.children] == [
        ("clopidogrel", "clopidogrel"), ("ticagrelor", "ticagrelor")]
    # the substance's words are the span, the allergy word is the allergy_span; codes and classes are the drug's
    assert [text[slice(*x.span)] for x in rule.children] == ["clopidogrel", "ticagrelor"]
    assert {text[slice(*x.allergy_span)] for x in rule.children} == {"Known hypersensitivity"}
    assert all(isinstance(x, AllergyRule) and "antiplatelet" in x.classes for x in rule.children)
    assert ("rxnorm", "32968") in [(c.system, c.code) for c in rule.children[0].codes]
    # no medication rule: the patient need not take the drug
    assert not any(isinstance(x, MedicationRule) for x in leaves([rule]))


def test_a_brand_beside_its_drug_is_the_same_allergen() -> None:
    rule = one("Known allergies to: aspirin, clopidogrel (Plavix) and heparin", "exclusion")
    assert [x.label for x in rule.children] == ["aspirin", "clopidogrel", "heparin"]


def test_allergy_words_share_their_drugs() -> None:
    rule = one("Allergy or hypersensitivity to topiramate", "exclusion")
    assert {(x.kind, x.substance) for x in leaves([rule])} == {("allergy", "topiramate")}
    rule = one("intolerance to metformin", "exclusion")
    assert isinstance(rule, AllergyRule) and rule.substance == "metformin"


def test_a_negated_allergy_negates_each_drug() -> None:
    rule = one("No known allergy to penicillin or sulfa drugs")
    assert isinstance(rule, Not) and {x.kind for x in leaves([rule.child])} == {"allergy"}


def test_a_contraindication_to_a_drug_is_its_allergy_or_a_clinicians_call() -> None:
    for text in ("Contraindication to aspirin", "Patients in whom aspirin is contraindicated",
                 "aspirin or heparin are absolutely contraindicated"):
        rule = one(text, "exclusion")
        assert isinstance(rule, AnyOf), text
        kinds = [x.kind for x in rule.children]
        assert kinds[-1] == "manual" and set(kinds[:-1]) == {"allergy"}, text
        assert rule.children[-1].about == ["condition"]
        assert (rule.span[0], rule.span[1]) == (text.index("aspirin") if "whom" in text or text[0] == "a" else 0, len(text))
    # a procedure's contraindication stays a clinician's call
    rule = one("Contraindication to MRI", "exclusion")
    assert isinstance(rule, ManualRule)


def test_a_generic_drug_word_before_abuse_or_allergy_is_a_modifier() -> None:
    assert not [x for x in leaves(extract_concepts("History of drug or alcohol abuse", 0, "exclusion"))
                if isinstance(x, ManualRule)]
    assert not [x for x in leaves(extract_concepts("drug allergies", 0, "exclusion")) if isinstance(x, ManualRule)]
    # a drug that interacts with another is a clinician's call; the other drug is its object, not a rule
    rule = one("use of any drugs that may interact with warfarin", "exclusion")
    assert isinstance(rule, ManualRule) and rule.about == ["medication"] and rule.text.endswith("warfarin")


def test_allergy_to_the_study_drug_is_manual() -> None:
    rule = one("Hypersensitivity to the study drug", "exclusion")
    assert isinstance(rule, ManualRule) and "ask the patient" in rule.reason
    assert rule.about == ["condition", "medication"]


def test_allergy_without_an_object_stays_the_allergy_class() -> None:
    rule = one("History of allergies")
    assert isinstance(rule, ConditionRule) and rule.concept == "allergy" and rule.status == "history"


# ---------------------------------------------------------------- causes

def test_cause_is_kept_and_its_causality_is_manual() -> None:
    rule = one("Kidney disease not caused by diabetes or hypertension", "exclusion")
    assert isinstance(rule, AllOf)
    kidney, not_cause = rule.children
    assert isinstance(kidney, ConditionRule) and kidney.concept == "kidney_disease"
    assert isinstance(not_cause, Not) and isinstance(not_cause.child, AllOf)
    causes, judge = not_cause.child.children
    assert isinstance(causes, AnyOf) and [c.concept for c in causes.children] == ["diabetes_mellitus", "hypertension"]
    assert isinstance(judge, ManualRule) and judge.text == "caused by"


def test_cause_written_before_its_effect() -> None:
    rule = one("Current or past history of aspirin-induced asthma", "exclusion")
    asthma, cause = rule.children
    assert isinstance(asthma, ConditionRule) and asthma.concept == "asthma" and asthma.status == "history"
    drug, judge = cause.children
    # the drug was taken at some time; the patient need not take it now
    assert isinstance(drug, MedicationRule) and drug.concept == "aspirin" and drug.status == "ever"
    assert isinstance(judge, ManualRule)


def test_cause_without_an_effect_mention() -> None:
    # "worsening" names no concept: the cause and the clinician's check remain
    rule = one("worsening due to heart failure within 6 months", "exclusion")
    assert isinstance(rule, AllOf)
    hf, judge = rule.children
    assert isinstance(hf, ConditionRule) and hf.concept == "heart_failure" and hf.window.within.value == 6
    assert isinstance(judge, ManualRule) and judge.text == "due to"


# ---------------------------------------------------------------- drug-class and procedure heads

def test_drug_class_head_with_modifiers() -> None:
    rule = one("Current use of ZX9 transferase inhibitors", "exclusion")
    assert isinstance(rule, MedicationRule) and uncoded(rule) and rule.label == "zx9 transferase inhibitors"


def test_drug_class_head_alone_is_not_a_drug() -> None:
    assert extract_concepts("Subjects receiving inhibitors", 0, "exclusion") == []


def test_procedure_head_with_modifier() -> None:
    rule = one("Prior craniosacral therapy", "exclusion")
    assert isinstance(rule, ProcedureRule) and uncoded(rule) and rule.label == "craniosacral therapy"
    # study activities are not procedures of the patient's record
    assert extract_concepts("Able to follow trial procedures", 0, "inclusion") == []


def test_imaging_head_is_marked_imaging() -> None:
    rule = one("pelvic ultrasound within 6 months")
    assert isinstance(rule, ProcedureRule) and "imaging" in rule.classes


def test_generic_drug_words_keep_their_examples() -> None:
    rule = one("Any medication known to prolong QT such as amiodarone", "exclusion")
    generic, drug = rule.children
    assert isinstance(generic, ManualRule) and isinstance(drug, MedicationRule) and drug.concept == "amiodarone"


# ---------------------------------------------------------------- shared heads

def test_items_before_or_share_the_head() -> None:
    rule = one("renal, hepatic, hematologic, neurologic or immune disease", "exclusion")
    assert [x.concept for x in rule.children] == [
        "kidney_disease", "liver_disease", "hematologic_disease", "neurological_disorder", "immune_disease"]


def test_comma_only_items_share_the_head_when_two_or_more() -> None:
    rule = one("hepatic, cardiac, pulmonary, endocrine disease", "exclusion")
    assert [x.concept for x in rule.children] == [
        "liver_disease", "heart_disease", "lung_disease", "endocrine_disorder"]


def test_shared_head_makes_uncoded_items_when_the_lexicon_lacks_them() -> None:
    rule = one("cochlear or ocular dysfunction", "exclusion")
    assert [x.label for x in rule.children] == ["cochlear dysfunction", "ocular dysfunction"]
    assert all(x.codes == [] for x in rule.children)


def test_words_that_only_end_like_a_term() -> None:
    for text in ("for research purposes", "METAVIR score F3", "10 picograms per mL"):
        assert not [x for x in leaves(extract_concepts(text, 0, "exclusion")) if getattr(x, "codes", None) == []], text


def test_endoscopy_is_a_procedure_not_imaging() -> None:
    rule = one("Prior sigmoidoscopy", "exclusion")
    assert isinstance(rule, ProcedureRule) and "imaging" not in rule.classes


def test_a_longer_ellipsis_item_wins_over_one_word() -> None:
    rule = one("Patients who have undergone major organ or bone marrow transplantation", "exclusion")
    assert [x.text for x in rule.children] == ["major organ", "bone marrow transplantation"]
    rule = one("renal, hepatic or immune disease", "exclusion")
    assert [x.concept for x in rule.children] == ["kidney_disease", "liver_disease", "immune_disease"]


def test_more_condition_heads_make_uncoded_conditions_with_their_modifiers() -> None:
    for text, label in (("psychiatric disturbances", "psychiatric disturbances"),
                        ("leptomeningeal involvement", "leptomeningeal involvement"),
                        ("cardiac toxicity", "cardiac toxicity")):  # alone, "toxicity" is a clinician's check
        found = [x for x in leaves(extract_concepts(text, 0, "exclusion")) if getattr(x, "label", None) == label]
        assert found and uncoded(found[0]) and found[0].kind == "condition", text
    # alone, an event or an episode names nothing; with a lexicon word it is that word's concept
    assert not extract_concepts("any event", 0, "exclusion")
    (rule,) = extract_concepts("prior hypoglycemic episodes", 0, "exclusion")
    assert rule.concept == "hypoglycemia" and rule.status == "history"


def test_allergens_that_are_not_drugs_are_read_only_in_the_allergy_list() -> None:
    rule = one("Patients with documented allergies to propofol, eggs or egg products, or soy or soy products",
               "exclusion")
    assert [x.substance for x in rule.children] == ["propofol", "egg", "soy"]
    assert [x.codes[0].code for x in rule.children[1:]] == ["91930004", "714035009"]
    # a substance after another clause, or after words that are not a list, is not an allergen
    assert [x.substance for x in leaves(extract_concepts("Allergy to neomycin; eats fish daily", 0, "exclusion"))
            if isinstance(x, AllergyRule)] == ["neomycin"]
    assert not any(isinstance(x, AllergyRule) and x.substance == "fish" for x in
                   leaves(extract_concepts("Allergy to neomycin in patients who eat fish", 0, "exclusion")))


def test_an_allergy_to_a_drug_or_its_excipients_asks_about_the_excipients() -> None:
    rule = one("Known hypersensitivity to methylphenidate or its excipients", "exclusion")
    assert isinstance(rule, AnyOf) and [x.kind for x in rule.children] == ["allergy", "manual"]
    assert rule.children[1].about == ["medication"] and "ask the patient" in rule.children[1].reason


@pytest.mark.parametrize("text", ["Patients receiving outpatient treatment", "digital intervention within 30 days",
                                  "Spinal conditions"])
def test_a_vague_head_names_a_check_not_a_concept(text: str) -> None:
    # looked up by its words it was unknown for every patient; a clinician judges it
    rules = extract_concepts(text, 0, "inclusion")
    assert rules and all(isinstance(r, ManualRule) for r in rules), rules
