"""The verdicts: a claim's status, a set's decision (a claim rejected with its set says why, spilled
or not), and what the 999 (IK5, AK9) and TA1 say."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from builders import BATCH, LF, a_claim, check, cli, edit

from edi837.engine import results as results_mod
from edi837.engine.results import (
    ClaimResult,
    GroupResult,
    InterchangeResult,
    SetClaims,
    TransactionResult,
    claim_status,
)
from edi837.findings import CLAIM, ERROR, TRANSACTION, WARNING, Finding
from edi837.x12.read import DEFAULT_DELIMITERS

ERR = Finding(rule="AMB006", severity=ERROR, message="a claim error")
WARN = Finding(rule="AMB016", severity=WARNING, message="a claim warning")
SET_ERR = Finding(rule="X12-IK3-3", severity=ERROR, message="a required segment is missing",
                  scope=TRANSACTION, transaction="0001", ik3="3")


def claim(claim_id: str, findings: list[Finding] = (), inherited: list[Finding] = ()) -> ClaimResult:
    return ClaimResult(claim=a_claim(claim_id=claim_id), findings=list(findings), inherited=list(inherited))


def test_claim_status() -> None:
    assert claim_status(claim("A"), set_error=False) == "accepted"
    assert claim_status(claim("W", [WARN]), set_error=False) == "accepted"  # warnings never reject
    assert claim_status(claim("E", [ERR]), set_error=False) == "rejected"
    assert claim_status(claim("P", inherited=[ERR]), set_error=False) == "rejected"  # its person loop's error
    assert claim_status(claim("A"), set_error=True) == "rejected"  # the set's error rejects every claim


def test_set_claims_decide_without_a_set_error() -> None:
    kept = SetClaims()
    for c in (claim("A"), claim("E", [ERR]), claim("W", [WARN])):
        kept.append(c)
    kept.decide([])
    assert [(c.claim.claim_id, c.status) for c in kept] == [("A", "accepted"), ("E", "rejected"), ("W", "accepted")]
    assert kept.accepted == 2 and not kept.set_error and kept.reason is None
    assert [len(c.findings) for c in kept] == [0, 1, 1]  # nobody is told of a set error that is not there


def test_set_claims_decide_with_a_set_error_tells_each_claim_why() -> None:
    kept = SetClaims()
    for c in (claim("A"), claim("E", [ERR])):
        kept.append(c)
    kept.decide([SET_ERR])
    a, e = list(kept)
    assert a.status == e.status == "rejected" and kept.accepted == 0
    told = a.findings[0]
    assert told.scope == TRANSACTION and told.claim_id == "A" and told.stc == ("A3:21",)
    assert told.ik3 == "" and "rejected with its transaction set 0001" in told.message
    assert e.findings == [ERR]  # a claim with an error of its own keeps its own reason
    assert all(f.scope == CLAIM for f in e.findings)


def transaction(findings: list[Finding], claims: list[ClaimResult]) -> TransactionResult:
    t = TransactionResult(file="f", control="0001", version="005010X223A2",
                          findings=findings)
    for c in claims:
        t.claims.append(c)
    t.decide()
    return t


def test_transaction_result_ack() -> None:
    assert transaction([], [claim("A"), claim("W", [WARN])]).ack == "A"
    assert transaction([], [claim("A"), claim("E", [ERR])]).ack == "E"  # claim-level errors only
    assert transaction([], [claim("E", [ERR])]).ack == "E"
    assert transaction([SET_ERR], [claim("A")]).ack == "R"
    assert transaction([WARN], [claim("A")]).ack == "A"  # a set warning rejects nothing


def test_ik5_reasons_add_5_once_and_keep_five_at_most() -> None:
    t = transaction([], [claim("A")])
    t.ik5 = ["4", "3"]
    assert t.ik5_reasons(segment_errors=True) == ["4", "3", "5"]
    assert t.ik5_reasons(segment_errors=False) == ["4", "3"]
    t.ik5 = ["1", "2", "3", "4", "6", "7"]
    assert len(t.ik5_reasons(segment_errors=True)) == 5


@pytest.mark.parametrize("sets,verdicts,expected", [
    (2, Counter(A=2), ("A", 2)),
    (2, Counter(A=1, E=1), ("E", 2)),
    (2, Counter(A=1, R=1), ("P", 1)),
    (2, Counter(R=2), ("R", 0)),
    (0, Counter(), ("R", 0)),
])
def test_group_result_ak9(sets: int, verdicts: Counter, expected: tuple[str, int]) -> None:
    g = GroupResult(file="f", control="1", gs=[], sets=sets)
    status, accepted, codes = g.ak9(verdicts)
    assert (status, accepted) == expected and codes == []


def test_a_group_trailer_error_makes_an_accepted_group_e_with_its_code() -> None:
    g = GroupResult(file="f", control="1", gs=[], sets=1, ak905=["5"])
    assert g.ak9(Counter(A=1)) == ("E", 1, ["5"])


def test_interchange_result_ta1_code() -> None:
    def ta1(*codes: str) -> str | None:
        return InterchangeResult(file="f", isa=[], delims=DEFAULT_DELIMITERS, ta105=list(codes)).ta1_code()

    assert ta1() is None
    assert ta1("001", "021") == "001"  # the first one
    assert ta1("999") == "000"  # a code the TA1 has no word for


def test_the_envelope_codes_are_filed_as_codes_not_read_back_from_rule_ids() -> None:
    """The AK905 and TA105 codes come from the envelope errors as the sink files them."""
    text = edit(LF, "GE*1*2061", "GE*2*2061")  # the group trailer counts one set too many
    text = text.replace("IEA*1*", "IEA*2*")  # and the interchange trailer one group too many
    groups = [x for x in check(text) if isinstance(x, GroupResult)]
    inters = [x for x in check(text) if isinstance(x, InterchangeResult)]
    assert groups[0].ak905 == ["5"] and groups[0].ak9(Counter(A=1))[2] == ["5"]
    assert inters[0].ta105 == ["021"] and inters[0].ta1_code() == "021"
    assert any(f.rule == "X12-ENV-GR5" for f in groups[0].findings)


def test_a_claim_rejected_with_its_set_carries_the_sets_error_in_text_and_json(tmp_path: Path) -> None:
    text = edit(LF, "SE*30*0001", "SE*31*0001")
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    [c] = list(tx.claims)
    assert c.status == "rejected"
    [f] = c.all_findings
    assert (f.rule, f.scope, f.segment, f.position, f.line) == ("X12-ENV-TR4", TRANSACTION, "SE", 30, 32)
    assert f.claim_id == "LF-1" and "rejected with its transaction set 0001" in f.message and f.fix
    path = tmp_path / "se.837"
    path.write_text(text)
    _, out = cli("check", "--format", "json", str(path))
    [claim] = json.loads(out)["files"][0]["claims"]
    assert [(g["rule"], g["scope"], g["segment"]) for g in claim["findings"]] == [("X12-ENV-TR4", "transaction", "SE")]
    _, out = cli("check", str(path))
    claim_part = out.split("REJECTED claim LF-1")[1]
    assert "X12-ENV-TR4 SE (segment 30, file line 32)" in claim_part and "rejected with its transaction set" in claim_part


def test_every_claim_of_a_set_rejected_in_its_billing_provider_says_why() -> None:
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    assert len(tx.claims) == 26
    for c in tx.claims:
        assert c.status == "rejected"
        assert [(f.rule, f.segment, f.element, f.scope) for f in c.all_findings if f.is_error] == [
            ("X12-IK4-7", "N4", "N403", TRANSACTION)]


def test_a_claim_with_errors_of_its_own_is_not_given_the_sets_error() -> None:
    text = edit(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"),
                "CLM*BATCH-0-1*716.00***13:A:1**A*Y*Y", "CLM*BATCH-0-1*716.00***13:A:1**Q*Y*Y")
    [tx] = [x for x in check(text) if isinstance(x, TransactionResult)]
    own = next(c for c in tx.claims if c.claim.claim_id == "BATCH-0-1")
    assert [f.element for f in own.all_findings if f.is_error] == ["CLM07"]


def test_a_claim_rejected_through_its_person_loop_carries_that_loops_error() -> None:
    [tx] = [x for x in check(edit(BATCH, "DMG*D8*19460712*F", "DMG*D8*19461332*F"))
            if isinstance(x, TransactionResult)]
    rejected = [c for c in tx.claims if c.status == "rejected"]
    assert len(rejected) == 5
    for c in rejected:
        assert [(f.loop, f.segment, f.element, f.scope) for f in c.all_findings if f.is_error] == [
            ("2010BA", "DMG", "DMG02", CLAIM)]


def test_a_spilled_claim_rejected_with_its_set_says_why_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results_mod, "SPOOL_CLAIMS", 3)
    [tx] = [x for x in check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
            if isinstance(x, TransactionResult)]
    assert tx.claims.spills
    assert all([f.rule for f in c.all_findings if f.is_error] == ["X12-IK4-7"] for c in tx.claims)


def test_set_reason_names_the_count_of_the_sets_errors() -> None:
    a = Finding(rule="X12-ENV-TR4", severity="error", message="SE01 is wrong", scope=TRANSACTION, transaction="7")
    b = Finding(rule="X12-IK3-3", severity="error", message="missing", scope=TRANSACTION, transaction="7")
    reason = results_mod.set_reason([a, b])
    assert reason is not None and reason.rule == "X12-ENV-TR4" and reason.stc == ("A3:21",)
    assert reason.message.endswith("SE01 is wrong (and 1 more error of the set, listed with it)")
    assert results_mod.set_reason([]) is None


def test_spool_order_counts_and_verdicts() -> None:
    from edi837.findings import Finding

    bad = Finding(rule="AMB006", severity="error", message="m")
    results = [ClaimResult(claim=a_claim(claim_id=f"C{k}"),
                           findings=[bad] if k % 3 == 0 else [], inherited=[], number=k)
               for k in range(1, 11)]
    kept = SetClaims(limit=4)
    for r in results:
        kept.append(r)
    assert len(kept) == 10 and kept.spills
    kept.decide([])
    assert [c.number for c in kept] == list(range(1, 11)) == [c.number for c in kept]  # as often as needed
    assert [c.status for c in kept] == ["rejected" if k % 3 == 0 else "accepted" for k in range(1, 11)]
    assert kept.accepted == 7
    kept.decide([bad])  # a set-level error rejects every claim, on disk too
    assert {c.status for c in kept} == {"rejected"} and kept.accepted == 0
    assert all(c.findings[0].scope == "transaction" for c in kept if c.number % 3)  # each told why
    small = SetClaims(limit=4)
    small.append(results[0])
    assert not small.spills and len(small) == 1
