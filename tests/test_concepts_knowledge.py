"""Every entry of the concept lexicons is well formed."""

from __future__ import annotations

import re

import pytest

from eligibility.knowledge.concepts import (
    Lexicon,
    conditions,
    drug_name_tokens,
    icd10_in_range,
    medications,
    normalize,
    procedures,
    triggers,
)

LEXICONS = [conditions, medications, procedures]
ICD_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")


@pytest.mark.parametrize("load", LEXICONS)
def test_codes_have_the_right_shape(load: object) -> None:
    lex: Lexicon = load()  # type: ignore[operator]
    for concept in lex.concepts.values():
        for code in concept.snomed:
            assert code.isdigit() and 6 <= len(code) <= 18, (concept.id, code)
        for code in concept.rxnorm:
            assert code.isdigit() and 1 <= len(code) <= 8, (concept.id, code)
        for spec in concept.icd10cm:
            parts = spec.split("-")
            assert len(parts) in (1, 2), (concept.id, spec)
            for part in parts:
                assert ICD_CODE.match(part), (concept.id, spec)
            if len(parts) == 2:
                assert parts[0] <= parts[1], (concept.id, spec)


@pytest.mark.parametrize("load", LEXICONS)
def test_parents_exist_and_no_cycles(load: object) -> None:
    lex: Lexicon = load()  # type: ignore[operator]
    for concept in lex.concepts.values():
        for parent in concept.parents:
            assert parent in lex, (concept.id, parent)
        assert concept.id not in lex.ancestors(concept.id)


@pytest.mark.parametrize("load", LEXICONS)
def test_every_name_normalizes_to_something(load: object) -> None:
    lex: Lexicon = load()  # type: ignore[operator]
    for concept in lex.concepts.values():
        assert concept.name.strip()
        for name in concept.names():
            assert normalize(name), (concept.id, name)


def test_sizes() -> None:
    assert len(conditions()) >= 250
    ingredients = [c for c in medications().concepts.values() if not c.is_class]
    assert len(ingredients) >= 200
    assert len(procedures()) >= 60


def test_a_name_belongs_to_one_concept() -> None:
    for lex in (conditions(), medications(), procedures()):
        seen: dict[str, str] = {}
        for concept in lex.concepts.values():
            for name in {normalize(n) for n in concept.names()}:
                assert seen.setdefault(name, concept.id) == concept.id, (name, seen[name], concept.id)


def test_classes_named_in_the_brief_exist() -> None:
    for cid in ("malignancy", "autoimmune_disease", "cardiovascular_disease", "chronic_kidney_disease", "liver_disease",
                "infection", "psychiatric_disorder", "neurological_disorder", "metabolic_bone_disease"):
        assert conditions().concepts[cid].is_class
    for cid in ("bisphosphonate", "rankl_inhibitor", "pth_analog", "anticoagulant", "antiplatelet", "corticosteroid",
                "immunosuppressant", "chemotherapy", "insulin", "glp1_agonist", "sglt2_inhibitor", "dpp4_inhibitor",
                "statin", "ace_inhibitor", "arb", "beta_blocker", "antiretroviral", "anti_osteoporosis_drug", "opioid",
                "antiepileptic", "ssri", "antipsychotic", "tnf_inhibitor", "biologic", "estrogen", "vitamin_d",
                "calcium_supplement", "nsaid"):
        assert medications().concepts[cid].is_class, cid


def test_transitive_classes() -> None:
    assert conditions().is_a("colon_cancer", "malignancy")
    assert conditions().is_a("basal_cell_carcinoma", "malignancy")
    assert "colon_cancer" in conditions().descendants("malignancy")
    assert medications().is_a("alendronate", "anti_osteoporosis_drug")
    assert medications().is_a("denosumab", "anti_osteoporosis_drug")
    assert not medications().is_a("aspirin", "anticoagulant")
    assert medications().is_a("aspirin", "antiplatelet")
    assert medications().is_a("natalizumab", "immunosuppressant")


def test_lookups() -> None:
    assert conditions().lookup_name("Chron's disease") == "crohns_disease"
    assert conditions().lookup_name("Diabetes") == "diabetes_mellitus"
    assert conditions().lookup_name("Crohn's disease (disorder)") == "crohns_disease"
    assert medications().lookup_name("Fosamax") == "alendronate"
    assert medications().lookup_name("alendronate sodium") == "alendronate"
    assert "colon_cancer" in conditions().ids_for_code("snomed", "109838007")
    assert "malignancy" in conditions().ids_for_code("icd10cm", "C18.9")
    assert "type_2_diabetes" in conditions().ids_for_code("icd10cm", "E11.65")
    assert "alendronate" in medications().ids_for_code("rxnorm", "46041")


def test_icd_ranges() -> None:
    assert icd10_in_range("C18.9", "C00-C96")
    assert icd10_in_range("C96", "C00-C96")
    assert not icd10_in_range("D03.9", "C00-C96")
    assert icd10_in_range("E11.22", "E11.2")
    assert icd10_in_range("E11.65", "E11")
    assert not icd10_in_range("E10.9", "E11")
    assert icd10_in_range("E10.65", "E10.2-E10.8")


def test_drug_names_in_records() -> None:
    assert drug_name_tokens("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet") == ["metformin"]
    assert medications().find_in_text("Alendronic acid 10 MG Oral Tablet", drug=True) == {"alendronate"}
    assert medications().find_in_text("calcium carbonate 500 MG Oral Tablet", drug=True) == {"calcium_carbonate"}
    found = medications().find_in_text("Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet", drug=True)
    assert found == {"acetaminophen", "hydrocodone"}


def test_triggers_load() -> None:
    t = triggers()
    assert "no history of" in t.negation.pre
    assert "except" in t.exception and "such as" in t.example
    assert "informed consent" in t.manual.consent
