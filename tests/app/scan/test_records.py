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


def test_the_package_takes_adjudicated_images_within_its_budget(tmp_path) -> None:
    """On the kept schema-v9 database: a flagged page decided by two people whose original is in
    the archive goes into the package with its SHA-256; the fixture's page whose archived file
    is missing says so; over the image budget an image is left out and the record says why."""
    import hashlib
    import shutil

    from app.scan.records import BALLOTS, ImageBudget, package_files
    from db.connection import connect
    from tests.pdtest import FIXTURES

    path = tmp_path / "v9.db"
    shutil.copy(FIXTURES / "schema-v9.db", path)
    data = b"\xff\xd8 a scanned ballot \xff\xd9"
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "day-scans").mkdir()
    (tmp_path / "day-scans" / "one.jpg").write_bytes(data)
    conn = connect(path)
    try:
        conn.execute("INSERT INTO scan_file (id, batch_id, name, sha256, archived, size, pages)"
                     " VALUES (9, 1, 'one.jpg', ?, 'day-scans/one.jpg', ?, 1)", (sha, len(data)))
        conn.execute("INSERT INTO scan_page (id, batch_id, position, file_id, page, status,"
                     " layout_code, marks, flags) VALUES (9, 1, 9, 9, 1, 'flagged', 1, 'o-',"
                     " '[{\"code\": \"BLANK_BALLOT\", \"text\": \"空白票\"}]')")
        conn.execute("INSERT INTO scan_decision (page_id, marks, first_person, at) VALUES"
                     " (9, '--', '监票人甲', '2026-11-22T10:00:00+08:00')")
        files, counts = package_files(conn, tmp_path)
        records = {r["page_id"]: r for r in map(json.loads, files[BALLOTS].splitlines())}
        image = records[9]["image"]
        assert image == {"path": f"scan/images/000009-{sha[:16]}.jpg", "sha256": sha,
                         "original": True}
        assert files[image["path"]] == data and counts["scan_images"] == 1
        assert records[9]["decision"]["by"] == ["监票人甲"]
        assert records[1]["image"] is None and "缺失" in records[1]["image_omitted"]
        assert records[2]["status"] == "refused" and records[2]["image"] is None
        listed = {p: hashlib.sha256(b).hexdigest() for p, b in files.items()}
        assert check_package_records(files[BALLOTS], listed) == []
        files, counts = package_files(conn, tmp_path, budget=ImageBudget(files=0))
        records = {r["page_id"]: r for r in map(json.loads, files[BALLOTS].splitlines())}
        assert records[9]["image"] is None and "超出报送包的图像限额" in records[9]["image_omitted"]
        assert counts["scan_images"] == 0
    finally:
        conn.close()


def test_a_page_of_two_contests_is_recorded_as_counted_into_both_rounds(tmp_path) -> None:
    """The kept schema-v10 database: a page of two contests counted into both rounds."""
    import shutil

    from app.scan.records import ballot_records
    from db.connection import connect
    from tests.pdtest import FIXTURES

    path = tmp_path / "day.db"
    shutil.copy(FIXTURES / "schema-v10.db", path)
    conn = connect(path)
    try:
        recs = {r["page_id"]: r for r in ballot_records(conn)}
    finally:
        conn.close()
    page = recs[4]
    assert page["machine"]["marks"] == "o-|o"
    assert [c["round_id"] for c in page["counted_rounds"]] == [1, 2]
    assert page["counted"]["round_id"] == 1
    assert "counted_rounds" not in recs[1]       # a single-contest page: as before
