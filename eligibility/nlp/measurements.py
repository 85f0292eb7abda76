"""Measurement extraction: "ANC >= 1.5 x 10^9/L" -> a typed MeasurementRule.

A fast, rule-based scanner (no spaCy needed): one precompiled regex finds
every analyte name of ``rules/analytes.yaml``; after each name (or a list of
names joined by "/", ",", "or", "and") a small grammar reads the threshold:
a comparator in symbols or words, a number (grouped, negative, scientific), a
unit from the analyte's accepted units, multiples of ULN/LLN, ranges
("between 3.0 and 6.5", "0-1", "class III or IV"), normal-range phrases and a
time window ("within the past 3 months").

Precision comes first: a number whose unit the analyte does not accept, a
bare number outside the analyte's documented bare-number ranges, a value
outside a score's scale, or a change ("a decrease in hemoglobin of 2 g/dL")
gives no rule.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from functools import cache

from eligibility.ir.model import (
    AllOf,
    AnyOf,
    Code,
    Comparator,
    Duration,
    ManualRule,
    MeasurementRule,
    Rule,
    TimeUnit,
    Window,
)
from eligibility.knowledge.analytes import (
    Analyte,
    get_analyte,
    load_analytes,
    name_matches,
    name_pattern,
    resolve_match,
)
from eligibility.matching.units import normalize_unit, parse_unit, unit_aliases, unit_key

__all__ = ["extract_measurements", "threshold_like"]

# Same-length character normalisation, so offsets stay valid.
_TRANS = str.maketrans(
    {
        "\\": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
        "–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-",
        "＞": ">", "＜": "<", "≧": "≥", "≦": "≤", "⩾": "≥", "⩽": "≤", "＝": "=",
        "×": "x", "⋅": "x", "’": "'", "⁄": "/",
    }
)

_NEEDS_TRANS = re.compile("[" + re.escape("".join(chr(c) for c in _TRANS)) + "]")

_NUMBER = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?![\d.,])|\d+,\d{1,2}(?=\s?(?:%|mg|g/|mmol|µ|μ|u[mg]|[x×*]\s?(?:ULN|10|upper)|times))"
    r"|\d+(?:\.\d+)?|\.\d+)"
)
_SNUMBER = r"(?:-\s?)?" + _NUMBER

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24, "thirty": 30,
}

_GREATER = r"(?:greater|more|higher|larger|bigger|superior|major|over|above)"
_LESS = r"(?:less|lower|smaller|inferior|minor|fewer)"
_COMP_RE = re.compile(
    r"(?i)(?:"
    r"(?P<ge>≥\s*or\s*=(?:\s*to)?|≥\s*=?|=\s*or\s*>|>\s*equal(?:\s+to)?|>\s*_|>\s*or\s*(?:=|equal)(?:\s*to)?|not\s*<(?!\s*or)|³(?=\s?\d)|>\s*/?\s*=|=\s*/?\s*>"
    r"|" + _GREATER + r"\s+(?:than\s*(?:/|or|and)\s*|than\s+|or\s+)equals?(?:\s+(?:to|than))?(?:\s+to)?"
    r"|equals?\s+(?:to\s+)?or\s+(?:" + _GREATER[3:-1] + r"|above)(?:\s+than)?(?:\s+to)?"
    r"|above\s+or\s+equal(?:\s+to)?|at\s*/\s*above|at\s+or\s+above|at\s+least|not\s+less\s+than|no\s+less\s+than"
    r"|not\s+lower\s+than|no\s+lower\s+than|not\s+below|not\s+under|minimum\s+of|a\s+minimum\s+of|min\.?\s*(?=\d)|≥)"
    r"|(?P<le>≤\s*or\s*=(?:\s*to)?|≤\s*=?|=\s*or\s*<|<\s*equal(?:\s+to)?|<\s*_|<\s*or\s*(?:=|equal)(?:\s*to)?|not\s*>(?!\s*or)|<\s*/?\s*=|=\s*/?\s*<"
    r"|" + _LESS + r"\s+(?:than\s*(?:/|or|and)\s*|than\s+|or\s+)equals?(?:\s+(?:to|than))?(?:\s+to)?"
    r"|equals?\s+(?:to\s+)?or\s+(?:" + _LESS[3:-1] + r"|below)(?:\s+than)?(?:\s+to)?|below\s+or\s+equal(?:\s+to)?"
    r"|at\s*/\s*below|at\s+or\s+below"
    r"|no\s+more\s+than|not\s+more\s+than|no\s+greater\s+than|not\s+greater\s+than|no\s+higher\s+than|not\s+higher\s+than"
    r"|not\s+to\s+exceed|not\s+exceeding|does\s+not\s+exceed|do\s+not\s+exceed|not\s+exceed|not\s+above|not\s+over"
    r"|up\s+to|maximum\s+of|a\s+maximum\s+of|max\.?\s*(?=\d)|at\s+most|≤)"
    r"|(?P<gt>>\s*than|>|greater\s+than|greater(?=\s+\d)|more\s+than|higher\s+than|larger\s+than|bigger\s+than|major\s+than|above"
    r"|exceeding|exceeds|exceeded|exceed|over|in\s+excess\s+of|superior\s+to|elevated\s+above|elevated\s+to|increased\s+above)"
    r"|(?P<lt><\s*than|<|less\s+than|less(?=\s+\d)|lower\s+than|smaller\s+than|minor\s+than|below|under|inferior\s+to|fewer\s+than"
    r"|decreased\s+below)"
    r"|(?P<eq>=|equal\s+to|equals)"
    # a word comparator ends at a word boundary; a symbol may touch the next word (">ULN")
    r")(?:(?<=[<>=≤≥³_])|(?![a-z]))(?:\s*to(?=\s*\d))?"
    # "greater than (>) 450 msec", "less than [<] 90", "(</=) 1", "greater than or
    # equal to ≥1.5": the symbol repeated after the words
    r"(?:(?<=[a-z])\s*(?:\(\s*(?:[<>≤≥=/]\s*){1,3}\)|\[\s*(?:[<>≤≥=/]\s*){1,3}\]|[<>≤≥](?:\s*/?\s*=)?(?=\s*\d)))?"
)

_ULN_WORDS = (
    r"(?:ULN|UNL|IULN|ULRR|upper[\s-]+limits?\s+(?:of\s+)?(?:the\s+)?(?:institution(?:al|'s)?\s+)?(?:normal|reference)(?:\s+(?:range|limits?|values?))?"
    r"|upper\s+normal\s+(?:limits?|range|values?)|upper[\s-]+limits?\s+(?:of\s+)?(?:the\s+)?normal\s+range|normal\s+upper[\s-]+limits?"
    r"|upper[\s-]+limits?(?!\s+of)|upper\s+normal|standard\s+range(?:\s+(?:of\s+)?(?:the\s+)?institution(?:al)?)?"
    r"|(?:the\s+)?normal\s+(?:value|range)\s+upper\s+limit"
    # "1.5 times upper institutional limit of the "normal" range", "upper reference limit"
    r"|upper\s+(?:institution(?:al)?|laboratory|reference)\s+limits?(?:\s+(?:of|for)\s+(?:the\s+)?\"?normal\"?(?:\s+(?:range|values?))?)?)"
)
_LLN_WORDS = (
    r"(?:LLN|LNL|lower[\s-]+limits?\s+(?:of\s+)?(?:the\s+)?(?:institution(?:al|'s)?\s+)?(?:normal|reference)(?:\s+(?:range|limits?|values?))?"
    r"|lower\s+normal\s+(?:limits?|range|values?)|normal\s+lower[\s-]+limits?|lower[\s-]+limits?(?!\s+of)|lower\s+normal"
    r"|lower\s+(?:institution(?:al)?|laboratory|reference)\s+limits?(?:\s+(?:of|for)\s+(?:the\s+)?\"?normal\"?(?:\s+(?:range|values?))?)?)"
)
_REL_TAIL = (
    r"(?:(?:\s*\(\s*(?:ULN|UNL|LLN|IULN)\s*\))?"
    r"(?:\s+(?:of|for|at)\s+(?:the\s+)?(?:institution(?:al)?|investigational\s+site|local\s+laboratory|laboratory|lab|site"
    r"|reference\s+(?:range|laboratory)|normal(?:\s+range)?)(?:\s+(?:normal|range|limits?|values?))*)?"
    r"|(?:\s+(?:institution(?:al)?|per\s+institutional\s+(?:standards|range)))?)"
)
_RELATIVE_RE = re.compile(
    r"(?i)\s*(?:(?P<mult>x|\*|times|-?\s*fold|folds?)\s*)?(?:of\s+)?"
    # "five times higher than the ULN": the direction sits between multiple and limit
    r"(?:(?P<dir>higher|greater|more|above|over|in\s+excess\s+of)(?:\s+than)?\s+)?"
    r"(?P<paren>\(\s*)?(?:the\s+|an?\s+)?"
    r"(?:(?:(?:central\s+)?laboratory(?:'s)?\s+|institutional\s+|institutions?(?:'s?)?\s+|local\s+|lab(?:'s)?\s+|site\s+"
    r"|reference\s+)){0,2}"
    r"(?:(?P<uln>" + _ULN_WORDS + r")|(?P<lln>" + _LLN_WORDS + r")"
    # "1.4 times normal", "twice the normal range", "5 times of reference range":
    # only read as the upper limit after an explicit multiple
    r"|(?P<nrm>(?:upper\s+)?(?:normal|reference)(?:\s+(?:range|values?|limits?))?(?!\s+(?:saline|lower)))"
    # French "ALAT < 3 N" (3 fois la normale)
    r"|(?P<nfr>(?-i:N)(?![\w/-])))"
    r"(?(paren)\s*\))" + _REL_TAIL
)
# a multiple in words, read only when a limit of normal follows ("three times the ULN")
_WORD_MULTIPLE_RE = re.compile(
    r"(?i)\s*(?P<w>two|three|four|five|six|seven|eight|nine|ten|twice|double|triple|thrice)(?:\s*\(\s*\d+\s*\))?(?![a-z])"
)
_WITHIN_RE = re.compile(r"(?i)within\s+")
_POWER = r"10\s*(?:(?:\^|\*\*?|e|exp)\s*\(?\s*(?P<e>\d{1,2})\s*\)?|(?P<s>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}))"
_POW_RE = re.compile(r"\s*" + _POWER)
_TIMES_POW_RE = re.compile(r"\s*[x*]\s*" + _POWER)
_SUPER_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_COUNT_POWER_UNITS = {"10^3/uL", "10^9/L", "10^6/uL", "10^12/L"}
_BOUND_CMP_RE = re.compile(r"\s*(?:≥|≤|>\s*=?|<\s*=?)\s*")
_RESTATED_RE = re.compile(r"\s*\([^()\d]{1,30}(?:\^?[23])?[^()\d]{0,10}\)")
_LOG_RE = re.compile(r"(?i)\s*log\s*(?:10|₁₀)?(?![a-z])")
_SIDE_RE = re.compile(r"(?i)\s*\(?\s*(systolic|diastolic|SBP|DBP)(?![a-z])\s*\)?")
_X_BEFORE_RE = re.compile(r"(?i)\s*[x*]\s*(?=\d)")
_WORD_MULTIPLES = {
    "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0, "eight": 8.0, "nine": 9.0,
    "ten": 10.0, "twice": 2.0, "double": 2.0, "triple": 3.0, "thrice": 3.0,
}
# "> ULN" with no number
_REL_ONLY_RE = re.compile(
    r"(?i)\s*(?:the\s+|an?\s+)?(?:institutional\s+|institutions?(?:'s?)?\s+|local\s+|(?:central\s+)?laboratory(?:'s)?\s+"
    r"|lab\s+|site\s+)?"
    r"(?:(?P<uln>" + _ULN_WORDS + r")|(?P<lln>" + _LLN_WORDS + r"))" + _REL_TAIL
)
_NORMAL_RE = re.compile(
    r"(?i)(?:"
    r"(?P<above>(?:above|greater\s+than|higher\s+than|more\s+than|exceeding|exceeds|over|>)\s+(?:the\s+)?(?:institutional\s+|upper\s+)?"
    r"(?:upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+range)?|ULN|normal\s+(?:range|limits?|values?)|upper\s+normal\s+limits?|the\s+normal\s+range|normal)"
    r"|elevated|increased|abnormally\s+high|high(?!\s+dose))"
    r"|(?P<below>(?:below|less\s+than|lower\s+than|under|<)\s+(?:the\s+)?(?:institutional\s+|lower\s+)?"
    r"(?:lower\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+range)?|LLN|normal\s+(?:range|limits?|values?)|lower\s+normal\s+limits?|the\s+normal\s+range|normal))"
    # "outside (of) the normal range": below or above, an AnyOf of both
    r"|(?P<outside>(?:outside|out)\s+(?:of\s+)?(?:the\s+)?(?:institutional\s+|local\s+|laboratory(?:'s)?\s+)?"
    r"(?:normal|reference)\s+(?:laboratory\s+)?(?:reference\s+)?(?:limits?|ranges?|values?)"
    r"|above\s+or\s+below\s+(?:the\s+)?(?:institutional\s+|laboratory\s+)?normal(?:\s+(?:limits?|ranges?|values?))?"
    r"|(?:is\s+|are\s+)?abnormal)"
    r"|(?P<normal>(?:within|in)\s+(?:the\s+)?(?:institutional\s+|local\s+|laboratory\s+)?(?:normal\s+(?:reference\s+)?|reference\s+)"
    r"(?:limits?|ranges?|values?)"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?(?:institution|laboratory|site))?|WNL|within\s+normal|normal(?!\s+(?:saline|range\s+(?:of|for)|value\s+of))"
    r"|(?:is|are|be)\s+normal)"
    r")(?![a-z])"
)
_TRAILER_RE = re.compile(
    r"(?i)\s*(?:(?:or|and)\s+(?P<ge>more|greater|higher|above|over|up)|(?P<ge2>\+)"
    r"|(?:or|and)\s+(?P<le>less|lower|below|under|fewer|smaller))(?![a-z])"
    r"(?!\s+(?:the\s+)?(?:upper|lower|ULN|LLN|normal|institutional))"
)
_INCLUSIVE_RE = re.compile(
    r"(?i)\s*(?:,\s*)?(?:\(\s*)?(?:(?:both\s+)?(?:extremes|limits|values|ends)\s+)?"
    r"(?P<w>inclusive|included|inclusively|exclusive|excluded|not\s+included)\s*\)?"
)
_BETWEEN_RE = re.compile(
    r"(?i)(?:between|from|range(?:s)?\s+(?:of\s+|from\s+)?|(?:with)?in\s+(?:the\s+)?range\s+(?:of\s+)?)\s*"
)
# "outside the range of 90 to 140 mmHg": below the low end or above the high one
_OUTSIDE_RANGE_RE = re.compile(r"(?i)(?:outside|out\s+of)\s+(?:the\s+)?(?:(?:normal\s+)?range\s+(?:of\s+)?)?")
_RANGE_SEP_RE = re.compile(r"(?i)\s*(?:-|to|and|through|~)\s*")
_BETWEEN_SEP_RE = re.compile(r"(?i)\s*(?:and|-|to|&)\s*")

_FILLER_RE = re.compile(
    r"(?i)(?:\s+|:|\)(?=\s*(?:[<>≤≥=]|less|greater|more|at\s+least|above|below|between|within|index|scores?|levels?|values?|counts?|of\s|is\s|must))|=(?!\s*/?\s*[<>\d]|\s*or\s*[<>])|,(?=\s*(?:must|should|is|are|of|at|measured|i\.\s?e\.))|\(\s*(?=[<>≤≥]|at\s+least|greater|less|more|between|must)|"
    r"(?:serum|plasma|blood|levels?|counts?|values?|concentrations?|scores?|of|is|are|was|were|must|should|shall|be|has|have|"
    r"(?-i:a|an)|elevated(?=\s*\()|with|class|classification|grade|status|performance|results?|functional|total|absolute|measured|measurement|"
    r"copies|the|mean|baseline|screening|at\s+screening|at\s+baseline|at\s+the\s+screening\s+visit|during\s+screening|"
    r"corrected|calculated|estimated|fasting|resting|sitting|seated|supine|index|rate|number|test(?:ing)?|intervals?|"
    r"by\s+(?:the\s+)?(?:Cockcroft[\s-]*Gault|MDRD|CKD[\s-]*EPI)(?:\s+(?:formula|equation|method))?|"
    r"\((?:Cockcroft[\s-]*Gault|MDRD|CKD[\s-]*EPI|calculated|measured|estimated)[^()]{0,30}\)|"
    r"(?:using|according\s+to|per)\s+(?:the\s+)?(?:Cockcroft[\s-]*Gault|MDRD|CKD[\s-]*EPI|Fridericia(?:'s)?|Bazett(?:'s)?)"
    r"(?:\s+(?:formula|equation|correction|method))?|"
    r"\((?:Fridericia|Bazett|QTcF|QTcB|ECOG|WHO|Zubrod|KPS)[^()]{0,30}\)|"
    r"ps|kps|who|scale|assessment|on\s+(?:the\s+)?\w+\s+scale|in\s+(?:the\s+)?(?:serum|plasma|blood)|"
    r"equal(?!\s+(?:to\s+)?or\b)|obtained|documented|recorded|\d+\s*-?\s*(?:item|point)|"
    r"(?:known\s+)?to\s+be|averag(?:e|ing)|(?:at|on|in)\s+room\s+air|"
    r"at\s+(?:study\s+)?(?:entry|enrol?lment|randomi[sz]ation)|exam(?:ination)?|levels?\s*\(s\)|that(?=\s+(?:is|are|was|were))|equall?ing|both|prolong(?:ation|ed)|ratio|laboratory|lab|i\.\s?e\.,?|,(?=\s*\()|\[\d{1,3}\]|,(?=\s*\d[\d.,]*\s*(?:-|to)\s*\d)|determined|clinical|formula|equation|"
    # "Hemoglobin (hgb)", "(HbA1c)", "(BMI, weight in kg divided by the square of
    # height in meters)": an abbreviation or gloss in brackets, with no number
    # (a digit inside a word is fine) or comparator in it
    r"\((?![^()]*(?<![A-Za-z])\d)[^()<>≤≥=]{1,70}\)(?=\s*[:,]?\s*(?:[<>≤≥=]|\d|of|is|are|was|were|must|should|between|from|within|greater|less|more|"
    r"higher|lower|above|below|under|over|at\s+least|equal|not|no|up|in|to|ranging|range|levels?|values?|counts?|"
    r"concentrations?|scores?|ratio|test|intervals?)))(?![a-z]))"
)
_WINDOW_RE = re.compile(
    r"(?i)\s*(?:,\s*)?(?:\(\s*)?(?:(?:measured|obtained|performed|assessed|taken|documented|done|drawn|tested|determined)\s+)?"
    r"(?:with)?in\s+(?:the\s+)?(?:last|past|previous|preceding|prior)?\s*"
    r"(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty-four|thirty)"
    r"\s*(?:\(\s*\d+\s*\)\s*)?(?P<u>days?|weeks?|months?|years?|wks?|mos?|d|yrs?)\b"
    r"(?:\s+(?:prior\s+to|before|of|preceding)\s+(?:the\s+)?(?:screening(?:\s+visit)?|randomi[sz]ation|enrol?l?ment|inclusion|"
    r"study\s+(?:entry|start|drug|treatment)|day\s+1|baseline|registration|first\s+dose(?:\s+of\s+study\s+(?:drug|treatment))?|"
    r"signing\s+(?:the\s+)?(?:informed\s+)?consent|consent|visit\s+1))?"
)
_CHANGE_BEFORE_RE = re.compile(
    r"(?i)(?:increase[sd]?|decrease[sd]?|reductions?|declines?|drops?|changes?|rises?|falls?|improvements?|worsening|"
    r"loss|gain|elevations?|difference|variations?|fluctuations?|deteriorations?|doubling|reduced|"
    r"to\s+(?:maintain|achieve|keep|reach)|target(?:ed)?|goal|if|when|unless|after|post)"
    r"\s+(?:(?:of|in|from)\s+)?(?:the\s+)?(?:baseline\s+|patient'?s?\s+)?(?:\w+\s+)?$"
)
_CONNECT_RE = re.compile(r"(?i)^\s*(?:,\s*|/\s*|\s(?:and/or|or|and|&)\s+|,\s*(?:and/or|or|and)\s+|\s*\+\s*)$")
_OR_BETWEEN_RE = re.compile(r"(?i)^[\s,;]*\)?[\s,;]*(?:and/or|or)[\s,]*\(?\s*$")
_VALUE_OR_RE = re.compile(r"(?i)\s*(?:,\s*)?(?:and/or|or)\s+")
# one "\s*" per run: "\s*,?\s*" backtracks over the long space runs of registry texts
_VALUE_AND_RE = re.compile(r"(?i)\s*(?:,\s*)?(?:and|but|to|,)\s+")
_PAREN_SAME_RE = re.compile(r"\s*[(\[]\s*")

_DASH_NUM_RE = re.compile(r"\s*-\s*\d")
_PAREN_OPEN_RE = re.compile(r"\s?\(\s*")
_PAREN_CLOSE_RE = re.compile(r"\s*\)")
_PREDICTED_RE = re.compile(
    r"(?i)\s*(?:of\s+)?(?:the\s+)?(?:predicted|pred\.?|theoretical)(?:\s+(?:normal\s+)?(?:values?|normal|FEV1))?(?![a-z])"
)
_PAIR_RE = re.compile(r"\s*(?P<a>\d{2,3})\s*/\s*(?P<b>\d{2,3})(?!\d)")
_CLASS_PREFIX_RE = re.compile(r"(?i)\s*(?:class\s+|grade\s+|stage\s+)?")
_OF_RE = re.compile(r"(?i)\s*(?:of|:|=|from|range(?:s)?\s+(?:of|from)?)?\s*")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
_CODE_TOKEN = re.compile(r"(?:IV|VI|V|I{1,3}|[A-C]|[0-9]+(?:\.[05])?)(?![A-Za-z0-9])")
_LIST_SEP_RE = re.compile(r"(?i)\s*(?:,\s*(?:or\s+|and\s+)?|/|\s+or\s+|\s+and\s+|&|-|\s+to\s+|\s+through\s+)\s*")
_SCORE_END_RE = re.compile(r"(?i)\s*(?:$|[,;.)]|and\b|or\b(?!\s+(?:more|less|greater|higher|lower|above|below|better|worse)))")

# unit spellings that are also English words: only read when the analyte
# accepts them, never taken as "some other unit" that vetoes a rule
_WORD_UNITS = {"in", "s", "c", "f", "l", "m", "pt", "cc", "sd", "score", "points", "point", "copies", "kilo", "mm", "g", "min"}
_OTHER_UNIT_RE = re.compile(
    r"(?i)\s*(?P<u>%|[a-zµμ][a-zµμ0-9/.^*²³]*(?:\s*/\s*[a-zµμ0-9.^*²³]+)*)"
)
_DOSE_WORDS = {
    "mg", "mcg", "ug", "µg", "μg", "years", "year", "yrs", "yr", "months", "month", "weeks", "week", "days",
    "day", "hours", "hour", "hrs", "hr", "h", "times", "fold", "cycles", "doses", "episodes", "lesions",
    "cm", "mm", "mg/day", "mg/kg", "mg/m2", "mg/d", "mmhg", "kg", "lbs", "lb", "%", "ml", "l", "g",
}


@dataclass
class _Cond:
    comparator: Comparator
    value: float | None = None
    value_high: float | None = None
    inclusive: bool = True
    unit_text: str | None = None
    relative_to: str | None = None
    coded: bool = False
    pair_high: float | None = None  # the diastolic half of "140/90"
    component: str | None = None  # "BP > 140 mmHg systolic": the panel member named after the value


@dataclass
class _Parsed:
    conds: list[_Cond]
    logic: str  # "single" | "all" | "any"
    end: int
    window: Window | None = None
    extra: list[_Cond] = field(default_factory=list)


# ----------------------------------------------------------------- units


# a denominator may be spelled out ("umol per liter", "cells/microliter"),
# which unit_key folds back to the abbreviation
_SPELLED_DENOMINATOR = re.compile(r"(dl|ml|ul|l|min)(?![a-z])")
_SPELLED_DENOMINATOR_RE = {
    "l": r"(?:l|lit(?:er|re)s?)",
    "dl": r"(?:dl|decilit(?:er|re))",
    "ml": r"(?:ml|mill?ilit(?:er|re))",
    "ul": r"(?:[uµμ]l|mcl|microl(?:it(?:er|re))?)",
    "min": r"(?:min(?:ute)?s?)",
}


def _alias_regex(alias: str) -> str:
    if " " in alias.strip():
        return r"\s*".join(_alias_regex(part) for part in alias.split())
    key = unit_key(alias)
    out: list[str] = []
    if key.startswith("10^"):
        out.append(r"(?:[x*]\s*)?")
    i = 0
    while i < len(key):
        c = key[i]
        if c == "^":
            j = i + 1
            while j < len(key) and key[j].isdigit():
                j += 1
            digits = key[i + 1 : j]
            sup = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in digits)
            # "10(9)" but not the ")" that closes the sentence in "(ANC < 1,500/mm3)"
            out.append(r"(?:\s*(?:\^|\*\*?|e|exp)?\s*(?:\(" + digits + r"\)|" + digits + r")|" + sup + ")")
            i = j
            continue
        if c == "/":
            out.append(r"\s*(?:/|per\s)\s*")
            spelled = _SPELLED_DENOMINATOR.match(key, i + 1)
            if spelled:
                out.append(_SPELLED_DENOMINATOR_RE[spelled.group(1)])
                i = spelled.end()
                continue
        elif c == "x" and i == 0:
            out.append(r"x\s*")
        elif c == "u" and (i == 0 or key[i - 1] in "/(") and i + 1 < len(key) and key[i + 1] in "glmik":
            out.append(r"(?:[uµμ]|mc|micro)")
        elif c == "u":
            out.append("[uµμ]")
        elif c in "23" and i > 0 and key[i - 1] == "m":
            out.append("(?:[" + c + ("²" if c == "2" else "³") + r"]|\(" + c + r"\))")
        elif c == "(":
            out.append(r"\s*\(")
        elif c == "h" and key[max(0, i - 2) : i] == "mm":
            out.append(r"\s*h")
        elif c.isalpha() and i > 0 and key[i - 1].isdigit():
            out.append(r"\s*" + re.escape(c))
        elif c == ".":
            out.append(r"[.,]")
        else:
            out.append(re.escape(c))
        if key[: i + 1] == "copies":
            out.append(r"(?:\s*\(\s*cps\s*\))?")
        i += 1
    return "".join(out)


@cache
def _unit_regex(codes: tuple[str, ...]) -> re.Pattern[str] | None:
    aliases = unit_aliases()
    spellings: set[str] = set()
    for code in codes:
        spellings.add(code)
        spellings.update(aliases.get(code, []))
        if code.startswith("10^"):
            spellings.add("x" + code)
            spellings.add("x" + code.replace("10^", "10"))  # "x 109/L": a lost superscript
    if "mL/min/1.73m2" in codes:
        spellings.update(["ml/min/1.73 m2", "ml/min per 1.73 m2", "ml/min/1.73 m^2", "ml/min/1.73m2 bsa"])
    if "/uL" in codes:
        spellings.update(["per mm3", "per ul", "per microliter", "per cubic millimeter", "cells per mm3", "cells per ul"])
    if "copies/mL" in codes:
        spellings.update(["copies (cps)/ml", "copies/ ml"])
    patterns = sorted({_alias_regex(s) for s in spellings if s}, key=len, reverse=True)
    if not patterns:
        return None
    return re.compile(r"(?i)\s*(?:" + "|".join(patterns) + r")(?![a-z0-9²³])")


def _analyte_unit_regex(analyte: Analyte) -> re.Pattern[str] | None:
    codes = tuple(u for u in analyte.all_units if u)
    if analyte.kind == "score" and "{score}" not in codes:
        codes = (*codes, "{score}")
    if analyte.percent_predicted and "%" not in codes:
        codes = (*codes, "%")
    return _unit_regex(codes)


# ----------------------------------------------------------------- parsing


def _num(text: str) -> float:
    text = text.replace(" ", "")
    if re.fullmatch(r"-?\d+,\d{1,2}", text):
        return float(text.replace(",", "."))
    return float(text.replace(",", ""))


class _Scanner:
    def __init__(self, t: str, analyte: Analyte) -> None:
        self.t = t
        self.a = analyte
        self.unit_re = _analyte_unit_regex(analyte)
        self.coded = bool(analyte.coded_values)
        self.rel_dir = False  # the last multiple read said "higher than" itself

    # one number, optionally signed
    _num_re = re.compile(r"\s*(?P<n>" + _SNUMBER + r")(?![\d])")
    _unum_re = re.compile(r"\s*(?P<n>" + _NUMBER + r")(?![\d])")

    def number(self, pos: int, signed: bool = True) -> tuple[float, int] | None:
        m = (self._num_re if signed else self._unum_re).match(self.t, pos)
        if not m:
            return None
        # not a date, a list number "1." at a line start, or "3-month"
        return _num(m.group("n")), m.end()

    def coded_value(self, pos: int) -> tuple[float, int] | None:
        m = _CLASS_PREFIX_RE.match(self.t, pos)
        p = m.end() if m else pos
        m2 = _CODE_TOKEN.match(self.t, p)
        if not m2:
            return None
        tok = m2.group(0)
        if tok in self.a.coded_values:
            return self.a.coded_values[tok], m2.end()
        if tok in _ROMAN and any(k in _ROMAN for k in self.a.coded_values):
            return float(_ROMAN[tok]), m2.end()
        if re.fullmatch(r"[0-9.]+", tok):
            return float(tok), m2.end()
        return None

    def value(self, pos: int, signed: bool = True) -> tuple[float, int] | None:
        if self.coded:
            return self.coded_value(pos)
        return self.number(pos, signed)

    def unit(self, pos: int) -> tuple[str | None, int]:
        if self.unit_re is None:
            return None, pos
        m = self.unit_re.match(self.t, pos)
        end = m.end() if m else pos
        if m is None:
            # "=60(ml/min/1.73 m2)": the unit in parentheses, glued to the number
            o = _PAREN_OPEN_RE.match(self.t, pos) if "(" in self.t[pos : pos + 2] else None
            m = self.unit_re.match(self.t, o.end()) if o else None
            c = _PAREN_CLOSE_RE.match(self.t, m.end()) if m else None
            if m is None or c is None:
                return None, pos
            end = c.end()
        unit = m.group(0).strip()
        if unit.endswith("%") or unit.lower().startswith("percent"):
            pred = _PREDICTED_RE.match(self.t, end)
            if pred:
                end = pred.end()
        return unit, end

    def foreign_unit(self, pos: int) -> bool:
        """Is a unit the analyte does not accept written here?"""
        m = _OTHER_UNIT_RE.match(self.t, pos)
        if not m:
            return False
        raw = m.group("u")
        word = raw.lower().rstrip(".")
        if word in _WORD_UNITS:
            return False
        if word in _DOSE_WORDS or (word.split("/")[0] in {"mg", "mcg", "ug", "µg", "g", "iu", "units", "u"} and "/" in word):
            return True
        return parse_unit(raw) is not None and m.start("u") - pos <= 1

    def relative(self, pos: int, worded: bool = False) -> tuple[str, int] | None:
        m = _RELATIVE_RE.match(self.t, pos)
        if not m or (m.group("nrm") and not (m.group("mult") or worded)):
            return None
        if m.group("dir"):
            self.rel_dir = True
        return ("uln" if m.group("uln") or m.group("nrm") or m.group("nfr") else "lln"), m.end()

    def quantity(self, pos: int, signed: bool = True) -> tuple[float, str | None, str | None, int] | None:
        """number [unit | x ULN]; (value, unit_text, relative_to, end)"""
        self.rel_dir = False
        v = self.value(pos, signed)
        if not self.coded:
            sci = self.scientific(pos, v)
            if sci is not None:
                return sci
        if v is None and not self.coded:
            # "> x2 ULN": the multiplication sign before the number
            x = _X_BEFORE_RE.match(self.t, pos)
            v2 = self.value(x.end(), False) if x else None
            rel = self.relative(v2[1]) if v2 else None
            if v2 is not None and rel is not None:
                return v2[0], None, rel[0], rel[1]
        if v is None:
            w = _WORD_MULTIPLE_RE.match(self.t, pos) if not self.coded else None
            worded = w is not None and w.group("w").lower() in ("twice", "double", "triple", "thrice")
            rel = self.relative(w.end(), worded=worded) if w else None
            if w is None or rel is None or rel[0] != "uln":
                return None
            return _WORD_MULTIPLES[w.group("w").lower()], None, rel[0], rel[1]
        value, p = v
        raw = self.t[pos:p].strip()
        rel = self.relative(p)
        if rel is not None:
            return value, None, rel[0], rel[1]
        lg = _LOG_RE.match(self.t, p)
        if lg is not None:
            # "HBV DNA < 4 log10 IU/mL": virology's logs are base 10, so 10^4 IU/mL exactly
            unit, p2 = self.unit(lg.end())
            if unit is None or not 0 < value < 12:
                return None
            return 10.0 ** value, unit, None, p2
        unit, p2 = self.unit(p)
        if unit is not None and re.fullmatch(r"\d{1,3}\.\d{3}", raw) and normalize_unit(unit) == "/uL":
            value = float(raw.replace(".", ""))  # "100.000/µl": a dot as thousands separator
        if unit is not None:
            rel = self.relative(p2)
            if rel is not None:  # "1.5 mg/dL x ULN" is nonsense, keep the unit
                return value, unit, None, p2
            return value, unit, None, p2
        if self.foreign_unit(p):
            return None
        return value, None, None, p

    def scientific(self, pos: int, v: tuple[float, int] | None) -> tuple[float, str | None, str | None, int] | None:
        """"2x10^3 IU/mL", "10^4 IU/mL", "1 x 10⁵ copies/mL": a power of ten
        that is not part of the unit (count units such as 10^9/L are)."""
        t = self.t
        m = _POW_RE.match(t, pos) if "10" in t[pos : pos + 4] else None
        base = 1.0
        if m is None:
            # cheap test first: this runs for every number read
            if v is None or t[v[1] : v[1] + 3].lstrip()[:1] not in ("x", "X", "*"):
                return None
            if self.unit(v[1])[0] is not None:
                return None
            m = _TIMES_POW_RE.match(t, v[1])
            base = v[0]
            if m is None:
                return None
        exp = int(m.group("e") or m.group("s").translate(_SUPER_DIGITS))
        unit, end = self.unit(m.end())
        if unit is None or not 0 < exp <= 12 or normalize_unit(unit) in _COUNT_POWER_UNITS:
            return None
        return base * 10.0**exp, unit, None, end

    def inclusive(self, pos: int) -> tuple[bool | None, int]:
        m = _INCLUSIVE_RE.match(self.t, pos)
        if not m:
            return None, pos
        word = m.group("w").lower()
        return word.startswith("inclu"), m.end()

    def comparator(self, pos: int) -> tuple[Comparator, int] | None:
        m = _COMP_RE.match(self.t, pos)
        if not m:
            return None
        kind = m.lastgroup
        comp: Comparator = {"ge": ">=", "le": "<=", "gt": ">", "lt": "<", "eq": "="}[kind or "eq"]  # type: ignore[assignment]
        return comp, m.end()

    # --- the grammar
    def parse(self, pos: int) -> _Parsed | None:
        first = self.one(pos)
        if first is None:
            return None
        conds, end = first
        logic = "all" if len(conds) > 1 else "single"
        if [c.comparator for c in conds] in (["below_normal", "above_normal"], ["<", ">"]):
            logic = "any"
        # "> 5.5 µIU/mL but <= 10.0 µIU/mL" / "or above the ULN"
        if len(conds) == 1 and conds[0].comparator != "between":
            m = _VALUE_AND_RE.match(self.t, end)
            if m:
                nxt = self.comparing(m.end())
                if nxt is not None and nxt[0][0].comparator in ("<", "<=", ">", ">=") and _opposite(
                    conds[0].comparator, nxt[0][0].comparator
                ):
                    if conds[0].unit_text is None and conds[0].relative_to is None and nxt[0][0].relative_to is None:
                        # "> 35 and < 50 kg/m2", ">=50 and <=70% predicted": one unit for both bounds
                        conds = [replace(conds[0], unit_text=nxt[0][0].unit_text)]
                    conds = conds + nxt[0]
                    end = nxt[1]
                    logic = "all"
                elif nxt is not None and _eq_bounds(conds[0], nxt[0][0]):
                    # "= 55 kg and = 140 kg": two lost bounds (≥ and ≤); both
                    # cannot be equalities, so the only reading is the range
                    lo, hi = conds[0], nxt[0][0]
                    conds = [_Cond("between", lo.value, hi.value, unit_text=hi.unit_text or lo.unit_text,
                                   relative_to=lo.relative_to)]
                    end = nxt[1]
            # "< 90 mmHg or > 160 mmHg", "> 140 mmHg systolic or > 90 mmHg diastolic or ..."
            while logic in ("single", "any") and len(conds) < 6:
                m = _VALUE_OR_RE.match(self.t, end)
                nxt = self.comparing(m.end()) if m else None
                if nxt is None:
                    break
                conds = conds + nxt[0]
                end = nxt[1]
                logic = "any"
        if len(conds) > 1 and conds[-1].unit_text and conds[-1].relative_to is None:
            # "< 3.5 or > 5.1 mEq/L": the unit written once, after the last bound
            conds = [
                replace(c, unit_text=conds[-1].unit_text)
                if c.unit_text is None and c.relative_to is None and c.value is not None and c.component is None else c
                for c in conds
            ]
        window = None
        wm = _WINDOW_RE.match(self.t, end)
        if wm:
            window = _window(wm)
            end = wm.end()
            if self.t[wm.start():wm.end()].lstrip(" ,").startswith("(") and end < len(self.t) and self.t[end] == ")":
                end += 1
        return _Parsed(conds=conds, logic=logic, end=end, window=window)

    def comparing(self, pos: int) -> tuple[list[_Cond], int] | None:
        """A comparator-led condition (used after "or"/"but")."""
        n = _NORMAL_RE.match(self.t, pos)
        if n and n.group("above"):
            return [_Cond("above_normal")], n.end()
        c = self.comparator(pos)
        if c is None:
            return None
        comp, p = c
        if self.a.components:
            return self.panel_value(comp, p)
        q = self.quantity(p)
        if q is None:
            return None
        value, unit, rel, end = q
        return [_Cond(comp, value, unit_text=unit, relative_to=rel)], end

    def one(self, pos: int) -> tuple[list[_Cond], int] | None:
        t = self.t
        # between X and Y
        b = _BETWEEN_RE.match(t, pos)
        if b:
            got = self.between(b.end())
            if got is not None:
                return got
        o = _OUTSIDE_RANGE_RE.match(t, pos)
        if o and not self.coded:
            got = self.between(o.end())
            if got is not None and got[0][0].comparator == "between":
                rng = got[0][0]
                return [_Cond("<", rng.value, unit_text=rng.unit_text, relative_to=rng.relative_to),
                        _Cond(">", rng.value_high, unit_text=rng.unit_text, relative_to=rng.relative_to)], got[1]
        # normal-range phrases
        n = _NORMAL_RE.match(t, pos)
        if n:
            if n.group("above"):
                return [_Cond("above_normal")], n.end()
            if n.group("below"):
                return [_Cond("below_normal")], n.end()
            if n.group("normal"):
                return [_Cond("normal")], n.end()
            if n.group("outside"):
                return [_Cond("below_normal"), _Cond("above_normal")], n.end()
        c = self.comparator(pos)
        if c is not None:
            comp, p = c
            if comp == "=" and self.a.kind != "score":
                # "= 30-80%": a range after a bare "="
                got = self.value_list(p)
                if got is not None and got[0][0].comparator == "between":
                    return got
            # "< ULN", "> 2 x ULN"
            r = _REL_ONLY_RE.match(t, p) if not re.match(r"\s*\d", t[p : p + 3]) else None
            if r is not None:
                which = "uln" if r.group("uln") else "lln"
                if comp in (">", ">=") and which == "uln":
                    return [_Cond("above_normal" if comp == ">" else ">=", None if comp == ">" else 1.0,
                                  relative_to=None if comp == ">" else "uln")], r.end()
                if comp in ("<",) and which == "lln":
                    return [_Cond("below_normal")], r.end()
                return [_Cond(comp, 1.0, relative_to=which)], r.end()
            # BP pair "140/90"
            if self.a.components:
                return self.panel_value(comp, p)
            q = self.quantity(p)
            if q is None:
                return None
            value, unit, rel, end = q
            # a range after a comparator is odd ("> 1-2"): refuse
            if _DASH_NUM_RE.match(t, end) and not unit and not rel:
                return None
            if self.a.kind == "score" and comp == "=":
                got = self.value_list(p)
                if got is not None:
                    return got
            return [_Cond(comp, value, unit_text=unit, relative_to=rel)], end
        # "within 2 times the upper limit of normal"
        w = _WITHIN_RE.match(t, pos)
        if w:
            q = self.quantity(w.end())
            if q is not None and q[2] is not None:
                return [_Cond("<=", q[0], relative_to=q[2])], q[3]
        # "five times higher than the upper limit of normal"
        if not self.coded:
            q = self.quantity(pos)
            if q is not None and q[2] is not None and self.rel_dir:
                return [_Cond(">", q[0], relative_to=q[2])], q[3]
        # bare number(s): ranges, lists, trailers
        if self.a.components:
            # "150/95 or higher"
            pair = _PAIR_RE.match(t, pos)
            if pair is None:
                return None
            punit, pend = self.unit(pair.end())
            tr = _TRAILER_RE.match(t, pend)
            if tr is None:
                return None
            comp2: Comparator = ">=" if (tr.group("ge") or tr.group("ge2")) else "<="
            return [_Cond(comp2, float(pair.group("a")), unit_text=punit, pair_high=float(pair.group("b")))], tr.end()
        got = self.value_list(pos)
        if got is not None:
            return got
        return None

    def panel_value(self, comp: Comparator, pos: int) -> tuple[list[_Cond], int] | None:
        """"140/90 mmHg", or one member named after the value ("> 140 mmHg systolic")."""
        pair = _PAIR_RE.match(self.t, pos)
        if pair is not None:
            punit, pend = self.unit(pair.end())
            return [_Cond(comp, float(pair.group("a")), unit_text=punit, pair_high=float(pair.group("b")))], pend
        v = self.number(pos, False)
        if v is None:
            return None
        unit, end = self.unit(v[1])
        side = _SIDE_RE.match(self.t, end)
        if side is None or len(self.a.components) < 2:
            return None
        member = self.a.components[0 if side.group(1).lower() in ("systolic", "sbp") else 1]
        return [_Cond(comp, v[0], unit_text=unit, component=member)], side.end()

    def between(self, pos: int) -> tuple[list[_Cond], int] | None:
        # "between ≥7.0 and ≤10.0%", "between 18 and <40 kg/m2": a bound's own comparator
        c1 = _BOUND_CMP_RE.match(self.t, pos)
        q1 = self.quantity(c1.end() if c1 else pos)
        if q1 is None:
            return None
        v1, u1, r1, p = q1
        inc1, p = self.inclusive(p)
        if u1 is not None:
            # "between 23.0 kilogram per meter square (kg/m^2) and 39.9 kg/m^2"
            rest = _RESTATED_RE.match(self.t, p)
            p = rest.end() if rest else p
        s = _BETWEEN_SEP_RE.match(self.t, p)
        if not s:
            return None
        c2 = _BOUND_CMP_RE.match(self.t, s.end())
        q2 = self.quantity(c2.end() if c2 else s.end())
        if q2 is None:
            return None
        v2, u2, r2, p2 = q2
        inc2, p2 = self.inclusive(p2)
        if v2 < v1 or ((r1 or r2) and (r1 or r2) != (r2 or r1)):
            return None
        if c1 is not None and c1.group(0).strip().startswith(("<", "≤")):
            return None
        if c2 is not None and c2.group(0).strip().startswith((">", "≥")):
            return None
        strict1 = c1 is not None and c1.group(0).strip() == ">"
        strict2 = c2 is not None and c2.group(0).strip() == "<"
        unit, rel = u2 or u1, r2 or r1
        if strict1 != strict2:
            lo: Comparator = ">" if strict1 else ">="
            hi: Comparator = "<" if strict2 else "<="
            return [_Cond(lo, v1, unit_text=unit, relative_to=rel), _Cond(hi, v2, unit_text=unit, relative_to=rel)], p2
        inclusive = not (inc1 is False or inc2 is False or strict1)
        return [_Cond("between", v1, v2, inclusive, unit_text=unit, relative_to=rel)], p2

    def value_list(self, pos: int) -> tuple[list[_Cond], int] | None:
        """"0-1", "0 or 1", "0, 1 or 2", "III or IV", "A/B", "18.5-30 kg/m2", "2 or less"."""
        t = self.t
        of = _OF_RE.match(t, pos)
        p0 = of.end() if of else pos
        v = self.value(p0, signed=self.a.kind == "score")
        if v is None:
            return None
        values = [v[0]]
        p = v[1]
        unit1, pu = self.unit(p)
        seps: list[str] = []
        inc1, pu = self.inclusive(pu) if unit1 else (None, pu)
        while True:
            s = _LIST_SEP_RE.match(t, pu if unit1 else p)
            if not s:
                break
            nv = self.value(s.end(), signed=False)
            if nv is None and s.group(0).strip().lower() in ("-", "to") and len(values) == 1:
                # "BMI 18 to ≤ 27 kg/m2": the upper bound's own "≤"
                c = _BOUND_CMP_RE.match(t, s.end())
                if c is not None and c.group(0).strip() in ("≤", "<=", "<="):
                    nv = self.value(c.end(), signed=False)
            if nv is None:
                break
            seps.append(s.group(0).strip().lower())
            values.append(nv[0])
            p = nv[1]
            unit1 = None
            if len(values) > 6:
                break
        unit, pu2 = self.unit(p)
        if unit is None and len(values) == 1 and unit1:
            unit = unit1
        end = pu2 if unit else p
        inc2, end = self.inclusive(end) if unit else (None, end)
        if len(values) == 1:
            value = values[0]
            rel = self.relative(v[1]) if not self.coded else None
            if rel is not None:
                trr = _TRAILER_RE.match(t, rel[1])
                if trr is None:
                    return None
                rcomp: Comparator = ">=" if (trr.group("ge") or trr.group("ge2")) else "<="
                return [_Cond(rcomp, value, relative_to=rel[0])], trr.end()
            if unit is None and self.foreign_unit(end):
                return None
            tr = _TRAILER_RE.match(t, pu if unit1 else end)
            if tr:
                comp: Comparator = ">=" if (tr.group("ge") or tr.group("ge2")) else "<="
                return [_Cond(comp, value, unit_text=unit1 or unit)], tr.end()
            if self.a.kind == "score" and (
                re.match(r"(?i)\s*(?:of|:|=)", t[pos : p0 + 1]) is not None or _SCORE_END_RE.match(t, end)
            ):
                return [_Cond("=", value, unit_text=unit)], end
            return None
        if unit is None and self.foreign_unit(end):
            return None
        lo, hi = min(values), max(values)
        is_range = len(values) == 2 and seps[0] in ("-", "to", "through", "and")
        if seps and seps[0] == "and" and not is_range:
            return None
        if not is_range:
            # a list must be contiguous integers of a coded/score scale
            if self.a.kind != "score":
                return None
            ints = sorted(values)
            if any(not float(x).is_integer() for x in ints) or any(b - a != 1 for a, b in itertools.pairwise(ints)):
                return None
        if values[0] > values[-1]:
            return None
        inclusive = not (inc1 is False or inc2 is False)
        return [_Cond("between", lo, hi, inclusive, unit_text=unit)], end


def _eq_bounds(a: _Cond, b: _Cond) -> bool:
    return (
        a.comparator == b.comparator == "="
        and a.value is not None and b.value is not None and a.value < b.value
        and a.relative_to == b.relative_to
        and (a.unit_text is None or b.unit_text is None or normalize_unit(a.unit_text) == normalize_unit(b.unit_text))
    )


def _opposite(a: str, b: str) -> bool:
    up = {">", ">="}
    return (a in up) != (b in up)


def _window(m: re.Match[str]) -> Window:
    raw = m.group("n").lower()
    value = float(_WORD_NUMBERS[raw]) if raw in _WORD_NUMBERS else float(raw)
    u = m.group("u").lower()
    unit = (
        TimeUnit.days if u.startswith("d")
        else TimeUnit.weeks if u.startswith("w")
        else TimeUnit.months if u.startswith("mo")
        else TimeUnit.years
    )
    return Window(within=Duration(value=value, unit=unit), text=m.group(0).strip(" ,()"))


# ----------------------------------------------------------------- building rules


def _codes(analyte: Analyte) -> list[Code]:
    return [Code(system="loinc", code=c, display=analyte.label) for c in analyte.loinc]


def _leaf(
    analyte: Analyte, cond: _Cond, start: int, end: int, text: str, offset: int, window: Window | None,
    value: float | None = None,
) -> MeasurementRule | None:
    v = cond.value if value is None else value
    vh = cond.value_high
    unit: str | None = None
    if analyte.percent_predicted and cond.unit_text and normalize_unit(cond.unit_text) == "%":
        target = get_analyte(analyte.percent_predicted)
        if target is None:
            return None
        analyte = target
    if cond.relative_to is None and cond.comparator not in ("normal", "above_normal", "below_normal"):
        if cond.unit_text:
            unit = normalize_unit(cond.unit_text)
            if unit is None:
                return None
            if unit == "{score}":
                unit = analyte.unit
            if unit not in analyte.all_units and unit != "{score}":
                return None
        else:
            assert v is not None
            found, unit = analyte.bare_unit(v)
            if analyte.coded_values:
                found, unit = True, analyte.unit
            if not found:
                return None
            if vh is not None and not analyte.coded_values and not analyte.bare_unit(vh)[0]:
                return None
        if unit in (None, "{score}", "%") or analyte.kind == "score":
            if v is not None and not analyte.plausible(v):
                return None
            if vh is not None and not analyte.plausible(vh):
                return None
    elif cond.relative_to is not None and (analyte.kind == "score" or v is None or v <= 0 or v > 100):
        return None
    return MeasurementRule(
        span=(offset + start, offset + end),
        text=text[start:end],
        analyte=analyte.id,
        label=analyte.label,
        codes=_codes(analyte),
        comparator=cond.comparator,
        value=v,
        value_high=vh,
        inclusive=cond.inclusive,
        unit=unit,
        relative_to=cond.relative_to,  # type: ignore[arg-type]
        window=window,
        select="latest",
    )


@dataclass
class _Mention:
    start: int
    end: int
    analyte: Analyte | None  # None: a not-analyte phrase


def _mentions(t: str) -> list[_Mention]:
    out: list[_Mention] = []
    for start, end, group in name_matches(t):
        if group == "skip":
            out.append(_Mention(start, end, None))
            continue
        analyte = resolve_match(t[start:end], group)
        if analyte is None:
            continue
        # "Aspartate aminotransferase (AST)": one mention
        if out and out[-1].analyte is not None and out[-1].analyte.id == analyte.id:
            gap = t[out[-1].end : start]
            if re.fullmatch(r"\s*[(\[]\s*", gap) and re.match(r"\s*[)\]]", t[end:]):
                close = re.match(r"\s*[)\]]", t[end:])
                assert close is not None
                out[-1].end = end + close.end()
                continue
        out.append(_Mention(start, end, analyte))
    return out


def _group_logic(connectors: list[str], comparator: str) -> str:
    """How a list of analytes sharing one threshold combines."""
    words = {c.strip().lower() for c in connectors}
    if words & {"or", ", or", "and/or", ", and/or"}:
        return "any"
    if words & {"and", ", and", "&"}:
        return "all"
    # "/" and ",": each must be within an upper bound; any above a lower bound
    return "any" if comparator in (">", ">=", "above_normal") else "all"


def extract_measurements(text: str, offset: int = 0) -> list[Rule]:
    """Measurement rules in one criterion's text.

    Every rule's ``span`` is ``(offset + start, offset + end)`` of the text it
    came from (the analyte name through the value, unit and window) and its
    ``text`` is that substring. A list return means all must hold; "or"
    between measurements gives an ``AnyOf``.
    """
    if not text:
        return []
    t = text.translate(_TRANS) if _NEEDS_TRANS.search(text) else text
    mentions = _mentions(t)
    if not mentions:
        return []
    items: list[tuple[int, int, Rule]] = []
    i = 0
    consumed = -1
    while i < len(mentions):
        m0 = mentions[i]
        if m0.analyte is None or m0.start < consumed:
            i += 1
            continue
        group = [m0]
        connectors: list[str] = []
        j = i + 1
        while j < len(mentions):
            gap = t[group[-1].end : mentions[j].start]
            if mentions[j].analyte is None or not _CONNECT_RE.match(gap) or len(group) >= 6:
                break
            group.append(mentions[j])
            connectors.append(gap)
            j += 1
        i = j
        before = t[max(0, m0.start - 40) : m0.start]
        if _CHANGE_BEFORE_RE.search(before):
            continue
        last = group[-1]
        assert last.analyte is not None
        scanner = _Scanner(t, last.analyte)
        pos = last.end
        window: Window | None = None
        for _ in range(12):
            wm = _WINDOW_RE.match(t, pos)
            if wm and window is None and wm.group(0).strip():
                window = _window(wm)
                pos = wm.end()
                continue
            fm = _FILLER_RE.match(t, pos)
            if fm and fm.end() > pos:
                pos = fm.end()
                continue
            break
        if pos - last.end > 80:
            continue
        parsed = None
        for s in (pos, *([last.end] if pos != last.end else [])):
            parsed = scanner.parse(s)
            if parsed is not None:
                break
        if parsed is None and len(group) == 1 and m0.analyte.kind == "score":
            # "a score of > 10 on the Epworth Sleepiness Scale", "26 or higher on the MoCA"
            lead_score = _score_before(t, m0.start, m0.end, scanner)
            if lead_score is not None:
                parsed, lead_at = lead_score
                group = [_Mention(lead_at, m0.end, m0.analyte)]
        if parsed is None and m0.analyte.kind == "lab" and not any(g.analyte and g.analyte.components for g in group):
            # "elevated ALT or serum creatinine", "abnormal TSH", "normal serum creatinine"
            qualified = _qualifier_before(t, m0.start, last.end)
            if qualified is not None:
                parsed, q_start = qualified
                group = [_Mention(q_start, group[0].end, group[0].analyte), *group[1:]]
        if parsed is None:
            continue
        lead = _lower_bound_before(t, m0.start, scanner, parsed) if len(group) == 1 else None
        if lead is not None:
            # "18 ≤ BMI ≤ 32 kg/m²", "90 mmHg ≤ systolic blood pressure ≤ 150 mmHg"
            lower, lead_start = lead
            parsed = replace(parsed, conds=[lower, *parsed.conds], logic="all")
            group = [_Mention(lead_start, m0.end, m0.analyte)]
        consumed = parsed.end
        window = parsed.window or window
        end = parsed.end
        while end > 0 and t[end - 1] in " ,;:":
            end -= 1
        ideal = _OVER_IDEAL_WEIGHT.match(t, parsed.end)
        if ideal is not None:
            # "more than 45 kg (100 lbs.) over ideal body weight": an excess over a weight
            # computed from height and sex, which no record holds
            consumed = ideal.end()
            first, last_at = group[0].start, ideal.end()
            items.append((first, last_at, ManualRule(
                category="other", span=(offset + first, offset + last_at), text=text[first:last_at],
                reason=f"'{' '.join(text[first:last_at].split())}': relative to the ideal body weight, which no record "
                       "holds; a clinician computes it")))
            continue
        leaves: list[Rule] = []
        comp0 = parsed.conds[0].comparator
        # BP pair or "systolic/diastolic > 140/90"
        pair = parsed.conds[0].pair_high is not None or parsed.conds[0].component is not None
        if pair:
            comps = group[-1].analyte.components if group[-1].analyte and group[-1].analyte.components else []
            st = group[0].start
            per_cond: list[tuple[_Cond, list[Rule]]] = []
            for cond in parsed.conds:
                halves: list[Rule] = []
                if cond.component is not None:
                    member = get_analyte(cond.component)
                    one_leaf = _leaf(member, cond, st, end, text, offset, window) if member else None
                    if one_leaf is not None:
                        per_cond.append((cond, [one_leaf]))
                    continue
                for idx, cid in enumerate(comps[:2]):
                    a = get_analyte(cid)
                    val = cond.value if idx == 0 else cond.pair_high
                    leaf = _leaf(a, cond, st, end, text, offset, window, value=val) if a and val is not None else None
                    if leaf is not None:
                        halves.append(leaf)
                if halves:
                    per_cond.append((cond, halves))
            if len(per_cond) == 1:
                leaves = per_cond[0][1]
                logic = "any" if comp0 in (">", ">=") else "all"
            else:
                # "≥ 135/85 mm Hg but lower than 170/105 mm Hg": one group per bound
                for cond, bound in per_cond:
                    ctor0 = AnyOf if cond.comparator in (">", ">=") else AllOf
                    leaves.append(bound[0] if len(bound) == 1 else ctor0(
                        children=bound, span=(offset + st, offset + end), text=text[st:end]))
                logic = parsed.logic
        elif len(group) == 2 and all(g.analyte is not None for g in group) and _is_pair_value(t, last.end, parsed.end):
            continue
        else:
            for g in group:
                assert g.analyte is not None
                a = g.analyte
                if a.components:
                    continue
                sub: list[Rule] = []
                for cond in parsed.conds:
                    leaf = _leaf(a, cond, g.start, end, text, offset, window)
                    if leaf is None:
                        sub = []
                        break
                    sub.append(leaf)
                if not sub:
                    continue
                if len(sub) == 1:
                    leaves.append(sub[0])
                else:
                    ctor = AnyOf if parsed.logic == "any" else AllOf
                    leaves.append(ctor(children=sub, span=(offset + g.start, offset + end), text=text[g.start:end]))
            logic = _group_logic(connectors, comp0)
        if not leaves:
            continue
        start = min(_span(x)[0] for x in leaves) - offset
        if len(leaves) == 1:
            items.append((start, end, leaves[0]))
        else:
            ctor2 = AnyOf if logic == "any" else AllOf
            items.append((start, end, ctor2(children=leaves, span=(offset + start, offset + end), text=text[start:end])))
    return _combine_or(items, t, text, offset)


# used with .match after a weight's value: "(100 lbs.) over ideal body weight"
_OVER_IDEAL_WEIGHT = re.compile(r"\s*(?:\([^)]{0,30}\)\s*)?(?:over|above|greater\s+than|more\s+than|in\s+excess\s+of)\s+"
                                r"(?:the\s+|their\s+|his\s+|her\s+)?ideal\s+(?:body\s+)?weight", re.IGNORECASE)


_QUALIFIER_RE = re.compile(
    r"(?i)(?<![\w-])(?:(?:severely|markedly|significantly|persistently|clinically\s+significant(?:ly)?)\s+)?"
    r"(?:(?P<above>elevated|increased|raised|abnormally\s+(?:high|elevated)|high)|(?P<below>abnormally\s+low|low|decreased|reduced)"
    r"|(?P<either>abnormal)|(?P<normal>normal))"
    r"\s+(?:(?:serum|plasma|blood|fasting|baseline|screening)\s+)?$"
)


def _qualifier_before(t: str, start: int, end: int) -> tuple[_Parsed, int] | None:
    """A lab named after a qualifier with no number: relative to its normal range."""
    m = _QUALIFIER_RE.search(t, max(0, start - 45), start)
    if m is None:
        return None
    if m.group("above"):
        conds, logic = [_Cond("above_normal")], "single"
    elif m.group("below"):
        conds, logic = [_Cond("below_normal")], "single"
    elif m.group("either"):
        conds, logic = [_Cond("below_normal"), _Cond("above_normal")], "any"
    else:
        conds, logic = [_Cond("normal")], "single"
    return _Parsed(conds=conds, logic=logic, end=end), m.start()


_SCORE_LEAD_RE = re.compile(
    r"(?i)(?:\bscores?\s+(?:of\s+)?|(?<![\w.,]))"
    r"(?P<v>(?:[<>≤≥=][\s=]*|(?:at\s+least|greater\s+than|more\s+than|less\s+than|fewer\s+than|above|below)\s+)?"
    r"\d+(?:\.\d+)?(?:\s*points?)?(?:\s+or\s+(?:more|higher|greater|above|less|lower|below))?)"
    r"\s*(?:points?\s+)?(?:on|in)\s+(?:the\s+)?$"
)


def _score_before(t: str, start: int, name_end: int, scanner: _Scanner) -> tuple[_Parsed, int] | None:
    """A score's threshold written before its name, ending in "on the"."""
    m = _SCORE_LEAD_RE.search(t, max(0, start - 60), start)
    if m is None:
        return None
    parsed = scanner.parse(m.start("v"))
    if parsed is None or parsed.end > m.end("v") or len(parsed.conds) != 1:
        return None
    return replace(parsed, end=name_end, window=None), m.start()


_LEAD_RE = re.compile(r"(?P<n>" + _NUMBER + r")(?P<u>[^\d<>≤≥=;,()]{0,12}?)\s*(?P<c>≤|<\s*=?|=)\s*$")


def _lower_bound_before(t: str, start: int, scanner: _Scanner, parsed: _Parsed) -> tuple[_Cond, int] | None:
    """The "18 ≤" of "18 ≤ BMI ≤ 32": a lower bound written before the name,
    taken only when the name is followed by an upper bound above it."""
    if len(parsed.conds) != 1 or parsed.conds[0].comparator not in ("<", "<=") or parsed.conds[0].value is None:
        return None
    upper = parsed.conds[0]
    m = _LEAD_RE.search(t, max(0, start - 30), start)
    if m is None or (m.start() > 0 and (t[m.start() - 1].isalnum() or t[m.start() - 1] in ".,")):
        return None
    value = _num(m.group("n"))
    unit: str | None = None
    if m.group("u").strip():
        unit, uend = scanner.unit(m.end("n"))
        if unit is None or uend < m.end("u"):
            return None
    if upper.value is None or value >= upper.value or upper.relative_to is not None or upper.pair_high is not None or upper.component:
        return None
    sym = m.group("c").replace(" ", "")
    # "=" is kept as written: it is a lost "≤" more often than not, but that is for a person to say
    comp: Comparator = ">" if sym == "<" else ">=" if sym in ("≤", "<=") else "="
    return _Cond(comp, value, unit_text=unit or upper.unit_text), m.start()


def _is_pair_value(t: str, start: int, end: int) -> bool:
    return re.match(r"[^\d]*\d{2,3}\s*/\s*\d{2,3}", t[start:end]) is not None


def _span(rule: Rule) -> tuple[int, int]:
    span = rule.span
    assert span is not None
    return span


def _combine_or(items: list[tuple[int, int, Rule]], t: str, text: str, offset: int) -> list[Rule]:
    """"Systolic > 160 mmHg or diastolic > 100 mmHg" -> AnyOf."""
    out: list[tuple[int, int, Rule]] = []
    for start, end, rule in items:
        if out and _OR_BETWEEN_RE.match(t[out[-1][1] : start]):
            pstart, _pend, prev = out[-1]
            children: list[Rule] = list(prev.children) if isinstance(prev, AnyOf) else [prev]
            children.extend(rule.children if isinstance(rule, AnyOf) else [rule])
            out[-1] = (pstart, end, AnyOf(children=children, span=(offset + pstart, offset + end), text=text[pstart:end]))
            continue
        out.append((start, end, rule))
    return [rule for _, _, rule in out]


# Where a bare threshold may start: a comparator sign or word, "up to".
_BARE_START_RE = re.compile(
    r"(?i)(?<![<>≤≥=])(?=[<>≤≥=])|(?<![\w<>≤≥=])(?=(?:less|lower|greater|more|higher|up|below|above|under|over|"
    r"not|no|at|within|equal|maximum|max|minimum|min)\b)"
)


def threshold_like(base: Rule, text: str, start: int, end: int, offset: int = 0) -> tuple[Rule, int, int] | None:
    """The first bare threshold in ``text[start:end]`` ("≤ 3.0 × ULN",
    "may be up to 3 times ULN") applied to the analytes of ``base``, in the
    shape of ``base`` (a leaf, or a group of leaves): a relaxed limit written
    without its analyte's name ("≤ 2.5 x ULN (≤ 5 x ULN if liver metastases
    are present)"). Returns the rule and where its threshold lies in ``text``
    (offsets as ``start``/``end``, before ``offset`` is added), or None where
    no threshold every analyte of ``base`` accepts is written there."""
    if start >= end:
        return None
    t = text.translate(_TRANS) if _NEEDS_TRANS.search(text) else text
    first = next(iter(_measurement_leaves(base)), None)
    if first is None:
        return None
    analyte = get_analyte(first.analyte)
    if analyte is None:
        return None
    scanner = _Scanner(t[:end], analyte)
    for m in _BARE_START_RE.finditer(t, start, end):
        pos = m.start()
        up = re.match(r"(?i)up\s+to\s+", t[pos:end])
        parsed = scanner.parse(pos) if up is None else None
        if up is not None:
            q = scanner.quantity(pos + up.end())
            if q is not None:
                parsed = _Parsed(conds=[_Cond("<=", q[0], unit_text=q[1], relative_to=q[2])], logic="single", end=q[3])
            else:
                c = scanner.comparator(pos + up.end())
                parsed = scanner.parse(pos + up.end()) if c is not None else None
        if parsed is None or len(parsed.conds) != 1 or parsed.conds[0].comparator not in ("<", "<=", ">", ">="):
            continue
        cond = parsed.conds[0]
        stop = parsed.end
        while stop > pos and t[stop - 1] in " ,;:":
            stop -= 1
        rule = _rethreshold(base, cond, pos, stop, text, offset)
        if rule is not None:
            return rule, pos, stop
        return None
    return None


def _measurement_leaves(rule: Rule) -> list[MeasurementRule]:
    if isinstance(rule, MeasurementRule):
        return [rule]
    if isinstance(rule, AllOf | AnyOf):
        return [leaf for child in rule.children for leaf in _measurement_leaves(child)]
    return []


def _rethreshold(base: Rule, cond: _Cond, start: int, end: int, text: str, offset: int) -> Rule | None:
    """``base`` with every leaf's threshold replaced by ``cond`` (spanning
    ``text[start:end]``); None where an analyte does not take it."""
    if isinstance(base, MeasurementRule):
        analyte = get_analyte(base.analyte)
        if analyte is None:
            return None
        leaf = _leaf(analyte, cond, start, end, text, offset, base.window)
        if leaf is None:
            return None
        return leaf.model_copy(update={"label": base.label, "codes": base.codes, "select": base.select})
    if isinstance(base, AllOf | AnyOf):
        children = [_rethreshold(child, cond, start, end, text, offset) for child in base.children]
        if any(c is None for c in children):
            return None
        return base.model_copy(update={
            "children": children, "span": (offset + start, offset + end), "text": text[start:end],
        })
    return None


def warm_up() -> None:
    """Compile the patterns now (they are otherwise compiled on first use)."""
    name_pattern()
    name_matches("ascii")  # compiles the two halves ASCII text is matched with
    for analyte in load_analytes().values():
        _analyte_unit_regex(analyte)
