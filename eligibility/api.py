"""The library's public calls, for ``import eligibility``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from eligibility.errors import InputError
from eligibility.ingest.page import read_text
from eligibility.ingest.reader import read_trials
from eligibility.ingest.source import TrialSource
from eligibility.ir.model import RuleSet
from eligibility.matching.evaluate import match_patient, target_concepts
from eligibility.matching.verdicts import MatchResult
from eligibility.nlp.pipeline import build_ruleset
from eligibility.patients.sources import iter_patients


def to_ruleset(item: TrialSource | RuleSet) -> RuleSet:
    return item if isinstance(item, RuleSet) else build_ruleset(item)


def parse(source: str | Path, *, text: bool = False) -> list[RuleSet]:
    """Parse a trial file (any TRIAL form) into rule sets, one per trial.

    With ``text=True``, ``source`` is the criteria text (or a page) itself.
    """
    if text:
        return [build_ruleset(read_text(str(source), "<text>", "text"))]
    return [to_ruleset(item) for item in read_trials(str(source))]


def iter_rulesets(paths: list[str]) -> Iterator[RuleSet]:
    for path in paths:
        for item in read_trials(path):
            yield to_ruleset(item)


def load_rulesets(paths: list[str]) -> list[RuleSet]:
    """All trials of the TRIAL arguments, parsed once (trials are few; it is
    the patients that are streamed)."""
    return list(iter_rulesets(paths))


def iter_matches(
    rulesets: list[RuleSet],
    patient_paths: Sequence[str | Path],
    as_of: date,
    on_error: Callable[[InputError], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[MatchResult]:
    """Every trial against every patient, one patient in memory at a time."""
    trials = [(ruleset, target_concepts(ruleset)) for ruleset in rulesets]
    for patient in iter_patients(list(patient_paths), on_error=on_error):
        for ruleset, targets in trials:
            yield match_patient(ruleset, patient, as_of, targets)
        if progress is not None:
            progress(1)


def match(
    trials: str | Path | RuleSet | list[str | Path | RuleSet],
    patients: str | Path | Sequence[str | Path],
    as_of: date | None = None,
) -> list[MatchResult]:
    """Match trials (files or parsed rule sets) against patients (files or
    folders). Broken patient files raise :class:`InputError`."""
    items = trials if isinstance(trials, list) else [trials]
    rulesets = [t if isinstance(t, RuleSet) else r for t in items for r in ([t] if isinstance(t, RuleSet) else parse(t))]
    paths = [patients] if isinstance(patients, str | Path) else list(patients)
    return list(iter_matches(rulesets, paths, as_of or date.today()))
