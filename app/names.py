"""Name order (按姓氏笔画为序, rules.md §5).

PROVISIONAL: this first version orders by code point only so other modules can call the final
interface; the stroke-order implementation replaces the body of `name_sort_key`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ANNOTATION = re.compile(r"[（(][^）)]*[）)]")
_DOTS = "·•‧・．."


def strip_annotations(name: str) -> str:
    """Remove （女）（回族）-style annotations and the middle dot of minority names."""
    s = _ANNOTATION.sub("", name)
    for d in _DOTS:
        s = s.replace(d, "")
    return s.strip()


def name_sort_key(name: str) -> tuple[object, ...]:
    """Key that orders names by stroke order; print the name as given."""
    return tuple(ord(c) for c in strip_annotations(name))


def sort_names(names: Iterable[str]) -> list[str]:
    return sorted(names, key=name_sort_key)
