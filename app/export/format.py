"""The 报送包 (USB hand-over package) format, version 4. This docstring is the specification.

A package is ONE file, `<community>-<YYYYMMDD>-<HHMMSS>.pollday`, a ZIP archive (UTF-8 names,
deflate or stored). Entry order: `manifest.json`, `manifest.sig`, then every other file in
sorted path order. Every entry's timestamp is the export time (so the same input and time give
the same bytes). Paths are relative, `/`-separated, never absolute, never with `..`.

    manifest.json                 what the package holds (below); UTF-8 JSON
    manifest.sig                  Ed25519 signature (64 raw bytes) of the exact bytes of manifest.json
    snapshot.sqlite               the district's ARCHIVE of the election (db/snapshot.py says what
                                  for): a new SQLite file with the election database's schema
                                  (`PRAGMA user_version` as the venue's) into which only the
                                  allowlisted tables and columns were copied (db.snapshot.ARCHIVE):
                                  meetings, contests, candidates, the register minimised
                                  (person.id_number masked to first 4 + last 4
                                  `1101**********1234`, birth_date cut to YYYY-MM, phone / note /
                                  token written as ''), electors, exclusions (detail ''), leave,
                                  desks, proxies, attendance events and frozen 实到, rounds,
                                  ballots, tally sheets, boxes, round events, the audit log, and
                                  the settings community.street / community.district /
                                  signing_key.* (public keys). An ID number typed into any reason /
                                  note / detail column is masked (db/privacy.py). The tables
                                  sync_host, sync_peer, sync_desk, sync_update (network pairing:
                                  TLS private key, room secret, desks, shared document) and
                                  person_key (search keys) exist but are EMPTY; UNIQUE on
                                  person.id_number and person.token is dropped (masked values
                                  may repeat). Never a key, secret, token or PIN.
    results/<meeting>.json        `pollday results --json` of each exported meeting (<meeting>:
                                  the meeting code; an older database's code that is no file
                                  name, e.g. `2026:党员`, as `code_part` below spells it)
    elected.json                  the elected, for the district's make-up statistics (below)
    events/attendance.jsonl       attendance_event rows, one JSON object a line, in id order;
                                  from version 3 a row may carry the desk's signature of the
                                  event: optional fields such as "sig" (base64 Ed25519 signature)
                                  and "desk_key" (the signing desk's public key or its
                                  fingerprint); absent on events stored before desks signed
                                  (a reader treats a missing field as "unsigned", never an error)
    events/ballots.jsonl          ballot_entry and tally_sheet rows ("table" says which), id order
    events/attendance.jsonl, events/ballots.jsonl: `reason` / `note` with ID numbers masked
    events/audit.jsonl            the hash-chained audit log, id order; `detail` is the stored JSON
                                  text (ID numbers in it were masked when the row was written),
                                  so db.audit.verify_chain's rule re-checks the chain
    documents/<meeting>/<kind>.pdf  the printed result documents that could be printed
    scan/ballots.jsonl            (version 4, only where ballots were counted from the office
                                  scanner) one record a line per scanned page: batch, position,
                                  original file (name, SHA-256, page), layout, scores, the
                                  machine's reading and flags, the human decision and who made it,
                                  where it was counted and the reading finally counted, whether
                                  it was in the blind sample, and its image in the package or null
                                  (app/scan/records.py says every field)
    scan/testdeck.jsonl           (version 4) the test deck's result, one line per scanned page
    scan/images/<page>-<sha>.<ext>  (version 4) the image of each ADJUDICATED ballot only (the
                                  original file, or its page taken out as a JPEG), its SHA-256
                                  in the record; at most 1,200 images and 600 MiB, a record
                                  beyond says its image was left out. Every other image stays in
                                  the venue's archive and backups. The district checks that each
                                  image a record names is listed with that SHA-256 and that no
                                  listed image is unnamed, and counts nothing from these files
    summary.csv                   one row per meeting and contest (UTF-8 with BOM, for Excel);
                                  a cell of user text beginning with = + - @ tab or CR follows an
                                  apostrophe (text for a spreadsheet; content.read_csv_cell)
    summary.xlsx                  the same table; every user text is a text cell (such a cell has
                                  the quote prefix), never a formula

manifest.json (keys sorted, 2-space indent, UTF-8, trailing newline):

    format          "pollday-package"
    format_version  4 (a reader reads READABLE_VERSIONS and refuses any other number)
    software        {"name": "PollDay", "version": "0.1.0"}
    exported_at     ISO 8601 with offset, the time passed in by the caller
    community       e.g. "新华街道翠湖社区"
    street          e.g. "新华街道" ("" when unknown), district: e.g. "新华区" ("" when unknown)
    schema_version  the snapshot's PRAGMA user_version
    meetings        [{code, title, organisation, rules, form, date, venue, complete,
                      one_pass_success, result_hash: the meeting's 结果校验码 as printed in the
                      footer of its notice and count report ("" until every round is locked),
                      result_hashes: [short lock hashes of locked rounds, as on the certificates],
                      documents: {kind: path}, documents_missing: {kind: reason}}] in meeting id order
    counts          {persons, meetings, attendance_events, ballot_rows, audit_rows, elected, files}
                    (version 4, with a scan record: scan_ballots, scan_images, scan_image_bytes)
    privacy         {"id_number": "...", "removed": [...]} what was minimised (informative)
    key             {"algorithm": "Ed25519", "public_key": base64 raw 32 bytes, "fingerprint":
                     app.keys.fingerprint(public key), e.g. "994F-AAAB-FC9C-B86E"}
    files           [{path, size, sha256 (lower-case hex)}] every entry except manifest.json and
                    manifest.sig, sorted by path
    audit           (version 3) {"head": the full SHA-256 (64 lower-case hex) of the last audit
                    row of events/audit.jsonl, "row": its id, "rows": how many rows}; the same head
                    the notice, the count report and the hand-over slip print (db/audit.py), so
                    `pollday audit verify --db PATH --head HEX` proves the community's log up to
                    it was not rewritten after the package was signed

elected.json: {"meetings": [{"meeting", "title", "contests": [{"contest", "title" (the contest's
title as written), "post" (version 4: the post chosen in setup, one word of app.posts.POSTS:
委员 / 书记 / 副书记 / 纪委书记 / 主任 / 副主任 / 理事长 ..., "" when not set), "body", "seats",
"elected": [{"name", "person_id" (the snapshot's person.id, the same person in two contests has
the same id: 书记主任"一肩挑"), "gender" ("M"/"F"/null), "birth_year" (int or null),
"birth_month" (version 4: 1-12 or null; the district counts the completed age on the election
day taking the birthday as the FIRST day of that month), "education", "party_status",
"part_time" (version 4: marked 兼职 on the candidate), "previous" (version 4: [{"body": body
type of app.posts.BODIES, "post"}] the person's seats in the previous term: 留任 / 新提拔)}]}]}]}
— never an ID number. A reader of versions 1-3 takes the post as the title when the title is a
word of POSTS (app.posts.post_of_old_title), the age as the difference of the years, and no
part-time or previous-term marks.
"education" is the register's 学历 text as written ("" when none); readers place it with the one
table of levels, app.education.classify (中等专科/中专 is secondary, 大学 is 专科 or 本科, an
unplaced text is unknown), as the register import and the district do.

Versions. 1 (PollDay 0.1): snapshot.sqlite was the whole database with personal columns
scrubbed by name, so a package made after host mode also carried the venue's network pairing
(sync_host: TLS private key and room secret) and the sync tables. 2: snapshot.sqlite is built from
the allowlist above. Everything else is the same, and the district reads both (it never reads the
snapshot). 3: the manifest's `audit` head; attendance rows may carry desk signatures (optional
fields, above); summary cells of user text are inert. 4: elected.json carries each contest's
post and each elected person's birth month, 兼职 mark and previous-term seats (above). The
district reads 1, 2, 3 and 4. A change to
what a package holds bumps FORMAT_VERSION and adds it to READABLE_VERSIONS; tests/fixtures keeps
a real package of every version (make_package_v1.py, make_package_v2.py ...) and the district's
tests import each.

A package is intact when: it is a ZIP; manifest.json and manifest.sig are present; the manifest
is JSON with this format name and a readable version; the signature verifies with the manifest's public key
and the fingerprint is that key's; every listed file is present once, with the size and SHA-256
listed; no entry is unlisted. The package's SHORT HASH is the first 12 hex digits of the SHA-256
of the manifest.json bytes (`short_hash`): it and the key fingerprint are what the officer reads
out or writes on the paper hand-over note. Whether the key is the expected one is the reader's
decision (a list of known fingerprints); `verify_package` reports the fingerprint always.

The exporting database remembers its last package in the setting `export.last_package` (JSON:
short_hash, fingerprint, file, at; app.export.build.last_package) and audits `package_exported`.

Paper -> file. The PDFs in the package cannot carry the package's own hash (they are part of what
it hashes), so the scrutineers' signatures reach the file through two links, both printed by
`pollday verify PACKAGE` (text and --json `result_hashes`):
1. the notice and the count report print the meeting's 结果校验码 and the key fingerprint; the
   signed manifest lists that `result_hash` per meeting (and the rounds' lock hashes printed on
   the certificates in `result_hashes`), next to `key.fingerprint`;
2. the 报送包交接单 (app/export/handover.py; `pollday export --slip`, 打印交接单 on the 报送 page),
   printed after the package was written and read back, carries the package's short hash, the
   key fingerprint, the file's SHA-256 and each meeting's 结果校验码, with signature lines for
   the 监票人, the officer and the district's receiver.
A clerk compares what verify prints with the slip and the posted notice; editing a result hash
in the manifest breaks the signature.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.fileio import safe_filename

FORMAT = "pollday-package"
FORMAT_VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)   # what verify_package and the district's import accept
EXTENSION = ".pollday"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SNAPSHOT = "snapshot.sqlite"
ELECTED = "elected.json"
SUMMARY_CSV = "summary.csv"
SUMMARY_XLSX = "summary.xlsx"
EVENTS_ATTENDANCE = "events/attendance.jsonl"
EVENTS_BALLOTS = "events/ballots.jsonl"
EVENTS_AUDIT = "events/audit.jsonl"
TEMP_SUFFIX = ".part"


def code_part(meeting_code: str) -> str:
    """A meeting code as a path part. Every code allowed where codes are entered
    (app/meetings/codes.py) comes back unchanged; an older database's odd code (`2026:党员`,
    `a/b`) becomes a safe name plus a short hash of the code, so two odd codes never share a path
    and the district finds the file through this same function."""
    safe = safe_filename(meeting_code, fallback="meeting")
    return safe if safe == meeting_code else f"{safe}-{sha256_hex(meeting_code.encode())[:8]}"


def results_path(meeting_code: str) -> str:
    return f"results/{code_part(meeting_code)}.json"


def document_path(meeting_code: str, kind: str) -> str:
    return f"documents/{code_part(meeting_code)}/{kind}.pdf"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def short_hash(manifest_bytes: bytes) -> str:
    """The package's short hash: the first 12 hex digits of SHA-256(manifest.json bytes)."""
    return sha256_hex(manifest_bytes)[:12]


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as written: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def json_bytes(doc: Any) -> bytes:
    """Any JSON file of the package, written the same way as the manifest."""
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def jsonl_bytes(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":")).encode() + b"\n" for r in rows)


def safe_path(path: str) -> bool:
    """A package path that cannot escape the folder it is unpacked into."""
    if not path or path.startswith("/") or "\\" in path or ":" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))
