"""Medicare Part B ambulance rules on the 837P (005010X222A1): the transport itself, where it began and
ended, its miles and its certifications (../shared/domain/ambulance-837p-rules.md, P1-P3, P5-P10,
P27-P29, P32, P35-P37, P40; the supplier's codes, modifiers, units and charges are in rules/supplier.py).

Each rule judges only 837P ambulance claims (an ambulance HCPCS line, or place of service 41/42), or,
where the TR3 says "ambulance or non-emergency transportation", transport claims (an NEMT line too):
see rules/trips.py. Rules the notes rate as belief (B) are warnings; a payer profile may change that.
Messages quote codes, miles and ZIPs only, never names, member ids or the narrative's text.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..claims import Claim, ServiceLine, Where
from ..claims.model import Certification, Location
from ..findings import WARNING
from .registry import Context, Hit, rule
from .trips import (
    BASE,
    MILEAGE_WITH_NONCOVERED,
    NON_EMERGENCY_BASE,
    TR3,
    ambulance_certifications,
    effective_pickup,
    has_narrative,
    is_ambulance_claim,
    is_ambulance_line,
    is_transport_claim,
    od_pairs,
    sv1,
    trips,
    units,
)

P837 = ("837P",)
RFI1876 = "X12 RFI 1876 (Ambulance Mileage, 2014)"
CH15 = "CMS IOM 100-04 ch. 15 §30.1.2"
NORIDIAN = "Noridian JE/JF Part B ambulance FAQs"
RSNAT = "First Coast / NGS RSNAT prior authorization claim guidance"
NOT_A_ZIP = frozenset({"00000", "99999"})
BEYOND_NEAREST = frozenset({"B", "C"})  # CR104: preferred physician, near family
UTN_LENGTH = 14  # an RSNAT unique tracking number


# --- small helpers -------------------------------------------------------------------------------

def zip_ok(loc: Location) -> bool:
    """N403 is 5 or 9 digits as written (never padded) and its ZIP5 is not 00000 or 99999."""
    z5 = loc.zip5
    return z5 is not None and z5 not in NOT_A_ZIP


def is_foreign(loc: Location) -> bool:
    """N404 names a country other than the US: no US state or ZIP is required (TR3 N4 rule)."""
    return loc.country not in ("", "US")


def n4(loc: Location, element: str = "N403") -> Where | None:
    """The location's N4 at `element`, else its NM1 (a loop without N4 is a guide error already)."""
    return loc.city_where.replace(element=element) if loc.city_where is not None else loc.where


def same_place(a: Location, b: Location) -> bool:
    """Two locations say the same thing (name, street, city, state, ZIP, country as written)."""
    return (a.qualifier, a.name, a.street, a.city, a.state, a.zip, a.country) == \
        (b.qualifier, b.name, b.street, b.city, b.state, b.zip, b.country)


def line_pickups(c: Claim) -> Iterator[tuple[ServiceLine, Location]]:
    for ln in c.lines:
        if ln.pickup is not None:
            yield ln, ln.pickup


def line_dropoffs(c: Claim) -> Iterator[tuple[ServiceLine, Location]]:
    for ln in c.lines:
        if ln.dropoff is not None:
            yield ln, ln.dropoff


def mileage_lines(c: Claim) -> list[ServiceLine]:
    """The lines whose miles CR106 counts: A0425, A0435, A0436 and A0888."""
    return [ln for ln in c.lines if ln.procedure_code in MILEAGE_WITH_NONCOVERED]


def several_transports(c: Claim) -> bool:
    """Two or more base-rate lines: several transports on one claim (RFI 1876)."""
    return sum(1 for ln in c.lines if ln.procedure_code in BASE) >= 2


def crc_key(x: Certification) -> tuple[str, frozenset[str]]:
    return x.answer, frozenset(x.codes)


def crc_element(x: Certification, code: str) -> Where:
    """Where a condition code sits in its CRC (CRC03-CRC07)."""
    return x.where.replace(element=f"CRC0{x.codes.index(code) + 3}")


# --- CR1 ----------------------------------------------------------------------------------------

@rule("AMBP001", "An ambulance claim carries the 2300 CR1 (ambulance transport information)",
      source=f"{TR3} 2300 CR1; Stedi claim edit (S)", stc=("A6:267", "A6:21"), claim_types=P837,
      doc="""What it does: requires the claim-level CR1 on every 837P ambulance claim (an ambulance HCPCS
    line, or place of service 41/42). A CR1 only on the lines does not count: the 2300 CR1 applies
    to the whole claim and a 2400 CR1 only overrides it for one line. A claim with only
    non-emergency transportation (NEMT) lines and no POS 41/42 needs none.

    Why: the TR3 makes the 2300 CR1 "required on all claims involving ambulance transport services";
    it carries the reason for the transport (CR104) and the loaded miles (CR106).
    Example: `CLM*OK1*1130***41:B:1*Y*A*Y*Y~HI*ABK:S72001A~` with no `CR1*LB*180**A*DH*12.5` between.
    Source: 837P TR3 2300 CR1; ambulance-837p-rules.md P1.
    """)
def claim_cr1(c: Claim, ctx: Context) -> Iterator[Hit]:
    if is_ambulance_claim(c) and c.transport is None:
        yield Hit("the ambulance transport information (2300 CR1) is missing; it is required on every ambulance"
                  " claim, and a CR1 on the lines does not replace it", None, "",
                  "add CR1*LB*<weight>**<reason A-E>*DH*<loaded miles> after the CLM (or its DTP/REF segments)")


@rule("AMBP002", "A line CR1 (2400) is sent only when it differs from the claim's CR1 (2300)",
      severity=WARNING, source=f"{TR3} 2400 CR1; {RFI1876}", stc=(), claim_types=P837,
      doc="""What it does: warns about a 2400 CR1 whose elements (CR101-CR110 as written) all equal the
    2300 CR1's. On a claim with several transports (two or more base lines) a mileage line's CR1 is
    expected (P32), so such a line is not judged here.

    Why: the TR3 sends a 2400 CR1 only "when any element differs from the 2300 CR1"; an identical
    one is surplus data.
    Example: `CR1*LB*180**A*DH*12.5` in 2300 and again, the same, under the mileage line.
    Source: 837P TR3 2400 CR1; X12 RFI 1876; ambulance-837p-rules.md P2.
    """)
def surplus_line_cr1(c: Claim, ctx: Context) -> Iterator[Hit]:
    claim = c.transport
    if claim is None or not is_ambulance_claim(c):
        return
    several = several_transports(c)
    for ln in c.lines:
        own = ln.transport
        if own is None or own.elements != claim.elements:
            continue
        if several and ln.procedure_code in MILEAGE_WITH_NONCOVERED:
            continue
        yield Hit(f"service line {ln.lx} repeats the claim's CR1 unchanged; a line CR1 is sent only when it"
                  " differs", own.where, "", "remove the CR1 from the line (the claim's CR1 applies)", lx=ln.lx)


@rule("AMBP003", "CR106 (loaded miles) equals the mileage units billed (SV104)",
      severity=WARNING, source=f"{RFI1876}; X12 RFI 1858; CMS CR 7065", stc=("A7:267",), confidence="V/B",
      claim_types=P837,
      doc="""What it does: compares, by value (12.50 = 12.5), the 2300 CR106 with the sum of SV104 over the
    mileage lines (A0425, A0435, A0436, A0888), and each mileage line's own 2400 CR106 with that
    line's SV104, and names both figures on any difference. With no mileage line there is nothing
    to compare (CR106 = 0 is valid when no mileage is charged).

    Why: X12 says CR106 and SV104 carry the same loaded miles, and with several transports the
    2300 CR106 is the sum of the lines'. More miles billed than transported is an overpayment risk;
    fewer leaves money unbilled. No Medicare edit is known, so a warning; a profile may raise it.
    Example: `CR1*LB*180**A*DH*15` with one mileage line `SV1*HC:A0425:RH*180*UN*12.5`.
    Source: X12 RFI 1876, RFI 1858; CR 7065; ambulance-837p-rules.md P3.
    """)
def miles_agree(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = mileage_lines(c)
    if not lines or not is_ambulance_claim(c):
        return
    claim = c.transport
    billed = [units(ln) for ln in lines]
    if claim is not None and claim.miles is not None and all(m is not None for m in billed):
        total = sum((m for m in billed if m is not None), Decimal(0))
        if total != claim.miles:
            of = f"the mileage line ({lines[0].procedure_code}) bills" if len(lines) == 1 else \
                f"the {len(lines)} mileage lines bill"
            yield Hit(f"the claim's CR1 reports {claim.miles_text} loaded miles (CR106), but {of} {total} miles"
                      " (SV104)", claim.where.replace(element="CR106"), claim.miles_text,
                      f"make CR106 the loaded miles billed ({total}), or correct the mileage units")
    for ln, m in zip(lines, billed, strict=True):
        own = ln.transport
        if own is not None and own.miles is not None and m is not None and own.miles != m:
            yield Hit(f"service line {ln.lx} CR1 reports {own.miles_text} loaded miles (CR106), but the line bills"
                      f" {ln.units} miles (SV104)", own.where.replace(element="CR106"), own.miles_text,
                      f"make the line's CR106 {ln.units}, or correct SV104", lx=ln.lx)


@rule("AMBP032", "Several transports on one claim: each mileage line carries its own CR1",
      severity=WARNING, source=RFI1876, stc=("A6:267",), confidence="V/B", claim_types=P837,
      doc="""What it does: on a claim with two or more base-rate lines, warns about a mileage line (A0425,
    A0435, A0436, A0888) without a 2400 CR1.

    Why: X12 RFI 1876: with several transports, each mileage line gets a CR1 whose CR106 is that
    line's miles, and the 2300 CR106 is their sum (P3).
    Example: two trips (A0429 + A0425, A0428 + A0425) with a CR1 only in 2300.
    Source: X12 RFI 1876; ambulance-837p-rules.md P32.
    """)
def line_cr1_per_transport(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c) or not several_transports(c):
        return
    for ln in mileage_lines(c):
        if ln.transport is None:
            yield Hit(f"the claim has several transports, but mileage line {ln.lx} ({ln.procedure_code}) has no CR1"
                      " of its own in its loop 2400", ln.where, ln.procedure_code,
                      f"add CR1*LB*<weight>**<reason>*DH*{ln.units or '<miles>'} after the line's SV1", lx=ln.lx)


# --- pick-up and drop-off -----------------------------------------------------------------------

@rule("AMBP005", "A transport claim carries the ambulance pick-up location (2310E)",
      source=f"{TR3} 2310E; {CH15}, §20.1.5; CMS CR 7018", stc=("A6:763", "A6:21"), confidence="V/S",
      claim_types=P837,
      doc="""What it does: requires loop 2310E (NM1*PW, N3, N4) on every ambulance or non-emergency
    transportation claim. A 2420G on every line does not replace it.

    Why: the TR3 requires it "when billing for ambulance or non-emergency transportation services",
    and Medicare prices the trip from the pick-up ZIP; without it the claim is unprocessable.
    Example: a claim without `NM1*PW*2~N3*5 ELM ST~N4*SPRINGFIELD*IL*62704`.
    Source: 837P TR3 2310E; IOM 100-04 ch. 15 §30.1.2, §20.1.5; CR 7018; ambulance-837p-rules.md P5.
    """)
def pickup_loop(c: Claim, ctx: Context) -> Iterator[Hit]:
    if is_transport_claim(c) and c.pickup is None:
        yield Hit("the ambulance pick-up location (loop 2310E) is missing; the trip is priced from its ZIP", None, "",
                  "add NM1*PW*2~N3*<street or description>~N4*<city>*<state>*<ZIP> before the first LX")


@rule("AMBP006", "The pick-up ZIP (2310E/2420G N403) is 5 or 9 digits, not 00000 or 99999",
      source=f"{CH15}; {TR3} N3 note", stc=("A7:763",), confidence="S", claim_types=P837,
      doc="""What it does: checks the N403 of loop 2310E and of every 2420G as written: digits only, exactly
    5 (ZIP) or 9 (ZIP+4, no hyphen), and a ZIP5 other than 00000 and 99999. N403 is a string: 4
    digits are a bad ZIP, not a ZIP to pad with a leading zero. A missing N403 is P29; a foreign
    address (N404 not US) is not judged.

    Why: CMS reads the pick-up ZIP as five numerics (the last four of a ZIP+4 are ignored) and
    rejects the claim when it cannot price it.
    Example: `N4*SPRINGFIELD*IL*6270` (4 digits), `N4*SPRINGFIELD*IL*62704-0001`, `N4*SPRINGFIELD*IL*00000`.
    Use instead: `N4*SPRINGFIELD*IL*62704` or `N4*SPRINGFIELD*IL*627040001`.
    Source: IOM 100-04 ch. 15 §30.1.2; ambulance-837p-rules.md P6.
    """)
def pickup_zip_form(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_transport_claim(c):
        return
    found = [("", c.pickup)] if c.pickup is not None else []
    found += [(ln.lx, loc) for ln, loc in line_pickups(c)]
    for lx, loc in found:
        if loc.zip and not is_foreign(loc) and not zip_ok(loc):
            loop = f"line {lx} pick-up (2420G)" if lx else "pick-up (2310E)"
            yield Hit(f"the {loop} ZIP {loc.zip!r} is not a ZIP code: report 5 digits, or 9 for a ZIP+4,"
                      " digits only", n4(loc), loc.zip,
                      "report the 5-digit ZIP (or the 9-digit ZIP+4, no hyphen) of the place the patient was put"
                      " on board", lx=lx)


@rule("AMBP007", "A transport claim carries the ambulance drop-off location (2310F) with a well-formed ZIP",
      source=f"{TR3} 2310F; CMS CR 7018; {CH15} (S)", stc=("A6:266", "A6:21"), claim_types=P837,
      doc="""What it does: requires loop 2310F (NM1*45, N3, N4) on every ambulance or non-emergency
    transportation claim (an error), and warns when the N403 of 2310F or of a 2420H is not 5 or 9
    digits, or is 00000 or 99999. A missing N403 is P29.

    Why: since 5010 the destination is required too (TR3, CR 7018), though only the pick-up ZIP
    prices the trip; so a malformed drop-off ZIP is only a warning.
    Example: a claim without `NM1*45*2*SPRINGFIELD GENERAL~N3*...~N4*SPRINGFIELD*IL*627690001`, or
    `N4*SPRINGFIELD*IL*6276` in it.
    Source: 837P TR3 2310F; CR 7018; ambulance-837p-rules.md P7.
    """)
def dropoff_loop(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_transport_claim(c):
        return
    if c.dropoff is None:
        yield Hit("the ambulance drop-off location (loop 2310F) is missing", None, "",
                  "add NM1*45*2*<destination name>~N3*<street>~N4*<city>*<state>*<ZIP> after loop 2310E")
    found = [("", c.dropoff)] if c.dropoff is not None else []
    found += [(ln.lx, loc) for ln, loc in line_dropoffs(c)]
    for lx, loc in found:
        if loc.zip and not is_foreign(loc) and not zip_ok(loc):
            loop = f"line {lx} drop-off (2420H)" if lx else "drop-off (2310F)"
            yield Hit(f"the {loop} ZIP {loc.zip!r} is not a ZIP code: report 5 digits, or 9 for a ZIP+4",
                      n4(loc), loc.zip, "report the 5-digit ZIP (or the 9-digit ZIP+4) of the destination",
                      lx=lx, severity=WARNING)


@rule("AMBP008", "Line pick-up/drop-off (2420G/2420H) only when different; one trip has one pick-up ZIP",
      source=f"{TR3} 2420G/2420H; {NORIDIAN} Q6", stc=("A8:763",), confidence="V/V(MAC)", claim_types=P837,
      doc="""What it does: warns about a 2420G (2420H) that says exactly what the 2310E (2310F) says, and
    reports an error when the base and mileage lines of one trip (same line date and O/D pair)
    resolve to different pick-up ZIPs (each line's 2420G, else the 2310E), compared as sent, +4
    included.

    Why: the TR3 sends a line location only when it differs from the claim's. Noridian denies a trip
    whose base and mileage lines carry different pick-up ZIPs, the +4 included.
    Example: base line picked up at 62704 (2310E), its mileage line with a 2420G at 627040001.
    Source: 837P TR3 2420G/2420H; Noridian Part B "Claim Submission Error FAQs" Q6; ambulance-837p-rules.md P8.
    """)
def line_locations(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c):
        return
    yield from identical_overrides(c)
    for lines in trips(c).values():
        yield from trip_pickups_differ(c, lines)


def identical_overrides(c: Claim) -> Iterator[Hit]:
    for ln in c.lines:
        for own, claim, loop, parent in ((ln.pickup, c.pickup, "2420G", "2310E"),
                                         (ln.dropoff, c.dropoff, "2420H", "2310F")):
            if own is not None and claim is not None and same_place(own, claim):
                yield Hit(f"service line {ln.lx} repeats the claim's location in loop {loop} unchanged; it is sent only"
                          f" when it differs from {parent}", own.where, "",
                          f"remove loop {loop} from the line ({parent} applies)", lx=ln.lx, severity=WARNING)


def trip_pickups_differ(c: Claim, lines: list[ServiceLine]) -> Iterator[Hit]:
    """The base and mileage lines of one trip resolve to one pick-up N403, as sent."""
    legs = [ln for ln in lines if ln.procedure_code in BASE or ln.procedure_code in MILEAGE_WITH_NONCOVERED]
    first = next((ln for ln in legs if ln.procedure_code in BASE), legs[0] if legs else None)
    here = effective_pickup(c, first) if first is not None else None
    if first is None or here is None:
        return
    for ln in legs:
        there = effective_pickup(c, ln)
        if ln is first or there is None or there.zip == here.zip:
            continue
        override = there if ln.pickup is not None else here
        yield Hit(f"service lines {first.lx} ({first.procedure_code}) and {ln.lx} ({ln.procedure_code}) are one trip"
                  f" but are picked up at different ZIPs ({here.zip} and {there.zip})", n4(override), there.zip,
                  "report the same pick-up ZIP, +4 included, for the base and mileage lines of a trip", lx=ln.lx,
                  stc=("A8:763",))


@rule("AMBP009", "One pick-up ZIP per claim", severity=WARNING, source=f"{CH15}; Noridian JF 'Multiple Transports Same Day'",
      stc=("A8:763",), confidence="V(MAC)/S", claim_types=P837,
      doc="""What it does: warns when the pick-up ZIP5s of the claim (2310E and every 2420G) are not all the
    same.

    Why: CMS's one-ZIP-per-claim rule is written for the paper form's item 23, and the TR3 allows a
    2420G per line, so Medicare-wide it is a warning; Noridian (JE/JF) wants one claim per trip when
    the pick-up ZIPs differ: an error in a Noridian profile.
    Example: 2310E at 62704 and a line's 2420G at 62702.
    Source: IOM 100-04 ch. 15 §30.1.2; Noridian "Multiple Transports Same Day"; ambulance-837p-rules.md P9.
    """)
def one_pickup_zip(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c):
        return
    found = [loc for loc in ([c.pickup] if c.pickup is not None else []) + [loc for _, loc in line_pickups(c)]
             if zip_ok(loc)]
    if not found:
        return
    seen = found[0].zip5
    other = next((loc for loc in found if loc.zip5 != seen), None)
    if other is not None:
        yield Hit(f"the claim has more than one pick-up ZIP ({seen} and {other.zip5}); Medicare prices a claim from"
                  " one pick-up ZIP", n4(other), other.zip,
                  "bill the trips picked up in another ZIP on a claim of their own")


@rule("AMBP029", "The N4 of a pick-up or drop-off location has the state (N402) and ZIP (N403)",
      source=f"{TR3} N4 (S: code file); pyx12 X222A1 map; {CH15}; CMS CR 7018", stc=("A6:763", "A6:266"),
      confidence="S/V", claim_types=P837,
      doc="""What it does: requires N402 and N403 in the N4 of loops 2310E, 2420G, 2310F and 2420H unless
    N404 names a country other than the US.

    Why: the map makes them situational, so a guide validator passes `N4*SPRINGFIELD*IL`; the TR3
    requires them for US addresses, and Medicare prices from the pick-up ZIP.
    Example: `NM1*PW*2~N3*5 ELM ST~N4*SPRINGFIELD*IL` (no ZIP).
    Source: 837P TR3 N4; pyx12 map; IOM 100-04 ch. 15 §30.1.2; ambulance-837p-rules.md P29.
    """)
def location_state_zip(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_transport_claim(c):
        return
    found: list[tuple[str, str, Location]] = []
    if c.pickup is not None:
        found.append(("", "2310E", c.pickup))
    found += [(ln.lx, "2420G", loc) for ln, loc in line_pickups(c)]
    if c.dropoff is not None:
        found.append(("", "2310F", c.dropoff))
    found += [(ln.lx, "2420H", loc) for ln, loc in line_dropoffs(c)]
    for lx, loop, loc in found:
        missing = [name for name, value in (("state (N402)", loc.state), ("ZIP (N403)", loc.zip)) if not value]
        if not missing or is_foreign(loc):
            continue
        pickup = loc.qualifier == "PW"
        yield Hit(f"the {'pick-up' if pickup else 'drop-off'} location (loop {loop}) has no {' and no '.join(missing)}",
                  n4(loc, "N403" if not loc.zip else "N402"), "",
                  "complete the N4: N4*<city>*<state>*<ZIP>", lx=lx, stc=("A6:763",) if pickup else ("A6:266",))


@rule("AMBP028", "No service facility loop (2310C/2420C) for ambulance services", severity=WARNING,
      source=f"{TR3} 2310C note; X12 RFI 1156", stc=(), confidence="V/B", claim_types=P837,
      doc="""What it does: warns about a 2310C on an ambulance claim and a 2420C on an ambulance line.

    Why: TR3: "When reporting ambulance services, do not use this loop. Use Loop ID-2310E ... and Loop
    ID-2310F" (4010-era billers put the pick-up there). The claim still needs 2310E/2310F (P5, P7).
    Example: `NM1*77*2*SPRINGFIELD GENERAL*****XX*1234567893` in an ambulance claim.
    Source: 837P TR3 2310C note; ambulance-837p-rules.md P28.
    """)
def no_service_facility(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c):
        return
    if c.facility_where is not None:
        yield Hit("an ambulance claim does not use the service facility loop (2310C); the pick-up and drop-off go"
                  " in loops 2310E and 2310F", c.facility_where, "", "remove loop 2310C")
    for ln in c.lines:
        if ln.facility_where is not None and is_ambulance_line(ln):
            yield Hit(f"ambulance service line {ln.lx} does not use the service facility loop (2420C); use 2420G and"
                      " 2420H when the line's pick-up or drop-off differs", ln.facility_where, "",
                      "remove loop 2420C", lx=ln.lx)


# --- CRC ----------------------------------------------------------------------------------------

@rule("AMBP010", "A line CRC*07 differs from the claim's; no condition code under both Y and N",
      severity=WARNING, source=f"{TR3} 2300/2400 CRC; pyx12 map", stc=("A7:21",), confidence="V/B",
      claim_types=P837,
      doc="""What it does: warns when a line's CRC*07 segments (2400) say exactly what the claim's (2300)
    say, and when one loop (2300, or one 2400) lists the same condition code under CRC02 = Y and
    under CRC02 = N.

    Why: the TR3 sends a 2400 CRC only "when any element differs from the 2300 CRC"; a code both
    present and absent contradicts itself.
    Example: `CRC*07*Y*04*06` in 2300 and again under a line; or `CRC*07*Y*04~CRC*07*N*04`.
    Source: 837P TR3 2300/2400 CRC; ambulance-837p-rules.md P10.
    """)
def line_certifications(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c):
        return
    claim = ambulance_certifications(c.certifications)
    yield from contradictions(claim, "")
    keys = {crc_key(x) for x in claim}
    for ln in c.lines:
        own = ambulance_certifications(ln.certifications)
        if own and claim and {crc_key(x) for x in own} == keys:
            yield Hit(f"service line {ln.lx} repeats the claim's ambulance certification (CRC*07) unchanged; a line"
                      " CRC is sent only when it differs", own[0].where, "",
                      "remove the line's CRC*07 (the claim's applies)", lx=ln.lx)
        yield from contradictions(own, ln.lx)


def contradictions(crcs: tuple[Certification, ...], lx: str) -> Iterator[Hit]:
    """A condition code under Y in one CRC*07 and under N in another of the same loop."""
    yes = {code for x in crcs if x.answer == "Y" for code in x.codes}
    for x in crcs:
        if x.answer != "N":
            continue
        for code in x.codes:
            if code in yes:
                loop = f"service line {lx}" if lx else "the claim"
                yield Hit(f"{loop} reports ambulance condition code {code} both as applying (Y) and as not"
                          " applying (N)", crc_element(x, code), code,
                          f"keep code {code} under the one answer that is true", lx=lx)


@rule("AMBP027", "Condition code 01 (admitted) comes with the admission date (DTP*435)", severity=WARNING,
      source=f"{TR3} 2300 DTP*435", stc=("A6:21",), confidence="V/B", claim_types=P837,
      doc="""What it does: warns when a CRC*07 answered Y lists code 01 (patient admitted to a hospital)
    and the claim has no 2300 DTP*435.

    Why: the TR3 requires the admission date "when the patient was known to be admitted"; code 01
    does not prove the date is known, and Medicare does not edit on it, so a warning.
    Example: `CRC*07*Y*01` and no `DTP*435*D8*20260914`.
    Source: 837P TR3 2300 DTP*435; ambulance-837p-rules.md P27.
    """)
def admission_date(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c) or c.admission_where is not None:
        return
    found = [("", x) for x in ambulance_certifications(c.certifications)]
    found += [(ln.lx, x) for ln in c.lines for x in ambulance_certifications(ln.certifications)]
    for lx, x in found:
        if x.answer == "Y" and "01" in x.codes:
            yield Hit("condition code 01 says the patient was admitted to a hospital, but the claim has no admission"
                      " date (DTP*435)", crc_element(x, "01"), "01",
                      "add DTP*435*D8*<admission date> when it is known", lx=lx)
            return


@rule("AMBP036", "At most 3 CRC segments in one service line (all categories together)",
      source=f"{TR3} 2400 CRC note; pyx12 map", stc=("A7:21",), claim_types=P837,
      doc="""What it does: counts every CRC of a 2400 loop (07 ambulance, 70 hospice, 09 DME) and reports
    the fourth and later ones.

    Why: the TR3 note allows at most 3 CRC per 2400, all types together; the map allows 3 + 1 + 1,
    so a guide validator does not catch it.
    Example: `CRC*07*Y*04~CRC*07*Y*06~CRC*07*N*01~CRC*70*N*65` under one line.
    Source: 837P TR3 2400 CRC note; ambulance-837p-rules.md P36.
    """)
def crc_per_line(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_transport_claim(c):
        return
    for ln in c.lines:
        if len(ln.certifications) > 3:
            yield Hit(f"service line {ln.lx} has {len(ln.certifications)} CRC segments; at most 3 are allowed in one"
                      " line, all kinds together", ln.certifications[3].where, str(len(ln.certifications)),
                      "merge the condition codes (up to 5 per CRC) so the line has 3 CRC segments at most",
                      lx=ln.lx)


@rule("AMBP037", "No condition code repeated in the CRC*07 of one loop with the same answer", severity=WARNING,
      source=f"{TR3} 2300 CRC note", stc=(), claim_types=P837,
      doc="""What it does: warns when a condition code appears twice, within one CRC*07 or across the
    CRC*07 segments of one loop (2300 or one 2400), under the same CRC02.

    Why: the TR3 repeats the segment "only for additional unique values". The same code under Y and
    N is P10.
    Example: `CRC*07*Y*04*04`, or `CRC*07*Y*04~CRC*07*Y*04*06`.
    Source: 837P TR3 2300 CRC note; ambulance-837p-rules.md P37.
    """)
def repeated_codes(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c):
        return
    yield from repeats(ambulance_certifications(c.certifications), "")
    for ln in c.lines:
        yield from repeats(ambulance_certifications(ln.certifications), ln.lx)


def repeats(crcs: tuple[Certification, ...], lx: str) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for x in crcs:
        for i, code in enumerate(x.codes):
            if (x.answer, code) in seen:
                loop = f"service line {lx}" if lx else "the claim"
                yield Hit(f"{loop} lists ambulance condition code {code} more than once under {x.answer}",
                          x.where.replace(element=f"CRC0{i + 3}"), code, f"report code {code} once", lx=lx)
            seen.add((x.answer, code))


# --- narratives and prior authorization ---------------------------------------------------------

@rule("AMBP035", "A trip beyond the nearest facility says why in a narrative (NTE)", severity=WARNING,
      source="Noridian JF/JE Part B 'Ambulance Part B Billing' (item 19); pyx12 map (CR104 codes)", stc=(),
      confidence="V(MAC)", claim_types=P837,
      doc="""What it does: warns when CR104 (2300 or a line's 2400) is B (preferred physician) or C (near
    family), or a line bills A0888 (miles beyond the nearest facility), and the claim has no
    narrative (a 2300 NTE or any 2400 NTE).

    Why: Noridian: "if transport went beyond closest facility, briefly indicate why".
    Example: `CR1*LB*180**B*DH*12.5` and no NTE.
    Source: Noridian "Ambulance Part B Billing"; ambulance-837p-rules.md P35.
    """)
def beyond_nearest(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c) or has_narrative(c):
        return
    reasons = ([("", c.transport)] if c.transport is not None else []) + \
        [(ln.lx, ln.transport) for ln in c.lines if ln.transport is not None]
    for lx, t in reasons:
        if t.reason in BEYOND_NEAREST:
            yield Hit(f"transport reason {t.reason} (CR104) means the trip went beyond the nearest facility, but the"
                      " claim has no narrative saying why", t.where.replace(element="CR104"), t.reason,
                      "add NTE*ADD*<why the patient went beyond the nearest facility>", lx=lx)
            return
    for ln in c.lines:
        if ln.procedure_code == "A0888":
            yield Hit(f"service line {ln.lx} bills A0888 (miles beyond the nearest facility), but the claim has no"
                      " narrative saying why", sv1(ln, "SV101-2"), ln.procedure_code,
                      "add NTE*ADD*<why the patient went beyond the nearest facility>", lx=ln.lx)
            return


@rule("AMBP040", "RSNAT prior authorization: a UTN (REF*G1, 14 characters) on scheduled dialysis trips",
      severity=WARNING, source=RSNAT, stc=(), confidence="V(MAC)", claim_types=P837,
      doc="""What it does: two reminders, since the front end cannot know whether a unique tracking number
    (UTN) exists: a non-emergency base line (A0426, A0428) with G or J (dialysis facility) in its
    O/D pair and no REF*G1 on the claim or the line; and a REF*G1 on an ambulance claim whose value
    is not 14 characters.

    Why: where RSNAT prior authorization applies, a repetitive scheduled non-emergency trip needs
    the MAC's UTN in REF*G1 (2300 or 2400), and a claim lacking a UTN the beneficiary has is rejected.
    The notes make it an info a profile turns off; the registry has no info level, so a warning.
    Example: `SV1*HC:A0428:RJ*480*UN*1***1` with no `REF*G1*<14-character UTN>`.
    Source: First Coast and NGS RSNAT claim guidance; ambulance-837p-rules.md P40.
    """)
def rsnat(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not is_ambulance_claim(c):
        return
    for ln in c.lines:
        if ln.procedure_code in NON_EMERGENCY_BASE and not c.prior_authorizations and not ln.prior_authorizations \
                and any("G" in pair or "J" in pair for pair in od_pairs(ln)):
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}, {od_pairs(ln)[0]}) looks like a scheduled dialysis"
                      " trip but the claim has no prior authorization number (REF*G1); where RSNAT applies it"
                      " needs the UTN", sv1(ln, "SV101-2"), ln.procedure_code,
                      "add REF*G1*<the 14-character UTN> when the trip was prior-authorized", lx=ln.lx)
    found = [("", r) for r in c.prior_authorizations] + [(ln.lx, r) for ln in c.lines for r in ln.prior_authorizations]
    for lx, r in found:
        if len(r.code) != UTN_LENGTH:
            yield Hit(f"the prior authorization number (REF*G1) has {len(r.code)} characters; an RSNAT unique"
                      f" tracking number has {UTN_LENGTH}", r.where.replace(element="REF02") if r.where else None,
                      "", "report the UTN exactly as the MAC gave it (14 characters)", lx=lx)
