"""Recall and precision of the concept extractor on the Chia corpus.

Chia (Kury et al., Scientific Data 2020, CC BY 4.0) annotates eligibility
criteria of 1,000 trials in BRAT format. This script reads
``../shared/data/chia/chia_without_scope`` (or the folder given as the first
argument), runs ``extract_concepts`` line by line, and reports:

* recall / precision of Condition, Drug and Procedure entities by span
  overlap with our condition / medication / procedure leaves. One mention
  read as alternatives of different kinds ("anticoagulation therapy" ->
  AnyOf(medication, procedure) over the same span) is one prediction: right
  if a gold entity of either kind overlaps it (counted under that kind),
  else one false positive under the first kind. A gold entity is found when
  a leaf of its own kind overlaps it, as for any leaf;
* negation accuracy: for gold entities we found, whether the entity has a
  ``Has_negation`` relation vs whether our leaf sits under a ``Not``;
* temporal: of gold entities with ``Has_temporal`` that we found, the share
  whose leaf carries a window (and of our windows, the share on such entities);
* what counts as a prediction: condition, medication and procedure leaves
  (pregnancy as a condition), an allergy leaf's substance (a drug) and its
  allergy word (a condition), each exception of a concept ("other than
  metformin"), and generic mentions read as a manual check for a clinician
  ("medical condition", "study drugs": ManualRule.about says what they
  name). The figures without the generic mentions are printed too;
* where Chia annotates: besides entities, Chia labels stretches of text it
  chose not to annotate ("Non-query-able", "Post-eligibility",
  "Informed_consent", "Parsing_Error", ...). Within most such labels the
  annotators marked no entities (of 786 Non-query-able spans, 59 hold one), so
  a drug we read there that overlaps no gold entity is not a false positive
  of ours but text nobody annotated. The main table leaves those predictions
  unscored (they still count when they hit a gold entity; recall is
  unchanged); a label counts as unannotated when fewer than one in five of
  its spans hold a Condition, Drug or Procedure, decided from the corpus and
  printed. The strict figures, every prediction scored, are printed too;
* speed against spaCy's bare tokenizer over the same lines;
* the most common misses and false positives.

It skips cleanly (exit 0, a message) when the corpus is absent.

    python benchmarks/chia_concepts.py [CHIA_DIR] [--limit N]
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eligibility.ir.model import AllergyRule, AllOf, AnyOf, ManualRule, Not
from eligibility.nlp.concepts import extract_concepts

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "chia" / "chia_without_scope"
KINDS = {"Condition": "condition", "Drug": "medication", "Procedure": "procedure"}
# Chia's labels for text rather than entities: why a stretch was left out of the query
TEXT_LABELS = ("Non-query-able", "Non-representable", "Post-eligibility", "Informed_consent", "Parsing_Error",
               "Grammar_Error", "Context_Error", "Competing_trial", "Pregnancy_considerations",
               "Subjective_judgement", "Undefined_semantics", "Not_a_criteria", "Intoxication_considerations")
# a label whose spans hold an entity less often than this marks text left unannotated
UNANNOTATED_SHARE = 0.2


@dataclass
class Entity:
    id: str
    type: str
    spans: list[tuple[int, int]]
    text: str
    negated: bool = False
    temporal: bool = False


@dataclass
class Leaf:
    kind: str
    span: tuple[int, int]
    text: str
    negated: bool
    window: bool
    alts: tuple[str, ...] = ()  # kinds of the alternatives read from the same mention (same span)
    generic: bool = False  # a generic mention read as a clinician's check


@dataclass
class Stats:
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    pred: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    neg_total: int = 0
    neg_right: int = 0
    neg_gold: int = 0
    neg_gold_right: int = 0
    temp_gold: int = 0
    temp_found: int = 0
    win_pred: int = 0
    win_right: int = 0
    misses: Counter[tuple[str, str]] = field(default_factory=Counter)
    generic: Counter[str] = field(default_factory=Counter)
    false_pos: Counter[tuple[str, str]] = field(default_factory=Counter)
    unscored: Counter[str] = field(default_factory=Counter)


def _read_raw(path: Path) -> str:
    # BRAT offsets count the \r of CRLF lines; universal newlines would shift them
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def read_ann(path: Path) -> list[Entity]:
    entities: dict[str, Entity] = {}
    relations: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            head = parts[1].split(" ", 1)
            if len(head) < 2:
                continue
            try:
                spans = [(int(a), int(b)) for a, b in (s.split() for s in head[1].split(";"))]
            except ValueError:
                continue
            entities[parts[0]] = Entity(parts[0], head[0], spans, parts[2])
        elif line.startswith("R"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            bits = parts[1].split()
            if len(bits) == 3:
                relations.append((bits[0], bits[1].split(":", 1)[-1], bits[2].split(":", 1)[-1]))
    for rel, a, b in relations:
        ea, eb = entities.get(a), entities.get(b)
        if ea is None or eb is None:
            continue
        if rel == "Has_negation":
            target = ea if eb.type == "Negation" else eb
            target.negated = True
        elif rel == "Has_temporal":
            target = ea if eb.type == "Temporal" else eb
            target.temporal = True
    return list(entities.values())


GENERIC = "too general for a medical record to decide"


def generic_spans(rules: list[Any]) -> list[tuple[int, int]]:
    """Spans of the manual checks the extractor made of generic mentions."""
    out: list[tuple[int, int]] = []
    for rule in rules:
        if isinstance(rule, AllOf | AnyOf):
            out.extend(generic_spans(list(rule.children)))
        elif isinstance(rule, Not):
            out.extend(generic_spans([rule.child]))
        elif isinstance(rule, ManualRule) and rule.span and GENERIC in (rule.reason or ""):
            out.append(rule.span)
    return out


def leaves_of(rules: list[Any], negated: bool = False) -> list[Leaf]:
    out: list[Leaf] = []
    for rule in rules:
        if isinstance(rule, AnyOf) and len(rule.children) > 1 and all(
            getattr(c, "span", None) == rule.span and getattr(c, "kind", "") in ("condition", "medication", "procedure")
            for c in rule.children
        ):
            # one mention, alternatives of different kinds
            kids = leaves_of(list(rule.children), negated)
            kinds = tuple(dict.fromkeys(lf.kind for lf in kids))
            out.extend(Leaf(lf.kind, lf.span, lf.text, lf.negated, lf.window, kinds) for lf in kids)
        elif isinstance(rule, AllOf | AnyOf):
            out.extend(leaves_of(list(rule.children), negated))
        elif isinstance(rule, Not):
            out.extend(leaves_of([rule.child], not negated))
        elif isinstance(rule, AllergyRule) and rule.span:
            # "allergy to aspirin": the substance is a drug mention, the allergy word a condition one
            out.append(Leaf("medication", rule.span, rule.text or "", negated, False))
            if rule.allergy_span:
                out.append(Leaf("condition", rule.allergy_span, "", negated, False))
        elif isinstance(rule, ManualRule) and rule.about and rule.span:
            # a generic mention ("medical condition", "study drugs") read as a clinician's check
            out.extend(Leaf(kind, rule.span, rule.text or "", negated, False, generic=True) for kind in rule.about)
        elif rule.kind in ("condition", "medication", "procedure", "pregnancy") and rule.span:
            # Chia annotates pregnancy and lactation as Conditions
            kind = "condition" if rule.kind == "pregnancy" else rule.kind
            out.append(Leaf(kind, rule.span, rule.text or "", negated, getattr(rule, "window", None) is not None))
            # "antidiabetic drugs other than metformin": each exception is a mention of the same kind
            # (carved out, so not negated; Chia marks "except" a negation about a third of the time)
            out.extend(Leaf(kind, s, "", False, False) for s in getattr(rule, "exception_spans", ()))
    return out


def overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    limit = None
    if "--limit" in argv:
        limit = int(argv[argv.index("--limit") + 1])
        args = [a for a in args if a != str(limit)]
    folder = Path(args[0]) if args else DEFAULT
    if not folder.is_dir():
        print(f"Chia corpus not found at {folder}; skipping.")
        return 0
    files = sorted(folder.glob("*.txt"))
    if limit:
        files = files[:limit]
    stats, plain, strict = Stats(), Stats(), Stats()
    lines_all: list[str] = []
    t_ours = 0.0
    annotations = {txt: read_ann(txt.with_suffix(".ann")) for txt in files if txt.with_suffix(".ann").exists()}
    left_out = unannotated_labels(list(annotations.values()))
    for txt, entities in annotations.items():
        section = "exclusion" if txt.stem.endswith("_exc") else "inclusion"
        text = _read_raw(txt)
        gold = [e for e in entities if e.type in KINDS]
        unannotated = [s for e in entities if e.type in left_out for s in e.spans]
        leaves: list[Leaf] = []
        generic: list[tuple[int, int]] = []
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                lines_all.append(line)
                t0 = time.perf_counter()
                rules = extract_concepts(line, pos, section)
                t_ours += time.perf_counter() - t0
                leaves.extend(leaves_of(rules))
                generic.extend(generic_spans(rules))
            pos += len(line) + 1
        score(stats, gold, leaves, generic, unannotated)
        score(strict, gold, leaves, generic, [])
        # the same without the generic mentions read as a clinician's check
        score(plain, gold, [lf for lf in leaves if not lf.generic], generic, unannotated)
    report(stats, len(files), lines_all, t_ours)
    print("text Chia left unannotated (predictions there that hit no entity are not scored): "
          + ", ".join(f"{label} {held}/{total}" for label, (held, total) in sorted(left_out.items()))
          + " (spans holding an entity / spans); unscored predictions: "
          + ", ".join(f"{k} {stats.unscored[k]}" for k in ("condition", "medication", "procedure")))
    print("strict, every prediction scored: " + ", ".join(
        f"{k} P {strict.correct[k] / max(strict.pred[k], 1):.3f}" for k in ("condition", "medication", "procedure")))
    print("without the generic mentions: " + ", ".join(
        f"{k} R {plain.found[k] / max(plain.gold[k], 1):.3f} / P {plain.correct[k] / max(plain.pred[k], 1):.3f}"
        for k in ("condition", "medication", "procedure")))
    return 0


def unannotated_labels(files: list[list[Entity]]) -> dict[str, tuple[int, int]]:
    """The text labels whose spans rarely hold an entity: the annotators left
    that text out. For each, how many of its spans hold one, of how many."""
    held: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for entities in files:
        kept = [e for e in entities if e.type in KINDS]
        for label in (e for e in entities if e.type in TEXT_LABELS):
            total[label.type] += 1
            held[label.type] += any(overlaps(s, label.spans) for e in kept for s in e.spans)
    return {t: (held[t], total[t]) for t in total if held[t] < UNANNOTATED_SHARE * total[t]}


def score(stats: Stats, gold: list[Entity], leaves: list[Leaf], generic: list[tuple[int, int]],
          unannotated: list[tuple[int, int]]) -> None:
    """Add one file's gold entities and predicted leaves to ``stats``; a
    prediction in ``unannotated`` text that hits no gold entity is not scored."""
    for e in gold:
        kind = KINDS[e.type]
        stats.gold[kind] += 1
        hits = [lf for lf in leaves if lf.kind == kind and overlaps(lf.span, e.spans)]
        if e.temporal:
            stats.temp_gold += 1
        if e.negated:
            stats.neg_gold += 1
        if not hits:
            stats.misses[(kind, e.text.lower())] += 1
            if any(overlaps(g, e.spans) for g in generic):
                stats.generic[kind] += 1
            continue
        stats.found[kind] += 1
        stats.neg_total += 1
        pred_neg = any(h.negated for h in hits)
        stats.neg_right += pred_neg == e.negated
        if e.negated:
            stats.neg_gold_right += pred_neg
        if e.temporal and any(h.window for h in hits):
            stats.temp_found += 1
    counted: set[tuple[tuple[int, int], tuple[str, ...]]] = set()
    for lf in leaves:
        kinds = lf.alts or (lf.kind,)
        if lf.alts:
            if (lf.span, lf.alts) in counted:
                continue  # one prediction per mention
            counted.add((lf.span, lf.alts))
        right = next((k for k in kinds if any(KINDS[e.type] == k and overlaps(lf.span, e.spans) for e in gold)), None)
        charged = right or kinds[0]
        same = [e for e in gold if KINDS[e.type] == charged and overlaps(lf.span, e.spans)]
        if not same and overlaps(lf.span, unannotated):
            stats.unscored[charged] += 1
            continue
        stats.pred[charged] += 1
        if same:
            stats.correct[charged] += 1
        else:
            stats.false_pos[(charged, lf.text.lower())] += 1
        if lf.window:
            stats.win_pred += 1
            stats.win_right += any(e.temporal for e in same)


def report(stats: Stats, n_files: int, lines: list[str], t_ours: float) -> None:
    print(f"Chia without scope: {n_files} files, {len(lines)} non-blank lines")
    print(f"{'kind':<12}{'gold':>7}{'found':>7}{'recall':>8}{'pred':>7}{'right':>7}{'precision':>10}")
    for kind in ("condition", "medication", "procedure"):
        g, f, p, c = stats.gold[kind], stats.found[kind], stats.pred[kind], stats.correct[kind]
        print(f"{kind:<12}{g:>7}{f:>7}{f / max(g, 1):>8.3f}{p:>7}{c:>7}{c / max(p, 1):>10.3f}")
    print(f"negation accuracy on found entities: {stats.neg_right / max(stats.neg_total, 1):.3f} "
          f"({stats.neg_right}/{stats.neg_total}); negated gold found as Not: "
          f"{stats.neg_gold_right}/{stats.neg_gold}")
    print("missed gold entities covered by a generic mention read as manual (not counted as found): "
          + ", ".join(f"{k} {stats.generic[k]}" for k in ("condition", "medication", "procedure")))
    print(f"temporal: gold entities with Has_temporal {stats.temp_gold}, found with a window {stats.temp_found}; "
          f"our windows on such entities {stats.win_right}/{stats.win_pred}")
    try:
        import spacy

        nlp = spacy.blank("en")
        t0 = time.perf_counter()
        for line in lines:
            nlp.tokenizer(line)
        t_tok = time.perf_counter() - t0
        print(f"speed: extractor {t_ours:.2f}s, spaCy blank tokenizer {t_tok:.2f}s, ratio {t_ours / max(t_tok, 1e-9):.1f}x")
    except ImportError:  # pragma: no cover
        print(f"speed: extractor {t_ours:.2f}s (spaCy not installed)")
    print("most common misses:")
    for (kind, text), n in stats.misses.most_common(int(os.environ.get("CHIA_TOP", "25"))):
        print(f"  {n:4d} {kind:<11} {text}")
    print("most common false positives:")
    for (kind, text), n in stats.false_pos.most_common(int(os.environ.get("CHIA_TOP", "20"))):
        print(f"  {n:4d} {kind:<11} {text}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
