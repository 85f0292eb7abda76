"""Words that look like a drug but are not one in criteria: each wrong drug
rule could exclude or include a patient wrongly. Found on the Chia corpus
(false medication readings) and fixed in rules/medications.yaml,
rules/procedures.yaml and the drug / procedure sections of
rules/word_forms.yaml."""

from __future__ import annotations

import pytest

from eligibility.nlp.concepts import extract_concepts
from tests.test_concepts_extract import leaves


def kinds(text: str, section: str = "inclusion") -> list[tuple[str, str]]:
    """(kind, concept or substance) of every leaf."""
    out: list[tuple[str, str]] = []
    for leaf in leaves(extract_concepts(text, 0, section)):
        kind = getattr(leaf, "kind", "?")
        out.append((kind, getattr(leaf, "concept", None) or getattr(leaf, "substance", None) or ""))
    return out


def drugs(text: str, section: str = "inclusion") -> list[str]:
    return [c for k, c in kinds(text, section) if k in ("medication", "allergy")]


def procedures(text: str, section: str = "inclusion") -> list[str]:
    return [c for k, c in kinds(text, section) if k == "procedure"]


# ---------------------------------------------------------------- antibodies are laboratory findings

@pytest.mark.parametrize("text", [
    "Panel Reactive Antibody (PRA) < 30%.",
    "Positive Anti-Mitochondrial Antibodies (AMA) titers",
    "Positive serum antibody against Hep B surface antigen",
    "positive total hepatitis B core antibody and negative HBsAg",
    "Presence of anti-thyroid peroxidase antibody",
    "Positive antinuclear antibodies",
])
def test_antibody_findings_are_not_drugs(text: str) -> None:
    assert drugs(text, "exclusion") == []


def test_antibody_drugs_still_read() -> None:
    assert drugs("Prior treatment with an anti-CD20 antibody", "exclusion")
    assert drugs("Prior monoclonal antibodies", "exclusion")
    assert drugs("Treatment with zorbikumab", "exclusion")  # "-mab" stem


# ---------------------------------------------------------------- preparations

@pytest.mark.parametrize("text", [
    "Incapable of completing bowel preparation",
    "Other reason indicating mechanical preparation",
])
def test_preparation_is_not_a_drug(text: str) -> None:
    assert drugs(text, "exclusion") == []


def test_bowel_preparation_is_a_procedure() -> None:
    assert procedures("Inadequate bowel preparation", "exclusion") == ["bowel_preparation"]


# ---------------------------------------------------------------- tests and devices named after a drug

@pytest.mark.parametrize(("text", "procedure"), [
    ("an interferon-gamma release assay (IGRA) at screening", "interferon_gamma_release_assay"),
    ("Sweat chloride >= 60 mEq/L by quantitative pilocarpine iontophoresis test", "sweat_test"),
    ("Prior adenosine stress test", "exercise_test"),
    ("Prior PCI with an everolimus-eluting stent", "stent_placement"),
    ("Undergoing an assisted reproductive technique", "assisted_reproduction"),
    ("core cut biopsy of the breast", "biopsy"),
])
def test_procedure_named_after_a_drug(text: str, procedure: str) -> None:
    assert procedure in procedures(text, "exclusion")
    assert drugs(text, "exclusion") == []


def test_spontaneous_echo_contrast_is_a_finding() -> None:
    assert "ultrasound_contrast" not in drugs("presence of spontaneous echo contrast on echocardiography", "exclusion")
    assert drugs("Allergy to echo contrast agents", "exclusion")


# ---------------------------------------------------------------- right class, not a wrong one

def test_insulin_sensitizer_is_not_insulin() -> None:
    found = drugs("Insulin sensitizing treatment within 3 months", "exclusion")
    assert "insulin" not in found and "insulin_sensitizer" in found


def test_aldosterone_receptor_antagonist() -> None:
    found = drugs("Use of an aldosterone receptor antagonist", "exclusion")
    assert found == ["potassium_sparing_diuretic"]


# ---------------------------------------------------------------- a drug's name in a test's name

@pytest.mark.parametrize("text", [
    "Must have a negative serum beta human chorionic gonadotropin (HCG) pregnancy test",
    "negative pregnancy test (urine beta-human chorionic gonadotropin) at screening",
])
def test_hcg_pregnancy_test_is_not_the_drug(text: str) -> None:
    assert drugs(text) == [] and procedures(text) == ["pregnancy_test"]


def test_hcg_the_drug_still_read() -> None:
    assert drugs("Prior treatment with human chorionic gonadotropin", "exclusion") == ["hcg"]


def test_fdg_pet_is_imaging_not_a_drug() -> None:
    assert drugs("Measurable disease on FDG-PET scan") == [] and procedures("Measurable disease on FDG-PET scan") == ["pet_scan"]
    # with its finding, the scan is no procedure to have had: a clinician reads the finding
    assert drugs("18F-FDG PET/CT positive lesion") == [] and procedures("18F-FDG PET/CT positive lesion") == []


# ---------------------------------------------------------------- acronyms written in mixed case are case-sensitive

@pytest.mark.parametrize("text", [
    "Enrolled in an ERAS protocol",  # enhanced recovery after surgery, not endothelin receptor antagonists
    "vocal cord dysfunction (VCD)",
    "RVD on echocardiography",  # right ventricular dysfunction, not the VRd regimen
    "a crash cart in the unit",
])
def test_words_that_match_a_mixed_case_acronym(text: str) -> None:
    assert drugs(text, "exclusion") == []


@pytest.mark.parametrize(("text", "drug"), [
    ("patients on ERAs", "endothelin_receptor_antagonist"),
    ("on cART for 6 months", "antiretroviral"),
    ("induction with VRd", "vrd"),
    ("VCd induction", "vcd"),
    ("prior NUCs for hepatitis B", "hbv_nucleoside_analogue"),
])
def test_mixed_case_acronyms_still_read(text: str, drug: str) -> None:
    assert drugs(text, "exclusion") == [drug]


@pytest.mark.parametrize(("text", "procedure"), [
    ("cosyntropin stimulation test", "acth_stimulation_test"),
    ("short Synacthen test", "acth_stimulation_test"),
    ("insulin tolerance test", "insulin_tolerance_test"),
])
def test_stimulation_tests_are_procedures(text: str, procedure: str) -> None:
    assert drugs(text, "exclusion") == [] and procedures(text, "exclusion") == [procedure]


def test_cough_stress_test_is_not_a_cardiac_stress_test() -> None:
    assert procedures("Demonstrate a positive cough stress test during urodynamic testing", "inclusion")[0] == "cough_stress_test"
    assert procedures("History of treadmill stress test", "exclusion") == ["exercise_test"]
    # with its finding, a clinician reads the result: no test to have had
    assert procedures("abnormality on treadmill stress test", "exclusion") == []


@pytest.mark.parametrize("text", [
    "recurrent or persistent platinum-resistant epithelial ovarian cancer",
    "Subjects with platinum-refractory disease",
    "Positive alcohol or nicotine screen",
])
def test_a_drug_naming_a_resistance_or_a_screen_is_no_drug(text: str) -> None:
    assert drugs(text, "inclusion") == []


@pytest.mark.parametrize("text", ["admission to the Princess Margaret Cancer Centre",
                                  "Patients treated at the National Cancer Institute"])
def test_an_institution_named_for_a_disease_is_no_disease(text: str) -> None:
    assert kinds(text, "inclusion") == []
