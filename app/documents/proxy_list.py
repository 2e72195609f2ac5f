"""委托投票名单 (proxy list) for publication before a residents' election (rules.md §2.2): who
appointed whom, with the written appointment's number, and the rule the list was checked
against. Appointments that break the rule now are marked, not hidden."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from reportlab.lib.units import mm

from app import proxies
from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import CONTENT_W, Column, Flow, footer_text
from app.meetings import Refusal
from app.model import Meeting
from app.names import name_sort_key

RULE_ZH = ("依照《城市居民委员会组织法》第十九条：选民可以书面委托本居住地区的其他选民代为投票，"
           "每一选民接受委托不得超过三人；候选人不得接受委托。居民代表选举不适用委托投票。")


def render_proxy_list(conn: sqlite3.Connection, meeting: Meeting, out: Path,
                      at: dt.datetime) -> Printed | Refusal:
    if not proxies.proxies_allowed(meeting):
        return Refusal("PROXY_NOT_ALLOWED", f"{meeting.title} 不适用委托投票，没有委托名单")
    items = sorted(proxies.list_proxies(conn, meeting),
                   key=lambda p: (name_sort_key(p.proxy.name), p.proxy.id,
                                  name_sort_key(p.principal.name), p.principal.id))
    fonts.check_names((f"{n}（名册编号 {pid}）", n) for p in items
                      for pid, n in ((p.principal.id, p.principal.name),
                                     (p.proxy.id, p.proxy.name)))
    problems = {msg.split("：", 1)[0] for _code, msg in proxies.proxy_findings(conn, meeting)}
    printed_at = iso(at).replace("T", " ")[:16]
    c = fonts.new_canvas(str(out))
    c.setTitle(f"{meeting.title}委托投票名单")
    c.setCreator("PollDay")
    flow = Flow(c, lambda cv, page: footer_text(cv, f"打印时间 {printed_at}　{meeting.title}", page))
    flow.text(meeting.title, 15, stack=fonts.HEADING_STACK, align="center")
    flow.text("委托投票名单（公示）", 18, stack=fonts.HEADING_STACK, align="center", gap=2.0)
    flow.space(2 * mm)
    flow.text(RULE_ZH, 10)
    flow.text(f"委托 {len(items)} 件，受托人 {len({p.proxy.id for p in items})} 人。"
              f"选举日期：{meeting.date}", 10.5)
    flow.space(2 * mm)
    group_w = 30 * mm
    rows = [[str(i + 1), p.principal.name, p.principal.resident_group or "—", p.proxy.name,
             p.proxy.resident_group or "—", p.document_ref or "—",
             "超出或不符合规定" if p.proxy.name in problems else ""]
            for i, p in enumerate(items)]
    flow.table([Column("序号", 12 * mm, "center"), Column("委托人", 30 * mm),
                Column("居民小组", group_w), Column("受托人", 30 * mm),
                Column("居民小组", group_w), Column("委托书编号", 26 * mm),
                Column("备注", CONTENT_W - 158 * mm)], rows,
               who=[f"{p.principal.name}/{p.proxy.name}" for p in items])
    if not items:
        flow.text("本次选举没有委托投票。", 11)
    flow.space(10 * mm)
    flow.signatures(["居民选举委员会（盖章）", "公布日期"])
    pages = flow.finish()
    c.save()
    return Printed(out, pages, len(items), f"{len(items)} 件委托")


@print_kind("proxy-list", "委托投票名单 (residents' elections): principal, proxy, document")
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    return render_proxy_list(conn, meeting, out, at)
