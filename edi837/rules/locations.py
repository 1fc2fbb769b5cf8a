"""Medicare Part B ambulance rules on the 837P (005010X222A1): where the transport began and ended, the
pick-up (2310E/2420G) and drop-off (2310F/2420H) locations, their N4 and ZIPs, and no service facility
loop (../shared/domain/ambulance-837p-rules.md, P5-P9, P28, P29; CMS IOM 100-04 ch. 15 §30.1.2, CMS
CR 7018, the TR3's 2310E/2310F/2420G/2420H, N3/N4 and 2310C notes, X12 RFI 1156, Noridian's FAQs).

Each rule judges only 837P ambulance claims (an ambulance HCPCS line, or place of service 41/42), or,
where the TR3 says "ambulance or non-emergency transportation", transport claims (an NEMT line too):
see rules/trips.py. Rules the notes rate as belief (B) are warnings; a payer profile may change that.
Messages quote codes and ZIPs only, never names, member ids or street addresses.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..claims import Claim, ServiceLine, Where
from ..claims.model import Location
from ..findings import WARNING
from .registry import Context, Hit, rule
from .trips import (
    BASE,
    MILEAGE_WITH_NONCOVERED,
    P837,
    TR3,
    effective_pickup,
    is_ambulance_claim,
    is_ambulance_line,
    is_transport_claim,
    trips,
)

CH15 = "CMS IOM 100-04 ch. 15 §30.1.2"
NORIDIAN = "Noridian JE/JF Part B ambulance FAQs"
NOT_A_ZIP = frozenset({"00000", "99999"})


# --- small helpers -------------------------------------------------------------------------------

def zip_ok(loc: Location) -> bool:
    """N403 is 5 or 9 digits as written (never padded) and its ZIP5 is not 00000 or 99999."""
    z5 = loc.zip5
    return z5 is not None and z5 not in NOT_A_ZIP


def shown_zip(text: str) -> str:
    """A ZIP as a message may quote it: only when it has a ZIP's form (digits, at most N403's 15), since
    N403 can hold anything a sender typed (a city, a name); otherwise words that say it is not shown.
    The value itself is in the finding's own field."""
    return repr(text) if text.isascii() and text.isdigit() and len(text) <= 15 else "(not shown: not a ZIP's form)"


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
            yield Hit(f"the {loop} ZIP {shown_zip(loc.zip)} is not a ZIP code: report 5 digits, or 9 for a ZIP+4,"
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
            yield Hit(f"the {loop} ZIP {shown_zip(loc.zip)} is not a ZIP code: report 5 digits, or 9 for a ZIP+4",
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
                  f" but are picked up at different ZIPs ({shown_zip(here.zip)} and {shown_zip(there.zip)})", n4(override),
                  there.zip,
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
