"""Posts, 兼职 and the previous term's members recorded in setup (issue 16, items 1 and 2), by the
command line, and carried in the package (format 4)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.export import format as fmt
from tests.app.district.conftest import cli
from tests.fixtures.small_election import KEY, TZ, build


def _sheet(path: Path, rows: list[tuple[str, ...]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in [("姓名", "编号", "班子", "职务"), *rows]:
        ws.append(list(r))
    wb.save(path)
    return path


def test_posts_part_time_and_previous_term_travel_in_the_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.export.build import build_package

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    db = tmp_path / "e.db"
    build(db)
    (committee,) = json.loads(cli("contest", "list", "--db", db, "--json"))
    assert committee["post"] == "委员"           # the title is the post word for word
    out = cli("contest", "add", "--db", db, "--title", "党委副书记", "--seats", "1",
              "--code", "dep")
    assert "已添加" in out
    listed = {c["code"]: c for c in json.loads(cli("contest", "list", "--db", db, "--json"))}
    assert listed["dep"]["post"] == ""          # a free title is never matched
    cli("contest", "set-post", "--db", db, "--contest", "dep", "--post", "副书记")
    listed = {c["code"]: c for c in json.loads(cli("contest", "list", "--db", db, "--json"))}
    assert listed["dep"]["post"] == "副书记"
    with pytest.raises(SystemExit):      # argparse: not one of the posts
        cli("contest", "add", "--db", db, "--title", "x", "--seats", "1", "--post", "县长")

    cli("candidate", "part-time", "--db", db, "--contest", "committee", "何志刚")
    cands = json.loads(cli("candidate", "list", "--db", db, "--contest", "committee", "--json"))
    ids = {c["name"]: c["person_id"] for c in cands["candidates"]}
    assert {c["name"]: c["part_time"] for c in cands["candidates"]} == {
        "何志刚": True, "林静": False, "罗敏": False}

    # A sheet with a row the community's register cannot place is refused whole.
    bad = _sheet(tmp_path / "bad.xlsx", [("林静", str(ids["林静"]), "党组织委员会", "委员"),
                                         ("罗敏", str(ids["罗敏"]), "书记", "")])
    out = cli("previous-term", "import", "--db", db, bad, ok=(1,))
    assert json.loads(cli("previous-term", "list", "--db", db, "--json")) == []
    good = _sheet(tmp_path / "good.xlsx", [("林静", str(ids["林静"]), "党组织委员会", ""),
                                           ("林静", "", "党组织委员会", "书记")])
    assert "已记录上届班子成员 2 条" in cli("previous-term", "import", "--db", db, good)
    cli("previous-term", "mark", "--db", db, str(ids["罗敏"]), "--body", "居委会")
    assert len(json.loads(cli("previous-term", "list", "--db", db, "--json"))) == 3

    built = build_package(db, key=KEY, at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=TZ))
    assert not hasattr(built, "code"), built
    with zipfile.ZipFile(io.BytesIO(built.data)) as zf:   # type: ignore[union-attr]
        manifest = json.loads(zf.read(fmt.MANIFEST))
        elected = json.loads(zf.read(fmt.ELECTED))
    assert manifest["format_version"] == 4
    contest = next(c for c in elected["meetings"][0]["contests"] if c["contest"] == "committee")
    assert contest["post"] == "委员"
    people = {e["name"]: e for e in contest["elected"]}
    assert people["林静"]["previous"] == [{"body": "党组织委员会", "post": "书记"},
                                         {"body": "党组织委员会", "post": "委员"}]
    assert people["何志刚"]["previous"] == [] and people["何志刚"]["part_time"] is True
    assert people["林静"]["part_time"] is False
