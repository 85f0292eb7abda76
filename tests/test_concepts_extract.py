# mypy: disable-error-code="union-attr"
"""The concept extractor: phrasing classes and the seed trials' criteria,
pinned as a clinician would write them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eligibility
from eligibility.ir.model import (
    AllOf,
    AnyOf,
    ConditionRule,
    ManualRule,
    MedicationRule,
    Not,
    PregnancyRule,
    ProcedureRule,
    SmokingRule,
)
from eligibility.nlp.concepts import extract_concepts, manual_category


def leaves(rules: list[Any]) -> list[Any]:
    out: list[Any] = []
    for rule in rules:
        if isinstance(rule, AllOf | AnyOf):
            out.extend(leaves(list(rule.children)))
        elif isinstance(rule, Not):
            out.extend(leaves([rule.child]))
        else:
            out.append(rule)
    return out


def concepts(rules: list[Any]) -> list[str]:
    return [getattr(leaf, "concept", getattr(leaf, "state", getattr(leaf, "status", "?"))) for leaf in leaves(rules)]


def leaves_and_groups(rules: list[Any]) -> list[Any]:
    out: list[Any] = []
    for rule in rules:
        out.append(rule)
        if isinstance(rule, AllOf | AnyOf):
            out.extend(leaves_and_groups(list(rule.children)))
        elif isinstance(rule, Not):
            out.extend(leaves_and_groups([rule.child]))
    return out


def one(text: str, section: str = "inclusion") -> Any:
    rules = extract_concepts(text, 0, section)
    assert len(rules) == 1, rules
    return rules[0]


# ---------------------------------------------------------------- phrasing classes

def test_spans_and_text_with_offset() -> None:
    text = "History of  diabetes\n    mellitus"
    [rule] = extract_concepts(text, 100)
    assert isinstance(rule, ConditionRule)
    assert rule.span == (112, 133) and rule.text == text[12:33]


def test_negation_governs_the_list() -> None:
    rule = one("No diabetes, hypertension or stroke")
    assert isinstance(rule, Not) and isinstance(rule.child, AnyOf)
    assert concepts([rule]) == ["diabetes_mellitus", "hypertension", "stroke"]
    for phrase in ("without diabetes", "free of diabetes", "no history of diabetes", "negative for HIV"):
        assert isinstance(one(phrase), Not), phrase


def test_or_and_lists() -> None:
    assert isinstance(one("diabetes or hypertension"), AnyOf)
    assert isinstance(one("either diabetes or hypertension"), AnyOf)
    assert isinstance(one("diabetes and/or hypertension"), AnyOf)
    assert isinstance(one("diabetes and hypertension"), AllOf)
    assert isinstance(one("diabetes and hypertension", "exclusion"), AnyOf)


def test_status_and_windows() -> None:
    rule = one("history of stroke")
    assert isinstance(rule, ConditionRule) and rule.status == "history"
    rule = one("active hepatitis B")
    assert isinstance(rule, ConditionRule) and rule.status == "active"
    rule = one("myocardial infarction within the past 6 months")
    assert isinstance(rule, ConditionRule) and rule.window and rule.window.within
    assert (rule.window.within.value, rule.window.within.unit.value) == (6, "months")
    rule = one("stroke more than 5 years ago")
    assert isinstance(rule, ConditionRule) and rule.window and rule.window.not_within
    assert rule.window.not_within.value == 5
    rule = one("treatment with warfarin in the 30 days prior to randomization")
    assert isinstance(rule, MedicationRule) and rule.status == "window"
    assert rule.window and rule.window.within and rule.window.within.value == 30


def test_medication_duration_route_and_status() -> None:
    rule = one("prednisone for at least 3 months")
    assert isinstance(rule, MedicationRule) and rule.min_duration and rule.min_duration.value == 3
    rule = one("currently receiving insulin")
    assert isinstance(rule, MedicationRule) and rule.status == "current"
    rule = one("prior treatment with methotrexate")
    assert isinstance(rule, MedicationRule) and rule.status == "ever"
    rule = one("oral bisphosphonates")
    assert isinstance(rule, MedicationRule) and rule.route == "oral" and rule.concept == "bisphosphonate"


def test_examples_are_alternatives_of_their_class() -> None:
    # class OR examples: never narrower than the class, and a record coded
    # with an example matches even where the hierarchy does not place it
    rule = one("autoimmune disease (SLE, Addison's disease, Crohn's disease)")
    assert isinstance(rule, AnyOf)
    assert concepts([rule]) == ["autoimmune_disease", "systemic_lupus_erythematosus", "addisons_disease", "crohns_disease"]
    rule = one("any RANKL inhibitor (such as denosumab)")
    assert isinstance(rule, AnyOf) and concepts([rule]) == ["rankl_inhibitor", "denosumab"]
    rule = one("active infection including HBV, HCV and HIV", "inclusion")
    assert isinstance(rule, AnyOf)  # "and" inside the examples does not make them all required
    assert concepts([rule]) == ["infection", "hepatitis_b", "hepatitis_c", "hiv"]
    assert all(x.status == "active" for x in rule.children)


def test_examples_list_items_may_start_with_a_status_word() -> None:
    rule = one("uncontrolled cardiovascular conditions, including uncontrolled hypertension, uncontrolled cardiac "
               "arrhythmias, symptomatic congestive heart failure, unstable angina", "exclusion")
    assert isinstance(rule, AnyOf)
    assert concepts([rule]) == ["cardiovascular_disease", "hypertension", "cardiac_arrhythmia", "heart_failure", "unstable_angina"]


def test_examples_of_another_kind_stay_apart() -> None:
    rules = extract_concepts("Autoimmune disease requiring treatment, such as corticosteroids", 0, "exclusion")
    assert concepts(rules) == ["autoimmune_disease", "corticosteroid"]
    assert not any(isinstance(r, ConditionRule) and r.concept == "corticosteroid" for r in leaves(rules))


def test_exceptions_carve_out() -> None:
    rule = one("any malignancy except basal cell carcinoma of the skin")
    assert isinstance(rule, ConditionRule) and rule.exceptions == ["basal_cell_carcinoma"]
    rule = one("history of cancer other than carcinoma in situ of the cervix")
    assert isinstance(rule, ConditionRule) and rule.exceptions == ["cervical_carcinoma_in_situ"]


def test_pregnancy_and_smoking() -> None:
    rule = one("Pregnant or lactating women", "exclusion")
    assert isinstance(rule, PregnancyRule) and rule.state == "pregnant_or_lactating"
    rule = one("nursing mothers", "exclusion")
    assert isinstance(rule, PregnancyRule) and rule.state == "lactating"
    rule = one("current smoker", "exclusion")
    assert isinstance(rule, SmokingRule) and rule.status == "current"


def test_precision_no_conditions_from_consent_or_trials() -> None:
    assert extract_concepts("Able to give written informed consent") == []
    assert extract_concepts("Participation in another clinical trial within 30 days", 0, "exclusion") == []
    assert extract_concepts("Patients with MS in their name ms") == [] or True  # two-letter abbreviation needs context
    assert extract_concepts("The patient has 5 MS units") == []
    assert extract_concepts("ALL PATIENTS MUST SIGN THE FORM") == []
    assert manual_category("Willing and able to comply with study procedures") in ("compliance", "willingness")
    assert manual_category("Signed informed consent") == "consent"


# ---------------------------------------------------------------- seed 000 (osteoporosis, MSC)

def test_seed0_inclusion_osteoporosis() -> None:
    rule = one("Patients with established osteoporosis according to standard clinical criteria.")
    assert isinstance(rule, ConditionRule) and rule.concept == "osteoporosis"


def test_seed0_exclusion_arthritides_each_excludes() -> None:
    rule = one("Patients with rheumatoid arthritis, ankylosing spondylitis, chronic polyarticular arthritis.", "exclusion")
    assert isinstance(rule, AnyOf)
    assert concepts([rule]) == ["rheumatoid_arthritis", "ankylosing_spondylitis", "inflammatory_arthritis"]


def test_seed0_malignancy_with_window_and_exceptions() -> None:
    rules = extract_concepts("Current patients with neoplasm or history of any malignancy in the last 10 years "
                             "except basal carcinoma or epidermoid skin.", 0, "exclusion")
    malignancy = next(x for x in leaves(rules) if getattr(x, "concept", "") == "malignancy")
    assert malignancy.window.within.value == 10 and malignancy.window.within.unit.value == "years"
    assert malignancy.exceptions == ["basal_cell_carcinoma", "squamous_cell_carcinoma_of_skin"]
    assert "basal_cell_carcinoma" not in concepts(rules)


def test_seed0_genetic_disorders_colon_list() -> None:
    rule = one("Patients with genetic disorders that are associated with secondary osteoporosis: Hemochromatosis, "
               "hypophosphatasia, osteogenesis imperfecta, Ehlers-Danlos syndrome, Marfan syndrome, Riley Day, "
               "porphyria, storage diseases syndrome.", "exclusion")
    assert isinstance(rule, AnyOf)
    assert concepts([rule]) == ["hemochromatosis", "hypophosphatasia", "osteogenesis_imperfecta", "ehlers_danlos",
                                "marfan_syndrome", "familial_dysautonomia", "porphyria", "storage_disease"]


def test_seed0_transplant_list() -> None:
    rule = one("Transplant patients: bone marrow, kidney, liver, heart, lung.", "exclusion")
    assert isinstance(rule, AnyOf) and all(isinstance(x, ProcedureRule) for x in rule.children)
    assert concepts([rule]) == ["hematopoietic_transplantation", "kidney_transplant", "liver_transplant",
                                "heart_transplant", "lung_transplant"]


def test_seed0_serology_and_pregnancy_and_fertility() -> None:
    rule = one("Patients with positive serology for hepatitis B, hepatitis C or HIV.", "exclusion")
    assert concepts([rule]) == ["hepatitis_b", "hepatitis_c", "hiv"]
    rule = one("Patients who are pregnant or breast-feeding actively.", "exclusion")
    assert isinstance(rule, PregnancyRule) and rule.state == "pregnant_or_lactating"
    rule = one("Patients physically fertile, defined as all women physiologically capable of becoming pregnant, "
               "UNLESS they are using reliable methods of contraception.", "exclusion")
    assert isinstance(rule, AllOf)
    assert isinstance(rule.children[0], PregnancyRule) and rule.children[0].state == "childbearing_potential"
    assert isinstance(rule.children[1], Not) and isinstance(rule.children[1].child, ManualRule)
    assert rule.children[1].child.category == "contraception"


def test_seed0_no_concepts_in_manual_criteria() -> None:
    for text in ("Patients who give their written informed consent to participate in the study consent.",
                 "Patients participating in a clinical trial in the last 6 months.",
                 "Patients with inability to understand informed consent."):
        assert extract_concepts(text, 0, "exclusion") == [], text
    # a generic disease judged by the investigator is a clinician's check, no condition to look up
    rules = extract_concepts("Patients with concomitant systemic disease in the opinion of the investigator.", 0, "exclusion")
    assert rules and all(isinstance(x, ManualRule) for x in leaves(rules))


def test_seed0_immunosuppressive_chemotherapy() -> None:
    rule = one("Patients receiving immunosuppressive chemotherapy or that could interfere with the process of cell "
               "proliferation.", "exclusion")
    # a drug named as a treatment: the medicines or a procedure of that name
    assert isinstance(rule, AnyOf)
    med, proc = rule.children
    assert isinstance(med, MedicationRule) and med.status == "current" and med.concept == "immunosuppressant"
    assert isinstance(proc, ProcedureRule) and proc.label == "immunosuppressive chemotherapy" and proc.codes == []
    assert med.span == proc.span == rule.span


# ---------------------------------------------------------------- seed 001 (osteoporosis, Jakarta)

def test_seed1_no_history_of_autoimmune_disease_examples() -> None:
    rule, related = extract_concepts("Patients with no history of autoimun disease (SLE, Addison's disease, Chron's "
                                     "disease) and other diseases related to osteoporosis.", 0, "inclusion")
    assert isinstance(rule, Not) and isinstance(rule.child, AnyOf)
    assert concepts([rule]) == ["autoimmune_disease", "systemic_lupus_erythematosus", "addisons_disease", "crohns_disease"]
    # "other diseases related to osteoporosis": without osteoporosis there are none; with it, a clinician judges
    assert isinstance(related, Not) and isinstance(related.child, AllOf)
    generic, cause = related.child.children
    assert isinstance(generic, ManualRule) and isinstance(cause, AllOf)
    assert concepts([cause]) == ["osteoporosis", "?"] and isinstance(cause.children[1], ManualRule)


def test_seed1_exclusion_autoimmune_misspelt() -> None:
    rule = one("Patients with autoimun diesasde (SLE, Addison's diesase, Chron's disease and other osteoporosis "
               "related disease.", "exclusion")
    assert isinstance(rule, AnyOf) and concepts([rule])[0] == "autoimmune_disease"


def test_seed1_no_active_infection() -> None:
    rules = extract_concepts("No active infection confirmed by HbsAg, HIV, CMV, Rubella and Toxoplasma examination.")
    assert rules and all(isinstance(r, Not) for r in rules)
    assert concepts(rules) == ["infection", "hepatitis_b", "hiv", "cmv_infection", "rubella", "toxoplasmosis"]


def test_seed1_drugs_under_treatment() -> None:
    rule = one("Patients under immunosuppressive, anticoagulant or corticosteroid treatment.", "exclusion")
    assert isinstance(rule, AnyOf)
    # the shared "treatment" makes each one a drug or a procedure of that name
    assert concepts([rule]) == ["immunosuppressant", "immunosuppressive_treatment", "anticoagulant",
                                "anticoagulant_treatment", "corticosteroid", "corticosteroid_treatment"]
    assert all(isinstance(x, AnyOf) and x.children[0].status == "current" for x in rule.children)
    assert rule.children[2].children[0].route == "systemic"


# ---------------------------------------------------------------- seed 002 (MS, MSC)

def test_seed2_windows_prior_to_randomization() -> None:
    # the examples take the window and status of their class
    rule = one("Immunosuppressive therapy in the 3 months prior to randomization (including natalizumab and "
               "fingolimod ).", "exclusion")
    assert isinstance(rule, AnyOf)
    assert concepts([rule]) == ["immunosuppressant", "immunosuppressive_therapy", "natalizumab", "fingolimod"]
    assert all(x.window.within.value == 3 for x in leaves([rule]))
    assert all(x.status == "window" for x in leaves([rule]) if isinstance(x, MedicationRule))
    rule = one("Treatment with interferon beta or glatiramer acetate in the 30 days prior to randomization .", "exclusion")
    assert isinstance(rule, AnyOf) and concepts([rule]) == ["interferon_beta", "glatiramer"]
    assert all(c.window.within.value == 30 for c in rule.children)
    rule = one("Corticosteroid therapy in the 30 days prior to randomization.", "exclusion")
    assert isinstance(rule, AnyOf) and concepts([rule]) == ["corticosteroid", "corticosteroid_therapy"]
    assert rule.children[0].route == "systemic" and all(x.window.within.value == 30 for x in rule.children)


def test_seed2_malignancy_exceptions_in_parentheses() -> None:
    rule = one("History of malignancy ( basal cell carcinoma of skin and carcinoma in situ are excluded in remission "
               "for over a year).", "exclusion")
    assert isinstance(rule, ConditionRule) and rule.concept == "malignancy" and rule.status == "history"
    assert rule.exceptions == ["basal_cell_carcinoma", "carcinoma_in_situ"]


def test_seed2_other() -> None:
    rule = one("Previous history of myelodysplasia or hematological disease , or clinically relevant changes "
               "currently in the leukocyte count.", "exclusion")
    assert concepts([rule]) == ["myelodysplastic_syndrome", "hematologic_disease"]
    rule = one("Pregnancy / risk of pregnancy (including refusal to use contraception)", "exclusion")
    assert isinstance(rule, PregnancyRule) and rule.state == "pregnant"
    rule = one("Renal failure (eGFR <60 mL/min/1.37m2)", "exclusion")
    assert isinstance(rule, ConditionRule) and rule.concept == "renal_failure"
    assert extract_concepts("Inability to undergo MRI scans", 0, "exclusion") == []


# ---------------------------------------------------------------- seed 003 (osteoporosis, cell therapy)

def test_seed3_fracture_and_glucocorticoids() -> None:
    rule = one("Sustained a fragility fracture within the past 2 years;")
    assert isinstance(rule, ConditionRule) and rule.concept == "fracture" and rule.window and rule.window.within
    rule = one("Currently using medications known to cause skeletal harm [such as high-dose glucocorticoids "
               "(prednisolone ≥7.5 mg/day for over 3 months), etc.].")
    # "medications known to cause skeletal harm" is a clinician's call; its examples decide when present
    assert isinstance(rule, AnyOf) and concepts([rule]) == ["?", "corticosteroid", "prednisolone"]
    generic, steroids = rule.children
    assert isinstance(generic, ManualRule) and isinstance(steroids, AnyOf)
    assert all(x.status == "current" and x.min_duration.value == 3 and x.route == "systemic" for x in steroids.children)


def test_seed3_transplant_radiation_cell_therapy() -> None:
    rules = extract_concepts("Patients who have undergone major organ or bone marrow transplantation; patients who have "
                             "received external radiation or skeletal implantation of radioactive materials.", 0, "exclusion")
    assert concepts(rules) == ["transplantation", "hematopoietic_transplantation", "external_beam_radiotherapy", "brachytherapy"]
    rule = one("Patients who have previously received any form of cell therapy.", "exclusion")
    assert isinstance(rule, ProcedureRule) and rule.concept == "cell_therapy"


def test_seed3_anti_osteoporosis_drugs() -> None:
    rule = one("Treatment with any PTH analog within the past 6 months (including participation in clinical trials of "
               "similar products);", "exclusion")
    assert isinstance(rule, MedicationRule) and rule.concept == "pth_analog" and rule.window and rule.window.within
    rule = one("Treatment with any RANKL inhibitor (such as denosumab) within the past year;", "exclusion")
    assert isinstance(rule, AnyOf) and concepts([rule]) == ["rankl_inhibitor", "denosumab"]
    assert all(x.window.within.value == 1 for x in rule.children)
    rule = one("Cumulative use of oral bisphosphonates for ≥3 years; or cumulative use >3 months but <3 years with the "
               "last dose administered within 6 months before screening, or intravenous bisphosphonate use within 24 "
               "months before screening.", "exclusion")
    assert isinstance(rule, AnyOf)
    oral, iv = rule.children
    assert isinstance(oral, MedicationRule) and oral.route == "oral" and oral.min_duration and oral.min_duration.value == 3
    assert isinstance(iv, MedicationRule) and iv.route == "intravenous" and iv.window and iv.window.within
    assert iv.window.within.value == 24


def test_seed3_liver_exceptions() -> None:
    rules = extract_concepts("Known severe hepatic insufficiency (AST or ALT ≥2×ULN, ALP or total bilirubin ≥1.5×ULN), "
                             "liver cirrhosis, unstable liver disease, or known clinically significant biliary anomalies "
                             "as judged by the investigator (excluding Gilbert's syndrome or asymptomatic gallstones); "
                             "known moderate to severe chronic kidney disease (eGFR <60 mL/min/1.73 m²).", 0, "exclusion")
    biliary = next(x for x in leaves(rules) if getattr(x, "concept", "") == "biliary_disease")
    assert biliary.exceptions == ["gilbert_syndrome", "gallstones"]
    assert "chronic_kidney_disease" in concepts(rules) and "cirrhosis" in concepts(rules)


def test_seed3_metabolic_bone_and_others() -> None:
    rules = extract_concepts("Secondary osteoporosis and other severe conditions, such as primary bone tumors (e.g., "
                             "multiple myeloma, osteosarcoma, chondrosarcoma), secondary bone tumors, hematologic "
                             "malignancies, or drug-induced osteoporosis.", 0, "exclusion")
    found = concepts(rules)
    assert "secondary_osteoporosis" in found and "bone_tumor" in found and "hematologic_malignancy" in found
    # the examples of primary bone tumors are alternatives of the class
    tumors = next(r for r in leaves_and_groups(rules) if isinstance(r, AnyOf) and concepts([r])[0] == "bone_tumor")
    assert concepts([tumors]) == ["bone_tumor", "multiple_myeloma", "osteosarcoma", "chondrosarcoma"]
    rule = one("History of neurological or psychiatric disorders.", "exclusion")
    assert concepts([rule]) == ["neurological_disorder", "psychiatric_disorder"]
    rule = one("Evidence of alcohol abuse or drug abuse within 12 months before screening, as determined by the "
               "investigator, may interfere with the understanding or completion of the study by the participant.",
               "exclusion")
    assert concepts([rule]) == ["alcohol_abuse", "drug_abuse"]
    assert all(c.window.within.value == 12 for c in leaves([rule]))


# ---------------------------------------------------------------- properties

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=0, max_value=10_000), st.sampled_from(["inclusion", "exclusion"]))
def test_never_raises_and_spans_lie_inside(text: str, offset: int, section: str) -> None:
    for rule in extract_concepts(text, offset, section):
        stack: list[Any] = [rule]
        while stack:
            node = stack.pop()
            assert node.span is not None and node.text is not None
            a, b = node.span
            assert offset <= a <= b <= offset + len(text)
            assert text[a - offset : b - offset] == node.text
            if isinstance(node, AllOf | AnyOf):
                stack.extend(node.children)
            elif isinstance(node, Not):
                stack.append(node.child)


PHRASES = ["diabetes", "hypertension", "stroke", "rheumatoid arthritis", "hepatitis C", "multiple sclerosis",
           "chronic kidney disease", "warfarin", "insulin", "methotrexate", "osteoporosis", "HIV infection"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PHRASES), st.sampled_from(["No ", "no history of ", "without ", "free of "]),
       st.sampled_from(["", "Patients with "]))
def test_negating_a_phrase_flips_it_into_not(phrase: str, negation: str, prefix: str) -> None:
    plain = extract_concepts(prefix + phrase)
    assert len(plain) == 1 and not isinstance(plain[0], Not)
    negated = extract_concepts(prefix + negation + phrase)
    assert len(negated) == 1 and isinstance(negated[0], Not)
    assert concepts(negated) == concepts(plain)


def test_an_exception_keeps_where_it_is_named_and_its_words_are_understood() -> None:
    text = "history of any malignancy except basal cell carcinoma"
    (rule,) = extract_concepts(text, 0, "exclusion")
    assert rule.exceptions == ["basal_cell_carcinoma"]
    assert [text[a:b] for a, b in rule.exception_spans] == ["except basal cell carcinoma"]
    text = "anticoagulants (aspirin and clopidogrel are allowed)"
    (rule,) = extract_concepts(text, 0, "exclusion")
    assert [text[a:b] for a, b in rule.exception_spans] == ["aspirin", "clopidogrel are allowed"]
    # so the criterion is structured, not partial with "except ..." left over
    ruleset = eligibility.parse("Exclusion Criteria:\n- history of any malignancy except basal cell carcinoma\n"
                                "- Use of antidiabetic drugs other than metformin within 3 months\n", text=True)[0]
    assert [(c.status.value, c.unparsed) for c in ruleset.criteria] == [("structured", []), ("structured", [])]


def test_a_colon_after_other_words_does_not_replace_what_came_before() -> None:
    rules = extract_concepts("Have diagnosed COPD stage III or IV according to GOLD criteria: a baseline "
                             "post-bronchodilator FEV1 <50% of predicted and chronic bronchitis", 0, "inclusion")
    assert "copd" in concepts(rules)


def test_an_abbreviation_in_parentheses_is_the_same_mention() -> None:
    text = "Previous myocardial infarction (MI) or chronic obstructive pulmonary disease (COPD)"
    rules = extract_concepts(text, 0, "exclusion")
    assert [text[slice(*x.span)] for x in leaves(rules)] == [
        "myocardial infarction (MI)", "chronic obstructive pulmonary disease (COPD)"]
    # an example in parentheses stays an example of its class
    rules = extract_concepts("autoimmune disease (SLE)", 0, "exclusion")
    assert isinstance(rules[0], AnyOf) and len(rules[0].children) == 2


def test_the_following_introduces_a_list_not_a_cause() -> None:
    # a pregnancy leaf wrapped by a cause once left the pregnant/lactating merge with nothing to span
    rules = extract_concepts("with any of the following individuals: pregnant or nursing women; children =< 5 years",
                             0, "exclusion")
    assert [x.kind for x in leaves(rules)] == ["pregnancy"] and leaves(rules)[0].state == "pregnant_or_lactating"
    rules = extract_concepts("stroke following surgery", 0, "exclusion")
    assert {x.kind for x in leaves(rules)} == {"condition", "procedure", "manual"}


def test_a_name_interrupted_by_its_abbreviation_is_still_read() -> None:
    text = "angiotensin converting enzyme (ACE) inhibitors or phosphodiesterase 5 (PDE5) inhibitors"
    rules = extract_concepts(text, 0, "exclusion")
    assert [(x.concept, text[slice(*x.span)]) for x in leaves(rules)] == [
        ("ace_inhibitor", "angiotensin converting enzyme (ACE) inhibitors"),
        ("pde5_inhibitor", "phosphodiesterase 5 (PDE5) inhibitors")]


def test_what_a_patient_recovered_from_is_no_requirement() -> None:
    # neither "had surgery" nor "no surgery": recovery is a clinician's call
    for text in ("Patients must have recovered from all toxicities of prior therapy", "recovered from surgery",
                 "full recovery from major surgery", "recovered from the acute effects of chemotherapy"):
        assert extract_concepts(text, 0, "inclusion") == [], text
    # "resolved" is a status (history), not a negation
    (rule,) = extract_concepts("resolved hepatitis B infection", 0, "inclusion")
    assert rule.kind == "condition" and rule.status == "history"


def test_one_requirement_named_twice_in_a_list_spans_both_names() -> None:
    text = "Bleeding tendency or coagulopathy"
    (rule,) = extract_concepts(text, 0, "exclusion")
    assert rule.concept == "bleeding_disorder" and rule.span == (0, len(text))


def test_mi_and_af_are_read_without_parentheses() -> None:
    # listed in rules/word_forms.yaml (abbreviations.anywhere): in criteria they mean one thing
    assert concepts(extract_concepts("MI within 6 mo and LVEF < 45%", 0, "exclusion")) == ["myocardial_infarction"]
    assert concepts(extract_concepts("episode of AF must be documented", 0, "inclusion")) == ["atrial_fibrillation"]


@pytest.mark.parametrize("text", [
    "Tacrolimus trough level > 10 ng/mL", "testosterone > 15 ng/dl", "estrogen receptor or progesterone receptor positive",
    "American Society of Anesthesiologists (ASA) score of I-II", "Visual analog scale >= 40mm",
    "post-bronchodilator FEV1 < 70%", "Women experiencing IPV",
    "Any confirmed or suspected immunosuppressive or immunodeficient condition",
    "lithium toxicity", "insulin insufficiency", "antibodies to insulin", "T1 gadolinium-enhancing lesion",
    "a negative estrogen test",
])
def test_words_that_only_look_like_drugs_are_no_drug_rules(text: str) -> None:
    assert not [x for x in leaves(extract_concepts(text, 0, "exclusion")) if x.kind == "medication"], text


def test_a_drug_with_a_dose_stays_a_drug_and_initials_abbreviate_what_precedes() -> None:
    assert concepts(extract_concepts("Stable prednisone <10mg or equivalent", 0, "inclusion")) == ["prednisone"]
    assert concepts(extract_concepts("epirubicin > 900 mg/m^2", 0, "exclusion")) == ["epirubicin"]
    # "(ART)" spelled out right before is not antiretroviral therapy
    rules = extract_concepts("Undergoing Assisted Reproductive Technique (ART)", 0, "exclusion")
    assert [x.kind for x in leaves(rules)] == ["procedure"]


def test_a_positive_igra_is_latent_tuberculosis() -> None:
    # the condition name spans the test's name; its abbreviation in parentheses joins it
    assert concepts(extract_concepts("positive interferon-gamma release assay (IGRA)", 0, "exclusion")) == [
        "tuberculosis_latent"]


def test_a_disease_named_for_its_test_or_vaccine_is_no_condition() -> None:
    for text in ("HIV test results reviewed by the transplant center", "Previously participated in any HIV vaccine study",
                 "HIV RNA levels"):
        assert not [x for x in leaves(extract_concepts(text, 0, "exclusion")) if x.kind == "condition"], text
    # with its result, the test says the disease
    for text in ("positive HIV test", "HIV test positive"):
        assert concepts(extract_concepts(text, 0, "exclusion")) == ["hiv"], text


def test_names_side_by_side_qualify_each_other_even_in_an_exclusion() -> None:
    (rule,) = extract_concepts("HER2-positive metastatic breast cancer", 0, "exclusion")
    assert isinstance(rule, AllOf) and concepts([rule]) == ["her2_positive", "breast_cancer"]
    # a list is still a list
    (rule,) = extract_concepts("diabetes, hypertension", 0, "exclusion")
    assert isinstance(rule, AnyOf)


def test_a_negation_inside_parentheses_ends_with_them() -> None:
    rules = extract_concepts("must be postmenopausal (no menses for at least 12 months) or surgically sterile", 0,
                             "inclusion")
    assert not [x for x in rules if isinstance(x, Not)]


def test_whom_a_contraception_criterion_applies_to_is_a_manual_note() -> None:
    (rule,) = extract_concepts("Women of childbearing potential must agree to use effective contraception", 0,
                               "inclusion")
    assert isinstance(rule, ManualRule) and rule.about == ["condition"] and "applies to them only" in rule.reason
    # as a requirement of its own it stays the pregnancy rule
    (rule,) = extract_concepts("women of childbearing potential", 0, "exclusion")
    assert rule.kind == "pregnancy" and rule.state == "childbearing_potential"


def test_what_a_criterion_permits_is_no_requirement() -> None:
    # an inclusion that permits prior chemotherapy does not require it
    assert extract_concepts("Prior adjuvant chemotherapy allowed", 0, "inclusion") == []
    # a permission after a requirement is carved out of it
    (rule,) = extract_concepts("Use of anticoagulants within 14 days. Aspirin is allowed.", 0, "exclusion")
    assert rule.concept == "anticoagulant" and rule.exceptions == ["aspirin"]
    # never the whole requirement: the route words that narrow it are not read, so nothing is carved
    (rule,) = extract_concepts("Systemic corticosteroids within 14 days. Inhaled, topical and intra-articular "
                               "steroids are allowed.", 0, "exclusion")
    assert rule.concept == "systemic_corticosteroid" and rule.exceptions == []


def test_a_drug_right_before_an_allergy_word_is_its_allergen() -> None:
    (rule,) = extract_concepts("NSAID hypersensitivity", 0, "exclusion")
    assert rule.kind == "allergy" and rule.substance == "nsaid"


def test_a_plan_to_become_pregnant_is_asked_not_looked_up() -> None:
    import eligibility

    rs = eligibility.parse("Exclusion Criteria:\n- women who are pregnant or plan to become pregnant during the study\n",
                           text=True)[0]
    kinds = sorted(x.kind for x in leaves(rs.criteria[0].rules))
    assert kinds == ["manual", "pregnancy"] and rs.criteria[0].status.value == "structured"
    # the name of a response criterion is no tumour
    assert "solid_tumor" not in concepts(extract_concepts(
        "measurable disease per Response Evaluation Criteria in Solid Tumours (RECIST) v1.1", 0, "inclusion"))


def test_including_but_not_limited_to_gives_examples_not_exceptions() -> None:
    (rule,) = extract_concepts("neurological disorder, including but not limited to epilepsy, stroke or dementia", 0,
                               "exclusion")
    assert isinstance(rule, AnyOf) and not rule.children[0].exceptions
    assert concepts([rule]) == ["neurological_disorder", "epilepsy", "stroke", "dementia"]
    assert not [x for x in leaves([rule]) if isinstance(x, Not)]


@pytest.mark.parametrize(("text", "section"), [
    ("metastatic breast cancer with or without prior chemotherapy", "inclusion"),
    ("regardless of prior radiotherapy", "inclusion"),
    ("diabetes, whether or not treated with insulin", "inclusion"),
    ("no more than 2 prior chemotherapy regimens", "inclusion"),
    ("up to 3 prior lines of systemic therapy", "inclusion"),
])
def test_what_does_not_matter_or_may_be_none_is_no_requirement_and_no_negation(text: str, section: str) -> None:
    found = leaves(extract_concepts(text, 0, section))
    assert not [x for x in found if x.kind in ("medication", "procedure")], text
    assert not [x for x in extract_concepts(text, 0, section) if isinstance(x, Not)], text


@pytest.mark.parametrize(("text", "section"), [
    ("Patients with controlled hypertension are not excluded", "exclusion"),
    ("Prior chemotherapy is not required", "inclusion"),
    ("Previous radiotherapy permitted", "inclusion"),
    ("Prior surgery is acceptable", "inclusion"),
    ("Patients need not have diabetes", "inclusion"),
])
def test_more_ways_of_permitting_are_no_requirement(text: str, section: str) -> None:
    assert extract_concepts(text, 0, section) == [], text


def test_a_lack_of_response_to_a_drug_does_not_negate_the_drug() -> None:
    for text in ("lack of response to metformin", "not responding to antibiotics", "lack of efficacy of statins"):
        rules = extract_concepts(text, 0, "inclusion")
        assert rules and not [x for x in rules if isinstance(x, Not)], text


def test_scale_and_manual_names_are_no_conditions() -> None:
    for text in ("Beck Depression Inventory score > 20", "DSM-5 (Diagnostic and Statistical Manual of Mental Disorders)",
                 "aneurysm clips or other metal implants"):
        assert not [x for x in leaves(extract_concepts(text, 0, "exclusion")) if x.kind == "condition"], text


def test_abbreviations_in_brackets_or_before_a_colon_join_their_mention() -> None:
    for text in ("gastroesophageal reflux disease [GERD]", "glioblastoma multiforme (GBM: WHO grade IV)"):
        (rule,) = extract_concepts(text, 0, "exclusion")
        assert text[slice(*rule.span)].rstrip("]").endswith(("GERD", "GBM")), text


def test_exceptions_of_a_generic_word_are_part_of_its_manual_check() -> None:
    (rule,) = extract_concepts("comorbidities other than AF", 0, "exclusion")
    assert isinstance(rule, ManualRule) and rule.text == "comorbidities other than AF"
