"""What every trial reader produces before segmentation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TrialSource:
    """A trial as read from its source: the eligibility text and the
    structured fields a registry carries beside it."""

    id: str
    text: str
    source: str
    title: str | None = None
    conditions: list[str] = field(default_factory=list)
    minimum_age: str | None = None
    maximum_age: str | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
