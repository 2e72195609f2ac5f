"""Posts (职务) and body types (班子), the fixed words the district reports count by.

A contest gets its post from POSTS in setup (the 选举事项 page, `pollday contest add --post`);
the package carries it and the district counts per post from it, never from the contest's free
title. The body type of a contest is read from its organisation's name (`body_type`).
"""

from __future__ import annotations

MEMBER = "委员"
SECRETARY = "书记"
DEPUTY_SECRETARY = "副书记"
DISCIPLINE_SECRETARY = "纪委书记"
DIRECTOR = "主任"
DEPUTY_DIRECTOR = "副主任"
CHAIR = "理事长"
# The fixed list; "" is "not set" (a contest of an older database or package).
POSTS = (MEMBER, SECRETARY, DEPUTY_SECRETARY, DISCIPLINE_SECRETARY, "纪委副书记", DIRECTOR,
         DEPUTY_DIRECTOR, CHAIR, "副理事长", "监事长", "副监事长")
# Posts held by one person elected alone (等额 allowed): the contest kind `leader`.
LEADER_POSTS = frozenset(POSTS) - {MEMBER}

PARTY = "党组织委员会"
DISCIPLINE = "纪委"
RESIDENTS = "居委会"
SUPERVISORY = "居务监督委员会"
COOP_BOARD = "合作社理事会"
COOP_SUPERVISORS = "合作社监事会"
BODIES = (PARTY, DISCIPLINE, RESIDENTS, SUPERVISORY, COOP_BOARD, COOP_SUPERVISORS)


def body_type(body: str) -> str:
    """The body type of an organisation's name (中共新华街道翠湖社区委员会 → 党组织委员会)."""
    if "纪律检查委员会" in body or body.endswith("纪委"):
        return DISCIPLINE
    if "居务监督委员会" in body:
        return SUPERVISORY
    if "居民委员会" in body:
        return RESIDENTS
    if "监事会" in body:
        return COOP_SUPERVISORS
    if "理事会" in body or "董事会" in body:
        return COOP_BOARD
    if body.startswith("中共") or any(w in body for w in ("党委", "党总支", "党支部")):
        return PARTY
    return body or "其他"


def post_of_old_title(title: str) -> str:
    """An older contest (before posts were chosen) has the post its title IS, word for word
    (书记 → 书记), else none: used only to upgrade old databases and read old packages."""
    t = title.strip()
    return t if t in POSTS else ""
