"""The district report as plain text (the CLI without --json) and the headline sentences that the
XLSX 汇总 sheet, the PDF and the dashboard share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
        f"出席率 {pct(h['attendance_rate'])}（实到 {h['present']} 人 / 应到 {h['expected']} 人）",
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


def makeup_lines(report: Report) -> list[str]:
    out = []
    for b in report.bodies:
        j = b.data()
        if not b.members:
            continue
        line = (f"{b.body}：{b.members} 人，平均年龄 {num(j['average_age'])} 岁，"
                f"大专及以上 {pct(j['college_pct'])}，本科及以上 {pct(j['bachelor_pct'])}，"
                f"35岁以下 {pct(j['under35_pct'])}，女性 {pct(j['women_pct'])}")
        if j.get("changes"):
            line += "；与上届相比：" + "，".join(j["changes"])
        out.append(line)
    return out


def daily_lines(report: Report, day: dt.date) -> list[str]:
    d = daily(report, day)
    lines = [f"{d['date']} 日报：今日完成 {d['completed_today_count']} 个"
             + (f"（{'、'.join(d['completed_today'])}）" if d["completed_today"] else "")
             + f"，累计完成 {d['cumulative']} 个（{pct(d['cumulative_rate'])}），"
               f"尚余 {d['remaining']} 个"]
    if d["overdue"]:
        lines.append(f"已过计划日期未完成：{'、'.join(d['overdue'])}")
    for row in d["by_plan_date"]:
        lines.append(f"  计划 {row['plan_date']}：{row['planned']} 个，已完成 {row['completed']} 个"
                     + (f"，未完成：{'、'.join(row['remaining'])}" if row["remaining"] else ""))
    return lines


def report_text(report: Report, day: dt.date, *, daily_only: bool = False) -> str:
    if daily_only:
        return "\n".join(daily_lines(report, day))
    lines = headline_lines(report) + [""] + makeup_lines(report) + [""]
    for c in report.communities:
        done = f"完成 {c.done_date}" if c.stage == COMPLETED else c.stage
        lines.append(f"  {c.community}：计划 {c.plan_date or '—'}，{done}，"
                     f"出席率 {pct(c.attendance_rate)}"
                     + ("，另行选举" if c.runoffs else "")
                     + ("，一肩挑" if c.dual_role else "")
                     + (f"，{c.key_flag}" if c.key_flag else ""))
    return "\n".join(lines)
