"""ClinicalTrials.gov API v2 study JSON, in every shape users have it in:
one study, a page ``{"studies": [...]}``, a JSON array (the site's download),
or JSON Lines. The flattened one-line-per-study form that some exports use
(``nct_id``, ``eligibility_criteria``, ``minimum_age`` ...) is read too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eligibility.errors import InputError
from eligibility.ingest.escapes import unescape
from eligibility.ingest.source import TrialSource


def is_study(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        "protocolSection" in obj or "eligibility_criteria" in obj or "eligibilityModule" in obj
    )


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def study_to_source(obj: dict[str, Any], source: str, fallback_id: str) -> TrialSource:
    if "protocolSection" in obj or "eligibilityModule" in obj:
        protocol = obj.get("protocolSection", obj)
        elig = _get(protocol, "eligibilityModule") or {}
        ident = _get(protocol, "identificationModule") or {}
        conditions = _get(protocol, "conditionsModule", "conditions") or []
        trial_id = _str(ident.get("nctId")) or fallback_id
        title = _str(ident.get("briefTitle")) or _str(ident.get("officialTitle"))
        text = elig.get("eligibilityCriteria")
        minimum, maximum, sex, hv = elig.get("minimumAge"), elig.get("maximumAge"), elig.get("sex"), elig.get("healthyVolunteers")
    else:
        trial_id = _str(obj.get("nct_id")) or fallback_id
        title = _str(obj.get("title")) or _str(obj.get("official_title"))
        conditions = obj.get("conditions") or []
        text = obj.get("eligibility_criteria")
        minimum, maximum, sex, hv = obj.get("minimum_age"), obj.get("maximum_age"), obj.get("sex"), obj.get("healthy_volunteers")
    if not isinstance(text, str) or not text.strip():
        raise InputError(source, f"study {trial_id} has no eligibility criteria text")
    return TrialSource(
        id=trial_id,
        text=unescape(text).strip("\n"),
        source=source,
        title=title,
        conditions=[c for c in conditions if isinstance(c, str)],
        minimum_age=_str(minimum),
        maximum_age=_str(maximum),
        sex=_str(sex),
        healthy_volunteers=hv if isinstance(hv, bool) else None,
    )


def iter_studies(data: Any, source: str, stem: str) -> Iterator[TrialSource]:
    """The studies in parsed JSON (a study, a page, or an array)."""
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        items = data["studies"]
    elif isinstance(data, list):
        items = data
    elif is_study(data):
        items = [data]
    else:
        raise InputError(source, "JSON is not a ClinicalTrials.gov study, a page of studies, or a rules file")
    if not items:
        raise InputError(source, "no studies in the file")
    for n, item in enumerate(items):
        if not is_study(item):
            raise InputError(source, f"item {n} is not a ClinicalTrials.gov study")
        yield study_to_source(item, source, stem if len(items) == 1 else f"{stem}-{n + 1}")
