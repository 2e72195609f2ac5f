"""Options of rules.md where the sources disagree or are silent (rules.md §1.3, §6)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class RunoffMargin(StrEnum):
    """rules.md §1.3: the candidate margin of a party committee's runoff (另行选举)."""

    MORE = "more"                      # candidates > seats (default)
    TWENTY_PERCENT = "twenty_percent"  # as the first round: 5*(candidates - seats) >= seats


@dataclass(frozen=True, slots=True)
class RuleOptions:
    # §1.2: accept exactly four fifths (5*present >= 4*expected) instead of "超过".
    quorum_inclusive: bool = False
    # §2.5/§6: a residents' runoff must meet the §2.3 turnout rule again.
    runoff_turnout_required: bool = True
    # §6: a write-in identical to a listed candidate's name counts for that candidate.
    write_in_counts_for_candidate: bool = True
    # §1.3: the margin of a party committee runoff; the 2020 条例 text sets none.
    runoff_margin: RunoffMargin = RunoffMargin.MORE

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return cls.bool_fields() + ("runoff_margin",)

    @classmethod
    def bool_fields(cls) -> tuple[str, ...]:
        return ("quorum_inclusive", "runoff_turnout_required", "write_in_counts_for_candidate")

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> RuleOptions:
        """Build from a scenario's "options" object or a meeting's stored options; unknown keys
        are the caller's to reject. A `runoff_margin` outside RunoffMargin is a ValueError."""
        values: dict[str, Any] = {k: bool(data[k]) for k in cls.bool_fields() if k in data}
        if data.get("runoff_margin") is not None:
            values["runoff_margin"] = RunoffMargin(data["runoff_margin"])
        return cls(**values)
