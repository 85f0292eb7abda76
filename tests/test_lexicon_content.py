"""What the concept lexicons say: ingredients and diseases are not lumped
together, classes hold their members, ambiguous short forms stay out, and the
codes Synthea writes resolve."""

from __future__ import annotations

import pytest

from eligibility.knowledge.concepts import conditions, is_abbreviation, medications, normalize, procedures
from eligibility.nlp.concepts import extract_concepts


def _concepts(text: str, section: str = "exclusion") -> set[str]:
    out: set[str] = set()

    def walk(rule: object) -> None:
        for child in getattr(rule, "children", ()) or ():
            walk(child)
        child = getattr(rule, "child", None)
        if child is not None:
            walk(child)
        concept = getattr(rule, "concept", None)
        if isinstance(concept, str):
            out.add(concept)

    for rule in extract_concepts(text, 0, section):
        walk(rule)
    return out


@pytest.mark.parametrize(
    ("name", "concept", "classes"),
    [
        ("ceftriaxone", "ceftriaxone", ["cephalosporin", "beta_lactam", "antibiotic"]),
        ("cefuroxime", "cefuroxime", ["cephalosporin"]),
        ("ketoconazole", "ketoconazole", ["azole_antifungal", "cyp3a4_inhibitor"]),
        ("clarithromycin", "clarithromycin", ["macrolide", "cyp3a4_inhibitor"]),
        ("levofloxacin", "levofloxacin", ["fluoroquinolone"]),
        ("tadalafil", "tadalafil", ["pde5_inhibitor"]),
        ("naloxone", "naloxone", ["opioid_antagonist"]),
        ("gemfibrozil", "gemfibrozil", ["fibrate", "lipid_lowering"]),
        ("isosorbide mononitrate", "isosorbide_mononitrate", ["nitrate"]),
        ("rifampicin", "rifampin", ["rifamycin", "cyp3a4_inducer", "antituberculosis"]),
        ("ticagrelor", "ticagrelor", ["p2y12_inhibitor", "antiplatelet"]),
        ("dabigatran", "dabigatran", ["direct_thrombin_inhibitor", "direct_oral_anticoagulant"]),
        ("ritonavir", "ritonavir", ["antiretroviral", "cyp3a4_inhibitor"]),
        ("efavirenz", "efavirenz", ["antiretroviral"]),
        ("etravirine", "etravirine", ["nnrti", "antiretroviral"]),
        ("bupivacaine", "bupivacaine", ["local_anesthetic", "anesthetic"]),
        ("propofol", "propofol", ["general_anesthetic", "sedative"]),
        ("paracetamol", "acetaminophen", ["analgesic"]),
        ("tranexamic acid", "tranexamic_acid", ["antifibrinolytic"]),
        ("sorafenib", "sorafenib", ["vegfr_tki", "targeted_therapy"]),
        ("misoprostol", "misoprostol", ["uterotonic"]),
        ("metronidazole", "metronidazole", ["antibiotic"]),
        ("theophylline", "theophylline", ["methylxanthine", "bronchodilator"]),
        ("furosemide", "furosemide", ["loop_diuretic", "diuretic", "antihypertensive"]),
    ],
)
def test_ingredients_sit_under_their_classes(name: str, concept: str, classes: list[str]) -> None:
    lex = medications()
    assert lex.lookup_name(name) == concept
    for cls in classes:
        assert lex.is_a(concept, cls), (concept, cls)


def test_drugs_formerly_lumped_are_their_own_concepts() -> None:
    lex = medications()
    pairs = [("ceftriaxone", "cefuroxime"), ("ketoconazole", "itraconazole"), ("clarithromycin", "azithromycin"),
             ("tadalafil", "sildenafil"), ("naloxone", "naltrexone"), ("gemfibrozil", "fenofibrate"),
             ("valacyclovir", "acyclovir"), ("ropinirole", "pramipexole"), ("febuxostat", "allopurinol"),
             ("enzalutamide", "abiraterone"), ("levofloxacin", "ciprofloxacin"), ("minocycline", "doxycycline")]
    for one, other in pairs:
        a, b = lex.lookup_name(one), lex.lookup_name(other)
        assert a is not None and b is not None and a != b, (one, other)
        assert not lex.is_a(a, b) and not lex.is_a(b, a), (one, other)
    assert not lex.is_a("ticagrelor", "anticoagulant")
    assert lex.lookup_name("cephalosporins") == "cephalosporin"
    assert "cefuroxime" in lex.descendants("cephalosporin")


def test_conditions_formerly_lumped_are_their_own_concepts() -> None:
    lex = conditions()
    assert lex.lookup_name("atrial flutter") == "atrial_flutter"
    assert not lex.is_a("atrial_flutter", "atrial_fibrillation")
    assert "atrial_flutter" in lex.ids_for_code("icd10cm", "I48.3")
    assert "atrial_fibrillation" not in lex.ids_for_code("icd10cm", "I48.3")
    assert "atrial_fibrillation" in lex.ids_for_code("icd10cm", "I48.0")
    assert lex.is_a("ventricular_tachycardia", "cardiac_arrhythmia")
    assert lex.lookup_name("primary biliary cholangitis") == "primary_biliary_cholangitis"
    assert not lex.is_a("primary_biliary_cholangitis", "autoimmune_hepatitis")
    assert lex.lookup_name("ITP") == "immune_thrombocytopenia"
    assert lex.lookup_name("schizoaffective disorder") == "schizoaffective_disorder"
    assert lex.is_a("schizophrenia", "psychotic_disorder")
    assert lex.is_a("myocardial_infarction", "acute_coronary_syndrome")
    assert lex.is_a("unstable_angina", "angina")
    assert lex.lookup_name("overweight") == "overweight" and not lex.is_a("overweight", "obesity")
    assert lex.lookup_name("mild cognitive impairment") == "mild_cognitive_impairment"
    assert not lex.is_a("mild_cognitive_impairment", "dementia")


def test_procedures_formerly_lumped_are_their_own_concepts() -> None:
    lex = procedures()
    assert lex.lookup_name("implantable cardioverter defibrillator") == "icd_implantation"
    assert lex.is_a("icd_implantation", "cardiac_device") and lex.is_a("pacemaker", "cardiac_device")
    assert not lex.is_a("icd_implantation", "pacemaker")
    assert lex.lookup_name("lumpectomy") == "breast_conserving_surgery"
    assert lex.lookup_name("carotid stenting") == "carotid_stenting"
    assert lex.lookup_name("eye surgery") == "eye_surgery" and lex.is_a("cataract_surgery", "eye_surgery")


@pytest.mark.parametrize(
    ("load", "system", "code", "concept"),
    [
        (conditions, "snomed", "74400008", "appendicitis"),
        (conditions, "snomed", "44465007", "sprain"),
        (conditions, "snomed", "284551006", "laceration"),
        (conditions, "snomed", "5370000", "atrial_flutter"),
        (procedures, "snomed", "127783003", "spirometry"),
        (procedures, "snomed", "5880005", "physical_examination"),
        (procedures, "snomed", "252160004", "pregnancy_test"),
        (procedures, "snomed", "180256009", "allergen_immunotherapy"),
        (medications, "rxnorm", "6135", "ketoconazole"),
    ],
)
def test_codes_records_carry_resolve(load: object, system: str, code: str, concept: str) -> None:
    assert concept in load().ids_for_code(system, code)  # type: ignore[operator]


def test_ambiguous_short_forms_are_not_names() -> None:
    """Abbreviations that mean something else in criteria (SBP systolic blood
    pressure, ED emergency department, PT prothrombin time ...) stay out."""
    banned = {
        conditions: ["SBP", "ED", "GBS", "NPH", "PCP", "STD", "MR", "PV", "ET", "FH", "AS", "EPI", "DI", "MH", "MPA"],
        medications: ["DES", "ADC", "MRA", "DTI", "SSA", "NAC", "CBD", "LSD", "ACT", "ERT"],
        procedures: ["PE", "PT", "MAC", "EMR", "DSA", "FFA", "ETT", "GA", "OT"],
    }
    for load, abbrs in banned.items():
        lex = load()
        for abbr in abbrs:
            assert abbr not in lex.by_abbr, (lex.kind, abbr)


def test_no_common_words_or_list_fragments_as_names() -> None:
    """A comma inside a YAML flow list splits a name in two ("3,4-MDMA" gave
    the name "3"); common words would match everywhere."""
    common = {"fall", "falls", "strain", "contrast", "delivery", "scar", "scars", "supplements", "iron", "albumin",
              "dermatitis", "eruption", "measles vaccine mumps", "catecholamines", "serotonin antagonists"}
    for lex in (conditions(), medications(), procedures()):
        for concept in lex.concepts.values():
            for name in concept.names():
                key = normalize(name)
                assert not key.replace(" ", "").isdigit(), (concept.id, name)
                assert len(key) > 1, (concept.id, name)
                assert key not in common, (concept.id, name)
            for name in concept.abbr:
                assert is_abbreviation(name) or any(ch.islower() for ch in name), (concept.id, name)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("History of atrial flutter", "atrial_flutter"),
        ("Current use of ketoconazole", "ketoconazole"),
        ("Local anesthetics within 7 days", "local_anesthetic"),
        ("Prior treatment with sorafenib", "sorafenib"),
        ("Esophageal varices", "esophageal_varices"),
        ("Delirium at screening", "delirium"),
        ("Previous in vitro fertilization", "ivf"),
        ("Requires supplemental oxygen", "oxygen_therapy"),
    ],
)
def test_criteria_name_the_new_concepts(text: str, concept: str) -> None:
    assert concept in _concepts(text), (text, _concepts(text))
