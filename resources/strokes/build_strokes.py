"""Build resources/strokes/strokes.tsv.gz, the stroke data behind name order (按姓氏笔画为序).

Run from the project root (needs only the standard library):

    npm pack cnchar-order@3.2.6 cnchar-trad@3.2.6      # in a scratch folder
    apt-get install unicode-data                       # Debian: Unihan under /usr/share/unicode
    python resources/strokes/build_strokes.py \\
        --cnchar-order cnchar-order-3.2.6.tgz --cnchar-trad cnchar-trad-3.2.6.tgz \\
        --unihan /usr/share/unicode

Sources (see README.md beside this file):
- Stroke-shape sequences: npm packages cnchar-order 3.2.6 (6,939 simplified characters) and
  cnchar-trad 3.2.6 (2,611 traditional characters), MIT licence, (c) 2017-present theajack
  (LICENSE-cnchar.txt). They spell each stroke with a letter (26 stroke shapes).
- Total stroke counts: Unihan kTotalStrokes of Unicode 15.0.0 (Debian unicode-data 15.0.0),
  Unicode licence (LICENSE-Unicode.txt). Where a character has two values the first (zh-Hans)
  is used.

The 26 shapes are folded into the five classes of 《GB13000.1字符集汉字字序（笔画序）规范》:
横 1 (提 counts as 横), 竖 2 (竖钩 counts as 竖), 撇 3, 点 4 (捺 counts as 点), 折 5 (every other
stroke with a turn or hook).

Output: UTF-8 text, gzip-compressed, `#` lines are comments. First the characters with a
stroke-shape sequence, sorted by code point:
    <char> TAB <total strokes> TAB <sequence of digits 1-5>
then the stroke counts of all characters (those above included) as runs of code points, two hex
digits per code point, 00 where Unihan has no count (this loads in milliseconds):
    =<first code point, hex> TAB <hex counts>
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import io
import json
import re
import tarfile
from pathlib import Path

# cnchar letter -> GB13000.1 class. Letters not listed are turning/hooked strokes: 折 (5).
LETTER_CLASS = {
    "j": "1",  # 横
    "i": "1",  # 提 -> 横
    "f": "2",  # 竖
    "g": "2",  # 竖钩 -> 竖 (字序规范: 竖钩归于竖)
    "s": "3",  # 撇
    "k": "4",  # 点
    "d": "4",  # 点 (left-falling variant, as in 心 火 宀) -> 点
    "l": "4",  # 捺 -> 点
}
FOLD = "5"

# Reviewed corrections: the source sequence lacks a stroke that the Unihan count (and the
# character's components) require. Each is spelled out from its components.
SEQUENCE_FIXES = {
    "皙": "1234331232511",  # 析 12343312 + 白 32511; cnchar drops 白's first 撇 (13 strokes)
    "拋": "12113553",  # 扌 121 + 尢 135 + 力 53; cnchar gives a 7-stroke sequence
    # cnchar disagrees with its own sequences of the components (found by cross-checking):
    "德": "332122522114544",  # 彳 332 + 十 12 (not 13) + 罒 2522 + 一 1 + 心 4544
    "炽": "433425134",  # 火 4334 + 只 25134
    "膝": "351112343424134",  # 月 3511 + 桼 as in 漆
    "黏": "31234342413421251",  # 黍 312343424134 + 占 21251
    "撅": "121134315233534",  # 扌 121 + 厥 134315233534
    "锺": "31115312511211",  # 钅 31115 + 重 312511211
    "鲺": "3525121153251214",  # 鱼 35251211 + 虱 53251214
}

# Components that cnchar has no sequence for (they are in GB 2312 and Unihan has counts).
COMPONENTS = {
    "丨": "2", "丿": "3", "丶": "4", "冫": "41", "亠": "41", "讠": "45", "冖": "45", "刂": "22",
    "卩": "52", "阝": "52", "廴": "54", "匚": "15", "彡": "333", "彳": "332", "纟": "551",
    "屮": "522", "扌": "121", "夂": "354", "饣": "355", "彐": "511", "犭": "353", "忄": "442",
    "丬": "412", "氵": "441", "宀": "445", "艹": "122", "辶": "454", "礻": "4524", "衤": "45234",
    "灬": "4444", "疒": "41341",
}

# Rare name characters outside cnchar (architecture.md lists them for the fonts), spelled out.
NAME_CHARS = {
    "䶮": "135341134",  # 龙 13534 + 天 1134 (刘䶮)
    "琤": "1121355112",  # 王 1121 + 争 355112
    "𠮷": "121251",  # 土 121 + 口 251
}

# Known-answer checks the build must pass (达 is wrong, 5 strokes, in another common data set).
MUST = {"达": "134454", "李": "1234521", "强": "515251251214", "丁": "12", "小": "234"}


def _js_dicts(js: str) -> list[object]:
    return [json.loads(p) for p in re.findall(r"JSON\.parse\('(.*?)'\)", js, re.S)]


def _read_package_js(tgz: Path, name: str) -> str:
    with tarfile.open(tgz, "r:gz") as tar:
        member = tar.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{tgz}: no package/{name}")
        return io.TextIOWrapper(member, encoding="utf-8").read()


def cnchar_sequences(tgz: Path, name: str) -> dict[str, str]:
    """The char -> letter-sequence table of a cnchar package (the large all-letters dict)."""
    for d in _js_dicts(_read_package_js(tgz, name)):
        if isinstance(d, dict) and len(d) > 1000:
            values = list(d.values())[:100]
            if all(isinstance(v, str) and re.fullmatch("[a-z]+", v) for v in values):
                return {str(k): str(v) for k, v in d.items()}
    raise SystemExit(f"{tgz}: no stroke-order table found")


def to_classes(letters: str) -> str:
    return "".join(LETTER_CLASS.get(c, FOLD) for c in letters)


def unihan_counts(unihan_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    path = unihan_dir / "Unihan_IRGSources.txt.bz2"
    opener = bz2.open if path.exists() else open
    if not path.exists():
        path = unihan_dir / "Unihan_IRGSources.txt"
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if not line.startswith("U+"):
                continue
            cp, field, value = line.rstrip("\n").split("\t")
            if field == "kTotalStrokes":
                counts[chr(int(cp[2:], 16))] = int(value.split()[0])
    return counts


def build(order_tgz: Path, trad_tgz: Path, unihan_dir: Path) -> tuple[list[str], list[str]]:
    """Return (data lines, report lines)."""
    letters = cnchar_sequences(trad_tgz, "cnchar.trad.min.js")
    letters.update(cnchar_sequences(order_tgz, "cnchar.order.min.js"))  # simplified wins
    counts = unihan_counts(unihan_dir)
    seqs = {ch: to_classes(v) for ch, v in letters.items()}
    seqs.update(COMPONENTS)
    seqs.update(NAME_CHARS)
    seqs.update(SEQUENCE_FIXES)
    report: list[str] = []
    dropped: list[str] = []
    for ch, seq in sorted(seqs.items()):
        if ch not in counts:
            counts[ch] = len(seq)
            report.append(f"{ch} U+{ord(ch):04X}: not in Unihan, count {len(seq)} from sequence")
        elif len(seq) != counts[ch]:
            # Unihan's count is the reviewed one; a sequence of another length is wrong somewhere.
            dropped.append(ch)
            report.append(f"{ch} U+{ord(ch):04X}: sequence {seq} has {len(seq)} strokes, "
                          f"Unihan {counts[ch]}: sequence dropped")
    for ch in dropped:
        del seqs[ch]
    for ch, want in MUST.items():
        if seqs.get(ch) != want or counts[ch] != len(want):
            raise SystemExit(f"check failed: {ch} {counts.get(ch)} {seqs.get(ch)} != {want}")
    lines = [f"{ch}\t{counts[ch]}\t{seqs[ch]}" for ch in sorted(seqs, key=ord)]
    lines += count_runs(counts)
    report.append(f"{len(counts)} characters, {len(seqs)} with stroke-shape sequences")
    return lines, report


def count_runs(counts: dict[str, int], max_gap: int = 64) -> list[str]:
    """`=<start>\t<hex counts>` lines: code points with counts, short gaps filled with 00."""
    cps = sorted(ord(c) for c in counts)
    runs: list[list[int]] = []
    for cp in cps:
        if runs and cp - runs[-1][-1] <= max_gap:
            runs[-1].append(cp)
        else:
            runs.append([cp])
    out = []
    for run in runs:
        start = run[0]
        cells = ["00"] * (run[-1] - start + 1)
        for cp in run:
            n = counts[chr(cp)]
            assert 0 < n < 256, (chr(cp), n)
            cells[cp - start] = f"{n:02x}"
        out.append(f"={start:X}\t{''.join(cells)}")
    return out


HEADER = """\
# PollDay stroke data: char TAB total strokes TAB stroke-shape sequence (1 横 2 竖 3 撇 4 点 5 折),
# then stroke counts of all characters: =<first code point, hex> TAB <two hex digits a code point>
# Modified data, built by resources/strokes/build_strokes.py from:
#  - Unihan kTotalStrokes, Unicode 15.0.0, (c) Unicode, Inc., Unicode licence (LICENSE-Unicode.txt);
#    first value kept, values changed only where stated in README.md
#  - cnchar-order 3.2.6 and cnchar-trad 3.2.6, (c) 2017-present theajack, MIT (LICENSE-cnchar.txt);
#    stroke shapes folded into the five GB13000.1 classes, corrections listed in README.md
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cnchar-order", type=Path, required=True, help="cnchar-order-3.2.6.tgz")
    ap.add_argument("--cnchar-trad", type=Path, required=True, help="cnchar-trad-3.2.6.tgz")
    ap.add_argument("--unihan", type=Path, required=True, help="folder with Unihan_*.txt(.bz2)")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("strokes.tsv.gz"))
    args = ap.parse_args()
    lines, report = build(args.cnchar_order, args.cnchar_trad, args.unihan)
    text = HEADER + "\n".join(lines) + "\n"
    # mtime=0 and no file name in the gzip header: the same inputs give the same bytes.
    with open(args.out, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    print("\n".join(report))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
