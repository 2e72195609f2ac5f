"""Every runtime dependency earns its place: the source imports it (or, for rl-accel, reportlab
does). A dependency nothing imports (pycrdt-websocket was one) fails here."""

from __future__ import annotations

import re
import tomllib

from pdtest import ROOT

# Distribution name -> the module the source imports.
IMPORT_NAME = {"pyside6-essentials": "PySide6", "sqlite-utils": "sqlite_utils", "pillow": "PIL"}
# Used through another dependency, not imported by PollDay's source, and why they are declared.
INDIRECT = {
    "rl-accel": "reportlab's C speed-ups, loaded by reportlab itself when installed",
    "pillow": "reportlab requires it; declared for its minimum version (image-parsing fixes)",
}


def _dependencies() -> list[str]:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower()
            for d in doc["project"]["dependencies"]]


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for folder in ("app", "db", "ui")
                     for p in sorted((ROOT / folder).rglob("*.py")))


def test_every_dependency_is_imported() -> None:
    deps = _dependencies()
    assert "pycrdt-websocket" not in deps
    source = _source()
    unused = []
    for dist in deps:
        if dist in INDIRECT:
            continue
        module = IMPORT_NAME.get(dist, dist.replace("-", "_"))
        if not re.search(rf"^\s*(import|from)\s+{re.escape(module)}\b", source, re.MULTILINE):
            unused.append(dist)
    assert unused == [], f"declared but never imported: {unused}"


def test_indirect_dependencies_are_used_by_their_host() -> None:
    from importlib.metadata import requires

    from reportlab.lib import rl_accel

    assert set(INDIRECT) <= set(_dependencies())
    assert rl_accel.fp_str.__module__ == "_rl_accel"   # the C version is in use
    assert any(re.match(r"pillow\b", r, re.IGNORECASE) for r in requires("reportlab") or [])
