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
OTHER = "其他"   # the group of contests whose body is not set (or names no body of BODIES)


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
    return body or OTHER


def canonical_body(word: str) -> str | None:
    """The one spelling in BODIES of a body word or organisation name (居民委员会, 居委会 and
    XX社区居民委员会 → 居委会; 党委 / 中共XX委员会 → 党组织委员会), None when it names none."""
    w = word.strip()
    if w in BODIES:
        return w
    found = body_type(w) if w else ""
    return found if found in BODIES else None


def default_body(organisation: str, post: str) -> str:
    """The body a new contest of a meeting of `organisation` (app.model.Organisation value) elects,
    where that is unambiguous, else "" (to choose): a party meeting elects the party committee
    (its 纪委书记 / 纪委副书记 the 纪委), the residents' meeting the 居委会; a 合作社 meeting may
    elect its 理事会 or its 监事会, so nothing is assumed there. Never read from the free title."""
    if post in ("纪委书记", "纪委副书记") or organisation == "discipline":
        return DISCIPLINE
    if organisation in ("party_committee", "party_general_branch", "party_branch"):
        return PARTY
    return {"residents_committee": RESIDENTS, "supervisory_committee": SUPERVISORY}.get(
        organisation, "")


def post_of_old_title(title: str) -> str:
    """An older contest (before posts were chosen) has the post its title IS, word for word
    (书记 → 书记), else none: used only to upgrade old databases and read old packages."""
    t = title.strip()
    return t if t in POSTS else ""


def printed_body(body: str) -> str:
    """The body as printed before a title on ballots and results (中共XX社区委员会 + 委员): an
    organisation's name as typed; a bare word of BODIES (a classification chosen on the 选举事项
    page for the district) is not an organisation's name and prints nothing."""
    return "" if body.strip() in BODIES else body
