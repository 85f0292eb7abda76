"""The measurement extractor: each phrasing class, the seed criteria, properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.ir.model import AllOf, AnyOf, MeasurementRule, Rule
from eligibility.nlp.measurements import extract_measurements


def leaves(rules: list[Rule]) -> list[MeasurementRule]:
    out: list[MeasurementRule] = []
    for rule in rules:
        if isinstance(rule, (AllOf, AnyOf)):
            out.extend(leaves(list(rule.children)))
        elif isinstance(rule, MeasurementRule):
            out.append(rule)
    return out


def one(text: str) -> MeasurementRule:
    rules = extract_measurements(text)
    assert len(rules) == 1, rules
    rule = rules[0]
    assert isinstance(rule, MeasurementRule), rule
    return rule


def check(rule: MeasurementRule, analyte: str, comparator: str, value: Any = None, **kw: Any) -> None:
    assert rule.analyte == analyte
    assert rule.comparator == comparator
    if value is not None:
        assert rule.value == value
    for key, expected in kw.items():
        assert getattr(rule, key) == expected, (key, getattr(rule, key))


# ---------------------------------------------------------------- seeds 002 and 003

def test_seed_002_counts_without_units() -> None:
    check(one("Leukocytes ≥ 3000"), "wbc", ">=", 3000, unit="/uL")
    check(one("Neutrophils ≥ 1500"), "anc", ">=", 1500, unit="/uL")
    check(one("Platelets ≥ 100,000"), "platelets", ">=", 100000, unit="/uL")


def test_seed_002_transaminases_standard_range() -> None:
    text = "Aspartate aminotransferase (AST) / Alanine aminotransferase (ALT) ≤ 2.5 standard range institution"
    rules = extract_measurements(text)
    assert len(rules) == 1 and isinstance(rules[0], AllOf)
    got = leaves(rules)
    assert [r.analyte for r in got] == ["ast", "alt"]
    for r in got:
        check(r, r.analyte, "<=", 2.5, relative_to="uln")


def test_seed_002_creatinine_edss_egfr() -> None:
    check(one("Creatinine ≤ 2.5 mg / dl"), "creatinine", "<=", 2.5, unit="mg/dL")
    check(one("EDSS (Expanded Disability Status Scale) between 3.0 and 6.5 points."), "edss", "between", 3.0,
          value_high=6.5)
    check(one("Renal failure (eGFR \\<60 mL/min/1.37m2)"), "egfr", "<", 60, unit="mL/min/1.73m2")


def test_seed_003() -> None:
    rules = extract_measurements(
        "Body weight ≥40 kg, and body mass index (BMI) between 18 kg/m² (inclusive) and 30 kg/m² (inclusive);")
    assert len(rules) == 2
    check(rules[0], "weight", ">=", 40, unit="kg")  # type: ignore[arg-type]
    check(rules[1], "bmi", "between", 18, value_high=30, inclusive=True, unit="kg/m2")  # type: ignore[arg-type]
    check(one("Bone mineral density (BMD) T-score \\< -3.0 at the lumbar spine"), "bmd_t_score", "<", -3.0)
    hbv = extract_measurements("HBV-DNA ≥1,000 copies (cps)/mL or above the upper limit of normal;")
    assert len(hbv) == 1 and isinstance(hbv[0], AnyOf)
    a, b = leaves(hbv)
    check(a, "hbv_dna", ">=", 1000, unit="copies/mL")
    check(b, "hbv_dna", "above_normal")
    tsh = extract_measurements(
        "TSH level below normal range; TSH elevated (\\>5.5 μIU/mL but ≤10.0 μIU/mL) and serum T4 outside "
        "the normal range; TSH \\>10.0 μIU/mL.")
    assert len(tsh) == 3
    check(tsh[0], "tsh", "below_normal")  # type: ignore[arg-type]
    assert isinstance(tsh[1], AllOf)
    lo, hi = leaves([tsh[1]])
    check(lo, "tsh", ">", 5.5, unit="uIU/mL")
    check(hi, "tsh", "<=", 10.0, unit="uIU/mL")
    check(tsh[2], "tsh", ">", 10.0, unit="uIU/mL")  # type: ignore[arg-type]
    liver = extract_measurements(
        "Known severe hepatic insufficiency (AST or ALT ≥2×ULN, ALP or total bilirubin ≥1.5×ULN), liver "
        "cirrhosis; known moderate to severe chronic kidney disease (eGFR \\<60 mL/min/1.73 m²).")
    assert len(liver) == 3
    assert isinstance(liver[0], AnyOf) and isinstance(liver[1], AnyOf)
    assert [(r.analyte, r.value) for r in leaves([liver[0]])] == [("ast", 2.0), ("alt", 2.0)]
    assert [(r.analyte, r.value) for r in leaves([liver[1]])] == [("alp", 1.5), ("bilirubin_total", 1.5)]
    check(liver[2], "egfr", "<", 60, unit="mL/min/1.73m2")  # type: ignore[arg-type]


# ---------------------------------------------------------------- phrasing classes

def test_comparator_words() -> None:
    cases = {
        "Hemoglobin >= 9 g/dL": ">=", "Hemoglobin ≥ 9 g/dL": ">=", "Hemoglobin => 9 g/dL": ">=",
        "Hemoglobin \\> 9 g/dL": ">", "Hemoglobin greater than 9 g/dL": ">", "Hemoglobin more than 9 g/dL": ">",
        "Hemoglobin higher than 9 g/dL": ">", "Hemoglobin above 9 g/dL": ">", "Hemoglobin exceeding 9 g/dL": ">",
        "Hemoglobin at least 9 g/dL": ">=", "Hemoglobin not less than 9 g/dL": ">=",
        "Hemoglobin no less than 9 g/dL": ">=", "Hemoglobin minimum of 9 g/dL": ">=",
        "Hemoglobin <= 9 g/dL": "<=", "Hemoglobin ≤ 9 g/dL": "<=", "Hemoglobin less than 9 g/dL": "<",
        "Hemoglobin lower than 9 g/dL": "<", "Hemoglobin below 9 g/dL": "<", "Hemoglobin under 9 g/dL": "<",
        "Hemoglobin no more than 9 g/dL": "<=", "Hemoglobin not more than 9 g/dL": "<=",
        "Hemoglobin not exceeding 9 g/dL": "<=", "Hemoglobin not greater than 9 g/dL": "<=",
        "Hemoglobin up to 9 g/dL": "<=", "Hemoglobin maximum of 9 g/dL": "<=",
        "Hemoglobin 9 g/dL or more": ">=", "Hemoglobin 9 g/dL or less": "<=",
    }
    for text, comparator in cases.items():
        check(one(text), "hemoglobin", comparator, 9, unit="g/dL")


def test_ranges() -> None:
    check(one("HbA1c between 7.0% and 10.0%"), "hba1c", "between", 7.0, value_high=10.0, unit="%")
    check(one("HbA1c 7.0-10.0%"), "hba1c", "between", 7.0, value_high=10.0, unit="%")
    check(one("BMI 18.5 to 30 kg/m2"), "bmi", "between", 18.5, value_high=30, unit="kg/m2")
    check(one("BMI between 18 and 30 kg/m2 (exclusive)"), "bmi", "between", 18, inclusive=False)


def test_normal_phrases_and_uln() -> None:
    check(one("Serum creatinine within normal limits"), "creatinine", "normal")
    check(one("ALT above the upper limit of normal"), "alt", "above_normal")
    for text, value in [("ALT < 1.5 x ULN", 1.5), ("ALT >=2×ULN", 2.0),
                        ("ALT 2.5 times the upper limit of normal or less", 2.5),
                        ("ALT ≤ 3 x institutional ULN", 3.0),
                        ("ALT less than 2.5 times the upper limit of normal", 2.5)]:
        rule = one(text)
        assert rule.relative_to == "uln" and rule.value == value, text


def test_scientific_and_grouped_numbers() -> None:
    check(one("ANC ≥ 1.5 x 10^9/L"), "anc", ">=", 1.5, unit="10^9/L")
    check(one("platelets >= 100 x 10⁹/L"), "platelets", ">=", 100, unit="10^9/L")
    check(one("ANC ≥ 1,500/mm3"), "anc", ">=", 1500, unit="/uL")
    check(one("ANC ≥ 1.5 × 109/L"), "anc", ">=", 1.5, unit="10^9/L")
    check(one("Platelets ≥ 100,000"), "platelets", ">=", 100000, unit="/uL")


def test_scores() -> None:
    check(one("ECOG 0-1"), "ecog", "between", 0, value_high=1)
    check(one("ECOG performance status of 0 or 1"), "ecog", "between", 0, value_high=1)
    check(one("ECOG ≤ 2"), "ecog", "<=", 2)
    check(one("Karnofsky >= 70%"), "karnofsky", ">=", 70)
    check(one("KPS ≥ 60"), "karnofsky", ">=", 60)
    check(one("NYHA class III or IV"), "nyha", "between", 3, value_high=4)
    check(one("Child-Pugh A/B"), "child_pugh_class", "between", 1, value_high=2)


def test_vitals() -> None:
    check(one("BMI > 35"), "bmi", ">", 35, unit="kg/m2")
    check(one("QTcF > 470 msec"), "qtc", ">", 470, unit="ms")
    check(one("ejection fraction < 40%"), "lvef", "<", 40, unit="%")
    check(one("eGFR <60 mL/min/1.73 m²"), "egfr", "<", 60, unit="mL/min/1.73m2")
    rules = extract_measurements("Systolic > 160 mmHg or diastolic > 100 mmHg")
    assert len(rules) == 1 and isinstance(rules[0], AnyOf)
    assert [r.analyte for r in leaves(rules)] == ["systolic_bp", "diastolic_bp"]
    bp = extract_measurements("Blood pressure > 140/90 mmHg")
    assert isinstance(bp[0], AnyOf)
    assert [(r.analyte, r.value) for r in leaves(bp)] == [("systolic_bp", 140), ("diastolic_bp", 90)]


def test_windows() -> None:
    rule = one("HbA1c ≥ 7% measured within the past 3 months")
    assert rule.window is not None and rule.window.within is not None
    assert rule.window.within.value == 3 and rule.window.within.unit.value == "months"
    rule = one("HbA1c ≥ 7% at screening")
    assert rule.window is None and rule.select == "latest"


def test_header_list() -> None:
    rules = extract_measurements(
        "Adequate organ function: ANC >= 1.5 x 10^9/L; platelets >= 100 x 10^9/L; hemoglobin >= 9.0 g/dL")
    assert [r.analyte for r in leaves(rules)] == ["anc", "platelets", "hemoglobin"]
    assert len(rules) == 3


def test_spans_and_offsets() -> None:
    text = "Exclusion: creatinine > 1.5 mg/dL\n    or ALT > 3 x ULN"
    rules = extract_measurements(text, offset=100)
    assert len(rules) == 1 and isinstance(rules[0], AnyOf)
    for leaf in leaves(rules):
        assert leaf.span is not None
        start, end = leaf.span
        assert text[start - 100 : end - 100] == leaf.text
    assert leaves(rules)[0].text == "creatinine > 1.5 mg/dL"


def test_no_rule_for_non_thresholds() -> None:
    for text in ["prednisolone ≥7.5 mg/day for ≥2 years", "weight loss > 10% in the last 6 months",
                 "Age ≥ 18 years", "ASA 81 mg daily", "platelet transfusion within 7 days",
                 "a decrease in hemoglobin of > 2 g/dL", "Life expectancy > 3 months",
                 "hemoglobin > 9 mg/kg", "signed consent on 2020-01-01"]:
        assert extract_measurements(text) == [], text


def test_codes_are_loinc() -> None:
    rule = one("Creatinine ≤ 1.5 mg/dL")
    codes = {c.code for c in rule.codes}
    assert {"2160-0", "38483-4"} <= codes


# ---------------------------------------------------------------- properties

_UNITS = {"creatinine": ("mg/dL", "mg/dL"), "hemoglobin": ("g/dL", "g/dL"), "bmi": ("kg/m2", "kg/m2"),
          "egfr": ("mL/min/1.73m2", "mL/min/1.73m2")}
_NAMES = {"creatinine": "serum creatinine", "hemoglobin": "Hemoglobin", "bmi": "BMI", "egfr": "eGFR"}
_RANGES = {"creatinine": (0.3, 9.9), "hemoglobin": (5.0, 19.9), "bmi": (15.0, 59.0), "egfr": (10.0, 150.0)}


@settings(max_examples=200, deadline=None)
@given(
    analyte=st.sampled_from(sorted(_UNITS)),
    comp=st.sampled_from([(">=", "≥"), (">=", ">="), ("<=", "≤"), ("<", "<"), (">", ">"),
                          ("<", "less than"), (">=", "at least"), ("<=", "no more than")]),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    write_unit=st.booleans(),
)
def test_round_trip(analyte: str, comp: tuple[str, str], fraction: float, write_unit: bool) -> None:
    lo, hi = _RANGES[analyte]
    value = round(lo + (hi - lo) * fraction, 1)
    written, canonical = _UNITS[analyte]
    text = f"{_NAMES[analyte]} {comp[1]} {value}" + (f" {written}" if write_unit else "")
    rules = extract_measurements(text)
    assert len(rules) == 1, text
    rule = rules[0]
    assert isinstance(rule, MeasurementRule)
    assert (rule.analyte, rule.comparator, rule.value, rule.unit) == (analyte, comp[0], value, canonical), text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_never_raises(text: str) -> None:
    for rule in extract_measurements(text):
        assert rule.span is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ALT", "AST", "≥", "<", "1.5", "x", "ULN", "or", "and", "/", " ", "(", ")",
                                 "mg/dL", "10^9/L", "between", "-", "ECOG", "0", "NYHA", "III", ",", "%"]),
                max_size=30))
def test_never_raises_on_near_misses(tokens: list[str]) -> None:
    text = " ".join(tokens)
    for rule in extract_measurements(text):
        assert rule.span is not None and rule.text == text[rule.span[0] : rule.span[1]]
