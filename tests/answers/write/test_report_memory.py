"""`report` keeps at most SHOWN_PER_CLAIM annotated segments of a claim (edi837.engine.annotated): a claim
of hundreds of thousands of segments costs the report what it costs `export`, and its card says how
many of its segments it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import CLAIM, ISA, invoke, peak_rss_kb
from conftest import FIXTURES

from edi837.engine.annotated import SHOWN_PER_CLAIM, claims_of, segments_of


def long_claim(extra: int) -> str:
    """The clean inline claim with `extra` more DTP segments in its first service line."""
    text = (ISA + CLAIM).replace("REF*6R*L1~", "REF*6R*L1~" + "DTP*472*D8*20260914~" * extra)
    return text.replace("SE*33*0001", f"SE*{33 + extra}*0001")


@pytest.mark.slow
def test_a_claim_of_60000_segments_costs_the_report_what_it_costs_export(tmp_path: Path) -> None:
    """Before the cap, the report held every annotated segment of the claim (about 2 kB each): 120 MB
    more than export here, 400 MB more at 200,000 segments. Now what it adds to export's peak is the
    capped segments and the template's own, whatever the claim's length."""
    src = tmp_path / "long.837"
    src.write_text(long_claim(60_000))
    export_kb = peak_rss_kb("export", "--format", "json", "-o", str(tmp_path / "x.json"), str(src))
    page = tmp_path / "r.html"
    report_kb = peak_rss_kb("report", "-o", str(page), str(src))
    assert report_kb - export_kb < 40_000, (report_kb, export_kb)
    text = page.read_text()
    assert f"first {SHOWN_PER_CLAIM:,} segments of {60_000 + 22:,} shown" in text
    assert text.count('<tr id="c1-s') == SHOWN_PER_CLAIM and text.rstrip().endswith("</html>")


def test_a_short_claim_is_shown_whole_without_a_note(tmp_path: Path) -> None:
    src = tmp_path / "short.837"
    src.write_text(long_claim(5))
    page = tmp_path / "r.html"
    invoke("report", "-o", str(page), str(src))
    text = page.read_text()
    assert " segments of " not in text.split("<summary>Annotated 837", 1)[1].split("</summary>", 1)[0]
    assert text.count('<tr id="c1-s') == 22 + 5  # every segment of the claim and its person loops


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_cap_keeps_the_first_segments_and_counts_the_rest(path: Path) -> None:
    whole = list(claims_of(segments_of(str(path)), limit=10**9))
    for limit in (1, 3, 12):
        capped = list(claims_of(segments_of(str(path)), limit=limit))
        assert len(capped) == len(whole)
        for cut, full in zip(capped, whole, strict=True):
            assert cut.total == full.total == len(full.segments) and full.omitted == 0
            def places(segs: list) -> list[tuple[int, str]]:
                return [(s.position, s.id) for s in segs]

            context = full.context[:limit - 1]  # room for the CLM
            assert places(cut.context) == places(context)
            assert places(cut.own) == places(full.own[:limit - len(context)])
            assert cut.own[0].id == "CLM" and len(cut.segments) == min(limit, full.total)
