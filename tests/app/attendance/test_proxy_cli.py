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
