"""Building claims from tagged segments: `ClaimBuilder` is fed (segment, loop id) in file order and
hands back each claim as soon as its 2300 loop ends, so memory holds one claim at a time.

The 837I and the 837P share the builder but not all loop ids (2310A is the attending physician of an
837I and the referring provider of an 837P; 2310E the service facility of one and the pick-up
location of the other), so each claim type has its own reader tables, chosen at ST by ST03.

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
from .model import (
    Certification,
    Claim,
    Code,
    Location,
    Note,
    Person,
    Provider,
    ServiceLine,
    Transport,
    Where,
    is_ambulance,
    money,
    procedure,
)

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
        self.pro: _Professional | None = None  # an 837P claim's own data (None on an 837I claim)


class _Professional:
    """What an 837P claim carries that an 837I claim does not, for the claim and for the line being read."""

    def __init__(self) -> None:
        self.transport: Transport | None = None
        self.certifications: list[Certification] = []
        self.pickup: _Place | None = None  # 2310E (2420G on a line)
        self.dropoff: _Place | None = None  # 2310F (2420H on a line)
        self.admission: Segment | None = None
        self.notes: list[Note] = []
        self.prior: list[Code] = []
        self.facility: Where | None = None
        self.line = _ProLine()


class _ProLine:
    """The 837P data of the service line being read (2400 CR1, CRC, QTY*PT, NTE, REF*G1; 2420C/G/H)."""

    def __init__(self) -> None:
        self.transport: Transport | None = None
        self.certifications: list[Certification] = []
        self.qty: Segment | None = None
        self.pickup: _Place | None = None  # 2310E (2420G on a line)
        self.dropoff: _Place | None = None  # 2310F (2420H on a line)
        self.notes: list[Note] = []
        self.prior: list[Code] = []
        self.facility: Where | None = None


def _where(seg: Segment, loop: str, element: str = "") -> Where:
    return Where(loop, seg.elements[0], seg.position, element, seg.offset, seg.line)


def _get(els: list[str], index: int) -> str:
    return els[index] if index < len(els) else ""


class RawSegments:
    """The segments the forward 837 copies, as read (text without terminator): the billing provider's,
    the subscriber's and the patient's loops, and the open claim's. A claim takes the blocks open when
    its CLM is read (`blocks`); an HL opens new ones."""

    def __init__(self) -> None:
        self.billing: list[str] = []
        self.subscriber: list[str] = []
        self.patient: list[str] = []
        self.claim: list[str] = []
        self.blocks: tuple[list[str], ...] = ()

    def new_set(self) -> None:
        self.billing, self.subscriber, self.patient = [], [], []

    def hl(self, code: str) -> None:
        if code == "20":
            self.billing = []
        elif code == "22":
            self.subscriber, self.patient = [], []
        elif code == "23":
            self.patient = []

    def claim_opened(self) -> None:
        self.blocks = (self.billing, self.subscriber, self.patient)

    def take_claim(self) -> tuple[list[str], tuple[list[str], ...]]:
        """The closed claim's segments and blocks; the next claim starts a list of its own."""
        taken, self.claim = self.claim, []
        return taken, self.blocks


class ClaimBuilder:
    """Feed (segment, loop id); `feed` returns a finished Claim when one ends, else None. With `keep`,
    `raw` holds the segments the forward 837 copies (see `retain`)."""

    def __init__(self, file: str = "", keep: bool = False) -> None:
        self.file = file
        self.raw: RawSegments | None = RawSegments() if keep else None
        self.loops = guide.loop_sets()
        self.kind = "837I"  # the claim type of the set being read (ST03)
        self.claim_readers = CLAIM_READERS
        self.readers = READERS
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
            return _professional_claim(self, d, els, clm05, total)
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
        b.kind = known[0]
        b.claim_readers = PRO_CLAIM_READERS if b.kind == "837P" else CLAIM_READERS
        b.readers = PRO_READERS if b.kind == "837P" else READERS
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
    if b.kind == "837P":
        b.draft.pro = _Professional()
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
            d.pro.line = _ProLine()
        return
    if len(d.lines) >= MAX_LINES:
        d.lines_not_read += 1
        return
    if sv2.elements[0] == "SV1":
        _end_professional_line(d, sv2, dtp, lx, line_control)
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


# -- the 837P: its claim and line data (CR1, CRC, QTY*PT, NTE, REF*G1, pick-up and drop-off) -----------

def _professional_claim(b: ClaimBuilder, d: _Draft, els: list[str], clm05: list[str], total: str) -> Claim:
    """An 837P claim: CLM05-1 is the place of service (in `facility_type`, as CLM05 is read for both),
    no statement period, CL1 or value codes; its ambulance data from the _Professional draft."""
    pro = d.pro
    assert pro is not None
    admission = _get(pro.admission.elements, 3) if pro.admission is not None else ""
    return Claim(
        _get(els, 1), money(total), total, clm05[0] if clm05 else "", clm05[1] if len(clm05) > 1 else "",
        clm05[2] if len(clm05) > 2 else "", None, None, "", "", "", d.principal, tuple(d.diagnoses), (), (), (),
        b.billing, b.subscriber, b.patient or b.subscriber, b.payer[0], b.payer[1], None, tuple(d.lines), b.file,
        b.transaction, d.clm_where, b.hl_subscriber, b.hl_patient, d.d9, d.f8, None, None, tuple(d.ambulance),
        d.lines_not_read, tuple(d.diagnosis_codes), "837P", date8(b.created), transport=pro.transport,
        certifications=tuple(pro.certifications), pickup=_located(pro.pickup), dropoff=_located(pro.dropoff),
        admission_date=date8(admission[:8]) if admission else None,
        admission_where=_where(pro.admission, "2300", "DTP03") if pro.admission is not None else None,
        notes=tuple(pro.notes), prior_authorizations=tuple(pro.prior), facility_where=pro.facility)


def _end_professional_line(d: _Draft, sv1: Segment, dtp: Segment | None, lx: str, line_control: str) -> None:
    """SV1: SV101 HC:code:modifiers, SV102 charge, SV103 UN, SV104 units (a decimal), SV105 place of
    service, SV107 diagnosis pointers, SV109 emergency; with the line's CR1, CRC, QTY*PT, 2420C/G/H."""
    pro = d.pro
    assert pro is not None
    ln, pro.line = pro.line, _ProLine()
    _, sv101, charge, basis, units, pos, _, sv107, _, emergency = (*sv1.elements, *PAD)[:10]
    comp = sv1.delims.component
    qualifier, code, modifiers, kind, od, arrangement, dead = procedure(sv101, comp)
    date_text, service_date, date_where = _line_date_of(dtp)
    qty = ln.qty
    line = ServiceLine(
        lx, "", qualifier, code, modifiers, money(charge), charge, basis, units, None, "", service_date,
        date_text, line_control, _where(sv1, "2400"), date_where, kind, od, arrangement, dead,
        place_of_service=pos, pointers=tuple(sv107.split(comp)) if sv107 else (), emergency=emergency,
        transport=ln.transport, certifications=tuple(ln.certifications),
        patient_count=_get(qty.elements, 2) if qty is not None else "",
        patient_count_where=_where(qty, "2400", "QTY02") if qty is not None else None, pickup=_located(ln.pickup),
        dropoff=_located(ln.dropoff), notes=tuple(ln.notes), prior_authorizations=tuple(ln.prior),
        facility_where=ln.facility)
    d.lines.append(line)
    if is_ambulance("", code):
        d.ambulance.append(line)


def _transport(seg: Segment, els: list[str], loop: str) -> Transport:
    e = (*els, *PAD)[:11]
    return Transport(e[1], e[2], e[4], e[5], money(e[6]), e[6], e[9], e[10], tuple(e[1:11]), _where(seg, loop))


def _certification(seg: Segment, els: list[str], loop: str) -> Certification:
    return Certification(_get(els, 1), _get(els, 2), tuple(c for c in els[3:8] if c), _where(seg, loop))


def _pro_line(d: _Draft) -> _ProLine | None:
    """The 837P data of the line being read (None before the claim's first LX, or on an 837I claim)."""
    return d.pro.line if d.pro is not None and d.lx is not None else None


def _pro_cr1(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.pro is None:
        return
    if loop == "2400":
        line = _pro_line(d)
        if line is not None:
            line.transport = _transport(seg, els, loop)
    else:
        d.pro.transport = _transport(seg, els, loop)


def _pro_crc(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.pro is None:
        return
    if loop == "2400":
        line = _pro_line(d)
        if line is not None:
            line.certifications.append(_certification(seg, els, loop))
    else:
        d.pro.certifications.append(_certification(seg, els, loop))


def _pro_nte(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.pro is None:
        return
    note = Note(_get(els, 1), _get(els, 2), _where(seg, loop, "NTE02"))
    if loop == "2400":
        line = _pro_line(d)
        if line is not None:
            line.notes.append(note)
    else:
        d.pro.notes.append(note)


def _pro_claim_ref(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    _claim_ref(d, seg, els, loop)
    if d.pro is not None and _get(els, 1) == "G1":
        d.pro.prior.append(Code("G1", _get(els, 2), "", "", _where(seg, loop, "REF02")))


def _pro_line_ref(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    _line_ref(d, seg, els, loop)
    line = _pro_line(d)
    if line is not None and _get(els, 1) == "G1":
        line.prior.append(Code("G1", _get(els, 2), "", "", _where(seg, loop, "REF02")))


def _pro_claim_dtp(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.pro is not None and _get(els, 1) == "435":
        d.pro.admission = seg


def _pro_qty(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    line = _pro_line(d)
    if line is not None and _get(els, 1) == "PT":
        line.qty = seg


def _pro_sv1(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.lx is not None:
        d.sv2 = seg  # the line's service segment (SV2 on an 837I, SV1 on an 837P)


# Pick-up and drop-off: NM1 opens the location, N3 and N4 fill it, on the claim (2310E/F) or the line
# (2420G/H); it is made a Location once, when its claim or line ends.
LOCATION_LOOPS = {"2310E": ("claim", "pickup"), "2310F": ("claim", "dropoff"),
                  "2420G": ("line", "pickup"), "2420H": ("line", "dropoff")}


class _Place:
    """A location loop being read: its NM1, N3 and N4 segments."""

    def __init__(self, nm1: Segment, loop: str) -> None:
        self.nm1 = nm1
        self.loop = loop
        self.n3: Segment | None = None
        self.n4: Segment | None = None


def _located(place: _Place | None) -> Location | None:
    """The Location a location loop holds (NM101, NM103; N301-N302; N401-N404), each part where it sits."""
    if place is None:
        return None
    loop, nm1, n3, n4 = place.loop, place.nm1.elements, place.n3, place.n4
    street = tuple(x for x in n3.elements[1:3] if x) if n3 is not None else ()
    city = (*n4.elements, *PAD)[1:5] if n4 is not None else ("", "", "", "")
    return Location(_get(nm1, 1), _get(nm1, 3), street, city[0], city[1], city[2], city[3], _where(place.nm1, loop),
                    _where(n3, loop, "N301") if n3 is not None else None,
                    _where(n4, loop, "N403") if n4 is not None else None)


def _location_holder(d: _Draft, loop: str) -> _Professional | _ProLine | None:
    if d.pro is None:
        return None
    return d.pro if LOCATION_LOOPS[loop][0] == "claim" else _pro_line(d)


def _place(d: _Draft, loop: str) -> _Place | None:
    holder = _location_holder(d, loop)
    if holder is None:
        return None
    return holder.pickup if LOCATION_LOOPS[loop][1] == "pickup" else holder.dropoff


def _location_nm1(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    holder = _location_holder(d, loop)
    if holder is None:
        return
    if LOCATION_LOOPS[loop][1] == "pickup":
        holder.pickup = _Place(seg, loop)
    else:
        holder.dropoff = _Place(seg, loop)


def _location_n3(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    place = _place(d, loop)
    if place is not None:
        place.n3 = seg


def _location_n4(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    place = _place(d, loop)
    if place is not None:
        place.n4 = seg


def _facility(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    if d.pro is None:
        return
    if loop == "2310C":
        d.pro.facility = _where(seg, loop)
    else:
        line = _pro_line(d)
        if line is not None:
            line.facility = _where(seg, loop)


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

# The 837P's: the same outside a claim (the 2000A-2010CA loops are the same in both guides).
PRO_READERS = READERS
_LOCATION: dict[str, ClaimReader] = {"NM1": _location_nm1, "N3": _location_n3, "N4": _location_n4}
PRO_CLAIM_READERS: dict[str, dict[str, ClaimReader]] = {
    "2300": {"HI": _hi, "DTP": _pro_claim_dtp, "REF": _pro_claim_ref, "CR1": _pro_cr1, "CRC": _pro_crc,
             "NTE": _pro_nte},
    "2310C": {"NM1": _facility},
    "2310E": _LOCATION, "2310F": _LOCATION,
    "2400": {"LX": _lx, "SV1": _pro_sv1, "DTP": _line_date, "REF": _pro_line_ref, "CR1": _pro_cr1,
             "CRC": _pro_crc, "QTY": _pro_qty, "NTE": _pro_nte},
    "2420C": {"NM1": _facility},
    "2420G": _LOCATION, "2420H": _LOCATION,
}
