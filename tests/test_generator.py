"""Synthetic patient generator: deterministic, seedable, and faithful on re-import."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eligibility.errors import InputError
from eligibility.patients.fhir import patients_from_fhir
from eligibility.patients.generator import (
    bundle_for,
    dumps,
    generate,
    load_scenario,
    main,
    scenario_from_data,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "samples" / "patients" / "scenarios.yaml"
SAMPLES = ROOT / "samples" / "patients" / "fhir"

SCENARIO = {
    "index_date": "2026-01-01",
    "seed": 3,
    "patients": [
        {
            "id": "p-test",
            "sex": "female",
            "age": 68,
            "conditions": [
                "osteoporosis",
                {"name": "rheumatoid arthritis", "onset": "-10y", "abatement": "-2y"},
                {"code": "M81.0", "system": "icd10cm", "display": "Age-related osteoporosis", "onset": 2019},
            ],
            "medications": [
                {"name": "alendronate", "start": "2021-10-01", "end": "2025-10-01"},
                {"name": "denosumab", "start": "-6m"},
            ],
            "observations": [
                {"name": "egfr", "value": 52, "date": "2025-11-03"},
                {"name": "leukocytes", "value": 4500, "unit": "/uL", "date": "-1m"},
                {"name": "creatinine", "value": 1.1, "date": "-1m"},
                {"name": "creatinine", "value": [0.7, 1.0], "date": "-2m"},
                {"name": "blood pressure", "systolic": 128, "diastolic": 82, "date": "-1m"},
                {"name": "smoking status", "value": "never smoker", "date": "-1m"},
            ],
            "procedures": [{"name": "bone density scan", "date": "2025-06-10"}],
            "allergies": ["penicillin"],
        }
    ],
}


def test_deterministic_and_seedable() -> None:
    scenario = scenario_from_data(SCENARIO)
    first = [dumps(b) for _, b in generate(scenario)]
    assert first == [dumps(b) for _, b in generate(scenario_from_data(SCENARIO))]
    other = [dumps(b) for _, b in generate(scenario, seed=99)]
    assert other != first
    assert '"p-test"' in other[0]


def test_patient_file_does_not_depend_on_other_patients() -> None:
    alone = scenario_from_data(SCENARIO)
    patients: list[Any] = list(SCENARIO["patients"])  # type: ignore[call-overload]
    more = dict(SCENARIO, patients=[{"id": "p-other", "sex": "male", "age": 40}, *patients])
    assert dumps(generate(alone)[0][1]) == dumps(generate(scenario_from_data(more))[1][1])


def test_bundle_reimports_to_the_scenario_facts() -> None:
    scenario = scenario_from_data(SCENARIO)
    [patient] = patients_from_fhir(bundle_for(scenario.patients[0], scenario.index_date, 3), "g.json")
    assert (patient.id, patient.gender) == ("p-test", "female")
    assert patient.birth_date is not None
    age = 2026 - patient.birth_date.year - ((patient.birth_date.month, patient.birth_date.day) > (1, 1))
    assert age == 68
    assert [
        (c.codes[0].system, c.codes[0].code, c.onset, c.abatement, c.clinical_status)
        for c in patient.conditions
    ] == [
        ("snomed", "64859006", patient.birth_date, None, "active"),
        ("snomed", "69896004", date(2016, 1, 1), date(2024, 1, 1), "resolved"),
        ("icd10cm", "M81.0", date(2019, 1, 1), None, "active"),
    ]
    assert [(m.codes[0].code, m.start, m.end, m.status) for m in patient.medications] == [
        ("904419", date(2021, 10, 1), date(2025, 10, 1), "stopped"),
        ("993452", date(2025, 7, 1), None, "active"),
    ]
    obs = [(o.codes[0].code, o.value, o.unit, o.effective) for o in patient.observations]
    assert obs[0] == ("33914-3", 52.0, "mL/min/{1.73_m2}", date(2025, 11, 3))
    assert obs[1] == ("6690-2", 4500.0, "/uL", date(2025, 12, 1))
    assert obs[2] == ("38483-4", 1.1, "mg/dL", date(2025, 12, 1))
    assert obs[3][1] is not None and 0.7 <= obs[3][1] <= 1.0
    assert [(o[0], o[1]) for o in obs[4:6]] == [("8462-4", 82.0), ("8480-6", 128.0)]
    creatinine = patient.observations[2]
    assert (creatinine.reference_low, creatinine.reference_high) == (0.6, 1.3)
    assert patient.observations[1].reference_low is None  # no range in another unit
    smoking = patient.observations[6]
    assert smoking.value_code is not None and smoking.value_code.code == "266919005"
    assert [(p.codes[0].code, p.performed) for p in patient.procedures] == [("312681000", date(2025, 6, 10))]
    assert [a.codes[0].code for a in patient.allergies] == ["91936005"]


def test_bundle_is_synthea_shaped() -> None:
    scenario = scenario_from_data(SCENARIO)
    bundle = bundle_for(scenario.patients[0], scenario.index_date)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "transaction")
    for entry in bundle["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        assert entry["request"] == {"method": "POST", "url": entry["resource"]["resourceType"]}
    patient_url = bundle["entry"][0]["fullUrl"]
    assert all(
        e["resource"].get("subject", e["resource"].get("patient")) == {"reference": patient_url}
        for e in bundle["entry"][1:]
    )


@pytest.mark.parametrize(
    ("patient", "problem"),
    [
        ({"id": "x", "sex": "female"}, "patients[0]: give exactly one of age or birth_date"),
        (
            {"id": "x", "sex": "female", "age": 3, "conditions": [{"onset": 2020}]},
            "patients[0].conditions[0]: give a catalog name or a code",
        ),
        (
            {"id": "x", "sex": "female", "age": 3, "medications": [{"name": "a", "start": "soon"}]},
            "patients[0].medications[0].start: expected a date (2024-05-01, 2024-05, 2024) or a relative one (-2y, -6m, -30d, index)",
        ),
    ],
)
def test_scenario_errors(patient: dict[str, object], problem: str) -> None:
    with pytest.raises(InputError) as info:
        scenario_from_data({"patients": [patient]}, "s.yaml")
    assert str(info.value) == f"s.yaml: {problem}"


def test_unknown_catalog_name_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("patients:\n  - {id: x, sex: male, age: 30, conditions: [gout]}\n", encoding="utf-8")
    assert main([str(path), "-o", str(tmp_path / "out")]) == 2
    assert "unknown name 'gout'" in capsys.readouterr().err


def test_committed_samples_are_up_to_date(tmp_path: Path) -> None:
    assert main([str(SCENARIOS), "-o", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in SAMPLES.glob("*.json"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
        assert (tmp_path / name).stat().st_size < 20_000


def test_scenarios_file_has_the_planned_patients() -> None:
    scenario = load_scenario(SCENARIOS)
    assert scenario.index_date == date(2026, 1, 1)
    assert len(scenario.patients) >= 14
