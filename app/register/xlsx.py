"""A fast reader for the cell values of XLSX sheets (stdlib XML, no cell objects).

openpyxl's read-only mode builds a Python object per cell and reads a 20,000-row register in
3-4 s; this reads only what an import needs — shared strings, which styles are dates, the cell
values — in well under a second. Number-format and date conversion use openpyxl's own public
helpers, so both readers agree (tests compare them). Any surprise in the file raises, and the
caller falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from app.register.limits import (
    MAX_CELLS,
    CellError,
    CellRange,
    Counter,
    Refused,
    check_archive,
    parse_range,
    prescan,
    too_long,
    too_wide,
)
from app.register.sheets import Cancelled

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

Value = str | int | float | bool | object | None


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    path: str
    visible: bool = True  # state "hidden" or "veryHidden": False


class Workbook:
    """Sheets, shared strings and date styles of an XLSX held in memory."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        check_archive(self.zip)
        self.names = set(self.zip.namelist())
        wb_path = self._office_document()
        rels = self._rels(wb_path)
        root = ET.fromstring(self.zip.read(wb_path))
        pr = root.find(f"{NS}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.sheets: list[Sheet] = []
        for s in root.iter(f"{NS}sheet"):
            target = rels.get(s.get(f"{REL_NS}id", ""), ("", ""))[1]
            if target:
                self.sheets.append(Sheet(s.get("name", ""), target,
                                         s.get("state", "visible") == "visible"))
        view = root.find(f"{NS}bookViews/{NS}workbookView")
        tab = view.get("activeTab", "0") if view is not None else "0"
        self.active = int(tab) if tab.isdigit() and int(tab) < len(self.sheets) else 0
        self.merged: list[CellRange] = []  # of the sheet last read by rows()
        by_type = {t.rsplit("/", 1)[-1]: p for t, p in rels.values()}
        self.shared = self._shared_strings(by_type.get("sharedStrings"))
        self.date_styles = self._date_styles(by_type.get("styles"))

    def _office_document(self) -> str:
        if "_rels/.rels" in self.names:
            for rel in ET.fromstring(self.zip.read("_rels/.rels")).iter(f"{PKG_REL}Relationship"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    return rel.get("Target", "").lstrip("/")
        return "xl/workbook.xml"

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", name + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if rels_path not in self.names:
            return out
        for rel in ET.fromstring(self.zip.read(rels_path)).iter(f"{PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", ""), path)
        return out

    def _shared_strings(self, path: str | None) -> list[str]:
        if not path or path not in self.names:
            return []
        out: list[str] = []
        si = f"{NS}si"
        with self.zip.open(path) as fh:
            for _ev, el in ET.iterparse(fh):
                if el.tag == si:
                    text = _text_of(el)
                    too_long(text, f"共享字符串第{len(out) + 1}项")
                    out.append(text)
                    el.clear()
                    if len(out) > MAX_CELLS:
                        raise Refused(f"共享字符串超过 {MAX_CELLS:,} 项，超过名册的上限，未读取")
        return out

    def _date_styles(self, path: str | None) -> set[int]:
        if not path or path not in self.names:
            return set()
        root = ET.fromstring(self.zip.read(path))
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        numfmts = root.find(f"{NS}numFmts")
        if numfmts is not None:
            for nf in numfmts.iter(f"{NS}numFmt"):
                formats[int(nf.get("numFmtId", "0"))] = nf.get("formatCode", "")
        xfs = root.find(f"{NS}cellXfs")
        dates: set[int] = set()
        if xfs is not None:
            for i, xf in enumerate(xfs.iter(f"{NS}xf")):
                code = formats.get(int(xf.get("numFmtId", "0")), "")
                if code and is_date_format(code):
                    dates.add(i)
        return dates

    def rows(self, sheet: Sheet, cancel: Callable[[], bool] | None = None
             ) -> Iterator[tuple[int, list[Value]]]:
        """(row number, values) in order; rows absent from the file are not yielded. An error
        cell (type 'e') is a CellError. The merged ranges are in `self.merged` once done.
        Rows and cells are counted against the limits; the parsed rows are dropped from the
        tree as they go, so memory stays bounded whatever the file holds."""
        shared, dates, epoch = self.shared, self.date_styles, self.epoch
        c_tag, row_tag, v_tag, is_tag = f"{NS}c", f"{NS}row", f"{NS}v", f"{NS}is"
        data_tag, merge_tag = f"{NS}sheetData", f"{NS}mergeCell"
        prescan(self.zip, sheet.path)
        counter = Counter()
        self.merged = []
        row_no = 0
        rows_seen = 0
        elements = 0
        n_shared = len(shared)
        parent: ET.Element | None = None
        with self.zip.open(sheet.path) as fh:
            values: list[Value] = []
            for ev, el in ET.iterparse(fh, events=("start", "end")):
                tag = el.tag
                if ev == "start":
                    if tag == data_tag:
                        parent = el
                    continue
                if tag == c_tag:
                    elements += 1
                    ref = el.get("r")
                    col = _column(ref) if ref else len(values)
                    t = el.get("t", "n")
                    if t == "inlineStr":
                        node = el.find(is_tag)
                        value: Value = _text_of(node) if node is not None else ""
                    else:
                        v = el.find(v_tag)
                        text = v.text if v is not None else None
                        if text is None:
                            value = None
                        elif t == "s":
                            i = int(text)
                            if not 0 <= i < n_shared:
                                raise ValueError(f"shared string {i} out of range")
                            value = shared[i]
                        elif t == "str":
                            value = text
                        elif t == "e":
                            value = CellError(text.strip())
                        elif t == "b":
                            value = text.strip() in ("1", "true")
                        elif t == "d":
                            value = _iso_date(text)
                        else:
                            num = _number(text)
                            style = int(el.get("s", "0"))
                            value = from_excel(num, epoch) if style in dates else num
                    if value is not None:
                        too_wide(col, ref or str(col))
                        if type(value) is str and len(value) > 1000:
                            too_long(value, ref or "")
                    elif col > 16383:
                        raise ValueError(f"column out of range: {ref}")
                    if col < len(values):
                        raise ValueError(f"cells out of order: {ref}")
                    if value is not None or col < 256:
                        while len(values) < col:
                            values.append(None)
                        values.append(value)
                    el.clear()
                elif tag == row_tag:
                    r = el.get("r")
                    row_no = int(r) if r else row_no + 1
                    rows_seen += 1
                    counter.row(sum(1 for x in values if x is not None and x != ""),
                                max(row_no, rows_seen), elements)
                    elements = 0
                    if row_no % 2000 == 0 and cancel is not None and cancel():
                        raise Cancelled
                    el.clear()
                    if parent is not None:
                        parent.clear()  # done rows leave the tree: memory stays flat
                    yield row_no, values
                    values = []
                elif tag == merge_tag:
                    got = parse_range(el.get("ref", ""))
                    if got is not None:
                        self.merged.append(got)
                        if len(self.merged) > MAX_CELLS // 30:
                            raise Refused(f"工作表有超过 {MAX_CELLS // 30:,} 处合并单元格，未读取")
                    el.clear()


def _text_of(el: ET.Element) -> str:
    """Text of an <si> or <is>: plain <t>, or rich-text runs; phonetic hints (<rPh>) left out."""
    t = el.find(f"{NS}t")
    if t is not None and len(el) == 1:
        return t.text or ""
    parts: list[str] = []
    for r in el.iter(f"{NS}r"):
        rt = r.find(f"{NS}t")
        if rt is not None and rt.text:
            parts.append(rt.text)
    if t is not None and t.text:
        parts.insert(0, t.text)
    return "".join(parts)


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """0-based column of a reference such as 'AB12'."""
    letters = ref.rstrip("0123456789$")
    got = _COLUMNS.get(letters)
    if got is None:
        got = _letters_to_column(letters)
        if len(letters) <= 3:
            _COLUMNS[letters] = got
    return got


def _letters_to_column(ref: str) -> int:
    col = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            col = col * 26 + (ord(ch) - 64)
        else:
            break
    if col == 0:
        raise ValueError(f"bad cell reference {ref!r}")
    return col - 1


def _number(text: str) -> int | float:
    s = text.strip()
    if s.lstrip("-").isdigit():
        return int(s)
    return float(s)


def _iso_date(text: str) -> Value:
    try:
        return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text


def merged_ranges(data: bytes, part: str) -> list[CellRange]:
    """The merged ranges of a sheet part, streamed (for the openpyxl reader, whose read-only
    sheets do not give them). The archive's limits are checked by the caller."""
    if not part:
        return []
    tag, data_tag = f"{NS}mergeCell", f"{NS}sheetData"
    out: list[CellRange] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(part.lstrip("/")) as fh:
        parent: ET.Element | None = None
        for ev, el in ET.iterparse(fh, events=("start", "end")):
            if ev == "start":
                if el.tag == data_tag:
                    parent = el
                continue
            if el.tag == tag:
                got = parse_range(el.get("ref", ""))
                if got is not None:
                    out.append(got)
                    if len(out) > MAX_CELLS // 30:
                        raise Refused(f"工作表有超过 {MAX_CELLS // 30:,} 处合并单元格，未读取")
            elif parent is not None and el.tag == f"{NS}row":
                parent.clear()
    return out
