"""公民身份号码 in free text: found and masked (1101**********1234).

A clerk may type an ID number into a reason or a note ("代 1101... 请假"). The register keeps the
full number in `person.id_number`; nowhere else needs it. The audit log masks it as the row is
written (so its hash chain covers the masked text and still verifies in the district's copy),
printed reports mask it, and the 报送包 masks every free-text column and event field.
"""

from __future__ import annotations

import json
import re

# A JSON string literal: masking happens inside these only, so a bare JSON number is never
# turned into invalid JSON and the text keeps its exact bytes when there is nothing to mask.
_JSON_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')

# Old 15-digit and current 18-digit numbers, not part of a longer run of letters or digits.
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id(value: str | None) -> str | None:
    """1101**********1234: the first 4 and the last 4 kept, the rest starred."""
    if value is None:
        return None
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def masked(text: str) -> str:
    """Every ID-number-like run of digits in free text masked (reasons, notes on paper)."""
    return ID_RE.sub(lambda m: mask_id(m.group(1)) or "", text)


def mask_ids_in_json(text: str) -> str:
    """ID numbers inside the string values of a JSON text masked; numbers and layout untouched."""
    return _JSON_STRING_RE.sub(lambda m: masked(m.group(0)), text)


def mask_free_text(text: str | None) -> str | None:
    """A stored free-text value masked: JSON objects and arrays inside their strings only, any
    other text everywhere."""
    if text is None or not ID_RE.search(text):
        return text
    if text[:1] in "{[":
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            return mask_ids_in_json(text)
    return masked(text)
