"""FHIR bulk-export NDJSON: folders of per-type files and single mixed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eligibility.errors import InputError
from eligibility.patients.ndjson import iter_ndjson_patients
from eligibility.patients.sources import iter_patients


def write(path: Path, *resources: Any) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def cond(rid: str, pid: str, code: str = "64859006") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
    }


def obs(rid: str, pid: str, value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "code": {"coding": [{"system": "http://loinc.org", "code": "33914-3"}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": "2025-11-03",
        "valueQuantity": {"value": value, "unit": "mL/min/{1.73_m2}"},
    }


def export(folder: Path) -> Path:
    folder.mkdir()
    write(
        folder / "Patient.ndjson",
        {"resourceType": "Patient", "id": "a", "gender": "female"},
        {"resourceType": "Patient", "id": "b", "gender": "male"},
    )
    write(folder / "Condition.ndjson", cond("c1", "b"), cond("c2", "a"), cond("c3", "b", "69896004"))
    write(folder / "Observation.ndjson", obs("o1", "a", 52), obs("o2", "nobody", 99))
    write(
        folder / "MedicationRequest.ndjson",
        {
            "resourceType": "MedicationRequest",
            "id": "m1",
            "status": "active",
            "medicationReference": {"reference": "Medication/den"},
            "subject": {"reference": "Patient/a"},
            "authoredOn": "2025-01-01",
        },
    )
    write(
        folder / "Medication.ndjson",
        {
            "resourceType": "Medication",
            "id": "den",
            "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "993452"}]},
        },
    )
    return folder


def test_folder_export_is_joined_on_subject(tmp_path: Path) -> None:
    folder = export(tmp_path / "export")
    patients = list(iter_patients([folder]))
    assert [p.id for p in patients] == ["a", "b"]
    a, b = patients
    assert [c.resource_id for c in a.conditions] == ["c2"]
    assert [(o.resource_id, o.value) for o in a.observations] == [("o1", 52.0)]
    assert [m.codes[0].code for m in a.medications] == ["993452"]
    assert [c.resource_id for c in b.conditions] == ["c1", "c3"]
    assert b.observations == [] and a.source == str(folder)


def test_single_mixed_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "all.ndjson",
        cond("c1", "x"),
        {"resourceType": "Patient", "id": "x"},
        obs("o1", "x", 70),
    )
    [p] = list(iter_ndjson_patients([path]))
    assert (p.id, len(p.conditions), len(p.observations), p.source) == ("x", 1, 1, str(path))


def test_ndjson_content_in_a_json_file_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path / "export.json", {"resourceType": "Patient", "id": "x"}, cond("c1", "x"))
    [p] = list(iter_patients([path]))
    assert (p.id, len(p.conditions)) == ("x", 1)


def test_broken_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    path.write_text(
        json.dumps({"resourceType": "Patient", "id": "x"})
        + "\n"
        + "{not json\n\n"
        + json.dumps(cond("c", "x"))
        + "\n",
        encoding="utf-8",
    )
    errors: list[InputError] = []
    [p] = list(iter_ndjson_patients([path], on_error=errors.append))
    assert len(p.conditions) == 1
    assert [e.source for e in errors] == [f"{path}:2"]
    assert errors[0].problem.startswith("not valid JSON")


def test_export_without_patient_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "Condition.ndjson", cond("c", "x"))
    with pytest.raises(InputError, match="NDJSON export has no Patient resource"):
        list(iter_ndjson_patients([path]))


def test_empty_ndjson_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_text("\n", encoding="utf-8")
    errors: list[InputError] = []
    assert list(iter_patients([path], errors.append)) == []
    assert [str(e) for e in errors] == [f"{path}: file is empty"]
