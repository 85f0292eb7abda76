"""Where patients come from: files and folders, format detected by content.

`iter_patients(paths)` streams patients one at a time from any mix of:

- FHIR R4 JSON: a Bundle (collection, transaction, searchset) or a single
  Patient resource, usually one file per patient as Synthea writes them;
- FHIR bulk-export NDJSON: a folder's `.ndjson` files are read together as
  one export (Patient.ndjson, Condition.ndjson, ...), and a lone mixed
  `.ndjson` file (or a `.json` file that holds NDJSON) works too;
- the project's own JSON/YAML patient profile (see `profile.py`).

Folders are walked recursively in sorted order and only files ending in
.json, .ndjson, .yaml or .yml are read. At most one file (or one export
index) is in memory at a time, so memory does not grow with the number of
files. A broken input (missing, empty, not JSON, truncated, neither FHIR nor
a profile, a Bundle without a Patient) is reported to `on_error` as an
`InputError` naming the file and the reason, and reading goes on; without
`on_error` the error is raised.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eligibility.errors import InputError, read_input
from eligibility.patients.fhir import load_json_bytes, patients_from_fhir, patients_from_resources
from eligibility.patients.model import Patient
from eligibility.patients.ndjson import iter_ndjson_patients
from eligibility.patients.profile import load_yaml_bytes, looks_like_profile, patients_from_profile_data

__all__ = ["PATIENT_SUFFIXES", "iter_patients", "load_patient", "patients_from_file"]

PATIENT_SUFFIXES = (".json", ".ndjson", ".yaml", ".yml")

ErrorHandler = Callable[[InputError], None]


def _raise(error: InputError) -> None:
    raise error


def iter_patients(paths: Sequence[str | Path], on_error: ErrorHandler | None = None) -> Iterator[Patient]:
    """Every patient in `paths` (files or folders), one at a time."""
    report = on_error or _raise
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = 0
            for patient in _walk(path, report):
                found += 1
                yield patient
            if found == 0 and not _has_patient_files(path):
                report(InputError(str(path), "no patient files (.json, .ndjson, .yaml, .yml) in this folder"))
        elif path.is_file():
            yield from _file(path, report)
        elif path.exists():
            report(InputError(str(path), "not a regular file or folder"))
        else:
            report(InputError(str(path), "no such file or folder"))


def load_patient(path: str | Path) -> Patient:
    """The one patient in a file; InputError if it holds none or several."""
    patients = patients_from_file(path)
    if len(patients) != 1:
        raise InputError(str(path), f"holds {len(patients)} patients, expected one")
    return patients[0]


def patients_from_file(path: str | Path) -> list[Patient]:
    """All patients of one file (raising InputError on any problem)."""
    return list(_file(Path(path), _raise))


def _has_patient_files(folder: Path) -> bool:
    for _root, _dirs, files in os.walk(folder):
        if any(name.lower().endswith(PATIENT_SUFFIXES) for name in files):
            return True
    return False


def _walk(folder: Path, report: ErrorHandler) -> Iterator[Patient]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        report(InputError(str(folder), f"cannot list folder: {exc.strerror or exc}"))
        return
    ndjson = [
        Path(e.path)
        for e in entries
        if e.is_file() and e.name.lower().endswith(".ndjson") and not e.name.startswith(".")
    ]
    export_done = False
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(Path(entry.path), report)
        elif entry.is_file() and entry.name.lower().endswith(PATIENT_SUFFIXES):
            if entry.name.lower().endswith(".ndjson"):
                if not export_done:
                    export_done = True
                    yield from iter_ndjson_patients(ndjson, str(folder) if len(ndjson) > 1 else None, report)
                continue
            yield from _file(Path(entry.path), report)


def _file(path: Path, report: ErrorHandler) -> Iterator[Patient]:
    source = str(path)
    if path.suffix.lower() == ".ndjson":
        yield from iter_ndjson_patients([path], source, report)
        return
    try:
        patients = _read(path, source)
    except InputError as error:
        report(error)
        return
    if patients is None:  # NDJSON content in a .json file
        yield from iter_ndjson_patients([path], source, report)
        return
    yield from patients


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while one file becomes patients.

    Parsing a bundle allocates hundreds of thousands of dicts and lists that
    stay alive until its patients are built; each automatic collection walks
    them all again, about a third of the import time. They hold no cycles and
    are freed by reference counting when the file is done, with or without
    the collector; any cyclic garbage made meanwhile waits for the next
    collection after the file. Left as found: a caller that disabled the
    collector keeps it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(path: Path, source: str) -> list[Patient] | None:
    with _gc_paused():
        return _read_file(path, source)


def _read_file(path: Path, source: str) -> list[Patient] | None:
    raw = read_input(path)
    if not raw.strip():
        raise InputError(source, "file is empty")
    data: Any
    if path.suffix.lower() in (".yaml", ".yml"):
        data = load_yaml_bytes(raw, source)
    else:
        try:
            data = load_json_bytes(raw, source)
        except InputError:
            if _looks_like_ndjson(raw):
                return None
            raise
    return patients_from_data(data, source)


def patients_from_data(data: object, source: str) -> list[Patient]:
    """Parsed JSON/YAML of any supported kind -> patients (InputError otherwise)."""
    if isinstance(data, dict) and "resourceType" in data:
        return patients_from_fhir(data, source)
    if isinstance(data, list) and data and all(isinstance(r, dict) and "resourceType" in r for r in data):
        return patients_from_resources(data, source)
    if looks_like_profile(data):
        return patients_from_profile_data(data, source)
    if isinstance(data, dict):
        raise InputError(source, "neither FHIR (no resourceType) nor a patient profile (no id)")
    kind = type(data).__name__ if data is not None else "null"
    kind = {
        "list": "a list",
        "str": "a string",
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
    }.get(kind, kind)
    raise InputError(source, f"neither FHIR nor a patient profile (the document is {kind})")


def _looks_like_ndjson(raw: bytes) -> bool:
    first, _, rest = raw.lstrip().partition(b"\n")
    if not rest.strip():
        return False
    try:
        item = load_json_bytes(first, "")
    except InputError:
        return False
    return isinstance(item, dict) and "resourceType" in item
