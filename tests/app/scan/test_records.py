"""The package's scan record is checked by the district (issue 17 item 8): an image a record
names must be listed in the signed manifest with that SHA-256, and no listed image may be unnamed."""

from __future__ import annotations

import json

from app.scan.records import check_package_records


def _lines(*records: dict[str, object]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_records_and_listed_images_must_agree() -> None:
    a = {"page_id": 1, "image": {"path": "scan/images/000001-ab.jpg", "sha256": "11"}}
    b = {"page_id": 2, "image": None}
    listed = {"scan/ballots.jsonl": "x", "scan/images/000001-ab.jpg": "11"}
    assert check_package_records(_lines(a, b), listed) == []
    wrong = check_package_records(_lines(a, b), {**listed, "scan/images/000001-ab.jpg": "22"})
    assert wrong == ["scan/ballots.jsonl 第1行的图像 scan/images/000001-ab.jpg 不在清单中或 SHA-256 不符"]
    extra = check_package_records(_lines(b), listed)
    assert extra == ["图像 scan/images/000001-ab.jpg 没有对应的扫描选票记录"]
    assert check_package_records(b"not json\n", {}) == ["scan/ballots.jsonl 第1行不是扫描选票记录"]
