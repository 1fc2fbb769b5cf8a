"""Claim-level isolation and where each error lands: claim, subscriber block, or the whole set."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io

import pytest
from builders import mutants
from conftest import FIXTURES, ROOT

from edi837 import rules
from edi837.answers import acknowledge, control
from edi837.answers.write.report import Summary
from edi837.engine import results as results_mod
from edi837.engine.pipeline import Checker, parse_stream, results
from edi837.engine.results import TransactionResult
from edi837.errors import InputError

BATCH = (ROOT / "fixtures" / "batch.837").read_text()
TWO_ST = (ROOT / "fixtures" / "two-st.837").read_text()


def check(text: str) -> list[TransactionResult]:
    checker = Checker(rules.load_profile(), rules.Context(today=dt.date(2026, 11, 22)))
    return [x for x in checker.run(io.BytesIO(text.encode()), "t.837") if isinstance(x, TransactionResult)]


def statuses(tx: TransactionResult) -> dict[str, str]:
    return {c.claim.claim_id: c.status for c in tx.claims}


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_batch_is_clean() -> None:
    [tx] = check(BATCH)
    assert tx.ack == "A" and set(statuses(tx).values()) == {"accepted"} and len(tx.claims) == 26


def test_an_error_in_a_claim_rejects_that_claim_only() -> None:
    [tx] = check(edit(BATCH, "CLM*BATCH-0-1*716.00***13:A:1**A*Y*Y", "CLM*BATCH-0-1*716.00***13:A:1**Q*Y*Y"))
    got = statuses(tx)
    assert got.pop("BATCH-0-1") == "rejected"
    assert set(got.values()) == {"accepted"}
    assert tx.ack == "E"
    [f] = [f for c in tx.claims for f in c.findings if f.is_error]
    assert (f.loop, f.segment, f.element, f.ik4, f.value, f.claim_id) == ("2300", "CLM", "CLM07", "7", "Q", "BATCH-0-1")


def test_an_error_in_a_subscriber_loop_rejects_its_claims_only() -> None:
    [tx] = check(edit(BATCH, "DMG*D8*19460712*F", "DMG*D8*19461332*F"))
    got = statuses(tx)
    first_subscriber = {cid: s for cid, s in got.items() if cid.startswith("BATCH-0-")}
    assert set(first_subscriber.values()) == {"rejected"} and len(first_subscriber) == 5
    assert {s for cid, s in got.items() if cid not in first_subscriber} == {"accepted"}
    assert tx.ack == "E"
    dmg = {(f.loop, f.segment, f.ik4) for c in tx.claims for f in c.all_findings}
    assert dmg == {("2010BA", "DMG", "8")}


def test_an_error_in_the_billing_provider_rejects_the_whole_set() -> None:
    [tx] = check(edit(BATCH, "N4*SPRINGFIELD*IL*627690001", "N4*SPRINGFIELD*IL*62769"))
    assert tx.ack == "R" and set(statuses(tx).values()) == {"rejected"}
    assert [(f.loop, f.segment, f.element) for f in tx.findings] == [("2010AA", "N4", "N403")]


def test_one_set_rejected_leaves_the_other_set_alone() -> None:
    text = TWO_ST.replace("BHT*0019*00*0001*", "BHT*0019*99*0001*", 1)
    first, second = check(text)
    assert (first.ack, second.ack) == ("R", "A")


def test_a_stray_segment_after_se_is_reported_against_that_set() -> None:
    text = TWO_ST.replace("SE*30*0001~", "SE*30*0001~DTP*472*D8*20260914~", 1)
    first, second = check(text)
    assert first.ack == "R" and second.ack == "A"
    [f] = first.findings
    assert (f.rule, f.segment, f.position) == ("X12-IK3-1", "DTP", 31)
    assert "after the transaction set trailer" in f.message


def test_a_segment_between_gs_and_st_is_reported_with_the_set_that_follows() -> None:
    text = edit(TWO_ST, "~ST*837*0001*", "~REF*EI*371234567~ST*837*0001*")
    first, second = check(text)
    assert first.ack == "R" and second.ack == "A"
    assert [(f.rule, f.segment, f.position, f.transaction) for f in first.findings] == [("X12-IK3-1", "REF", 0, "0001")]


def test_cr1_gets_the_institutional_mileage_hint() -> None:
    text = edit(BATCH, "CLM*BATCH-0-1*716.00***13:A:1**A*Y*Y~", "CLM*BATCH-0-1*716.00***13:A:1**A*Y*Y~CR1*LB*140**A*DH*12~")
    text = edit(text, "SE*352*0001", "SE*353*0001")
    [tx] = check(text)
    [f] = [f for c in tx.claims for f in c.all_findings if f.segment == "CR1"]
    assert f.claim_id == "BATCH-0-1" and "SV205" in f.message and "A0425" in f.message
    assert statuses(tx)["BATCH-0-1"] == "rejected" and statuses(tx)["BATCH-0-0"] == "accepted"


@pytest.mark.parametrize("spool_claims", [results_mod.SPOOL_CLAIMS, 1])
def test_reading_leaves_no_reference_cycles(tmp_path, monkeypatch, spool_claims: int) -> None:
    """The CLI runs the cycle collector only between files (cli.main): check, parse and ack of good and
    bad input, with the claims of a set in memory or spooled to disk, must free everything by
    reference counting alone."""
    monkeypatch.setattr(results_mod, "SPOOL_CLAIMS", spool_claims)
    paths = []
    good = FIXTURES[0].read_bytes()
    batch = next(p for p in FIXTURES if p.stem == "batch").read_bytes()
    for i, data in enumerate([good, good[:len(good) // 2], b"garbage", batch, *mutants(20, 31)]):
        paths.append(tmp_path / f"{i}.837")
        paths[-1].write_bytes(data)
    settings = control.load_settings(None, None, None, dt.datetime(2026, 11, 23), tmp_path)
    checker = Checker(rules.load_profile(), rules.Context(), keep_segments=True)
    gc.collect()
    gc.disable()
    try:
        for p in paths:
            list(results(str(p), checker))
            with contextlib.suppress(InputError):
                list(parse_stream(io.BytesIO(p.read_bytes()), str(p)))
            acknowledge.answer(str(p), checker, settings, control.ControlNumbers(settings), tmp_path / "out", Summary())
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_set_is_let_go_before_the_next_is_read() -> None:
    """Memory holds one transaction set (and the head of the next, whose ST closed it): the one before
    is freed once it is rendered, so no set older than the one being rendered is alive. Counted among
    the objects the cycle collector tracks, which works the same for compiled classes as for Python's."""
    path = next(p for p in FIXTURES if p.stem == "two-st")
    checker = Checker(rules.load_profile(), rules.Context())
    alive: list[list[str]] = []
    gc.collect()  # what earlier tests left

    def render(tx: TransactionResult) -> str:
        alive.append(sorted(o.control for o in gc.get_objects() if isinstance(o, TransactionResult)))
        return tx.control

    sets = [item for item in results(str(path), checker, 1, render) if isinstance(item, str)]
    assert sets == ["0001", "0002"]
    assert [controls[0] for controls in alive] == sets  # the set rendered is the oldest alive


def test_a_claim_lists_its_first_hundred_errors_and_keeps_no_segments_once_in_error() -> None:
    """150 repeated REF*6R in one service line are 150 errors: the claim lists the first MAX_FINDINGS
    and one saying more were found (memory stays bounded however many there are), and it is rejected.
    A claim in error is never forwarded, so its segments stop being kept for the forward 837."""
    from edi837.engine.sink import MAX_FINDINGS

    segs = BATCH.split("~")
    clm = next(i for i, s in enumerate(segs) if s.startswith("CLM*"))
    lx = next(i for i in range(clm, len(segs)) if segs[i].startswith("LX*"))
    segs[lx + 2:lx + 2] = ["REF*6R*X"] * (MAX_FINDINGS + 51)
    se = next(i for i in range(lx, len(segs)) if segs[i].startswith("SE*"))
    _, count, control = segs[se].split("*")
    segs[se] = f"SE*{int(count) + MAX_FINDINGS + 51}*{control}"  # the set itself stays sound
    checker = Checker(rules.load_profile(), rules.Context(today=dt.date(2026, 11, 22)), keep_segments=True)
    [tx, *_] = [x for x in checker.run(io.BytesIO("~".join(segs).encode()), "t.837") if isinstance(x, TransactionResult)]
    first = next(iter(tx.claims))
    assert first.status == "rejected" and len(first.findings) == MAX_FINDINGS + 1
    assert {f.rule for f in first.findings[:MAX_FINDINGS]} == {"X12-IK3-5"}
    more = first.findings[-1]
    assert more.rule == "X12-MORE" and more.is_error and "the rest are not listed" in more.message and not more.ik3
    assert len(first.segments) == lx + 3 - clm  # up to the first extra REF, not the 150 after it
    assert [c.status for c in tx.claims][1:] == ["accepted"] * (len(tx.claims) - 1)


def test_an_interchange_left_open_by_the_next_isa_is_closed_with_its_error() -> None:
    """Before: the next ISA replaced it unanswered, and its missing IEA was reported nowhere (no TA1)."""
    from edi837.engine.results import InterchangeResult

    text = (ROOT / "fixtures" / "cah.837").read_text()
    cut = text[:text.index("IEA")] + text
    checker = Checker(rules.load_profile(), rules.Context(today=dt.date(2026, 11, 22)))
    items = list(checker.run(io.BytesIO(cut.encode()), "t.837"))
    inters = [x for x in items if isinstance(x, InterchangeResult)]
    assert len(inters) == 2
    assert [f.rule for f in inters[0].findings if f.rule.startswith("X12-ENV")] == ["X12-ENV-IN023"]
    assert not [f for f in inters[1].findings if f.rule.startswith("X12-ENV")]
