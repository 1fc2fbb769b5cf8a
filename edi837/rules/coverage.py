"""Medicare hospital-based ambulance rules: what Medicare covers and how it balances
(../shared/domain/ambulance-rules.md, rules 13-20): the claim total, non-covered codes and mileage,
liability modifiers, condition codes, pick-up ZIPs and destinations.

Like rules/ambulance.py, each rule but AMB013 (balancing, every claim) applies to ambulance claims only.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..claims import Claim, codes
from ..findings import WARNING
from .ambulance import (
    COVERED_DESTINATIONS,
    GUIDE,
    NON_EMERGENCY,
    at,
    has_abn_date,
    modifier_ref,
    transport_lines,
)
from .registry import Context, Hit, rule


@rule("AMB013", "Claim total (CLM02) equals the sum of the line charges (SV203)",
      source="837I TR3 (SNIP 3 balancing); " + GUIDE, stc=("A7:400", "A7:178"),
      doc="""What it does: adds up SV203 and compares it with CLM02.

    Why: an out-of-balance claim cannot be adjudicated.
    Example: `CLM*AMB1*1200***13:A:1**A*Y*Y` with lines of 950 and 180.
    Source: 837I implementation guide, CLM02 note.
    """)
def balanced(c: Claim, ctx: Context) -> Iterator[Hit]:
    charges = [ln.charge for ln in c.lines if ln.charge is not None]
    if c.total_charge is None or len(charges) < len(c.lines):  # a charge that is not a number: the guide check says so
        return
    total = sum(charges, Decimal(0))
    if total != c.total_charge:
        yield Hit(f"claim total {c.total_charge} does not equal the sum of the lines {total}",
                  c.where.replace(element="CLM02"), c.total_charge_text,
                  "make CLM02 the sum of all SV203 amounts", stc=("A7:400",))


@rule("AMB014", "A0888 (mileage beyond the nearest facility) is non-covered: SV207 = SV203 and modifier GY",
      source="CMS IOM 100-04 ch. 15 §30.2.4", stc=("A7:453", "A7:596"), confidence="S",
      doc="""What it does: checks that an A0888 line is billed as non-covered with GY.

    Why: miles beyond the closest appropriate facility are not covered and must be shown as such.
    Example: `SV2*0540*HC:A0888:RH:QN*45*UN*3` (no GY, no SV207).
    Source: CMS IOM 100-04 ch. 15 §30.2.4.
    """)
def noncovered_mileage(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.ambulance_lines:
        if ln.procedure_code != "A0888":
            continue
        if "GY" not in ln.modifiers:
            yield Hit("A0888 line needs modifier GY (statutorily excluded)", at(ln, "SV202"), ":".join(ln.modifiers),
                      "add GY to the A0888 line", lx=ln.lx, stc=("A7:453",))
        if ln.non_covered is None or ln.non_covered != ln.charge:
            yield Hit(f"A0888 non-covered amount (SV207) {ln.non_covered_text or '(none)'} must equal its charge"
                      f" {ln.charge_text}", at(ln, "SV207"), ln.non_covered_text,
                      "report the whole A0888 charge again in SV207", lx=ln.lx, stc=("A7:596",))


@rule("AMB015", "Codes A0021-A0424 and A0998 are billed as non-covered (GY, SV207 = SV203); A0380/A0390 cross-walk to A0425",
      source=f"{GUIDE}; CMS HCPCS file (A0390 code page); CMS IOM 100-04 ch. 15 §30.2.4", stc=("A7:454", "A7:507"),
      doc="""What it does: flags HCPCS codes Medicare does not pay when they are billed as covered charges.

    Why: A0021-A0424 and A0998 are non-covered for Medicare. Billed as non-covered (modifier GY and
    the whole charge in SV207) they are a legitimate way to get a Medicare denial for a secondary
    payer, and are accepted. A0380 (BLS mileage) and A0390 (ALS mileage) are valid HCPCS codes that
    CMS cross-walks to A0425.
    Example: `SV2*0540*HC:A0390:RH:QN*180*UN*12.5` (billed as covered).
    Use instead: `SV2*0540*HC:A0425:RH:QN*180*UN*12.5`, or `SV2*0540*HC:A0998:GY:QN*100*UN*1**100`.
    Source: Hospital-Based Ambulance Billing Guide (A0021-A0424, A0998); CMS HCPCS file.
    """)
def noncovered_codes(c: Claim, ctx: Context) -> Iterator[Hit]:
    table = codes.table("ambulance_hcpcs")
    for ln in c.ambulance_lines:
        row = table.get(ln.procedure_code)
        if row is None or row["kind"] != "noncovered" or ("GY" in ln.modifiers and ln.billed_non_covered):
            continue
        medicare = row.get("medicare", "")
        if medicare.startswith("crosswalk:"):
            to = medicare.partition(":")[2]
            yield Hit(f"{ln.procedure_code} is billed as covered, but Medicare does not pay it; CMS cross-walks it"
                      f" to {to}", at(ln, "SV202-2"), ln.procedure_code,
                      f"bill the loaded miles as {to}, or bill {ln.procedure_code} as non-covered (GY, SV207 = SV203)",
                      lx=ln.lx, stc=("A7:507",))
        else:
            yield Hit(f"{ln.procedure_code} is billed as covered, but it is not covered on a Medicare hospital-based"
                      " ambulance claim", at(ln, "SV202-2"), ln.procedure_code,
                      "bill it as non-covered (add GY and report the whole charge in SV207), or remove the line",
                      lx=ln.lx, stc=("A7:454",))


@rule("AMB016", "GA (ABN on file) only on non-emergency trips, billed as covered with occurrence code 32; GY/GZ lines non-covered",
      severity=WARNING, source="CMS IOM 100-04 ch. 1 §60 (ABN billing); " + GUIDE, stc=("A7:453",), confidence="V/B",
      doc="""What it does: checks the liability modifiers of ambulance lines: GA not on an emergency trip,
    GA lines billed as covered charges with occurrence code 32 (the ABN date) on the claim, and GY/GZ
    lines showing their charge as non-covered (SV207 = SV203).

    Why: an ABN (GA) is rarely used and never for an emergency. CMS's ABN instructions bill GA lines
    as covered charges, so that Medicare decides and the beneficiary is liable only after a denial,
    with the date the ABN was given as occurrence code 32. GY/GZ services are non-covered.
    Example: `SV2*0540*HC:A0428:RH:GA:QN*650*UN*1**650` (GA billed as non-covered), or a GA line on a
    claim without `HI*BH:32:D8:<ABN date>`.
    Use instead: `SV2*0540*HC:A0428:RH:GA:QN*650*UN*1` with `HI*BH:32:D8:20260910`.
    Source: CMS IOM 100-04 ch. 1 §60; Hospital-Based Ambulance Billing Guide, "Modifiers used when
    billing non-covered services".
    """)
def liability_modifiers(c: Claim, ctx: Context) -> Iterator[Hit]:
    emergency = any(ln.kind == "base" and ln.procedure_code not in NON_EMERGENCY for ln in c.ambulance_lines)
    abn_date = has_abn_date(c)
    for ln in c.ambulance_lines:
        if "GA" in ln.modifiers:
            if emergency:
                yield Hit("GA (ABN on file) is for non-emergency trips only", at(ln, modifier_ref(ln, "GA")), "GA",
                          "remove GA from an emergency transport", lx=ln.lx)
            if ln.billed_non_covered:
                yield Hit(f"service line {ln.lx} has GA (ABN on file) but its charge is billed as non-covered (SV207)",
                          at(ln, "SV207"), ln.non_covered_text,
                          "bill a GA line as a covered charge: leave SV207 empty", lx=ln.lx)
            if not abn_date:
                yield Hit(f"service line {ln.lx} has GA (ABN on file) but the claim has no occurrence code 32 (ABN date)",
                          at(ln, modifier_ref(ln, "GA")), "GA",
                          "add HI*BH:32:D8:<date the ABN was given> to the claim", lx=ln.lx)
        if any(m in ln.modifiers for m in ("GY", "GZ")) and not ln.billed_non_covered:
            yield Hit(f"service line {ln.lx} has a GY/GZ modifier but its charge is not shown as non-covered (SV207)",
                      at(ln, "SV207"), ln.non_covered_text, "report the line charge in SV207", lx=ln.lx)


@rule("AMB017", "Condition code B2 (CAH ambulance attestation) only on a CAH bill (85X)",
      severity=WARNING, source=GUIDE + "; 42 CFR 413.70(b)(5)", stc=("A7:460", "A7:228"), confidence="B",
      doc="""What it does: checks that condition code B2 appears only with type of bill 85X.

    Why: B2 attests that a CAH has no other ambulance supplier within 35 miles; only CAHs can say it.
    Example: `HI*BG:B2` on a 131 bill.
    Source: Hospital-Based Ambulance Billing Guide, "Payment"; 42 CFR 413.70(b)(5).
    """)
def cah_attestation(c: Claim, ctx: Context) -> Iterator[Hit]:
    for code in c.condition_codes:
        if code.code == "B2" and c.facility_type != "85":
            yield Hit(f"condition code B2 is a CAH attestation, but the bill type is {c.type_of_bill}", code.where,
                      "B2", "remove B2, or bill as a CAH on 85X")


@rule("AMB018", "Condition code AK (air ambulance required) goes with an air transport (A0430/A0431)",
      severity=WARNING, source=GUIDE, stc=("A7:460",), confidence="V/B",
      doc="""What it does: checks that condition code AK is reported only on claims with an A0430 or A0431 line.

    Why: AK says air transport was required; a ground claim with AK is contradictory.
    Example: `HI*BG:AK` on an A0427 claim.
    Source: Hospital-Based Ambulance Billing Guide, "Condition Codes".
    """)
def air_condition(c: Claim, ctx: Context) -> Iterator[Hit]:
    if not c.ambulance_lines:
        return
    air = any(ln.procedure_code in ("A0430", "A0431") for ln in c.lines)
    for code in c.condition_codes:
        if code.code == "AK" and not air:
            yield Hit("condition code AK (air ambulance required) on a claim without an air transport line",
                      code.where, "AK", "remove AK, or bill the air transport (A0430/A0431)")


@rule("AMB019", "One pick-up ZIP (value code A0) per claim: trips from different pick-up ZIPs go on separate claims",
      source="CMS IOM 100-04 ch. 15 §30.2.1; CMS Transmittal 437 / CR 3664; NUBC UB-04 FL 39-41 (a code once)",
      stc=("A7:763", "A7:725"), confidence="V/S",
      doc="""What it does: rejects a claim with value code A0 more than once (two ZIPs, or the same ZIP twice).

    Why: the pick-up ZIP prices every trip on the claim; CMS allows one per claim, so trips picked up
    in different ZIPs are billed on separate claims. With two, there is no telling which ZIP prices
    which trip, and Medicare returns the claim rather than guess: an error (it was a warning before,
    while the domain notes rated it a secondary reading). A payer that prices otherwise can lower it
    in its profile.
    Example: `HI*BE:A0:::62704*BE:A0:::62702`.
    Use instead: one claim with `HI*BE:A0:::62704` for the trips picked up in 62704, another with
    `HI*BE:A0:::62702`.
    Source: CMS IOM 100-04 ch. 15 §30.2.1; CR 3664.
    """)
def one_pickup_zip(c: Claim, ctx: Context) -> Iterator[Hit]:
    found = c.value("A0")
    if len(found) < 2:
        return
    amounts = {v.amount for v in found}
    what = "the same pick-up ZIP twice" if len(amounts) == 1 else f"{len(found)} pick-up ZIPs"
    yield Hit(f"{what} (value code A0) on one claim; a claim has one pick-up ZIP", found[1].where, found[1].amount,
              "bill the trips from each pick-up ZIP on a claim of their own, with one value code A0",
              stc=("A7:763",))


@rule("AMB020", "Destination is a covered one (hospital, CAH, SNF, home, dialysis facility)",
      severity=WARNING, source="42 CFR 410.40; CMS IOM 100-02 ch. 10 §10.3", stc=("A7:266",), confidence="S",
      doc="""What it does: warns when the origin/destination pair is not a covered trip: residence to
    residence, any trip ending at a physician's office (P), or a destination that is not a facility
    or home.

    Why: Medicare covers transport to a hospital, CAH, SNF, the beneficiary's home or a dialysis
    facility; other trips are likely denied (a warning: the payer decides).
    Example: `HC:A0428:RP:QN` (residence to physician's office).
    Source: 42 CFR 410.40.
    """)
def covered_destination(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in transport_lines(c):
        od = ln.origin_destination
        if not od:
            continue
        if od == "RR" or od[1] not in COVERED_DESTINATIONS:
            yield Hit(f"trip {od[0]}→{od[1]} is not to a covered destination", at(ln, modifier_ref(ln, od)), od,
                      "check the destination; non-covered trips are billed with GY", lx=ln.lx)
