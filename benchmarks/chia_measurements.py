"""Measurement extraction against the Chia corpus (Kury et al. 2020, CC BY 4.0).

For every gold Measurement entity with a Has_value relation to a Value
entity, does ``extract_measurements`` (run line by line on the .txt) produce
a measurement rule whose span overlaps the Measurement, with the right
comparator and value(s) (and unit where the Value has one)?

* recall: over gold Measurement+Value pairs whose Value states a number or a
  normal-range phrase (what a threshold rule can express), and, separately,
  over those pairs whose Measurement names an analyte of rules/analytes.yaml
  (the knowledge file's coverage is then not counted against the grammar);
* precision: of our rules on lines that hold a gold Measurement, how many
  overlap a gold Measurement that has a Value, with the same comparator and value.

Usage: python benchmarks/chia_measurements.py [PATH-TO-chia_without_scope]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from eligibility.ir.model import AllOf, AnyOf, MeasurementRule, Rule
from eligibility.knowledge.analytes import name_pattern
from eligibility.nlp.measurements import extract_measurements

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "chia" / "chia_without_scope"
_NUM = re.compile(
    r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?![\d.])|\d{1,3}(?:\.\d{3})+(?![\d,])|\d+,\d{1,2}(?!\d)|\d+)"
    r"(?:\.\d+)?|(?<!\d)\.\d+"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "a": 1, "b": 2, "c": 3}


def _read_raw(path: Path) -> str:
    # BRAT offsets count the \r of CRLF lines; universal newlines would shift them
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _leaves(rule: Rule) -> list[MeasurementRule]:
    if isinstance(rule, (AllOf, AnyOf)):
        return [leaf for child in rule.children for leaf in _leaves(child)]
    return [rule] if isinstance(rule, MeasurementRule) else []


# Chia writes characters it could not encode as "<U+2103>"; their "<" and ">"
# are not comparators
_ESCAPE = re.compile(r"<U\+[0-9A-Fa-f]{4,5}>")
# a multiple of a limit of normal: its "normal" is not the "normal" comparator
_RELATIVE = re.compile(
    r"upper\s+(?:limit|normal)|normal\s+upper|lower\s+(?:limit|normal)|normal\s+lower|\b(?:i?uln|unl|lln)\b|\btimes\b"
    r"|fold|twice|triple"
)
_MINUS = re.compile(r"(?:^|[<>=≤≥(:,]|\b(?:between|from|and|to|of|than|is|be|below|above|under|over))\s*-\s*$", re.I)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twice": 2, "double": 2, "triple": 3, "thrice": 3,
}


def _gold_comparator(value: str) -> str | None:
    v = _ESCAPE.sub("", value).lower()
    if re.search(r"≥|>=|=>|at least|or more|or greater|or higher|not less|no less|minimum|and above|or above", v):
        return ">="
    if re.search(r"≤|<=|=<|or less|no more|not more|not exceed|up to|maximum|at most|or lower|or below|not greater"
                 r"|within\s+\S+\s*(?:times|x|fold)", v):
        return "<="
    if re.search(r"\boutside\b|\bout of\b", v) and len(_NUM.findall(v)) >= 2:
        return "outside"
    if re.search(r"between|\d\s*(?:-|–|to)\s*\d|\bor\b", v) and len(_NUM.findall(v)) >= 2:
        return "between"
    if re.search(r">|greater|more than|higher|above|exceed|over|elevated", v):
        return ">" if _NUM.search(v) else "above_normal"
    if re.search(r"<|less than|lower than|below|under|fewer", v):
        return "<" if _NUM.search(v) else "below_normal"
    if re.search(r"abnormal|out(?:side)? (?:of )?(?:the )?normal", v):
        return "abnormal"
    if re.search(r"normal|wnl", v) and not _RELATIVE.search(v):
        return "normal"
    return None


def _numbers(value: str) -> list[float]:
    value = _ESCAPE.sub("", value)
    out = []
    for m in _NUM.finditer(value):
        raw = m.group(0).replace(" ", "")
        # a minus sign, not the dash of "47 mmol/mol - 110 mmol/mol"
        negative = _MINUS.search(value[: m.start()]) is not None
        sign = -1.0 if negative else 1.0
        # "1,5" (decimal comma) and "100.000" (dot-grouped thousands) are
        # ambiguous; every reading counts, the extractor has to hit one of them
        if re.fullmatch(r"\d+,\d{1,2}", raw):
            readings = [float(raw.replace(",", ".")), *(float(x) for x in raw.split(","))]
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
            readings = [float(raw.replace(".", ""))] + ([float(raw)] if raw.count(".") == 1 else [])
        else:
            readings = [float(raw.replace(",", ""))]
        out.extend(sign * r for r in readings)
    if re.search(r"\blog", value, re.I):
        out += [10.0**n for n in out if 0 < n < 12]  # "< 6 log IU/ml" is 10^6 IU/mL
    if not out:
        # "five times the upper limit", "twice normal"; a bare "< ULN" is 1 x ULN
        out = [float(_WORD_NUMBERS[w]) for w in re.findall(r"[a-z]+", value.lower()) if w in _WORD_NUMBERS]
        if not out and _RELATIVE.search(value.lower()):
            out = [1.0]
    if not out:
        for word in re.findall(r"\b(iv|iii|ii|i|v|vi|a|b|c)\b", value.lower()):
            out.append(float(_ROMAN[word]))
    return out


def _has_threshold(value: str) -> bool:
    return _gold_comparator(value) is not None or bool(_NUM.search(value))


def _agrees(leaf: MeasurementRule, value: str) -> bool:
    comp = _gold_comparator(value)
    two_sided = re.search(r">|≥|greater|more|above|at least", value) and re.search(r"<|≤|less|below|under|up to", value)
    if comp is None or comp == "=" or re.search(r"\bor\b|,", value) or (
        two_sided and leaf.comparator in (">", ">=", "<", "<=")
    ):
        # the annotators often cut the comparator off, or put two thresholds
        # ("> 35 and < 50 kg/m2") in one Value
        comp = leaf.comparator
    nums = _numbers(value)
    if comp is None:
        comp = "="
    equivalent = {
        ">=": {">=", ">"}, ">": {">", ">="}, "<=": {"<=", "<"}, "<": {"<", "<="},
        "between": {"between"}, "=": {"=", "between"}, "above_normal": {"above_normal", ">"},
        "below_normal": {"below_normal", "<"}, "normal": {"normal"},
        "abnormal": {"above_normal", "below_normal"}, "outside": {"<", "<=", ">", ">="},
    }
    if leaf.comparator not in equivalent.get(comp, {comp}):
        return False
    got = [x for x in (leaf.value, leaf.value_high) if x is not None]
    if comp in ("normal", "above_normal", "below_normal", "abnormal") and not got:
        return True
    if not nums or not got:
        return not nums and not got
    # every value we read must appear in the gold value (x ULN multiples too)
    return all(any(abs(g - n) < 1e-6 for n in nums) for g in got)


def _readings(
    vid: str, ents: dict[str, tuple[str, int, int, str]], also: dict[str, list[str]], or_groups: list[list[str]]
) -> list[str]:
    """The Value's text, the Values it subsumes (the same threshold in another
    unit), and its "or" siblings one by one and joined ("0" OR "1" OR "2")."""
    out = [ents[vid][3]]
    out += [ents[x][3] for x in also.get(vid, []) if x in ents and ents[x][0] == "Value"]
    for group in or_groups:
        if vid in group:
            sib = [ents[x][3] for x in group if x in ents and ents[x][0] == "Value"]
            out += [*sib, " or ".join(sib)]
    return out


def run(root: Path) -> int:
    if not root.is_dir():
        print(f"Chia corpus not found at {root}; skipping.")
        return 0
    gold_pairs = 0
    gold_known = 0
    hit = 0
    hit_known = 0
    ours = 0
    ours_ok = 0
    misses: Counter[str] = Counter()
    miss_examples: dict[str, str] = {}
    false_pos: list[str] = []
    names = name_pattern()
    for ann in sorted(root.glob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.exists():
            continue
        text = _read_raw(txt)
        ents: dict[str, tuple[str, int, int, str]] = {}
        rels: list[tuple[str, str]] = []
        # a Value's other acceptable readings: the same value in another unit
        # (Value Subsumes Value) and its "or" siblings ("0" OR "1" OR "2")
        also: dict[str, list[str]] = {}
        or_groups: list[list[str]] = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("T") and len(parts) >= 3:
                kind, _, spans = parts[1].partition(" ")
                pieces = [p.split() for p in spans.split(";")]
                try:
                    start = int(pieces[0][0])
                    end = int(pieces[-1][-1])
                except (ValueError, IndexError):
                    continue
                ents[parts[0]] = (kind, start, end, parts[2])
            elif line.startswith("R") and len(parts) >= 2 and parts[1].startswith(("Has_value", "Subsumes")):
                args = dict(a.split(":", 1) for a in parts[1].split()[1:] if ":" in a)
                if "Arg1" in args and "Arg2" in args:
                    if parts[1].startswith("Has_value"):
                        rels.append((args["Arg1"], args["Arg2"]))
                    else:
                        also.setdefault(args["Arg1"], []).append(args["Arg2"])
            elif line.startswith("*") and len(parts) >= 2 and parts[1].startswith("OR "):
                or_groups.append(parts[1].split()[1:])
        pairs = [
            (ents[a], ents[b], _readings(b, ents, also, or_groups)) for a, b in rels
            if a in ents and b in ents and ents[a][0] == "Measurement" and ents[b][0] == "Value"
        ]
        measurement_spans = [(e[1], e[2]) for e in ents.values() if e[0] == "Measurement"]
        # run the extractor line by line
        rules: list[MeasurementRule] = []
        offset = 0
        lines_with_gold: set[int] = set()
        line_spans: list[tuple[int, int]] = []
        for line in text.split("\n"):
            line_spans.append((offset, offset + len(line)))
            for rule in extract_measurements(line, offset):
                rules.extend(_leaves(rule))
            offset += len(line) + 1
        for i, (ls, le) in enumerate(line_spans):
            if any(ls <= s < le + 1 for s, _ in measurement_spans):
                lines_with_gold.add(i)

        def overlaps(leaf: MeasurementRule, start: int, end: int) -> bool:
            assert leaf.span is not None
            return leaf.span[0] < end and start < leaf.span[1]

        for (_, ms, me, mtext), (_, _vs, _ve, vtext), alts in pairs:
            if not _has_threshold(vtext):
                continue
            gold_pairs += 1
            known = bool(names.search(mtext)) and names.search(mtext).lastgroup != "skip"  # type: ignore[union-attr]
            gold_known += known
            ok = any(overlaps(leaf, ms, me) and any(_agrees(leaf, v) for v in alts) for leaf in rules)
            if ok:
                hit += 1
                hit_known += known
            elif known:
                key = mtext.lower()
                misses[key] += 1
                miss_examples.setdefault(key, f"{mtext} | {vtext}")
        for leaf in rules:
            assert leaf.span is not None
            line_no = next((i for i, (ls, le) in enumerate(line_spans) if ls <= leaf.span[0] <= le), -1)
            if line_no not in lines_with_gold:
                continue
            ours += 1
            good = any(
                overlaps(leaf, ms, me) and any(_agrees(leaf, v) for v in alts) for (_, ms, me, _), _v, alts in pairs
            )
            if good:
                ours_ok += 1
            else:
                false_pos.append(f"{ann.stem}: {leaf.text!r} -> {leaf.analyte} {leaf.comparator} {leaf.value} {leaf.value_high}")
    precision = ours_ok / ours if ours else 0.0
    recall = hit / gold_pairs if gold_pairs else 0.0
    recall_known = hit_known / gold_known if gold_known else 0.0
    print(f"gold Measurement+Value pairs with a threshold: {gold_pairs}")
    print(f"  of which the Measurement names a known analyte: {gold_known}")
    print(f"rules on lines with gold measurements: {ours}, matching a gold pair: {ours_ok}")
    print(f"precision: {precision:.3f}")
    print(f"recall (all threshold pairs): {recall:.3f}")
    print(f"recall (known analytes): {recall_known:.3f}")
    print("most common misses (known analytes):")
    for key, count in misses.most_common(25):
        print(f"  {count:4d}  {miss_examples[key]}")
    print("sample of rules without a matching gold pair:")
    for item in false_pos[:40]:
        print("  ", item)
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
