"""Robustness, speed and demographic agreement of the parser on real records.

Reads ../shared/data/ctgov (786 API-v2 studies in raw_dumps/, 4,868 older
texts in ctgov_hint_criteria.jsonl) by path; nothing is copied into the repo.

    python benchmarks/parse_corpus.py [--data ../shared/data/ctgov]

Prints: errors (goal 0), trials per second, the ratio of parse time to spaCy's
bare tokenizer over the same texts (goal <= 5x), the status of criteria, and
the agreement of age and sex read from the text with the structured fields.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import platform
import sys
import time
from pathlib import Path

import spacy

from eligibility.ingest.ctgov import study_to_source
from eligibility.ingest.source import TrialSource
from eligibility.ir.model import AgeRule, RuleSet, Section, SexRule, TimeUnit
from eligibility.nlp.pipeline import _field_age, build_ruleset, leaves
from eligibility.reports.audit import normalize_phrasing


def load_sources(data: Path) -> list[TrialSource]:
    sources: dict[str, TrialSource] = {}
    for path in sorted(glob.glob(str(data / "raw_dumps" / "*.json"))):
        with open(path, encoding="utf-8") as fh:
            studies = json.load(fh)
        for study in studies:
            try:
                src = study_to_source(study, path, "x")
            except Exception:
                continue
            sources.setdefault(src.id, src)
    v2 = list(sources.values())
    hint = []
    with open(data / "ctgov_hint_criteria.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            row = json.loads(line)
            if row.get("eligibility_criteria"):
                hint.append(study_to_source(row, "hint", f"hint-{n}"))
    return v2 + hint


def years(value: float | None, unit: TimeUnit) -> float | None:
    if value is None:
        return None
    return unit.convert(value, TimeUnit.years)


Bound = tuple[float, bool]  # value in years, inclusive


def text_demographics(rs: RuleSet) -> tuple[list[Bound], list[Bound], set[str]]:
    """Every minimum and maximum age and every sex the criteria text states
    (multi-cohort trials state several)."""
    lows: list[Bound] = []
    highs: list[Bound] = []
    sexes: set[str] = set()
    for c in rs.walk():
        if c.source != "text":
            continue
        for leaf in leaves(c.rules):
            if isinstance(leaf, AgeRule) and leaf.sex is None:
                lo, hi = years(leaf.min, leaf.unit), years(leaf.max, leaf.unit)
                if c.section is Section.inclusion:
                    if lo is not None:
                        lows.append((lo, leaf.min_inclusive))
                    if hi is not None:
                        highs.append((hi, leaf.max_inclusive))
                else:  # "Age under 18" excludes: the minimum is 18
                    if hi is not None and lo is None:
                        lows.append((hi, not leaf.max_inclusive))
                    if lo is not None and hi is None:
                        highs.append((lo, not leaf.min_inclusive))
            if isinstance(leaf, SexRule) and c.section is Section.inclusion and leaf.sex.value != "all":
                sexes.add(leaf.sex.value)
    return lows, highs, sexes


def agrees(bounds: list[Bound], field: float | None, is_max: bool) -> bool:
    """Registry fields are whole years, inclusive: "under 18" is a maximum of
    17, "over 18" is written as a minimum of 18 or 19."""
    if field is None:
        return False
    for value, inclusive in bounds:
        if abs(value - field) < 0.05:
            return True
        if is_max and inclusive and field <= value < field + 1:
            return True  # "13-17.5 years" is a maximum of 17 in whole years
        if not inclusive and abs(value + (-1 if is_max else 1) - field) < 0.05:
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data" / "ctgov"))
    args = parser.parse_args()
    data = Path(args.data)
    if not data.exists():
        print(f"no data at {data}; skipping")
        return 0
    sources = load_sources(data)
    texts = [s.text for s in sources]
    nlp = spacy.blank("en")
    build_ruleset(sources[0])  # load the knowledge files once, outside the timing

    t0 = time.perf_counter()
    for text in texts:
        nlp.tokenizer(text)
    tokenizer_s = time.perf_counter() - t0

    errors: list[str] = []
    statuses: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    rulesets: list[RuleSet] = []
    t0 = time.perf_counter()
    for src in sources:
        try:
            rs = build_ruleset(src)
        except Exception as exc:  # the benchmark counts failures instead of stopping
            errors.append(f"{src.id}: {type(exc).__name__}: {exc}")
            continue
        rulesets.append(rs)
    parse_s = time.perf_counter() - t0
    phrasings: collections.Counter[str] = collections.Counter()
    for rs in rulesets:
        for c in rs.walk():
            if c.source == "text" and not c.children:
                statuses[c.status.value] += 1
                for leaf in leaves(c.rules):
                    kinds[leaf.kind] += 1
                # what was not understood, as the corpus audit counts it
                for part in (c.unparsed if c.status.value != "unparsed" or c.unparsed else [c.text]):
                    if key := normalize_phrasing(part):
                        phrasings[key] += 1

    # Age and sex against the structured fields, where the text states them.
    compared = agreed = missing_field = 0
    disagreements: list[str] = []
    for src, rs in zip(sources, rulesets, strict=False):
        if src.source == "hint" or src.id != rs.trial.id:
            continue
        lows, highs, sexes = text_demographics(rs)
        field_low = _field_age(src.minimum_age)
        field_high = _field_age(src.maximum_age)
        checks: list[tuple[str, bool, str]] = []
        # Where the registry leaves a field blank, the text cannot disagree
        # with it; those are counted apart.
        missing_field += bool(lows and not field_low) + bool(highs and not field_high)
        if lows and field_low:
            value = years(*field_low)
            checks.append(("min age", agrees(lows, value, False), f"text {lows} vs field {src.minimum_age}"))
        if highs and field_high:
            value = years(*field_high)
            checks.append(("max age", agrees(highs, value, True), f"text {highs} vs field {src.maximum_age}"))
        if sexes:
            field_sex = (src.sex or "ALL").lower()
            checks.append(("sex", field_sex in sexes, f"text {sorted(sexes)} vs field {field_sex}"))
        for what, ok, detail in checks:
            compared += 1
            agreed += ok
            if not ok:
                disagreements.append(f"{src.id} {what}: {detail}")

    total = sum(statuses.values())
    not_manual = total - statuses["manual"]
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"trials: {len(sources)} ({len(sources) - sum(s.source == 'hint' for s in sources)} API v2, "
          f"{sum(s.source == 'hint' for s in sources)} HINT texts); errors: {len(errors)}")
    for e in errors[:10]:
        print("  ", e)
    print(f"parse: {parse_s:.2f} s, {len(sources) / parse_s:,.0f} trials/s; bare spaCy tokenizer: {tokenizer_s:.2f} s; "
          f"ratio {parse_s / tokenizer_s:.2f}x")
    print(f"criteria (leaves): {total}; " + ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in statuses.most_common()))
    if not_manual:
        understood = statuses["structured"] + statuses["partial"]
        print(f"structured or partial among the non-manual: {understood / not_manual:.1%}")
    print("rule leaves: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print("most common unparsed phrasings (numbers as #):")
    for phrase, n in phrasings.most_common(int(os.environ.get("PARSE_TOP", "15"))):
        print(f"  {n:5d}  {phrase[:100]}")
    if compared:
        print(f"age/sex from text vs structured fields: {agreed}/{compared} agree ({agreed / compared:.1%}); "
              f"{missing_field} more ages stated in the text where the registry field is blank")
        for d in disagreements[:25]:
            print("   disagree:", d)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
