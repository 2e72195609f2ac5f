"""The register (名册): validated person records, their storage with search keys, and import
from the spreadsheets people actually keep (CSV in UTF-8/GBK, XLSX).

- store.add_persons(conn, records, now, token_factory=None) -> ids: validated PersonRecords with
  their search keys and random sign-in tokens, in one transaction (demo data, tests).
- importer.import_register(conn, path, now=..., mapping=None, progress=None, cancel=None,
  sheet=None):
  a file, all or nothing; ImportResult with status IMPORTED / BAD_ROWS (every bad row as a
  Problem: file, row as seen in the spreadsheet, column header, reason in Chinese) /
  NEEDS_MAPPING (unknown_headers: ask, then call again with mapping={header: field or None}) /
  UNREADABLE / CANCELLED.
- diff.plan_reimport(...) -> ReimportPlan with a RegisterDiff (added / changed field by field /
  missing), then diff.apply_diff(conn, diff, now=...) in one transaction.
- fields: header synonyms (FIELD_LABELS for a mapping dialog) and cell parsers; idcard: the
  公民身份号码 check digit, birth date and gender; sheets / xlsx: reading the files (XLSX: the
  sheet named by `sheet=`, else the active visible one; merged ranges filled with a note; error
  cells refused by cell); limits: what a register file may be (sizes, ratio, rows, cells);
  grid: one sheet's raw values under the same limits (the district's plan sheets).

Search keys and search itself are in app.search; the SQL in db.persons.
"""
