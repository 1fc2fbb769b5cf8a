"""`edi837 responses`: a payer's answers in words (the outside samples), its exit codes, and an 837
given by mistake (a located error that quotes no value, exit 2). The matching with --outbox is in
tests/stage/test_payer_loop.py, on a real stage's OUTBOX."""

from __future__ import annotations

import json

from builders import invoke
from conftest import FIXTURES, SHARED

SAMPLES = SHARED / "samples"
STUPIDEDI_999 = SAMPLES / "999" / "stupidedi__X231A1__response-to-functional-group-containing-3-837s.edi"
EMEDNY_277 = SAMPLES / "277ca" / "oopfactory__FromAlexbrodsky_eMedNY.277"


def test_answers_in_words_with_what_they_name() -> None:
    done = invoke("responses", str(STUPIDEDI_999), str(EMEDNY_277))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert any("999 set answer for GS06 17456 ST02 0001: accepted" in line for line in lines)
    rejected = [line for line in lines if "ST02 0002: rejected" in line][0]
    assert "CLM (segment 22)" in rejected and "data element 782" in rejected and "required data element missing" in rejected
    claim = [line for line in lines if "277CA claim answer for CLM01 3920394930203" in line][0]
    assert "A7:562:85" in claim and "National Provider Identifier" in claim and "billing provider" in claim
    assert "CLIFNAME" not in done.stdout and "XX99999X" not in done.stdout  # the 277CA's patient is never shown


def test_json_and_a_folder() -> None:
    done = invoke("responses", str(SAMPLES / "999"), "--format", "json")
    assert done.exit_code == 1
    files = json.loads(done.stdout)["files"]
    assert len(files) == len(list((SAMPLES / "999").iterdir()))
    kinds = {r["type"] for f in files for r in f["records"]}
    assert {"SetAck", "GroupAck"} <= kinds


def test_an_837_is_not_an_answer() -> None:
    done = invoke("responses", str(FIXTURES[0]))
    assert done.exit_code == 2
    assert "problem unreadable at GS GS01" in done.stdout and "GS01 must be FA for a 999 or HN for a 277CA" in done.stdout
