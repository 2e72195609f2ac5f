"""Posts, 兼职 marks and the previous term's members (issue 16): what the community records in
setup so that the package carries, and the district counts, 书记 / 主任 … per post, 留任 /
新提拔 and 兼职委员.

- A contest's post is one word of app.posts.POSTS (chosen, never read from the free title).
- A candidate may be marked 兼职 (part-time member).
- The previous term's members are register persons with a body type and a post (委员 for a plain
  member): marked one by one or imported from a sheet (姓名, 身份证号 or 编号, 班子, 职务); a sheet
  with any row that cannot be placed is refused whole, naming the row and the reason.
Every change is audited.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.clock import Clock, iso
from app.meetings.core import Refusal, setup_refused
from app.meetings.items import Candidate, Contest, contest_for_setup
from app.posts import BODIES, MEMBER, POSTS, canonical_body
from db import meetings as q
from db import persons as db_persons
from db import posts as store
from db.audit import append
from db.tx import transaction


def _not_a_post(post: str) -> str:
    return f"职务“{post}”不在职务列表中（{'、'.join(POSTS)}）"


def _not_a_body(body: str) -> str:
    return f"班子“{body}”不在班子列表中（{'、'.join(BODIES)}）"


def _set_contest_word(conn: sqlite3.Connection, contest_id: int, field: str, word: str,
                      update: Callable[[sqlite3.Connection, int, str], object], *, clock: Clock,
                      actor: str) -> Contest | Refusal:
    """Store the contest's `field` (post or body) as `word`, audited as contest_<field>_set with
    what it was."""
    with transaction(conn):
        contest = contest_for_setup(conn, contest_id, actor)
        if isinstance(contest, Refusal):
            return contest
        update(conn, contest_id, word)
        append(conn, at=iso(clock.now()), actor=actor, action="contest_post_set" if field == "post" else "contest_body_set",
               meeting_id=contest.meeting_id,
               detail={"contest_id": contest_id, "code": contest.code, field: word,
                       "was": getattr(contest, field)})
    changed: dict[str, Any] = {field: word}
    return replace(contest, **changed)


def set_contest_post(conn: sqlite3.Connection, contest_id: int, post: str, *, clock: Clock,
                     actor: str) -> Contest | Refusal:
    """Choose the contest's post ("" clears it). Allowed at any time: it classifies the result,
    it changes nothing of the election."""
    if post and post not in POSTS:
        return Refusal("POST_INVALID", _not_a_post(post))
    return _set_contest_word(conn, contest_id, "post", post, store.update_contest_post,
                             clock=clock, actor=actor)


def set_contest_body(conn: sqlite3.Connection, contest_id: int, body: str, *, clock: Clock,
                     actor: str) -> Contest | Refusal:
    """Choose the contest's body (班子, one of app.posts.BODIES; a variant such as 居民委员会 is
    stored as 居委会; "" clears it). Allowed at any time: it classifies the result for the
    district, it changes nothing of the election."""
    word = body.strip()
    canon = canonical_body(word) if word else ""
    if canon is None:
        return Refusal("BODY_INVALID", _not_a_body(word))
    return _set_contest_word(conn, contest_id, "body", canon, store.update_contest_body,
                             clock=clock, actor=actor)


def set_part_time(conn: sqlite3.Connection, contest_id: int, name: str, part_time: bool, *,
                  clock: Clock, actor: str) -> Candidate | Refusal:
    """Mark the candidate `name` of the contest 兼职 (or not)."""
    with transaction(conn):
        contest = contest_for_setup(conn, contest_id, actor)
        if isinstance(contest, Refusal):
            return contest
        row = next((r for r in q.select_candidates(conn, contest_id) if r[3] == name), None)
        if row is None:
            return Refusal("NOT_FOUND", f"{contest.title}（{contest.code}）没有候选人 {name}")
        store.update_candidate_part_time(conn, int(row[0]), part_time)
        append(conn, at=iso(clock.now()), actor=actor, action="candidate_part_time_set",
               meeting_id=contest.meeting_id,
               detail={"contest_id": contest_id, "name": name, "part_time": part_time})
    pid = row[2]
    return Candidate(int(row[0]), contest_id, None if pid is None else int(pid), name, row[4],
                     part_time)


@dataclass(frozen=True, slots=True)
class PreviousMember:
    person_id: int
    name: str
    body: str
    post: str


def _check(body: str, post: str) -> str | None:
    if canonical_body(body) is None:
        return _not_a_body(body)
    if post not in POSTS:
        return _not_a_post(post)
    return None


def mark_previous(conn: sqlite3.Connection, person_id: int, body: str, post: str = MEMBER, *,
                  clock: Clock, actor: str, remove: bool = False) -> PreviousMember | Refusal:
    """Record (or with `remove`, take back) that the person was in `body` as `post` in the
    previous term."""
    if problem := _check(body, post):
        return Refusal("PREVIOUS_INVALID", problem)
    body = canonical_body(body) or body   # 居民委员会 → 居委会: one spelling
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        person = db_persons.get_person(conn, person_id)
        if person is None:
            return Refusal("NOT_FOUND", f"名册中没有编号为 {person_id} 的人员")
        (store.delete_previous if remove else store.insert_previous)(conn, person_id, body, post)
        append(conn, at=iso(clock.now()), actor=actor,
               action="previous_member_removed" if remove else "previous_member_marked",
               meeting_id=None, detail={"person_id": person_id, "body": body, "post": post})
    return PreviousMember(person_id, person.name, body, post)


def list_previous(conn: sqlite3.Connection) -> list[PreviousMember]:
    return [PreviousMember(*r) for r in store.select_previous(conn)]


def _person_of(conn: sqlite3.Connection, name: str, ref: str) -> int | str:
    """The register person of a sheet row (ID number or register id first, else a unique name),
    or why not."""
    if ref:
        p = db_persons.get_by_id_number(conn, ref.upper()) if len(ref) in (15, 18) else (
            db_persons.get_person(conn, int(ref)) if ref.isdigit() else None)
        if p is None:
            return f"名册中没有身份证号/编号为 {ref} 的人员"
        if name and p.name != name:
            return f"身份证号/编号 {ref} 在名册中是 {p.name}，不是 {name}"
        return p.id
    found = db_persons.get_by_name(conn, name)
    if not found:
        return f"名册中没有 {name}"
    if len(found) > 1:
        return f"名册中有 {len(found)} 人叫 {name}，请填写身份证号区分"
    return found[0].id


def import_previous(conn: sqlite3.Connection, path: Path, *, clock: Clock,
                    actor: str) -> list[PreviousMember] | Refusal:
    """Read the previous term's members from an XLSX sheet (header row: 姓名, 身份证号 or 编号,
    班子, 职务; 职务 empty = 委员) and store them all, or none (every bad row named)."""
    from app.register.grid import read_grid
    from app.register.sheets import Unreadable

    got = read_grid(path)
    if isinstance(got, Unreadable):
        return Refusal("UNREADABLE", f"{got.file}：{got.reason}")
    rows = [(n, [str(v or "").strip() for v in values]) for n, values in got.rows]
    if not rows:
        return Refusal("EMPTY", f"{path.name} 是空的")
    header = rows[0][1]

    def col(*words: str) -> int | None:
        return next((i for i, h in enumerate(header) if any(w in h for w in words)), None)

    ni, ri, bi, pi = col("姓名"), col("身份证", "编号"), col("班子", "组织"), col("职务")
    if ni is None or bi is None:
        return Refusal("HEADER", f"{path.name} 第1行应为表头，含“姓名”“班子”，可含“身份证号”“职务”")
    found: list[tuple[int, str, str]] = []
    problems: list[str] = []
    for n, v in rows[1:]:
        def cell(i: int | None, v: list[str] = v) -> str:
            return v[i] if i is not None and i < len(v) else ""
        name, body, post = cell(ni), cell(bi), cell(pi) or MEMBER
        if not any(v):
            continue
        if problem := _check(body, post):
            problems.append(f"第{n}行（{name}）：{problem}")
            continue
        who = _person_of(conn, name, cell(ri))
        if isinstance(who, str):
            problems.append(f"第{n}行：{who}")
            continue
        found.append((who, canonical_body(body) or body, post))
    if problems:
        return Refusal("ROWS_INVALID", f"{path.name} 未导入：" + "；".join(problems))
    out = []
    with transaction(conn):   # all rows or none (the inner transactions join this one)
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        for pid, body, post in found:
            got_one = mark_previous(conn, pid, body, post, clock=clock, actor=actor)
            assert not isinstance(got_one, Refusal), got_one   # checked above
            out.append(got_one)
    return out
