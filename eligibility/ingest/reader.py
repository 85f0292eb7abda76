"""Read TRIAL arguments: a path or ``-``, in any form the contract names.

The form is told by content, not only by the file's name: JSON that is a rules
file, JSON that holds ClinicalTrials.gov studies (one, a page, an array, or
JSON Lines), YAML rules, or plain text (bare criteria or a whole page).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from eligibility.errors import InputError, read_input
from eligibility.ingest.ctgov import is_study, iter_studies, study_to_source
from eligibility.ingest.page import read_text
from eligibility.ingest.rulesfile import is_rules_file, load_rules
from eligibility.ingest.source import TrialSource
from eligibility.ir.model import RuleSet

TrialInput = TrialSource | RuleSet


def _read(arg: str) -> tuple[str, str, str]:
    """Text, display name and stem of a TRIAL argument."""
    if arg == "-":
        data = sys.stdin.buffer.read()
        name, stem = "<stdin>", "stdin"
    else:
        path = Path(arg)
        if path.is_dir():
            raise InputError(arg, "is a folder; give trial files (or - for standard input)")
        data = read_input(path)
        name, stem = arg, path.name.split(".")[0]
    if b"\x00" in data[:8192]:
        raise InputError(name, "is a binary file, not trial text or JSON")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(name, "is not UTF-8 text") from None
    if not text.strip():
        raise InputError(name, "is empty")
    return text, name, stem


def _json_lines(text: str, name: str) -> list[Any] | None:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.lstrip().startswith("{") for line in lines):
        return None
    out = []
    for n, line in enumerate(lines, start=1):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(name, f"line {n} is not valid JSON ({exc.msg})") from None
    return out


def _from_json(data: Any, name: str, stem: str) -> Iterator[TrialInput]:
    if is_rules_file(data):
        yield load_rules(data, name)
    elif isinstance(data, list) and data and all(is_rules_file(d) for d in data):
        for n, item in enumerate(data):
            yield load_rules(item, f"{name}[{n}]")
    else:
        yield from iter_studies(data, name, stem)


def read_trials(arg: str) -> Iterator[TrialInput]:
    """The trials in one TRIAL argument, one at a time."""
    text, name, stem = _read(arg)
    head = text.lstrip()[:1]
    suffix = Path(arg).suffix.lower() if arg != "-" else ""
    if head in "{[" or suffix in (".json", ".jsonl", ".ndjson"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            rows = _json_lines(text, name)
            if rows is None:
                raise InputError(name, f"invalid or truncated JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        else:
            yield from _from_json(data, name, stem)
            return
        for n, row in enumerate(rows):
            if is_rules_file(row):
                yield load_rules(row, f"{name}:{n + 1}")
            elif is_study(row):
                yield study_to_source(row, name, f"{stem}-{n + 1}")
            else:
                raise InputError(name, f"line {n + 1} is not a ClinicalTrials.gov study or a rules file")
        return
    if suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(name, f"invalid YAML: {str(exc).splitlines()[0]}") from None
        if not is_rules_file(data):
            raise InputError(name, "YAML is not a rules file (no 'trial' and 'criteria')")
        yield load_rules(data, name)
        return
    yield read_text(text, name, stem)
