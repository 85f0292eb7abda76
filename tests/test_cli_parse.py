"""What a user sees from `eligibility parse` and `eligibility schema`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import TRIALS


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eligibility", *args],
        capture_output=True, text=True, input=stdin, timeout=120,
    )


def test_parse_json_of_a_seed() -> None:
    result = run("parse", str(TRIALS / "NCT06949137_page.txt"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["trial"]["id"] == "NCT06949137"
    assert any(c["id"] == "inc-4" and len(c["children"]) == 7 for c in data["criteria"])
    assert {c["status"] for c in data["criteria"]} <= {"structured", "partial", "manual", "unparsed"}


def test_parse_yaml_and_table() -> None:
    result = run("parse", str(TRIALS / "NCT04501354_medpath.txt"), "--format", "yaml")
    assert result.returncode == 0
    assert yaml.safe_load(result.stdout)["trial"]["id"] == "NCT04501354"
    table = run("parse", str(TRIALS / "NCT04501354_medpath.txt"), "-f", "table")
    assert table.returncode == 0
    assert "age > 50 years (for male patients only)" in table.stdout


def test_parse_stdin_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "rules.json"
    result = run("parse", "-", "-o", str(out), stdin="Inclusion Criteria:\n* Age >= 18 years\n")
    assert result.returncode == 0 and result.stdout == ""
    data = json.loads(out.read_text())
    assert data["criteria"][0]["rules"][0]["kind"] == "age"
    # The rules file parses back as is.
    again = run("parse", str(out))
    assert json.loads(again.stdout) == data


def test_parse_several_trials_gives_a_list() -> None:
    result = run("parse", str(TRIALS / "ctgov_two_studies.jsonl"))
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 2


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["parse", "missing.txt"], "missing.txt: no such file"),
        (["parse", str(TRIALS / "no_criteria_abstracts.txt")], "no eligibility criteria found"),
        (["parse", str(TRIALS)], "is a folder"),
        (["parse", str(TRIALS / "NCT05277701.json"), "--format", "xml"], "'xml' is not one of"),
        (["parse", "--nope"], "No such option"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_truncated_json_leaves_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{"studies": [{"protocolSection": ')
    out = tmp_path / "out.json"
    result = run("parse", str(bad), "-o", str(out))
    assert result.returncode == 2 and "invalid or truncated JSON" in result.stderr
    assert not out.exists()


def test_schema_is_json_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "eligibility rules file"
    assert "Criterion" in schema["$defs"]


def test_topic_labels_of_older_registry_texts_leave_nothing_unread() -> None:
    # "Hepatic:", "Renal:", "Not specified": headings run into one line, no requirement
    import eligibility
    text = ("Inclusion Criteria:\n* PATIENT CHARACTERISTICS: Age: 18 and over Life expectancy: Not specified "
            "Hematopoietic: Not specified Hepatic: Bilirubin no greater than 2.0 mg/dL Renal: Creatinine no greater "
            "than 1.5 mg/dL\n")
    [rules] = eligibility.parse(text, text=True)
    assert rules.criteria[0].unparsed == []
    [kidney] = eligibility.parse("Exclusion Criteria:\n* Renal insufficiency\n", text=True)
    assert kidney.criteria[0].rules[0].concept == "kidney_disease"  # type: ignore[union-attr]
