"""Name order (按姓氏笔画为序, rules.md §5).

A name is compared on its stripped form (annotations such as （女）（回族）, middle dots and blanks
removed, NFKC-normalised); a two-character Han name gets a blank after the surname (李强 sorts
as 李○强). Characters are compared one by one:

1. the blank, before everything;
2. Han characters with stroke data: fewer strokes first, then the stroke-shape sequence
   (横1 竖2 撇3 点4 折5, GB13000.1), then the finer kinds stroke by stroke: at the first stroke
   that differs, the plain stroke before its variant (横 before 提, 竖 before 竖钩, 点 before 捺:
   十 丁, 干 于, 下 寸), then the code point. A character whose sequence is unknown comes after
   those of its stroke count that have one; one whose finer kinds are unknown comes after those
   of its sequence that have them;
3. other letters, digits and signs (Latin etc.): case-folded, then code point;
4. characters with no data at all (private use, unassigned, Han outside the data): code point;
   each is logged once.

Names with the same stripped form are ordered by the name as given, so the order is total.
Stroke data: resources/strokes (README there for sources, licences and corrections).
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import compress

from app.resources import resource_path

log = logging.getLogger(__name__)

_ANNOTATION = re.compile(r"[（(][^）)]*[）)]")
_DOTS = "·•‧・．.･∙⋅"  # middle dots of minority names as registers type them
_DROP = str.maketrans("", "", _DOTS)
MIDDLE_DOTS = _DOTS

# One character's key is a short string; a name's key is their concatenation. Within a class
# the pieces have the same shape (Han: class, count, `count` sequence digits, code point), so
# plain string comparison compares characters one by one.
_BLANK = "\x01"
_HAN = "\x02"
_OTHER = "\x03"
_UNKNOWN = "\x04"
_NO_SEQUENCE = "6"  # after every sequence digit 1-5
_NO_MARKS = "2"  # after every mark 0 (plain stroke) or 1 (提 竖钩 捺)

STROKE_FILE = ("strokes", "strokes.tsv.gz")


@dataclass(frozen=True)
class StrokeData:
    seq_runs: tuple[tuple[int, list[str]], ...]  # (first code point, one sequence a code point)
    runs: tuple[tuple[int, bytes], ...]  # (first code point, one count a code point, 0 = none)
    mark_runs: tuple[tuple[int, list[str]], ...] = ()  # as seq_runs: 0 plain, 1 提/竖钩/捺

    def marks(self, ch: str) -> str | None:
        """One digit a stroke: 1 where the stroke is a variant (提 竖钩 捺), else 0; None when
        the finer kinds are not known."""
        if len(ch) != 1:
            return None
        cp = ord(ch)
        for start, marks in self.mark_runs:
            if start <= cp < start + len(marks):
                return marks[cp - start] or None
        return None

    def count(self, ch: str) -> int | None:
        if len(ch) != 1:
            return None
        cp = ord(ch)
        for start, counts in self.runs:
            if start <= cp < start + len(counts):
                return counts[cp - start] or None
        return None

    def sequence(self, ch: str) -> str | None:
        if len(ch) != 1:
            return None
        cp = ord(ch)
        for start, seqs in self.seq_runs:
            if start <= cp < start + len(seqs):
                return seqs[cp - start] or None
        return None

    @cached_property
    def sequences(self) -> dict[str, str]:
        """Every character with a sequence (built on first use; lookups use sequence())."""
        out: dict[str, str] = {}
        for start, seqs in self.seq_runs:
            chars = map(chr, range(start, start + len(seqs)))
            out.update(compress(zip(chars, seqs, strict=True), seqs))
        return out

    def characters(self) -> int:
        return sum(len(c) - c.count(0) for _, c in self.runs)


_data: StrokeData | None = None
_lock = threading.Lock()
_char_keys: dict[str, str] = {}
_logged: set[str] = set()


_NONZERO = bytes([0] + [0xFF] * 255)  # bytes.translate: 0 stays 0, any count becomes 0xFF


def parse_stroke_file(text: str) -> StrokeData:
    """See resources/strokes/README.md for the format. ~27,000 sequences and 98,000 counts
    load in milliseconds: nothing is done per character in Python (the runs are kept as
    read), and the check that each sequence's length is its character's count compares whole
    runs as integers."""
    runs: list[tuple[int, bytes]] = []
    seq_runs: list[tuple[int, list[str]]] = []
    mark_runs: list[tuple[int, list[str]]] = []
    for line in text.split("\n"):
        if not line or line[0] == "#":
            continue
        head, _, rest = line.partition("\t")
        if head[0] == "=":
            runs.append((int(head[1:], 16), bytes.fromhex(rest)))
        elif head[0] == "+":
            seq_runs.append((int(head[1:], 16), rest.split(" ")))
        elif head[0] == "*":
            mark_runs.append((int(head[1:], 16), rest.split(" ")))
        else:
            raise ValueError(f"stroke data: unknown line {line[:40]!r}")
    data = StrokeData(tuple(seq_runs), tuple(runs), tuple(mark_runs))
    for start, seqs in seq_runs:
        end = start + len(seqs)
        counts = next((c[start - s:end - s] for s, c in runs if s <= start and end <= s + len(c)),
                      b"")
        lengths = bytes(map(len, seqs))
        mask = int.from_bytes(lengths.translate(_NONZERO), "big")
        if len(counts) != len(seqs) or (
                int.from_bytes(counts, "big") & mask != int.from_bytes(lengths, "big")):
            wrong = [chr(start + i) for i, s in enumerate(seqs)
                     if s and data.count(chr(start + i)) != len(s)]
            raise ValueError(f"stroke data: count and sequence disagree for {''.join(wrong[:20])}")
    for start, marks in mark_runs:
        end = start + len(marks)
        seqs = next((q[start - s:end - s] for s, q in seq_runs if s <= start and end <= s + len(q)),
                    [])
        if len(seqs) != len(marks) or any(
                m and (len(m) != len(q) or m.strip("01")) for m, q in zip(marks, seqs, strict=True)):
            wrong = [chr(start + i) for i, m in enumerate(marks)
                     if m and (len(m) != len(data.sequence(chr(start + i)) or "")
                               or m.strip("01"))]
            raise ValueError(f"stroke data: finer kinds and sequence disagree for "
                             f"{''.join(wrong[:20]) or chr(start)}")
    return data


def stroke_data() -> StrokeData:
    """The shipped stroke data, read once on first use."""
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                raw = resource_path(*STROKE_FILE).read_bytes()
                _data = parse_stroke_file(gzip.decompress(raw).decode("utf-8"))
    return _data


def stroke_count(ch: str) -> int | None:
    return stroke_data().count(unicodedata.normalize("NFKC", ch))


def stroke_sequence(ch: str) -> str | None:
    """Stroke shapes as digits 1-5 (横竖撇点折), or None when not known."""
    return stroke_data().sequence(unicodedata.normalize("NFKC", ch))


def strip_annotations(name: str) -> str:
    """Remove （女）（回族）-style annotations, the middle dot of minority names and blanks."""
    s = _ANNOTATION.sub("", name) if ("(" in name or "（" in name) else name
    return "".join(s.translate(_DROP).split())


def name_parts(name: str) -> list[str]:
    """The parts of a minority name split at its middle dots (阿依古丽·买买提 → 阿依古丽, 买买提),
    annotations and blanks removed; [] for a name without a dot."""
    s = _ANNOTATION.sub("", name) if ("(" in name or "（" in name) else name
    if not any(d in s for d in _DOTS):
        return []
    parts = ["".join(p.split()) for p in s.translate(str.maketrans(_DOTS, _DOTS[0] * len(_DOTS)))
             .split(_DOTS[0])]
    return [p for p in parts if p]


def _is_han_like(ch: str) -> bool:
    """A character without stroke data that stands for a Han character: a CJK ideograph, or
    private use (rare name characters are often encoded there)."""
    if unicodedata.category(ch) == "Co":
        return True
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


def _compute_char_key(ch: str) -> str:
    data = stroke_data()
    count = data.count(ch)
    if count is not None:
        seq = data.sequence(ch)
        if seq is None:
            return _HAN + chr(count) + _NO_SEQUENCE + ch
        return _HAN + chr(count) + seq + (data.marks(ch) or _NO_MARKS) + ch
    if not _is_han_like(ch) and unicodedata.category(ch) not in ("Cn", "Cs"):
        return _OTHER + ch.casefold()[:1] + ch
    if ch not in _logged:
        _logged.add(ch)
        log.warning("no stroke data for %r (U+%04X): sorted after all known characters",
                    ch, ord(ch))
    return _UNKNOWN + ch


def _char_key(ch: str) -> str:
    key = _char_keys.get(ch)
    if key is None:
        key = _char_keys[ch] = _compute_char_key(ch)
    return key


def _stripped(name: str) -> str:
    return strip_annotations(unicodedata.normalize("NFKC", name))


def _pieces(stripped: str) -> list[str]:
    keys = [_char_key(c) for c in stripped]
    if len(keys) == 2 and keys[0][0] != _OTHER and keys[1][0] != _OTHER:
        keys.insert(1, _BLANK)  # 单名视为"○": 李强 sorts as 李○强
    return keys


def name_sort_key(name: str) -> tuple[str, str]:
    """Key that orders names by stroke order (按姓氏笔画为序); print the name as given."""
    return "".join(_pieces(_stripped(name))), name


def explain(name: str, finer: bool = False) -> str:
    """What the order of `name` rests on, for a person checking a printed list:
    李强 → `李 7 1234521 | ○ | 强 12 515251251214` (? where the data has nothing). With
    `finer`, each sequence is followed by the finer kinds: 于 → `于 3 112/001`, 1 where the
    stroke is 提, 竖钩 or 捺 (variants come after the plain stroke), `/?` where not known."""
    data = stroke_data()
    parts = []
    for piece in _pieces(_stripped(name)):
        if piece == _BLANK:
            parts.append("○")
            continue
        c = piece[-1]
        count = data.count(c)
        seq = data.sequence(c)
        text = f"{c} ?" if count is None else f"{c} {count} {seq or '?'}"
        if finer and seq:
            text += f"/{data.marks(c) or '?'}"
        parts.append(text)
    return " | ".join(parts)


def sort_names(names: Iterable[str]) -> list[str]:
    return sorted(names, key=name_sort_key)
