"""The 837P's part of the claim builder (edi837.claims.builder): what an 837P claim and its service
lines carry that an 837I's do not (2300/2400 CR1, CRC, QTY*PT, NTE, REF*G1, DTP*435; the pick-up and
drop-off loops 2310E/F and 2420G/H; 2310C/2420C), its SV1 service line, and its reader tables,
registered as the builder's claim type "837P" (`builder.KINDS`) when this module is imported.
"""

from __future__ import annotations

from ..x12.datatypes import date8
from ..x12.read import Segment
from .builder import (
    KINDS,
    PAD,
    READERS,
    ClaimBuilder,
    ClaimExtra,
    ClaimReader,
    Kind,
    _claim_ref,
    _Draft,
    _get,
    _hi,
    _line_date,
    _line_date_of,
    _line_ref,
    _lx,
    _where,
)
from .hcpcs import procedure
from .model import (
    Certification,
    Claim,
    Code,
    Location,
    Note,
    ServiceLine,
    Transport,
    Where,
    is_ambulance,
    money,
)


class _Professional(ClaimExtra):
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

    def claim(self, b: ClaimBuilder, d: _Draft, els: list[str], clm05: list[str], total: str) -> Claim:
        return _professional_claim(self, b, d, els, clm05, total)

    def end_line(self, d: _Draft, service: Segment, dtp: Segment | None, lx: str, line_control: str) -> None:
        _end_professional_line(self, d, service, dtp, lx, line_control)

    def no_line(self) -> None:
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


# -- the 837P: its claim and line data (CR1, CRC, QTY*PT, NTE, REF*G1, pick-up and drop-off) -----------

def _professional_claim(pro: _Professional, b: ClaimBuilder, d: _Draft, els: list[str], clm05: list[str],
                        total: str) -> Claim:
    """An 837P claim: CLM05-1 is the place of service (in `facility_type`, as CLM05 is read for both),
    no statement period, CL1 or value codes; its ambulance data from the _Professional draft."""
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


def _end_professional_line(pro: _Professional, d: _Draft, sv1: Segment, dtp: Segment | None, lx: str,
                           line_control: str) -> None:
    """SV1: SV101 HC:code:modifiers, SV102 charge, SV103 UN, SV104 units (a decimal), SV105 place of
    service, SV107 diagnosis pointers, SV109 emergency; with the line's CR1, CRC, QTY*PT, 2420C/G/H."""
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


def _pro(d: _Draft) -> _Professional | None:
    """The 837P data of the claim being read (None on an 837I claim)."""
    pro = d.pro
    return pro if isinstance(pro, _Professional) else None


def _pro_line(d: _Draft) -> _ProLine | None:
    """The 837P data of the line being read (None before the claim's first LX, or on an 837I claim)."""
    pro = _pro(d)
    return pro.line if pro is not None and d.lx is not None else None


def _holder(d: _Draft, loop: str) -> _Professional | _ProLine | None:
    """Where a CR1, CRC or NTE of `loop` goes: the line being read (2400) or the claim (2300)."""
    return _pro_line(d) if loop == "2400" else _pro(d)


def _pro_cr1(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    holder = _holder(d, loop)
    if holder is not None:
        holder.transport = _transport(seg, els, loop)


def _pro_crc(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    holder = _holder(d, loop)
    if holder is not None:
        holder.certifications.append(_certification(seg, els, loop))


def _pro_nte(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    holder = _holder(d, loop)
    if holder is not None:
        holder.notes.append(Note(_get(els, 1), _get(els, 2), _where(seg, loop, "NTE02")))


def _pro_claim_ref(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    _claim_ref(d, seg, els, loop)
    pro = _pro(d)
    if pro is not None and _get(els, 1) == "G1":
        pro.prior.append(Code("G1", _get(els, 2), "", "", _where(seg, loop, "REF02")))


def _pro_line_ref(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    _line_ref(d, seg, els, loop)
    line = _pro_line(d)
    if line is not None and _get(els, 1) == "G1":
        line.prior.append(Code("G1", _get(els, 2), "", "", _where(seg, loop, "REF02")))


def _pro_claim_dtp(d: _Draft, seg: Segment, els: list[str], loop: str) -> None:
    pro = _pro(d)
    if pro is not None and _get(els, 1) == "435":
        pro.admission = seg


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
    pro = _pro(d)
    if pro is None:
        return None
    return pro if LOCATION_LOOPS[loop][0] == "claim" else _pro_line(d)


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
    pro = _pro(d)
    if pro is None:
        return
    if loop == "2310C":
        pro.facility = _where(seg, loop)
    else:
        line = _pro_line(d)
        if line is not None:
            line.facility = _where(seg, loop)


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

# The 837P's readers outside a claim are the 837I's (the 2000A-2010CA loops are the same in both guides).
KINDS["837P"] = Kind(READERS, PRO_CLAIM_READERS, _Professional)
