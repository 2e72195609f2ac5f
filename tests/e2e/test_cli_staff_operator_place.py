"""`pollday staff --help` shows `--operator` after the action (walk finding 18): the parser
takes it there too, as a real process."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli_staff import PIN, _venue, run


def test_operator_after_the_action_as_the_help_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    _venue(path)
    got = run("staff", "--db", path, "add", "郑新人", "--role", "签到员", "--operator", "赵主持",
              pin=PIN, new_pin="135790")
    assert got.returncode == 0, got.stderr
    got = run("staff", "--db", path, "reset-pin", "郑新人", "--operator", "赵主持", pin=PIN,
              new_pin="975310")
    assert got.returncode == 0, got.stderr
    # Before the action, as before.
    got = run("staff", "--db", path, "--operator", "赵主持", "remove", "郑新人", pin=PIN)
    assert got.returncode == 0, got.stderr
    helped = run("staff", "--help")
    assert "add NAME" in helped.stdout and "--operator HOST" in helped.stdout
