"""Every audit action code in words: one catalogue, used by the 审计日志 page, its PDF and XLSX and
`pollday audit list`.

An audit row stores a short code (`sign_in_undone`) and its detail as JSON. The catalogue maps
each code to what a clerk reads: the action in words, the part of the day it belongs to, and a
sentence template over the detail's fields. `describe` renders one row's detail as one Chinese
sentence; a code the catalogue does not know (a newer version's row, a hand-made row) is shown
as the code itself with its raw fields, never dropped and never an error.

Templates: `{key}` is a detail field, `{key:fmt}` formats it (see `_FORMATS`), and a part in
square brackets `[，原因：{why}]` is left out when one of its fields is missing or empty.
tests/app/test_audit_catalogue.py scans every audit write under app/ and db/ and fails when a
code written anywhere is missing here.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Action:
    words: str         # the action, e.g. 撤销签到
    group: str         # the part of the day: 名册, 会议设置, 签到, 投票计票, 结果, 报送, 多台签到
    template: str      # one sentence over the detail (module doc)


_REG, _SETUP, _SIGN, _VOTE, _RESULT, _REPORT, _SYNC, _STAFF = (
    "名册", "会议设置", "签到", "投票计票", "结果", "报送", "多台签到", "工作人员")

CATALOGUE: dict[str, Action] = {
    # 名册
    "register.add": Action("添加名册人员", _REG, "名册新增 {count} 人[（来源：{source}）]"),
    "register.import": Action("导入名册", _REG,
                              "从“{file}”导入名册 {count} 人[，工作表“{sheet}”][，编码 {encoding}]"),
    "register.reimport": Action("重新导入名册", _REG,
                                "从“{file}”重新导入名册：新增 {added} 人，变更 {changed} 人，"
                                "名册中缺少 {missing} 人"),
    "register_imported": Action("导入名册（旧版本记录）", _REG, "导入名册 {persons} 人"),
    # 会议设置
    "meeting_created": Action("新建会议", _SETUP,
                              "新建会议“{title}”（代码 {code}[，{date}]）[，规则 {rules}]"
                              "[，形式 {form}][，选项 {options:kv}]"),
    "meeting_set_current": Action("设为当前会议", _SETUP, "将会议 {code} 设为当前会议"),
    "meeting_options_corrected": Action("投票开始后更正计票选项", _SETUP,
                                        "更正计票选项[：{after:kv}][，原因：{why}]"
                                        "[，解除锁定的轮次：{unlocked_rounds:list}]"),
    "meeting_options_set": Action("修改会议选项", _SETUP,
                                  "会议选项由 {before:kv} 改为 {after:kv}"),
    "meeting_updated": Action("修改会议信息", _SETUP,
                              "会议名称、日期、地点由 {before:kv} 改为 {after:kv}"),
    "electors_added": Action("登记选举人", _SETUP, "登记委员会全体会议的选举人 {person_ids:count} 人"),
    "elector_removed": Action("移除选举人", _SETUP, "移除选举人（人员编号 {person_id}）"),
    "exclusion_added": Action("登记不计入应到", _SETUP,
                              "登记 {name} 不计入应到：{reason:exclusion}[（{detail}）]"
                              "[，批准文号 {approval_ref}][，批准日期 {approved_on}]"),
    "exclusion_lifted": Action("撤销不计入应到", _SETUP,
                               "撤销 {name} 的不计入应到[（原为 {reason:exclusion}）]"
                               "[，原因：{why}]"),
    "leave_added": Action("登记请假", _SETUP, "登记 {name} 请假[：{reason}]"),
    "leave_removed": Action("撤销请假", _SETUP, "撤销 {name} 的请假[（原事由：{reason}）]"),
    "desk_added": Action("新增签到台", _SETUP, "新增签到台“{name}”，负责：{scope:scope}"),
    "desk_removed": Action("删除签到台", _SETUP, "删除签到台“{name}”（负责：{scope:scope}）"),
    "contest_added": Action("新增选举事项", _SETUP,
                            "新增选举事项“{title}”（代码 {code}），应选 {seats} 名[，{body}]"),
    "contest_seats_changed": Action("修改应选名额", _SETUP,
                                    "选举事项“{title}”的应选名额由 {from} 名改为 {to} 名"),
    "contest_removed": Action("删除选举事项", _SETUP,
                              "删除选举事项“{title}”（应选 {seats} 名）[，候选人：{candidates:list}]"
                              "[，原因：{why}]"),
    "candidate_added": Action("添加候选人", _SETUP, "在“{contest}”中添加候选人 {name}"
                              "[（已当选本届{elected_as}，仍列为候选人，原因：{despite_elected}）]"),
    "candidate_removed": Action("撤销候选人", _SETUP,
                                "撤销“{contest}”的候选人 {name}[，原因：{why}]"),
    "contest_post_set": Action("设定选举事项的职务", _SETUP,
                               "选举事项 {code} 的职务[由“{was}”]改为{post:post}"),
    "contest_body_set": Action("设定选举事项的班子", _SETUP,
                               "选举事项 {code} 的班子[由“{was}”]改为{body:body}"),
    "candidate_part_time_set": Action("标记兼职", _SETUP,
                                      "选举事项的候选人 {name} {part_time:part_time}"),
    "previous_member_marked": Action("登记上届班子成员", _SETUP,
                                     "登记人员编号 {person_id} 为上届{body}{post}"),
    "previous_member_removed": Action("撤销上届班子成员", _SETUP,
                                      "撤销人员编号 {person_id} 的上届{body}{post}登记"),
    "proxy_added": Action("登记委托", _SETUP,
                          "登记 {principal} 委托 {proxy} 投票[（委托书编号 {document_ref}）]"),
    "proxy_revoked": Action("撤销委托", _SETUP, "撤销 {principal} 对 {proxy} 的委托[，原因：{why}]"),
    # 签到
    "sign_in_outside_scope": Action("负责范围外签到", _SIGN,
                                    "{name} 在签到台“{desk}”签到，不属于该台负责范围"
                                    "[（属于：{home:list}）]"),
    "sign_in_undone": Action("撤销签到", _SIGN,
                             "撤销 {name} 的签到[（签到于 {signed_in_at:time}）][，签到台“{desk}”]"
                             "[，原因：{reason}]"),
    "duplicate_sign_in_resolved": Action("处理重复签到", _SIGN,
                                         "处理 {name} 的重复签到（记录 {event}）[，原因：{reason}]"),
    "attendance_snapshot": Action("冻结实到人数", _SIGN,
                                  "{round}：应到 {expected} 人，实到 {present} 人，{quorum_met:quorum}"),
    # 投票计票
    "round_refused": Action("开始投票被拒绝", _VOTE,
                            "选举事项 {contest} 不能开始投票：应到 {expected} 人，实到 {present} 人，"
                            "须达到 {required} 人"),
    "round_opened": Action("开始投票", _VOTE,
                           "选举事项 {contest} 第 {number} 轮开始投票（{kind:round}），应选 {seats} 名，"
                           "候选人 {candidates:list}；应到 {expected} 人，实到 {present} 人"),
    "round_officials": Action("登记监票人、计票人", _VOTE,
                              "监票人：{scrutineers:list}；计票人：{counters:list}"),
    "ballot_box_recorded": Action("登记票箱", _VOTE,
                                  "票箱“{box}”{mobile:mobile}：印制 {printed} 张，发出 {issued} 张，"
                                  "收回 {returned} 张，作废 {spoiled} 张"),
    "ballot_correct": Action("更正选票", _VOTE,
                             "录入组{entry}更正第 {seq} 张选票：由 {before:ballot} 改为 {after:ballot}"
                             "[，原因：{why}]"),
    "ballot_withdraw": Action("撤回选票", _VOTE,
                              "录入组{entry}撤回第 {seq} 张选票（原为 {before:ballot}）[，原因：{why}]"),
    "ballot_difference_resolved": Action("处理双录差异", _VOTE,
                                         "第 {seq} 张选票录入不一致（A：{a:ballot}；B：{b:ballot}），"
                                         "{choice:choice}：{reading:ballot}[，原因：{why}]"),
    "ballot_entry_imported": Action("导入另一台电脑的录入", _VOTE,
                                    "从“{file}”导入{round}录入组{entry}的选票：新增 {added} 张，"
                                    "已有 {already} 张[，录入员：{clerks:list}]"),
    "tally_sheet_reentered": Action("重录计票单", _VOTE,
                                    "录入组{entry}重录正字计票单：{sheet:sheet}[，原因：{why}]"),
    "tally_sheet_resolved": Action("按原票确定计票单", _VOTE,
                                   "按原票确定正字计票单：{sheet:sheet}[，原因：{why}]"),
    "round_closed": Action("结束计票", _VOTE, "结束计票，共 {ballots} 张选票"),
    "round_reopened": Action("重新打开计票", _VOTE, "重新打开计票[，原因：{why}]"),
    # 扫描计票 (app/scan)
    "scan_print_setting": Action("设定选票扫描标记", _VOTE, "选票扫描标记设为 {setting}"),
    "scan_format_setting": Action("设定可扫描选票格式", _VOTE,
                                  "{contest} 的可扫描选票设为格式 {format}"),
    "scan_import": Action("导入扫描选票", _VOTE,
                          "导入第 {batch} 批扫描选票：手工清点 {hand_count} 张，扫描 {pages} 页，"
                          "拒读 {refused} 张，须人工认定 {flagged} 张"),
    "scan_decision": Action("认定扫描选票", _VOTE,
                            "认定第 {batch} 批第 {position} 张：机读 {machine}，认定为 {decided}"
                            "[，另选他人：{write_ins:list}][，无效：{reason}][，与 {second} 共同认定]"
                            "[，已更改此前的认定（原为 {replaced}）]"),
    "scan_count": Action("扫描选票计票", _VOTE,
                         "扫描选票 {ballots} 张计入录入组A（自第 {first_seq} 张起）"),
    "scan_check_mode": Action("选择扫描核对方式", _VOTE, "扫描选票的核对方式设为{words}"),
    "scan_sample_drawn": Action("随机抽取抽查选票", _VOTE,
                                "从 {population} 张未送人工认定的扫描选票中随机抽取 {size} 张"
                                "（覆盖至录入序号 {last_seq}），由计票员不看机读结果录入"),
    "scan_testdeck_printed": Action("打印扫描测试选票", _VOTE,
                                    "打印第 {deck} 套扫描测试选票 {pages} 页（测试版式，不计票）"),
    "scan_testdeck_judged": Action("判定扫描测试选票", _VOTE,
                                   "扫描测试选票 {pages} 页：通过 {passed} 页，未通过 {failed} 页"),
    "scan_testdeck_acknowledged": Action("确认未经测试计入扫描选票", _VOTE,
                                         "{contest}第{number}轮：扫描测试选票未通过（{deck}），"
                                         "确认计入扫描选票 {scanned} 张，理由：{why}"),
    # 结果
    "round_no_fill_decided": Action("决定不再补选", _RESULT,
                                    "[{decided_by} ]决定不再补选[（未选足 {unfilled} 名）]"
                                    "[，已当选：{elected:list}][，原因：{why}]"),
    "round_locked": Action("锁定结果", _RESULT,
                           "锁定选举事项 {contest} 第 {number} 轮结果[（{status:status}）]"
                           "[，当选：{elected:list}]，锁定校验码 {hash}[，与 {second} 共同锁定]"
                           "[；一人当选同一委员会两个职务，按记录的决定锁定：{decision}]"),
    "round_unlocked": Action("解除锁定", _RESULT, "解除锁定（原锁定校验码 {hash}）[，原因：{why}]"),
    # 报送
    "package_exported": Action("导出报送包", _REPORT,
                               "导出报送包“{file}”，包校验码 {short_hash}，密钥指纹 {fingerprint}"),
    # 工作人员
    "staff_added": Action("添加工作人员", _STAFF,
                          "将 {name} 加入工作人员名单，角色：{roles:roles}{chief:chief}"
                          "[（名册人员编号 {person_id}）]{first:first}"),
    "staff_pin_reset": Action("重设PIN", _STAFF, "重设 {name} 的PIN"),
    "staff_pin_changed": Action("修改本人PIN", _STAFF, "{name} 修改了本人的PIN[（在“{where}”）]"),
    "staff_removed": Action("删除工作人员", _STAFF, "将 {name} 移出工作人员名单"),
    "staff_edited": Action("修改工作人员角色", _STAFF,
                           "修改 {name}：角色 {roles_before:roles} → {roles:roles}"
                           "[{chief_change:chief_change}][{link_change:link_change}]"),
    "staff_signed_on": Action("登录", _STAFF, "{name} 在“{where}”{how:how}"),
    "staff_locked": Action("空闲锁定", _STAFF, "“{where}”空闲 {minutes} 分钟后锁定（{name} 登录中）"),
    "staff_signed_off": Action("退出登录", _STAFF, "{name} 在“{where}”退出登录[{closed:closed}]"),
    "staff_pin_wrong": Action("PIN输错", _STAFF,
                              "{name} 输入的PIN不正确（已连续输错 {failed} 次）"
                              "{wait_s:wait}[，在 {where}]"),
    # 多台签到
    "sync_host_created": Action("开启主机模式", _SYNC, "开启主机模式（主机证书指纹 {fingerprint}）"),
    "sync_room_key_created": Action("生成会场签名密钥", _SYNC,
                                    "生成会场签名密钥（公钥 {public_key:short}）"),
    "sync_desk_joined": Action("签到台加入", _SYNC, "签到台“{desk}”[从 {address} ]加入主机"),
    "sync_desk_certified": Action("登记签到台密钥", _SYNC,
                                  "登记签到台“{desk}”的签名密钥（{public_key:short}）[，地址 {address}]"),
    "sync_desk_revoked": Action("吊销签到台", _SYNC,
                                "吊销签到台“{desk}”的密钥[，原因：{reason}]，"
                                "保留其 {events_kept} 条签到记录"),
    "sync_refused": Action("拒绝连接或数据", _SYNC,
                           "拒绝[签到台“{desk}”][（{address}）]：{reason:refusal}"),
    "sync_refused_more": Action("多次拒绝（汇总）", _SYNC,
                                "{address} 在 {from:time} 至 {to:time} 之间又被拒绝 {count} 次"
                                "[：{reasons:refusals}]"),
    "sync_register_refreshed": Action("按主机更新名册", _SYNC,
                                      "按主机更新名册：新增 {added} 人，修改 {changed} 人，"
                                      "删除 {removed} 人[，本台有记录而保留 {kept} 人]"
                                      "[，其他变动：{lists:lists}]"),
}

OUTCOME_ZH = {"ok": "", "refused": "已拒绝", "QUORUM_NOT_MET": "未达到法定人数"}

_MISSING = object()


def _empty(v: object) -> bool:
    return v is _MISSING or v is None or v == "" or v == [] or v == {}


def _plain(v: object) -> str:
    if _empty(v):
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list | tuple):
        return "、".join(_plain(x) for x in v) or "—"
    if isinstance(v, dict):
        return _kv(v)
    return str(v)


def _kv(v: object) -> str:
    if not isinstance(v, dict):
        return _plain(v)
    if not v:
        return "（无）"
    return "，".join(f"{k}={_plain(x)}" for k, x in v.items())


MARK_ZH = {"o": "○", "x": "×", "-": "弃"}


def _ballot(v: object) -> str:
    """A ballot as entered: ○ approve, × disapprove, 弃 abstain, per candidate in ballot order."""
    if not isinstance(v, dict):
        return "无" if v is None else _plain(v)
    if v.get("invalid"):
        reason = str(v.get("reason") or "")
        return f"无效票（{reason}）" if reason else "无效票"
    marks = "".join(MARK_ZH.get(ch, ch) for ch in str(v.get("marks", "")))
    extra = [*(v.get("write_ins") or []), *(v.get("unmarked_write_ins") or [])]
    return marks + (f" 另选 {_plain(extra)}" if extra else "")


def _sheet(v: object) -> str:
    if not isinstance(v, dict):
        return _plain(v)
    parts = [f"有效票 {v.get('valid', '—')}", f"无效票 {v.get('invalid', '—')}"]
    for key, word in (("approve", "赞成"), ("disapprove", "不赞成"), ("write_ins", "另选")):
        got = v.get(key)
        if isinstance(got, dict) and got:
            parts.append(f"{word}：" + "，".join(f"{n} {c}" for n, c in got.items()))
    return "；".join(parts)


def _time(v: object) -> str:
    return wall_time(str(v)) if not _empty(v) else "—"


def _exclusion(v: object) -> str:
    from app.model import EXCLUSION_REASON_ZH, ExclusionReason

    try:
        return EXCLUSION_REASON_ZH[ExclusionReason(str(v))]
    except (ValueError, KeyError):
        return _plain(v)


def _status(v: object) -> str:
    from app.rules.contest import STATUS_ZH, Status

    try:
        return STATUS_ZH[Status(str(v))]
    except (ValueError, KeyError):
        return _plain(v)


def _round(v: object) -> str:
    return {"first": "第一轮选举", "runoff": "另行选举", "tie_revote": "重新投票"}.get(
        str(v), _plain(v))


def _refusal(v: object) -> str:
    from app.sync.refusals import REASON_ZH

    return REASON_ZH.get(str(v), _plain(v))


def _refusals(v: object) -> str:
    if isinstance(v, dict):
        return "，".join(f"{_refusal(k)} {n} 次" for k, n in v.items())
    if isinstance(v, list):
        return "、".join(_refusal(x) for x in v)
    return _refusal(v)


def _lists(v: object) -> str:
    words = {"meeting_elector": "选举人", "exclusion": "不计入应到", "leave": "请假",
             "proxy": "委托", "desk": "签到台设置"}
    return "、".join(words.get(str(x), str(x)) for x in v) if isinstance(v, list) else _plain(v)


def _roles(v: object) -> str:
    from app.permissions import ROLE_ZH, Role

    def one(x: object) -> str:
        try:
            return ROLE_ZH[Role(str(x))]
        except (ValueError, KeyError):
            return str(x)

    return "、".join(one(x) for x in v) if isinstance(v, list) else one(v)


def _link_change(v: object) -> str:
    """[before, after] register person names of a staff member (None: not linked)."""
    if not isinstance(v, list) or len(v) != 2:
        return _plain(v)
    was, now = v
    if _empty(was):
        return f"，关联名册人员 {_plain(now)}"
    if _empty(now):
        return f"，取消关联名册人员 {_plain(was)}"
    return f"，名册人员由 {_plain(was)} 改为 {_plain(now)}"


_FORMATS: dict[str, Callable[[object], str]] = {
    "": _plain, "list": _plain, "kv": _kv, "ballot": _ballot, "sheet": _sheet, "time": _time,
    "exclusion": _exclusion, "status": _status, "round": _round, "refusal": _refusal,
    "refusals": _refusals, "lists": _lists,
    "count": lambda v: str(len(v)) if isinstance(v, list) else _plain(v),
    "scope": lambda v: _plain(v) if not _empty(v) else "全部人员",
    "quorum": lambda v: "达到法定人数" if v else "未达到法定人数",
    "mobile": lambda v: "（流动票箱）" if v else "",
    "roles": _roles,
    "wait": lambda v: f"，须等待 {v} 秒再试" if not _empty(v) and v != 0 else "",   # not "0 秒"
    "post": lambda v: f"“{v}”" if not _empty(v) else "（不设职务）",
    "body": lambda v: f"“{v}”" if not _empty(v) else "（未设定班子）",
    "part_time": lambda v: "标为兼职" if v else "取消兼职",
    "chief": lambda v: "（总监票人）" if v else "",
    "first": lambda v: "（名单中的第一人，即主持人/管理员）" if v else "",
    "chief_change": lambda v: {"on": "，设为总监票人", "off": "，不再是总监票人"}.get(
        str(v), _plain(v)),
    "link_change": _link_change,
    "closed": lambda v: "（关闭了窗口或数据库）" if v else "",
    "how": lambda v: {"sign_on": "登录", "switch": "切换人员登录", "unlock": "解锁",
                      "second": "输入PIN确认身份（两人操作或须本人的操作）"}.get(str(v), f"登录（{_plain(v)}）"),
    "short": lambda v: (str(v)[:16] + "…") if isinstance(v, str) and len(v) > 16 else _plain(v),
    "choice": lambda v: {"A": "采用录入组A", "B": "采用录入组B", "paper": "按原票更正"}.get(
        str(v), f"采用 {_plain(v)}"),
}


class _Formatter(string.Formatter):
    def __init__(self, detail: Mapping[str, Any]) -> None:
        self.detail = detail

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        return self.detail.get(str(key), _MISSING)

    def format_field(self, value: Any, format_spec: str) -> str:
        fmt = _FORMATS.get(format_spec, _plain)
        return fmt(value)


_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def render(template: str, detail: Mapping[str, Any]) -> str:
    """The template filled from `detail`; an optional part whose fields are missing or empty
    is left out."""
    def keep(m: re.Match[str]) -> str:
        part = m.group(1)
        return "" if any(_empty(detail.get(f, _MISSING)) for f in _fields(part)) else part

    return _Formatter(detail).format(_OPTIONAL.sub(keep, template))


def known(code: str) -> bool:
    return code in CATALOGUE


def action_words(code: str) -> str:
    """The action in words; an unknown code as itself (it is what the row holds)."""
    a = CATALOGUE.get(code)
    return a.words if a is not None else code


def action_group(code: str) -> str:
    a = CATALOGUE.get(code)
    return a.group if a is not None else "其他"


def raw_fields(detail: object) -> str:
    """Every field as key=value, for a code the catalogue does not know."""
    if isinstance(detail, dict):
        return "；".join(f"{k}={json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v}"
                        for k, v in detail.items())
    return "" if detail in (None, "") else str(detail)


def describe(code: str, detail: object, outcome: str = "ok") -> str:
    """One Chinese sentence for an audit row. A row whose detail is not the JSON object the
    code writes (or a code not in the catalogue) is shown as the code and its raw fields."""
    a = CATALOGUE.get(code)
    if a is not None and isinstance(detail, dict):
        try:
            text = render(a.template, detail)
        except (ValueError, TypeError, AttributeError):   # a hand-made row with odd values
            text = f"{a.words}：{raw_fields(detail)}"
    else:
        raw = raw_fields(detail)
        text = f"{code}" + (f"：{raw}" if raw else "") + ("（未收录的动作代码）" if a is None else "")
    word = OUTCOME_ZH.get(outcome, outcome)
    return f"{text}（结果：{word}）" if word else text


_PREFIXED = re.compile(r"^(gui|cli|desk|host|tui):(.+)$")


def operator_name(actor: str) -> str:
    """Who did it, as a person reads it: older versions wrote `gui:张三` (or `gui:root`, the
    computer's login); the name part is shown. An empty operator is said to be unrecorded."""
    actor = actor.strip()
    m = _PREFIXED.match(actor)
    if m:
        return m.group(2).strip() or "（未记名）"
    if actor == "host":
        return "主机"
    return actor or "（未记名）"


def wall_time(at: str) -> str:
    """An ISO time as the hall's clock showed it: `2026-11-29 09:00:05` (the offset dropped)."""
    text = at.replace("T", " ")
    m = re.match(r"^(\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?)", text)
    return m.group(1) if m else at
