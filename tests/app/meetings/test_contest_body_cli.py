"""The body (班子) of a contest by the command line: one spelling (居民委员会 and 居委会 are one
body, as in the previous term's marks), `contest set-body` for a contest that has none, and a
word that names no body refused (walk finding: `--body` help said 居民委员会, the previous term
expected 居委会)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from tests.app.district.conftest import cli
from tests.fixtures.small_election import build


def test_one_spelling_of_each_body_and_set_body(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import main

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    db = tmp_path / "e.db"
    build(db)
    (committee,) = json.loads(cli("contest", "list", "--db", db, "--json"))
    code = committee["code"]
    out = cli("contest", "set-body", "--db", db, "--contest", code, "--body", "居民委员会")
    assert "居委会" in out
    (committee,) = json.loads(cli("contest", "list", "--db", db, "--json"))
    assert committee["body"] == "居委会"
    assert "班子：居委会" in cli("contest", "list", "--db", db)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["contest", "set-body", "--db", str(db), "--contest", code,
                     "--body", "县政府"]) == 1
        assert main(["contest", "add", "--db", str(db), "--title", "委员", "--seats", "3",
                     "--body", "县政府"]) == 2
    assert "县政府" in err.getvalue() and "党组织委员会" in err.getvalue()
    cli("contest", "set-body", "--db", db, "--contest", code, "--body", "")
    (committee,) = json.loads(cli("contest", "list", "--db", db, "--json"))
    assert committee["body"] == ""
    # The previous term takes the variants as the one spelling.
    cli("previous-term", "mark", "--db", db, "1", "--body", "居民委员会")
    cli("previous-term", "mark", "--db", db, "1", "--body", "党委", "--post", "书记")
    marks = json.loads(cli("previous-term", "list", "--db", db, "--json"))
    assert {(m["body"], m["post"]) for m in marks} == {("居委会", "委员"), ("党组织委员会", "书记")}
