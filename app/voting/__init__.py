"""Voting rounds, ballot counting and the lock (投票、计票、验证、锁定).

Use cases for the counting pages, the CLI and the demo; every write is one transaction with its
audit row, every expected 'no' a returned `Refusal`.

- Rounds: `open_round` (实到 snapshot, quorum refusal, runoff / tie re-vote pre-filled from the
  previous round's decision), `set_officials` (监票人/计票人, never a candidate of the round),
  `record_box` (发出/收回 per box), `record_no_fill` (party: the meeting decided not to fill),
  `close_round`, `reopen_round`, `load_round`, `list_rounds`, `meeting_rounds`.
- Ballot entry: `parse_keys` / `keystrokes` (compact keystroke form), `enter_ballot`,
  `enter_ballots` (batch), `correct_ballot`, `withdraw_ballot`, `entries`, `history`.
- Double entry: `compare_entries` (only the differences, side by side), `resolve_difference`.
- Tally sheets (正字): `Sheet`, `enter_sheet`, `compare_sheets`, `resolve_sheet`.
- Next round (app.voting.progression): `next_round` (kind, seats, carried-over candidates from
  the last decision), `follow_up`, `suggested_kind`, `NEXT_KIND`.
- Validation and lock: `validate_round`, `validate_meeting`, `lock_round` (canonical JSON, short
  hash), `unlock_round`.
"""

from app.voting.compare import compare_entries, counted_ballots, resolve_difference
from app.voting.entry import (
    KeyProblem,
    correct_ballot,
    enter_ballot,
    enter_ballots,
    entries,
    history,
    keys_for,
    keystrokes,
    parse_keys,
    scans_counted,
    withdraw_ballot,
)
from app.voting.model import (
    Box,
    Comparison,
    Difference,
    Entered,
    LockInfo,
    Mode,
    NoFill,
    Officials,
    RoundCandidate,
    State,
    VotingRound,
)
from app.voting.opening import OpenedVote, contests_to_open, open_vote, vote_under_way
from app.voting.progression import NEXT_KIND, NextRound, follow_up, next_round, suggested_kind
from app.voting.rounds import (
    close_round,
    open_round,
    record_box,
    record_no_fill,
    reopen_round,
    set_officials,
    split_names,
)
from app.voting.store import list_rounds, load_round, meeting_rounds, round_by_number
from app.voting.tally import (
    Sheet,
    SheetComparison,
    SheetDifference,
    compare_sheets,
    enter_sheet,
    resolve_sheet,
    sheet_ballots,
)
from app.voting.validate import (
    ContestOutcome,
    MeetingValidation,
    Problem,
    RoundValidation,
    canonical,
    counted,
    decide_round,
    lock_round,
    short_hash,
    unlock_round,
    validate_loaded,
    validate_meeting,
    validate_round,
)

__all__ = [
    "OpenedVote", "contests_to_open", "open_vote", "vote_under_way",
    "NEXT_KIND", "NextRound", "follow_up", "next_round", "suggested_kind",
    "Box", "Comparison", "ContestOutcome", "Difference", "Entered", "KeyProblem", "LockInfo",
    "MeetingValidation", "Mode", "NoFill", "Officials", "Problem", "RoundCandidate",
    "RoundValidation", "Sheet", "SheetComparison", "SheetDifference", "State", "VotingRound",
    "canonical", "close_round", "compare_entries", "compare_sheets", "correct_ballot", "counted",
    "counted_ballots", "decide_round", "enter_ballot", "enter_ballots", "enter_sheet", "entries",
    "history", "keys_for", "keystrokes", "list_rounds", "load_round", "lock_round",
    "meeting_rounds", "open_round", "parse_keys", "record_box", "record_no_fill", "reopen_round",
    "resolve_difference", "resolve_sheet", "round_by_number", "scans_counted", "set_officials",
    "sheet_ballots",
    "short_hash", "split_names", "unlock_round", "validate_loaded", "validate_meeting", "validate_round", "withdraw_ballot",
]
