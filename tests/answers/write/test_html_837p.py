"""`edi837 report` on 837P claims, opened in headless Chromium (its DOM dumped): the trip card shows
the place of service, the pick-up and drop-off addresses as the 837P wrote them, the CR104 reason,
the billed miles beside CR106, the CRC*07 conditions in words and the patients; a claim of several
trips gets a row per trip; an address is text, never markup; the 837I card of a mixed interchange
keeps its type of bill and none of the 837P facts.

What the card must show is read here from the 837 text itself (segments split by hand), not from
the record the report is made of, so a wrong reader or a wrong record fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import invoke
from conftest import ROOT
from lxml import html as lxml_html
from professional import BASE_P, resegment
from test_html import dom

FIXTURES = ROOT / "fixtures"
CONDITIONS = {"01": "admitted to a hospital", "04": "moved by stretcher", "05": "unconscious or in shock",
              "06": "emergency situation", "07": "physically restrained", "08": "visible hemorrhaging",
              "09": "medically necessary", "12": "confined to a bed or chair"}  # domain notes P11
REASONS = {"A": "nearest facility", "B": "preferred physician", "D": "specialist or special equipment"}
HOSTILE = "<B>1 ELM</B> & CO"


def segments(text: str) -> list[list[str]]:
    """The segments of a one-claim 837P file, each split into its elements."""
    term = text[105]  # ISA16 is at 104, the segment terminator follows it
    return [s.strip().split("*") for s in text.split(term) if s.strip()]


def expected(text: str) -> dict[str, str | list[str]]:
    """What the card of the file's (one) claim must show, read from its 2300/2310E/2310F segments."""
    segs = segments(text)
    out: dict[str, str | list[str]] = {}
    loc = ""
    for s in segs:
        if s[0] == "CLM":
            out["pos"] = s[5].split(":")[0]
        elif s[0] == "CR1" and "reason" not in out:
            out["reason"], out["cr106"] = s[4], s[6]
        elif s[0] == "CRC" and s[1] == "07" and "conditions" not in out:
            out["conditions"] = s[3:]
        elif s[0] == "LX":
            break
        elif s[0] == "NM1" and s[1] in ("PW", "45"):
            loc = "pickup" if s[1] == "PW" else "dropoff"
            out[loc] = [s[3]] if len(s) > 3 and s[3] else []
        elif s[0] in ("N3", "N4") and loc:
            out[loc] += [v for v in s[1:] if v]  # type: ignore[operator]
    return out


def facts(card: lxml_html.HtmlElement) -> dict[str, str]:
    """A card's facts: dt -> dd text."""
    return {dt.text_content(): dd.text_content() for dt, dd in
            zip(card.xpath(".//dl/dt"), card.xpath(".//dl/dd"), strict=True)}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean inline 837P claim with a pick-up street that is markup, reason B, and conditions 01
    and 12 certified as not met (CRC02 N)."""
    text = BASE_P.replace("N3*5 ELM ST~N4*SPRINGFIELD*IL*62704~NM1*45", f"N3*{HOSTILE}~N4*SPRINGFIELD*IL*62704~NM1*45")
    text = resegment(text.replace("CRC*07*Y*04*06", "CRC*07*N*01*12").replace("CR1*LB*180**A*", "CR1*LB*180**B*"))
    path = tmp_path_factory.mktemp("p") / "hostile.837"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def page(hostile: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[lxml_html.HtmlElement, list[Path]]:
    """One report of several 837P fixtures, the hostile claim and the mixed interchange, as Chromium reads it."""
    files = [FIXTURES / f"837p-{n}.837" for n in ("air-rotary-wing", "specialty-care", "multi-patient",
                                                   "multiple-trips")] + [hostile, FIXTURES / "mixed-837i-837p.837"]
    out = tmp_path_factory.mktemp("html") / "p.html"
    res = invoke("report", "--today", "2026-11-22", "-o", str(out), *map(str, files))
    assert res.exit_code in (0, 1), res.output
    return dom(out), files


def cards_of(doc: lxml_html.HtmlElement, path: Path) -> list[lxml_html.HtmlElement]:
    return [a for a in doc.xpath("//article") if f"· {path}" in a.xpath("string(.//p[@class='meta'])")]


def test_each_837p_card_shows_what_its_837p_says(page: tuple[lxml_html.HtmlElement, list[Path]]) -> None:
    doc, files = page
    for path in files[:-1]:
        (card,) = cards_of(doc, path)
        want = expected(path.read_text())
        shown = facts(card)
        meta = card.xpath("string(.//p[@class='meta'])")
        pos_words = {"41": "ambulance - land", "42": "ambulance - air or water"}[str(want["pos"])]
        assert f"place of service {want['pos']} ({pos_words})" in meta and "type of bill" not in meta, meta
        for key in ("pickup", "dropoff"):
            text = shown["Pick-up" if key == "pickup" else "Drop-off"]
            for part in want[key]:
                assert part in text, (path.name, key, part, text)
        assert REASONS[str(want["reason"])] in shown["Reason"] and f"CR104 {want['reason']}" in shown["Reason"]
        assert f"{want['cr106']} in CR1 (CR106)" in shown["Loaded miles"]
        for code in want.get("conditions", []):
            assert f"{CONDITIONS[code]} {code}" in shown["Conditions"], (path.name, shown["Conditions"])
        if "conditions" not in want:
            assert shown["Conditions"] == "none (no CRC*07)"
        sv1 = [s for s in segments(path.read_text()) if s[0] == "SV1"]
        rows = card.xpath(".//table[@class='lines']/tbody/tr")
        assert card.xpath("string(.//table[@class='lines']/thead/tr/th[2])") == "POS"
        assert [tr.xpath("string(td[2])") for tr in rows] == [(s[5] if len(s) > 5 and s[5] else want["pos"])
                                                               for s in sv1]
        qty = [s[2] for s in segments(path.read_text()) if s[0] == "QTY" and s[1] == "PT"]
        assert shown["Patients"].split()[0] == (max(qty, key=float) if qty else "1")


def test_an_address_is_text_not_markup_and_conditions_not_met_say_so(
        page: tuple[lxml_html.HtmlElement, list[Path]]) -> None:
    doc, files = page
    (card,) = cards_of(doc, files[-2])
    assert not card.xpath(".//dd[@class='pickup']//b")
    assert HOSTILE in facts(card)["Pick-up"]
    assert facts(card)["Conditions"].startswith("not met: admitted to a hospital 01")
    (other,) = cards_of(doc, files[1])  # CRC*07*Y
    assert "not met" not in facts(other)["Conditions"]


def test_several_trips_get_a_row_each(page: tuple[lxml_html.HtmlElement, list[Path]]) -> None:
    doc, files = page
    (card,) = cards_of(doc, FIXTURES / "837p-multiple-trips.837")
    rows = [[td.text_content() for td in tr.xpath("td")] for tr in card.xpath(".//table[@class='legs']/tbody/tr")]
    segs = segments((FIXTURES / "837p-multiple-trips.837").read_text())
    pairs = list(dict.fromkeys(s[1].split(":")[2] for s in segs if s[0] == "SV1"))  # O/D pair of each trip
    assert [r[0] for r in rows] == pairs
    drops = [s[3] for s in segs if s[0] == "NM1" and s[1] == "45"]  # 2310F, then each 2420H
    assert drops[0] in rows[0][3] and drops[-1] in rows[-1][3]
    miles = [s[4] for s in segs if s[0] == "SV1" and s[1].split(":")[1] == "A0425"]
    assert [r[4] for r in rows] == miles and [r[5] for r in rows] == miles  # each line CR106 equals its SV104
    for other in files[:3]:  # one trip: no trip table
        (single,) = cards_of(doc, other)
        assert not single.xpath(".//table[@class='legs']")


def test_the_837i_card_of_a_mixed_interchange_is_the_837i_card(page: tuple[lxml_html.HtmlElement, list[Path]]) -> None:
    doc, files = page
    cards = cards_of(doc, files[-1])
    claim_types = ["837P" if "837P" in c.xpath("string(.//p[@class='meta'])") else "837I" for c in cards]
    assert claim_types == ["837I", "837P"]
    i_card, p_card = cards
    assert "type of bill 131" in i_card.xpath("string(.//p[@class='meta'])")
    assert list(facts(i_card)) == ["Patient", "Payer", "Trip", "Level", "Loaded miles", "Pick-up ZIP", "Arrangement"]
    assert i_card.xpath("string(.//table[@class='lines']/thead/tr/th[2])") == "Revenue"
    assert {"Pick-up", "Drop-off", "Reason", "Conditions", "Patients"} <= set(facts(p_card))
