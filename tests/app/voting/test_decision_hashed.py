"""The supervising office's decision a round is locked on (ELECTED_TO_TWO_POSTS) was stored with
the lock but not covered by its hash: the words could be rewritten without changing the printed
本轮锁定校验码. The canonical JSON now holds the decision, and only when there is one: a lock
without a decision has the same JSON and hash as before. Real SQLite files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from app.clock import FixedClock
from app.voting import canonical, lock_round, short_hash, validate_round
from tests.app.voting.test_two_posts_decision import DECISION, _second_post_round
from tests.app.voting.test_two_posts_one_body import _ok

# The keys of the canonical JSON before the decision was covered (every existing lock).
KEYS = {"meeting_id", "contest", "round", "kind", "snapshot", "boxes", "scrutineers", "counters",
        "no_fill", "result"}


def _clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 22, 8, 30,
                                  tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0)


def _locked(tmp_path: Path, name: str, decision: str):  # type: ignore[no-untyped-def]
    """The same election in its own file (same clock), its second-post round locked with
    `decision`; returns (canonical JSON without a decision before the lock, the lock)."""
    folder = tmp_path / name
    folder.mkdir()
    clock = _clock()
    s, r = _second_post_round(folder, clock)
    before = canonical(_ok(validate_round(s.conn, r.id)))
    v = _ok(lock_round(s.conn, r.id, actor="监票甲", second="监票乙", clock=clock,
                       decision=decision))
    s.conn.close()
    return before, v.round.lock


def test_the_decision_is_covered_by_the_lock_hash(tmp_path: Path) -> None:
    before, one = _locked(tmp_path, "a", DECISION)
    _, other = _locked(tmp_path, "b", DECISION.replace("同意", "不同意"))
    assert json.loads(one.canonical)["decision"] == DECISION
    assert one.hash == hashlib.sha256(one.canonical.encode("utf-8")).hexdigest()[:12]
    assert one.hash != other.hash          # another decision text: another printed hash
    # The decision is the only difference from the same result without one.
    doc = json.loads(one.canonical)
    del doc["decision"]
    assert json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) == before
    assert short_hash(before) != one.hash


def test_a_lock_without_a_decision_hashes_as_before(tmp_path: Path, fixed_clock) -> None:
    """The first contest of the same election is locked without a decision: its canonical JSON
    has exactly the keys it always had, and canonical() without a decision is the same bytes
    whether the argument is left out or empty."""
    s, r = _second_post_round(tmp_path, fixed_clock)
    first = next(x for x in s.conn.execute(
        "SELECT round_id FROM round_event WHERE kind = 'locked'"))[0]
    v = _ok(validate_round(s.conn, first))
    lock = v.round.lock
    assert lock is not None and lock.decision == ""
    assert set(json.loads(lock.canonical)) == KEYS
    assert canonical(v) == canonical(v, "") == lock.canonical
    assert short_hash(lock.canonical) == lock.hash
    s.conn.close()
