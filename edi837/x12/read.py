"""Streaming X12 reader: bytes in, segments out.

The one contract: `segments()` consumes a binary stream chunk by chunk and yields every segment
with its location (byte offset, line, position in its transaction set), or raises `InputError` naming
the file, byte offset and segment number where the input stopped being X12. It never holds more than
one chunk plus one partial segment (of at most MAX_SEGMENT bytes), so memory does not grow with the file.

Delimiters are read from each ISA (a file may hold several interchanges with different ones):
element separator = ISA byte 4, repetition separator = ISA11, component separator = ISA16, segment
terminator = the byte after ISA16. CR/LF (and other white space) between segments and a UTF-8 BOM
are tolerated. Text is decoded as Latin-1 so that offsets stay byte offsets and no byte is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple, Protocol

from ..errors import InputError
from ..frozen import frozen

CHUNK = 1 << 20
# A segment read with `leading_blank`: reported by its checks (999 IK3 1, as pyx12 does).
SPACED = "a space or tab before the segment id: the segment is read, but the id must follow the terminator"
SPACED_FIX = "remove the space or tab: write the segment id right after the terminator (a line break may come between)"
MAX_SEGMENT = 1 << 20  # the 837I's longest segments are a few hundred bytes; past this a "segment" is junk
ISA_LENGTH = 106
# Byte offsets of the 16 element separators in a fixed-width ISA.
ISA_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
BOM = "\xef\xbb\xbf"  # UTF-8 byte order mark, as Latin-1 text
WHITESPACE = " \t\r\n"
PADDING = "\x00\x1a"  # NUL and Ctrl-Z (DOS end of file), which some transfer tools add after an interchange
OUTSIDE_SETS = frozenset({"GS", "GE", "IEA"})  # segments outside any transaction set: position 0
SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")


class Delimiters(NamedTuple):
    """An interchange's separators. A named tuple, not `@frozen`: delimiters are compared (is a
    segment re-delimited, does the next ISA read on), and mypyc compiles `==` between instances of a
    class it does not see an `__eq__` on as identity, which `@frozen` classes are to it."""

    element: str
    component: str
    repetition: str  # "" when the interchange has none
    segment: str


DEFAULT_DELIMITERS = Delimiters("*", ":", "^", "~")


class Segment:
    """One segment. `elements[0]` is the segment id, `elements[n]` is element n (as written)."""

    __slots__ = ("elements", "offset", "line", "position", "number", "delims", "raw")

    def __init__(self, elements: list[str], offset: int, line: int, position: int, number: int,
                 delims: Delimiters, raw: str | None = None) -> None:
        self.elements = elements
        self.raw = delims.element.join(elements) if raw is None else raw  # the text as read, no terminator
        self.offset = offset  # byte offset of the segment's first byte in the file
        self.line = line  # 1-based line of that byte (all 1 in a file without line breaks)
        self.position = position  # position in the transaction set, ST = 1 (0 for ISA, GS, GE, IEA)
        self.number = number  # 1-based ordinal in the file
        self.delims = delims

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, index: int) -> str:
        """Element `index` (1-based), "" when absent."""
        els = self.elements
        return els[index] if index < len(els) else ""

    def components(self, index: int) -> list[str]:
        """Element `index` split into its components."""
        return self.get(index).split(self.delims.component)

    def component(self, index: int, sub: int) -> str:
        """Component `sub` (1-based) of element `index`, "" when absent."""
        parts = self.get(index).split(self.delims.component)
        return parts[sub - 1] if sub <= len(parts) else ""

    def text(self, delims: Delimiters | None = None) -> str:
        """The segment as written (without terminator); with `delims`, re-delimited."""
        if delims is None or delims == self.delims:
            return self.raw
        return redelimit(self.raw, self.delims, delims)

    def __repr__(self) -> str:
        return f"Segment({self.text()!r}, offset={self.offset}, position={self.position})"

    # Read after a space or tab (line breaks between segments are layout; a blank before an id is not).
    leading_blank = False


class SpacedSegment(Segment):
    """A segment written after a space or tab: read as its id says, and reported (999 IK3 code 1), as
    the guide's segment id does not start with a blank."""

    __slots__ = ()
    leading_blank = True


def redelimit(raw: str, mine: Delimiters, delims: Delimiters) -> str:
    """A segment's text (without terminator) written with `mine`, rewritten with `delims`."""
    out = []
    for el in raw.split(mine.element):
        if mine.repetition and mine.repetition in el:
            el = el.replace(mine.repetition, "\x00")
        el = el.replace(mine.component, "\x01").replace("\x00", delims.repetition).replace("\x01", delims.component)
        out.append(el)
    return delims.element.join(out)


def what_starts(text: str, separator: str = "*") -> str:
    """What `text` starts with, named without quoting its data (which may be a patient's): a segment
    id, or the kind of bytes found. Error lines say where, never what a segment holds."""
    head = text.split(separator, 1)[0][:4]
    if SEGMENT_ID.match(head):
        return f"a segment {head}"
    if all(" " <= ch <= "~" or ch in WHITESPACE for ch in text[:20]):
        return "text with no segment id"
    return "bytes that are not X12 text (binary data, or another encoding)"


def read_isa(text: str, *, file: str = "", offset: int = 0, number: int = 1, line: int | None = None) -> Delimiters:
    """Delimiters of the fixed-width ISA at the start of `text` (which holds at least 106 chars)."""
    if not text.startswith("ISA"):
        raise InputError(f"not an X12 interchange: expected 'ISA', found {what_starts(text, text[3:4] or '*')}",
                       file=file, offset=offset, segment=number, line=line)
    element = text[3]
    if not _usable_delimiter(element):
        raise InputError(f"ISA element separator {ascii(element)} is not a delimiter character (an ASCII character"
                       " that is not a letter, digit or space)", file=file, offset=offset + 3, segment=number,
                       segment_id="ISA")
    for field, pos in enumerate(ISA_SEPARATORS[1:], start=1):  # the separator at `pos` ends ISA`field`
        if text[pos] != element:
            found = text.find(element, ISA_SEPARATORS[field - 1] + 1)
            raise InputError(
                f"ISA is not fixed-width: ISA{field:02d} ends at byte {found if found >= 0 else '?'}"
                f" but must end at byte {pos} (ISA is {ISA_LENGTH} bytes)",
                file=file, offset=offset + pos, segment=number, segment_id="ISA", element=f"ISA{field:02d}")
    component, terminator, repetition = text[104], text[105], text[82]
    if terminator == element or not (_usable_delimiter(terminator) or terminator in "\t\r\n"):
        raise InputError(f"ISA segment terminator {ascii(terminator)} (byte after ISA16) is not usable: it must be an"
                       " ASCII character that is not a letter, digit, space or the element separator",
                       file=file, offset=offset + 105, segment=number, segment_id="ISA")
    if component in (element, terminator) or not _element_delimiter(component):
        raise InputError(f"ISA16 component separator {ascii(component)} is not usable: it must be a printable ASCII"
                       " character that is not a letter, digit or space, distinct from the other delimiters",
                       file=file, offset=offset + 104, segment=number, segment_id="ISA", element="ISA16")
    # ISA11 is a repetition separator only when it is not alphanumeric (4010 used "U" there, and the
    # version check refuses such a file with its true reason); otherwise it must be a delimiter of its own.
    if repetition.isascii() and repetition.isalnum():
        repetition = ""
    elif repetition in (element, component, terminator) or not _element_delimiter(repetition):
        raise InputError(f"ISA11 repetition separator {ascii(repetition)} is not usable: it must be a printable ASCII"
                       " character that is not a letter, digit or space, distinct from the other delimiters",
                       file=file, offset=offset + 82, segment=number, segment_id="ISA", element="ISA11")
    return Delimiters(element, component, repetition, terminator)


def _usable_delimiter(ch: str) -> bool:
    """Whether `ch` can separate X12 data: ASCII (printable or control), not a letter, digit or white space."""
    return ch.isascii() and not ch.isalnum() and ch not in WHITESPACE


def _element_delimiter(ch: str) -> bool:
    """Whether `ch` can be ISA11 or ISA16: those are elements (type AN) as well as delimiters, and a
    control character is no AN character (pyx12 rejects the interchange; our answers, which copy the
    delimiters, would be invalid too)."""
    return _usable_delimiter(ch) and ch.isprintable()


def _same_isa_next(buf: str, at: int, term: str, delims: Delimiters) -> bool:
    """Whether the segment at `buf[at:]` is a whole, well-formed ISA with the same delimiters: then the
    segments already split from the buffer are read on (a file of many small interchanges would
    otherwise split the rest of its buffer again after every IEA)."""
    end = buf.find(term, at)
    text = buf[at:end].lstrip(WHITESPACE) if end >= 0 else ""
    if len(text) != ISA_LENGTH - 1 or not text.startswith("ISA"):
        return False
    try:
        return read_isa(text + term) == delims
    except InputError:
        return False  # read afresh, where it is reported with its location


def regular_separator(buf: str, term: str) -> str:
    """What ends each segment of `buf` (up to its last such ending) when the segments need no other
    handling: the terminator alone, or the terminator with a line feed (or CR LF) after every segment,
    and no other line break, blank or empty segment around them. Then `buf` is split on it, and each
    segment is one line further down. "" when the buffer is not that regular (a blank line, a line break
    inside a segment, a space before an id, line breaks after only some segments): then every segment
    is stripped and its line breaks counted. It reads the buffer a few times over, in C, instead of
    stripping and searching every segment in Python (a sixth of a pure-Python parse with line feeds)."""
    if term in WHITESPACE:
        return ""
    first = buf.find(term)
    if first <= 0 or buf[0] in WHITESPACE:  # no terminator yet, an empty segment first, or a blank before it
        return ""
    after = buf[first + 1:first + 3]
    sep = term + ("\r\n" if after == "\r\n" else "\n" if after[:1] == "\n" else "")
    end = buf.rfind(sep) + len(sep)
    head = buf[:end]
    n = head.count(sep)
    regular = (head.count(term) == n and head.count("\n") == n * sep.count("\n")
               and head.count("\r") == n * sep.count("\r") and sep + term not in head
               and not any(sep + blank in head or blank + term in head for blank in " \t"))
    return sep if regular else ""


@frozen
class Resume:
    """Where to pick up reading inside an interchange: the stream is positioned at `offset`, the start
    of a segment outside any transaction set; `number` segments and `line - 1` line breaks came before."""

    offset: int
    number: int
    line: int
    delims: Delimiters


class Readable(Protocol):
    """What `segments` reads from: a binary file, or anything with its `read` (edi837.engine.parallel.Window)."""

    def read(self, n: int = -1, /) -> bytes: ...


def segments(stream: Readable, name: str = "<input>", chunk_size: int = CHUNK,
             resume: Resume | None = None) -> Iterator[Segment]:
    """Yield every segment of every interchange in `stream`, in order. Raises InputError.

    With `resume`, the stream starts mid-interchange (see `Resume`) and locations count from there."""
    buf = ""  # text not yet consumed
    base = 0  # file offset of buf[0]
    eof = False
    number = 0
    line = 1
    position = 0
    delims: Delimiters | None = None
    at_start = True
    seen_isa = False
    if resume is not None:
        base, number, line, delims = resume.offset, resume.number, resume.line, resume.delims
        at_start, seen_isa = False, True
    known_ids: set[str] = set()  # segment ids already found well-formed

    def fill() -> bool:
        nonlocal buf, eof
        data = stream.read(chunk_size)
        if not data:
            eof = True
            return False
        buf += data.decode("latin-1")
        return True

    while True:
        if delims is None:
            # Between interchanges: skip white space (and a BOM at the very start, padding after an
            # interchange), expect ISA.
            while True:
                stripped = buf.lstrip(WHITESPACE + PADDING if seen_isa else WHITESPACE)
                if at_start and stripped.startswith(BOM):
                    stripped = stripped[len(BOM):].lstrip(WHITESPACE)
                if len(stripped) >= ISA_LENGTH or (eof and stripped):
                    break
                if eof:
                    if not seen_isa:
                        raise InputError("empty file: no ISA interchange header", file=name, offset=base)
                    return
                if stripped and not "ISA".startswith(stripped[:3]):
                    break
                if not stripped:  # white space only, so far: let it go (a file of blanks must not fill memory)
                    line += buf.count("\n")
                    base += len(buf)
                    buf = ""
                fill()
            skipped = len(buf) - len(stripped)
            line += buf[:skipped].count("\n")
            base += skipped
            buf = stripped
            at_start = False
            number += 1
            if len(buf) < ISA_LENGTH and buf.startswith("ISA"):
                raise InputError(f"ISA is {len(buf)} bytes, expected {ISA_LENGTH}: file ends inside the header",
                               file=name, offset=base, segment=number, segment_id="ISA")
            delims = read_isa(buf, file=name, offset=base, number=number, line=line)
            seen_isa = True
            position = 0
            isa_text = buf[:ISA_LENGTH - 1]
            yield Segment(isa_text.split(delims.element), base, line, 0, number, delims, isa_text)
            buf = buf[ISA_LENGTH:]
            base += ISA_LENGTH
            if delims.segment == "\n":
                line += 1

        term = delims.segment
        el_sep = delims.element
        term_is_newline = term == "\n"
        if term not in buf and not eof:
            if len(buf) > MAX_SEGMENT:  # no X12 segment is this long: junk, or the wrong terminator
                lead = len(buf) - len(buf.lstrip(WHITESPACE))
                raise InputError(f"no segment terminator {term!r} in {len(buf) - lead} bytes from"
                               f" {what_starts(buf[lead:], el_sep)} (a segment is at most {MAX_SEGMENT} bytes)",
                               file=name, offset=base + lead, segment=number + 1,
                               line=line + buf.count("\n", 0, lead))
            fill()
            continue
        if buf[:1] in ("\r", "\n") and term not in WHITESPACE:  # line breaks before the next segment (after the ISA, or a chunk's last one)
            rest = buf.lstrip("\r\n")
            line += buf.count("\n", 0, len(buf) - len(rest))
            base += len(buf) - len(rest)
            buf = rest
        sep = regular_separator(buf, term)
        if sep:  # every segment up to the last `sep` is ready as split: no blanks to strip, no lines to count
            end = buf.rfind(sep) + len(sep)
            pieces = buf[:end].split(sep)
            pieces.pop()  # the "" after the last separator
            tail = buf[end:]
        else:
            pieces = buf.split(term)
            tail = pieces.pop()  # no terminator after it (yet)
        step = len(sep) or 1
        lines_per_sep = sep.count("\n")
        p = 0
        ended = False
        for piece in pieces:
            start = p
            size = len(piece)
            p += size + step
            text = piece if sep else piece.strip(WHITESPACE)
            spaced = False
            if len(text) != size:  # line breaks (or blanks) around the segment
                if not text:
                    line += piece.count("\n")
                    continue
                lead = piece.find(text[0])
                line += piece.count("\n", 0, lead)
                spaced = " " in piece[:lead] or "\t" in piece[:lead]
                start += lead
            els = text.split(el_sep)
            sid = els[0]
            number += 1
            if sid not in known_ids:
                if not SEGMENT_ID.match(sid):
                    raise InputError(f"not an X12 segment: {what_starts(text, el_sep)} (segments start with a 2-3"
                                   f" character id and end with {term!r})", file=name, offset=base + start,
                                   segment=number, line=line)
                if len(known_ids) < 10_000:
                    known_ids.add(sid)
            if position:  # counting goes on past SE, so a stray segment before GE has a place to report
                position = 1 if sid == "ST" else (0 if sid in OUTSIDE_SETS else position + 1)
            elif sid == "ST":
                position = 1
            # Each class called by name: compiled, that is a direct call of its constructor.
            if spaced:
                yield SpacedSegment(els, base + start, line, position, number, delims, text)
            else:
                yield Segment(els, base + start, line, position, number, delims, text)
            if sep:
                line += lines_per_sep
            elif term_is_newline:
                line += 1
            else:
                if "\n" in text:  # a line break inside the segment (an error of its own) still starts a line
                    line += text.count("\n")
                if size != len(text):
                    line += piece.count("\n", lead + len(text))
            if sid == "IEA" and not _same_isa_next(buf, p, term, delims):
                ended = True  # the next interchange is read afresh, with its own delimiters
                break
        if ended:
            buf = buf[p:]
            base += p
            delims = None
            continue
        buf = tail
        base += p
        if eof and term in tail:  # a regular split stops at its last separator: the segments after it are read next
            continue
        if eof:
            rest = tail.strip(WHITESPACE)
            if rest:
                lead = len(tail) - len(tail.lstrip(WHITESPACE))
                raise InputError(f"file ends inside {what_starts(rest, el_sep)}: no segment terminator {term!r}",
                               file=name, offset=base + lead, segment=number + 1,
                               line=line + tail.count("\n", 0, lead))
            return
        fill()
