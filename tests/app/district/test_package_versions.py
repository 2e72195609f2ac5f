"""The district reads every package format a released PollDay wrote: the kept version-1, -2 and
-3 packages (tests/fixtures/package-format-v1.pollday, -v2, -v3, written by the exporter of that
version) and a version-4 package of the same election made by today's exporter; the figures
agree."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from pdtest import FIXTURES

from app.export import format as fmt
from app.export import verify_package
from tests.app.district.conftest import cli, import_lines
from tests.fixtures.small_election import COMMUNITY, ELECTED, KEY, TZ, build

V1 = FIXTURES / "package-format-v1.pollday"
V2 = FIXTURES / "package-format-v2.pollday"
V3 = FIXTURES / "package-format-v3.pollday"


@pytest.fixture(scope="module")
def v4_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.export.build import build_package

    folder = tmp_path_factory.mktemp("v4")
    db = folder / "election.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLLDAY_HOME", str(folder / "home"))
        build(db)
        built = build_package(db, key=KEY, at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=TZ))
    assert not hasattr(built, "code"), built
    out = folder / built.name   # type: ignore[union-attr]
    out.write_bytes(built.data)  # type: ignore[union-attr]
    return out


def _manifest(package: Path) -> dict[str, object]:
    with zipfile.ZipFile(package) as zf:
        doc = json.loads(zf.read(fmt.MANIFEST))
    assert isinstance(doc, dict)
    return doc


def test_every_version_verifies(v4_package: Path) -> None:
    assert fmt.READABLE_VERSIONS == (1, 2, 3, 4) and fmt.FORMAT_VERSION == 4
    old, mid, v3, new = (verify_package(V1), verify_package(V2), verify_package(V3),
                         verify_package(v4_package))
    assert old.ok and mid.ok and v3.ok and new.ok, (old.problems, mid.problems, v3.problems,
                                                    new.problems)
    assert (old.format_version, mid.format_version, v3.format_version,
            new.format_version) == (1, 2, 3, 4)
    assert old.fingerprint == mid.fingerprint == v3.fingerprint == new.fingerprint \
        == KEY.fingerprint
    assert any("旧格式（版本1）" in line for line in old.summary_lines())
    assert not any("旧格式" in line for line in mid.summary_lines() + v3.summary_lines()
                   + new.summary_lines())
    # The same election: the same result hash on the paper, in every format.
    assert [m["result_hash"] for m in old.result_hashes()] == \
        [m["result_hash"] for m in mid.result_hashes()] == \
        [m["result_hash"] for m in v3.result_hashes()] == \
        [m["result_hash"] for m in new.result_hashes()] != [""]
    # Version 3 signs the audit chain head; the older ones have none.
    assert "audit" not in old.manifest and "audit" not in mid.manifest
    for signed in (v3, new):
        head = signed.manifest["audit"]
        assert len(head["head"]) == 64 and head["rows"] >= 1


@pytest.mark.parametrize("older", [V1, V2, V3], ids=["v1", "v2", "v3"])
def test_district_imports_old_then_new(v4_package: Path, tmp_path: Path, older: Path) -> None:
    db = tmp_path / "district.db"
    (old,) = import_lines(db, older)
    assert (old["result"], old["community"], old["flagged"]) == ("imported", COMMUNITY, False)
    report_old = json.loads(cli("district", "report", "--db", db, "--json"))
    (new,) = import_lines(db, v4_package)
    assert new["result"] == "superseded" and not new["flagged"], new
    report_new = json.loads(cli("district", "report", "--db", db, "--json"))
    (c_old,) = report_old["per_community"]
    (c_new,) = report_new["per_community"]
    assert c_old["package"] == old["short_hash"] and c_new["package"] == new["short_hash"]
    assert c_new["exported_at"] == "2026-11-25T09:00:00+08:00"
    assert c_old["exported_at"] == {V1: "2026-11-22T18:00:00+08:00",
                                    V2: "2026-11-23T09:00:00+08:00",
                                    V3: "2026-11-24T09:00:00+08:00"}[older]
    for figures in (c_old, c_new):
        for differs in ("package", "packages_received", "exported_at"):
            figures.pop(differs)
    assert c_old == c_new
    # Its one meeting (a 党员大会) complete in every format; the community is 进行中 all the
    # same, its 居委会 not in the package (已完成 needs both 两委 bodies).
    assert all(m["complete"] for m in c_new["meetings"])
    assert (c_new["stage"], c_new["missing_bodies"]) == ("进行中", ["居委会"])


def test_elected_are_the_same_in_every_version(v4_package: Path) -> None:
    for package in (V1, V2, V3, v4_package):
        with zipfile.ZipFile(package) as zf:
            elected = json.loads(zf.read(fmt.ELECTED))
        names = [p["name"] for m in elected["meetings"] for c in m["contests"]
                 for p in c["elected"]]
        assert sorted(names) == sorted(ELECTED), package.name
        assert _manifest(package)["community"] == COMMUNITY
