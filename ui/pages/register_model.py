"""The register as a Qt table model: a list of app.model.Person, cells computed on demand.

Nothing per cell is created up front (no QTableWidgetItem): with 20,000 persons the view asks
only for the rows on screen. Whether a person votes is the current meeting's rule
(app.electorate.has_vote), shown with the reason as a tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.electorate import has_vote
from app.model import PARTY_STATUS_ZH, Form, Meeting, PartyStatus, Person

if TYPE_CHECKING:
    from app.register.store import PersonRecord

Index = QModelIndex | QPersistentModelIndex

GENDER_ZH = {"M": "男", "F": "女"}
NO_VOTE_COLOUR = QColor("#9a5b13")


def mask_id_number(id_number: str | None) -> str:
    """First 6 (region) and last 4 shown, the birth date and sequence masked."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return id_number[:2] + "*" * max(0, len(id_number) - 4) + id_number[-2:]
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def category(p: Person | PersonRecord) -> str:
    parts = [PARTY_STATUS_ZH[p.party_status]] if p.party_status is not PartyStatus.NONE else []
    for flag, label in ((p.resident_voter, "选民"), (p.household_rep, "户代表"),
                        (p.resident_rep, "居民代表"), (p.collective_member, "社员"),
                        (p.collective_delegate, "成员代表")):
        if flag:
            parts.append(label)
    return "、".join(parts) or "—"


Column = tuple[str, Callable[[Person], str]]

COLUMNS: tuple[Column, ...] = (
    ("姓名", lambda p: p.name),
    ("性别", lambda p: GENDER_ZH.get(p.gender or "", "")),
    ("出生日期", lambda p: p.birth_date or ""),
    ("身份证号", lambda p: mask_id_number(p.id_number)),
    ("学历", lambda p: p.education),
    ("支部", lambda p: p.branch),
    ("居民小组", lambda p: p.resident_group),
    ("户号", lambda p: p.household),
    ("类别", category),
)
VOTE_COLUMN = len(COLUMNS)
HEADERS = tuple(title for title, _ in COLUMNS) + ("是否有表决权",)


DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset((DISPLAY, TOOLTIP, Qt.ItemDataRole.ForegroundRole))


class PersonTableModel(QAbstractTableModel):
    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[Person] = []
        self._meeting: Meeting | None = None
        self._electors: frozenset[int] = frozenset()
        self.vote_tip = ""

    # --- feeding -------------------------------------------------------------------------
    def set_persons(self, persons: Sequence[Person]) -> None:
        self.beginResetModel()
        self._rows = list(persons)
        self.endResetModel()

    def set_meeting(self, meeting: Meeting | None, electors: frozenset[int] = frozenset()) -> None:
        """Judge the vote column by `meeting` (`electors`: its elector rows, for a plenary)."""
        self._meeting = meeting
        self._electors = electors
        self.vote_tip = (f"按当前会议“{meeting.title}”判断" if meeting
                         else "尚无会议，无法判断表决权")
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, VOTE_COLUMN, VOTE_COLUMN)
        if self._rows:
            self.dataChanged.emit(self.index(0, VOTE_COLUMN),
                                  self.index(len(self._rows) - 1, VOTE_COLUMN))

    def person(self, row: int) -> Person:
        return self._rows[row]

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 (Qt API)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.ToolTipRole and horizontal and section == VOTE_COLUMN:
            return self.vote_tip
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if horizontal:
            return HEADERS[section]
        return str(section + 1)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        # The view asks ~a dozen roles per visible cell on every frame: unhandled roles are
        # answered first and cheaply.
        if role not in _ROLES or not index.isValid():
            return None
        p = self._rows[index.row()]
        col = index.column()
        if col == VOTE_COLUMN:
            return self._vote_cell(p, role)
        if role == DISPLAY:
            return COLUMNS[col][1](p)
        if role == TOOLTIP and col == 0 and p.pinyin:
            return p.pinyin
        return None

    def _vote_cell(self, p: Person, role: int) -> object:
        if self._meeting is None:
            return "—" if role == Qt.ItemDataRole.DisplayRole else None
        right = has_vote(p, self._meeting, is_elector=(
            self._meeting.form is Form.PLENARY and p.id in self._electors))
        if role == Qt.ItemDataRole.DisplayRole:
            return "有" if right.has_vote else ("无（列席）" if right.attends else "无")
        if role == Qt.ItemDataRole.ToolTipRole:
            return "本次会议有表决权" if right.has_vote else right.reason_zh
        if role == Qt.ItemDataRole.ForegroundRole and not right.has_vote:
            return NO_VOTE_COLOUR
        return None
