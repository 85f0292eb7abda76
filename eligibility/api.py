"""The library's public calls, for ``import eligibility``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from eligibility.ingest.page import read_text
from eligibility.ingest.reader import read_trials
from eligibility.ingest.source import TrialSource
from eligibility.ir.model import RuleSet
from eligibility.nlp.pipeline import build_ruleset


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
