"""Medicare hospital-based ambulance rules: the trip and its lines (../shared/domain/ambulance-rules.md,
rules 1-12; rules 13-20 are in rules/coverage.py, 21-29 in rules/billing.py).

Each rule applies only to ambulance claims: a claim with at least one ambulance line (revenue code
054X or an A0xxx HCPCS code). Other institutional claims are not judged by these rules at all.
Rules the domain notes rate as belief (B) are warnings by default; a payer profile may change that.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from ..claims import Claim, ServiceLine, Where, codes
from ..claims.model import money
from ..findings import WARNING
from .registry import Context, Hit, rule

GUIDE = "Hospital-Based Ambulance Billing Guide (MAC, 2023-12-09)"
CH15 = "CMS IOM 100-04 ch. 15 §30.2"
NON_COVERED_REVENUE = frozenset({"0541", "0542", "0544", "0547", "0549"})
GROUND_BASE = frozenset({"A0426", "A0427", "A0428", "A0429", "A0432", "A0433", "A0434"})
MILEAGE_BASE = {"A0425": GROUND_BASE, "A0435": frozenset({"A0430"}), "A0436": frozenset({"A0431"})}
NON_EMERGENCY = frozenset({"A0426", "A0428"})
COVERED_DESTINATIONS = frozenset("HNRGJEDIX")  # 42 CFR 410.40: hospital/CAH, SNF, home, dialysis, transfers


def at(ln: ServiceLine, element: str) -> Where:
    """Where an element of a service line's SV2 sits."""
    return ln.where.replace(element=element)


def modifier_ref(ln: ServiceLine, modifier: str) -> str:
    return f"SV202-{ln.modifiers.index(modifier) + 3}" if modifier in ln.modifiers else "SV202"


def mileage_rounding(miles: Decimal) -> tuple[Decimal, Decimal, Decimal] | None:
    """CR 7065's reading of loaded miles (more than 0): (what Medicare pays, what to report, the step),
    or None when the miles are already as precise as Medicare reads them. Under 100 miles the step
    is a tenth, from 100 a whole mile; Medicare truncates to it ("99.99 will become 99.9", "100.99
    will become 100"), the provider rounds up. Shared by the 837I (SV205) and 837P (SV104) rules."""
    step = Decimal("0.1") if miles < 100 else Decimal(1)
    try:
        paid = miles.quantize(step, rounding=ROUND_DOWN)
        report = miles.quantize(step, rounding=ROUND_UP)
    except ArithmeticError:  # more digits than any mileage: the guide check reports the element's length
        return None
    return None if paid == miles else (paid, report, step)


def truncation_message(units: str, rounded: tuple[Decimal, Decimal, Decimal]) -> str:
    """The clerk's words for over-precise miles `units` (as written), from `mileage_rounding`."""
    paid, report, step = rounded
    return (f"{units} miles is more precise than Medicare reads: it pays {paid} (truncated),"
            f" and {report} is what to report (rounded up "
            f"{'to the tenth under 100 miles' if step < 1 else 'to the whole mile from 100 miles'})")


def has_abn_date(c: Claim) -> bool:
    """Occurrence code 32: the date the beneficiary was given an ABN."""
    return any(o.qualifier == "BH" and o.code == "32" for o in c.occurrence_codes)


def transport_lines(c: Claim) -> list[ServiceLine]:
    return [ln for ln in c.ambulance_lines if ln.kind in ("base", "mileage", "noncovered_mileage")]


@rule("AMB001", "Type of bill is 13X (hospital outpatient) or 85X (critical access hospital)",
      source=f"{GUIDE}; {CH15}", stc=("A7:228", "A7:535"),
      doc="""What it does: checks that an ambulance claim is billed on TOB 13X or 85X.

    Why: Medicare pays hospital-based ambulance services only on outpatient (13X) or CAH (85X) bills.
    Example: `CLM*AMB1*1130***11:A:1**A*Y*Y` (11X is inpatient).
    Source: Hospital-Based Ambulance Billing Guide, "Type of Bill 13X/85X".
    """)
def type_of_bill(c: Claim, ctx: Context) -> Iterator[Hit]:
    if c.ambulance_lines and c.facility_type not in ("13", "85"):
        yield Hit(f"type of bill {c.type_of_bill or '(none)'} cannot carry ambulance services; use 13X or 85X",
                  c.where.replace(element="CLM05-1"), c.facility_type,
                  "bill the ambulance trip on a 131 (or 851 for a CAH) claim", stc=("A7:228",))


@rule("AMB002", "Ambulance lines use revenue code 0540 (0541/0542/0544/0547/0549 only for non-covered charges)",
      source=GUIDE, stc=("A7:455",),
      doc="""What it does: checks SV201 on every ambulance line.

    Why: the billing guide names 0540 for ambulance services and allows 0541, 0542, 0544, 0547 and 0549
    only for non-covered charges.
    Example: `SV2*0450*HC:A0427:RH:QN*950*UN*1` (0450 is the emergency room).
    Source: Hospital-Based Ambulance Billing Guide, "Revenue Codes".
    """)
def revenue_code(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.ambulance_lines:
        if not ln.procedure_code.startswith("A0") or ln.revenue_code == "0540":
            continue
        if ln.revenue_code in NON_COVERED_REVENUE:
            if not ln.non_covered:
                yield Hit(f"revenue code {ln.revenue_code} is for non-covered ambulance charges, but the line has"
                          " no non-covered amount (SV207)", at(ln, "SV201"), ln.revenue_code,
                          "use 0540, or report the non-covered amount in SV207", lx=ln.lx)
        else:
            yield Hit(f"ambulance code {ln.procedure_code} is billed under revenue code {ln.revenue_code};"
                      " ambulance lines use 0540", at(ln, "SV201"), ln.revenue_code, "change SV201 to 0540", lx=ln.lx)


@rule("AMB003", "Every HCPCS line carries exactly one of QM (under arrangement) or QN (furnished directly)",
      source=GUIDE, stc=("A7:453",),
      doc="""What it does: counts the QM/QN modifiers on each ambulance HCPCS line.

    Why: institutional providers must say on every HCPCS code whether the service was furnished
    directly (QN) or under arrangement (QM).
    Example: `SV2*0540*HC:A0427:RH*950*UN*1` (neither QM nor QN).
    Source: Hospital-Based Ambulance Billing Guide, modifiers QM/QN.
    """)
def arrangement(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.ambulance_lines:
        found = [m for m in ln.modifiers if m in ("QM", "QN")]
        if ln.procedure_code and len(found) != 1:
            what = "has neither QM nor QN" if not found else f"has {' and '.join(found)}"
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) {what}; exactly one is required", at(ln, "SV202"),
                      ":".join(ln.modifiers), "add QN (furnished directly) or QM (under arrangement)", lx=ln.lx)


@rule("AMB004", "Base and mileage lines carry one origin/destination modifier (X only as destination; QL replaces it)",
      source=f"{GUIDE}; CMS IOM 100-04 ch. 15 §30(A)", stc=("A7:453", "A7:266"), confidence="V/S",
      doc="""What it does: requires one two-letter origin/destination modifier on each base, mileage and A0888
    line, letters from D E G H I J N P R S X, X never as the origin; QL stands in for it.

    Why: Medicare decides coverage from where the trip began and ended.
    Example: `SV2*0540*HC:A0427:QN*950*UN*1` (no origin/destination), or `HC:A0427:XH:QN` (X as origin).
    Source: Hospital-Based Ambulance Billing Guide, "Origin & Destination Codes".
    """)
def origin_destination(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in transport_lines(c):
        if ln.pronounced_dead:
            continue
        pairs = ln.modifiers_of("origin_destination")
        if len(pairs) != 1:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) needs exactly one origin/destination modifier,"
                      f" found {len(pairs)}", at(ln, "SV202"), ":".join(ln.modifiers),
                      "add the two-letter origin/destination modifier, e.g. RH (residence to hospital)",
                      lx=ln.lx, stc=("A7:453",))
        elif pairs[0][0] == "X":
            yield Hit(f"origin/destination {pairs[0]}: X (stop at a physician's office) is a destination only",
                      at(ln, modifier_ref(ln, pairs[0])), pairs[0], "put the real origin first", lx=ln.lx,
                      stc=("A7:266",))


@rule("AMB005", "Base-rate codes A0426-A0434 are reported with 1 unit", source=GUIDE, stc=("A7:476",),
      doc="""What it does: checks SV205 = 1 on base-rate lines.

    Why: the base rate is paid once per trip.
    Example: `SV2*0540*HC:A0427:RH:QN*950*UN*2`.
    Source: Hospital-Based Ambulance Billing Guide, "Units of Service".
    """)
def base_units(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.ambulance_lines:
        if ln.kind == "base" and money(ln.units) != 1:
            yield Hit(f"base-rate service line {ln.procedure_code} reports {ln.units or 'no'} units; report 1",
                      at(ln, "SV205"), ln.units, "set SV205 to 1", lx=ln.lx)


@rule("AMB006", "Mileage lines report the loaded miles (> 0); over-precise miles are truncated by Medicare",
      source=f"{GUIDE}, 'Units of Service'; CMS Transmittal 2103 / CR 7065", stc=("A6:267", "A7:267"),
      doc="""What it does: checks the loaded miles in SV205 of A0425/A0435/A0436 lines, by value: 12.50 is
    12.5 and 100.0 is 100.

    Why: since 2011 (CR 7065) miles are reported rounded up to the tenth under 100 miles and to the
    whole mile from 100. Missing or zero miles return the claim (an error). Over-precise miles are
    not returned: the contractor truncates them ("99.99 will become 99.9", "100.99 will become
    100"), so the provider is paid for less than it drove: a warning that names both figures.
    Example: `SV2*0540*HC:A0425:RH:QN*180*UN*0` (an error), `...*UN*12.25` (a warning: paid as 12.2,
    report 12.3).
    Source: CR 7065; Hospital-Based Ambulance Billing Guide, "Units of Service".
    """)
def mileage_units(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.ambulance_lines:
        if ln.kind != "mileage":
            continue
        miles = money(ln.units)
        if miles is None or miles <= 0:
            yield Hit(f"mileage service line {ln.procedure_code} must report the loaded miles (more than 0), not"
                      f" {ln.units or 'nothing'}", at(ln, "SV205"), ln.units,
                      "report the loaded miles in SV205, rounded up: to the tenth under 100 miles, whole miles"
                      " from 100", lx=ln.lx, stc=("A6:267",) if not ln.units else ("A7:267",))
            continue
        rounded = mileage_rounding(miles)
        if rounded is not None:
            yield Hit(truncation_message(ln.units, rounded), at(ln, "SV205"), ln.units,
                      f"report {rounded[1]} in SV205", lx=ln.lx, severity=WARNING)


@rule("AMB007", "A mileage line needs a matching base-rate line on the same date",
      source=f"{CH15}; {GUIDE}", stc=("A8:448", "A8:732"), confidence="S",
      doc="""What it does: pairs A0425 with a ground base (A0426-A0429, A0432-A0434), A0435 with A0430 and
    A0436 with A0431, on the same line date.

    Why: mileage is paid only with the transport it belongs to.
    Example: an `HC:A0436` rotary-wing mileage line on a claim whose base line is A0427.
    Source: CMS IOM 100-04 ch. 15 §20.1 / §30.2 (secondary reading).
    """)
def mileage_has_base(c: Claim, ctx: Context) -> Iterator[Hit]:
    bases = [(ln.procedure_code, ln.service_date_text) for ln in c.ambulance_lines if ln.kind == "base"]
    for ln in c.ambulance_lines:
        need = MILEAGE_BASE.get(ln.procedure_code)
        if need and not any(code in need and date == ln.service_date_text for code, date in bases):
            when = f"on {ln.service_date_text}" if ln.service_date_text else "(a line without a service date)"
            yield Hit(f"mileage {ln.procedure_code} {when} has no matching base-rate"
                      f" line ({', '.join(sorted(need))}) on the same date", at(ln, "SV202-2"), ln.procedure_code,
                      "bill the base-rate line for the same trip and date, or correct the mileage code", lx=ln.lx)


@rule("AMB008", "Value code A0 (pick-up ZIP) is present and is a real US ZIP (5 digits, or 9 for ZIP+4)",
      source=f"{CH15}.1; CMS Transmittal 437 / CR 3664; {GUIDE}", stc=("A6:763", "A7:763", "A7:725", "A7:726"),
      doc="""What it does: requires value code A0 and reads its amount as a ZIP code. The amount is an X12
    decimal, so leading zeros may be dropped and zero decimals added: a whole number of at most 5
    digits is a ZIP after left-padding (2134 is 02134, 62704.00 is 62704); exactly 9 digits are a
    ZIP+4, whose first 5 price the trip. Any other amount (6, 7 or 8 digits, a fraction) is not a
    ZIP, and a ZIP that is not a real US ZIP (99999, 00001, 00000) cannot price the trip: both are
    errors. Which ZIPs are real comes from the `zipcodes` package's bundled US list.

    Why: the pick-up ZIP sets the fee schedule locality and the rural add-ons; CMS reports it as five
    numerics and edits it for validity, and returns a claim whose ZIP cannot be priced.
    Example: a claim without `HI*BE:A0:::62704`, or `HI*BE:A0:::627041` (6 digits), `HI*BE:A0:::99999`.
    Use instead: `HI*BE:A0:::62704`, `HI*BE:A0:::2134` (ZIP 02134), `HI*BE:A0:::627040001` (ZIP+4).
    Source: CMS IOM 100-04 ch. 15 §30.2.1; CR 3664; Hospital-Based Ambulance Billing Guide, "Value Codes".
    """)
def pickup_zip(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not c.ambulance_lines:
        return
    found = c.value("A0")
    if not found:
        yield Hit("the pick-up ZIP (value code A0) is missing", c.where.replace(element="HI"), "",
                  "add HI*BE:A0:::<ZIP where the patient was put on board>", stc=("A6:763",))
        return
    amount = found[0].amount
    z = c.pickup_zip  # the ZIP the report and the exports show
    if z is None:
        yield Hit(f"value code A0 amount {amount!r} is not a ZIP code: a ZIP is 5 digits (leading zeros may be"
                  " dropped), or 9 for a ZIP+4", found[0].where, amount,
                  "report the 5-digit pick-up ZIP (or its 9-digit ZIP+4) as the A0 amount, e.g. HI*BE:A0:::62704",
                  stc=("A7:763", "A7:726"))
    elif not codes.zip_exists(z):
        yield Hit(f"pick-up ZIP {z} is not a US ZIP code, so the trip cannot be priced", found[0].where, amount,
                  "report the ZIP code of the place the patient was put on board", stc=("A7:763",))


@rule("AMB009", "Value code 32 (multiple patients) is a whole number of 2 or more",
      source="CMS Transmittal 1821 / CR 6621", stc=("A7:725", "A7:726"), confidence="S",
      doc="""What it does: checks the amount of value code 32 when it is reported.

    Why: value code 32 reports how many patients rode on one trip; the payment is prorated by it.
    Example: `HI*BE:32:::1` or `HI*BE:32:::2.5`.
    Source: CR 6621.
    """)
def patient_count(c: Claim, ctx: Context) -> Iterator[Hit]:
    for v in c.value("32"):
        n = money(v.amount)
        if n is None or n < 2 or n != n.to_integral_value():
            yield Hit(f"value code 32 must be the number of patients on the trip (2 or more), not {v.amount!r}",
                      v.where, v.amount, "report the whole number of patients, or drop value code 32 for one patient",
                      stc=("A7:726",))


@rule("AMB010", "Attending physician NPI (2310A) is present on non-emergency trips (A0426, A0428)",
      source=f"{GUIDE}; CMS CR 7557 (from 2012-04-01)", stc=("A6:562:71",),
      doc="""What it does: requires loop 2310A with NM108 = XX and an NPI when a line is A0426 or A0428.

    Why: non-emergency transports need the certifying physician; emergency trips do not.
    Example: an A0428 claim with no `NM1*71*1*...*XX*<NPI>`.
    Source: CR 7557.
    """)
def attending_npi(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = [ln for ln in c.ambulance_lines if ln.procedure_code in NON_EMERGENCY]
    if not lines:
        return
    a = c.attending
    if a is None or a.npi_qualifier != "XX" or not a.npi:
        yield Hit(f"non-emergency trip ({lines[0].procedure_code}) needs the attending physician's NPI (loop 2310A)",
                  a.where if a and a.where else c.where.replace(element="2310A"),
                  a.npi if a else "", "add NM1*71*1*<last>*<first>****XX*<NPI> after the HI segments")


@rule("AMB011", "Every line of a 13X/85X bill has a date of service inside the statement period, not in the future",
      source="CMS IOM 100-04 ch. 25 §75.4 (UB-04 FL 45), quoted in X12 RFI 1435; " + GUIDE,
      stc=("A6:187", "A7:187", "A7:510"),
      doc="""What it does: checks DTP*472 on every line of an ambulance claim billed on 13X or 85X, against
    the statement period (DTP*434) and today.

    Why: Medicare requires a line-item date of service for every revenue code on bill types 13X and
    85X; each trip is priced on its own date, so a line without one, outside the bill or in the
    future is returned.
    Example: a line without `DTP*472*D8*<date>`, or `DTP*472*D8*20260920` on a claim for 20260914.
    Source: UB-04 manual (FL 45), quoted in X12 RFI 1435; Hospital-Based Ambulance Billing Guide.
    """)
def line_dates(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not c.ambulance_lines or c.facility_type not in ("13", "85"):
        return
    for ln in c.lines:
        d = ln.service_date
        where = ln.date_where or ln.where
        if d is None:
            missing = ln.date_where is None
            yield Hit(f"service line {ln.lx} has {'no' if missing else 'no valid'} date of service (DTP*472)", where,
                      ln.service_date_text, "add DTP*472*D8*<date of the trip> to the line", lx=ln.lx,
                      stc=("A6:187",) if missing else ("A7:187",))
        elif d > ctx.today:
            yield Hit(f"service line {ln.lx} date of service {d.isoformat()} is in the future", where, ln.service_date_text,
                      "correct the date of service; bill a trip once it has happened", lx=ln.lx, stc=("A7:510",))
        elif c.statement_from and c.statement_to and not c.statement_from <= d <= c.statement_to:
            yield Hit(f"service line {ln.lx} date of service {d.isoformat()} is outside the statement period"
                      f" {c.statement_from.isoformat()} to {c.statement_to.isoformat()}", where, ln.service_date_text,
                      "correct the line date or the statement period (DTP*434)", lx=ln.lx, stc=("A7:187",))


@rule("AMB012", "Base and mileage line charges are more than zero ($1.00 when mileage cost nothing)",
      source=GUIDE, stc=("A7:583", "A7:402"),
      doc="""What it does: requires SV203 > 0 on base-rate and mileage lines.

    Why: the base line carries the trip with its supplies; the mileage line the mileage charge, and
    $1.00 when there was no mileage cost, never 0.
    Example: `SV2*0540*HC:A0425:RH:QN*0*UN*12.5`.
    Source: Hospital-Based Ambulance Billing Guide, "Total Charges".
    """)
def line_charges(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.ambulance_lines:
        if ln.charge is None and ln.charge_text:
            continue  # not an amount at all: the guide check (X12-IK4) reports SV203
        if ln.kind in ("base", "mileage") and (ln.charge is None or ln.charge <= 0):
            fix = "report $1.00 when there was no mileage cost" if ln.kind == "mileage" else \
                "report the trip charge including supplies"
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) charge {ln.charge_text or '(none)'} must be more than zero",
                      at(ln, "SV203"), ln.charge_text, fix, lx=ln.lx, stc=("A7:402",))
