"""Building claims from tagged segments: `ClaimBuilder` is fed (segment, loop id) in file order and
hands back each claim as soon as its 2300 loop ends, so memory holds one claim at a time.

The 837I and the 837P share the builder but not all loop ids (2310A is the 837I's attending physician,
the 837P's referring provider), so each claim type has its own reader tables (`KINDS`), chosen at ST
by ST03; the 837P's, and what its claims and lines add, are in edi837.claims.professional.

Every reader below keeps one contract: it takes the builder (or the claim being read), the segment,
its elements and its loop, and records what the claim needs; it never decides anything about the
claim's verdict. Which reader a segment goes to is the two tables at the end of this file:
`CLAIM_READERS` for segments inside the claim being read, `ANYWHERE` and `READERS` for the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..x12 import guide
from ..x12.datatypes import date8
from ..x12.read import Segment
from .hcpcs import procedure
from .model import Claim, Code, Person, Provider, ServiceLine, Where, is_ambulance, money
from .raw import RawSegments

MAX_LINES = 999  # the 837I's 2400 loop repeats at most 999 times; later lines of a claim are counted, not kept
PAD = ("",) * 12  # `(*elements, *PAD)[:n]`: a segment's first n elements, absent ones empty
# Segments that end the claim being read even inside a claim loop (which loops belong to a claim, a
# subscriber or a patient is the guide's to say: guide.loop_sets).
CLAIM_ENDS = frozenset({"CLM", "HL", "SE", "GE", "IEA", "ST", "GS", "ISA"})
HI_DIAGNOSIS = {"ABK": "principal", "BK": "principal", "ABF": "other", "BF": "other"}
HI_CODES = frozenset({"BG", "BE", "BH", "BI"})  # condition, value, occurrence (BH) and occurrence span (BI)


class _Draft:
    """Mutable state of the claim being read; frozen into a Claim when its loop ends. (A plain class:
    compiled, its constructor is native, where a dataclass's is the interpreted one it writes.)"""

    def __init__(self, clm: Segment, clm_where: Where) -> None:
        self.clm = clm
        self.clm_where = clm_where
        self.period = ""  # DTP*434
        self.period_where: Where | None = None
        self.cl1 = ("", "", "")
        self.cl1_where: Where | None = None
        self.d9 = ""
        self.f8 = ""
        self.conditions: list[Code] = []
        self.values: list[Code] = []
        self.occurrences: list[Code] = []
        self.diagnoses: list[str] = []
        self.principal = ""
        self.diagnosis_codes: list[Code] = []  # principal and other, as written, each where it sits
        self.attending: Provider | None = None
        self.lines: list[ServiceLine] = []
        self.ambulance: list[ServiceLine] = []  # the lines that are is_ambulance
        # The service line being read: LX01, its SV2 and DTP*472 segments, REF*6R.
        self.lx: str | None = None
        self.sv2: Segment | None = None
        self.dtp: Segment | None = None
        self.line_control = ""
        self.lines_not_read = 0  # service lines past MAX_LINES
        self.pro: ClaimExtra | None = None  # an 837P claim's own data (None on an 837I claim)


class ClaimExtra:
    """What a claim type adds to the claim being read (the 837P's: edi837.claims.professional): it makes
    the Claim when the claim's loop ends, and each service line when the line ends."""

    def claim(self, b: ClaimBuilder, d: _Draft, els: list[str], clm05: list[str], total: str) -> Claim:
        raise NotImplementedError

    def end_line(self, d: _Draft, service: Segment, dtp: Segment | None, lx: str, line_control: str) -> None:
        raise NotImplementedError

    def no_line(self) -> None:
        """A line ended without its service segment: what was read of it is dropped."""


class Kind:
    """A claim type's reader tables and its extra (None: the 837I needs none)."""

    def __init__(self, readers: dict[str, dict[str, Reader]], claim_readers: dict[str, dict[str, ClaimReader]],
                 extra: Callable[[], ClaimExtra] | None) -> None:
        self.readers = readers
        self.claim_readers = claim_readers
        self.extra = extra


def _where(seg: Segment, loop: str, element: str = "") -> Where:
    return Where(loop, seg.elements[0], seg.position, element, seg.offset, seg.line)


def _get(els: list[str], index: int) -> str:
    return els[index] if index < len(els) else ""


class ClaimBuilder:
    """Feed (segment, loop id); `feed` returns a finished Claim when one ends, else None. With `keep`,
    `raw` holds the segments the forward 837 copies (see `retain`)."""

    def __init__(self, file: str = "", keep: bool = False) -> None:
        self.file = file
        self.raw: RawSegments | None = RawSegments() if keep else None
        self.loops = guide.loop_sets()
        self.claim_readers = CLAIM_READERS
        self.readers = READERS
        self.extra: Callable[[], ClaimExtra] | None = None
        self.created = ""  # BHT04 of the set being read
        self.transaction = ""
        self.billing = Provider()
        self.subscriber = Person()
        self.patient: Person | None = None
        self.payer = ("", "")
        self.hl_subscriber = ""
        self.hl_patient = ""
        self.draft: _Draft | None = None

    def feed(self, seg: Segment, loop: str) -> Claim | None:
        els = seg.elements
        sid = els[0]
        d = self.draft
        done = None
        if d is not None:
            if loop in self.loops.claim and sid not in CLAIM_ENDS:
                claim_reader = self.claim_readers.get(loop, NO_READERS).get(sid)
                if claim_reader is not None:
                    claim_reader(d, seg, els, loop)
                return None
            done = self.finish()
        reader = ANYWHERE.get(sid) or self.readers.get(loop, NO_READERS).get(sid)
        if reader is not None:
            reader(self, seg, els, loop)
        return done

    def retain(self, seg: Segment, loop: str, header: list[str], claim_clean: bool, person_clean: bool) -> None:
        """Keep `seg` for the forward 837 with what it belongs to, while that can still be forwarded
        (a guide error already filed rejects its claim or person loop: their segments are not kept,
        and a claim of a million segments in error costs no memory). The set's header goes to `header`."""
        raw = self.raw
        if raw is None:
            return
        if self.draft is not None:
            if claim_clean:
                raw.claim.append(seg.raw)
        elif loop in self.loops.patient:
            if person_clean:
                raw.patient.append(seg.raw)
        elif loop in self.loops.subscriber:
            if person_clean:
                raw.subscriber.append(seg.raw)
        elif loop[:2] == "20":
            raw.billing.append(seg.raw)
        else:
            header.append(seg.raw)

    def finish(self) -> Claim | None:
        """Close the claim being read (at end of input too)."""
        d = self.draft
        if d is None:
            return None
        if d.lx is not None:
            _end_line(d)
        self.draft = None
        els = d.clm.elements
        clm05 = els[5].split(d.clm.delims.component) if len(els) > 5 and els[5] else []
        start, _, end = d.period.partition("-")
        total = _get(els, 2)
        if d.pro is not None:
            return d.pro.claim(self, d, els, clm05, total)
        # Positional, in the model's field order: with keywords, making the claims and their lines cost
        # 4% of a parse (cProfile, 2,000 claims). tests/claims/test_builder.py reads every field back.
        return Claim(
            _get(els, 1), money(total), total, clm05[0] if clm05 else "", clm05[1] if len(clm05) > 1 else "",
            clm05[2] if len(clm05) > 2 else "", date8(start), date8(end or start), d.cl1[0], d.cl1[1], d.cl1[2],
            d.principal, tuple(d.diagnoses), tuple(d.conditions), tuple(d.values), tuple(d.occurrences),
            self.billing, self.subscriber, self.patient or self.subscriber, self.payer[0], self.payer[1],
            d.attending, tuple(d.lines), self.file, self.transaction, d.clm_where, self.hl_subscriber,
            self.hl_patient, d.d9, d.f8, d.period_where, d.cl1_where, tuple(d.ambulance), d.lines_not_read,
            tuple(d.diagnosis_codes), "837I", date8(self.created))


# -- outside a claim: the set, the billing provider, the subscriber, the patient ------------------------

def _st(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.transaction = _get(els, 2)
    b.created = ""
    known = guide.GUIDES.get(_get(els, 3))
    if known is not None:  # (an unknown ST03 is refused by the envelope; a missing one keeps the last)
        kind = KINDS[known[0]]
        b.readers, b.claim_readers, b.extra = kind.readers, kind.claim_readers, kind.extra
    if b.raw is not None:
        b.raw.new_set()


def _hl(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    code = _get(els, 3)
    if b.raw is not None:
        b.raw.hl(code)
    if code == "22":  # a new subscriber: nothing of the one before carries over
        b.hl_subscriber, b.hl_patient, b.patient = _get(els, 1), "", None
        b.subscriber, b.payer = Person(), ("", "")
    elif code == "23":
        b.hl_patient = _get(els, 1)
    elif code == "20":
        b.billing = Provider()


def _bht(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.created = _get(els, 4)


def _clm(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.draft = _Draft(seg, _where(seg, loop))
    if b.extra is not None:
        b.draft.pro = b.extra()
    if b.raw is not None:
        b.raw.claim_opened()


def _billing_name(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.billing = b.billing.replace(name=_get(els, 3), npi=_get(els, 9), npi_qualifier=_get(els, 8),
                                    where=_where(seg, loop, "NM109"))


def _billing_street(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.billing = b.billing.replace(street=(_get(els, 1), _get(els, 2)), street_where=_where(seg, loop, "N301"))


def _billing_zip(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.billing = b.billing.replace(zip=_get(els, 3))


def _billing_tax_id(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    if _get(els, 1) == "EI":
        b.billing = b.billing.replace(tax_id=_get(els, 2), tax_id_where=_where(seg, loop, "REF02"))


def _billing_taxonomy(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    if _get(els, 1) == "BI" and _get(els, 2) == "PXC":
        b.billing = b.billing.replace(taxonomy=_get(els, 3), taxonomy_where=_where(seg, loop, "PRV03"))


def _subscriber_name(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.subscriber = Person(_get(els, 3), _get(els, 4), _get(els, 9), None, "", _get(els, 8),
                          _where(seg, loop, "NM109"))


def _subscriber_demographics(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    p = b.subscriber
    b.subscriber = Person(p.last, p.first, p.member_id, date8(_get(els, 2)), _get(els, 3), p.id_qualifier, p.where)


def _payer_name(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.payer = (_get(els, 3), _get(els, 9))


def _patient_name(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    b.patient = Person(_get(els, 3), _get(els, 4), _get(els, 9))


def _patient_demographics(b: ClaimBuilder, seg: Segment, els: list[str], loop: str) -> None:
    p = b.patient or Person()
    b.patient = Person(p.last, p.first, p.member_id, date8(_get(els, 2)), _get(els, 3))


# -- inside a claim: 2300, its attending physician (2310A), its service lines (2400) -----------------

def _hi(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    comp = seg.delims.component
    for i in range(1, len(els)):
        el = els[i]
        if not el:
            continue
        qual, _, rest = el.partition(comp)
        diagnosis = HI_DIAGNOSIS.get(qual)
        if diagnosis is not None:
            code = rest.partition(comp)[0]
            d.diagnosis_codes.append(Code(qual, code, "", "", _where(seg, loop, f"HI{i:02d}")))
            if diagnosis == "principal":
                d.principal = code
            else:
                d.diagnoses.append(code)
            continue
        if qual not in HI_CODES:
            continue
        parts = rest.split(comp)
        where = _where(seg, loop, f"HI{i:02d}")
        if qual == "BG":
            d.conditions.append(Code(qual, parts[0], "", "", where))
        elif qual == "BE":
            d.values.append(Code(qual, parts[0], parts[3] if len(parts) > 3 else "", "", where))
        else:
            d.occurrences.append(Code(qual, parts[0], "", parts[2] if len(parts) > 2 else "", where))


def _statement_period(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if _get(els, 1) == "434":
        d.period, d.period_where = _get(els, 3), _where(seg, loop, "DTP03")


def _cl1(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    d.cl1, d.cl1_where = (_get(els, 1), _get(els, 2), _get(els, 3)), _where(seg, loop)


def _claim_ref(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    q = _get(els, 1)
    if q == "D9":
        d.d9 = _get(els, 2)
    elif q == "F8":
        d.f8 = _get(els, 2)


def _attending(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    d.attending = Provider(" ".join(x for x in (_get(els, 4), _get(els, 3)) if x), _get(els, 9), _get(els, 8), "",
                           _where(seg, loop, "NM109"))


def _lx(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.lx is not None:
        _end_line(d)
    d.lx = _get(els, 1)


def _sv2(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.lx is not None:  # a line's segments before its LX belong to no line
        d.sv2 = seg


def _line_date(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.lx is not None and _get(els, 1) == "472":
        d.dtp = seg


def _line_ref(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.lx is not None and _get(els, 1) == "6R":
        d.line_control = _get(els, 2)


def _end_line(d: _Draft) -> None:
    """The service line being read is complete: made into a ServiceLine (or counted, past MAX_LINES)."""
    sv2, dtp, lx, line_control = d.sv2, d.dtp, d.lx, d.line_control
    d.lx, d.sv2, d.dtp, d.line_control = None, None, None, ""
    if sv2 is None or lx is None:
        if d.pro is not None:
            d.pro.no_line()
        return
    if len(d.lines) >= MAX_LINES:
        d.lines_not_read += 1
        return
    if d.pro is not None:  # the claim type's own service line (the 837P's SV1)
        d.pro.end_line(d, sv2, dtp, lx, line_control)
        return
    _, revenue, sv202, charge, basis, units, _, non_covered = (*sv2.elements, *PAD)[:8]
    qualifier, code, modifiers, kind, od, arrangement, dead = procedure(sv202, sv2.delims.component)
    date_text, service_date, date_where = _line_date_of(dtp)
    line = ServiceLine(  # positional, in field order (see ClaimBuilder.finish)
        lx, revenue, qualifier, code, modifiers, money(charge), charge, basis, units, money(non_covered),
        non_covered, service_date, date_text, line_control, _where(sv2, "2400"), date_where, kind, od,
        arrangement, dead)
    d.lines.append(line)
    if is_ambulance(revenue, code):
        d.ambulance.append(line)


def _line_date_of(dtp: Segment | None) -> tuple[str, dt.date | None, Where | None]:
    """DTP*472 of a line: (DTP03 as written, its first date, where it is)."""
    if dtp is None:
        return "", None, None
    text = _get(dtp.elements, 3)
    return text, date8(text.partition("-")[0]) if text else None, _where(dtp, "2400", "DTP03")


Reader = Callable[[ClaimBuilder, Segment, list[str], str], None]
ClaimReader = Callable[[_Draft, Segment, list[str], str], None]

# Which reader takes a segment outside the claim being read: by segment id wherever it is (ST, HL), else
# by loop id, then segment id. A segment no entry names is not needed for the claims. (Tables keyed by
# strings alone: a lookup by a fresh (loop, id) tuple costs a tuple and its comparison per segment.)
ANYWHERE: dict[str, Reader] = {"ST": _st, "HL": _hl, "BHT": _bht}
READERS: dict[str, dict[str, Reader]] = {
    "2300": {"CLM": _clm},
    "2000A": {"PRV": _billing_taxonomy},
    "2010AA": {"NM1": _billing_name, "N3": _billing_street, "N4": _billing_zip, "REF": _billing_tax_id},
    "2010BA": {"NM1": _subscriber_name, "DMG": _subscriber_demographics},
    "2010BB": {"NM1": _payer_name},
    "2010CA": {"NM1": _patient_name, "DMG": _patient_demographics},
}

# Which reader takes a segment of the claim being read, by loop id, then segment id.
CLAIM_READERS: dict[str, dict[str, ClaimReader]] = {
    "2300": {"HI": _hi, "DTP": _statement_period, "CL1": _cl1, "REF": _claim_ref},
    "2310A": {"NM1": _attending},
    "2400": {"LX": _lx, "SV2": _sv2, "DTP": _line_date, "REF": _line_ref},
}
NO_READERS: dict = {}  # what a loop no table names has: no reader
# The claim types by ST03's claim type: the 837I's here, the 837P's added by edi837.claims.professional.
KINDS: dict[str, Kind] = {"837I": Kind(READERS, CLAIM_READERS, None)}
