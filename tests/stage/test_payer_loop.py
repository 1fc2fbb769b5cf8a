"""The loop closed (issue 26), with real files and real processes: `edi837 run` answers an INBOX and
forwards the accepted claims; `edi837 ack`, acting as the payer (other sender and receiver ids, a
stricter profile that rejects some claims), answers the forward 837s; its 999s and 277CAs are dropped
in INBOX; a second `run` records them; `run --status` then shows every forwarded claim as
payer-accepted or payer-rejected with the payer's own codes, none awaiting. An answer that names
nothing forwarded and a second answer to the same file are reported. And a ledger written by the
release before (tests/data/ledger-f2b3c16) is migrated: its forwarded claims are read back from its
forward 837s and matched like the others."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from builders import x12_segments
from conftest import FIXTURES, SHARED

EDI837 = [sys.executable, "-m", "edi837"]
FIXTURE_DIR = FIXTURES[0].parent
INPUTS = ("batch.837", "als-emergency.837", "837p-multiple-trips.837", "837p-bls-nonemergency.837",
          "837p-als-nonemergency.837", "mixed-837i-837p.837")
# The payer's stricter profile: the PCS reminder (AMBP022, off in `medicare`) is an error, so the
# non-emergency 837P trips come back rejected.
STRICT = {"name": "payer-strict", "description": "the loop's payer", "rules": {"AMBP022": "error"}}
OLD_OUTBOX = Path(__file__).parent.parent / "data" / "ledger-f2b3c16"


def edi837(*args: str | Path, ok: tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*EDI837, *map(str, args)], capture_output=True, text=True, timeout=180)
    assert done.returncode in ok, done.stderr
    return done


def run(inbox: Path, outbox: Path) -> subprocess.CompletedProcess[str]:
    return edi837("run", inbox, "--out", outbox, "--settle", "0", "--workers", "2")


def payer_answers(outbox: Path, tmp: Path, name: str = "payer", *extra: str) -> dict[str, dict[str, str]]:
    """`edi837 ack` as the payer on the forward 837s: its answers in tmp/name, and what its 277CAs say
    of each claim: {trace: {status, codes}}."""
    profile = tmp / "strict.json"
    profile.write_text(json.dumps(STRICT))
    edi837("ack", outbox / "forward", "--out", tmp / name, "--profile", profile, "--sender-id", "MEDICAREMAC",
           "--receiver-id", "EDI837", "-q", *extra)
    said: dict[str, dict[str, str]] = {}
    for path in (tmp / name).glob("*.277ca"):
        stc = ""
        for seg in x12_segments(path.read_text(encoding="latin-1")):
            if seg[0] == "STC":
                stc = seg[1]
            elif seg[0] == "REF" and seg[1] == "D9":
                said[seg[2]] = {"category": stc.split(":")[0], "codes": stc}
    return said


def drop(tmp: Path, inbox: Path, name: str = "payer") -> list[str]:
    names = []
    for path in sorted((tmp / name).glob("*")):
        if path.suffix in (".999", ".277ca"):
            shutil.copy(path, inbox / f"{name}-{path.name}")
            names.append(path.name)
    return names


def status(outbox: Path) -> dict:
    return json.loads(edi837("run", "--status", outbox, "--format", "json", ok=(0,)).stdout)


def test_the_payers_answers_close_the_loop(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    for name in INPUTS:
        shutil.copy(FIXTURE_DIR / name, inbox / name)
    run(inbox, outbox)
    before = status(outbox)
    assert before["counts"]["forwarded"] == len(before["forwarded"]) > 0  # none answered yet
    said = payer_answers(outbox, tmp_path)
    assert {s["category"] for s in said.values()} == {"A2", "A3"}  # the payer rejects some, accepts the rest
    assert drop(tmp_path, inbox)
    shutil.copy(SHARED / "samples" / "277ca" / "imsweb__x12-parser__x12_277CA_rejected.txt", inbox / "other.277")
    second = run(inbox, outbox)
    assert "other.277: 277CA claim answer for CLM01 3920394930203 names nothing forwarded" in second.stdout
    assert not [p for p in inbox.iterdir() if p.is_file()]  # every answer file recorded and archived

    after = status(outbox)
    claims = after["forwarded"]
    assert len(claims) == len(said) == len(before["forwarded"])
    for c in claims:
        want = said[c["trace"]]
        assert c["state"] == ("payer-accepted" if want["category"] == "A2" else "payer-rejected"), c
        assert f"277CA {want['codes']}" in c["detail"]
        assert {(a["kind"], a["level"]) for a in c["answers"]} >= {("999", "set"), ("999", "group"), ("277CA", "claim")}
    assert after["counts"]["forwarded"] == after["counts"]["overdue"] == 0
    assert [u["names"] for u in after["unmatched"]] == ["CLM01 3920394930203"]
    text = edi837("run", "--status", outbox, ok=(0,)).stdout
    assert "payer-rejected  CLM01 AMB-P-BLS-N-01" in text and "returned as unprocessable" in text
    # `edi837 responses --outbox` names the forwarded claims each answer concerns, or none
    answers = sorted(p for p in (tmp_path / "payer").iterdir() if p.suffix in (".999", ".277ca"))
    words = edi837("responses", *answers, outbox / "archive" / "other.277", "--outbox", outbox).stdout
    lines = [line for line in words.splitlines() if " claim answer for " in line]
    assert len(lines) == len(said) + 1
    assert all(" -> forwarded claims: CLM01 " in line for line in lines if "other.277" not in line)
    assert [line for line in lines if "other.277" in line][0].endswith("-> names nothing forwarded (unmatched)")

    # The payer answers the same forward 837s again (a later clock: other bytes, the same sets and claims).
    payer_answers(outbox, tmp_path, "again", "--fixed-time", "203001020304")
    assert len(drop(tmp_path, inbox, "again")) == 2 * len(INPUTS)
    third = run(inbox, outbox)
    assert "(answered again)" in third.stdout
    rows = status(outbox)["responses"]
    assert all(r["answered_again"] > 0 for r in rows if r["stem"].startswith("again-"))
    assert not any(r["answered_again"] for r in rows if not r["stem"].startswith("again-"))


def test_overdue_after_the_days_given(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(FIXTURE_DIR / "als-emergency.837", inbox / "als-emergency.837")
    run(inbox, outbox)
    assert status(outbox)["counts"]["overdue"] == 0
    late = json.loads(edi837("run", "--status", outbox, "--format", "json", "--overdue", "999=0", ok=(0,)).stdout)
    assert late["counts"]["overdue"] == 1 and "no 999 after" in late["forwarded"][0]["detail"]
    bad = edi837("run", "--status", outbox, "--overdue", "soon", ok=(2,))
    assert "--overdue takes DAYS" in bad.stderr


def test_a_ledger_of_the_release_before_is_migrated(tmp_path: Path) -> None:
    outbox, inbox = tmp_path / "out", tmp_path / "in"
    shutil.copytree(OLD_OUTBOX, outbox)
    inbox.mkdir()
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (0,)
        inputs = db.execute("SELECT count(*), sum(forwarded) FROM inputs").fetchone()
    old = edi837("run", "--status", outbox, ok=(0,)).stdout
    assert "made by an earlier release" in old
    done = run(inbox, outbox)
    assert "migrated to schema version 2 (3 forward 837s read, 28 forwarded claims recorded)" in done.stdout
    with sqlite3.connect(outbox / "ledger.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (2,)
        assert db.execute("SELECT count(*), sum(forwarded) FROM inputs").fetchone() == inputs  # untouched
    assert status(outbox)["counts"]["forwarded"] + status(outbox)["counts"]["overdue"] == inputs[1] == 28
    said = payer_answers(outbox, tmp_path)
    drop(tmp_path, inbox)
    run(inbox, outbox)
    claims = status(outbox)["forwarded"]
    assert len(claims) == 28 and all(c["state"] == "payer-accepted" for c in claims)
    assert {c["trace"] for c in claims} == set(said)


def test_a_kill_while_an_answer_file_is_recorded_loses_nothing_and_records_it_once(tmp_path: Path) -> None:
    """SIGKILL of the stage in the middle of a response's transaction, then after its commit and before
    its move: each next run finishes the work, and every answer is recorded exactly once."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(FIXTURE_DIR / "batch.837", inbox / "batch.837")
    run(inbox, outbox)
    payer_answers(outbox, tmp_path)
    drop(tmp_path, inbox)
    for step in ("response-answer", "response-recorded"):
        env = {**os.environ, "EDI837_FAILPOINT": step}
        killed = subprocess.run([*EDI837, "run", str(inbox), "--out", str(outbox), "--settle", "0", "--workers", "1"],
                                capture_output=True, text=True, timeout=180, env=env)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    run(inbox, outbox)
    assert not [p for p in inbox.iterdir() if p.is_file()]
    after = status(outbox)
    assert len(after["responses"]) == 2 and not any(r["answered_again"] for r in after["responses"])
    assert all(len([a for a in c["answers"] if a["level"] == "set"]) == 1 for c in after["forwarded"])
    assert after["counts"]["payer-accepted"] == len(after["forwarded"]) == 26


def test_an_answer_file_that_cannot_be_read_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    """A file that starts as a 999 (ISA, GS*FA) and then is not X12: quarantined with one located line
    (no control numbers spent, nothing recorded), as an unreadable 837 is; one that holds answers and
    breaks later is recorded with its problems."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    isa = b"ISA*00*          *00*          *ZZ*MEDICAREMAC    *ZZ*EDI837         *261207*0930*^*00501*000000077*0*T*:~"
    (inbox / "broken.999").write_bytes(isa + b"GS*FA*MEDICAREMAC*EDI837*20261207*0930*77*X*005010X231A1~" + bytes(range(256)) * 4)
    done = run(inbox, outbox)
    assert done.returncode == 1 and "broken.999: quarantined: broken.999: line" in done.stdout
    reason = (outbox / "quarantine" / "broken.999.reason").read_text()
    assert reason.startswith("broken.999: line ") and "\\x00" not in reason
    after = status(outbox)
    assert after["responses"] == [] and [i["state"] for i in after["inputs"]] == ["quarantined"]


def test_an_answer_file_written_to_after_its_hash_is_not_recorded(tmp_path: Path) -> None:
    """A sender still writing to a 999 after the stage hashed it: what is read is not the content
    hashed, so nothing is recorded (worker.Changed: the stage reads it again once it settles); the near
    miss, the same file unchanged since its hash, is recorded."""
    import pytest

    from edi837.stage import worker
    from edi837.stage.ledger import Ledger
    from edi837.stage.payer import record

    answer = tmp_path / "late.999"
    answer.write_bytes((SHARED / "samples" / "999" / "imsweb__x12-parser__x12_999_accepted.txt").read_bytes())
    hashed = worker.hash_file(str(answer))
    with open(answer, "ab") as late:
        late.write(b"\n")
    ledger = Ledger(tmp_path / "ledger.sqlite")
    with pytest.raises(worker.Changed):
        record(ledger, answer, "late.999", hashed.sha256, "late.999", print, (hashed.size, hashed.mtime_ns))
    assert ledger.find_response(hashed.sha256) is None and ledger.response_rows() == []
    again = worker.hash_file(str(answer))
    done = record(ledger, answer, "late.999", again.sha256, "late.999", print, (again.size, again.mtime_ns))
    assert done.kinds == ["999"] and ledger.find_response(again.sha256) is not None
    ledger.close()
