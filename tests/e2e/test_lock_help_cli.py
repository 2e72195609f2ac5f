"""`pollday lock --help` as a real process says what --contest locks: that contest's latest round
only (the one being counted), another round with --round N."""

from __future__ import annotations

import subprocess

from tests.app.attendance.attendance_venue import pollday_cmd


def test_the_lock_help_says_contest_locks_its_latest_round_and_round_picks_another() -> None:
    done = subprocess.run([*pollday_cmd(), "lock", "--help"], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "lock only this contest's latest round" in text, text
    assert "--round N" in text and "LATEST round only" in text, text
    assert "with --contest: the round to lock" in text, text
