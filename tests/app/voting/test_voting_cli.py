"""The voting command line: refusals of `results` and `scenario export`, and `pollday demo`
registering its parser without importing the demo."""

from __future__ import annotations

import subprocess
import sys

from app.cli import cmd_demo, main
from app.demo import DEMO_SEED, STAGES
from app.model import ContestKind, RuleSet
from db.connection import connect
from tests.app.voting.voting_venue import small_meeting


def test_demo_command_knows_the_demo_stages_without_importing_it() -> None:
    assert cmd_demo.STAGES == STAGES and cmd_demo.DEMO_SEED == DEMO_SEED
    code = ("import sys; from app.cli import build_parser; build_parser();"
            " print('app.demo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["False"]


def test_results_and_export_refusals(db_path, fixed_clock, capsys, tmp_path) -> None:
    conn = connect(db_path)
    small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=5, candidates=["甲一", "乙二"], seats=1,
                  kind=ContestKind.LEADER)
    conn.close()
    assert main(["results", "--db", str(tmp_path / "none.db")]) == 1
    assert "不存在" in capsys.readouterr().err
    assert main(["results", "--db", str(db_path), "--meeting", "nope"]) == 1
    assert "nope" in capsys.readouterr().err
    assert main(["results", "--db", str(db_path), "--json"]) == 0
    assert '"one_pass_success": false' in capsys.readouterr().out
    assert main(["scenario", "export", "--db", str(db_path), "--contest", "x", "--round",
                 "1"]) == 1
    assert "committee" in capsys.readouterr().err
    assert main(["scenario", "export", "--db", str(db_path), "--contest", "committee",
                 "--round", "1"]) == 1
    assert "没有第1轮" in capsys.readouterr().err
