"""iter_patients: folders, format detection, broken files reported and skipped, streaming."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from eligibility.errors import InputError
from eligibility.patients.sources import iter_patients, load_patient

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "patients" / "fhir"


def bundle(pid: str, n_conditions: int = 1) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [
        {"fullUrl": f"urn:uuid:{pid}", "resource": {"resourceType": "Patient", "id": pid}}
    ]
    for i in range(n_conditions):
        entries.append(
            {
                "fullUrl": f"urn:uuid:{pid}-c{i}",
                "resource": {
                    "resourceType": "Condition",
                    "id": f"{pid}-c{i}",
                    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "64859006"}]},
                    "subject": {"reference": f"urn:uuid:{pid}"},
                },
            }
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def test_folder_mix_sorted_and_recursive(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / "b" / "deep" / "z.json").write_text(json.dumps(bundle("z")), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(bundle("a")), encoding="utf-8")
    (tmp_path / "c.yml").write_text("id: c\nsex: female\n", encoding="utf-8")
    (tmp_path / "d.json").write_text(json.dumps({"resourceType": "Patient", "id": "d"}), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a patient", encoding="utf-8")
    (tmp_path / ".hidden.json").write_text("{", encoding="utf-8")
    assert [p.id for p in iter_patients([tmp_path])] == ["a", "z", "c", "d"]


def test_broken_files_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "01-good.json").write_text(json.dumps(bundle("good")), encoding="utf-8")
    (tmp_path / "02-empty.json").write_text("", encoding="utf-8")
    (tmp_path / "03-text.json").write_text("hello", encoding="utf-8")
    (tmp_path / "04-truncated.json").write_text(json.dumps(bundle("t"))[:-40], encoding="utf-8")
    (tmp_path / "05-other.json").write_text('{"name": "a trial"}', encoding="utf-8")
    (tmp_path / "06-nopatient.json").write_text(
        json.dumps({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Condition"}}]}),
        encoding="utf-8",
    )
    (tmp_path / "07-list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "08-good.yaml").write_text("id: last\n", encoding="utf-8")
    errors: list[InputError] = []
    ids = [p.id for p in iter_patients([tmp_path, tmp_path / "missing.json"], errors.append)]
    assert ids == ["good", "last"]
    assert [(Path(e.source).name, e.problem) for e in errors] == [
        ("02-empty.json", "file is empty"),
        ("03-text.json", "not valid JSON: Expecting value at line 1 column 1"),
        ("04-truncated.json", "truncated JSON: unexpected end of file at line 1"),
        ("05-other.json", "neither FHIR (no resourceType) nor a patient profile (no id)"),
        ("06-nopatient.json", "no FHIR Patient resource found"),
        ("07-list.json", "neither FHIR nor a patient profile (the document is a list)"),
        ("missing.json", "no such file or folder"),
    ]


def test_without_handler_the_error_is_raised(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: truncated JSON"):
        list(iter_patients([tmp_path / "bad.json"]))


def test_folder_without_patient_files(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("x", encoding="utf-8")
    errors: list[InputError] = []
    assert list(iter_patients([tmp_path], errors.append)) == []
    assert [e.problem for e in errors] == ["no patient files (.json, .ndjson, .yaml, .yml) in this folder"]


def test_load_patient(tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    data = bundle("a")
    data["entry"].append({"resource": {"resourceType": "Patient", "id": "b"}})
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="holds 2 patients, expected one"):
        load_patient(path)
    with pytest.raises(InputError, match="no such file"):
        load_patient(tmp_path / "nope.json")


def test_streaming_is_lazy_and_memory_is_flat(tmp_path: Path) -> None:
    for i in range(300):
        (tmp_path / f"p{i:04d}.json").write_text(json.dumps(bundle(f"p{i}", 30)), encoding="utf-8")
    stream = iter_patients([tmp_path])
    assert next(stream).id == "p0"  # the first patient comes before the others are read

    def peak(n: int) -> int:
        tracemalloc.start()
        for i, _ in enumerate(iter_patients([tmp_path])):
            if i + 1 >= n:
                break
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(30), peak(300)
    assert large < small * 1.5 + 200_000


def test_sample_bundles_import() -> None:
    patients = list(iter_patients([SAMPLES]))
    assert len(patients) >= 14
    ids = {p.id for p in patients}
    assert {"p-osteo-eligible", "p-ms-eligible", "p-osteo-no-labs"} <= ids
    no_labs = next(p for p in patients if p.id == "p-osteo-no-labs")
    assert no_labs.observations == []
