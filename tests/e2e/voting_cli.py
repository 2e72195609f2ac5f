"""Helpers for the voting end-to-end tests: `pollday results --json`, and every recorded round
exported with `pollday scenario export` and recounted with `pollday scenario run` (separate
processes, so the recount shares nothing with the recording but the file)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.app.attendance.attendance_venue import pollday_cmd


def pollday(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def results(db: Path, meeting: str | None = None) -> dict[str, Any]:
    extra = ["--meeting", meeting] if meeting else []
    done = pollday("results", "--db", str(db), "--json", *extra)
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def recount_every_round(db: Path, doc: dict[str, Any], folder: Path) -> int:
    """Export each round of `doc` and check `scenario run` prints exactly its output."""
    checked = 0
    for contest in doc["contests"]:
        for r in contest["rounds"]:
            out = folder / f"{doc['meeting']}-{contest['id']}-{r['round']}.json"
            done = pollday("scenario", "export", "--db", str(db), "--meeting", doc["meeting"],
                           "--contest", contest["id"], "--round", str(r["round"]),
                           "--out", str(out))
            assert done.returncode == 0, done.stderr
            run = pollday("scenario", "run", str(out))
            assert run.returncode == 0, run.stderr
            assert json.loads(run.stdout) == r["output"], (contest["id"], r["round"])
            checked += 1
    return checked
