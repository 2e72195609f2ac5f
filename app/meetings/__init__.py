"""Meetings of the 换届 and their setup: the current meeting, options, explicit electors
(core), changing or withdrawing a contest before voting and the margin in words (contests),
and exclusions (不计入应到), leaves (请假), desks (签到台), contests (选举事项) and
candidates (items).

Every write runs in a transaction and appends an audit row in the same transaction. Expected
refusals (a duplicate, a person without a vote, a missing approval) are returned as `Refusal`
values, not raised.
"""

from __future__ import annotations

from app.meetings.contests import (
    MarginCheck,
    contest_margin,
    margin_check,
    set_contest_seats,
    withdraw_contest,
)
from app.meetings.core import (
    Refusal,
    add_electors,
    create_meeting,
    current_meeting,
    elector_ids,
    get_meeting,
    list_meetings,
    meeting_by_code,
    meeting_from_row,
    remove_elector,
    resolve_meeting,
    rule_options,
    set_current,
    set_options,
    update_meeting,
)
from app.meetings.items import (
    FROZEN_ZH,
    Candidate,
    Contest,
    Desk,
    Exclusion,
    Leave,
    add_candidate,
    add_contest,
    add_desk,
    add_exclusion,
    add_leave,
    get_contest,
    lift_exclusion,
    list_candidates,
    list_contests,
    list_desks,
    list_exclusions,
    list_leaves,
    remove_candidate,
    remove_desk,
    remove_leave,
    voting_started,
)

__all__ = [
    "MarginCheck", "contest_margin", "margin_check", "set_contest_seats", "withdraw_contest",
    "Candidate", "Contest", "Desk", "Exclusion", "Leave", "Refusal", "add_candidate",
    "add_contest", "add_desk", "add_electors", "add_exclusion", "add_leave", "create_meeting",
    "current_meeting", "elector_ids", "get_contest", "get_meeting", "lift_exclusion",
    "list_candidates", "list_contests", "list_desks", "list_exclusions", "list_leaves",
    "list_meetings", "meeting_by_code", "meeting_from_row", "remove_candidate", "remove_desk",
    "remove_elector", "remove_leave", "resolve_meeting", "rule_options", "set_current",
    "set_options", "update_meeting", "voting_started", "FROZEN_ZH",
]
