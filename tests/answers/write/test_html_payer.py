"""`edi837 report --responses`: the payer's answers beside each claim, on a real loop.

A copy of the 837P batch fixture with two claims whose CR106 disagrees with the miles billed (a
warning for medicare, an error for the bundled `mileage-strict` profile) and one with a code the guide
does not allow (an IK3 whose CTX names the claim) is answered by edi837 itself acting as a payer with
`mileage-strict`; its 999 and 277CA, another fixture's 277CA (answers to claims the report does not
hold) and an answer file that cannot be read are given to `report`, and the page is opened in
headless Chromium (one session) as test_html.py does. The matching (answers/write/payer.py) is tested
without HTML on real answers too: claims sharing a CLM01, a forward 837's traces (which repeat between
`ack` runs into fresh folders), a 999 of another group.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from builders import invoke
from conftest import ROOT
from lxml import html as lxml_html

import edi837
from edi837.answers.write.payer import PayerAnswers

TODAY = dt.date(2026, 11, 22)
BATCH = ROOT / "fixtures" / "837p-batch.837"
OTHER = ROOT / "fixtures" / "bls-emergency.837"
PAYER_NUMBER = "PCN<b>1</b>&"  # a payer claim number (REF*1K) put on the first claim's answer: text on the page
BAD_VALUE = "ZZ"  # SV103 of claim 03: the 999's IK404 copies it; the payer's section must not show it
MUTATIONS = (  # (what, into): the claims the payer (mileage-strict) rejects and why
    ("CLM*AMB-P-BATCH-02*552.80***41:B:1*Y*A*Y*Y~CR1*LB*195**A*DH*5.2",
     "CLM*AMB-P-BATCH-02*552.80***41:B:1*Y*A*Y*Y~CR1*LB*195**A*DH*6"),  # AMBP003: CR106 6, SV104 5.2
    ("CR1*LB*190**A*DH*3.2", "CR1*LB*190**A*DH*9"),  # AMBP003 on claim 04
    ("SV1*HC:A0429:RH*650.00*UN*1", f"SV1*HC:A0429:RH*650.00*{BAD_VALUE}*1"),  # SV103: a guide error (IK3/IK4)
)


def sent_text() -> str:
    text = BATCH.read_text()
    for old, new in MUTATIONS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def with_payer_number(ack277: bytes) -> bytes:
    """The 277CA with a REF*1K (PAYER_NUMBER) on its first claim, and its SE count one more."""
    text = ack277.decode("latin-1").replace("REF*D9*", f"REF*1K*{PAYER_NUMBER}~REF*D9*", 1)
    count = re.search(r"~SE\*(\d+)\*", text)
    assert count is not None
    return (text[:count.start(1)] + str(int(count.group(1)) + 1) + text[count.end(1):]).encode("latin-1")


def claim_statuses(data: bytes) -> dict[str, edi837.ClaimStatus]:
    return {r.claim_id: r for r in edi837.read_responses(data) if isinstance(r, edi837.ClaimStatus)}


def chromium_dom(page: Path) -> lxml_html.HtmlElement:
    """The page's DOM as headless Chromium makes it (test_html.py's flags; skipped without Chromium
    unless CI is set)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI installs the Debian package chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--virtual-time-budget=2000", "--dump-dom"]
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([found, *flags, f"--user-data-dir={profile}", page.resolve().as_uri()],
                              capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return lxml_html.fromstring(done.stdout)


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sent file, the payer's answers to it (a folder), another fixture's 277CA, and the report."""
    d = tmp_path_factory.mktemp("loop")
    sent = d / "sent.837"
    sent.write_text(sent_text())
    payer = edi837.answer(sent, profile="mileage-strict", today=TODAY)
    folder = d / "payer"
    folder.mkdir()
    (folder / "sent.837.999").write_bytes(payer.ack999)
    (folder / "sent.837.277ca").write_bytes(with_payer_number(payer.ack277))
    (folder / "noise.ta1").write_text("not an X12 answer at all\n")
    (folder / "sent.837.accepted.837").write_bytes(payer.forward837 or b"")  # not an answer's name: not read
    other = d / "other.277ca"
    other.write_bytes(edi837.answer(OTHER, today=TODAY).ack277)
    page = d / "report.html"
    res = invoke("report", "--today", TODAY.isoformat(), "-o", str(page), str(sent),
                 "--responses", str(folder), "--responses", str(other))
    assert res.exit_code == 1, res.output  # the report's own check rejects claim 03 too (its SV103)
    return {"sent": sent, "payer": payer, "other": other, "page": page, "folder": folder}


def test_each_claim_shows_what_the_payer_said(loop: dict) -> None:
    payer = claim_statuses((loop["folder"] / "sent.837.277ca").read_bytes())
    assert sorted(s.status for s in payer.values()) == ["accepted", "rejected", "rejected", "rejected"]
    assert [s.payer_claim_number for s in payer.values()] == [PAYER_NUMBER, "", "", ""]
    [set_ack] = [r for r in edi837.read_responses(loop["payer"].ack999) if isinstance(r, edi837.SetAck)]
    others = claim_statuses(loop["other"].read_bytes())
    doc = chromium_dom(loop["page"])

    cards = doc.xpath("//article[contains(@class, 'claim')]")
    assert sorted(c.get("data-claim") for c in cards) == sorted(payer)
    for card in cards:
        said = payer[card.get("data-claim")]
        [section] = card.xpath(".//section[@class='payer']")
        text = " ".join(section.text_content().split())
        assert section.get("data-status") == said.status, text
        [stc] = section.xpath("./div[@class='stc']")
        assert stc.get("data-status") == said.status
        for status in said.statuses:
            assert status.text in text and status.words in text
        for line in said.lines:  # a rejected claim's service lines, with their own codes
            assert any(line.service in row.text_content() for row in section.xpath(".//table[@class='payer-lines']//tr"))
        [ak] = section.xpath("./div[@class='ak']")
        assert ak.get("data-status") == set_ack.status and f"IK5*{set_ack.ack}" in ak.text_content()
        own = section.xpath(".//li[@class='own']")
        named = [n for n in set_ack.segments if n.claim_id == said.claim_id]
        assert len(own) == len(named)
        for li, note in zip(own, named, strict=True):
            assert note.words in " ".join(li.text_content().split())
            assert note.elements and all(e.value == BAD_VALUE for e in note.elements)
        assert BAD_VALUE not in text  # the IK404 copy of the bad value is never shown
        assert [b.text_content() for b in section.xpath(".//b[@class='pcn']")] == (
            [said.payer_claim_number] if said.payer_claim_number else [])

    assert sum(bool(c.xpath(".//li[@class='own']")) for c in cards) == 1  # claim 03's SV103
    summary = " ".join(doc.xpath("//p[@class='payer-counts']")[0].text_content().split())
    assert "of the 4 claims, 1 accepted, 3 rejected, 0 noted, 0 awaiting a 277CA, 0 with no answer" in summary

    rows = doc.xpath("//section[@id='payer-unmatched']//tbody/tr")
    kinds = [r.xpath("./td")[0].text_content() for r in rows]
    left_claims = [" ".join(r.xpath("./td")[1].text_content().split()) for r in rows if r.xpath("./td")[0].text_content() == "277CA claim"]
    assert [c.split(",")[0] for c in left_claims] == [f"claim {cid}" for cid in others]
    assert kinds.count("999 functional group") == 1 and "999 transaction set" not in kinds
    assert kinds.count("problem with the answer file") == 1  # noise.ta1; the forward 837 in the folder is not read
    read = [*edi837.read_responses(loop["payer"].ack999), *edi837.read_responses(loop["folder"] / "sent.837.277ca"),
            *edi837.read_responses(loop["other"]), *edi837.read_responses(loop["folder"] / "noise.ta1")]
    matched = len(payer) + 1  # the 277CA claims and the 999 set of the sent file
    assert len(rows) == len(read) - matched
    assert f"{len(rows)} answers that name no claim" in summary
    for claim in edi837.parse(OTHER):  # answers to another file bring no patient of it into the page
        assert claim.patient.last not in doc.text_content()


def test_without_responses_the_report_has_no_payer_markup(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert invoke("report", "--today", TODAY.isoformat(), "-o", str(page), str(BATCH)).exit_code == 0
    text = page.read_text()
    for markup in ('class="payer"', "payer-unmatched", "payer-counts", "Payer's answer", "section.payer"):
        assert markup not in text


def test_claims_sharing_a_clm01_are_told_apart_by_charge(tmp_path: Path) -> None:
    """Two claims with one CLM01 (632.80 accepted, 552.80 rejected by the payer): each gets its own."""
    dup = sent_text().replace("CLM*AMB-P-BATCH-02*", "CLM*AMB-P-BATCH-01*").encode()
    answers = edi837.answer(dup, profile="mileage-strict", today=TODAY)
    statuses = [r for r in edi837.read_responses(answers.ack277) if isinstance(r, edi837.ClaimStatus)]
    assert [s.claim_id for s in statuses].count("AMB-P-BATCH-01") == 2
    payer = PayerAnswers.from_records(statuses)
    first, second = [c for c in edi837.parse(dup) if c.claim_id == "AMB-P-BATCH-01"]
    got = [payer.for_claim(c, "3130").statuses for c in (first, second)]
    assert [[s.charge for s in g] for g in got] == [["632.80"], ["552.80"]]
    assert [g[0].status for g in got] == ["accepted", "rejected"]


def test_a_forward_837_is_matched_by_its_traces_not_by_a_repeated_one() -> None:
    """The clearinghouse forwards the claims it accepts with REF*D9 traces; the payer echoes them.
    Another file answered into a fresh folder gets the same traces for other claims: not matched."""
    forward = edi837.answer(sent_text().encode(), today=TODAY).forward837
    assert forward is not None
    claims = list(edi837.parse(forward))
    assert claims and all(c.clearinghouse_trace for c in claims)
    payer = edi837.answer(forward, profile="mileage-strict", today=TODAY)
    other = edi837.answer(OTHER, today=TODAY).ack277
    repeated = {s.trace for s in claim_statuses(other).values()} & {c.clearinghouse_trace for c in claims}
    assert repeated  # the hazard is real, not assumed
    answers = PayerAnswers.from_records([*edi837.read_responses(payer.ack277), *edi837.read_responses(other)])
    for claim in claims:
        [said] = answers.for_claim(claim, "").statuses
        assert (said.trace, said.claim_id) == (claim.clearinghouse_trace, claim.claim_id)
    left = [r for r in answers.unmatched() if isinstance(r, edi837.ClaimStatus)]
    assert sorted(r.claim_id for r in left) == sorted(claim_statuses(other))
    [kept] = [c for c in edi837.parse(sent_text().encode()) if c.claim_id == "AMB-P-BATCH-03"]  # not forwarded
    nothing = answers.for_claim(kept, "3130")
    assert (nothing.status, nothing.statuses, nothing.sets) == ("no answer", [], [])
    assert answers.verdicts == {"accepted": 1, "rejected": 2, "no answer": 1}


def test_a_999_names_a_set_by_st02_and_the_group_by_gs06(tmp_path: Path) -> None:
    sent = tmp_path / "sent.837"
    sent.write_text(sent_text())
    regrouped = sent_text().replace("*3131*X*005010X222A1", "*3999*X*005010X222A1").replace("GE*1*3131", "GE*1*3999")
    assert regrouped != sent_text()
    acks = [r for data in (edi837.answer(sent, today=TODAY).ack999, edi837.answer(regrouped.encode(), today=TODAY).ack999)
            for r in edi837.read_responses(data) if isinstance(r, edi837.SetAck)]
    assert [(a.group_control, a.set_control) for a in acks] == [("3131", "3130"), ("3999", "3130")]
    answers = PayerAnswers.from_records(acks)
    groups = answers.set_groups(str(sent))
    assert groups == {1: "3131"}
    claim = next(iter(edi837.parse(sent)))
    assert [a.group_control for a in answers.for_claim(claim, "3130", groups[1]).sets] == ["3131"]
    assert [a.group_control for a in answers.unmatched()] == ["3999"]  # type: ignore[union-attr]
    assert len(answers.for_claim(claim, "3130").sets) == 2  # GS06 not known (standard input): ST02 alone
    said = {c.claim_id: answers.for_claim(c, "3130", groups[1]).status for c in edi837.parse(sent)}
    assert said == {"AMB-P-BATCH-01": "awaiting 277CA", "AMB-P-BATCH-02": "awaiting 277CA",
                    "AMB-P-BATCH-03": "noted", "AMB-P-BATCH-04": "awaiting 277CA"}  # 03: the 999's IK3 names it


def test_responses_that_cannot_be_read_stop_before_anything_is_written(tmp_path: Path) -> None:
    page, empty = tmp_path / "report.html", tmp_path / "empty"
    empty.mkdir()
    (empty / "claims.837").write_text(BATCH.read_text())  # not an answer's name
    for given in (tmp_path / "missing.999", empty):
        res = invoke("report", "-o", str(page), str(BATCH), "--responses", str(given))
        assert res.exit_code == 2, res.output
        assert f"error: --responses {given}" in res.output and "Traceback" not in res.output
        assert not page.exists()
