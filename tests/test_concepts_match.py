"""Matching rules to coded facts: by code, by text, by class, minus exceptions."""

from __future__ import annotations

from eligibility.ir.model import Code, ConditionRule, MedicationRule, ProcedureRule
from eligibility.matching.concepts import find_matches
from eligibility.patients.model import Coding, ConditionFact, MedicationFact, ProcedureFact


def cond(rid: str, system: str | None = None, code: str | None = None, display: str | None = None,
         text: str | None = None) -> ConditionFact:
    codes = [Coding(system=system, code=code, display=display)] if system and code else []  # type: ignore[arg-type]
    return ConditionFact(resource_type="Condition", resource_id=rid, codes=codes, text=text)


def med(rid: str, display: str, code: str = "0") -> MedicationFact:
    return MedicationFact(resource_type="MedicationRequest", resource_id=rid,
                          codes=[Coding(system="rxnorm", code=code, display=display)])


def test_code_match_synthea_diabetes() -> None:
    rule = ConditionRule(concept="type_2_diabetes", label="type 2 diabetes mellitus")
    [m] = find_matches(rule, [cond("c1", "snomed", "44054006", "Diabetes")])
    assert m.how == "code"


def test_rule_codes_are_used_even_for_unknown_concepts() -> None:
    rule = ConditionRule(concept="my_thing", codes=[Code(system="snomed", code="12345678")])
    [m] = find_matches(rule, [cond("c1", "snomed", "12345678", "whatever")])
    assert m.how == "code"


def test_icd_prefix_range() -> None:
    rule = ConditionRule(concept="malignancy")
    [m] = find_matches(rule, [cond("c1", "icd10cm", "C50.912")])
    assert m.how in ("code", "class")


def test_class_match_overlapping_colon() -> None:
    rule = ConditionRule(concept="malignancy")
    [m] = find_matches(rule, [cond("c1", "snomed", "109838007", "Overlapping malignant neoplasm of colon")])
    assert m.how == "class" and m.concept == "colon_cancer"


def test_text_match_with_tags_and_zero_width_spaces() -> None:
    rule = ConditionRule(concept="crohns_disease")
    [m] = find_matches(rule, [cond("c1", text="Crohn\u200b's disease (disorder)")])
    assert m.how == "text"


def test_exception_carves_out_a_child() -> None:
    rule = ConditionRule(concept="malignancy", exceptions=["basal_cell_carcinoma", "carcinoma_in_situ"])
    facts = [
        cond("bcc", "snomed", "254701007", "Basal cell carcinoma of skin"),
        cond("cis", text="Carcinoma in situ of cervix"),
        cond("crc", "snomed", "363406005", "Malignant neoplasm of colon"),
    ]
    assert [m.fact.resource_id for m in find_matches(rule, facts)] == ["crc"]


def test_no_match_for_unrelated() -> None:
    rule = ConditionRule(concept="autoimmune_disease")
    assert find_matches(rule, [cond("c1", "snomed", "38341003", "Hypertension")]) == []
    rule2 = ConditionRule(concept="rheumatoid_arthritis")
    [m] = find_matches(ConditionRule(concept="autoimmune_disease"), [cond("c2", "snomed", "69896004", "Rheumatoid arthritis")])
    assert m.how == "class"
    assert find_matches(rule2, [cond("c3", text="Osteoarthritis of knee")]) == []


def test_synthea_clinical_drug_display() -> None:
    rule = MedicationRule(concept="alendronate")
    [m] = find_matches(rule, [med("m1", "Alendronic acid 10 MG Oral Tablet", "904419")])
    assert m.how == "text"
    rule = MedicationRule(concept="metformin")
    [m] = find_matches(rule, [med("m2", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "860975")])
    assert m.how == "text"


def test_drug_class_and_route() -> None:
    facts = [med("alendronate", "Alendronic acid 10 MG Oral Tablet"),
             med("zoledronic", "zoledronic acid 5 MG/100ML Injection")]
    oral = MedicationRule(concept="bisphosphonate", route="oral")
    assert [m.fact.resource_id for m in find_matches(oral, facts)] == ["alendronate"]
    iv = MedicationRule(concept="bisphosphonate", route="intravenous")
    assert [m.fact.resource_id for m in find_matches(iv, facts)] == ["zoledronic"]
    any_route = MedicationRule(concept="anti_osteoporosis_drug")
    assert len(find_matches(any_route, facts)) == 2


def test_systemic_corticosteroids_skip_inhalers() -> None:
    facts = [med("inh", "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler"),
             med("pred", "predniSONE 5 MG Oral Tablet"),
             med("cream", "Hydrocortisone 10 MG/ML Topical Cream")]
    rule = MedicationRule(concept="corticosteroid", route="systemic")
    assert [m.fact.resource_id for m in find_matches(rule, facts)] == ["pred"]
    assert len(find_matches(MedicationRule(concept="corticosteroid"), facts)) == 3


def test_antiplatelet_is_not_anticoagulant() -> None:
    facts = [med("asa", "Aspirin 81 MG Oral Tablet"), med("clop", "Clopidogrel 75 MG Oral Tablet")]
    assert find_matches(MedicationRule(concept="anticoagulant"), facts) == []
    assert len(find_matches(MedicationRule(concept="antiplatelet"), facts)) == 2


def test_procedure_by_code_and_status_code() -> None:
    rule = ProcedureRule(concept="transplantation")
    facts = [
        ProcedureFact(resource_type="Procedure", resource_id="p1",
                      codes=[Coding(system="snomed", code="88039007", display="Transplant of lung (procedure)")]),
        ProcedureFact(resource_type="Procedure", resource_id="p2",
                      codes=[Coding(system="snomed", code="73761001", display="Colonoscopy")]),
    ]
    assert [m.fact.resource_id for m in find_matches(rule, facts)] == ["p1"]


def test_vitamin_b_12_as_synthea_writes_it_is_vitamin_b12() -> None:
    from eligibility.knowledge.concepts import drug_name_tokens, medications

    assert drug_name_tokens("Vitamin B 12 5 MG/ML Injectable Solution") == ["vitamin", "b12"]
    assert medications().find_in_text("Vitamin B 12 5 MG/ML Injectable Solution", drug=True) == {"cyanocobalamin"}
    # a dose after another letter stays a dose
    assert drug_name_tokens("Hepatitis B vaccine 10 MCG") == ["hepatitis", "b", "vaccine"]


def test_a_cast_a_suture_or_a_knee_manipulation_is_no_prior_surgery() -> None:
    # Synthea writes these for sprains and cuts; "prior surgery" in a criterion does not mean them
    def proc(code: str, display: str) -> ProcedureFact:
        return ProcedureFact(resource_type="Procedure", resource_id=code,
                             codes=[Coding(system="snomed", code=code, display=display)])
    facts = [proc("274474001", "Bone immobilization"), proc("288086009", "Suture open wound"),
             proc("699253003", "Surgical manipulation of joint of knee")]
    assert find_matches(ProcedureRule(concept="surgery"), facts) == []
    assert [m.fact.resource_id for m in find_matches(ProcedureRule(concept="bone_immobilization"), facts)] == ["274474001"]
    colectomy = proc("23968004", "Colectomy")
    assert len(find_matches(ProcedureRule(concept="surgery"), [colectomy])) == 1
