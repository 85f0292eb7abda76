"""Age and sex, in the phrasings registries use.

Age needs an age cue ("age", "aged", "years old", "of age", "older",
"younger", "adults") next to its number: "for >= 2 years" or "within the past
2 years" are durations, not ages. Sex is read only where it is the subject of
an inclusion criterion ("Female, age between 45 and 85", "Postmenopausal
women", "Male patients older than 50"): "Pregnant women" in an exclusion does
not exclude women.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eligibility.ir.model import AgeRule, ManualRule, Rule, Section, Sex, SexRule, TimeUnit
from eligibility.knowledge.language import fold_case
from eligibility.nlp.concepts import names_another_person

_UNIT_WORDS = r"years?|yrs?\.?|y\.?o\.?|y(?=\b)|months?|mos?\.?|weeks?|wks?\.?|days?"


def _n(name: str) -> str:
    return rf"(?P<{name}>\d{{1,3}}(?:[.,]\d)?)"


def _u(name: str) -> str:
    return rf"(?P<{name}>{_UNIT_WORDS})"


_UNIT = rf"(?:{_UNIT_WORDS})"
_INCL = r"(?:\s*\(?\s*inclusive\s*\)?)?"
_GE = (r"(?:>\s?=|≥|=>|⩾|>/=|>\s*or\s*=|greater\s+than\s+or\s+equal\s+to|equal\s+to\s+or\s+(?:greater|older)\s+than|"
       r"at\s+least|not\s+less\s+than|no\s+less\s+than|minimum(?:\s+of)?|min\.?)")
_GT = r"(?:>|greater\s+than|more\s+than|older\s+than|over|above|beyond|exceeding)"
_LE = (r"(?:<\s?=|≤|=<|⩽|</=|<\s*or\s*=|less\s+than\s+or\s+equal\s+to|equal\s+to\s+or\s+(?:less|younger)\s+than|"
       r"not\s+(?:more|greater|older)\s+than|no\s+(?:more|greater|older)\s+than|at\s+most|up\s+to|maximum(?:\s+of)?|max\.?)")
_LT = r"(?:<|less\s+than|younger\s+than|under|below)"
_AGE_CUE = r"(?:\bages?\b|\baged\b|\bage\s+(?:of|at|is|range)|\bage\s*:)"
_OLD = r"(?:of\s+age|years?\s+of\s+age|old|years?\s+old|yrs?\s+old|y/o|yo)"

_UNITS = {
    "y": TimeUnit.years, "m": TimeUnit.months, "w": TimeUnit.weeks, "d": TimeUnit.days,
}


def _unit(token: str | None) -> TimeUnit:
    if not token:
        return TimeUnit.years
    token = token.lower().strip(".")
    if token.startswith("mo"):
        return TimeUnit.months
    return _UNITS.get(token[0], TimeUnit.years)


def _num(token: str) -> float:
    return float(token.replace(",", "."))


@dataclass
class _Age:
    start: int
    end: int
    min: float | None = None
    min_inclusive: bool = True
    max: float | None = None
    max_inclusive: bool = True
    unit: TimeUnit = TimeUnit.years


_FLAGS = re.I
# aged 18-75 / age between 45 (inclusive) and 85 (inclusive) years / ages 18 to 65 / between the ages of 45 and 64
_RANGE_CUED = re.compile(
    rf"(?:{_AGE_CUE}|between\s+the\s+ages\s+of)\s*(?:of\s+|is\s+|:\s*|=\s*)?(?:between\s+|from\s+)?{_n('low')}{_INCL}\s*{_u('ulow')}?{_INCL}\s*"
    rf"(?:-|–|—|to|and|through|until)\s*{_n('high')}{_INCL}\s*{_u('uhigh')}?{_INCL}(?:\s+{_OLD})?",
    _FLAGS,
)
# 18-65 years old / between 18 and 65 years of age / 18 to 75 years
_RANGE_OLD = re.compile(
    rf"(?:between\s+)?{_n('low')}{_INCL}\s*{_u('ulow')}?\s*(?:-|–|—|to|and)\s*{_n('high')}{_INCL}\s*{_u('uhigh')}\s*{_OLD}",
    _FLAGS,
)
# age >= 18 / aged over 65 / age: 18 and over / age 18 or older
_BOUND_CUED = re.compile(
    rf"{_AGE_CUE}\s*(?:of\s+|is\s+|=\s*|:\s*)?(?P<cmp>{_GE}|{_LE}|{_GT}|{_LT})?\s*{_n('value')}\s*{_u('unit')}?\s*(?:{_OLD}\s*)?"
    rf"(?P<post>(?:and|or)\s+(?:over|older|above|more|greater|up|younger|under|less|below)(?:\s+than)?(?!\s*[<>≤≥=]?\s*\d))?"
    rf"(?:\s*(?:and|,|but|to)\s*(?P<cmp2>{_LE}|{_LT})\s*{_n('value2')}\s*{_u('unit2')}?(?:\s*{_OLD})?)?",
    _FLAGS,
)
# >= 18 years of age / 18 years or older / older than 50 yrs / under 20 years old / 18+ years
# Every match starts with a comparator, a space or the number: the lookahead
# rejects other positions in one step instead of trying each comparator there.
_CMP_FIRST = r"<>=≥≤⩾⩽abeglmnouy"
_BOUND_OLD = re.compile(
    rf"(?=[{_CMP_FIRST}\s\d])(?P<cmp>{_GE}|{_LE}|{_GT}|{_LT})?\s*{_n('value')}\s*(?P<plus>\+)?\s*{_u('unit')}\s*(?:{_OLD})?\s*"
    rf"(?P<post>(?:and|or)\s+(?:over|older|above|more|greater|younger|under|less|below|up)(?:\s+than)?|\+)?",
    _FLAGS,
)
# Adults (>18) / Children (<18)
_PAREN = re.compile(
    rf"\b(?:adults?|children|child|minors?|patients?|subjects?|participants?|men|women)\s*\(\s*(?:age[ds]?\s*)?"
    rf"(?P<cmp>{_GE}|{_LE}|{_GT}|{_LT})\s*{_n('value')}\s*{_u('unit')}?\s*\)",
    _FLAGS,
)
_ADULT = re.compile(
    r"^\s*(?:(?:healthy|male|female|ambulatory|hospitali[sz]ed)\s+)?adults?\b(?!\s*\()"
    r"|^\s*(?:male\s+(?:and|or)\s+female|men\s+(?:and|or)\s+women)\s+adults?\b",
    _FLAGS,
)
# "for patients <= 12 years of age", "if under 18", "aged < 60 who are
# unsuitable ...": the age qualifies another requirement; "at onset", "at
# diagnosis": not the age today. Neither is an age criterion.
_CONDITIONAL_BEFORE = re.compile(
    r"(?:\b(?:for|if|when|whether|in|unless|except|among|of)\b(?:\s+(?:all|those|the|patients?|participants?|subjects?|children|adults?|individuals?|men|women|males?|females?|who\s+are|are|is|aged?)){0,3}\s*\(?\s*$)"
    r"|\b(?:lansky|karnofsky)[^.;]{0,40}$"
    r"|\b(?:defined|considered|unless)\b[^.;]{0,60}$"
    r"|\b(?:onset|symptoms?|diagnosis|diagnosed)\b[^.;]{0,50}\b(?:at|from|before|after)\s*$"
    r"|\b(?:applicable|apply|applies)\s+(?:only\s+)?to\b[^.;]{0,30}$",
    re.I,
)
_CONDITIONAL_AFTER = re.compile(
    r"^\s*(?:\)|,)?\s*(?:at\s+(?:the\s+time\s+of\s+)?(?:disease\s+|symptom\s+|migraine\s+|first\s+)?(?:onset|diagnosis|first\s+diagnosis)|"
    r"who\s+(?:are|is|have|has|were|may|cannot)|(?:may|can|could)\s+be|or\s+Lansky|[^.;]{0,20}\blansky)",
    re.I,
)
_OLDER_PHRASE = re.compile(rf"\b(?:older|younger|aged|age)\b|{_OLD}\b", _FLAGS)


def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The twin of a lowercase re.I pattern for fold_case() text: Python's re
    runs case-sensitive alternations several times faster."""
    if pattern.pattern.replace("(?P<", "") != pattern.pattern.replace("(?P<", "").lower():
        raise ValueError(f"not a lowercase pattern: {pattern.pattern[:60]}")
    return re.compile(pattern.pattern, pattern.flags & ~re.I)


_AGE_PATTERNS = (_RANGE_CUED, _RANGE_OLD, _PAREN, _BOUND_CUED, _BOUND_OLD)
_AGE_PATTERNS_FOLDED = tuple(_case_sensitive(p) for p in _AGE_PATTERNS)


def _apply(age: _Age, cmp: str | None, value: float, post: str | None) -> None:
    cmp = (cmp or "").lower()
    post = (post or "").lower()
    lower = re.fullmatch(_GE, cmp, _FLAGS) or re.fullmatch(_GT, cmp, _FLAGS)
    upper = re.fullmatch(_LE, cmp, _FLAGS) or re.fullmatch(_LT, cmp, _FLAGS)
    if not cmp and post:
        if re.search(r"younger|under|less|below", post):
            age.max, age.max_inclusive = value, True
        else:
            age.min, age.min_inclusive = value, True
        return
    if lower:
        age.min = value
        age.min_inclusive = bool(re.fullmatch(_GE, cmp, _FLAGS)) or "or" in post
    elif upper:
        age.max = value
        age.max_inclusive = bool(re.fullmatch(_LE, cmp, _FLAGS)) or "or" in post
    else:
        age.min = age.max = value  # "age 18" alone: read as exact, rare; refined below


def _ages(text: str, section: Section = Section.inclusion) -> list[_Age]:
    found: list[_Age] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def conditional(age: _Age) -> bool:
        return bool(_CONDITIONAL_BEFORE.search(text[max(0, age.start - 60) : age.start])
                    or _CONDITIONAL_AFTER.match(text[age.end : age.end + 60]))

    def add(age: _Age) -> None:
        if not free(age.start, age.end):
            return
        taken.append((age.start, age.end))  # a conditional age is still not another age
        if not conditional(age):
            found.append(age)

    # The patterns read the lowercased text where that is equivalent (offsets
    # are the same; every group read below is lowercased or a number anyway).
    folded = fold_case(text)
    haystack = text if folded is None else folded
    range_cued, range_old, paren, bound_cued, bound_old = _AGE_PATTERNS if folded is None else _AGE_PATTERNS_FOLDED
    # Words a pattern cannot match without, looked up in the lowercased text
    # (re.I folds none of these letters from other characters): a text
    # without them skips the scan. Every age cue has "age"; an _OLD phrase
    # has "age", "old", "y/o" or "yo"; a parenthesised age "(".
    lowered = haystack if folded is not None else text.lower()
    has_age = "age" in lowered
    has_old = has_age or "old" in lowered or "yo" in lowered or "y/o" in lowered
    for pattern, possible in ((range_cued, has_age), (range_old, has_old)):
        if not possible:
            continue
        for m in pattern.finditer(haystack):
            low, high = _num(m.group("low")), _num(m.group("high"))
            unit_low = _unit(m.group("ulow") or m.group("uhigh"))
            unit_high = _unit(m.group("uhigh") or m.group("ulow"))
            if low > high or high > 130:
                continue
            if unit_low != unit_high:
                # "2 months to 5 years": one unit for both ends.
                low, high, unit = _in_months(low, unit_low), _in_months(high, unit_high), TimeUnit.months
            else:
                unit = unit_high
            add(_Age(m.start(), m.end(), min=low, max=high, unit=unit))
    for m in paren.finditer(haystack) if "(" in haystack else ():
        age = _Age(m.start(), m.end(), unit=_unit(m.group("unit")))
        _apply(age, m.group("cmp"), _num(m.group("value")), None)
        add(age)
    for m in bound_cued.finditer(haystack) if has_age else ():
        cmp, post = m.group("cmp"), m.group("post")
        value = _num(m.group("value"))
        if not cmp and not post:
            continue
        age = _Age(m.start(), m.start() + len(m.group(0).rstrip()), unit=_unit(m.group("unit")))
        _apply(age, cmp, value, post)
        if m.group("cmp2"):
            _apply(age, m.group("cmp2"), _num(m.group("value2")), None)
        if value <= 130:
            add(age)
    for m in bound_old.finditer(haystack):
        cmp, post = m.group("cmp"), m.group("post") or ("+" if m.group("plus") else None)
        whole = m.group(0)
        if not (cmp or post):
            continue
        # Needs an age cue inside the match or right before it.
        before = text[max(0, m.start() - 25) : m.start()]
        if not (_OLDER_PHRASE.search(whole) or re.search(r"\b(?:age[sd]?|older|younger|adults?|patients?|subjects?|men|women|males?|females?|participants?)\s*$", before, _FLAGS)):
            continue
        if not re.search(_UNIT, whole, _FLAGS) and not _OLDER_PHRASE.search(whole):
            continue
        value = _num(m.group("value"))
        if value > 130:
            continue
        age = _Age(m.start() + (len(whole) - len(whole.lstrip())), m.start() + len(whole.rstrip()), unit=_unit(m.group("unit")))
        _apply(age, cmp, value, post)
        add(age)
    adult = _ADULT.search(text)
    if adult and not found and not taken and section is Section.inclusion:
        add(_Age(adult.start() + len(adult.group(0)) - len(adult.group(0).lstrip()), adult.end(), min=18))
    return sorted(found, key=lambda a: a.start)


def _in_months(value: float, unit: TimeUnit) -> float:
    return unit.convert(value, TimeUnit.months)


_FEMALE = r"(?:females?|women|woman|girls?|ladies|mothers?|(?:post|pre|peri)-?\s?menopausal\s+(?:women|females?))"
_MALE = r"(?:males?|men|man|boys?)"
_BOTH = re.compile(
    r"\b(?:both\s+sexes|both\s+genders|either\s+sex|either\s+gender|(?:males?|men|man)\s*(?:and|or|and/or|&|/)\s*(?:females?|women|woman)|"
    r"(?:females?|women|woman)\s*(?:and|or|and/or|&|/)\s*(?:males?|men|man)|all\s+sexes|any\s+(?:sex|gender))\b",
    re.I,
)
_LEAD = r"^\s*(?:(?:patients?|subjects?|participants?|volunteers?)\s*[:,-]?\s*)?(?:(?:healthy|ambulatory|adult|elderly|older|young|non-?pregnant|postmenopausal|post-menopausal|premenopausal)\s+)*"
_SEX_SUBJECT = re.compile(rf"{_LEAD}(?P<sex>{_FEMALE}|{_MALE})\b(?!\s+(?:partners?|of\s+(?:child|reproductive)|with\s+(?:child|reproductive)|who\s+(?:are|is|could|may|might|plan)))", re.I)
_CONDITIONAL = re.compile(r"childbearing|child-bearing|reproductive|potential|pregnan|lactat|breast-?feed|contracept|partner|steril|\bif\b|\bmust\b|\bshould\b|\bwho\b|\bagree|(?:participants?|patients?|subjects?)\s*:", re.I)


_BOTH_FOLDED = _case_sensitive(_BOTH)


def _sex(text: str, section: Section) -> SexRule | None:
    if section is not Section.inclusion:
        return None
    folded = fold_case(text)
    both = _BOTH.search(text) if folded is None else _BOTH_FOLDED.search(folded)
    if both and both.start() < 40:
        return SexRule(sex=Sex.all, span=(both.start(), both.end()), text=text[both.start() : both.end()])
    m = _SEX_SUBJECT.match(text)
    if m is None or _CONDITIONAL.search(text[: m.end() + 60]):
        return None
    word = m.group("sex").lower()
    sex = Sex.male if re.fullmatch(_MALE, word, re.I) else Sex.female
    return SexRule(sex=sex, span=(m.start("sex"), m.end("sex")), text=m.group("sex"))


# An age needs a number with an age or time word after it, "adult", "(< 18"
# or an age word before a number. Searched in parts: as one pattern
# (r"\d.*(?:age|...)|dult|...|(?:ages?|...)\b.*\d") the greedy .* rescanned
# the rest of the text from every digit.
_DIGIT = re.compile(r"\d")
_HINT_AFTER_DIGIT = re.compile(r"age|old|yr|year|month|week|day|\by\b|yo", re.I)
_HINT_ANYWHERE = re.compile(r"dult|\(\s*[<>≤≥]\s*\d", re.I)
_HINT_BEFORE_DIGIT = re.compile(r"(?:ages?|aged|older|younger)\b", re.I)


_HINTS = (_HINT_AFTER_DIGIT, _HINT_ANYWHERE, _HINT_BEFORE_DIGIT)
_HINTS_FOLDED = tuple(_case_sensitive(p) for p in _HINTS)


def _age_hint(text: str) -> bool:
    # The lowercased text where equivalent (see fold_case), case-sensitively.
    folded = fold_case(text)
    after_digit, anywhere, before_digit = _HINTS if folded is None else _HINTS_FOLDED
    if folded is not None:
        text = folded
    # The first digit leaves the most text after it for an age word; the
    # first age word (the earliest to end) the most for a digit.
    digit = _DIGIT.search(text)
    if digit is None:
        return bool(anywhere.search(text))
    if after_digit.search(text, digit.end()) or anywhere.search(text):
        return True
    word = before_digit.search(text)
    return word is not None and _DIGIT.search(text, word.end()) is not None


def extract_demographics(text: str, offset: int = 0, section: Section = Section.inclusion) -> list[Rule]:
    rules: list[Rule] = []
    sex = _sex(text, section)
    if sex is not None and sex.span is not None:
        sex.span = (sex.span[0] + offset, sex.span[1] + offset)
        rules.append(sex)
    ages = _ages(text, section) if _age_hint(text) else []
    for age in ages:
        if age.min is not None and age.max is not None and age.min == age.max and age.min_inclusive:
            continue  # a bare "age 18" is no threshold
        if _not_the_patients(text, age.start, age.end):
            # "sudden death under 40 years of age in first-degree relatives", "onset age < 60":
            # not the patient's age; a person confirms it
            words = text[age.start : age.end]
            rules.append(ManualRule(category="other", span=(offset + age.start, offset + age.end), text=words,
                                    reason=f"'{words}': the age of another person or at a disease's onset, "
                                           "not the patient's; confirm in person"))
            continue
        rules.append(
            AgeRule(
                min=age.min,
                min_inclusive=age.min_inclusive,
                max=age.max,
                max_inclusive=age.max_inclusive,
                unit=age.unit,
                span=(offset + age.start, offset + age.end),
                text=text[age.start : age.end],
            )
        )
    return rules


# "(onset age less than 60 years)": the age at onset of a disease, not the patient's
_ONSET_BEFORE = re.compile(r"\b(?:onset|diagnosed|diagnosis)\s+(?:at\s+)?$", re.IGNORECASE)
# right after an age: "in first-degree relatives", "of a sibling" (whose age it is)
_WHOSE_AGE = re.compile(r"\s*(?:in|of|among|for)\s+(?:(?:a|an|the|his|her|their|any|male|female)\s+)?"
                        r"(?:[\w-]+\s+){0,2}[\w-]+", re.IGNORECASE)


def _not_the_patients(text: str, start: int, end: int) -> bool:
    """Whether the age at text[start:end] is another person's (rules/triggers.yaml
    other_person words right after it) or an age at a disease's onset."""
    whose = _WHOSE_AGE.match(text, end)
    return ((whose is not None and names_another_person(text, end, whose.end()))
            or _ONSET_BEFORE.search(text, max(0, start - 20), start) is not None)
