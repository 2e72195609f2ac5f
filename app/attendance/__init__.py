"""Sign-in desks, attendance and the live quorum (签到、出席、法定人数).

Attendance is an append-only event log (db/attendance.py): sign_in, undo_sign_in (reason
required), sign_out (中途退场), return, lift_exclusion, resolve_duplicate. Who is present is
computed from the log, never stored as a total. Each event is keyed desk:seq and carries a hybrid
logical clock (app.clock.next_hlc: wall time, then a logical counter; after every event its laptop
had seen), so another laptop's log can be merged (`merge_events`): per person the earliest
(clock, desk) sign-in stands (the earlier in time when the laptops' clocks are roughly right);
a later one is a *double sign-in*, listed for the chair and never counted. At one desk a second sign-in is refused (already_signed_in) and writes nothing.

Decisions (rules.md §1.1, §2):
- A person without a vote who may attend (预备党员, 留党察看, 权利中止 at a 党员大会: 列席) is signed in
  and the event is recorded, so the sheet and the report show who was in the room; the result is
  `no_vote` and they are never counted in 实到. Someone who is not part of the meeting at all (a
  non-member at a 党员大会) gets `no_vote` and nothing is written.
- An approved exclusion (不计入应到) makes sign-in return `excluded` without writing: the clerk
  confirms, `lift_exclusion` (reason required, audited) puts the person back into 应到, then
  `sign_in`.
- 实到 = persons with a vote, in 应到, whose standing sign-in is not followed by a sign-out.
- Residents' elections: a present proxy (委托) adds the principals it validly represents to the
  live turnout estimate (`represented`), unless the principal came in person.

Every use case runs in one transaction (BEGIN IMMEDIATE … COMMIT with synchronous=FULL) and the
event is durable before the function returns. Expected outcomes are returned, not raised.

Module functions keep, per connection, an in-memory view of the meeting (electorate and folded
log) so that a sign-in costs a few indexed queries (view.py says how it stays current).

Layout: log (events, fold), view (the per-connection view), desk (the use cases), figures
(summary, snapshots), merge (another laptop's log). Import from this package.
"""

from app.attendance.desk import (
    Outcome,
    Result,
    find_person,
    lift_exclusion,
    resolve_duplicate,
    return_,
    revoke_proxy_and_sign_in,
    search,
    sign_in,
    sign_out,
    undo_refusal,
    undo_sign_in,
)
from app.attendance.figures import (
    DeskCount,
    Duplicate,
    Snapshot,
    Summary,
    attendance_summary,
    events,
    format_rate,
    live_count_words,
    next_vote_label,
    open_voting,
    snapshot,
    snapshots,
    standing_of,
    standings_of,
    under_way,
)
from app.attendance.finding import Finding, Found, attending_ids, find, home_desk, recent
from app.attendance.log import Event, Kind, Standing, fold, fold_person
from app.attendance.merge import export_events, merge_events
from app.attendance.view import forget

__all__ = [
    "DeskCount", "Duplicate", "Event", "Finding", "Found", "Kind", "Outcome", "Result",
    "Snapshot", "Standing",
    "Summary", "attendance_summary", "events", "export_events", "find_person", "fold",
    "attending_ids", "find", "fold_person", "forget", "home_desk", "recent", "format_rate",
    "lift_exclusion",
    "merge_events", "next_vote_label",
    "open_voting",
    "resolve_duplicate", "return_", "revoke_proxy_and_sign_in",
    "live_count_words", "search", "sign_in", "sign_out", "snapshot", "snapshots", "under_way",
    "standing_of", "standings_of", "undo_refusal", "undo_sign_in",
]
