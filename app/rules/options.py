"""Options of rules.md where the sources disagree or are silent (rules.md §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RuleOptions:
    # §1.2: accept exactly four fifths (5*present >= 4*expected) instead of "超过".
    quorum_inclusive: bool = False
    # §2.5/§6: a residents' runoff must meet the §2.3 turnout rule again.
    runoff_turnout_required: bool = True
    # §6: a write-in identical to a listed candidate's name counts for that candidate.
    write_in_counts_for_candidate: bool = True

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return ("quorum_inclusive", "runoff_turnout_required", "write_in_counts_for_candidate")

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> RuleOptions:
        """Build from a scenario's "options" object; unknown keys are the caller's to reject."""
        return cls(**{k: bool(data[k]) for k in cls.field_names() if k in data})
