"""Control numbers and settings (edi837/control.py): numbers from a state file that never reuses one
and starts again after nine digits; a bad config or state is one line and stops the run."""

from __future__ import annotations

from pathlib import Path

import oracle
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from edi837.cli import main


def test_control_numbers_increase_across_runs(tmp_path: Path) -> None:
    cfg = tmp_path / "ch.json"
    cfg.write_text('{"sender_id": "MYCH", "name": "MY CLEARINGHOUSE", "first_control_number": 500}')
    seen = []
    for i in range(2):
        res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(tmp_path / f"o{i}"), "--config", str(cfg)])
        assert res.exit_code == 0, res.output
        isa = (tmp_path / f"o{i}" / f"{FIXTURES[0].name}.999").read_text()[:106]
        seen.append(int(isa.split("*")[13]))
        assert "*MYCH" in isa
    assert seen[0] >= 500 and seen[1] > seen[0]


def test_control_numbers_start_again_after_nine_digits(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".edi837-control-numbers.json").write_text('{"last": 999999998}')
    assert CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)]).exit_code == 0
    isa = (out / f"{FIXTURES[0].name}.999").read_text()[:106]
    assert isa.split("*")[13] == "000000001" and len(isa.split("~")[0]) == 105  # still fixed-width
    assert (out / ".edi837-control-numbers.json").read_text() == '{"last": 3}'
    for f in out.glob("*.*"):  # the answers, not the hidden state
        if not f.name.startswith("."):
            assert oracle.validate(f.read_bytes()).ok, f.name


@pytest.mark.parametrize("state", ["garbage{", '{"next": 7}', '{"last": -1}', '{"last": "12"}'])
def test_an_unreadable_control_number_state_stops_the_run(tmp_path: Path, state: str) -> None:
    """Numbering from the base again would reuse control numbers the receivers have already seen."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".edi837-control-numbers.json").write_text(state)
    res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(out)])
    assert res.exit_code == 2 and "the control-number state is not {\"last\": N}" in res.stderr
    assert not list(out.glob("*.999"))


@pytest.mark.parametrize("config,fragment", [
    ('{"first_control_number": "abc"}', "first_control_number must be a whole number"),
    ('{"first_control_number": 0}', "first_control_number must be a whole number"),
    ('{"first_control_number": 1000000000}', "first_control_number must be a whole number"),
    ('{"usage": "X"}', "usage must be P (production) or T (test)"),
])
def test_a_bad_config_is_one_line(tmp_path: Path, config: str, fragment: str) -> None:
    cfg = tmp_path / "ch.json"
    cfg.write_text(config)
    res = CliRunner().invoke(main, ["ack", str(FIXTURES[0]), "--out", str(tmp_path / "out"), "--config", str(cfg)])
    assert res.exit_code == 2 and fragment in res.stderr and isinstance(res.exception, SystemExit)
