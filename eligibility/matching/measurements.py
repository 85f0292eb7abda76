"""Evaluate a MeasurementRule against a patient's observations.

Conventions (CONTRACT.md, "Meaning of the verdicts"): observations match by
LOINC code first, then by normalised name; a measurement that is absent is
unknown (open world); the latest value inside the window counts (measured
back from the index date; later observations are ignored); units are
converted before comparing, and where no sound conversion exists the verdict
is unknown with the reason; "x ULN" uses the observation's reference range,
else the analyte's documented default, and says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.ir.model import MeasurementRule
from eligibility.knowledge.analytes import Analyte, analyte_by_id_or_name, analyte_by_name, normalize_name
from eligibility.matching.units import convert, normalize_unit
from eligibility.patients.model import ObservationFact

Verdict = Literal["met", "not_met", "unknown"]


class MeasurementVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reason: str
    evidence: list[ObservationFact] = Field(default_factory=list)


_SYMBOL = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "="}
_DEFAULT_EPS = 1e-9


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{round(value, 4):g}"


def _unit_text(unit: str | None) -> str:
    if not unit or unit == "{score}":
        return ""
    return " " + unit


def _label(rule: MeasurementRule, analyte: Analyte | None) -> str:
    if analyte is not None:
        return analyte.label
    return rule.label or rule.analyte


def _matches(rule: MeasurementRule, analyte: Analyte | None, obs: ObservationFact) -> bool:
    codes = {c.code for c in rule.codes if c.system == "loinc"}
    if analyte is not None:
        codes.update(analyte.loinc)
    obs_loinc = {c.code for c in obs.codes if c.system == "loinc"}
    if obs_loinc and codes & obs_loinc:
        return True
    # by name: the observation's text or displays
    target = analyte.id if analyte is not None else rule.analyte
    texts = [obs.text] + [c.display for c in obs.codes]
    for text in texts:
        if not text:
            continue
        found = analyte_by_name(text)
        if found is not None and found.id == target:
            return True
        if normalize_name(text) == normalize_name(rule.analyte):
            return True
    return False


class ObservationIndex:
    """A patient's observations by LOINC code, by the analyte their names
    resolve to and by normalised name, so that each measurement rule looks
    its candidates up instead of testing every observation (``_matches``
    finds the same ones, in record order)."""

    def __init__(self, observations: list[ObservationFact]) -> None:
        self.observations = observations
        self.size = len(observations)
        self._by_loinc: dict[str, list[int]] = {}
        self._by_analyte: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        for i, obs in enumerate(observations):
            for code in {c.code for c in obs.codes if c.system == "loinc"}:
                self._by_loinc.setdefault(code, []).append(i)
            for text in [obs.text] + [c.display for c in obs.codes]:
                if not text:
                    continue
                found = analyte_by_name(text)
                if found is not None:
                    _add(self._by_analyte, found.id, i)
                _add(self._by_name, normalize_name(text), i)

    def candidates(self, rule: MeasurementRule, analyte: Analyte | None) -> list[ObservationFact]:
        codes = {c.code for c in rule.codes if c.system == "loinc"}
        if analyte is not None:
            codes.update(analyte.loinc)
        hits: set[int] = set()
        for code in codes:
            hits.update(self._by_loinc.get(code, ()))
        hits.update(self._by_analyte.get(analyte.id if analyte is not None else rule.analyte, ()))
        hits.update(self._by_name.get(normalize_name(rule.analyte), ()))
        return [self.observations[i] for i in sorted(hits)]


def _add(index: dict[str, list[int]], key: str, i: int) -> None:
    """Append ``i`` once (an observation's texts often repeat a name)."""
    found = index.setdefault(key, [])
    if not found or found[-1] != i:
        found.append(i)


def _window_days(rule: MeasurementRule) -> tuple[float | None, float | None]:
    if rule.window is None:
        return None, None
    within = rule.window.within.days() if rule.window.within else None
    not_within = rule.window.not_within.days() if rule.window.not_within else None
    return within, not_within


def _compare(comparator: str, value: float, threshold: float, high: float | None, inclusive: bool) -> bool:
    eps = _DEFAULT_EPS * max(1.0, abs(threshold))
    if comparator == ">":
        return value > threshold + eps
    if comparator == ">=":
        return value >= threshold - eps
    if comparator == "<":
        return value < threshold - eps
    if comparator == "<=":
        return value <= threshold + eps
    if comparator == "=":
        return abs(value - threshold) <= eps
    if comparator == "between":
        assert high is not None
        if inclusive:
            return threshold - eps <= value <= high + eps
        return threshold + eps < value < high - eps
    raise ValueError(comparator)


def _describe(rule: MeasurementRule, unit: str | None = None) -> str:
    unit = unit if unit is not None else rule.unit
    if rule.comparator == "between":
        word = "" if rule.inclusive else " (exclusive)"
        return f"between {_fmt(rule.value)} and {_fmt(rule.value_high)}{_unit_text(unit)}{word}"
    return f"{_SYMBOL.get(rule.comparator, rule.comparator)} {_fmt(rule.value)}{_unit_text(unit)}"


def _reference(
    obs: ObservationFact, analyte: Analyte | None, which: Literal["low", "high"]
) -> tuple[float | None, str | None, str]:
    """(limit, its unit, where it came from) or (None, None, why not)."""
    own = obs.reference_high if which == "high" else obs.reference_low
    if own is not None:
        return own, obs.reference_unit or obs.unit, "the lab's reference range"
    if analyte is not None and analyte.reference is not None:
        ref = analyte.reference
        limit = ref.high if which == "high" else ref.low
        if limit is not None:
            return limit, ref.unit, f"the default reference range ({ref.source})"
    return None, None, "no reference range"


def evaluate_measurement(rule: MeasurementRule, observations: list[ObservationFact], as_of: date,
                         index: ObservationIndex | None = None) -> MeasurementVerdict:
    """met / not_met / unknown for one measurement rule, with the reason a
    coordinator reads and the observation(s) used. ``index`` (of these
    observations) spares the scan of all of them when rules are many."""
    analyte = analyte_by_id_or_name(rule.analyte)
    label = _label(rule, analyte)
    within, not_within = _window_days(rule)

    if index is not None:
        candidates = index.candidates(rule, analyte)
    else:
        candidates = [o for o in observations if _matches(rule, analyte, o)]
    if not candidates:
        return MeasurementVerdict(verdict="unknown", reason=f"no {label} in the record")
    dated: list[ObservationFact] = []
    for obs in candidates:
        if obs.effective is not None and obs.effective > as_of:
            continue
        if within is not None and (obs.effective is None or obs.effective < as_of - timedelta(days=within)):
            continue
        if not_within is not None and (
            obs.effective is None or obs.effective > as_of - timedelta(days=not_within)
        ):
            continue
        dated.append(obs)
    if not dated:
        if rule.window is not None and rule.window.within is not None:
            return MeasurementVerdict(
                verdict="unknown", reason=f"no {label} within the past {rule.window.within}"
            )
        return MeasurementVerdict(verdict="unknown", reason=f"no {label} on or before {as_of.isoformat()}")
    with_value = [o for o in dated if o.value is not None]
    if not with_value:
        return MeasurementVerdict(
            verdict="unknown", reason=f"{label} in the record has no numeric value", evidence=dated[-1:]
        )
    with_value.sort(key=lambda o: o.effective or date.min)
    chosen = [with_value[-1]] if rule.select == "latest" else with_value
    results = [_judge(rule, analyte, label, obs) for obs in chosen]
    if rule.select in ("latest", "all"):
        # all must hold: not_met wins, then unknown
        for wanted in ("not_met", "unknown"):
            for r in results:
                if r.verdict == wanted:
                    return r
        return results[-1]
    for wanted in ("met", "unknown"):
        for r in results:
            if r.verdict == wanted:
                return r
    return results[-1]


def _judge(rule: MeasurementRule, analyte: Analyte | None, label: str, obs: ObservationFact) -> MeasurementVerdict:
    assert obs.value is not None
    when = f" on {obs.effective.isoformat()}" if obs.effective else ""
    obs_unit = normalize_unit(obs.unit) if obs.unit else None
    shown_unit = obs_unit or obs.unit
    seen = f"{label} {_fmt(obs.value)}{_unit_text(shown_unit)}{when}"
    evidence = [obs]

    if rule.comparator == "=" and (analyte is None or analyte.kind != "score"):
        # "creatinine = 2 mg/dL", "ALT = 2.5 x ULN": on a measured value "=" is
        # nearly always a ≥ or ≤ lost in copying; which one is not ours to guess
        of = " x ULN" if rule.relative_to == "uln" else " x LLN" if rule.relative_to == "lln" else _unit_text(rule.unit)
        return MeasurementVerdict(
            verdict="unknown",
            reason=f"the criterion says {label} = {_fmt(rule.value)}{of}; on a measured value "
            "'=' usually stands for a lost ≥ or ≤, so a person has to read it",
            evidence=evidence,
        )
    if rule.comparator in ("normal", "above_normal", "below_normal") or rule.relative_to is not None:
        need_high = rule.comparator in ("normal", "above_normal") or rule.relative_to == "uln"
        need_low = rule.comparator in ("normal", "below_normal") or rule.relative_to == "lln"
        high, high_unit, high_src = _reference(obs, analyte, "high") if need_high else (None, None, "")
        low, low_unit, low_src = _reference(obs, analyte, "low") if need_low else (None, None, "")
        if (need_high and high is None) or (need_low and low is None):
            return MeasurementVerdict(
                verdict="unknown",
                reason=f"{seen}: no reference range in the record and no documented default for {label}",
                evidence=evidence,
            )

        def to_obs_unit(limit: float, unit: str | None) -> float | None:
            if unit is None or obs.unit is None or normalize_unit(unit) == obs_unit:
                return limit
            conv = convert(limit, unit, obs.unit, analyte or rule.analyte)
            return conv.value if conv.ok else None

        if high is not None:
            high = to_obs_unit(high, high_unit)
        if low is not None:
            low = to_obs_unit(low, low_unit)
        if (need_high and high is None) or (need_low and low is None):
            return MeasurementVerdict(
                verdict="unknown",
                reason=f"{seen}: its unit cannot be compared with the reference range",
                evidence=evidence,
            )
        src = high_src if need_high else low_src
        if rule.comparator == "normal":
            assert high is not None and low is not None
            ok = low <= obs.value <= high
            rng = f"{_fmt(low)}-{_fmt(high)}"
            text = "is within" if ok else "is outside"
            return MeasurementVerdict(
                verdict="met" if ok else "not_met",
                reason=f"{seen} {text} the normal range {rng} ({src})",
                evidence=evidence,
            )
        if rule.comparator == "above_normal":
            assert high is not None
            ok = obs.value > high
            return MeasurementVerdict(
                verdict="met" if ok else "not_met",
                reason=f"{seen} is {'above' if ok else 'not above'} the upper limit of normal {_fmt(high)} ({src})",
                evidence=evidence,
            )
        if rule.comparator == "below_normal":
            assert low is not None
            ok = obs.value < low
            return MeasurementVerdict(
                verdict="met" if ok else "not_met",
                reason=f"{seen} is {'below' if ok else 'not below'} the lower limit of normal {_fmt(low)} ({src})",
                evidence=evidence,
            )
        limit = high if rule.relative_to == "uln" else low
        assert limit is not None and rule.value is not None
        name = "ULN" if rule.relative_to == "uln" else "LLN"
        threshold = rule.value * limit
        high_t = rule.value_high * limit if rule.value_high is not None else None
        ok = _compare(rule.comparator, obs.value, threshold, high_t, rule.inclusive)
        ratio = obs.value / limit if limit else float("inf")
        wanted = _describe(rule, unit="").rstrip() + f" x {name}"
        return MeasurementVerdict(
            verdict="met" if ok else "not_met",
            reason=(
                f"{seen} is {_fmt(ratio)} x {name} ({name} {_fmt(limit)}{_unit_text(shown_unit)} from {src}), "
                f"{'which is' if ok else 'not'} {wanted}"
            ),
            evidence=evidence,
        )

    if rule.value is None:
        return MeasurementVerdict(verdict="unknown", reason=f"the rule for {label} has no threshold", evidence=evidence)
    # convert the observation into the rule's unit
    value = obs.value
    if (rule.unit or None) != (obs_unit or None):
        conv = convert(obs.value, obs.unit, rule.unit, analyte or rule.analyte)
        if not conv.ok:
            rule_unit = rule.unit or "no unit"
            return MeasurementVerdict(
                verdict="unknown",
                reason=f"{seen} cannot be compared with a threshold in {rule_unit}: {conv.refused}",
                evidence=evidence,
            )
        assert conv.value is not None
        value = conv.value
        seen = f"{seen} (= {_fmt(value)}{_unit_text(rule.unit)})"
    ok = _compare(rule.comparator, value, rule.value, rule.value_high, rule.inclusive)
    return MeasurementVerdict(
        verdict="met" if ok else "not_met",
        reason=f"{seen} is {'' if ok else 'not '}{_describe(rule)}",
        evidence=evidence,
    )
