"""The demo register: households of 1-5 adults in 12 residents' groups, about 1,200 Party members
in 11 branches (most of them residents too), the named people the demo contests need, and the
hard cases of real registers. Pure and seeded: the same seed gives the same list."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.demo import names as nm
from app.model import PartyStatus
from app.register.idcard import check_digit
from app.register.store import PersonRecord

GROUPS = tuple(f"第{n}居民小组" for n in "一二三四五六七八九十") + ("第十一居民小组", "第十二居民小组")
BRANCHES = tuple(f"第{n}党支部" for n in "一二三四五六七八九") + ("离退休党支部", "两新组织党支部")
BRANCH_SIZES = (96, 104, 90, 108, 94, 86, 99, 92, 97, 210, 124)
RETIRED, NEW_ORGS = 9, 10  # indexes in BRANCHES
EDUCATION = ("初中及以下", "高中/中专", "大专", "本科", "研究生")
_EDU_WEIGHTS = ((60, 25, 8, 6, 1), (35, 35, 14, 14, 2), (12, 25, 25, 32, 6))
_PARTY_EDU_WEIGHT = dict(zip(EDUCATION, (1.0, 2.0, 3.5, 5.0, 6.0), strict=True))

LOCAL_AREAS = ("420102", "420103", "420104", "420105", "420106", "420107", "420111", "420115")
PROVINCE_AREAS = ("420502", "420602", "420703", "420902", "421002", "421102", "421202", "422801")
OTHER_AREAS = ("430102", "410105", "360102", "500103", "510107", "440106", "320102", "330106",
               "110105", "310104", "370102", "340104")
XINJIANG_AREAS = ("650102", "650103", "653101", "654002")

# Named people the demo contests need: (name, gender, birth date, education, party member).
CAST: tuple[tuple[str, str, str, str, bool], ...] = (
    ("欧阳红梅", "F", "1975-03-18", "本科", True),
    ("张喆", "M", "1982-07-09", "研究生", True),
    ("曾凡荣", "F", "1979-11-02", "大专", True),
    ("李建军", "M", "1970-05-26", "本科", True),
    ("王淑芬", "F", "1968-09-14", "大专", True),
    ("单国栋", "M", "1985-01-30", "本科", True),
    ("陈珺", "F", "1990-04-21", "研究生", True),
    ("刘志强", "M", "1976-12-08", "大专", True),
    ("马晓东", "M", "1988-06-17", "本科", True),
    ("周建平", "M", "1966-02-11", "大专", True),
    ("翟丽华", "F", "1973-08-05", "本科", True),
    ("孙浩", "M", "1984-10-23", "本科", True),
    ("阿依古丽·买买提", "F", "1986-05-12", "本科", True),
    ("黄志明", "M", "1972-03-03", "大专", False),
    ("吴丽娟", "F", "1980-07-28", "本科", True),
    ("郑海涛", "M", "1978-01-15", "大专", False),
    ("解晓光", "M", "1983-09-09", "本科", False),
    ("林静", "F", "1987-12-19", "本科", False),
    ("何志刚", "M", "1969-04-04", "高中/中专", False),
    ("查文博", "M", "1991-02-27", "本科", True),
    ("徐佳怡", "F", "1993-06-30", "大专", False),
    ("朱昉", "M", "1981-11-11", "本科", False),
    ("司马文涛", "M", "1977-05-05", "大专", False),
    ("罗敏", "F", "1974-10-10", "高中/中专", False),
)


@dataclass
class Draft:
    """A person being generated (mutable until it becomes a PersonRecord)."""

    name: str
    gender: str
    born: dt.date
    id_number: str | None
    education: str
    role: str                  # single, head, spouse, child, parent, relative, outside
    resident_group: str = ""
    household: str = ""
    household_rep: bool = False
    resident_rep: bool = False
    branch: str = ""
    member_no: str = ""
    party_status: PartyStatus = PartyStatus.NONE
    birth_text: str | None = None   # set when the register has only the birth date, no ID
    phone: str = ""
    cast: bool = False
    renamed: bool = False

    @property
    def resident(self) -> bool:
        return self.role != "outside"

    def record(self) -> PersonRecord:
        return PersonRecord(
            name=self.name, gender=self.gender,
            birth_date=self.birth_text or self.born.isoformat(), id_number=self.id_number,
            education=self.education, branch=self.branch, resident_group=self.resident_group,
            household=self.household, member_no=self.member_no, party_status=self.party_status,
            resident_voter=self.resident, household_rep=self.household_rep,
            resident_rep=self.resident_rep, phone=self.phone)


class IdNumbers:
    """Unique, valid 18-digit numbers whose birth date and gender digit match the person."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def area(self) -> str:
        r = self._rng.random()
        pool = LOCAL_AREAS if r < 0.7 else PROVINCE_AREAS if r < 0.85 else OTHER_AREAS
        return self._rng.choice(pool)

    def new(self, born: dt.date, gender: str, area: str | None = None) -> str:
        place = area or self.area()
        while True:
            seq = self._rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{place}{born:%Y%m%d}{seq:03d}"
            number = first17 + check_digit(first17)
            if number not in self._used:
                self._used.add(number)
                return number


class RegisterMaker:
    def __init__(self, seed: int, day: dt.date) -> None:
        self.rng = random.Random(seed)
        self.day = day
        self.ids = IdNumbers(self.rng)
        self.drafts: list[Draft] = []

    # --- one adult ----------------------------------------------------------------------------
    def born(self, age: int) -> dt.date:
        age = max(18, min(95, age))
        anniversary = self.day.replace(year=self.day.year - age)
        return anniversary - dt.timedelta(days=self.rng.randint(1, 364))

    def adult(self, gender: str, age: int, role: str, family: str | None = None) -> Draft:
        born = self.born(age)
        gen = nm.generation(born.year)
        education = self.rng.choices(EDUCATION, weights=_EDU_WEIGHTS[gen])[0]
        phone = ""
        if self.rng.random() < 0.7:
            phone = "1" + self.rng.choice("35789") + f"{self.rng.randrange(10**9):09d}"
        return Draft(name=nm.full_name(self.rng, gender, born.year, family), gender=gender,
                     born=born, id_number=self.ids.new(born, gender), education=education,
                     role=role, phone=phone)

    # --- households ---------------------------------------------------------------------------
    def household(self, group: str, number: str) -> list[Draft]:
        rng = self.rng
        size = rng.choices((1, 2, 3, 4, 5), weights=(20, 38, 22, 13, 7))[0]
        lo, hi = rng.choices(((25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 84),
                              (85, 92)), weights=(14, 20, 22, 20, 14, 8, 2))[0]
        head_age = rng.randint(lo, hi)
        head_gender = rng.choice("MF") if size == 1 else ("M" if rng.random() < 0.75 else "F")
        family = nm.surname(rng)
        head = self.adult(head_gender, head_age, "single" if size == 1 else "head",
                          family if head_gender == "M" else None)
        members = [head]
        if size >= 2:
            members.append(self.adult("F" if head_gender == "M" else "M",
                                      head_age + rng.randint(-3, 5), "spouse"))
        father = head if head_gender == "M" or size == 1 else members[1]
        kin = nm.family_name_of(father.name)
        parents: list[str] = []
        for _ in range(size - len(members)):
            child_age = head_age - rng.randint(22, 35)
            if child_age >= 18:
                members.append(self.adult(rng.choice("MF"), child_age, "child", kin))
            elif head_age + 30 <= 95 and len(parents) < 2:
                # The head's father carries the family name; the mother keeps her own.
                gender = "F" if parents else rng.choice("MF")
                parents.append(gender)
                members.append(self.adult(gender, head_age + rng.randint(22, 30), "parent",
                                          nm.family_name_of(head.name) if gender == "M" else None))
            else:
                members.append(self.adult(rng.choice("MF"), head_age + rng.randint(-6, 6),
                                          "relative", nm.family_name_of(head.name)))
        for m in members:
            m.resident_group, m.household = group, number
        head.household_rep = True
        return members

    def residents(self, target_voters: int) -> None:
        per_group = target_voters // len(GROUPS)
        for g, group in enumerate(GROUPS):
            count, k = 0, 0
            while count < per_group:
                k += 1
                hh = self.household(group, f"{g + 1:02d}-{k:03d}")
                self.drafts.extend(hh)
                count += len(hh)
        heads = [d for d in self.drafts if d.household_rep]
        for group in GROUPS:
            in_group = [d for d in heads if d.resident_group == group]
            for d in self.rng.sample(in_group, 5):
                d.resident_rep = True

    # --- the cast -----------------------------------------------------------------------------
    def place_cast(self) -> None:
        """The contests' named people become household heads of their gender and generation."""
        pool = [d for d in self.drafts if d.household_rep]
        self.rng.shuffle(pool)
        for name, gender, born_s, education, _party in CAST:
            born = dt.date.fromisoformat(born_s)
            d = next(x for x in pool if not x.cast and x.gender == gender
                     and abs(x.born.year - born.year) <= 6)
            old, new = nm.family_name_of(d.name), nm.family_name_of(name)
            if gender == "M" and "·" not in name:  # the children carry the father's surname
                for kin in self._household_of(d):
                    if kin.role in ("child", "parent", "relative") and kin.name.startswith(old):
                        kin.name = new + kin.name[len(old):]
            area = XINJIANG_AREAS[0] if "·" in name else None
            d.name, d.education, d.born, d.cast = name, education, born, True
            d.id_number = self.ids.new(born, gender, area)

    def _household_of(self, d: Draft) -> list[Draft]:
        return [x for x in self.drafts if x.household == d.household and x is not d]

    # --- the Party register -------------------------------------------------------------------
    def party(self) -> None:
        rng = self.rng
        by_name = {c[0]: c for c in CAST}
        members: list[list[Draft]] = [[] for _ in BRANCHES]
        for d in self.drafts:
            if d.cast and by_name[d.name][4]:
                members[self._home_branch(d)].append(d)
        taken = {id(d) for branch in members for d in branch}
        for b, size in enumerate(BRANCH_SIZES):
            need = size - len(members[b])
            if b == RETIRED:
                outside, lo, hi = round(need * 0.1), 60, 95
            elif b == NEW_ORGS:
                outside, lo, hi = round(need * 0.7), 23, 55
            else:
                outside, lo, hi = round(need * 0.07), 20, 80
            pool = [d for d in self.drafts if id(d) not in taken and not d.cast
                    and lo <= self.age(d) <= hi
                    and (b in (RETIRED, NEW_ORGS) or self._home_branch(d) == b)]
            chosen = self._weighted_sample(pool, need - outside)
            for _ in range(outside):
                d = self.adult(rng.choice("MMF"), rng.randint(lo, hi), "outside")
                d.education = rng.choices(EDUCATION, weights=(5, 15, 30, 40, 10))[0]
                self.drafts.append(d)
                chosen.append(d)
            taken.update(id(d) for d in chosen)
            members[b].extend(chosen)
        for b, branch in enumerate(members):
            for d in branch:
                d.branch, d.party_status = BRANCHES[b], PartyStatus.FULL
        self._statuses(members)
        order = {id(d): i for i, d in enumerate(self.drafts)}
        for b, branch in enumerate(members):
            for seq, d in enumerate(sorted(branch, key=lambda x: order[id(x)]), 1):
                d.member_no = f"{b + 1:02d}{seq:03d}"

    def _statuses(self, members: list[list[Draft]]) -> None:
        """About 5% 预备党员 (joined within the year, mostly young), a few 留党察看 and 权利中止."""
        flat = [d for b, branch in enumerate(members) if b != RETIRED for d in branch
                if not d.cast]
        young = [d for d in flat if self.age(d) < 45]
        for d in self.rng.sample(young, 60):
            d.party_status = PartyStatus.PROBATIONARY
        rest = [d for d in flat if d.party_status == PartyStatus.FULL]
        for d in self.rng.sample(rest, 5)[:3]:
            d.party_status = PartyStatus.ON_PROBATION
        rest = [d for d in rest if d.party_status == PartyStatus.FULL]
        for d in self.rng.sample(rest, 2):
            d.party_status = PartyStatus.SUSPENDED

    def _home_branch(self, d: Draft) -> int:
        """Residential branches follow the residents' groups (12 groups over 9 branches)."""
        return GROUPS.index(d.resident_group) * 9 // len(GROUPS) if d.resident_group else 0

    def _weighted_sample(self, pool: Sequence[Draft], k: int) -> list[Draft]:
        # Efraimidis-Spirakis: better educated people are likelier to be Party members.
        keyed = [(self.rng.random() ** (1.0 / _PARTY_EDU_WEIGHT[d.education]), i)
                 for i, d in enumerate(pool)]
        keyed.sort(reverse=True)
        return [pool[i] for _, i in keyed[:k]]

    def age(self, d: Draft) -> int:
        years = self.day.year - d.born.year
        return years - ((self.day.month, self.day.day) < (d.born.month, d.born.day))

    # --- the hard cases -----------------------------------------------------------------------
    def hard_cases(self) -> None:
        rng = self.rng
        party = [d for d in self.drafts if d.party_status == PartyStatus.FULL and not d.cast]
        everyone = [d for d in self.drafts if not d.cast]
        specials = [*nm.RARE_NAMES, *nm.COMPOUND_NAMES, *nm.MINORITY_NAMES, *nm.HETERONYM_NAMES]
        for i, (name, gender) in enumerate(specials):
            self._rename(rng, party if i % 2 == 0 else everyone, name, gender)
        for name, gender, count in nm.DUPLICATE_NAMES:
            for j in range(count):
                self._rename(rng, party if j == 0 else everyone, name, gender)
        # Two Party members of one branch with the same name: the desk must tell them apart.
        third = [d for d in party if d.branch == BRANCHES[2] and d.resident]
        for _ in range(2):
            self._rename(rng, third, "李明", "M")
        # Some old people are on the register with a birth date only (no ID number).
        old = [d for d in self.drafts if not d.cast and self.age(d) >= 80]
        for d in rng.sample(old, 60) + rng.sample(everyone, 40):
            if d.id_number is not None:
                d.id_number = None
                d.birth_text = d.born.isoformat() if rng.random() < 0.7 else f"{d.born:%Y-%m}"

    def _rename(self, rng: random.Random, pool: list[Draft], name: str, gender: str) -> None:
        while True:
            d = rng.choice(pool)
            if d.gender == gender and not d.renamed and d.id_number is not None:
                break
        d.name, d.renamed = name, True
        if "·" in name:  # an ID number from Xinjiang goes with the name
            d.id_number = self.ids.new(d.born, d.gender, rng.choice(XINJIANG_AREAS))


def make_register(seed: int, day: dt.date,
                  target_voters: int = 8000) -> tuple[list[Draft], Callable[[Draft], int]]:
    """The drafts (residents by group and household, then Party members living elsewhere) and
    the age function on `day`."""
    maker = RegisterMaker(seed, day)
    maker.residents(target_voters)
    maker.place_cast()
    maker.party()
    maker.hard_cases()
    return maker.drafts, maker.age
