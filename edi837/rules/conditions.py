"""Medicare Part B ambulance rules on the 837P (005010X222A1): the ambulance certifications (CRC*07
condition codes, claim and line, with the admission date for code 01), the narrative a trip beyond
the nearest facility needs, and RSNAT prior authorization (../shared/domain/ambulance-837p-rules.md,
P10, P27, P35-P37, P40; the TR3's 2300/2400 CRC and DTP*435, pyx12's X222A1 map, Noridian's Part B
billing page, the First Coast / NGS RSNAT claim guidance).

Each rule judges only 837P ambulance claims (an ambulance HCPCS line, or place of service 41/42): see
rules/trips.py. Rules the notes rate as belief (B) are warnings; a payer profile may change that.
Messages quote codes only, never names, member ids or the narrative's text.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..claims import Claim, Where
from ..claims.model import Certification
from ..findings import WARNING
from .registry import Context, Hit, rule
from .trips import (
    NON_EMERGENCY_BASE,
    P837,
    TR3,
    ambulance_certifications,
    has_narrative,
    is_ambulance_claim,
    is_transport_claim,
    od_pairs,
    sv1,
)

RSNAT = "First Coast / NGS RSNAT prior authorization claim guidance"
BEYOND_NEAREST = frozenset({"B", "C"})  # CR104: preferred physician, near family
UTN_LENGTH = 14  # an RSNAT unique tracking number


# --- small helpers -------------------------------------------------------------------------------

def crc_key(x: Certification) -> tuple[str, frozenset[str]]:
    return x.answer, frozenset(x.codes)


def crc_element(x: Certification, code: str) -> Where:
    """Where a condition code sits in its CRC (CRC03-CRC07)."""
    return x.where.replace(element=f"CRC0{x.codes.index(code) + 3}")


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
