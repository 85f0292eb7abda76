"""Unit parsing, each conversion and each refusal."""

from __future__ import annotations

import pytest

from eligibility.matching.units import convert, normalize_unit


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("mg/dl", "mg/dL"), ("mg / dl", "mg/dL"), ("µmol/L", "umol/L"), ("umol/l", "umol/L"),
        ("μmol/L", "umol/L"), ("/mm3", "/uL"), ("/mm³", "/uL"), ("cells/µL", "/uL"),
        ("x10^9/L", "10^9/L"), ("10^9/L", "10^9/L"), ("10\\^9/L", "10^9/L"), ("× 10⁹/L", "10^9/L"),
        ("x 109/L", "10^9/L"), ("x 10^3/µL", "10^3/uL"), ("K/uL", "10^3/uL"), ("10*3/uL", "10^3/uL"),
        ("g/dL", "g/dL"), ("g/L", "g/L"), ("%", "%"), ("mmol/mol", "mmol/mol"),
        ("mL/min/1.73m2", "mL/min/1.73m2"), ("mL/min/1.73 m²", "mL/min/1.73m2"),
        ("mL/min/1.37m2", "mL/min/1.73m2"), ("mL/min/{1.73_m2}", "mL/min/1.73m2"),
        ("µIU/mL", "uIU/mL"), ("mIU/L", "mIU/L"), ("copies/mL", "copies/mL"),
        ("copies (cps)/mL", "copies/mL"), ("IU/mL", "IU/mL"), ("ng/mL", "ng/mL"), ("pg/mL", "pg/mL"),
        ("kg/m2", "kg/m2"), ("kg/m²", "kg/m2"), ("kg", "kg"), ("lb", "[lb_av]"), ("mmHg", "mmHg"),
        ("mm[Hg]", "mmHg"), ("bpm", "/min"), ("ms", "ms"), ("msec", "ms"), ("mcg/L", "ug/L"),
    ],
)
def test_normalize(text: str, code: str) -> None:
    assert normalize_unit(text) == code


def test_unknown_unit() -> None:
    assert normalize_unit("furlongs/fortnight") is None


def approx(a: float | None, b: float, rel: float = 1e-3) -> bool:
    return a is not None and abs(a - b) <= rel * max(1.0, abs(b))


def test_creatinine_mass_molar() -> None:
    assert approx(convert(1.0, "mg/dL", "umol/L", "creatinine").value, 88.40)
    assert approx(convert(88.4, "µmol/L", "mg/dL", "creatinine").value, 1.0)


def test_glucose_mass_molar() -> None:
    assert approx(convert(180.16, "mg/dL", "mmol/L", "glucose").value, 10.0)


def test_counts() -> None:
    assert approx(convert(1.5, "10^9/L", "/uL", "anc").value, 1500)
    assert approx(convert(100000, "/mm3", "10^9/L", "platelets").value, 100)
    assert approx(convert(150, "10^3/uL", "10^9/L", "platelets").value, 150)


def test_mass_concentration() -> None:
    assert approx(convert(9, "g/dL", "g/L", "hemoglobin").value, 90)
    assert approx(convert(1, "g/dL", "mg/dL", "albumin").value, 1000)


def test_iu() -> None:
    assert approx(convert(5.5, "µIU/mL", "mIU/L", "tsh").value, 5.5)


def test_hba1c_ifcc() -> None:
    assert approx(convert(7.0, "%", "mmol/mol", "hba1c").value, 53.0, 1e-2)
    assert approx(convert(53.0, "mmol/mol", "%", "hba1c").value, 7.0, 1e-2)
    assert not convert(7.0, "%", "mmol/mol", "lvef").ok


def test_copies_iu_only_where_documented() -> None:
    assert approx(convert(5820, "copies/mL", "IU/mL", "hbv_dna").value, 1000)
    refused = convert(1000, "copies/mL", "IU/mL", "hcv_rna")
    assert not refused.ok and "assay" in (refused.refused or "")


def test_body_units() -> None:
    assert approx(convert(100, "lb", "kg", "weight").value, 45.359)
    assert approx(convert(70, "in", "cm", "height").value, 177.8)
    assert approx(convert(470, "msec", "ms", "qtc").value, 470)


def test_equivalents_and_egfr() -> None:
    assert approx(convert(4.0, "mEq/L", "mmol/L", "calcium").value, 2.0)
    assert approx(convert(52, "mL/min", "mL/min/1.73m2", "egfr").value, 52)
    assert not convert(52, "mL/min", "mL/min/1.73m2", "creatinine_clearance").ok


def test_refusals() -> None:
    assert "different" in (convert(1.2, "mg/dL", "copies/mL", "creatinine").refused or "")
    assert not convert(1.0, "mg/dL", "umol/L", "albumin").ok  # no molar mass documented
    assert not convert(1.0, "furlongs", "mg/dL", "creatinine").ok
    assert not convert(1.0, None, "mg/dL", "creatinine").ok
    assert convert(2.0, None, None, "ecog").value == 2.0
