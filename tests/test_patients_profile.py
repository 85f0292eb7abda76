"""Hand-written patient profiles: what they mean, and the exact error lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eligibility.errors import InputError
from eligibility.patients.profile import patients_from_profile_data, read_profile_file
from eligibility.patients.sources import load_patient

FULL = """\
id: p-001
sex: F
birth_date: 1958-03-14
description: a woman with osteoporosis
conditions:
  - osteoporosis
  - name: rheumatoid arthritis
    code: 69896004
    onset: 2015-03
    abatement: 2018
    status: Resolved
  - {name: type 2 diabetes, code: E11.9}
medications:
  - name: alendronate 70 mg weekly
    start: 2021-01-10
    end: 2025-01-10
  - {name: denosumab, code: "993452", system: rxnorm, start: 2025}
observations:
  - {name: eGFR, loinc: 33914-3, value: 52, unit: mL/min/1.73m2, date: 2025-11-03}
  - {name: ALT, value: 80, unit: U/L, low: 7, high: 40, date: 2025-11-03}
  - {name: smoking status, result: never smoker}
procedures:
  - {name: kidney transplant, date: 2010-06}
allergies:
  - penicillin
"""


def test_full_profile(tmp_path: Path) -> None:
    path = tmp_path / "p1.yaml"
    path.write_text(FULL, encoding="utf-8")
    p = load_patient(path)
    assert (p.id, p.gender, p.birth_date, p.age, p.source) == (
        "p-001",
        "female",
        date(1958, 3, 14),
        None,
        str(path),
    )
    c0, c1, c2 = p.conditions
    assert (c0.text, c0.codes, c0.resource_id) == ("osteoporosis", [], "conditions[0]")
    assert [(c.system, c.code, c.display) for c in c1.codes] == [
        ("snomed", "69896004", "rheumatoid arthritis")
    ]
    assert (c1.onset, c1.abatement, c1.clinical_status) == (date(2015, 3, 1), date(2018, 1, 1), "resolved")
    assert c2.codes[0].system == "icd10cm"
    m0, m1 = p.medications
    assert (m0.text, m0.start, m0.end, m0.codes) == (
        "alendronate 70 mg weekly",
        date(2021, 1, 10),
        date(2025, 1, 10),
        [],
    )
    assert (m1.codes[0].system, m1.start) == ("rxnorm", date(2025, 1, 1))
    egfr, alt, smoking = p.observations
    assert [(c.system, c.code) for c in egfr.codes] == [("loinc", "33914-3")]
    assert (egfr.value, egfr.unit, egfr.effective) == (52.0, "mL/min/1.73m2", date(2025, 11, 3))
    assert (alt.reference_low, alt.reference_high, alt.reference_unit) == (7.0, 40.0, "U/L")
    assert (smoking.value, smoking.value_text) == (None, "never smoker")
    assert (p.procedures[0].text, p.procedures[0].performed) == ("kidney transplant", date(2010, 6, 1))
    assert p.allergies[0].text == "penicillin"


def test_json_profile_with_age_and_gender_alias(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"id": 7, "gender": "man", "age": 55, "conditions": ["osteoporosis"]}', encoding="utf-8")
    p = load_patient(path)
    assert (p.id, p.gender, p.age, p.birth_date) == ("7", "male", 55, None)


def test_list_of_profiles() -> None:
    patients = patients_from_profile_data([{"id": "a"}, {"id": "b", "sex": "female"}], "many.yaml")
    assert [p.id for p in patients] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "id: p1\nobservations:\n  - {name: a, value: 1}\n  - {name: b, value: 2}\n  - {name: c, value: high}\n",
            "p1.yaml: observations[2].value: Input should be a valid number",
        ),
        ("id: p1\nsex: robot\n", "p1.yaml: sex: Input should be 'male', 'female', 'other' or 'unknown'"),
        (
            "id: p1\nconditions:\n  - {name: x, onset: last spring}\n",
            "p1.yaml: conditions[0].onset: expected a date like 2024-05-01, 2024-05 or 2024",
        ),
        ("id: p1\nconditions:\n  - {onset: 2020}\n", "p1.yaml: conditions[0]: give a name or a code"),
        (
            "id: p1\nconditons: [x]\n",
            "p1.yaml: conditons: unknown field (see docs/patient-profile.md for the fields a profile may have)",
        ),
        ("id: p1\nage: 60\nbirth_date: 1960-01-01\n", "p1.yaml: profile: give birth_date or age, not both"),
        ("id: p1\nage: -3\n", "p1.yaml: age: Input should be greater than or equal to 0"),
        (
            "id: p1\nmedications:\n  - {name: x, start: 2020-02-30}\n",
            "p1.yaml: medications[0].start: not a valid date: '2020-02-30' (day is out of range for month)",
        ),
        (
            "id: p1\nage: x\nsex: 3\n",
            "p1.yaml: sex: Input should be 'male', 'female', 'other' or 'unknown' (and 1 more)",
        ),
        ("sex: female\n", "p1.yaml: not a patient profile (expected a mapping with an `id`)"),
        (
            "id: [unclosed\n",
            "p1.yaml: not valid YAML: expected ',' or ']', but got '<stream end>' at line 2 column 1",
        ),
    ],
)
def test_error_lines(tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "p1.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_profile_file(path)
    assert str(info.value) == line.replace("p1.yaml", str(path), 1)


def test_docs_example_is_valid() -> None:
    doc = Path(__file__).resolve().parent.parent / "docs" / "patient-profile.md"
    if not doc.exists():
        pytest.skip("docs not written yet")
    text = doc.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    import yaml

    [p] = patients_from_profile_data(yaml.safe_load(example), "doc")
    assert p.id and p.conditions
