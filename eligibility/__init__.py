"""eligibility: clinical-trial eligibility criteria as structured, auditable
rules, matched against patient records with the evidence for each verdict.

    >>> import eligibility
    >>> [rules] = eligibility.parse("Inclusion Criteria:\\n* Age >= 18 years", text=True)
    >>> rules.criteria[0].rules[0].kind
    'age'
"""

from eligibility.api import match, parse
from eligibility.errors import EligibilityError, InputError
from eligibility.ir.model import Criterion, RuleSet

__all__ = ["Criterion", "EligibilityError", "InputError", "RuleSet", "match", "parse"]
__version__ = "0.1.0"
