"""Finding a person at the sign-in desk: by name, pinyin, initials, the last ID digits or the
member number.

Search keys are stored in person_key, several per person, and queried by prefix (an index range
scan, never LIKE '%x%'). Pinyin keys cover every heteronym reading of the name (capped), because
pypinyin's default reading of many surnames is wrong (曾 ceng, 单 dan, 解 jie ...): a surname
table gives the readings a surname actually has.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import product

from pypinyin import Style, pinyin
from pypinyin.constants import PHRASES_DICT

from app.model import Person
from app.names import MIDDLE_DOTS, name_parts, strip_annotations
from db import persons as db_persons
from db import settings
from db.tx import transaction

# Readings of surnames, the usual one first. A surname listed here is indexed with these
# readings only (曾 is never "ceng" as a surname); other characters get every heteronym.
SURNAMES: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "区": ("ou",), "仇": ("qiu",),
    "朴": ("piao",), "查": ("zha",), "翟": ("zhai",), "缪": ("miao",), "盖": ("ge", "gai"),
    "尉": ("wei", "yu"), "乐": ("yue", "le"), "秘": ("bi",), "种": ("chong",), "折": ("she",),
    "员": ("yun",), "覃": ("qin", "tan"), "召": ("shao",), "繁": ("po",), "都": ("du",),
    "重": ("chong",), "贲": ("ben",), "牟": ("mou", "mu"), "佴": ("nai",), "句": ("gou",),
    "蕃": ("pi",), "颉": ("xie",), "能": ("nai",), "柏": ("bai",), "薄": ("bo",),
    "祭": ("zhai",), "隗": ("wei", "kui"), "眭": ("sui",), "冼": ("xian",), "洗": ("xian",),
    "长": ("chang",), "朝": ("chao",), "藏": ("zang",), "宿": ("su",), "阚": ("kan",),
    "厍": ("she",), "禚": ("zhuo",), "沈": ("shen",), "石": ("shi",), "华": ("hua",),
    "任": ("ren",), "纪": ("ji",), "燕": ("yan",), "过": ("guo",), "曲": ("qu",),
    "车": ("che",), "相": ("xiang",), "行": ("xing", "hang"), "角": ("jue",), "臧": ("zang",),
    "那": ("na",), "黑": ("he",), "应": ("ying",), "强": ("qiang",), "参": ("can",),
    "褚": ("chu",), "贾": ("jia",), "葛": ("ge",), "万": ("wan",), "莫": ("mo",),
    "叶": ("ye",), "佘": ("she",), "家": ("jia",), "宁": ("ning",), "甯": ("ning",),
    "卜": ("bu",), "率": ("shuai",), "鲜": ("xian",),
}
# Compound surnames whose characters read differently than alone (only taken as a compound
# surname when the name has at least three characters).
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yuchi",), "万俟": ("moqi",), "长孙": ("zhangsun",), "澹台": ("tantai",),
    "令狐": ("linghu",), "皇甫": ("huangfu",), "宇文": ("yuwen",), "欧阳": ("ouyang",),
    "司马": ("sima",), "上官": ("shangguan",), "诸葛": ("zhuge",), "东方": ("dongfang",),
    "夏侯": ("xiahou",), "公孙": ("gongsun",), "慕容": ("murong",), "尉缭": ("yuliao",),
    "羊舌": ("yangshe",), "闾丘": ("lvqiu",), "亓官": ("qiguan",), "仲孙": ("zhongsun",),
    "单于": ("chanyu",), "呼延": ("huyan",), "赫连": ("helian",), "百里": ("baili",),
    "南宫": ("nangong",), "西门": ("ximen",), "宗政": ("zongzheng",), "濮阳": ("puyang",),
    "公冶": ("gongye",), "太史": ("taishi",), "申屠": ("shentu",), "钟离": ("zhongli",),
    "轩辕": ("xuanyuan",), "端木": ("duanmu",), "拓跋": ("tuoba",), "完颜": ("wanyan",),
}
# Characters pypinyin has no reading for (supplementary planes).
EXTRA_READINGS: dict[str, tuple[str, ...]] = {"𠮷": ("ji",), "𡒄": ("dai",), "𬱖": ("fu",)}

MAX_READINGS = 32  # pinyin combinations indexed per name (and as many initials keys)


@lru_cache(maxsize=65536)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless lower-case readings of one character, the default first ('v' for ü)."""
    if ch in EXTRA_READINGS:
        return EXTRA_READINGS[ch]
    if ch.isascii():
        return (ch.lower(),) if ch.isalnum() else ()
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda _x: "")
    readings = tuple(r for r in (got[0] if got else []) if r and r.isascii() and r.isalpha())
    if readings:
        return tuple(dict.fromkeys(readings))
    # A full-width letter or digit: its ASCII form; anything else (·, spaces) has no reading.
    folded = unicodedata.normalize("NFKC", ch).lower()
    return (folded,) if folded.isascii() and folded.isalnum() else ()


def search_name(name: str) -> str:
    """The name as searched: annotations （女） and the middle dot of minority names removed."""
    if name.isalnum():  # the usual case: nothing to remove
        return name
    return "".join(strip_annotations(name).split())


def _segments(name: str) -> list[tuple[str, ...]]:
    """Per syllable (or per compound surname), the candidate readings."""
    n = search_name(name)
    segs: list[tuple[str, ...]] = []
    rest = n
    if len(n) >= 3 and n[:2] in COMPOUND_SURNAMES:
        segs.append(COMPOUND_SURNAMES[n[:2]])
        rest = n[2:]
    elif n[:1] in SURNAMES:
        segs.append(SURNAMES[n[:1]])
        rest = n[1:]
    # The given name read as a phrase decides which reading is the usual one (长乐: chang le,
    # not zhang le); the surname, when not in the table, keeps its first reading.
    skip = 0 if segs or len(rest) < 3 else 1
    given = rest[skip:]
    usual = None
    if len(given) >= 2:
        usual = _phrase_reading(given)
    for i, ch in enumerate(rest):
        r = char_readings(ch)
        u = usual[i - skip] if usual is not None and i >= skip else None
        if u is not None and u in r and r[0] != u:
            r = (u, *(x for x in r if x != u))
        if r:
            segs.append(r)
    return segs


@lru_cache(maxsize=65536)
def _phrase_reading(text: str) -> tuple[str, ...] | None:
    """The reading of the characters as a phrase in pypinyin's phrase dictionary (长乐 → chang
    le), one toneless syllable per character; None when the phrase is not in it."""
    got = PHRASES_DICT.get(text)
    if not got or len(got) != len(text) or not all(got):
        return None
    return tuple(_toneless(r[0]) for r in got)


def _toneless(syllable: str) -> str:
    s = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")  # ǜ → v
    return "".join(c for c in s if c.isascii())


def _capped(segs: list[tuple[str, ...]], cap: int) -> list[tuple[str, ...]]:
    """Drop the least likely readings (last listed) of the most ambiguous characters until the
    number of combinations is at most `cap`."""
    total = 1
    for seg in segs:
        total *= len(seg)
    if total <= cap:
        return segs
    out = [list(s) for s in segs]

    def combos() -> int:
        total = 1
        for s in out:
            total *= len(s)
        return total

    while combos() > cap:
        widest = max(range(len(out)), key=lambda i: (len(out[i]), -i))
        out[widest].pop()
    return [tuple(s) for s in out]


Segments = tuple[tuple[str, ...], ...]


def _capped_segments(name: str) -> Segments:
    """The segments the search keys are made of (`_segments` capped at MAX_READINGS
    combinations); every segment holds at least one reading, the usual one first."""
    return tuple(_capped(_segments(name), MAX_READINGS))


_key_segments = lru_cache(maxsize=65536)(_capped_segments)


@lru_cache(maxsize=65536)
def _readings(name: str, cap: int) -> tuple[tuple[str, ...], ...]:
    segs = _key_segments(name) if cap == MAX_READINGS else _capped(_segments(name), cap)
    if not segs:
        return ()
    return tuple(product(*segs))  # product yields tuples


def readings(name: str, cap: int = MAX_READINGS) -> list[tuple[str, ...]]:
    """Every reading of a name as a tuple of syllables, the most likely first (at most `cap`)."""
    return list(_readings(name, cap))


def display_pinyin(name: str) -> str:
    """The usual reading, syllables separated by spaces: 'zeng xiao ming'."""
    return _usual(_key_segments(name))


def _usual(segs: Segments) -> str:
    # The first combination of the readings: every segment's usual one.
    return " ".join([seg[0] for seg in segs])


@lru_cache(maxsize=4096)
def _segment_initials(segment: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct initials of a segment's readings. A compound surname reading such as
    'yuchi' has two initials; split it on the surname table's syllables is not possible from
    the joined string, so take the known ones."""
    return tuple(dict.fromkeys(_COMPOUND_INITIALS.get(s, s[:1]) for s in segment))


_COMPOUND_INITIALS: dict[str, str] = {
    "yuchi": "yc", "moqi": "mq", "zhangsun": "zs", "tantai": "tt", "linghu": "lh",
    "huangfu": "hf", "yuwen": "yw", "ouyang": "oy", "sima": "sm", "shangguan": "sg",
    "zhuge": "zg", "dongfang": "df", "xiahou": "xh", "gongsun": "gs", "murong": "mr",
    "yuliao": "yl", "yangshe": "ys", "lvqiu": "lq", "qiguan": "qg", "zhongsun": "zs",
    "chanyu": "cy", "huyan": "hy", "helian": "hl", "baili": "bl", "nangong": "ng",
    "ximen": "xm", "zongzheng": "zz", "puyang": "py", "gongye": "gy", "taishi": "ts",
    "shentu": "st", "zhongli": "zl", "xuanyuan": "xy", "duanmu": "dm", "tuoba": "tb",
    "wanyan": "wy",
}


def name_keys(name: str) -> set[tuple[str, str]]:
    return set(_name_keys(name))


def _dotted_parts(name: str) -> list[str]:
    """`name_parts`, answered at once for the usual name (letters only: no dot, no
    annotation)."""
    return [] if name.isalnum() else name_parts(name)


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> frozenset[tuple[str, str]]:
    """(kind, key) search keys of a name: the whole name's (`_whole_name_keys`), and for a
    minority name the same keys of each part between its middle dots, so that 买买提 or
    maimaiti finds 阿依古丽·买买提 (a clerk often hears only one part)."""
    return frozenset(_all_name_keys(name, _key_segments(name), _key_segments))


def _all_name_keys(name: str, segs: Segments, segments_of: Callable[[str], Segments]
                   ) -> set[tuple[str, str]]:
    """What `_name_keys` holds, from the name's segments (`segments_of` gives a part's)."""
    keys = _whole_keys(name, segs)
    keys |= _given_of(segs)
    parts = _dotted_parts(name)
    if len(parts) > 1:
        for part in parts:
            part_segs = segments_of(part)
            keys |= _whole_keys(part, part_segs)
            keys |= _given_of(part_segs)
    return keys


def register_search_data(names: Iterable[str]
                         ) -> list[tuple[str, frozenset[tuple[str, str]]]]:
    """For each name, its display pinyin and its search keys (what `display_pinyin` and
    `name_keys` give), each distinct name worked out once. For a whole register: the
    desk's caches are not filled with its mostly distinct names (cached, they would only
    lengthen every pass of Python's garbage collector over them)."""
    done: dict[str, tuple[str, frozenset[tuple[str, str]]]] = {}
    out: list[tuple[str, frozenset[tuple[str, str]]]] = []
    for name in names:
        got = done.get(name)
        if got is None:
            segs = _capped_segments(name)
            got = done[name] = (_usual(segs),
                                frozenset(_all_name_keys(name, segs, _capped_segments)))
        out.append(got)
    return out


@lru_cache(maxsize=65536)
def _whole_name_keys(name: str) -> frozenset[tuple[str, str]]:
    """(kind, key) search keys of the whole name: the name, full pinyin and initials of every
    reading (with 'u' as well as 'v' for ü: 吕 is found by 'lv' and 'lu')."""
    return frozenset(_whole_keys(name, _key_segments(name)))


def _whole_keys(name: str, segs: Segments) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    plain = search_name(name)
    if plain:
        keys.add(("name", plain))
    if name.strip() and name.strip() != plain:
        keys.add(("name", name.strip()))
    if segs:
        # Every reading's full pinyin; the initials of a reading are its segments' initials,
        # so their combinations are made from each segment's distinct initials.
        for full in set(map("".join, product(*segs))):
            keys.add(("pinyin", full))
            if "v" in full:
                keys.add(("pinyin", full.replace("v", "u")))
        keys.update(("initials", ini) for ini in
                    set(map("".join, product(*map(_segment_initials, segs)))))
    return keys


# The given name's pinyin is stored as a pinyin key behind this mark ("~haiyan"): the
# whole-name pinyin and initials ranges never reach it, and a query cannot type it.
GIVEN_MARK = "~"


@lru_cache(maxsize=65536)
def _given_keys(name: str) -> frozenset[tuple[str, str]]:
    """('pinyin', '~' + pinyin) of the given name (the name after the surname: 海燕 of 杜海燕),
    so a clerk who heard only "haiyan" finds the 海燕s. A hint for the list, never an exact
    match (`exact_ids` reads the whole name's keys only)."""
    return frozenset(_given_of(_key_segments(name)))


def _given_of(segs: Segments) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    # The usual reading only: a hint needs no heteronyms, and every key costs import time.
    if len(segs) >= 2:
        given = "".join([seg[0] for seg in segs[1:]])
        keys.add(("pinyin", GIVEN_MARK + given))
        if "v" in given:
            keys.add(("pinyin", GIVEN_MARK + given.replace("v", "u")))
    return keys


# The version of the search keys stored in person_key; a register stored under an older
# version has its affected persons re-keyed once (`update_keys`). 2: parts of dotted names;
# 3: the given name's pinyin.
KEYS_SETTING = "search.keys_version"
KEYS_VERSION = "3"


def update_keys(conn: sqlite3.Connection) -> int:
    """Bring a register stored by an older version up to today's keys: persons with a dotted
    name get the keys of each part, everyone the keys of the given name. Done once per
    database; returns 0 when the keys were already today's, else the number of persons on the
    register (all of them hold today's keys now, including a register stored by this version
    whose given-name keys were already there and were not rewritten). Raises sqlite3.Error when
    the file cannot be written."""
    was = settings.get(conn, KEYS_SETTING)
    if was == KEYS_VERSION:
        return 0
    with transaction(conn):
        dotted = db_persons.persons_with_any(conn, MIDDLE_DOTS) if was != "2" else []
        for p in dotted:
            db_persons.replace_keys(conn, p.id, person_keys(p.name, p.id_number, p.member_no))
        # The given-name keys are added (a repeated row is ignored): nothing else changes. A
        # register never opened in the window but stored by this version has them already
        # (one index probe); one opened by an older version ("2") may hold both kinds.
        if was is not None or not db_persons.key_prefix(conn, GIVEN_MARK, ("pinyin",), limit=1):
            db_persons.insert_keys(conn, ((pid, kind, key) for pid, name in db_persons.names(conn)
                                          for kind, key in _name_given_keys(name)))
        settings.put(conn, KEYS_SETTING, KEYS_VERSION)
    return max(len(dotted), db_persons.count_persons(conn))


def _name_given_keys(name: str) -> frozenset[tuple[str, str]]:
    """The given-name keys of a name and, for a dotted name, of each of its parts."""
    keys = set(_given_keys(name))
    parts = _dotted_parts(name)
    if len(parts) > 1:
        for part in parts:
            keys |= _given_keys(part)
    return frozenset(keys)


def person_keys(name: str, id_number: str | None, member_no: str) -> set[tuple[str, str]]:
    """All (kind, key) search keys of one person."""
    keys = name_keys(name)
    if id_number:
        keys.add(("id_rev", id_number.strip().upper()[::-1]))
    if member_no.strip():
        keys.add(("member_no", member_no.strip().upper()))
    return keys


def key_rows(persons: Iterable[tuple[int, Iterable[tuple[str, str]], str | None, str]]
             ) -> list[tuple[int, str, str]]:
    """(person id, kind, key) for every key of `person_keys` of each (id, the name's keys,
    id_number, member_no), made in one pass for a whole register (no kind of a name's keys is
    id_rev or member_no, so nothing repeats)."""
    out: list[tuple[int, str, str]] = []
    add = out.append
    for pid, keys_of_name, id_number, member_no in persons:
        out += [(pid, kind, key) for kind, key in keys_of_name]
        if id_number:
            add((pid, "id_rev", id_number.strip().upper()[::-1]))
        member = member_no.strip()
        if member:
            add((pid, "member_no", member.upper()))
    return out


# --- the search itself --------------------------------------------------------------------

def normalise_query(query: str) -> str:
    """Trim, fold full-width forms (ｚｓ, １２３) and lower-case; inner spaces removed."""
    q = unicodedata.normalize("NFKC", query)
    return "".join(q.split())


# Scope sizes, for choosing how a scoped search reads (a plan choice only: a stale figure costs
# time, never a wrong answer). Keyed by connection and scope; refreshed every 500 uses.
_SCOPE_SIZES: dict[tuple[int, frozenset[str]], tuple[int, int, int]] = {}


def _scope_first(conn: db_persons.Conn, scope: Sequence[str]) -> bool:
    """Whether the scope holds few enough persons (under 1 in 20) to read them first. Walking
    the key range costs about limit / share rows, reading the scope's persons about 6 keys
    each: the two meet near one person in twenty."""
    key = (id(db_persons.raw(conn)), frozenset(scope))
    got = _SCOPE_SIZES.get(key)
    if got is None or got[2] >= 500:
        got = (db_persons.count_in_scope(conn, scope), db_persons.count_persons(conn), 0)
        if len(_SCOPE_SIZES) > 256:
            _SCOPE_SIZES.clear()
    _SCOPE_SIZES[key] = (got[0], got[1], got[2] + 1)
    return got[0] * 20 < got[1]


def _collect(conn: db_persons.Conn, prefix: str, kinds: Sequence[str], limit: int,
             scope: Sequence[str] | None, seen: dict[int, int], rank: int,
             exact: bool = False) -> None:
    """Add persons whose keys start with `prefix` (or equal it) to `seen` (person id -> rank)
    until `limit` persons are known; keys come in index order, several per person."""
    offset = 0
    batch = max(4 * limit, 32)
    while len(seen) < limit:
        rows = db_persons.key_prefix(conn, prefix, kinds, limit=batch, offset=offset, scope=scope)
        for pid, _kind, key in rows:
            if exact and key != prefix:
                return  # keys are in order: the exact ones come first
            if pid not in seen:
                seen[pid] = rank
                if len(seen) >= limit:
                    return
        if len(rows) < batch:
            return
        offset += batch


Tier = tuple[str, tuple[str, ...], bool]  # (prefix, kinds, exact)


def tiers(query: str) -> list[Tier]:
    """What to look up for a query, best kind of match first: exact name, name prefix, pinyin
    or initials prefix, ID number ending with the digits, member number prefix."""
    q = normalise_query(query)
    if not q:
        return []
    name_q = search_name(q) or q
    out: list[Tier] = [(name_q, ("name",), True), (name_q, ("name",), False)]
    if q.isascii():
        low = q.lower()
        if low.isalpha():
            out.append((low, ("pinyin", "initials"), False))
            if len(low) >= 2:   # the given name alone ("haiyan"): after every whole-name match
                out.append((GIVEN_MARK + low, ("pinyin",), False))
        up = q.upper()
        if up.isalnum() and up.rstrip("X").isdigit() and up.count("X") <= 1 and up[0] != "X":
            out.append((up[::-1], ("id_rev",), False))
        out.append((up, ("member_no",), False))
    return out


def search_ids(conn: db_persons.Conn, query: str, limit: int = 20,
               scope: Sequence[str] | None = None) -> list[int]:
    """Person ids best match first (see `tiers`); within a tier in key order."""
    wanted = tiers(query)
    if not wanted or limit <= 0:
        return []
    scope_list = list(scope) if scope else None  # a desk serving [] serves everyone
    seen: dict[int, int] = {}
    if scope_list is not None and _scope_first(conn, scope_list):
        # A small scope: read its persons' matching keys once for all tiers.
        rows = db_persons.scoped_keys(conn, scope_list, [(p, k) for p, k, _e in wanted])
        rows.sort(key=lambda r: (r[2], r[1], r[0]))
        for rank, (prefix, kinds, exact) in enumerate(wanted):
            for pid, kind, key in rows:
                if len(seen) >= limit:
                    return list(seen)
                if kind in kinds and (key == prefix if exact else key.startswith(prefix)):
                    seen.setdefault(pid, rank)
        return list(seen)
    for rank, (prefix, kinds, exact) in enumerate(wanted):
        _collect(conn, prefix, kinds, limit, scope_list, seen, rank, exact=exact)
    return list(seen)


def search(conn: db_persons.Conn, query: str, limit: int = 20,
           scope: Sequence[str] | None = None) -> list[Person]:
    """Persons matching `query`, best match first (see search_ids). `scope`: branch or
    residents' group names a desk serves; None = everyone."""
    return db_persons.get_many(conn, search_ids(conn, query, limit, scope))


def clear_caches() -> None:
    """Forget cached readings (benchmarks measure the cold path)."""
    char_readings.cache_clear()
    _phrase_reading.cache_clear()
    _readings.cache_clear()
    _key_segments.cache_clear()
    _segment_initials.cache_clear()
    _name_keys.cache_clear()
    _whole_name_keys.cache_clear()
    _given_keys.cache_clear()


# --- what Enter may sign in ---------------------------------------------------------------

MIN_ID_DIGITS = 4  # fewer ending digits of an ID number never identify a person for Enter


def exact_ids(conn: db_persons.Conn, query: str, persons: Sequence[Person]) -> set[int]:
    """Which of `persons` (found for `query`) the query names exactly, not by a prefix: the
    whole name, the full pinyin of some reading, initials equal to the whole query, the member
    number, or the ending digits of an ID number that no one else on the register has. A
    sign-in token or a whole ID number is looked up by the caller (app.attendance.find_person)."""
    q = normalise_query(query)
    if not q:
        return set()
    name_q = search_name(q) or q
    low, up = q.lower(), q.upper()
    out: set[int] = set()
    for p in persons:
        keys = _whole_name_keys(p.name)   # one part of a dotted name is a hint, never exact
        if (("name", name_q) in keys or ("name", q) in keys
                or (q.isascii() and (("pinyin", low) in keys or ("initials", low) in keys))
                or (p.member_no.strip() and p.member_no.strip().upper() == up)):
            out.add(p.id)
    digits = up.rstrip("X")
    if (q.isascii() and len(up) >= MIN_ID_DIGITS and digits.isdigit() and up.count("X") <= 1
            and up[0] != "X"):
        rows = db_persons.key_prefix(conn, up[::-1], ("id_rev",), limit=2)
        if len({pid for pid, _k, _v in rows}) == 1:
            pid = rows[0][0]
            if any(p.id == pid for p in persons):
                out.add(pid)
    return out
