"""The streaming reader, fed bytes: delimiters, line ends, offsets, positions, and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi837.errors import InputError
from edi837.x12.read import Resume, segments


def isa(el="*", rep="^", comp=":", term="~", control="000000001") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15),
              "260101", "1200", rep, "00501", control, "0", "T", comp]
    text = el.join(fields) + term
    assert len(text) == 106
    return text


def body(el="*", comp=":", term="~", sep="") -> str:
    segs = ["GS*HC*S*R*20260101*1200*1*X*005010X223A2", "ST*837*0001*005010X223A2",
            "HI*BE:A0:::2134*BE:32:::2", "SE*3*0001", "GE*1*1", "IEA*1*000000001"]
    return "".join(s.replace("*", el).replace(":", comp) + term + sep for s in segs)


def read(data: bytes | str, chunk: int = 1 << 20):
    if isinstance(data, str):
        data = data.encode("latin-1")
    return list(segments(io.BytesIO(data), "t.837", chunk_size=chunk))


@pytest.mark.parametrize("sep", ["", "\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_line_ends_and_chunking(sep: str, chunk: int) -> None:
    text = isa() + sep + body(sep=sep)
    segs = read(text, chunk)
    assert [s.id for s in segs] == ["ISA", "GS", "ST", "HI", "SE", "GE", "IEA"]
    for s in segs:  # each offset points at the segment's first byte
        assert text[s.offset:s.offset + len(s.id)] == s.id
    if sep in ("\n", "\r\n"):
        assert [s.line for s in segs] == [1, 2, 3, 4, 5, 6, 7]
    else:
        assert {s.line for s in segs} == {1}


SEGS = ["GS*HC*S*R*20260101*1200*1*X*005010X223A2", "ST*837*0001*005010X223A2", "NM1*85*2*GEN HOSP*****XX*1",
        "HI*BE:A0:::2134*BE:32:::2", "SE*4*0001", "GE*1*1", "IEA*1*000000001"]


@settings(max_examples=300, deadline=None)
@given(between=st.lists(st.sampled_from(["", "\n", "\r\n", "\n\n", " ", "\t", "\n ", "\r"]),
                        min_size=len(SEGS), max_size=len(SEGS)),
       regular=st.sampled_from(["", "\n", "\r\n"]), chunk=st.sampled_from([1, 5, 64, 1 << 20]))
def test_every_line_is_exact_in_any_layout_and_chunking(between: list[str], regular: str, chunk: int) -> None:
    """Whatever follows each terminator (the same line break every time, which the reader splits on
    at once, or a mix of breaks, blank lines and blanks), each segment's line is 1 plus the line feeds
    before its first byte, and the segments read are the same, with a blank before an id noted."""
    after = [regular if i % 2 else b for i, b in enumerate(between)] if regular else between
    text = isa() + "".join(seg + "~" + sep for seg, sep in zip(SEGS, after))
    segs = read(text, chunk)
    assert [s.raw for s in segs[1:]] == SEGS
    for s in segs:
        assert s.line == 1 + text.count("\n", 0, s.offset) and text.startswith(s.raw, s.offset)
    assert [s.leading_blank for s in segs[1:]] == [prev[-1:] in (" ", "\t") for prev in ["~", *after[:-1]]]


@pytest.mark.parametrize("chunk", [1, 64, 1 << 20])
def test_segments_after_the_last_regular_break_are_read_at_the_end_of_the_file(chunk: int) -> None:
    """The line break changes after a few segments (LF, then CR LF, then none): each regular run is
    split up to its last break, and what follows is read on, not taken for a segment cut short."""
    after = ["\n", "\r\n", "", "", "", "", ""]
    text = isa() + "".join(seg + "~" + sep for seg, sep in zip(SEGS, after))
    segs = read(text, chunk)
    assert [s.raw for s in segs[1:]] == SEGS
    assert [s.line for s in segs] == [1, 1, 2, 3, 3, 3, 3, 3]


def test_positions_count_from_st() -> None:
    segs = read(isa() + body())
    assert [s.position for s in segs] == [0, 0, 1, 2, 3, 0, 0]
    assert [s.number for s in segs] == [1, 2, 3, 4, 5, 6, 7]


def test_a_stray_segment_after_se_counts_on() -> None:
    segs = read(isa() + body().replace("SE*3*0001~", "SE*3*0001~DTP*472*D8*20260101~"))
    assert [(s.id, s.position) for s in segs] == [("ISA", 0), ("GS", 0), ("ST", 1), ("HI", 2), ("SE", 3), ("DTP", 4),
                                                 ("GE", 0), ("IEA", 0)]


def test_bom_and_components() -> None:
    segs = read("\ufeff".encode() + (isa() + body()).encode("latin-1"))
    hi = segs[3]
    assert hi.components(1) == ["BE", "A0", "", "", "2134"]
    assert hi.component(2, 5) == "2"
    assert segs[0].offset == 3


def test_non_default_delimiters() -> None:
    text = isa(el="|", comp=">", rep="^", term="~") + body(el="|", comp=">")
    segs = read(text)
    assert segs[3].component(1, 5) == "2134"
    assert segs[0].delims.element == "|" and segs[0].delims.component == ">"
    assert segs[3].text() == "HI|BE>A0>>>2134|BE>32>>>2"


def test_newline_as_terminator() -> None:
    segs = read(isa(term="\n") + body(term="\n"))
    assert [s.line for s in segs] == [1, 2, 3, 4, 5, 6, 7]


def test_two_interchanges_with_different_delimiters() -> None:
    text = isa() + body() + "\r\n" + isa(el="|", comp=">", control="000000001") + body(el="|", comp=">")
    segs = read(text, chunk=13)
    assert [s.id for s in segs].count("ISA") == 2
    assert segs[-4].component(1, 2) == "A0"


@pytest.mark.parametrize("between", ["", "\n", "\r\n  "])
def test_many_interchanges_read_on_from_one_buffer(between: str) -> None:
    """Interchanges with the same delimiters are read on from the segments already split (after each
    IEA the next ISA is checked in place); one with other delimiters, or a broken ISA, is read afresh.
    Every segment and its location are what a read one byte at a time gives."""
    same = [isa(control=f"{k:09d}") + body() for k in range(1, 6)]
    other = isa(el="|", comp=">", term="!") + body(el="|", comp=">", term="!")
    text = between.join([*same[:2], other, *same[2:]])
    whole, bytewise = read(text), read(text, chunk=1)
    where = [(s.raw, s.offset, s.line, s.number, s.position, s.delims) for s in whole]
    assert where == [(s.raw, s.offset, s.line, s.number, s.position, s.delims) for s in bytewise]
    assert [s.id for s in whole].count("ISA") == 6 and whole[-1].number == len(whole) == 42
    second = text.index("ISA", 1)
    broken = text[:second] + "ISA*00**" + text[second + 7:]  # the second ISA is not fixed-width
    with pytest.raises(InputError, match="ISA is not fixed-width: ISA02 ends at byte 7 but must end at byte 17") as exc:
        read(broken)
    assert exc.value.segment == 8 and exc.value.offset == second + 17 and exc.value.element == "ISA02"


@pytest.mark.parametrize("data,fragment", [
    (b"", "empty file"),
    (b"   \r\n", "empty file"),
    (b"hello world, this is not X12 at all" * 4, "not an X12 interchange"),
    (b"ISA*00*short~", "expected 106"),
    (b"\x00\x01\x02\xff" * 40, "not an X12 interchange"),
])
def test_unreadable_input(data: bytes, fragment: str) -> None:
    with pytest.raises(InputError) as exc:
        read(data)
    assert fragment in str(exc.value)
    assert str(exc.value).startswith("t.837")


def test_truncated_mid_segment_is_located() -> None:
    text = isa() + body()
    cut = text[: text.index("SE*3") + 3]
    with pytest.raises(InputError) as exc:
        read(cut)
    assert exc.value.offset == text.index("SE*3")
    assert "no segment terminator" in str(exc.value)


def test_isa_not_fixed_width() -> None:
    text = isa().replace("SENDER         ", "SENDER", 1)
    with pytest.raises(InputError) as exc:
        read(text + "X" * 200)
    assert "ISA is not fixed-width: ISA06 ends at byte 41 but must end at byte 50" in str(exc.value)
    assert exc.value.element == "ISA06" and exc.value.offset == 50


def test_garbage_segment_is_located() -> None:
    text = isa() + "GS*HC~\x00\x07junk~"
    with pytest.raises(InputError) as exc:
        read(text)
    assert exc.value.offset == 106 + len("GS*HC~")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_edierror(data: bytes) -> None:
    try:
        read(data, chunk=17)
    except InputError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 400), st.binary(min_size=0, max_size=5))
def test_mutated_interchange_raises_only_edierror(at: int, junk: bytes) -> None:
    data = (isa() + body()).encode("latin-1")
    at = min(at, len(data))
    try:
        read(data[:at] + junk + data[at + len(junk):], chunk=11)
    except InputError:
        pass


@pytest.mark.parametrize("name", ["two-st.837", "crlf.837", "lf-lines.837", "custom-delims.837"])
def test_resumed_reading_locates_as_a_whole_read(name: str) -> None:
    """Picked up at an ST (as a worker reading part of a file does), every segment is located as in a
    read of the whole file: byte offset, line, segment number and position."""
    data = (Path(__file__).resolve().parents[2] / "fixtures" / name).read_bytes()
    whole = list(segments(io.BytesIO(data), "t"))
    for k, seg in enumerate(whole):
        if seg.id != "ST":
            continue
        stream = io.BytesIO(data)
        stream.seek(seg.offset)
        resumed = list(segments(stream, "t", resume=Resume(seg.offset, seg.number - 1, seg.line, seg.delims)))
        assert [(s.raw, s.offset, s.line, s.number, s.position) for s in resumed] == \
            [(s.raw, s.offset, s.line, s.number, s.position) for s in whole[k:]]


class Endless(io.RawIOBase):
    """`size` bytes of `fill` after `head`, made as they are read: a huge file that never exists."""

    def __init__(self, head: bytes, fill: bytes, size: int) -> None:
        self.head, self.fill, self.left = head, fill, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            data, self.head = self.head[:len(buffer)], self.head[len(buffer):]
        else:
            data = self.fill * (min(len(buffer), self.left) // len(self.fill))
            self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def peak_while_reading(stream) -> tuple[int, InputError | None]:
    import tracemalloc

    tracemalloc.start()
    error = None
    try:
        for _ in segments(io.BufferedReader(stream, 1 << 16), "big.837", chunk_size=1 << 16):
            pass
    except InputError as exc:
        error = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, error


def test_a_segment_without_end_is_cut_off_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """20 MB with no terminator after the BHT: one located error once MAX_SEGMENT is passed, instead of
    reading the whole file into one string."""
    import edi837.x12.read

    monkeypatch.setattr(edi837.x12.read, "MAX_SEGMENT", 1 << 18)
    head = (isa() + "GS*HC*S*R*20260101*1200*1*X*005010X223A2~ST*837*0001*005010X223A2~BHT*").encode()
    peak, error = peak_while_reading(Endless(head, b"X" * 4096, 20 << 20))
    assert error is not None and error.offset == len(head) - 4 and error.segment == 4
    assert "no segment terminator '~'" in error.message and "from a segment BHT" in error.message
    assert f"at most {1 << 18} bytes" in error.message  # the patched limit is the one in force
    assert "XXXX" not in str(error)  # where, never what it holds
    assert peak < 2 << 20


def test_white_space_alone_is_read_in_bounded_memory() -> None:
    peak, error = peak_while_reading(Endless(b"", b" \r\n\t" * 1024, 20 << 20))
    assert error is not None and "empty file" in error.message and error.offset == 20 << 20
    assert peak < 2 << 20


@pytest.mark.parametrize("pad", ["\x1a", "\r\n\x1a", "\x00" * 700, "\n\x00\x1a\n"])
def test_padding_after_an_interchange_is_ignored(pad: str) -> None:
    """NUL or Ctrl-Z (DOS end of file) after an interchange, as some transfer tools write: white space,
    not a segment. Before the first ISA it is still not X12."""
    text = isa() + body()
    assert [s.raw for s in read(text + pad, chunk=64)] == [s.raw for s in read(text)]
    assert [s.id for s in read(text + pad + isa() + body())].count("ISA") == 2
    with pytest.raises(InputError, match="not an X12 interchange"):
        read(pad.strip() + text)
