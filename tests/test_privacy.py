"""Envelope values are the sender's free text: a patient's name in GS01, GS08, ST01, ST03 (or a
control number, a count) must not reach a log line, an error line, a `.reason` file, results/*.json,
a run summary, the ledger or `run --status`. Messages quote a value only when it has its element's
form (a code, a version, a number); the input's own copies (archive/, quarantine/) and the answers
(whose AK1/AK2 echo the envelope, as X12 requires) are the only places it may be."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from edi837.x12.envelope import Envelope, Refused
from edi837.x12.read import segments

PATIENT = "JOHN Q PATIENT 1EG4TE5MK73"
EDI837 = [sys.executable, "-m", "edi837"]
BASE = next(p for p in FIXTURES if p.stem == "bls-emergency").read_text(encoding="latin-1")


def with_element(segment_id: str, index: int, value: str, text: str = BASE) -> str:
    """`text` with element `index` of its first `segment_id` segment set to `value`."""
    start = text.index(f"~{segment_id}*") + 1
    end = text.index("~", start)
    elements = text[start:end].split("*")
    elements[index] = value
    return text[:start] + "*".join(elements) + text[end:]


CASES = {"gs01": ("GS", 1), "gs08": ("GS", 8), "st01": ("ST", 1), "st03": ("ST", 3)}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file per element, each with the patient's name in that element."""
    folder = tmp_path_factory.mktemp("privacy") / "inbox"
    folder.mkdir()
    for name, (segment_id, index) in CASES.items():
        (folder / f"{name}.837").write_text(with_element(segment_id, index, PATIENT), encoding="latin-1")
    return folder


def assert_not_in(*outputs: str | bytes) -> None:
    for out in outputs:
        text = out.decode("latin-1") if isinstance(out, bytes) else out
        assert PATIENT not in text and "1EG4TE5MK73" not in text, text[:2000]


def test_check_quotes_no_envelope_free_text(inbox: Path) -> None:
    done = subprocess.run([*EDI837, "check", str(inbox)], capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and done.stdout.count(b"UNREADABLE") == len(CASES), done.stdout
    assert_not_in(done.stdout, done.stderr)
    for words in (b"GS01 is not a functional identifier code", b"GS08 is not a version code",
                  b"ST01 is not a transaction set identifier code", b"ST03 is not a version code"):
        assert words in done.stdout


def test_ack_quotes_no_envelope_free_text(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "acks"
    done = subprocess.run([*EDI837, "ack", str(inbox), "--out", str(out)], capture_output=True, cwd=ROOT, check=False)
    assert done.returncode in (1, 2) and b"Traceback" not in done.stderr, done.stderr
    assert_not_in(done.stdout, done.stderr)
    answers = [p for p in out.rglob("*") if p.suffix in (".999", ".277ca", ".837")]
    assert len([p for p in answers if p.suffix == ".999"]) == len(CASES)
    assert_not_in(*(p.read_bytes() for p in out.rglob("*") if p.is_file() and p not in answers))  # its state, logs


def test_run_quotes_no_envelope_free_text(inbox: Path, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    for f in inbox.iterdir():
        (drop / f.name).write_bytes(f.read_bytes())
    outbox = tmp_path / "out"
    done = subprocess.run([*EDI837, "run", str(drop), "--out", str(outbox), "--settle", "0", "--workers", "1"],
                          capture_output=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    assert_not_in(done.stdout, done.stderr)
    reasons = sorted(outbox.glob("quarantine/*.reason"))
    assert len(reasons) == len(CASES)
    written = [*reasons, *outbox.glob("results/*.json"), *outbox.glob("runs/*.json"), *outbox.glob("ledger.sqlite*")]
    assert_not_in(*(p.read_bytes() for p in written))
    status = subprocess.run([*EDI837, "run", "--status", str(outbox)], capture_output=True, cwd=ROOT, check=False)
    assert status.returncode == 0 and status.stdout.count(b"quarantined") >= len(CASES), status
    assert_not_in(status.stdout, status.stderr)
    assert PATIENT.encode() in (outbox / "quarantine" / "gs08.837").read_bytes()  # the input's own copy


def refusal(text: str) -> Refused:
    env = Envelope("x.837")
    with pytest.raises(Refused) as info:
        for seg in segments(iter_bytes(text), "x.837"):
            env.feed(seg)
    return info.value


def iter_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("latin-1"))


@pytest.mark.parametrize(("segment_id", "index", "value", "message"), [
    ("GS", 8, "005010X222A2", "GS08 '005010X222A2' is a later errata of the 837P guide"),
    ("ST", 3, "005010X222A1", "ST03 '005010X222A1' is not its group's guide (GS08 '005010X223A2')"),
    ("GS", 8, "005010X999", "GS08 '005010X999' is not a guide this engine checks"),
    ("GS", 8, "005010JOHNQP", "GS08 is not a version code (such as 005010X223A2)"),
    ("GS", 8, "", "GS08 is not a version code"),
    ("GS", 1, "FA", "functional group 'FA' is not health care claims"),
    ("GS", 1, "JOHN", "GS01 is not a functional identifier code (GS01 must be HC for an 837)"),
    ("ST", 1, "835", "transaction set '835' is not an 837 claim"),
    ("ST", 1, "DOE", "ST01 is not a transaction set identifier code (ST01 must be 837)"),
    ("ST", 3, "004010X096A1", "ST03 '004010X096A1' is the 4010 837I guide"),
    ("ST", 3, "JANE DOE", "ST03 is not a version code"),
])
def test_a_refusal_quotes_a_value_only_of_its_form(segment_id: str, index: int, value: str, message: str) -> None:
    err = refusal(with_element(segment_id, index, value))
    assert err.message.startswith(message), err.message
    if message.startswith(f"{segment_id}0{index} is not"):
        assert value not in err.message or not value


def test_control_numbers_and_counts_are_quoted_only_when_numbers() -> None:
    text = with_element("SE", 2, "JANEDOE").replace("~GE*1*", "~GE*ONE*", 1)
    env = Envelope("x.837")
    messages = [e.message for seg in segments(iter_bytes(text), "x.837") for e in env.feed(seg)]
    assert "SE02 (not shown: not of its form) does not match ST02 '0001'" in messages, messages
    assert "GE01 says (not shown: not of its form) transaction sets; the group has 1" in messages, messages
    assert not [m for m in messages if "JANEDOE" in m or "ONE" in m]
    named = with_element("ST", 2, "JANEDOE").replace("~SE*", "~XX*", 1)  # a set left open, named by its ST02
    env = Envelope("x.837")
    messages = [e.message for seg in segments(iter_bytes(named), "x.837") for e in env.feed(seg)]
    assert "transaction set (not shown: not of its form) has no SE trailer" in messages, messages
