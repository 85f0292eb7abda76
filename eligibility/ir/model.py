"""The intermediate representation: one typed rule tree per criterion.

Everything the parser understands ends here, and the matcher reads only this.
It is plain data (pydantic v2), so a rules file written by ``eligibility parse``
can be edited by a person and matched again without the parser.

Design notes
------------
* A leaf carries the ``span`` of criterion text it came from (offsets into the
  trial's ``eligibility_text``), so reports can highlight what was understood.
* Groups (``all_of``, ``any_of``, ``not``) are evaluated with Kleene logic over
  met / not_met / unknown; ``manual`` counts as unknown inside logic but is
  reported as manual when it decides a criterion on its own.
* Concepts carry their codes in the rule itself (not only a lexicon id), so a
  rules file stays meaningful when the lexicon changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Span = tuple[int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Section(StrEnum):
    inclusion = "inclusion"
    exclusion = "exclusion"


class Status(StrEnum):
    structured = "structured"
    partial = "partial"
    manual = "manual"
    unparsed = "unparsed"


class Sex(StrEnum):
    male = "male"
    female = "female"
    all = "all"


class TimeUnit(StrEnum):
    days = "days"
    weeks = "weeks"
    months = "months"
    years = "years"

    @property
    def days_each(self) -> float:
        """Mean length in days (a Julian year, a twelfth of it for a month)."""
        return _DAYS[self.value]

    def convert(self, value: float, to: TimeUnit) -> float:
        return value * self.days_each / to.days_each


_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


class Duration(_Model):
    value: float
    unit: TimeUnit

    def days(self) -> float:
        return self.value * self.unit.days_each

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        unit = self.unit.value
        if value == 1:
            unit = unit[:-1]
        return f"{value} {unit}"


class Window(_Model):
    """A period measured back from the index date (``--as-of``).

    ``within`` bounds how far back a fact may lie ("within the past 6 months");
    ``not_within`` makes a fact count only if older ("more than 5 years ago").
    """

    within: Duration | None = None
    not_within: Duration | None = None
    text: str | None = None
    # "within 30 days or 5 half-lives, whichever is longer": a bound no record
    # measures; a fact beyond the bound in days may still lie inside it
    or_longer: str | None = None
    span: Span | None = None  # where the window's words are ("within 30 days or 5 half-lives, whichever is longer")


class Code(_Model):
    system: Literal["snomed", "icd10cm", "rxnorm", "loinc", "atc", "cvx", "other"]
    code: str
    display: str | None = None


class _Leaf(_Model):
    span: Span | None = None
    text: str | None = None


class AgeRule(_Leaf):
    """Age at the index date. ``sex`` limits the rule to one sex ("male
    patients older than 50"): for a patient of the other sex it is met, as not
    applicable, so two sex-bound criteria never contradict each other."""

    kind: Literal["age"] = "age"
    min: float | None = None
    min_inclusive: bool = True
    max: float | None = None
    max_inclusive: bool = True
    unit: TimeUnit = TimeUnit.years
    sex: Literal["male", "female"] | None = None


class SexRule(_Leaf):
    kind: Literal["sex"] = "sex"
    sex: Sex


class HealthyVolunteersRule(_Leaf):
    """The registry's "accepts healthy volunteers" field. It does not decide a
    patient by itself; the matcher reports it so a person can confirm."""

    kind: Literal["healthy_volunteers"] = "healthy_volunteers"
    accepted: bool


Comparator = Literal[">", ">=", "<", "<=", "=", "between", "normal", "above_normal", "below_normal"]


class MeasurementRule(_Leaf):
    """A lab value, vital sign or score compared with a threshold.

    ``relative_to`` turns ``value`` into a multiple of the upper or lower limit
    of normal ("< 1.5 x ULN"). ``between`` uses ``value`` and ``value_high``
    with ``inclusive``. ``select`` says which observation counts.
    """

    kind: Literal["measurement"] = "measurement"
    analyte: str
    label: str | None = None
    codes: list[Code] = Field(default_factory=list)
    comparator: Comparator
    value: float | None = None
    value_high: float | None = None
    inclusive: bool = True
    unit: str | None = None
    relative_to: Literal["uln", "lln"] | None = None
    window: Window | None = None
    select: Literal["latest", "any", "all"] = "latest"


# The class the parser gives the procedure reading of a drug named as a
# treatment ("anticoagulant treatment"): the medication list decides it.
DRUG_TREATMENT = "drug_treatment"


class ConceptRule(_Leaf):
    """Shared shape of condition, medication and procedure leaves."""

    concept: str
    label: str | None = None
    codes: list[Code] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)
    # where the criterion names each exception ("other than metformin"), in order
    exception_spans: list[Span] = Field(default_factory=list)
    window: Window | None = None


class ConditionRule(ConceptRule):
    kind: Literal["condition"] = "condition"
    status: Literal["active", "history", "any"] = "any"


class MedicationRule(ConceptRule):
    kind: Literal["medication"] = "medication"
    status: Literal["current", "ever", "window"] = "ever"
    min_duration: Duration | None = None
    route: Literal["oral", "intravenous", "topical", "inhaled", "systemic"] | None = None


class ProcedureRule(ConceptRule):
    kind: Literal["procedure"] = "procedure"


class AllergyRule(_Leaf):
    """An allergy or intolerance to one substance ("hypersensitivity to
    clopidogrel or ticagrelor" is two). The record's allergies
    (AllergyIntolerance) decide it, and conditions that name an allergy to
    the substance. ``substance`` is the substance's concept id in the
    medication lexicon (or an uncoded id read from its words), ``codes`` and
    ``classes`` its codes and drug classes; ``span`` covers the substance's
    words and ``allergy_span`` the allergy word's."""

    kind: Literal["allergy"] = "allergy"
    substance: str
    label: str | None = None
    codes: list[Code] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    status: Literal["active", "history", "any"] = "any"
    allergy_span: Span | None = None


class PregnancyRule(_Leaf):
    kind: Literal["pregnancy"] = "pregnancy"
    state: Literal["pregnant", "lactating", "childbearing_potential", "pregnant_or_lactating"]


class SmokingRule(_Leaf):
    kind: Literal["smoking"] = "smoking"
    status: Literal["current", "former", "never", "ever"]


class ManualRule(_Leaf):
    """A requirement no medical record decides (consent, willingness, the
    investigator's judgement, ability to comply)."""

    kind: Literal["manual"] = "manual"
    category: Literal[
        "consent", "willingness", "investigator_judgement", "compliance",
        "contraception", "trial_participation", "other",
    ] = "other"
    reason: str | None = None
    # What kinds of thing a generic mention names ("medical condition": a
    # condition; "allergy to the study drug": a condition and a drug): a
    # clinician decides it, but the audit and the benchmarks see what it was
    # recognised as.
    about: list[Literal["condition", "medication", "procedure"]] = Field(default_factory=list)


class AllOf(_Model):
    kind: Literal["all_of"] = "all_of"
    children: list[Rule]
    span: Span | None = None
    text: str | None = None


class AnyOf(_Model):
    kind: Literal["any_of"] = "any_of"
    children: list[Rule]
    span: Span | None = None
    text: str | None = None


class Not(_Model):
    kind: Literal["not"] = "not"
    child: Rule
    span: Span | None = None
    text: str | None = None


Rule = Annotated[
    Union[
        AgeRule, SexRule, HealthyVolunteersRule, MeasurementRule, ConditionRule,
        MedicationRule, ProcedureRule, AllergyRule, PregnancyRule, SmokingRule, ManualRule,
        AllOf, AnyOf, Not,
    ],
    Field(discriminator="kind"),
]

LEAF_KINDS = (
    "age", "sex", "healthy_volunteers", "measurement", "condition", "medication",
    "procedure", "allergy", "pregnancy", "smoking", "manual",
)


class Criterion(_Model):
    """One item of the eligibility text (or one structured registry field).

    Its own ``rules`` must all hold; ``children`` (a nested list such as "at
    least one of the following:") are combined by ``logic`` and must hold too.
    """

    id: str
    section: Section
    text: str
    span: Span | None = None
    status: Status = Status.unparsed
    rules: list[Rule] = Field(default_factory=list)
    logic: Literal["all_of", "any_of"] = "all_of"
    children: list[Criterion] = Field(default_factory=list)
    unparsed: list[str] = Field(default_factory=list)
    source: Literal["text", "field"] = "text"


class Trial(_Model):
    id: str
    title: str | None = None
    conditions: list[str] = Field(default_factory=list)
    source: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    eligibility_text: str = ""


class Heading(_Model):
    """A line of the eligibility text that is not a criterion: a section
    header ("Exclusion Criteria:"), a preamble ("All of the following must be
    met:") or a topic line ("PATIENT CHARACTERISTICS:"). Kept with its span so
    that every line of the text is accounted for."""

    kind: Literal["section", "preamble", "topic", "empty"]
    text: str
    span: Span


class RuleSet(_Model):
    """What ``eligibility parse`` writes and ``eligibility match`` reads."""

    schema_version: str = SCHEMA_VERSION
    trial: Trial
    criteria: list[Criterion]
    headings: list[Heading] = Field(default_factory=list)

    def walk(self) -> list[Criterion]:
        """Every criterion, parents before their children."""
        out: list[Criterion] = []

        def visit(items: list[Criterion]) -> None:
            for item in items:
                out.append(item)
                visit(item.children)

        visit(self.criteria)
        return out


AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()
Criterion.model_rebuild()
RuleSet.model_rebuild()
