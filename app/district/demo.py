"""`pollday demo-district`: N communities' 报送包 for the district dashboard, its demo and tests.

How: the demo venue is built to its final stage and exported ONCE by the real exporter
(app.export.build); each community's package is that export re-issued through the exporter's own
assembler (app.export.package.assemble) with the community's own signing key and varied content:
community name and street, dates, the 党员大会's 应到/实到, the elected people (names, gender, birth
year, education: elected.json, and the names in results/*.json), whether the 党员大会 needed a
runoff (一次性选举成功 or not), the 委员会全体会议 (书记, 副书记) and the 居民委员会 election completed
with synthetic rounds (or left open: a community in progress), and whether the 书记 is also the
主任 (一肩挑). The snapshot, event logs and PDFs inside stay the demo venue's: the district reads
the manifest, results/*.json and elected.json.

Also written: one TAMPERED package (a results file changed after signing: rejected on import),
one community that RESUBMITTED (an earlier package in progress, a later one complete),
plan.xlsx (every community and two that have not started) and previous.xlsx (the previous
term's make-up). Deterministic for a seed.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import random
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.district import sheets
from app.export import format as fmt
from app.export.package import assemble, zip_entries
from app.keys import InstallationKey

SEED = 20261201
TZ = dt.timezone(dt.timedelta(hours=8))
STREETS = ("新华街道", "东城街道", "西湖街道", "滨江街道")
PLACES = ("翠湖", "梧桐", "东湖", "锦绣", "和平", "光明", "朝阳", "春晖", "金桥", "玉泉", "丰乐",
          "清河", "银杏", "桂园", "枫林", "望江", "长乐", "兴华", "安居", "康宁", "书香", "松涛",
          "柳岸", "荷塘", "紫荆", "文昌", "碧水", "青石", "云栖", "星河")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华喆珺昉淼红梅建国志海燕文博佳怡晓"
EDUCATION = ("高中/中专", "大专", "本科", "研究生")
EDU_WEIGHTS = (10, 30, 50, 10)
FIRST_PLAN = dt.date(2026, 11, 22)
Progress = Callable[[int, int, str], None]


@dataclass
class DemoDistrict:
    folder: Path
    packages: list[Path] = field(default_factory=list)
    tampered: Path | None = None
    resubmitted: str = ""
    not_started: list[str] = field(default_factory=list)
    plan: Path | None = None
    previous: Path | None = None


def community_key(seed: int, name: str) -> InstallationKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = hashlib.sha256(f"pollday-demo-district:{seed}:{name}".encode()).digest()
    return InstallationKey(Ed25519PrivateKey.from_private_bytes(raw))


def community_names(n: int) -> list[str]:
    out = []
    for i in range(n):
        place = PLACES[i % len(PLACES)] + ("" if i < len(PLACES) else "二")
        out.append(f"{STREETS[i % len(STREETS)]}{place}社区")
    return out


def base_package(work: Path, seed: int) -> bytes:
    """The demo venue at its final stage, exported by the real exporter."""
    from app.demo import build_demo
    from app.export.build import build_package
    from app.meetings import Refusal
    from db.connection import connect

    db = work / "venue.db"
    conn = connect(db)
    try:
        build_demo(conn, stage="final")
    finally:
        conn.close()
    key = community_key(seed, "demo-venue")
    built = build_package(db, key=key, at=dt.datetime(2026, 11, 29, 18, 0, tzinfo=TZ))
    if isinstance(built, Refusal):
        raise RuntimeError(f"demo export refused: {built.code} {built.message}")
    return built.data


def _unpack(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read(fmt.MANIFEST))
        files = {n: zf.read(n) for n in zf.namelist() if n not in (fmt.MANIFEST, fmt.SIGNATURE)}
    return manifest, files


class Person:
    def __init__(self, rng: random.Random, pid: int, used: set[str], year: int) -> None:
        while True:
            name = (rng.choice(SURNAMES) + rng.choice(GIVEN)
                    + (rng.choice(GIVEN) if rng.random() < 0.8 else ""))
            if name not in used:
                break
        used.add(name)
        self.name = name
        self.pid = pid
        self.gender = "F" if rng.random() < 0.45 else "M"
        self.birth_year = year - rng.randint(26, 58)
        # Not drawn from rng: the demo's other draws (and its tests' expectations) stay as they were.
        self.birth_month = 1 + (pid * 7 + len(name) * 5) % 12
        self.education = rng.choices(EDUCATION, EDU_WEIGHTS)[0]

    def elected(self, party_status: str | None = "full") -> dict[str, Any]:
        return {"name": self.name, "person_id": self.pid, "gender": self.gender,
                "birth_year": self.birth_year, "birth_month": self.birth_month,
                "education": self.education,
                "party_status": party_status}


def _renamed(doc: Any, names: dict[str, str]) -> Any:
    text = json.dumps(doc, ensure_ascii=False)
    for old, new in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(f'"{old}"', f'"{new}"')
    return json.loads(text)


def _snapshots(doc: dict[str, Any], expected: int, present: int) -> None:
    for c in doc["contests"]:
        for r in c["rounds"]:
            drop = r["snapshot"]["present"] - min(x["snapshot"]["present"]
                                                  for cc in doc["contests"] for x in cc["rounds"])
            r["snapshot"]["expected"] = expected
            r["snapshot"]["present"] = present - (2 if drop == 0 and r["kind"] == "runoff" else 0)


def _one_pass(doc: dict[str, Any]) -> None:
    """The 党员大会 without its runoff: every seat filled in the first round."""
    for c in doc["contests"]:
        if any(r["kind"] == "runoff" for r in c["rounds"]):
            c["rounds"] = [r for r in c["rounds"] if r["kind"] != "runoff"]
            first = c["rounds"][0]
            first["settled"] = []
            out = first["output"]
            out["one_pass_success"] = True
            oc = out["contests"][0]
            oc["status"], oc["elected"], oc["findings"] = "elected", list(c["elected"]), []
            oc.pop("runoff", None)
    doc["one_pass_success"] = True


def meeting_result_hash(doc: dict[str, Any]) -> str:
    """The 结果校验码 the notice of a meeting with these results would print ("" unless every
    contest has rounds, all locked): app.documents.results_source.meeting_hash over the results
    JSON's rounds (tests check both agree on the real export)."""
    from app.documents.results_doc import ordinal
    from app.documents.results_source import KIND_ZH
    from app.rules import Round

    rounds = [r for c in doc["contests"] for r in c["rounds"]]
    if not rounds or any(not c["rounds"] for c in doc["contests"]) or any(
            r["state"] != "locked" or not r.get("hash") for r in rounds):
        return ""
    labels = []
    for r in rounds:
        kind = Round(r["kind"])
        word = "选举" if kind is Round.FIRST else f"（{KIND_ZH[kind]}）"
        labels.append(f"第{ordinal(int(r['round']) - 1)}轮{word}:{r['hash']}")
    text = "\n".join([str(doc["meeting"]), *labels])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _synthetic_meeting(doc: dict[str, Any], elected: dict[str, list[str]], expected: int,
                       present: int, taken_at: str) -> None:
    """A meeting the demo leaves open, completed with one elected round per contest."""
    rid = 1000
    for c in doc["contests"]:
        rid += 1
        names = elected[c["id"]]
        c["elected"], c["complete"] = list(names), True
        c["rounds"] = [{
            "round": 1, "round_id": rid, "kind": "first", "state": "locked", "seats": c["seats"],
            "candidates": list(names),
            "snapshot": {"label": "第1次投票", "taken_at": taken_at, "expected": expected,
                         "present": present},
            "boxes": [], "scrutineers": [], "counters": [], "may_lock": True, "problems": [],
            "settled": [],
            "hash": hashlib.sha256(f"{doc['meeting']}{taken_at}{rid}".encode()).hexdigest()[:12],
            "output": {"contests": [{"id": c["id"], "status": "elected", "elected": list(names),
                                     "findings": []}],
                       "one_pass_success": True,
                       "quorum": {"expected": expected, "met": True, "present": present}}}]
    doc["complete"], doc["one_pass_success"] = True, True


@dataclass(frozen=True)
class Variant:
    index: int
    name: str
    plan: dt.date
    done: dt.date
    complete: bool = True
    runoff: bool = False
    dual_role: bool = True


def variants(n: int, seed: int) -> list[Variant]:
    rng = random.Random(seed)
    out = []
    for i, name in enumerate(community_names(n)):
        plan = FIRST_PLAN + dt.timedelta(days=(i * 14) // max(n, 1))
        late = i % 9 == 4
        done = plan + dt.timedelta(days=2 if late else -rng.randint(0, 1))
        out.append(Variant(i, name, plan, done, complete=i % 7 != 3, runoff=i % 3 == 0,
                           dual_role=i % 4 != 1))
    return out


def community_package(base_manifest: dict[str, Any], base_files: dict[str, bytes],
                      v: Variant, seed: int, exported: dt.datetime) -> tuple[str, bytes]:
    rng = random.Random(seed * 1000 + v.index)
    year = v.done.year
    used: set[str] = set()
    results = {m["code"]: json.loads(base_files[fmt.results_path(m["code"])])
               for m in base_manifest["meetings"]}
    elected = json.loads(base_files[fmt.ELECTED])
    # New people in place of the demo's: same ids, new names and profiles.
    names: dict[str, str] = {}
    for m in elected["meetings"]:
        for c in m["contests"]:
            for e in c["elected"]:
                if e["name"] not in names:
                    p = Person(rng, int(e["person_id"] or 0), used, year)
                    names[e["name"]] = p.name
                    e.update(name=p.name, gender=p.gender, birth_year=p.birth_year,
                             birth_month=p.birth_month, education=p.education)
    for code in ("party",):
        for c in results[code]["contests"]:
            for r in c["rounds"]:
                for cand in r["candidates"]:
                    if cand not in names:
                        names[cand] = Person(rng, 0, used, year).name
    results["party"] = _renamed(results["party"], names)
    expected = rng.randint(300, 1500)
    present = expected * rng.randint(86, 98) // 100
    _snapshots(results["party"], expected, present)
    if not v.runoff:
        _one_pass(results["party"])
    party = next(m for m in elected["meetings"] if m["meeting"] == "party")
    committee = next(c for c in party["contests"] if c["contest"] == "committee")["elected"]
    secretary, deputy = committee[0], committee[1]
    taken = f"{v.done.isoformat()}T09:30:00+08:00"
    plenary_elected = {"secretary": [secretary["name"]], "deputy": [deputy["name"]]}
    if v.complete:
        _synthetic_meeting(results["plenary"], plenary_elected, len(committee), len(committee),
                           taken)
        voters = rng.randint(3000, 9000)
        director = (dict(secretary) if v.dual_role
                    else Person(rng, 900001, used, year).elected("full"))
        deputies = [Person(rng, 900002 + k, used, year).elected(None) for k in range(2)]
        members = [Person(rng, 900010 + k, used, year).elected(None) for k in range(5)]
        res_elected = {"director": [director["name"]], "deputy": [p["name"] for p in deputies],
                       "member": [p["name"] for p in members]}
        _synthetic_meeting(results["residents"], res_elected, voters,
                           voters * rng.randint(80, 95) // 100, taken)
        by_contest = {"secretary": [secretary], "deputy": [deputy], "director": [director],
                      "deputy_r": deputies, "member": members}
        for m in elected["meetings"]:
            for c in m["contests"]:
                if m["meeting"] == "plenary":
                    c["elected"] = copy.deepcopy(by_contest[c["contest"]])
                elif m["meeting"] == "residents":
                    key = "deputy_r" if c["contest"] == "deputy" else c["contest"]
                    c["elected"] = copy.deepcopy(by_contest[key])
    manifest = {k: val for k, val in base_manifest.items()
                if k not in ("files", "key", "format", "format_version")}
    manifest["community"] = v.name
    manifest["street"] = v.name[:4]
    manifest["exported_at"] = exported.isoformat(timespec="seconds")
    meetings = copy.deepcopy(manifest["meetings"])
    for m in meetings:
        doc = results[m["code"]]
        m["date"] = v.done.isoformat()
        m["title"] = m["title"].replace("新华街道翠湖社区", v.name)
        m["complete"], m["one_pass_success"] = doc["complete"], doc["one_pass_success"]
        m["result_hashes"] = [r["hash"] for c in doc["contests"] for r in c["rounds"]
                              if r.get("hash")]
        m["result_hash"] = meeting_result_hash(doc)
    manifest["meetings"] = meetings
    manifest["counts"] = dict(manifest["counts"], elected=sum(
        len(c["elected"]) for m in elected["meetings"] for c in m["contests"]))
    files = dict(base_files)
    for code, doc in results.items():
        files[fmt.results_path(code)] = fmt.json_bytes(doc)
    files[fmt.ELECTED] = fmt.json_bytes(elected)
    from app.export.build import package_name

    key = community_key(seed, v.name)
    return package_name(v.name, exported), assemble(files, manifest, key, exported).data


def tamper(data: bytes, path: str) -> bytes:
    """The package with one file changed after signing (the manifest left as it was)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    changed = []
    for name, body in entries:
        if name == path:
            body = body.replace(b'"present": ', b'"present": 1', 1)
        changed.append((name, body))
    return zip_entries(changed, dt.datetime(2026, 11, 30, 8, 0))


def build_demo_district(folder: Path, communities: int, *, seed: int = SEED,
                        progress: Progress | None = None) -> DemoDistrict:
    report = progress or (lambda _d, _t, _m: None)
    folder.mkdir(parents=True, exist_ok=True)
    out = DemoDistrict(folder)
    report(0, communities + 2, "生成演示社区的报送包（导出一次真实的演示会场）")
    with tempfile.TemporaryDirectory(prefix="pollday-demo-district-") as tmp:
        base_manifest, base_files = _unpack(base_package(Path(tmp), seed))
    vs = variants(communities, seed)
    resubmit = vs[2] if len(vs) > 2 else None
    jobs: list[tuple[Variant, dt.datetime]] = [
        (v, dt.datetime.combine(v.done, dt.time(18, 0), TZ)) for v in vs]
    if resubmit is not None:
        early = Variant(resubmit.index, resubmit.name, resubmit.plan, resubmit.done,
                        complete=False, runoff=resubmit.runoff, dual_role=resubmit.dual_role)
        jobs.insert(0, (early, dt.datetime.combine(resubmit.done, dt.time(12, 0), TZ)))
        out.resubmitted = resubmit.name

    def one(job: tuple[Variant, dt.datetime]) -> tuple[str, bytes]:
        return community_package(base_manifest, base_files, job[0], seed, job[1])

    done = 0
    with ThreadPoolExecutor(max_workers=4) as pool:  # zlib releases the GIL
        for name, data in pool.map(one, jobs):
            target = folder / name
            target.write_bytes(data)
            out.packages.append(target)
            done += 1
            report(done, len(jobs) + 1, name)
    if len(out.packages) > 1:
        victim = out.packages[-1]
        bad = folder / (victim.stem + "-被改动" + fmt.EXTENSION)
        bad.write_bytes(tamper(victim.read_bytes(), fmt.results_path("party")))
        out.tampered = bad
    extra = [f"{STREETS[k % len(STREETS)]}未报{k + 1}社区" for k in range(2)]
    out.not_started = extra
    last = max((v.plan for v in vs), default=FIRST_PLAN)
    out.plan = folder / "plan.xlsx"
    sheets.write_sheet(out.plan, sheets.PLAN_HEADER,
                       [(v.name, v.plan.isoformat(), v.name[:4]) for v in vs]
                       + [(n, last.isoformat(), n[:4]) for n in extra], "换届计划")
    out.previous = folder / "previous.xlsx"
    sheets.write_sheet(out.previous, sheets.PREVIOUS_HEADER, [
        ("党组织委员会", 7 * communities, "48.6", "71.2", "40.3", "9.8", "38.5", "52.0"),
        ("纪委", 3 * communities, "50.1", "68.0", "35.5", "6.0", "30.2", None),
        ("居委会", 8 * communities, "45.2", "75.4", "45.0", "12.5", "52.1", None)], "上届")
    report(len(jobs) + 1, len(jobs) + 1, "完成")
    return out
