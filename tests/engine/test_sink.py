"""Where the checker's errors go (edi837/sink.py): the cap of MAX_FINDINGS and one X12-MORE, envelope
errors made into findings of their level, and a finding filed under its claim, person loop or set."""

from __future__ import annotations

from edi837.engine import sink
from edi837.engine.results import PERSON, TransactionResult
from edi837.findings import CLAIM, ERROR, GROUP, INTERCHANGE, TRANSACTION, Finding
from edi837.x12.envelope import EnvelopeError


def finding(k: int = 0, scope: str = CLAIM) -> Finding:
    return Finding(rule="X12-IK3-5", severity=ERROR, message=f"error {k}", scope=scope, element="REF02",
                   value="X", ik3="5")


def test_note_keeps_the_first_hundred_then_one_that_says_more() -> None:
    kept: list[Finding] = []
    for k in range(sink.MAX_FINDINGS + 50):
        sink.note(kept, finding(k))
    assert len(kept) == sink.MAX_FINDINGS + 1
    assert [f.message for f in kept[:3]] == ["error 0", "error 1", "error 2"]
    more = kept[-1]
    assert more.rule == "X12-MORE" and f"more than {sink.MAX_FINDINGS} errors" in more.message
    assert (more.element, more.value, more.ik3) == ("", "", "") and more.fix


def test_an_envelope_error_is_a_finding_of_its_level() -> None:
    def made(level: str, code: str) -> Finding:
        err = EnvelopeError(level, code, "a message", "SE", 30, 1200, "0001", line=32)
        return sink.envelope_finding(err, "a.837")

    tr = made("transaction", "4")
    assert (tr.rule, tr.scope, tr.transaction, tr.segment, tr.position, tr.line) == (
        "X12-ENV-TR4", TRANSACTION, "0001", "SE", 30, 32)
    assert tr.is_error and tr.fix and tr.file == "a.837"
    assert (made("group", "5").rule, made("group", "5").scope, made("group", "5").transaction) == ("X12-ENV-GR5", GROUP, "")
    assert (made("interchange", "001").rule, made("interchange", "001").scope) == ("X12-ENV-IN001", INTERCHANGE)


def test_place_files_a_finding_under_its_claim_person_loop_or_set() -> None:
    tx = TransactionResult(file="a.837", control="0001", version="005010X223A2")
    s = sink.FindingSink("a.837")
    s.place(finding(1, CLAIM), tx)
    s.place(finding(2, PERSON), tx)
    s.place(finding(3, TRANSACTION), tx)
    s.place(finding(4, CLAIM), None)  # outside any set: an orphan, filed with the next set
    assert [f.message for f in s.claim] == ["error 1"]
    assert [(f.message, f.scope) for f in s.person] == [("error 2", CLAIM)]
    assert [f.message for f in tx.findings] == ["error 3"]
    own, inherited = s.claim_closed()
    assert [f.message for f in own] == ["error 1"] and inherited == s.person and s.claim == []
    later = TransactionResult(file="a.837", control="0002", version="005010X223A2")
    s.new_set(later)
    assert [(f.message, f.scope, f.transaction) for f in later.findings] == [("error 4", TRANSACTION, "0002")]
    assert s.orphans == [] and s.person == []
