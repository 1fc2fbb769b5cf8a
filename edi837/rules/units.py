"""Medicare Part B ambulance rules on the 837P (005010X222A1): what each line bills: its units and
mileage (SV104), which codes go together (a base line for each mileage line, the place of service),
coverage (the PCS reminder, codes Medicare never pays and their GY/GZ/GA, A0380/A0390), charges, line
dates and several trips on one date (../shared/domain/ambulance-837p-rules.md, P16-P19, P22-P26,
P34, P38; CMS CR 7065, 42 CFR 410.40, the place of service code set, the HCPCS file, the TR3's CLM02
note and pyx12's X222A1 map, Noridian's Part B billing pages, the Hospital-Based Ambulance Billing
Guide).

Each rule judges only 837P ambulance claims (an ambulance HCPCS line, or place of service 41/42: see
rules/trips.py). P20 ("never demand a rendering, referring or facility NPI") has no edit of its own:
it forbids findings, and the billing NPI is the generic rule NPI001. Rules the notes rate as belief
(B) are warnings; a payer profile may change that. Messages quote codes, miles, dates and amounts only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from ..claims import Claim, ServiceLine
from ..findings import WARNING
from ..x12.datatypes import date8
from .ambulance import mileage_rounding, truncation_message
from .registry import Context, Hit, rule
from .trips import (
    AIR_CODES,
    AMBULANCE_POS,
    BASE,
    CH15_30A,
    EMERGENCY_BASE,
    GROUND_BASE,
    HCPCS,
    MILEAGE,
    MILEAGE_WITH_NONCOVERED,
    NON_EMERGENCY_BASE,
    P837,
    SEED,
    TR3,
    claim_lines,
    has_narrative,
    is_ambulance_line,
    modifier_at,
    non_covered,
    pair_key,
    same_trip,
    sv1,
    units,
)

NOR_BILL = "Noridian JF/JE Part B 'Ambulance Part B Billing'"
CR7065 = "CMS Transmittal 2103 / CR 7065"

# A0021-A0424 (A0380/A0390 are P24) and A0998: ambulance-range codes Medicare never pays.
NEVER_PAID = frozenset({*(f"A0{n:03d}" for n in range(21, 425) if n not in (380, 390)), "A0998"})
NOT_PAYABLE_MILEAGE = frozenset({"A0380", "A0390"})  # BLS / ALS mileage: cross-walked to A0425
MILEAGE_BASE = {"A0425": GROUND_BASE, "A0435": frozenset({"A0430"}), "A0436": frozenset({"A0431"})}
INTERCEPT = "A0432"  # paramedic intercept: the intercept supplier does not transport
MAX_DIGITS = 8  # TR3 SV104 note (X12 RFI 2072): at most 8 digits, at most 3 to the right of the point
MAX_DECIMALS = 3


# --- small helpers -------------------------------------------------------------------------------

def last_day(ln: ServiceLine) -> dt.date | None:
    """The last day of a line's DTP*472: its date (D8), or the end of its range (RD8) when that reads
    as a date on or after the start (as the 277CA reads the range)."""
    first = ln.service_date
    _, dash, end = ln.service_date_text.partition("-")
    last = date8(end) if dash and first is not None else None
    return last if last is not None and first is not None and last >= first else first


# --- P16, P17, P38: units -------------------------------------------------------------------------

@rule("AMBP016", "Base-rate codes A0426-A0434 are billed with 1 unit (SV104)",
      source=f"{NOR_BILL} (24G 'always 1'); {SEED}", stc=("A7:476",), confidence="V(MAC)", claim_types=P837,
      doc="""What it does: checks SV104 = 1, by value (1.0 is 1), on base-rate lines (A0426-A0434).

    Why: the base rate is paid once per trip; Noridian: item 24G is "always 1" for the base rate.
    Example: `SV1*HC:A0427:RH*950*UN*2`.
    Source: Noridian "Ambulance Part B Billing"; Hospital-Based Ambulance Billing Guide.
    """)
def base_units(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        n = units(ln)
        if ln.procedure_code in BASE and n is not None and n != 1:
            yield Hit(f"base-rate service line {ln.lx} ({ln.procedure_code}) reports {ln.units} units; report 1",
                      sv1(ln, "SV104"), ln.units, "set SV104 to 1: one base rate per trip", lx=ln.lx)


def over_precise(text: str) -> str:
    """What breaks the TR3 SV104 note (at most 8 digits, at most 3 after the decimal point) in SV104
    as written, e.g. "4 decimals"; "" when nothing does."""
    digits = sum(1 for ch in text if ch.isdigit())
    decimals = len(text.partition(".")[2])
    if decimals > MAX_DECIMALS:
        return f"{decimals} decimals (at most {MAX_DECIMALS})"
    return f"{digits} digits (at most {MAX_DIGITS})" if digits > MAX_DIGITS else ""


@rule("AMBP017", "Mileage units (SV104): the loaded miles, rounded up as Medicare reads them; at most 3 decimals",
      source=f"{CR7065}; {SEED}; X12 RFI 2072 (the X222 SV104 note)", stc=("A7:697", "A7:267", "A7:476"),
      confidence="V(MAC)/S/B", claim_types=P837,
      switches={"zero": "SV104 = 0 on a mileage line (a warning: Part B defaults missing mileage to 0.1)"},
      doc="""What it does: on every line of an ambulance claim, SV104 with more than 8 digits or more than
    3 decimals is an error. On A0425/A0435/A0436 lines, by value (12.50 is 12.5, 100.0 is 100):
    units more precise than Medicare reads (tenths under 100 miles, whole miles from 100) are a
    warning naming what Medicare pays (truncated) and what to bill (rounded up); 0 is a warning;
    a negative figure an error.

    Why: CR 7065: Medicare truncates over-precise units instead of returning the claim, so the
    supplier is paid less than it drove (12.25 is paid 12.2, bill 12.3; 142.5 is paid 142, bill 143).
    Part B defaults missing paper mileage to 0.1 rather than return the claim, so 0 only warns. The
    TR3 limits SV104 to 8 digits, 3 after the point.
    Example: `SV1*HC:A0425:RH*180*UN*12.25` (warning), `...*UN*0` (warning), `...*UN*12.3456` (error).
    Source: CR 7065 (as quoted); billing guide "Units of Service"; X12 RFI 2072.
    """)
def mileage_units(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        too_long = over_precise(ln.units)
        if too_long:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) units {ln.units} have {too_long}",
                      sv1(ln, "SV104"), ln.units,
                      "report the units with at most 3 decimals (miles: tenths under 100, whole miles from 100)",
                      lx=ln.lx, stc=("A7:697",))
            continue
        miles = units(ln)
        if ln.procedure_code not in MILEAGE or miles is None:
            continue
        if miles < 0:
            yield Hit(f"mileage line {ln.lx} ({ln.procedure_code}) reports {ln.units} miles; miles are not negative",
                      sv1(ln, "SV104"), ln.units, "report the loaded miles in SV104", lx=ln.lx,
                      stc=("A7:267", "A7:476"))
        elif miles == 0:
            yield Hit(f"mileage line {ln.lx} ({ln.procedure_code}) reports 0 miles", sv1(ln, "SV104"), ln.units,
                      "report the loaded miles, or remove the line when no mileage is billed", lx=ln.lx,
                      stc=("A7:267", "A7:476"), severity=WARNING, switch="zero")
        else:
            rounded = mileage_rounding(miles)
            if rounded is not None:
                yield Hit(truncation_message(ln.units, rounded), sv1(ln, "SV104"), ln.units,
                          f"report {rounded[1]} in SV104", lx=ln.lx, severity=WARNING)


@rule("AMBP038", "Mileage under one mile is written with a leading 0 (0.8, not .8)", severity=WARNING,
      source=f"{CR7065}; {SEED}", stc=(), confidence="V(MAC)/S", claim_types=P837,
      doc="""What it does: warns when a mileage line's SV104 (A0425, A0435, A0436, A0888) is under 1 and
    written without the 0 before the decimal point.

    Why: CMS asks for "a '0' prior to the decimal point" for fractional mileage under one mile; X12
    syntax accepts both forms, so a profile may turn this off.
    Example: `SV1*HC:A0425:RH*15*UN*.8`; use `0.8`.
    Source: CR 7065 (as quoted); Hospital-Based Ambulance Billing Guide.
    """)
def leading_zero(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        if ln.procedure_code in MILEAGE_WITH_NONCOVERED and ln.units.startswith(".") and units(ln) is not None:
            yield Hit(f"mileage line {ln.lx} ({ln.procedure_code}) reports {ln.units} miles without the leading 0",
                      sv1(ln, "SV104"), ln.units, f"report 0{ln.units}", lx=ln.lx)


# --- P18, P19: which codes go together ------------------------------------------------------------

@rule("AMBP018", "A mileage line needs a base-rate line of the same trip",
      source=f"CMS IOM 100-04 ch. 15; {HCPCS}", stc=("A8:448", "A8:732"), confidence="S", claim_types=P837,
      doc="""What it does: pairs A0425 with a ground base (A0426-A0429, A0432-A0434), A0435 with A0430 and
    A0436 with A0431, in the same trip (line date and O/D pair). None is an error. A0425 whose only
    base is A0432 (paramedic intercept) is a warning.

    Why: mileage is paid only with the transport it belongs to; the paramedic-intercept supplier
    does not transport the patient, so it has no mileage to bill.
    Example: `SV1*HC:A0436:SH...` on a claim whose base line is A0427.
    Source: CMS IOM 100-04 ch. 15 (secondary reading); HCPCS descriptors.
    """)
def mileage_has_base(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    bases = [b for b in lines if b.procedure_code in BASE]
    for ln in lines:
        need = MILEAGE_BASE.get(ln.procedure_code)
        if need is None:
            continue
        found = [b.procedure_code for b in bases if b.procedure_code in need and same_trip(ln, b)]
        if not found:
            yield Hit(f"mileage {ln.procedure_code} (line {ln.lx}, {ln.service_date_text or 'no date'},"
                      f" {pair_key(ln) or 'no origin/destination'}) has no base-rate line"
                      f" ({', '.join(sorted(need))}) of the same trip", sv1(ln, "SV101-2"), ln.procedure_code,
                      "bill the base-rate line of the same trip (same date and origin/destination),"
                      " or correct the mileage code", lx=ln.lx)
        elif all(code == INTERCEPT for code in found):
            yield Hit(f"mileage {ln.procedure_code} (line {ln.lx}) goes with a paramedic intercept (A0432) only; the"
                      " intercept supplier does not transport the patient", sv1(ln, "SV101-2"), ln.procedure_code,
                      "bill mileage only for the transport your vehicle made", lx=ln.lx, severity=WARNING)


@rule("AMBP019", "Place of service is 41 (ambulance - land) for ground codes, 42 (air or water) for air codes",
      severity=WARNING, source=f"CMS Place of Service code set; {NOR_BILL} (24B)", stc=("A7:21",),
      confidence="V/B", claim_types=P837,
      doc="""What it does: reads each ambulance line's effective place of service (SV105, else CLM05-1):
    air codes (A0430, A0431, A0435, A0436) need 42; ground base and mileage codes (A0425-A0429,
    A0432-A0434) 41; any other ambulance code 41 or 42. A wrong CLM05-1 that every line inherits is
    one finding at CLM05-1.

    Why: POS 41 is ambulance - land, 42 ambulance - air or water; Noridian: item 24B POS 41 for
    ground, 42 for air. No text says MCS rejects another POS, so a warning.
    Example: `CLM*...*11:B:1` on a ground claim, or an `HC:A0431` line under `CLM05-1` 41 without SV105 42.
    Source: CMS Place of Service code set; Noridian "Ambulance Part B Billing".
    """)
def place_of_service(c: Claim, ctx: Context) -> Iterator[Hit]:
    inherited: list[ServiceLine] = []
    for ln in claim_lines(c):
        if not is_ambulance_line(ln):
            continue
        pos = ln.place_of_service or c.place_of_service
        want = expected_pos(ln.procedure_code)
        if pos in want:
            continue
        if ln.place_of_service:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) has place of service {pos}; it is billed with"
                      f" {' or '.join(sorted(want))}", sv1(ln, "SV105"), pos,
                      f"set SV105 to {sorted(want)[0]}, or leave it out when it equals CLM05-1", lx=ln.lx)
        else:
            inherited.append(ln)
    if not inherited:
        return
    own = [ln for ln in claim_lines(c) if is_ambulance_line(ln) and not ln.place_of_service]
    if c.place_of_service not in AMBULANCE_POS or len(inherited) == len(own):
        codes = ", ".join(sorted({ln.procedure_code for ln in inherited}))
        fits = [p for p in sorted(AMBULANCE_POS) if all(p in expected_pos(ln.procedure_code) for ln in inherited)]
        yield Hit(f"place of service {c.place_of_service or '(none)'} (CLM05-1) does not fit the ambulance codes"
                  f" {codes}: ground is 41, air is 42", c.where.replace(element="CLM05-1"), c.place_of_service,
                  f"set CLM05-1 to {' or '.join(fits or sorted(AMBULANCE_POS))}")
        return
    for ln in inherited:
        want = expected_pos(ln.procedure_code)
        yield Hit(f"service line {ln.lx} ({ln.procedure_code}) inherits place of service {c.place_of_service}"
                  f" from CLM05-1; it is billed with {' or '.join(sorted(want))}", sv1(ln, "SV105"), "",
                  f"add SV105 {sorted(want)[0]} to this line", lx=ln.lx)


def expected_pos(code: str) -> frozenset[str]:
    """The places of service an ambulance code is billed with: 42 air, 41 ground, else either."""
    if code in AIR_CODES:
        return frozenset({"42"})
    if code in GROUND_BASE or code == "A0425":
        return frozenset({"41"})
    return AMBULANCE_POS


# --- P22-P26: coverage, charges, dates ------------------------------------------------------------

@rule("AMBP022", "Non-emergency trips (A0426, A0428): the physician certification statement is kept on file",
      severity=WARNING, source="42 CFR 410.40", stc=(), confidence="V", claim_types=P837,
      doc="""What it does: reminds, once per non-emergency base line (A0426, A0428), that the trip needs a
    physician certification statement (PCS) on file. Off in the Medicare profile (an info); the PCS is
    never sent on the 837P, so nothing on the claim can prove or disprove it.

    Why: 42 CFR 410.40: scheduled repetitive non-emergency trips need a PCS dated no more than 60 days
    before; unscheduled ones a PCS or a listed substitute.
    Example: `SV1*HC:A0428:RJ*480*UN*1`.
    Source: 42 CFR 410.40.
    """)
def pcs_reminder(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        if ln.procedure_code in NON_EMERGENCY_BASE:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) is a non-emergency trip: keep the physician"
                      " certification statement (PCS) on file", sv1(ln, "SV101-2"), ln.procedure_code,
                      "have a PCS (60 days for repetitive trips) or its listed substitute on file", lx=ln.lx)


@rule("AMBP023", "A0888 and codes Medicare never pays carry GY or GZ; GA not on an emergency trip",
      source=f"{SEED}; WPS J8 'Ambulance Modifiers'; {CH15_30A}", stc=("A7:453",), confidence="V(MAC)/S/B",
      claim_types=P837, switches={"ga-emergency": "GA on an emergency trip (a warning: no ABN under duress)"},
      doc="""What it does: an A0888 line (miles beyond the nearest facility) or a code Medicare never pays
    (A0021-A0424 but A0380/A0390, which are P24; A0998) without GY or GZ is an error. GA (ABN on
    file) on an emergency base (A0427, A0429) or a mileage line of its trip is a warning.

    Why: the 837P has no non-covered charge field: GY/GZ is the only signal that the supplier knows
    the line is not covered; without one it is billed as covered. An ABN cannot be given under
    duress, so GA belongs to non-emergency trips.
    Example: `SV1*HC:A0888:RH*63*UN*4.5` (no GY), `SV1*HC:A0429:RH:GA*650*UN*1` (GA, emergency).
    Source: billing guide; WPS J8 "Ambulance Modifiers"; CMS IOM 100-04 ch. 15.
    """)
def liability_modifiers(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    for ln in lines:
        code = ln.procedure_code
        if (code == "A0888" or code in NEVER_PAID) and not non_covered(ln):
            what = "miles beyond the nearest facility (A0888)" if code == "A0888" else f"{code}, which Medicare never pays,"
            yield Hit(f"service line {ln.lx}: {what} is billed without GY or GZ, that is as covered",
                      sv1(ln, "SV101-2"), code, "add GY (statutorily excluded) to the line", lx=ln.lx)
    emergency = [b for b in lines if b.procedure_code in EMERGENCY_BASE]
    for ln in lines:
        if "GA" not in ln.modifiers:
            continue
        if ln.procedure_code in EMERGENCY_BASE or (
                ln.procedure_code in MILEAGE_WITH_NONCOVERED and any(same_trip(ln, b) for b in emergency)):
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) carries GA (ABN on file) on an emergency trip;"
                      " an ABN is not given under duress", modifier_at(ln, "GA"), "GA",
                      "remove GA: emergency trips are not billed with an ABN", lx=ln.lx, severity=WARNING,
                      switch="ga-emergency")


@rule("AMBP024", "A0380/A0390 (BLS/ALS mileage) are not payable by Medicare: bill A0425",
      source=f"{HCPCS}; {SEED}", stc=("A7:454", "A7:507", "A7:796"), confidence="V", claim_types=P837,
      doc="""What it does: finds A0380 or A0390 billed without GY or GZ.

    Why: Medicare does not pay A0380/A0390; the HCPCS file cross-walks them to A0425 (ground mileage).
    Example: `SV1*HC:A0380:RH*180*UN*12.5`.
    Source: HCPCS Level II file; Hospital-Based Ambulance Billing Guide.
    """)
def crosswalked_mileage(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        if ln.procedure_code in NOT_PAYABLE_MILEAGE and not non_covered(ln):
            yield Hit(f"service line {ln.lx}: {ln.procedure_code} is not payable by Medicare", sv1(ln, "SV101-2"),
                      ln.procedure_code, "bill ground mileage as A0425 (or add GY if billed as non-covered)",
                      lx=ln.lx)


@rule("AMBP025", "CLM02 equals the sum of the line charges; line charges are actual charges",
      source=f"{TR3} CLM02 note", stc=("A7:400", "A7:178", "A7:583"), confidence="V/B", claim_types=P837,
      doc="""What it does: CLM02 different from the sum of SV102 (by value) is an error, and so is a
    negative SV102. SV102 = 0 on a line without GY/GZ is a warning.

    Why: the TR3: the claim total is the sum of the line charges. The institutional $1.00
    no-cost-mileage convention does not apply to the 837P: bill the actual charge.
    Example: `CLM*OK1*1100***41:B:1...` with lines of 950 and 180; `SV1*HC:A0425:RH*0*UN*12.5`.
    Source: TR3 CLM02 note.
    """)
def charges(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    if not lines:
        return
    for ln in lines:
        if ln.charge is not None and ln.charge < 0:
            yield Hit(f"service line {ln.lx} charge {ln.charge_text} is negative", sv1(ln, "SV102"), ln.charge_text,
                      "report the line's charge (0 or more)", lx=ln.lx, stc=("A7:583",))
        elif ln.charge == 0 and not non_covered(ln):
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) is billed at {ln.charge_text}", sv1(ln, "SV102"),
                      ln.charge_text, "bill the actual charge (the $1.00 no-cost convention is the 837I's)",
                      lx=ln.lx, severity=WARNING)
    if c.total_charge is None or any(ln.charge is None for ln in lines):
        return  # not amounts: the guide check reports them
    total = sum((ln.charge for ln in lines if ln.charge is not None), Decimal(0))
    if total != c.total_charge:
        yield Hit(f"the claim total {c.total_charge_text} (CLM02) is not the sum of the line charges, {total}",
                  c.where.replace(element="CLM02"), c.total_charge_text,
                  f"set CLM02 to {total}, or correct the line charges", stc=("A7:400", "A7:178"))


@rule("AMBP026", "No line date after the date the claim was created (BHT04)",
      source="pyx12 X222A1 map; " + TR3, stc=("A7:510", "A7:187"), confidence="V", claim_types=P837,
      doc="""What it does: compares each line date (DTP*472; the last day of an RD8 range) with the
    transaction's creation date (BHT04).

    Why: a service cannot be billed before it happened: a line dated after the claim was made is a
    wrong date.
    Example: `DTP*472*D8*20261002` in a set whose BHT04 is 20261001.
    Source: TR3 / pyx12 map (DTP*472 required on every line).
    """)
def line_dates(c: Claim, ctx: Context) -> Iterator[Hit]:
    if c.created is None:
        return
    for ln in claim_lines(c):
        last = last_day(ln)
        if last is not None and last > c.created:
            yield Hit(f"service line {ln.lx} date {last.isoformat()} is after the claim was created"
                      f" ({c.created.isoformat()}, BHT04)", ln.date_where or ln.where, ln.service_date_text,
                      "correct the line date; bill a trip once it has happened", lx=ln.lx)


# --- P34: several trips on one date -------------------------------------------------------------

@rule("AMBP034", "Two or more trips on one date need a narrative saying why", severity=WARNING,
      source="Noridian JF Part B 'Multiple Transports Same Day'", stc=(), confidence="V(MAC)", claim_types=P837,
      doc="""What it does: warns when two or more base-rate lines share a line date and the claim has no
    narrative (2300 NTE, or a 2400 NTE on any line).

    Why: Noridian asks the supplier to say why several trips were billed for one day.
    Example: `SV1*HC:A0429:RH...` and `SV1*HC:A0428:HN...` both dated 20260914, no NTE.
    Source: Noridian "Multiple Transports Same Day".
    """)
def same_day_trips(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    if not lines or has_narrative(c):
        return
    by_date: dict[str, list[ServiceLine]] = {}
    for ln in lines:
        if ln.procedure_code in BASE:
            by_date.setdefault(ln.service_date_text, []).append(ln)
    for date, bases in by_date.items():
        if len(bases) >= 2:
            yield Hit(f"{len(bases)} base-rate lines ({', '.join(b.procedure_code for b in bases)}) on {date or 'one date'}"
                      " and no narrative saying why there were several trips", sv1(bases[1], "SV101-2"),
                      bases[1].procedure_code, "add a 2300 NTE*ADD saying why the patient was moved more than once",
                      lx=bases[1].lx)
