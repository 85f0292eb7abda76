"""Round 3 of the conditions lexicon: lumped entries split so a criterion
names the right disease (claustrophobia is no social anxiety disorder,
asplenia no splenomegaly, the varicella zoster virus no shingles alone),
lab names that are no disease, and named diseases criteria use that the
lexicon lacked."""

from __future__ import annotations

import pytest

from eligibility.knowledge.concepts import conditions
from tests.test_lexicon_content import _concepts as concepts_of


def _concepts(text: str, section: str = "inclusion") -> set[str]:
    return concepts_of(text, section)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # split entries: each name reads as its own disease
        ("Claustrophobia precluding MRI", "claustrophobia"),
        ("History of social phobia", "social_anxiety_disorder"),
        ("Agoraphobia with panic attacks", "agoraphobia"),
        ("Functional asplenia or prior splenectomy", "asplenia"),
        ("Hypersplenism with platelets below 50,000", "hypersplenism"),
        ("Enlarged spleen on examination", "splenomegaly"),
        ("Right ventricular (RV) dysfunction on echocardiography", "right_ventricular_dysfunction"),
        ("Active infection with varicella-zoster virus", "varicella_zoster_infection"),
        ("Herpes zoster within the last 3 months", "herpes_zoster"),
        ("Acute bacterial skin and skin structure infection (ABSSSI)", "skin_infection"),
        ("Cellulitis of the lower limb", "cellulitis"),
        ("Erysipelas requiring IV antibiotics", "erysipelas"),
        ("Bacterial vaginosis by Amsel criteria", "bacterial_vaginosis"),
        ("Vulvovaginal candidiasis at screening", "vulvovaginal_candidiasis"),
        ("Abnormal karyotype in favor of Turner syndrome", "chromosomal_abnormality"),
        # named diseases, findings, abbreviations
        ("CHB patients who had received nucleoside analogues", "hepatitis_b"),
        ("HBeAg positive for more than 6 months", "hepatitis_b"),
        ("Relapsed NHL or HL confirmed by histopathology", "hodgkin_lymphoma"),
        ("FL grade 1-3A or other iNHL", "indolent_non_hodgkin_lymphoma"),
        ("Relapsed indolent lymphoma after two lines", "indolent_non_hodgkin_lymphoma"),
        ("Aggressive B-cell lymphoma in first relapse", "aggressive_non_hodgkin_lymphoma"),
        ("Castration-resistant metastatic prostate cancer", "prostate_cancer"),
        ("M3 marrow on day 15", "m3_marrow"),
        ("Suffering major events or having mood swings", "mood_swings"),
        ("Swelling of the mouth after egg products", "oral_swelling"),
        ("Scar diathesis", "keloid"),
        ("Symptomatic Dupuytrens contracture with palpable cord", "dupuytren"),
        ("Symptomatic Dupuytrens contracture with palpable cord", "palpable_cord"),
        ("History of gastrointestinal bleeding or perforation", "perforation"),
        ("Epilepsy partial seizure subjects", "focal_epilepsy"),
        ("Methadone-maintained cocaine-dependent patients", "cocaine_use_disorder"),
        ("Methamphetamine dependence", "amphetamine_use_disorder"),
        ("Severely alpha-1-antitrypsin deficient (PI SZ or ZZ)", "alpha1_antitrypsin_deficiency"),
        ("Underlying lung or heart disase", "heart_disease"),
        ("Any chemotherapy for MBC", "breast_cancer"),
        ("Severe HTA or severe angor", "hypertension"),
        ("Severe HTA or severe angor", "angina"),
        ("Idiopathic pulmonary arterial hypertension", "idiopathic_pulmonary_arterial_hypertension"),
        ("End stage chronic renal disease on dialysis", "end_stage_renal_disease"),
        ("Impaired glucose homeostasis", "prediabetes"),
        ("Basal carcinomas that have been treated", "basal_cell_carcinoma"),
        ("Uncontrolled infection including abcesses", "abscess"),
        ("History of contrast-induced nephropathy", "contrast_induced_nephropathy"),
        ("Bowel obstruction or bowel strangulation", "bowel_strangulation"),
        ("Mass lesion predisposing to brain herniation", "brain_herniation"),
        ("History of neurological injury", "neurological_injury"),
        ("Excessive freckles in the test area", "freckles"),
        ("Clinically significant mental health issues", "psychiatric_disorder"),
        ("Immune deficient state", "immunodeficiency"),
    ],
)
def test_round3_names_read(text: str, concept: str) -> None:
    assert concept in _concepts(text), (text, _concepts(text))


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Claustrophobia precluding MRI", "social_anxiety_disorder"),
        ("Functional asplenia", "splenomegaly"),
        ("Right ventricular (RV) dysfunction", "left_ventricular_dysfunction"),
        ("Varicella-zoster virus (VZV) infection", "herpes_zoster"),
        ("ABSSSI caused by gram-positive bacteria", "cellulitis"),
        ("Abnormal karyotype", "genetic_disorder"),
        # a viral load is a lab value (rules/analytes.yaml), not the disease
        ("HBV DNA < 200 IU/ml during nucleos(t)ide analogue treatment", "hepatitis_b"),
        ("HCV RNA > 1000 IU/mL at screening", "hepatitis_c"),
    ],
)
def test_round3_no_wrong_reading(text: str, wrong: str) -> None:
    assert wrong not in _concepts(text), (text, _concepts(text))


@pytest.mark.parametrize(
    ("child", "ancestor"),
    [
        ("claustrophobia", "anxiety_disorder"),
        ("social_anxiety_disorder", "phobic_anxiety_disorder"),
        ("herpes_zoster", "viral_infection"),
        ("varicella", "varicella_zoster_infection"),
        ("cellulitis", "skin_infection"),
        ("cellulitis", "bacterial_infection"),
        ("bacterial_vaginosis", "infection"),
        ("indolent_non_hodgkin_lymphoma", "lymphoma"),
        ("chromosomal_abnormality", "genetic_disorder"),
        ("cocaine_use_disorder", "drug_abuse"),
        ("focal_epilepsy", "neurological_disorder"),
        ("contrast_induced_nephropathy", "kidney_disease"),
        ("gastrointestinal_perforation", "perforation"),
    ],
)
def test_round3_classes_still_reach_split_entries(child: str, ancestor: str) -> None:
    lex = conditions()
    seen: set[str] = set()
    todo = [child]
    while todo:
        cid = todo.pop()
        for parent in lex.concepts[cid].parents:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    assert ancestor in seen, (child, sorted(seen))


def test_still_read_a_viral_load_with_a_result_as_the_disease() -> None:
    assert "hepatitis_c" in _concepts("HCV RNA positive at screening")
