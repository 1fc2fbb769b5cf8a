"""Loop ids from the compiled guide agree with pyx12's own walker, segment by segment."""

from __future__ import annotations

import io
import re

import oracle
import pytest
from conftest import FIXTURES, SAMPLES_837I, SHARED

from edi837.errors import InputError
from edi837.x12 import guide
from edi837.x12.envelope import Envelope
from edi837.x12.read import segments
from edi837.x12.walk import Walker


def ours(data: bytes) -> list[tuple[str, str]]:
    g = guide.load()
    w = Walker(g)
    out = []
    for seg in segments(io.BytesIO(data), "t"):
        w.step(seg, [])
        assert w.loop == w.loop_id(w.cur)  # the loop id the pipeline reads, kept by the walker
        out.append((seg.id, w.loop_id(w.cur)))
    return out


def test_tag_gives_the_nodes_step_gives() -> None:
    """parse tags segments without counting: on fixtures, samples and mutants (segments dropped,
    duplicated, reordered, qualifiers changed) it lands on the node `step` lands on, until a segment
    with no place, whose error it reports as `step` does."""
    from builders import mutants

    g = guide.load()
    files = [p.read_bytes() for p in FIXTURES + SAMPLES_837I] + mutants(400, 11)
    for data in files:
        counted, tagged = Walker(g), Walker(g)
        try:
            segs = list(segments(io.BytesIO(data), "t"))
        except Exception:  # noqa: BLE001  (unreadable mutants are the reader's business)
            continue
        for seg in segs:
            errors: list = []
            tag_errors: list = []
            node = counted.step(seg, errors)
            assert tagged.tag(seg, tag_errors) == node
            if node < 0:
                assert [e for e in errors if e.code == "1"] == [e for e in tag_errors if e.code == "1"] != []
                break
            assert tag_errors == [] and tagged.loop == counted.loop


def as_a2(data: bytes) -> bytes:
    """pyx12 has no map for the A3 errata or the mislabelled samples: relabel them to compare loops."""
    return re.sub(rb"005010X22[23](A[13])?(?=[~\r\n*])", b"005010X223A2", data)


# Samples where pyx12 cannot be the oracle, each checked by hand:
STRAY_AFTER_IEA = {  # pyx12 files a segment after IEA under ISA_LOOP and reads on; we stop there with a
    # located error, after answering the interchange (no interchange holds the segment)
    "Silvenga__vscode-edi-x12-support__X223-837I-two-claims-for-the-same-provider.edi": "STC",
}
PYX12_CRASHES = {  # pyx12 raises; we stop with one located error (the reader's, or the envelope's refusal)
    "Silvenga__vscode-edi-x12-support__bad-header.edi": "ISA06",  # a short ISA: pyx12 misreads its fields
    "linuxforhealth__4010__institutional.837": "GS08",  # 4010: pyx12 4.0.0 has no 004010X096A1 map
}

WE_REFUSE = {  # pyx12 reads on; we stop with one located error
    "oopfactory__Spec_3.1.1.txt": "ISA11",  # ISA11 and ISA16 both "^": delimiters must be distinct
}


def ours_until_stopped(data: bytes) -> tuple[list[tuple[str, str]], InputError | None]:
    """Our loop ids up to where we stop reading, and the located error that stops us (envelope refusals too)."""
    g = guide.load()
    w, env = Walker(g), Envelope("t")
    out: list[tuple[str, str]] = []
    try:
        for seg in segments(io.BytesIO(data), "t"):
            env.feed(seg)
            w.step(seg, [])
            out.append((seg.id, w.loop))
    except InputError as exc:
        return out, exc
    return out, None


@pytest.mark.parametrize("path", [p for p in SAMPLES_837I if p.name in STRAY_AFTER_IEA], ids=lambda p: p.name)
def test_a_segment_after_the_interchange_stops_us_where_pyx12_reads_on(path) -> None:
    theirs = oracle.loop_ids(path.read_bytes())
    read, error = ours_until_stopped(path.read_bytes())
    assert read == theirs[:len(read)] and read[-1] == ("IEA", "ISA_LOOP")
    assert [loop for _sid, loop in theirs[len(read):]] == ["ISA_LOOP"]
    assert error is not None and error.segment == len(read) + 1 and f"a segment {STRAY_AFTER_IEA[path.name]}" in str(error)


@pytest.mark.parametrize("path", [p for p in SAMPLES_837I if p.name in PYX12_CRASHES], ids=lambda p: p.name)
def test_where_pyx12_crashes_we_give_one_located_error(path) -> None:
    data = path.read_bytes()
    for attempt in (data, as_a2(data)):
        with pytest.raises(oracle.Pyx12Crash):
            oracle.loop_ids(attempt)
    _read, error = ours_until_stopped(data)
    assert error is not None and error.element == PYX12_CRASHES[path.name] and error.offset is not None


@pytest.mark.parametrize("path", [p for p in SAMPLES_837I if p.name in WE_REFUSE], ids=lambda p: p.name)
def test_where_we_refuse_the_delimiters_pyx12_reads_on(path) -> None:
    assert oracle.loop_ids(as_a2(path.read_bytes()))
    read, error = ours_until_stopped(path.read_bytes())
    assert read == [] and error is not None and error.element == WE_REFUSE[path.name]


@pytest.mark.parametrize("path", FIXTURES + [p for p in SAMPLES_837I
                                             if p.name not in {**STRAY_AFTER_IEA, **PYX12_CRASHES, **WE_REFUSE}],
                         ids=lambda p: p.name)
def test_loop_ids_match_pyx12(path) -> None:
    data = path.read_bytes()
    try:
        theirs = oracle.loop_ids(data)
    except oracle.Pyx12Crash:
        data = as_a2(data)  # GS08 A3 / X222: pyx12 crashes ("Map not found"); compare on the relabelled file
        theirs = oracle.loop_ids(data)
    assert ours(data) == theirs


A1_SAMPLES = [p for p in sorted((SHARED / "samples" / "837p-ambulance").glob("*"))
              if b"005010X222A1" in p.read_bytes()[:400]]  # pyx12 has no map for X222A2


@pytest.mark.parametrize("path", A1_SAMPLES, ids=lambda p: p.name)
def test_loop_ids_match_pyx12_on_the_outside_837p_samples(path) -> None:
    data = path.read_bytes()
    assert ours(data) == oracle.loop_ids(data)


def test_loop_starts_follow_qualifiers() -> None:
    g = guide.load()
    assert g.node("/ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000A/2000B/2300/2310A").first_seg >= 0
    i837 = g.tree(guide.VERSION_837I)
    hi = [n for n in i837 if n.id == "HI" and n.loop_id == "2300"]
    assert any(n.qualifier and "BE" in n.qualifier[2] for n in hi)
    assert any(n.qualifier and "BG" in n.qualifier[2] for n in hi)
    for version in guide.GUIDES:  # each tree has one HL of each level
        hl = [n for n in g.tree(version) if n.id == "HL"]
        assert sorted(next(iter(n.qualifier[2])) for n in hl) == ["20", "22", "23"]


def test_cr1_is_not_in_the_837i_guide() -> None:
    g = guide.load()
    assert not [n for n in g.tree(guide.VERSION_837I) if n.id == "CR1"]
    assert [n for n in g.tree(guide.VERSION_837P) if n.id == "CR1"]  # the 837P's 2300 and 2400 CR1


def test_guide_cache_round_trip(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EDI837_CACHE", str(tmp_path))
    guide.load.cache_clear()
    try:
        first = guide.load()
        assert list(tmp_path.glob("guide-*.pickle"))
        guide.load.cache_clear()
        second = guide.load()
        assert [n.path for n in first.nodes] == [n.path for n in second.nodes]
    finally:
        guide.load.cache_clear()


def test_walkers_of_one_guide_share_their_tables_and_transitions() -> None:
    """A folder of small files makes a walker per file: the tables and the transitions learnt are the
    guide's, worked out once (a transition depends only on the node and the segment's key)."""
    g = guide.load()
    first, second = Walker(g), Walker(g)
    assert first._memo is second._memo and first._end is second._end and first.counts is not second.counts
