"""What ``eligibility match`` prints: a table, JSON, JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.table import Table

from eligibility.matching.verdicts import CriterionResult, MatchResult

CSV_FIELDS = ["trial_id", "patient_id", "as_of", "verdict", "deciding", "unknown", "manual", "reasons"]


def result_dict(result: MatchResult) -> dict[str, object]:
    data: dict[str, object] = result.model_dump(mode="json", exclude_none=True)
    return data


def _by_id(result: MatchResult) -> dict[str, CriterionResult]:
    return {c.id: c for c in result.criteria}


def deciding_reasons(result: MatchResult, limit: int = 3) -> str:
    found = _by_id(result)
    ids = result.deciding or result.unknown
    parts = [f"{i}: {found[i].reason}" for i in ids[:limit]]
    if len(ids) > limit:
        parts.append(f"(+{len(ids) - limit} more)")
    return " | ".join(parts)


def iter_jsonl(results: Iterable[MatchResult]) -> Iterator[str]:
    for result in results:
        yield json.dumps(result_dict(result), ensure_ascii=False) + "\n"


def iter_json(results: Iterable[MatchResult]) -> Iterator[str]:
    yield "["
    for n, result in enumerate(results):
        yield ("," if n else "") + "\n  " + json.dumps(result_dict(result), ensure_ascii=False)
    yield "\n]\n"


def iter_csv(results: Iterable[MatchResult]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    yield buffer.getvalue()
    for result in results:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([
            result.trial_id, result.patient_id, result.as_of.isoformat(), result.verdict.value,
            ";".join(result.deciding), ";".join(result.unknown), ";".join(result.manual), deciding_reasons(result),
        ])
        yield buffer.getvalue()


def iter_table(results: Iterable[MatchResult], width: int = 180) -> Iterator[str]:
    table = Table(title="Eligibility", expand=True, show_lines=True)
    table.add_column("trial", no_wrap=True)
    table.add_column("patient", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("deciding criteria (or what is missing)", ratio=4)
    table.add_column("unknown", no_wrap=True)
    table.add_column("manual", no_wrap=True)
    for result in results:
        table.add_row(result.trial_id, result.patient_id, result.verdict.value, deciding_reasons(result),
                      str(len(result.unknown)), str(len(result.manual)))
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(table)
    yield buffer.getvalue()


RENDERERS = {"jsonl": iter_jsonl, "json": iter_json, "csv": iter_csv, "table": iter_table}
