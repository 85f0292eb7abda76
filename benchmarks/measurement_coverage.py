"""Measurement extraction coverage and speed over the CT.gov criteria texts.

Counts the measurement rules found in ctgov_studies_v2.jsonl and
ctgov_hint_criteria.jsonl (5,654 texts), times the extractor against spaCy's
bare tokenizer over the same texts, and lists the most common comparator
phrasings that follow a known analyte name but yield no rule.

Usage: python benchmarks/measurement_coverage.py [CTGOV-DIR]
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from eligibility.ir.model import AllOf, AnyOf, MeasurementRule, Rule
from eligibility.knowledge.analytes import name_pattern, resolve_match
from eligibility.nlp.measurements import extract_measurements, warm_up

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "ctgov"
_NEAR = re.compile(
    r"[\s\w()/,:-]{0,25}?(?P<p>[<>≤≥=]+|greater than|less than|more than|higher than|lower than|above|below|"
    r"at least|up to|between|within normal|normal|exceed\w*|under|over|not more than|no more than|"
    r"≥|≤|\d+(?:\.\d+)?\s*(?:-|to)\s*\d)",
    re.I,
)


def _leaves(rule: Rule) -> list[MeasurementRule]:
    if isinstance(rule, (AllOf, AnyOf)):
        return [x for c in rule.children for x in _leaves(c)]
    return [rule] if isinstance(rule, MeasurementRule) else []


def main(root: Path) -> int:
    files = [root / "ctgov_studies_v2.jsonl", root / "ctgov_hint_criteria.jsonl"]
    if not all(f.exists() for f in files):
        print(f"CT.gov texts not found under {root}; skipping.")
        return 0
    texts = [json.loads(line).get("eligibility_criteria") or "" for f in files for line in f.open(encoding="utf-8")]
    t0 = time.perf_counter()
    warm_up()
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = [extract_measurements(text) for text in texts]
    elapsed = time.perf_counter() - t0
    rules = [leaf for rs in results for r in rs for leaf in _leaves(r)]
    by_analyte = Counter(r.analyte for r in rules)
    by_comparator = Counter(r.comparator for r in rules)
    covered: list[tuple[int, int]] = []
    missed: Counter[str] = Counter()
    examples: dict[str, str] = {}
    names = name_pattern()
    for text, rs in zip(texts, results, strict=True):
        covered = [(leaf.span, leaf.analyte) for r in rs for leaf in _leaves(r) if leaf.span]
        for m in names.finditer(text):
            analyte = resolve_match(m.group(0), m.lastgroup or "name") if m.lastgroup != "skip" else None
            if analyte is None:
                continue
            if any(s <= m.start() < e for (s, e), _ in covered):
                continue
            # "Performance status: ECOG 0-2", "forced expiratory volume (FEV1) < 50%": a
            # rule for the same analyte starting just after the name covers it
            if any(a == analyte.id and m.start() <= s <= m.end() + 25 for (s, _e), a in covered):
                continue
            near = _NEAR.match(text, m.end())
            if near:
                key = near.group("p").lower()
                key = re.sub(r"\d+(?:\.\d+)?", "N", key)
                missed[key] += 1
                examples.setdefault(key, text[m.start() : m.end() + 60].replace("\n", " "))
    try:
        import spacy

        nlp = spacy.blank("en")
        t1 = time.perf_counter()
        for text in texts:
            nlp.tokenizer(text)
        tok = time.perf_counter() - t1
    except ImportError:  # pragma: no cover
        tok = float("nan")
    print(f"texts: {len(texts)}")
    print(f"measurement rules (leaves): {len(rules)}  top-level items: {sum(len(r) for r in results)}")
    print(f"texts with at least one rule: {sum(1 for r in results if r)}")
    print(f"extractor: {elapsed:.2f} s (+{warm:.2f} s one-off pattern compilation); "
          f"spaCy blank tokenizer: {tok:.2f} s; ratio {elapsed / tok:.2f}")
    print("rules by comparator:", dict(by_comparator.most_common()))
    print("top analytes:", ", ".join(f"{a} {n}" for a, n in by_analyte.most_common(25)))
    print("most common phrasings after a known analyte that gave no rule:")
    for key, count in missed.most_common(20):
        print(f"  {count:5d}  {key!r:20}  e.g. {examples[key]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
