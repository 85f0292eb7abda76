"""Trial ingest: pages, CT.gov JSON forms, rules files, escapes, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import eligibility
from eligibility.errors import InputError
from eligibility.ingest.escapes import unescape
from eligibility.ingest.reader import read_trials
from eligibility.ingest.rulesfile import load_rules
from eligibility.ingest.source import TrialSource
from tests.conftest import TRIALS


def one_source(path: Path) -> TrialSource:
    [item] = list(read_trials(str(path)))
    assert isinstance(item, TrialSource)
    return item


def test_markdown_escapes_stand_for_their_characters() -> None:
    assert unescape(r"eGFR \<60 and 10\^9/L, \[such as\] 6\. \*") == "eGFR <60 and 10^9/L, [such as] 6. *"
    assert unescape("a\u200bb") == "ab"


def test_medpath_page_fields_and_section() -> None:
    src = one_source(TRIALS / "NCT02566655_medpath.txt")
    assert src.id == "NCT02566655"
    assert src.sex == "Female"
    assert src.text.startswith("Inclusion Criteria")
    assert "Study & Design" not in src.text
    assert src.text.rstrip().endswith("reliable methods of contraception.")


def test_unlabelled_fields_after_criteria() -> None:
    src = one_source(TRIALS / "NCT01745783_page.txt")
    assert (src.minimum_age, src.maximum_age, src.sex, src.healthy_volunteers) == ("18 Years", "50 Years", "ALL", False)
    assert "18 Years" not in src.text
    assert "(eGFR <60 mL/min/1.37m2)" in src.text


def test_labelled_fields_of_registry_page() -> None:
    src = one_source(TRIALS / "NCT06949137_page.txt")
    assert (src.minimum_age, src.maximum_age, src.sex, src.healthy_volunteers) == ("45 Years", "85 Years", "FEMALE", False)
    assert "Minimum Eligible Age" not in src.text


def test_page_without_criteria_is_refused() -> None:
    with pytest.raises(InputError, match="no eligibility criteria found"):
        list(read_trials(str(TRIALS / "no_criteria_abstracts.txt")))


def test_bare_criteria_text_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bare.txt"
    path.write_text("Age 18 years or older\nNo prior chemotherapy\n")
    src = one_source(path)
    assert src.id == "bare"
    assert src.text.startswith("Age 18")


@pytest.mark.parametrize(
    "name",
    ["NCT05277701.json", "NCT04857515_page.json", "NCT05838625_download.json"],
)
def test_ctgov_single_page_and_array(name: str) -> None:
    src = one_source(TRIALS / name)
    assert src.id.startswith("NCT")
    assert src.minimum_age
    assert src.text


def test_ctgov_json_lines() -> None:
    items = list(read_trials(str(TRIALS / "ctgov_two_studies.jsonl")))
    assert len(items) == 2
    assert all(isinstance(i, TrialSource) and i.id.startswith("NCT") for i in items)


def test_ctgov_fields_become_rules() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT05277701.json")
    field = {c.id: c for c in rs.criteria if c.source == "field"}
    assert field["field-age"].rules[0].kind == "age"
    assert "field-healthy-volunteers" in field


def test_rules_file_round_trip(tmp_path: Path) -> None:
    [rs] = eligibility.parse(TRIALS / "NCT06949137_page.txt")
    path = tmp_path / "rules.json"
    path.write_text(rs.model_dump_json())
    [back] = list(read_trials(str(path)))
    assert back == rs


def test_rules_file_yaml_round_trip(tmp_path: Path) -> None:
    import yaml

    [rs] = eligibility.parse(TRIALS / "NCT04501354_medpath.txt")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rs.model_dump(mode="json")))
    [back] = list(read_trials(str(path)))
    assert back == rs


def test_rules_file_error_names_the_place() -> None:
    data = {
        "trial": {"id": "x"},
        "criteria": [
            {"id": "a", "section": "inclusion", "text": "t"},
            {"id": "b", "section": "inclusion", "text": "t", "rules": [
                {"kind": "measurement", "analyte": "hba1c", "comparator": "sometimes"}]},
        ],
    }
    with pytest.raises(InputError) as info:
        load_rules(data, "r.json")
    assert str(info.value).startswith("r.json: criteria[1].rules[0].comparator: Input should be '>'")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b'{"studies": [', "invalid or truncated JSON"),
        (b'{"hello": 1}', "not a ClinicalTrials.gov study"),
        (b"\xff\xfe\xfa", "not UTF-8"),
    ],
)
def test_bad_inputs(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        list(read_trials(str(path)))


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_trials(str(tmp_path / "nope.txt")))
    with pytest.raises(InputError, match="folder"):
        list(read_trials(str(tmp_path)))


def test_study_without_criteria_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}))
    with pytest.raises(InputError, match="no eligibility criteria"):
        list(read_trials(str(path)))
