"""What a user sees from `eligibility match` on the bundled samples."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLES, TRIALS

PATIENTS = SAMPLES / "patients" / "fhir"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eligibility", *args], capture_output=True, text=True, timeout=300)


def test_match_jsonl_every_trial_against_every_patient() -> None:
    trials = [str(TRIALS / "NCT06949137_page.txt"), str(TRIALS / "NCT04501354_medpath.txt")]
    result = run("match", *trials, "--patients", str(PATIENTS), "--as-of", "2026-01-01", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    patients = len(list(PATIENTS.glob("*.json")))
    assert len(rows) == 2 * patients
    for row in rows:
        assert row["verdict"] in ("eligible", "ineligible", "indeterminate")
        assert row["as_of"] == "2026-01-01"
        for c in row["criteria"]:
            assert c["verdict"] in ("met", "not_met", "unknown", "manual") and c["reason"]


def test_match_table_json_csv() -> None:
    trial = str(TRIALS / "NCT04501354_medpath.txt")
    table = run("match", trial, "--patients", str(PATIENTS), "--as-of", "2026-01-01")
    assert table.returncode == 0 and "NCT04501354" in table.stdout
    data = json.loads(run("match", trial, "-p", str(PATIENTS), "--as-of", "2026-01-01", "-f", "json").stdout)
    assert isinstance(data, list) and data
    rows = list(csv.DictReader(io.StringIO(run("match", trial, "-p", str(PATIENTS), "--as-of", "2026-01-01", "-f", "csv").stdout)))
    assert len(rows) == len(data)
    assert {r["verdict"] for r in rows} <= {"eligible", "ineligible", "indeterminate"}


def test_young_woman_is_ineligible_for_seed_001_by_age() -> None:
    trial = str(TRIALS / "NCT04501354_medpath.txt")
    data = json.loads(run("match", trial, "-p", str(PATIENTS / "p-young-woman-19.json"), "--as-of", "2026-01-01", "-f", "json").stdout)
    [row] = data
    assert row["verdict"] == "ineligible"
    assert "inc-2" in row["deciding"]  # female older than 40
    assert "exc-4" in row["deciding"]  # under 20 years old


def test_broken_patient_file_is_reported_and_others_matched(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text((PATIENTS / "p-osteo-eligible.json").read_text())
    (tmp_path / "bad.json").write_text('{"resourceType": "Bundle", "entry": [')
    result = run("match", str(TRIALS / "NCT04501354_medpath.txt"), "-p", str(tmp_path), "--as-of", "2026-01-01", "-f", "jsonl")
    assert result.returncode == 2
    assert "bad.json" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_bad_as_of() -> None:
    result = run("match", str(TRIALS / "NCT04501354_medpath.txt"), "-p", str(PATIENTS), "--as-of", "yesterday")
    assert result.returncode == 2 and "--as-of" in result.stderr


def test_library_match() -> None:
    import eligibility

    results = eligibility.match(TRIALS / "NCT04501354_medpath.txt", PATIENTS / "p-osteo-man-55.json")
    assert len(results) == 1 and results[0].patient_id == "p-osteo-man-55"
