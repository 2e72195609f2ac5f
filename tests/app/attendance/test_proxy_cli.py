"""`pollday proxy`: written proxies recorded before the day with rules.md §2.2 checked on entry,
listed, revoked with a reason, printed with `pollday print proxy-list`."""

from __future__ import annotations

import json
import subprocess

from app.cli import main
from tests.app.attendance.attendance_venue import (
    pollday_cmd,
    venue_fixture,  # noqa: F401  (fixture "venue")
)
from tests.app.documents.pdf_tools import assert_fonts_embedded, pdf_text


def test_proxies_added_refused_listed_revoked_and_printed(venue, db_path, tmp_path,
                                                          capsys) -> None:
    ids = venue.ids
    venue.conn.close()
    db = str(db_path)
    holder = str(ids["吴居民"])
    r = subprocess.run([*pollday_cmd(), "proxy", "--db", db, "--meeting", "residents",
                        "--operator", "选举委员会", "add", str(ids["李四"]), holder,
                        "--document", "委-001"], capture_output=True, text=True,
                       encoding="utf-8", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "李四 委托 吴居民" in r.stdout
    for i, name in enumerate(("王䶮", "欧阳娜娜"), start=2):
        assert main(["proxy", "--db", db, "--meeting", "residents", "add", str(ids[name]), holder,
                     "--document", f"委-00{i}"]) == 0
    capsys.readouterr()
    # a fourth appointment of the same proxy: §2.2 at most three
    assert main(["proxy", "--db", db, "--meeting", "residents", "add", str(ids["𠮷祥"]),
                 holder]) == 1
    assert "PROXY_LIMIT" in capsys.readouterr().err
    # no proxies at a 党员大会 (the current meeting)
    assert main(["proxy", "--db", db, "add", str(ids["𠮷祥"]), str(ids["郑居民"])]) == 1
    assert "PROXY_NOT_ALLOWED" in capsys.readouterr().err
    assert main(["proxy", "--db", db, "--meeting", "residents", "add", "no-such", holder]) == 1
    assert "no-such" in capsys.readouterr().err
    assert main(["proxy", "--db", db, "--meeting", "residents", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(x["principal"], x["proxy"], x["document"]) for x in listed] == [
        ("李四", "吴居民", "委-001"), ("王䶮", "吴居民", "委-002"), ("欧阳娜娜", "吴居民", "委-003")]
    assert main(["proxy", "--db", db, "--meeting", "residents", "revoke", str(ids["王䶮"])]) == 1
    assert "REASON_MISSING" in capsys.readouterr().err
    assert main(["proxy", "--db", db, "--meeting", "residents", "revoke", str(ids["王䶮"]),
                 "--reason", "本人到场投票"]) == 0
    assert "已撤销：王䶮 委托 吴居民" in capsys.readouterr().out
    assert main(["proxy", "--db", db, "--meeting", "residents", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    out = tmp_path / "proxies.pdf"
    assert main(["print", "proxy-list", "--db", db, "--meeting", "residents", "--out",
                 str(out)]) == 0
    assert_fonts_embedded(out)
    text = pdf_text(out)
    assert all(w in text for w in ("李四", "欧阳娜娜", "吴居民", "委-001")) and "王䶮" not in text


def test_sign_in_cli_stops_a_principal_and_counts_the_holders_ballots(venue, db_path) -> None:
    """`pollday sign-in` gets the desk's proxy rule: the holder is told 本人 1 + 委托 N, the
    principal afterwards is delegated (exit 1, nothing written); before the holder came, the
    chair's revoke-proxy (reason) signs the principal in."""
    ids = venue.ids
    venue.conn.close()
    db = str(db_path)
    for principal in ("李四", "王䶮"):
        assert main(["proxy", "--db", db, "--meeting", "residents", "add",
                     str(ids[principal]), str(ids["吴居民"])]) == 0

    def sign(*args: str) -> tuple[int, list[dict]]:
        r = subprocess.run([*pollday_cmd(), "sign-in", "--db", db, "--meeting", "residents",
                            "--desk", "一号台", *args], capture_output=True, text=True,
                           encoding="utf-8", timeout=60)
        return r.returncode, [json.loads(x) for x in r.stdout.splitlines()]

    code, [early] = sign("--", str(ids["王䶮"]))
    assert code == 1 and early["result"] == "delegated" and early["present"] == 0
    assert "吴居民 尚未签到" in early["message"]
    code, [back] = sign("--action", "revoke-proxy", "--reason", "委托人本人到会", "--",
                        str(ids["王䶮"]))
    assert code == 0 and back["result"] == "signed_in" and back["present"] == 1
    code, [holder] = sign("--", str(ids["吴居民"]))
    assert code == 0 and holder["ballots"] == 2
    assert "发选票 2 张（本人 1 + 委托 1：李四）" in holder["message"]
    code, [late] = sign("--", str(ids["李四"]))
    assert code == 1 and late["result"] == "delegated" and late["present"] == 2
    assert late["message"].startswith("已委托 吴居民；吴居民 已于 ")
    assert late["delegated_to"] == "吴居民"
