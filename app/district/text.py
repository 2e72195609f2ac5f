"""The district report as plain text (the CLI without --json) and the headline sentences that the
XLSX 汇总 sheet, the PDF and the dashboard share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.district import makeup
from app.district.figures import COMPLETED, Report, daily


def pct(value: Decimal | str | None) -> str:
    return "—" if value is None else f"{value}%"


def num(value: Decimal | None) -> str:
    return "—" if value is None else str(value)


def headline_lines(report: Report) -> list[str]:
    h = report.headline()
    s = h["stages"]
    lines = [
        f"社区总数 {h['communities']} 个：已完成 {s['已完成']} 个，进行中 {s['进行中']} 个，"
        f"未开始 {s['未开始']} 个",
        f"按期换届率 {pct(h['on_time_rate'])}（按期完成 {h['on_time']} 个 / 计划 {h['planned']} 个）",
        f"一次性选举成功率 {pct(h['one_pass_rate'])}（{h['one_pass']} 个 / 已完成 {h['completed']} 个）",
        f"党员大会出席率 {pct(h['party_attendance_rate'])}（实际到会 {h['party_present']} 人 / "
        f"应到会党员 {h['party_expected']} 人）",
        f"选民参选率 {pct(h['voter_turnout_rate'])}（参加投票 {h['voter_present']} 人 / "
        f"登记选民 {h['voter_expected']} 人）",
        f"书记主任“一肩挑” {pct(h['dual_role_rate'])}（{h['dual_role']} 个 / {h['dual_role_of']} 个）"
        + (f"，{h['dual_role_change']}" if h.get("dual_role_change") else ""),
    ]
    return lines + trust_lines(report)


def trust_lines(report: Report) -> list[str]:
    """The packages and keys a person still has to look at, in words (every report says them)."""
    lines = []
    if report.unverified:
        lines.append(f"未核对密钥（已计入，须对照纸质交接单核对密钥指纹）：{len(report.unverified)} 个社区——"
                     + "、".join(f"{c.community}（{c.fingerprint}）" for c in report.unverified))
    for q in report.quarantined:
        p = q.package
        lines.append(f"已隔离、不计入：{p.community} 的报送包 {p.short_hash}（导出于 {p.exported_at}）"
                     f"——{q.reason}")
    for x in report.excluded:
        p = x.package
        lines.append(f"已排除、不计入：{p.community} 的报送包 {p.short_hash}——{x.reason}")
    return lines


def count_share(count: int, share: Decimal | None, unit: str = "人") -> str:
    """"68人，占比 55.74%" (a count and its share, as the reports print them)."""
    return f"{count}{unit}" + ("" if share is None else f"，占比 {share}%")


def young_words(report: Report) -> str:
    return "35岁以下" if report.young_inclusive else "不满35岁"


def group_line(b: makeup.BodyFigures, young: str, *, name: str = "") -> str:
    j = b.data()
    line = (f"{name or b.label}：{b.members}人，平均年龄 {num(j['average_age'])}岁，"
            f"大专及以上 {count_share(b.college, j['college_pct'])}；"
            f"本科及以上 {count_share(b.bachelor, j['bachelor_pct'])}；"
            f"{young} {count_share(b.young, j['under35_pct'])}；"
            f"女性 {count_share(b.women, j['women_pct'])}")
    if b.part_time:
        line += f"；兼职委员 {b.part_time}人"
    if b.retained or b.fresh:
        line += (f"；留任 {b.retained}人，新提拔 {b.fresh}人" if b.post else
                 f"；上届班子成员留任 {b.retained}人，新进 {b.fresh}人") + unknown_note(b)
    if j.get("changes"):
        line += "；与上届相比：" + "，".join(j["changes"])
    return line


def unknown_note(b: makeup.BodyFigures) -> str:
    """"（另有 3人无上届资料）": the members neither 留任 nor 新提拔 because nothing is known of
    their previous seats (so that the figures always add up to the members)."""
    n = b.unknown_previous
    return f"（另有 {n}人无上届资料）" if n and (b.retained or b.fresh) else ""


def retention_clause(b: makeup.BodyFigures) -> str:
    """"；其中留任 1名，新提拔 1名（另有 1名无上届资料）"; "；3名均无上届资料，留任、新提拔未统计"
    when nothing is known of any of them ("" for a group without a body)."""
    n = b.unknown_previous
    if not (b.retained or b.fresh):
        new = "新提拔" if b.post else "新进"
        return f"；{n}名均无上届资料，留任、{new}未统计" if n and b.knows_previous else ""
    rest = f"（另有 {n}名无上届资料）" if n else ""
    if b.post:
        return f"；其中留任 {b.retained}名，新提拔 {b.fresh}名{rest}"
    return f"；其中上届班子成员留任 {b.retained}名，新进 {b.fresh}名{rest}"


def makeup_lines(report: Report) -> list[str]:
    young = young_words(report)
    out = [group_line(b, young) for b in report.bodies if b.members]
    if report.two_committees is not None and report.two_committees.members:
        out.append(group_line(report.two_committees, young, name="社区“两委”班子成员（每人计一次）"))
    return out


def post_lines(report: Report) -> list[str]:
    young = young_words(report)
    return [group_line(p, young) for p in report.posts if p.members]


def daily_lines(report: Report, day: dt.date) -> list[str]:
    d = daily(report, day)
    lines = [f"{d['date']} 日报：今日完成 {d['completed_today_count']} 个"
             + (f"（{'、'.join(d['completed_today'])}）" if d["completed_today"] else "")
             + f"，累计完成 {d['cumulative']} 个（占全辖 {d['communities']} 个社区的 "
               f"{pct(d['cumulative_rate'])}），尚余 {d['remaining']} 个"
             + (f"；全辖含不在换届计划表内的社区 {len(d['unplanned'])} 个："
                f"{'、'.join(d['unplanned'])}" if d["unplanned"] else "")]
    if d["overdue"]:
        lines.append(f"已过计划日期未完成：{'、'.join(d['overdue'])}")
    for row in d["by_plan_date"]:
        lines.append(f"  计划 {row['plan_date']}：{row['planned']} 个，已完成 {row['completed']} 个"
                     + (f"，未完成：{'、'.join(row['remaining'])}" if row["remaining"] else ""))
    return lines


def report_text(report: Report, day: dt.date, *, daily_only: bool = False) -> str:
    if daily_only:
        return "\n".join(daily_lines(report, day))
    lines = (headline_lines(report) + [""] + makeup_lines(report) + post_lines(report)
             + ["", "换届工作情况", summary_paragraph(report, day), ""])
    for c in report.communities:
        done = f"完成 {c.done_date}" if c.stage == COMPLETED else c.stage
        covers = c.covers_words()
        lines.append(f"  {c.community}：计划 {c.plan_date or '—'}，{done}"
                     + (f"（{covers}）" if covers else "")
                     + f"，党员大会出席率 {pct(c.party_attendance_rate)}"
                     + f"，选民参选率 {pct(c.voter_turnout_rate)}"
                     + ("，另行选举" if c.runoffs else "")
                     + ("，一肩挑" if c.dual_role else "")
                     + (f"，{c.key_flag}" if c.key_flag else ""))
    return "\n".join(lines)


def _change_clause(b: makeup.BodyFigures, metric: str) -> str:
    """"，同比下降 0.82岁" / "，同比提高 6.70个百分点" ("" without the previous term)."""
    now, before = b.figures().get(metric), b.previous.get(metric)
    if now is None or before is None:
        return ""
    diff = Decimal(now) - before
    if metric == "average_age":
        unit, up, down = "岁", "上升", "下降"
    else:
        unit, up, down = "个百分点", "提高", "下降"
    if diff == 0:
        return "，与上届持平"
    return f"，同比{up if diff > 0 else down} {abs(diff)}{unit}"


def _group_sentence(b: makeup.BodyFigures, name: str, young: str, unit: str = "名") -> str:
    j = b.data()
    s = (f"{name} {b.members}{unit}，平均年龄 {num(j['average_age'])}岁"
         + _change_clause(b, "average_age")
         + f"，大专及以上学历 {b.college}人，占比 {num(j['college_pct'])}%"
         + _change_clause(b, "college_pct")
         + f"；本科及以上 {b.bachelor}人，占比 {num(j['bachelor_pct'])}%"
         + _change_clause(b, "bachelor_pct")
         + f"；{young} {b.young}人，占比 {num(j['under35_pct'])}%")
    s += retention_clause(b)
    if b.part_time:
        s += f"；兼职委员 {b.part_time}人"
    return s


def summary_paragraph(report: Report, day: dt.date | None = None) -> str:
    """换届工作情况: the figures of the report in the sentences district summaries publish, one
    paragraph to paste into a 报告 (the same text in the PDF)."""
    h = report.headline()
    young = young_words(report)
    parts = []
    when = f"截至 {day.isoformat()}，" if day else ""
    rates_said = "，".join(f"{label} {pct(h[k])}" for label, k in (
        ("按期换届率", "on_time_rate"), ("一次性选举成功率", "one_pass_rate")) if h[k] is not None)
    parts.append(f"{when}全辖 {h['communities']}个社区中，已完成换届 {h['completed']}个"
                 + (f"，{rates_said}" if rates_said else "") + "。")
    if h["party_expected"]:
        parts.append(f"应到会党员 {h['party_expected']}人，实际到会 {h['party_present']}人，"
                     f"出席率达到 {pct(h['party_attendance_rate'])}。")
    if h["voter_expected"]:
        parts.append(f"登记选民 {h['voter_expected']}人，参加投票 {h['voter_present']}人，"
                     f"选民参选率 {pct(h['voter_turnout_rate'])}。")
    names = {makeup.PARTY: "新一届社区党组织委员会成员", makeup.DISCIPLINE: "纪委班子成员",
             makeup.RESIDENTS: "新一届社区居委会成员",
             makeup.SUPERVISORY: "新一届居务监督委员会成员",
             makeup.COOP_BOARD: "新一届合作社理事会成员", makeup.COOP_SUPERVISORS: "新一届合作社监事会成员"}
    unset = 0
    for b in report.bodies:
        if b.members and b.body in names:
            parts.append(_group_sentence(b, names[b.body], young) + "。")
        elif b.members:
            unset += b.members
    if unset:
        parts.append(f"另有当选人 {unset}名所在的选举事项未设定班子（党组织委员会、居委会等），"
                     "未计入以上各班子的统计，请社区在选举事项中设定班子后重新报送。")
    for p in report.posts:
        if p.members:
            parts.append(_group_sentence(p, p.label, young) + "。")
    two = report.two_committees
    if two is not None and two.members:
        parts.append(_group_sentence(two, "新一届社区“两委”班子成员", young) + "。")
        secretary = next((p for p in report.posts if (p.body, p.post) == (makeup.PARTY, "书记")),
                         None)
        if secretary is not None and secretary.members:
            parts.append(f"“两委”班子成员中{young} {two.young}人，其中社区党组织书记 "
                         f"{secretary.young}人，占书记总数的 "
                         f"{num(secretary.data()['under35_pct'])}%。")
    if h["dual_role_of"]:
        parts.append(f"书记、主任“一肩挑”的社区 {h['dual_role']}个，占 {pct(h['dual_role_rate'])}"
                     + (f"，{h['dual_role_change']}" if h.get("dual_role_change") else "") + "。")
    return "".join(parts)
