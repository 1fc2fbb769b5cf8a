"""Medicare Part B ambulance rules on the 837P (005010X222A1): the transport itself, its CR1 and its
loaded miles (../shared/domain/ambulance-837p-rules.md, P1-P3, P32; the TR3's 2300/2400 CR1, X12
RFI 1876 and 1858, CMS CR 7065). Where the trip
began and ended is in rules/locations.py, its CRC certifications, narratives and prior authorization
in rules/conditions.py, the supplier's modifiers in rules/modifiers.py, its units, codes, charges and
dates in rules/units.py.

Each rule judges only 837P ambulance claims (an ambulance HCPCS line, or place of service 41/42): see
rules/trips.py. Rules the notes rate as belief (B) are warnings; a payer profile may change that.
Messages quote codes and miles only, never names, member ids or the narrative's text.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..claims import Claim, ServiceLine
from ..findings import WARNING
from .registry import Context, Hit, rule
from .trips import (
    BASE,
    MILEAGE_WITH_NONCOVERED,
    P837,
    TR3,
    is_ambulance_claim,
    units,
)

RFI1876 = "X12 RFI 1876 (Ambulance Mileage, 2014)"


# --- small helpers -------------------------------------------------------------------------------

def mileage_lines(c: Claim) -> list[ServiceLine]:
    """The lines whose miles CR106 counts: A0425, A0435, A0436 and A0888."""
    return [ln for ln in c.lines if ln.procedure_code in MILEAGE_WITH_NONCOVERED]


def several_transports(c: Claim) -> bool:
    """Two or more base-rate lines: several transports on one claim (RFI 1876)."""
    return sum(1 for ln in c.lines if ln.procedure_code in BASE) >= 2


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
