"""The stage (`edi837 run`, a real process) on 837P inputs and on the mixed 837I + 837P interchange
(issue 25): each input is answered, archived and in the ledger as an 837I input is, and its 999, 277CA
and forward 837 are byte for byte what `edi837 ack` writes for it with the stage's clock and control
numbers (the ledger keeps both); the verdicts are `check`'s; the 999 of the mixed file answers each
group under its own guide, and its forward 837 keeps each accepted claim in a group of its guide."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from builders import invoke, x12_segments
from conftest import FIXTURES, SHARED

RUN = [sys.executable, "-m", "edi837", "run"]
FIXTURE_DIR = FIXTURES[0].parent
INPUTS = [FIXTURE_DIR / name for name in ("mixed-837i-837p.837", "837p-multiple-trips.837", "837p-multi-patient.837",
                                          "837p-replacement.837", "bls-emergency.837")]
OUTSIDE = SHARED / "samples" / "837p-ambulance" / "stupidedi__X222A1__ambulance.edi"  # rejected by P rules


def guides(text: str) -> list[tuple[str, list[str]]]:
    """Each group's GS08 with the claim ids (CLM01) it holds."""
    out: list[tuple[str, list[str]]] = []
    for seg in x12_segments(text):
        if seg[0] == "GS":
            out.append((seg[8], []))
        elif seg[0] == "CLM":
            out[-1][1].append(seg[1])
    return out


def test_run_answers_837p_and_mixed_inputs_as_ack_does(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    for path in [*INPUTS, *([OUTSIDE] if OUTSIDE.is_file() else [])]:
        shutil.copy(path, inbox / path.name)
    names = sorted(p.name for p in inbox.iterdir())
    done = subprocess.run([*RUN, str(inbox), "--out", str(outbox), "--settle", "0", "--workers", "1"],
                          capture_output=True, text=True, timeout=120)
    check = json.loads(invoke("check", "--format", "json", *(str(outbox / "archive" / n) for n in names)).stdout)
    verdicts = {Path(f["path"]).name: f for f in check["files"]}
    rejected = any(c["status"] == "rejected" for f in check["files"] for c in f["claims"])
    assert done.returncode == (1 if rejected else 0), done.stderr
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        rows = {r[0]: r[1:] for r in db.execute("SELECT stem, state, control, answer_time, claims, accepted FROM inputs")}
    assert sorted(rows) == names and sorted(p.name for p in (outbox / "archive").glob("*.*")) == names
    assert sorted(control for _state, control, *_ in rows.values()) == list(range(1, 3 * len(names), 3))
    for name, (state, control, answer_time, claims, accepted) in rows.items():
        want = verdicts[name]["claims"]
        assert (state, claims, accepted) == ("answered", len(want), sum(c["status"] == "accepted" for c in want))
        # ack, given the stage's clock and numbers, writes the same bytes
        conf, again = tmp_path / f"{name}.json", tmp_path / "ack" / name
        conf.write_text(json.dumps({"first_control_number": control}))
        clock = dt.datetime.fromisoformat(answer_time).strftime("%Y%m%d%H%M")
        res = invoke("ack", str(outbox / "archive" / name), "--out", str(again), "--fixed-time", clock,
                     "--config", str(conf))
        assert res.exit_code in (0, 1), res.output
        written = sorted(p.name for p in again.iterdir())
        assert written == sorted(p.name for p in (*(outbox / "acks").glob(f"{name}.*"),
                                                  *(outbox / "forward").glob(f"{name}.*"))), name
        for answer in written:
            folder = "forward" if answer.endswith(".accepted.837") else "acks"
            assert (outbox / folder / answer).read_bytes() == (again / answer).read_bytes(), answer
    mixed = "mixed-837i-837p.837"
    ack999 = (outbox / "acks" / f"{mixed}.999").read_text(encoding="latin-1")
    assert [s[3] for s in x12_segments(ack999) if s[0] == "AK2"] == ["005010X223A2", "005010X222A1"]
    inbound = guides((outbox / "archive" / mixed).read_text(encoding="latin-1"))  # every claim of it is accepted
    forward = guides((outbox / "forward" / f"{mixed}.accepted.837").read_text(encoding="latin-1"))
    assert forward == inbound and {g for g, _ in forward} == {"005010X223A2", "005010X222A1"}
