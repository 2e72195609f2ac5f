"""ID numbers in free text: what is masked and what is left alone."""

from __future__ import annotations

import json

import pytest

from db.privacy import mask_free_text, mask_ids_in_json, masked

ID18 = "11010119900101123X"
ID15 = "110101900101123"


@pytest.mark.parametrize("text,expected", [
    (f"代 {ID18} 请假", "代 1101**********123X 请假"),
    (f"身份证{ID15}。", "身份证1101*******1123。"),
    (f"电话 13800138000，{ID18.lower()}", "电话 13800138000，1101**********123x"),
    ("票号 00012", "票号 00012"),
    (f"a{ID18}", f"a{ID18}"),                      # inside a longer run of letters and digits
    (f"{ID18}9", f"{ID18}9"),                      # 19 digits: not an ID number
    ("", ""),
])
def test_masked(text: str, expected: str) -> None:
    assert masked(text) == expected


def test_json_strings_masked_numbers_and_layout_untouched() -> None:
    text = json.dumps({"reason": f"代 {ID18}", "n": 110101199001011234, "q": f'say "{ID15}"'},
                      ensure_ascii=False, separators=(",", ":"))
    out = mask_ids_in_json(text)
    assert json.loads(out) == {"reason": "代 1101**********123X", "n": 110101199001011234,
                               "q": 'say "1101*******1123"'}
    plain = '{"a": 1,  "b": "x"}'
    assert mask_ids_in_json(plain) == plain and mask_free_text(plain) == plain


def test_free_text_picks_json_or_plain() -> None:
    assert mask_free_text(None) is None
    assert mask_free_text(f'["{ID18}", 110101199001011234]') == \
        '["1101**********123X", 110101199001011234]'
    assert mask_free_text(f"{{not json {ID18}") == "{not json 1101**********123X"
