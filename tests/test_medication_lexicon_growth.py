"""Names the medication and procedure lexicons gained from registry and Chia
criteria: class phrasings (anti-X / antiX, singular and plural heads),
drug-interaction and safety classes with their members, regimens, tail
ingredients, and the ambiguous short forms that were left out on purpose."""

from __future__ import annotations

import pytest

from eligibility.knowledge.concepts import medications, procedures
from eligibility.nlp.concepts import extract_concepts
from tests.test_concepts_extract import leaves
from tests.test_lexicon_content import _concepts


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Current use of anti-hypertensive drugs", "antihypertensive"),
        ("Current use of an antihypertensive drug", "antihypertensive"),
        ("Use of betablockers", "beta_blocker"),
        ("Treatment with non-steroidal anti-inflammatories", "nsaid"),
        ("Use of strong CYP 3A inducers", "cyp3a4_inducer"),
        ("Use of P-gp inducers within 14 days", "p_gp_inducer"),
        ("Concomitant drugs that prolong the QT interval", "qt_prolonging_drug"),
        ("Concurrent nephrotoxic drugs", "nephrotoxic_drug"),
        ("Use of strong CYP2D6 inhibitors", "cyp2d6_inhibitor"),
        ("Prior R-CHOP", "r_chop"),
        ("Previous FOLFOX", "folfox"),
        ("Received iodine-based contrast agents within 48 hours", "iodinated_contrast"),
        ("Received gadolinium-based contrast media", "gadolinium_contrast"),
        ("Live attenuated virus vaccines within 30 days", "live_vaccine"),
        ("Current use of weight loss agents", "anti_obesity"),
        ("Receiving probenecid", "probenecid"),
        ("Current use of asthma controller medications", "asthma_copd_medication"),
        ("Patients on dexmedethomidine", "dexmedetomidine"),
        ("Prior smallpox vaccination", "smallpox_vaccine"),
    ],
)
def test_criteria_name_the_added_medications(text: str, concept: str) -> None:
    assert concept in _concepts(text), (text, _concepts(text))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Prior fine needle aspiration", "biopsy"),
        ("Prior transesophageal echocardiography", "echocardiography"),
        ("Prior high-resolution CT", "ct_scan"),
        ("Previous hyperthermic intraperitoneal chemotherapy", "hipec"),
        ("Previous Roux-en-Y gastric bypass", "gastric_bypass"),
    ],
)
def test_criteria_name_the_added_procedures(text: str, concept: str) -> None:
    assert concept in _concepts(text), (text, _concepts(text))


@pytest.mark.parametrize(
    ("member", "cls"),
    [
        ("paroxetine", "cyp2d6_inhibitor"),
        ("gemfibrozil", "cyp2c8_inhibitor"),
        ("rifampin", "p_gp_inducer"),
        ("sotalol", "qt_prolonging_drug"),
        ("tacrolimus", "cyp3a4_narrow_substrate"),
        ("cisplatin", "nephrotoxic_drug"),
        ("sertraline", "serotonergic_drug"),
        ("repaglinide", "antidiabetic"),
        ("memantine", "antidementia"),
        ("donepezil", "antidementia"),
        ("albuterol", "sympathomimetic"),
        ("folfox", "chemotherapy"),
    ],
)
def test_added_classes_hold_their_members(member: str, cls: str) -> None:
    assert medications().is_a(member, cls)


def test_vaccination_is_a_drug_and_a_procedure() -> None:
    """Criteria and records use "vaccination" for both the vaccine and its
    administration: both lexicons name it."""
    assert medications().lookup_name("vaccination") == "vaccine"
    assert procedures().lookup_name("vaccination") == "vaccination_procedure"


def test_ambiguous_short_forms_stay_out() -> None:
    """ASA is mostly the anaesthesia physical-status class, NPH normal-pressure
    hydrocephalus, SGA small for gestational age, ICM cardiomyopathy, HES the
    hypereosinophilic syndrome, PEP a post-ERCP pancreatitis, MMR mismatch repair."""
    lex = medications()
    for abbr in ("NPH", "SGA", "ICM", "HES", "PEP", "MMR", "IPT", "AIs"):
        assert abbr not in lex.by_abbr, abbr
    # ASA is aspirin only beside another drug (rules/word_forms.yaml, abbreviations.need_company)
    assert [x.substance for x in leaves(extract_concepts("allergy to ASA, clopidogrel", 0, "exclusion"))] == [
        "aspirin", "clopidogrel"]
    assert extract_concepts("ASA physical status I-III", 0, "inclusion") == []
    assert lex.lookup_name("inhaled no") is None
