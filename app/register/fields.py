"""Register columns: the headers people actually use, and parsers for the values they type.

A parser returns the stored value or a `Bad` with the reason in Chinese (shown to the user with
the row number and the column header)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from app.model import PartyStatus

# Field -> Chinese label used in messages and the mapping dialog.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "id_number": "公民身份号码",
    "education": "学历", "branch": "所在党支部", "resident_group": "居民小组", "household": "户号",
    "member_no": "党员/成员编号", "party_status": "人员类别", "resident_voter": "是否选民",
    "household_rep": "是否户代表", "resident_rep": "是否居民代表",
    "collective_member": "是否集体经济组织成员", "collective_delegate": "是否成员代表",
    "phone": "联系电话", "note": "备注",
}

# Header (normalised by `header_key`) -> field.
SYNONYMS: dict[str, str] = {}
for _field, _names in {
    "name": "姓名 名字 人员姓名 党员姓名 选民姓名 成员姓名 户主姓名",
    "gender": "性别",
    "birth_date": "出生日期 出生年月 出生年月日 生日 出生时间",
    "id_number": "公民身份号码 身份证号 身份证号码 身份证 证件号码 居民身份证号码 身份号码 身份证件号码",
    "education": "学历 文化程度 最高学历 文化",
    "branch": "所在党支部 支部 党支部 所在支部 支部名称 所属支部 所属党支部",
    "resident_group": "居民小组 小组 所在小组 所在居民小组 所属小组 村民小组 组别",
    "household": "户号 户编号 户籍编号 家庭户号",
    "member_no": "党员编号 编号 成员编号 股东编号 社员编号",
    "party_status": "人员类别 党员类别 党员状态 政治面貌 党籍状态",
    "resident_voter": "是否选民 选民 是否登记选民",
    "household_rep": "是否户代表 户代表",
    "resident_rep": "是否居民代表 居民代表",
    "collective_member": "是否成员 是否集体经济组织成员 是否社员 是否股东",
    "collective_delegate": "是否成员代表 成员代表 是否股东代表",
    "phone": "联系电话 电话 手机 手机号 手机号码 联系方式 电话号码",
    "note": "备注 说明",
}.items():
    for _h in _names.split():
        SYNONYMS[_h] = _field

# Headers registers often carry that PollDay does not store: silently left out.
IGNORED: frozenset[str] = frozenset(
    "序号 序 年龄 民族 籍贯 入党时间 入党日期 转正时间 转正日期 工作单位 单位 职务 职业"
    " 家庭住址 住址 现住址 居住地址 地址 户籍地址 签名 本人签名 签字 照片 参加工作时间".split())

_PAREN = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def header_key(header: str) -> str:
    """A header as looked up: width folded, notes in brackets, spaces, '*' and ':' removed."""
    s = unicodedata.normalize("NFKC", header)
    s = _PAREN.sub("", s)
    return "".join(c for c in s if not c.isspace() and c not in "*:：" + _INVISIBLE)


def field_of(header: str) -> str | None:
    return SYNONYMS.get(header_key(header))


def is_ignored(header: str) -> bool:
    return header_key(header) in IGNORED


@dataclass(frozen=True, slots=True)
class Bad:
    reason: str


_DROP_INVISIBLE = {ord(c): None for c in _INVISIBLE}


def clean_text(raw: str) -> str:
    """Surrounding whitespace (incl. full-width and no-break spaces) and invisible characters."""
    return raw.translate(_DROP_INVISIBLE).strip()


def _is_cjk(c: str) -> bool:
    return unicodedata.category(c) == "Lo"


def clean_name(raw: str) -> str:
    """Strip surrounding spaces, zero-width characters and the full-width (or plain) spaces
    that pad two-character names (张　三); nothing else is changed."""
    s = clean_text(raw).replace("\u3000", "")
    if " " not in s and "\u00a0" not in s:
        return s  # the usual case: no padding space to look at
    out = []
    for i, c in enumerate(s):
        if c in " \u00a0" and 0 < i < len(s) - 1 and _is_cjk(s[i - 1]) and _is_cjk(s[i + 1]):
            continue
        out.append(c)
    return "".join(out)


def parse_name(raw: str) -> str | Bad:
    s = clean_name(raw)
    if not s:
        return Bad("姓名为空")
    if len(s) > 40:
        return Bad("姓名过长（超过40个字符）")
    if not _SHOWABLE.issuperset(s):
        control = format_control(s)
        if control:
            return Bad(f"姓名含有不可见的格式控制字符 {control}，它会改变文字的显示顺序或隐藏内容，"
                       "请删除后再导入")
        if any(unicodedata.category(c) in _UNSHOWABLE for c in s):
            return Bad("姓名含有无法显示的字符")
        if len(_SHOWABLE) < 65536:
            _SHOWABLE.update(s)
    return s


def format_control(text: str) -> str:
    """The first format control (Unicode category Cf: bidi overrides and isolates U+202A-202E,
    U+2066-2069, marks U+200E/200F/061C, ...) in text, as 'U+202E（RIGHT-TO-LEFT OVERRIDE）';
    '' when there is none. The zero-width characters clean_text drops never reach here."""
    for c in text:
        if unicodedata.category(c) == "Cf":
            return f"U+{ord(c):04X}（{unicodedata.name(c, '未命名')}）"
    return ""


# Characters of names already checked and found showable (names repeat characters a lot).
_UNSHOWABLE = frozenset({"Cc", "Cs", "Co", "Cn"})
_SHOWABLE: set[str] = set()


_GENDERS = {"男": "M", "男性": "M", "M": "M", "MALE": "M", "女": "F", "女性": "F", "F": "F",
            "FEMALE": "F"}


def parse_gender(raw: str) -> str | None | Bad:
    s = unicodedata.normalize("NFKC", clean_text(raw)).upper()
    if not s:
        return None
    g = _GENDERS.get(s)
    return g if g is not None else Bad(f"性别「{raw.strip()}」无法识别（应为 男 或 女）")


_DATE_PATTERNS = [
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+0{1,2}:00(?::00)?)?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(r"(\d{4})[-/.年](\d{1,2})月?"),
    re.compile(r"(\d{4})(\d{2})"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_serial_date(serial: float) -> dt.date | None:
    """A date from an Excel serial day number (1900 date system), when plausible."""
    if not 367 <= serial < 80000 or serial != int(serial):
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(raw: str, today: dt.date) -> str | None | Bad:
    """'YYYY-MM-DD', or 'YYYY-MM' when only the month is given (出生年月)."""
    if (len(raw) == 10 and raw[4] == "-" == raw[7] and raw.isascii() and raw[:4].isdigit()
            and raw[5:7].isdigit() and raw[8:].isdigit()):
        # The usual 1975-03-08: what the first pattern below reads, without the regular
        # expressions (nothing for clean_text or NFKC to change in it).
        try:
            day = dt.date(int(raw[:4]), int(raw[5:7]), int(raw[8:]))
        except ValueError:
            return Bad(f"日期「{raw}」不存在")
        return _check_date(day, today, raw)
    s = unicodedata.normalize("NFKC", clean_text(raw))
    if not s:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", s):  # an Excel serial day number kept as a number
        d = excel_serial_date(float(s))
        if d is not None:
            return _check_date(d, today, raw)
    for i, pat in enumerate(_DATE_PATTERNS):
        m = pat.fullmatch(s)
        if not m:
            continue
        year, month = int(m.group(1)), int(m.group(2))
        if i < 2:
            try:
                d = dt.date(year, month, int(m.group(3)))
            except ValueError:
                return Bad(f"日期「{raw.strip()}」不存在")
            return _check_date(d, today, raw)
        if not 1 <= month <= 12:
            return Bad(f"日期「{raw.strip()}」的月份不存在")
        if not 1900 <= year <= today.year or (year, month) > (today.year, today.month):
            return Bad(f"日期「{raw.strip()}」不合理")
        return f"{year:04d}-{month:02d}"
    return Bad(f"日期「{raw.strip()}」无法识别（可写作 1975-03-08、1975/3/8、1975.03 或 197503）")


def _check_date(d: dt.date, today: dt.date, raw: str) -> str | Bad:
    if d.year < 1900 or d > today:
        return Bad(f"日期「{raw.strip()}」不合理")
    return d.isoformat()


_STATUS = {
    "正式党员": PartyStatus.FULL, "中共党员": PartyStatus.FULL, "党员": PartyStatus.FULL,
    "正式": PartyStatus.FULL, "预备党员": PartyStatus.PROBATIONARY,
    "中共预备党员": PartyStatus.PROBATIONARY, "预备": PartyStatus.PROBATIONARY,
    "留党察看": PartyStatus.ON_PROBATION, "留党查看": PartyStatus.ON_PROBATION,
    "权利中止": PartyStatus.SUSPENDED, "党员权利中止": PartyStatus.SUSPENDED,
    "中止党员权利": PartyStatus.SUSPENDED, "非党员": PartyStatus.NONE, "群众": PartyStatus.NONE,
    "共青团员": PartyStatus.NONE, "团员": PartyStatus.NONE, "民主党派": PartyStatus.NONE,
    "无党派人士": PartyStatus.NONE, "无": PartyStatus.NONE,
}


def parse_status(raw: str) -> PartyStatus | Bad:
    s = header_key(raw)
    if not s:
        return PartyStatus.NONE
    st = _STATUS.get(s)
    if st is None:
        return Bad(f"人员类别「{raw.strip()}」无法识别（应为 正式党员、预备党员、留党察看、权利中止 或 非党员）")
    return st


_YES = {"是", "Y", "YES", "1", "√", "✓", "✔", "TRUE", "对"}
_NO = {"否", "N", "NO", "0", "×", "FALSE", "不是", "无", "-"}


def parse_flag(raw: str) -> bool | Bad:
    s = unicodedata.normalize("NFKC", clean_text(raw)).upper()
    if not s or s in _NO:
        return False
    if s in _YES:
        return True
    return Bad(f"「{raw.strip()}」应为 是 或 否")


def parse_text(raw: str, limit: int = 200) -> str | Bad:
    s = clean_text(raw)
    if len(s) > limit:
        return Bad(f"内容过长（超过{limit}个字符）")
    return s


def parse_code(raw: str) -> str | Bad:
    """户号, 编号, 电话: spreadsheets turn them into numbers ('301.0'); undo that."""
    if raw.isdigit() and len(raw) <= 60:
        return raw  # the usual case: digits only, nothing to clean
    s = clean_text(raw)
    if "." in s and s.endswith("0"):
        head, _, tail = s.partition(".")
        if head.isdigit() and tail.strip("0") == "":
            s = head
    if len(s) > 60:
        return Bad("内容过长（超过60个字符）")
    return s
