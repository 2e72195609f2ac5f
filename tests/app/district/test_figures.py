"""The district figures for demo-district against a hand computation from the packages' own
files (manifest.json, results/*.json, elected.json), done here without app.district."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.app.district.conftest import run


def _exact(part: int, whole: int, places: str = "0.01") -> Decimal | None:
    """100 × part / whole rounded half up once (Decimal division is exact to 28 digits)."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _pct(part: int, whole: int, places: str = "0.01") -> float | None:
    """The JSON number a reader gets for the rate: the percent figure, not a string."""
    d = _exact(part, whole, places)
    return None if d is None else float(d)


def _published(value: object) -> Decimal:
    """The figure as published: a JSON number read back to its shortest decimal text."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(repr(value))


def _intact(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> bool:
    return all(hashlib.sha256(zf.read(f["path"])).hexdigest() == f["sha256"]
               for f in manifest["files"])


def _packages(folder: Path) -> dict[str, dict[str, Any]]:
    """Per community the files of its latest intact package."""
    latest: dict[str, dict[str, Any]] = {}
    for p in folder.glob("*.pollday"):
        with zipfile.ZipFile(p) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            if not _intact(zf, manifest):
                continue
            at = dt.datetime.fromisoformat(manifest["exported_at"])
            doc = {"at": at, "manifest": manifest,
                   "elected": json.loads(zf.read("elected.json")),
                   "results": {m["code"]: json.loads(zf.read(f"results/{m['code']}.json"))
                               for m in manifest["meetings"]}}
        name = manifest["community"]
        if name not in latest or at > latest[name]["at"]:
            latest[name] = doc
    return latest


def _body(name: str) -> str:
    if "纪律检查" in name:
        return "纪委"
    if "居民委员会" in name:
        return "居委会"
    return "党组织委员会"


def test_report_matches_hand_computation(demo_dir: Path, report_json: dict[str, Any]) -> None:
    report = report_json
    pkgs = _packages(demo_dir)
    ws = load_workbook(demo_dir / "plan.xlsx").worksheets[0]
    plan = {str(r[0]): str(r[1]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert report["communities"] == len(set(plan) | set(pkgs))
    completed, one_pass, on_time = 0, 0, 0
    party_e = party_p = voter_e = voter_p = 0
    dual, dual_of = 0, 0
    people: dict[str, dict[tuple[str, Any], tuple[int, dict[str, Any]]]] = defaultdict(dict)
    per: dict[str, dict[str, Any]] = {c["community"]: c for c in report["per_community"]}
    for name, doc in pkgs.items():
        meetings = doc["manifest"]["meetings"]
        # 已完成: every meeting complete AND both 两委 bodies in the package.
        bodies = {_body(c["body"]) for m in doc["elected"]["meetings"] for c in m["contests"]}
        done = all(m["complete"] for m in meetings) and {"党组织委员会", "居委会"} <= bodies
        got = {"party": [0, 0], "residents": [0, 0]}   # 应到, 实到 per electorate
        for m in meetings:
            res = doc["results"][m["code"]]
            rounds = [r for c in res["contests"] for r in c["rounds"]]
            if rounds and res["form"] != "plenary":
                first = min(rounds, key=lambda r: r["round_id"])
                side = got["party" if m["rules"].startswith("party") else "residents"]
                side[0] += first["snapshot"]["expected"]
                side[1] += first["snapshot"]["present"]
        party_e, party_p = party_e + got["party"][0], party_p + got["party"][1]
        voter_e, voter_p = voter_e + got["residents"][0], voter_p + got["residents"][1]
        if got["party"][0]:
            assert per[name]["party_attendance_rate"] == _pct(got["party"][1], got["party"][0])
        if got["residents"][0]:
            assert per[name]["voter_turnout_rate"] == _pct(got["residents"][1],
                                                           got["residents"][0])
        assert per[name]["stage"] == ("已完成" if done else "进行中")
        if done:
            completed += 1
            one_pass += all(m["one_pass_success"] for m in meetings)
            finished = max(m["date"] for m in meetings)
            assert per[name]["done_date"] == finished
            on_time += finished <= plan[name]
        days = {m["code"]: m["date"] for m in meetings}
        secretary = director = None
        for m in doc["elected"]["meetings"]:
            for c in m["contests"]:
                body = _body(c["body"])
                for e in c["elected"]:
                    # Completed age on the meeting day, born on the 1st of the month.
                    y, mo = int(days[m["meeting"]][:4]), int(days[m["meeting"]][5:7])
                    people[body].setdefault((name, e["person_id"]),
                                            (y - e["birth_year"] - (mo < e["birth_month"]), e))
                    if c["title"] == "书记" and body == "党组织委员会":
                        secretary = e["person_id"]
                    if c["title"] == "主任" and body == "居委会":
                        director = e["person_id"]
        if secretary is not None and director is not None:
            dual_of += 1
            dual += secretary == director
    assert report["completed"] == completed
    assert report["one_pass"] == one_pass
    assert report["one_pass_rate"] == _pct(one_pass, completed)
    assert report["planned"] == len(plan)
    assert report["on_time_rate"] == _pct(on_time, len(plan))
    assert (report["party_expected"], report["party_present"]) == (party_e, party_p)
    assert report["party_attendance_rate"] == _pct(party_p, party_e)
    assert (report["voter_expected"], report["voter_present"]) == (voter_e, voter_p)
    assert report["voter_turnout_rate"] == _pct(voter_p, voter_e)
    assert report["stages"]["未开始"] == len(set(plan) - set(pkgs))
    assert (report["dual_role"], report["dual_role_of"]) == (dual, dual_of)
    assert 0 < dual < dual_of          # the demo has both kinds
    assert 0 < one_pass < completed    # and runoffs
    makeup = {b["body"]: b for b in report["makeup"]}
    for body, members in people.items():
        ages = [a for a, _e in members.values()]
        ms = [e for _a, e in members.values()]
        n = len(ms)
        got = makeup[body]
        assert got["members"] == n
        assert got["average_age"] == float((Decimal(sum(ages)) / n).quantize(
            Decimal("0.01"), ROUND_HALF_UP))
        assert got["college_pct"] == _pct(sum(e["education"] in ("大专", "本科", "研究生")
                                              for e in ms), n, "0.01")
        assert got["bachelor_pct"] == _pct(sum(e["education"] in ("本科", "研究生")
                                               for e in ms), n, "0.01")
        assert got["under35_pct"] == _pct(sum(a <= 35 for a in ages), n, "0.01")  # 以下: ≤ 35
        assert got["women_pct"] == _pct(sum(e["gender"] == "F" for e in ms), n, "0.01")
    # The previous term's figures (previous.xlsx) and the phrasing of the difference.
    prev = load_workbook(demo_dir / "previous.xlsx").worksheets[0]
    for row in prev.iter_rows(min_row=2, values_only=True):
        body, avg = str(row[0]), Decimal(str(row[2]))
        diff = _published(makeup[body]["average_age"]).quantize(Decimal("0.01")) - avg
        word = "下降" if diff < 0 else "上升"
        assert f"平均年龄{word}{abs(diff)}岁" in makeup[body]["changes"]
        bdiff = _published(makeup[body]["bachelor_pct"]).quantize(Decimal("0.01")) \
            - Decimal(str(row[4]))
        assert f"本科及以上{'提高' if bdiff > 0 else '下降'}{abs(bdiff)}个百分点" in \
            makeup[body]["changes"]


def test_demo_manifests_list_the_result_hash_of_their_results(demo_dir: Path) -> None:
    """Each demo package's manifest carries, per complete meeting, the 结果校验码 its results
    file gives (what its notice would print); open meetings have none."""
    from app.district.demo import meeting_result_hash

    seen = set()
    for name, doc in _packages(demo_dir).items():
        for m in doc["manifest"]["meetings"]:
            expected = meeting_result_hash(doc["results"][m["code"]])
            assert m["result_hash"] == expected, (name, m["code"])
            assert bool(expected) == m["complete"], (name, m["code"])
            seen.add(expected)
    assert len(seen) > 3    # varied: runoff or not, synthetic rounds per community


def test_report_json_figures_are_numbers_with_units(report_json: dict[str, Any]) -> None:
    """A machine reader gets numbers (percent 0-100), a units block, the overall count under
    `communities` and the per-community list under `per_community`."""
    r = report_json
    assert isinstance(r["communities"], int) and isinstance(r["per_community"], list)
    assert r["communities"] == len(r["per_community"])
    assert set(r["units"]) == {"*_rate", "*_pct", "average_age"}
    assert "percent" in r["units"]["*_rate"]
    rates = [r[k] for k in ("on_time_rate", "one_pass_rate", "party_attendance_rate",
                            "voter_turnout_rate", "dual_role_rate")]
    rates += [c[k] for c in r["per_community"] for k in ("party_attendance_rate",
                                                         "voter_turnout_rate")
              if c[k] is not None]
    shares = [b[k] for b in r["makeup"] for k in ("average_age", "college_pct", "bachelor_pct",
                                                    "under35_pct", "women_pct")]
    shares += [v for b in r["makeup"] for v in b.get("previous", {}).values()]
    for v in rates:
        d = _published(v)
        assert 0 <= d <= 100 and d == d.quantize(Decimal("0.01")), v
    for v in shares:
        assert _published(v) == _published(v).quantize(Decimal("0.01")), v
    # Rounded half up once from the exact fraction: 按期 on_time / planned.
    assert r["on_time_rate"] == _pct(r["on_time"], r["planned"])


def test_daily(imported_db: Path, demo_dir: Path) -> None:
    pkgs = _packages(demo_dir)
    done = {n: max(m["date"] for m in d["manifest"]["meetings"]) for n, d in pkgs.items()
            if all(m["complete"] for m in d["manifest"]["meetings"])}
    day = sorted(done.values())[len(done) // 2]
    d = json.loads(run("district", "daily", "--db", imported_db, "--date", day,
                       "--json").stdout)
    assert d["completed_today"] == sorted(n for n, x in done.items() if x == day) or \
        sorted(d["completed_today"]) == sorted(n for n, x in done.items() if x == day)
    assert d["cumulative"] == sum(1 for x in done.values() if x <= day)
    # One denominator, the communities of the report (tests/app/district/test_walk_b_figures.py).
    assert d["remaining"] == d["communities"] - d["cumulative"]
    assert d["cumulative_rate"] == _pct(d["cumulative"], d["communities"])
    assert d["planned_completed"] == sum(r["completed"] for r in d["by_plan_date"])
    assert sum(r["planned"] for r in d["by_plan_date"]) == d["planned"]
