"""The page registry: which pages each step of the day shows.

Adding a page is one new module in ui/pages/ that defines `create(ctx: PageContext) -> QWidget`
plus one `PageSpec` line in PAGES. Pages are imported and built the first time their step is
opened, so start-up does not pay for them. A step with several pages shows them as tabs; a step
with none yet shows what it will hold (`Step.planned`), never placeholder data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ui.pages.context import PageContext


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str  # one line under the big button
    planned: str  # shown while the step has no page yet


@dataclass(frozen=True)
class PageSpec:
    step: str
    title: str
    module: str  # defines create(ctx) -> QWidget

    def factory(self) -> Callable[[PageContext], QWidget]:
        return importlib.import_module(self.module).create  # type: ignore[no-any-return]


STEPS: tuple[Step, ...] = (
    Step("prepare", "准备", "名册 · 会议 · 选举事项",
         "导入名册，登记不计入应到人员和委托，设置选举事项与候选人，打印选票和签到表。"),
    Step("signin", "签到", "签到台",
         "在签到台扫描二维码或按姓名、拼音、首字母、身份证号后几位查找人员并签到；"
         "每人只能签到一次，撤销须填写原因；中途退场登记。"),
    Step("meeting", "会议", "应到 · 实到 · 法定人数",
         "实时显示应到、实到、出席率，判断是否达到法定人数，供主持人宣布；可投到大屏幕。"),
    Step("voting", "投票计票", "发票 · 收票 · 计票",
         "通过监票人、计票人，登记发出和收回选票（含流动票箱），逐张录入选票，"
         "无效票注明原因。"),
    Step("results", "结果", "验证 · 公告 · 证书",
         "一次性验证全部规则，确定当选、重新投票或另行选举；监票人签字后锁定结果，"
         "打印计票结果公告、选举结果公告、选举结果报告单和当选证书。"),
    Step("report", "报送", "U盘报送包",
         "生成带签名和校验值的报送包写入U盘，并回读校验，交区（街道）换届办汇总。"),
)

PAGES: tuple[PageSpec, ...] = (
    PageSpec("prepare", "名册", "ui.pages.register"),
    PageSpec("prepare", "会议设置", "ui.pages.setup_meeting"),
    PageSpec("prepare", "不计入与请假", "ui.pages.setup_exclusions"),
    PageSpec("prepare", "委托", "ui.pages.setup_proxies"),
    PageSpec("prepare", "签到台设置", "ui.pages.setup_desks"),
    PageSpec("prepare", "选举事项", "ui.pages.contests_page"),
    PageSpec("prepare", "工作人员名单", "ui.pages.staff_page"),
    PageSpec("signin", "签到台", "ui.pages.desk_page"),
    PageSpec("signin", "多台签到", "ui.pages.host_page"),
    PageSpec("meeting", "出席与法定人数", "ui.pages.meeting_page"),
    PageSpec("voting", "投票计票", "ui.pages.counting"),
    PageSpec("results", "验证与结果", "ui.pages.results_page"),
    PageSpec("report", "U盘报送包", "ui.pages.export_page"),
    PageSpec("report", "审计日志", "ui.pages.audit_page"),
)


def step(key: str) -> Step:
    return next(s for s in STEPS if s.key == key)


def pages_of(step_key: str) -> list[PageSpec]:
    return [p for p in PAGES if p.step == step_key]
