"""Medicare institutional billing rules an ambulance claim shares with other outpatient bills
(../shared/domain/ambulance-rules.md, rules 21-29; their ids keep the domain numbers).

Rule 25 (point of origin is a current NUBC code) is COD008; rule 26 (dates not in the future, the
statement period running forward) is DAT001 for the statement period and AMB011 for line dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..claims import Claim
from .ambulance import at, has_abn_date, modifier_ref
from .registry import BOTH, Context, Hit, rule

CH1 = "CMS IOM 100-04 ch. 1"
X223 = "837I TR3 (005010X223A2)"
HOME_HEALTH = frozenset({"32", "33"})  # facility types of home health bills, the only ones with frequency 9
CHANGE_REASONS = frozenset({"D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "E0"})
# A mailbox, not a place: PO Box (P.O. BOX, POST OFFICE BOX, POB), lock box, private mailbox (PMB)
PO_BOX = re.compile(r"\b(P\.?\s*O\.?\s*BOX|POST\s+OFFICE\s+BOX|LOCK\s*BOX|POB|PMB)\b", re.IGNORECASE)


def clm(c: Claim, element: str):
    return c.where.replace(element=element)


def has_abn(c: Claim) -> bool:
    """An ABN was given: occurrence code 32 (its date) or a GA line."""
    return has_abn_date(c) or any("GA" in ln.modifiers for ln in c.lines)


@rule("AMB021", "Every 054X line carries a HCPCS code, and a 0540 line's code is an ambulance code (A0xxx)",
      source="CMS IOM 100-04 ch. 15 §30.2.1", stc=("A6:454", "A7:454"),
      doc="""What it does: requires SV202-2 on every line with revenue code 054X, and an A0xxx code on 0540.

    Why: hospital-based ambulance services are paid from the fee schedule by HCPCS code; an
    ambulance revenue code without one, or with a code that is not an ambulance service, cannot be
    priced.
    Example: `SV2*0540**950*UN*1` (no HCPCS), or `SV2*0540*HC:99283:QN*950*UN*1`.
    Use instead: `SV2*0540*HC:A0427:RH:QN*950*UN*1`.
    Source: CMS IOM 100-04 ch. 15 §30.2.1.
    """)
def ambulance_hcpcs(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.lines:
        if ln.revenue_code[:3] != "054":
            continue
        if not ln.procedure_code:
            yield Hit(f"service line {ln.lx} (revenue code {ln.revenue_code}) has no HCPCS code", at(ln, "SV202"), "",
                      "report the ambulance HCPCS code in SV202, e.g. HC:A0427:RH:QN", lx=ln.lx, stc=("A6:454",))
        elif ln.revenue_code == "0540" and not ln.procedure_code.startswith("A0"):
            yield Hit(f"service line {ln.lx}: revenue code 0540 (ambulance) with {ln.procedure_code}, which is not an"
                      " ambulance code", at(ln, "SV202-2"), ln.procedure_code,
                      "bill the ambulance service's A0xxx code on 0540, other services under their own revenue code",
                      lx=ln.lx, stc=("A7:454",))


@rule("AMB022", "Line charges are not negative, and the non-covered amount (SV207) never exceeds the charge",
      source=f"{X223} SV203/SV207; CMS IOM 100-04 ch. 25 §75.4 (FL 47-48)", stc=("A7:583", "A7:596"), confidence="S",
      doc="""What it does: checks SV203 >= 0, SV207 >= 0 and SV207 <= SV203 on every line.

    Why: the non-covered charge is a part of the line's total charge (UB-04 FL 48 within FL 47); a
    negative charge or a non-covered amount larger than the charge cannot be adjudicated.
    Example: `SV2*0540*HC:A0888:RH:GY:QN*45*UN*3**90`.
    Use instead: `SV2*0540*HC:A0888:RH:GY:QN*45*UN*3**45`.
    Source: UB-04 FL 47-48; 837I guide SV203, SV207.
    """)
def line_amounts(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.lines:
        if ln.charge is not None and ln.charge < 0:
            yield Hit(f"service line {ln.lx} charge {ln.charge_text} is negative", at(ln, "SV203"), ln.charge_text,
                      "report the line charge as a positive amount", lx=ln.lx, stc=("A7:583",))
        if ln.non_covered is None:
            continue
        if ln.non_covered < 0:
            yield Hit(f"service line {ln.lx} non-covered amount {ln.non_covered_text} is negative", at(ln, "SV207"),
                      ln.non_covered_text, "report the non-covered amount as a positive amount", lx=ln.lx,
                      stc=("A7:596",))
        elif ln.charge is not None and ln.non_covered > ln.charge:
            yield Hit(f"service line {ln.lx} non-covered amount {ln.non_covered_text} is more than its charge"
                      f" {ln.charge_text}", at(ln, "SV207"), ln.non_covered_text,
                      "the non-covered amount (SV207) is the part of SV203 Medicare does not cover: at most SV203",
                      lx=ln.lx, stc=("A7:596",))


@rule("AMB023", "Frequency code fits the bill: 9 only on home health bills; 7 and 8 carry REF*F8",
      source=f"CMS IOM 100-04 ch. 25 §75.1 (FL 4); {X223} 2300 REF*F8 situational rule", stc=("A7:535", "A6:464"),
      doc="""What it does: checks CLM05-3 against the facility type, and that a replacement (7) or a void (8)
    names the claim it changes in REF*F8 (payer claim control number).

    Why: frequency 9 is the final claim of a home health PPS episode (32X); a replacement or void
    that does not say which claim it replaces cannot be matched to it.
    Example: `CLM*AMB1*1130***13:A:9**A*Y*Y`, or `13:A:7` without `REF*F8*<original claim number>`.
    Use instead: `13:A:1`, or `13:A:7` with `REF*F8*26250000123456`.
    Source: NUBC/UB-04 FL 4; 837I guide, 2300 REF*F8 ("required when CLM05-3 is 7 or 8").
    """)
def frequency_fits(c: Claim, ctx: Context) -> Iterator[Hit]:
    if c.frequency == "9" and c.facility_type not in HOME_HEALTH:
        yield Hit(f"frequency 9 (home health final claim) is not valid on type of bill {c.type_of_bill}",
                  clm(c, "CLM05-3"), c.frequency, "use 1 for an original claim, 7 to replace, 8 to void",
                  stc=("A7:535",))
    elif c.frequency in ("7", "8") and not c.payer_claim_number:
        kind = "replacement" if c.frequency == "7" else "void"
        yield Hit(f"a {kind} claim (frequency {c.frequency}) needs the payer's claim control number of the claim it"
                  " changes (REF*F8)", clm(c, "CLM05-3"), c.frequency,
                  "add REF*F8*<payer claim control number of the original claim> to the claim", stc=("A6:464",))


@rule("AMB024", "The billing provider's address (2010AA N3) is a street address, not a PO Box or lock box",
      source=f"{X223} 2010AA N3 note (a PO Box or lock box goes in 2010AB)", claim_types=BOTH, stc=("A7:503:85",),
      doc="""What it does: looks for a PO Box, lock box or private mailbox (PMB) in N301/N302 of the billing provider loop.

    Why: the 837I guide requires the billing provider's physical address in 2010AA; a PO Box or lock
    box address for payments goes in the pay-to address loop (2010AB).
    Example: `N3*PO BOX 1234`.
    Use instead: `N3*800 E CARPENTER ST` in 2010AA and `N3*PO BOX 1234` in 2010AB.
    Source: 837I guide, 2010AA N3 note.
    """)
def billing_street_address(c: Claim, ctx: Context) -> Iterator[Hit]:
    b = c.billing_provider
    for i, line in enumerate(b.street):
        if PO_BOX.search(line):
            where = b.street_where.replace(element=f"N30{i + 1}") if b.street_where else None
            yield Hit("the billing provider's address (2010AA) is a PO Box or lock box", where, line,
                      "report the street address in 2010AA N3, and the PO Box in the pay-to address loop (2010AB)")


@rule("AMB027", "A replacement or void (frequency 7 or 8) carries a claim change reason condition code (D0-D9, E0)",
      source=f"{CH1} §130 (adjustments); NUBC condition codes D0-E0", stc=("A6:460",),
      doc="""What it does: requires a condition code D0-D9 or E0 on a claim with frequency 7 or 8.

    Why: an adjustment must say what it changes (D0 dates of service, D1 charges, ... D9 other,
    E0 patient status); Medicare returns one that does not.
    Example: `CLM*AMB1*1130***13:A:7**A*Y*Y` with `REF*F8*...` and no `HI*BG:D...`.
    Use instead: add `HI*BG:D9`.
    Source: CMS IOM 100-04 ch. 1 §130; NUBC condition codes.
    """)
def change_reason(c: Claim, ctx: Context) -> Iterator[Hit]:
    if c.frequency in ("7", "8") and not any(code.code in CHANGE_REASONS for code in c.condition_codes):
        yield Hit(f"an adjustment (frequency {c.frequency}) needs a claim change reason condition code (D0-D9, E0)",
                  clm(c, "CLM05-3"), c.frequency, "add HI*BG:<D0-D9 or E0> saying what the adjustment changes")


CONFLICTING_LIABILITY = (("GX", "GA"), ("GA", "GZ"), ("GY", "GZ"))  # never on one line (CR 6563; GA/GY/GZ instructions)


@rule("AMB028", "Liability modifiers agree: GX only on non-covered lines; never GX with GA, GA with GZ, or GY with GZ",
      source="CMS CR 6563 (GX); CMS GA/GY/GZ modifier instructions; CMS IOM 100-04 ch. 1 §60",
      stc=("A7:453",),
      doc="""What it does: checks that a GX line bills its charge as non-covered (SV207 = SV203), and that no
    line carries two liability modifiers that contradict each other.

    Why: GX reports a voluntary notice for a service Medicare never covers; GA a required ABN for a
    covered service that may be denied; GZ a service expected to be denied with no ABN; GY a
    statutorily excluded one. A line is one of these; CMS treats a line with two contradicting ones
    (GA and GZ, GY and GZ) as unprocessable.
    Example: `SV2*0540*HC:A0998:GX:GA:QN*100*UN*1`, or `SV2*0540*HC:A0428:RH:GA:GZ:QN*650*UN*1`.
    Use instead: `SV2*0540*HC:A0998:GX:GY:QN*100*UN*1**100`.
    Source: CMS CR 6563; CMS GA/GY/GZ modifier instructions.
    """)
def liability_conflicts(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.lines:
        for one, other in CONFLICTING_LIABILITY:
            if one in ln.modifiers and other in ln.modifiers:
                yield Hit(f"service line {ln.lx} has both {one} and {other}, which contradict each other",
                          at(ln, modifier_ref(ln, other)), other,
                          f"keep the one modifier that fits: {one} or {other}", lx=ln.lx)
        if "GX" in ln.modifiers and "GA" not in ln.modifiers and not ln.billed_non_covered:
            yield Hit(f"service line {ln.lx} has GX, which is for non-covered services, but its charge is billed as covered",
                      at(ln, modifier_ref(ln, "GX")), "GX",
                      "report the whole charge in SV207 (non-covered), or remove GX", lx=ln.lx)


@rule("AMB029", "A claim with an ABN carries no condition code 20 or 21; a condition code 21 claim bills only non-covered charges",
      source=f"{CH1} §60 (ABN billing); NUBC condition codes 20, 21", stc=("A7:460", "A7:596"),
      doc="""What it does: checks condition codes 20 (beneficiary requested billing) and 21 (billing for a
    denial notice) against the ABN (occurrence code 32, GA lines) and the lines' non-covered amounts.

    Why: a claim with an ABN asks Medicare to decide the covered charges; 20 and 21 ask for a denial
    of charges the provider already knows are not covered. A code 21 claim bills only non-covered
    charges.
    Example: `HI*BG:21` with `HI*BH:32:D8:20260910`, or `HI*BG:21` with a covered line.
    Source: CMS IOM 100-04 ch. 1 §60.
    """)
def abn_condition_codes(c: Claim, ctx: Context) -> Iterator[Hit]:
    abn = has_abn(c)
    for code in c.condition_codes:
        if code.code not in ("20", "21"):
            continue
        if abn:
            yield Hit(f"condition code {code.code} on a claim with an ABN (occurrence code 32 or GA)", code.where,
                      code.code, "bill an ABN claim without condition code 20 or 21", stc=("A7:460",))
        elif code.code == "21":
            for ln in c.lines:
                if not ln.billed_non_covered:
                    yield Hit(f"service line {ln.lx} is billed as covered on a condition code 21 claim (billing for a denial)",
                              at(ln, "SV207"), ln.non_covered_text,
                              "report each line's charge in SV207 too, or drop condition code 21", lx=ln.lx,
                              stc=("A7:596",))
