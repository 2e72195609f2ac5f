"""Meeting codes go into file names. Seen: a meeting code `2026:党员` made `pollday export` crash
with `ValueError: bad package path 'results/2026:党员.json'`. Now codes are checked where they are
entered (app/meetings/codes.py: letters, 汉字, digits, - and _, ≤ 32, no device names), and a
database made before that check still exports: the code's file-name part is made safe."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.export import format as fmt
from app.fileio import safe_filename
from app.meetings import Refusal, create_meeting
from app.meetings.codes import CODE_MAX, code_problem
from app.model import Form, Organisation, RuleSet
from db.connection import connect
from tests.app.export.conftest import AT
from tests.conftest import pollday_cmd

CLOCK = FixedClock(AT, 1.0)


def make(conn: sqlite3.Connection, code: str) -> object:
    return create_meeting(conn, code=code, title=f"{code} 党员大会", community="翠湖社区",
                          organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                          form=Form.ASSEMBLY, date="2026-12-01", clock=CLOCK, actor="t")


def older_database(path: Path, codes: list[str]) -> None:
    """A database from before codes were checked: made with clean codes, then given the odd
    ones the way an older version stored them (the meeting row's code)."""
    conn = connect(path)
    for i, code in enumerate(codes):
        m = make(conn, f"m{i}")
        assert not isinstance(m, Refusal), m
        conn.execute("UPDATE meeting SET code = ? WHERE id = ?", (code, m.id))  # type: ignore[attr-defined]
    conn.commit()
    conn.close()


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "POLLDAY_HOME": str(home)}
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env=env)


def test_export_of_an_older_database_with_odd_codes(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    codes = ["2026:党员", "a/b", "a:b", "CON", "..", "党员\u202e大会"]
    older_database(db, codes)
    stick = tmp_path / "stick"
    r = run("export", "--db", str(db), "--to", str(stick), "--at", AT.isoformat(),
            home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    assert "bad package path" not in r.stderr and "Traceback" not in r.stderr
    package = Path(r.stdout.strip().splitlines()[-1])
    v = run("verify", str(package), home=tmp_path / "home")
    assert v.returncode == 0, v.stderr
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert all(fmt.safe_path(n) for n in names)
    results = sorted(n for n in names if n.startswith("results/"))
    assert len(results) == len(codes)                     # no two odd codes share a path
    assert "results/2026_党员-" in results[0] and results[0].endswith(".json")
    for n in names:                                       # every part is a Windows file name
        for part in n.split("/"):
            assert part == safe_filename(part), n
    # the district finds each meeting's results through the same function
    from app.district.importing import _content

    with zipfile.ZipFile(package) as zf:
        import json

        manifest = json.loads(zf.read(fmt.MANIFEST))
    with package.open("rb") as data:
        found, _elected = _content(data, manifest)
    assert sorted(found) == sorted(codes)


def test_clean_codes_keep_their_paths() -> None:
    assert fmt.results_path("party") == "results/party.json"
    assert fmt.document_path("居委会2026", "notice") == "documents/居委会2026/notice.pdf"
    assert fmt.code_part("a:b") != fmt.code_part("a/b") != fmt.code_part("a_b")


@pytest.mark.parametrize("code", ["party", "juweihui", "2026党员大会", "party-2026_b", "居委会",
                                  "x" * CODE_MAX, "Ｐａｒｔｙ", "COM10", "CONsole"])
def test_good_codes_are_taken(tmp_path: Path, code: str) -> None:
    assert code_problem(code) == ""
    conn = connect(tmp_path / "e.db")
    m = make(conn, code)
    assert not isinstance(m, Refusal) and m.code == code  # type: ignore[attr-defined]
    conn.close()


@pytest.mark.parametrize(("code", "words"), [
    ("2026:党员", "“:”"), ("a b", "空格"), ("a.b", "“.”"), ("a/b", "“/”"), ("a\\b", "“\\”"),
    ("党员\u202e大会", "U+202E"), ("会议\u3000一", "全角空格"), ("x" * (CODE_MAX + 1), "最长 32"),
    ("CON", "Windows 保留的设备名"), ("nul", "Windows 保留的设备名"), ("Com1", "设备名"),
    ("a*b?", "“*”、“?”"),
])
def test_bad_codes_are_refused_naming_the_field_and_the_character(
        tmp_path: Path, code: str, words: str) -> None:
    conn = connect(tmp_path / "e.db")
    got = make(conn, code)
    assert isinstance(got, Refusal) and got.code == "CODE_INVALID"
    assert got.message.startswith("会议代码") and words in got.message, got.message
    assert conn.execute("SELECT count(*) FROM meeting").fetchone()[0] == 0
    conn.close()


def test_every_code_allowed_is_its_own_safe_file_name() -> None:
    rng = random.Random(32)
    pool = "ab-_09党员大会ＡｚCONLPTU1" + "".join(chr(c) for c in range(0x4E00, 0x4E20))
    allowed = 0
    for _ in range(5000):
        code = "".join(rng.choice(pool) for _ in range(rng.randint(1, 34)))
        if code_problem(code) == "":
            allowed += 1
            assert safe_filename(code) == code and fmt.code_part(code) == code, code
    assert allowed > 1000


def test_pollday_meeting_create_refuses_the_code_before_making_a_database(
        tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    r = run("meeting", "create", "--db", str(db), "--code", "2026:党员", "--title", "党员大会",
            "--community", "翠湖社区", "--organisation", "party_committee", "--rules",
            "party-2020", "--form", "assembly", "--date", "2026-12-01", home=tmp_path / "home")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "--code" in r.stderr and "“:”" in r.stderr and "只能用字母、汉字、数字" in r.stderr
    assert not db.exists()


def test_contest_codes_are_checked_the_same_way(tmp_path: Path) -> None:
    from app.meetings import add_contest
    from app.model import ContestKind

    conn = connect(tmp_path / "e.db")
    m = make(conn, "party")
    got = add_contest(conn, m.id, code="wy:1", title="委员", kind=ContestKind.COMMITTEE,  # type: ignore[attr-defined]
                      seats=5, clock=CLOCK, actor="t")
    assert isinstance(got, Refusal) and got.message.startswith("选举事项代码") and "“:”" in got.message
    conn.close()


def test_package_names_from_odd_communities_are_file_names(tmp_path: Path) -> None:
    from app.export.build import package_name

    assert package_name("新华街道翠湖社区", AT) == "新华街道翠湖社区-20261129-180000.pollday"
    for community in ("翠湖\u202e社区", "a\x01b", "", "CON", "a/b:c", "社区" * 100):
        name = package_name(community, AT)
        stem = name.removesuffix("-20261129-180000.pollday")
        assert stem == safe_filename(stem) and len(name.encode()) <= 255
        (tmp_path / name).write_bytes(b"x")
        assert (tmp_path / name).parent == tmp_path
