"""FHIR bulk-export NDJSON (one resource per line) -> `Patient`, one at a time.

A bulk export (`$export`) writes one file per resource type: Patient.ndjson,
Condition.ndjson, Observation.ndjson, ... A patient's facts are spread over
all of them, so joining them needs an index. The trade-off chosen here:

- **Pass 1** reads every line once, parses it, and remembers only *where* it
  is: for each patient id, the (file, byte offset, length) of its lines,
  packed in an `array('Q')` (16 bytes per clinical resource; no parsed JSON is
  kept). Medication resources, which MedicationRequest may point to, are few
  and kept parsed (their code only).
- **Pass 2** goes through the patients in the order their Patient resources
  appear, seeks to their lines, parses them again and builds the `Patient`.

So memory is O(number of resources x 16 bytes) plus the patient ids, not
O(size of the export), and one patient is built at a time; the price is a
second parse of every line (about 2x the cost of reading the export once).
Lines that are not JSON are reported (file and line number) and skipped.
Resources whose subject is not a Patient of the export are dropped.

A single mixed file (all resource types in one `.ndjson`) is read the same way.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from eligibility.errors import InputError
from eligibility.patients.fhir import (
    CLINICAL_TYPES,
    encounter_coding,
    facts_from_resource,
    load_json_bytes,
    medication_index,
    new_patient,
    patient_id_of,
)
from eligibility.patients.model import Coding, Patient

__all__ = ["iter_ndjson_patients"]

_SHIFT = 40  # offset bits; the file index sits above (up to 16M files of 1 TB)


def _raise(error: InputError) -> None:
    raise error


def iter_ndjson_patients(
    files: Sequence[str | Path],
    source: str | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[Patient]:
    """Patients of a bulk export made of `files` (one or several .ndjson files).

    `source` names the export in errors and in `Patient.source` (default: the
    folder of the first file, or the file when there is one).
    """
    report = on_error or _raise
    paths = [Path(f) for f in files]
    if not paths:
        return
    name = source or (str(paths[0]) if len(paths) == 1 else str(paths[0].parent))
    order: list[str] = []  # patient ids, in file order
    patient_lines: dict[str, tuple[int, int, int]] = {}
    index: dict[str, array[int]] = {}
    medications: list[tuple[str | None, dict[str, Any]]] = []
    resources = 0

    for number, path in enumerate(paths):
        try:
            handle = path.open("rb")
        except OSError as exc:
            report(InputError(str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        with handle:
            offset = 0
            for line_no, line in enumerate(handle, start=1):
                start, length = offset, len(line)
                offset += length
                if not line.strip():
                    continue
                try:
                    resource = load_json_bytes(line, f"{path}:{line_no}")
                except InputError as error:
                    report(error)
                    continue
                if not isinstance(resource, dict):
                    report(InputError(f"{path}:{line_no}", "not a FHIR resource (expected a JSON object)"))
                    continue
                resources += 1
                rtype = resource.get("resourceType")
                if rtype == "Patient":
                    pid = resource.get("id")
                    if isinstance(pid, str) and pid and pid not in patient_lines:
                        order.append(pid)
                        patient_lines[pid] = (number, start, length)
                elif rtype == "Medication":
                    medications.append((None, resource))
                elif rtype in CLINICAL_TYPES:
                    if rtype == "Encounter" and encounter_coding(resource) is None:
                        continue  # most of an export's encounters: not read, so not re-read in pass 2
                    pid = patient_id_of(resource)
                    if pid is None:
                        continue
                    slot = index.get(pid)
                    if slot is None:
                        slot = index[pid] = array("Q")
                    slot.append((number << _SHIFT) | start)
                    slot.append(length)

    if not order:
        if resources:
            report(InputError(name, "NDJSON export has no Patient resource"))
        else:
            report(InputError(name, "file is empty" if len(paths) == 1 else "no FHIR resources"))
        return
    meds: dict[str, tuple[list[Coding], str | None]] = medication_index(medications)

    handles: dict[int, BinaryIO] = {}
    try:
        for pid in order:
            number, start, length = patient_lines[pid]
            try:
                resource = _read(handles, paths, number, start, length, name)
                patient = new_patient(resource, name)
                if patient is None:
                    continue
                slot = index.pop(pid, array("Q"))
                for i in range(0, len(slot), 2):
                    key, size = slot[i], slot[i + 1]
                    item = _read(handles, paths, key >> _SHIFT, key & ((1 << _SHIFT) - 1), size, name)
                    kind, facts = facts_from_resource(item, meds)
                    if facts:
                        getattr(patient, kind).extend(facts)
            except InputError as error:
                report(error)
                continue
            except (ValueError, TypeError, AttributeError) as exc:
                report(InputError(name, f"patient {pid}: malformed FHIR resource: {exc}".splitlines()[0]))
                continue
            yield patient
    finally:
        for open_file in handles.values():
            open_file.close()


def _read(
    handles: dict[int, BinaryIO], paths: Sequence[Path], number: int, start: int, length: int, name: str
) -> dict[str, Any]:
    handle: BinaryIO | None = handles.get(number)
    if handle is None:
        handle = paths[number].open("rb")
        handles[number] = handle
    handle.seek(start)
    data = load_json_bytes(handle.read(length), name)
    if not isinstance(data, dict):  # the file changed under us
        raise InputError(str(paths[number]), "changed while it was read")
    return data
