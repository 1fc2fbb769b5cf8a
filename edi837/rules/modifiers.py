"""Medicare Part B ambulance rules on the 837P (005010X222A1): the modifiers the supplier codes on each
line: the origin/destination pair and the ET3 Model letters, QL (pronounced dead), QM/QN, and GM with
QTY*PT (../shared/domain/ambulance-837p-rules.md, P12-P15, P30, P31, P33, P39; CMS IOM 100-04 ch. 15
§30 A and 100-02 ch. 10 §10.2.6, CMS's O/D and ET3 lists, First Coast and WPS modifier lists, Noridian
and Palmetto GBA on QL and GM, the TR3's QTY*PT). The liability modifiers
GY/GZ/GA (P23) are judged with the codes they go on, in rules/units.py.

Each rule judges only 837P ambulance claims (an ambulance HCPCS line, or place of service 41/42: see
rules/trips.py). Rules the notes rate as belief (B) are warnings; a payer profile may change that.
Modifier findings point at SV101-3..6, the modifier's own position. Messages quote codes, modifiers
and dates only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from ..claims import Claim, ServiceLine
from ..claims.model import money
from ..findings import WARNING
from .registry import Context, Hit, rule
from .trips import (
    ALS_GROUND_BASE,
    BASE,
    CH15_30A,
    MILEAGE,
    MILEAGE_WITH_NONCOVERED,
    P837,
    SEED,
    TR3,
    claim_lines,
    has_narrative,
    is_ambulance_line,
    modifier_at,
    non_covered,
    od_pairs,
    sv1,
    trips,
)

FCSO = "First Coast (JN) 'Ambulance modifiers'"
NOR_FAQ = "Noridian JE Part B 'Claim Submission Error FAQs' Q5"
NOR_MULTI = "Noridian JF Part B 'Multiple Beneficiary Transport'"
PAL_GM = "Palmetto GBA 'HCPCS Modifier GM'"

ORIGIN_LETTERS = frozenset("DEGHIJNPRS")  # X is a destination only
ET3_LETTERS = frozenset("CFOQW")  # ET3 Model destination letters found in the CMS list (not complete)
ET3_NOT_A_PAIR = frozenset({"GW"})  # the hospice modifier, never origin G + ET3 letter W
ET3_FROM = dt.date(2021, 1, 1)
ET3_TO = dt.date(2023, 12, 31)  # the Model ended early, on 2023-12-31


# --- small helpers -------------------------------------------------------------------------------

def modifiers_text(ln: ServiceLine) -> str:
    return ":".join(ln.modifiers) or "(none)"


def ql_dates(lines: list[ServiceLine]) -> set[str]:
    """The line dates with a base line that carries QL (a pronounced-dead trip)."""
    return {ln.service_date_text for ln in lines if ln.procedure_code in BASE and "QL" in ln.modifiers}


def et3_pair(ln: ServiceLine) -> str:
    """A modifier that is an origin letter plus an ET3 Model destination letter (RW, SC), or ""."""
    return next((m for m in ln.modifiers if len(m) == 2 and m[0] in ORIGIN_LETTERS and m[1] in ET3_LETTERS
                 and m not in ET3_NOT_A_PAIR), "")


def needs_pair(ln: ServiceLine) -> bool:
    """A base or mileage line (A0888 too) without QL: it carries one O/D pair (P12)."""
    return ln.procedure_code in BASE or ln.procedure_code in MILEAGE_WITH_NONCOVERED


def patients(ln: ServiceLine) -> Decimal | None:
    """QTY*PT QTY02 as a number (None when absent or not a number)."""
    return money(ln.patient_count) if ln.patient_count else None


# --- P12, P39, P33: the O/D pair -------------------------------------------------------------------

@rule("AMBP012", "Base and mileage lines carry one origin/destination pair (X only as destination; QL replaces it)",
      source=f"{CH15_30A} via {FCSO}; {FCSO}; {SEED}", stc=("A7:453", "A6:266"), confidence="V(MAC)", claim_types=P837,
      doc="""What it does: requires exactly one two-letter origin/destination modifier (letters D E G H I J N
    P R S X, origin then destination, X never the origin) on every base (A0426-A0434) and mileage
    (A0425, A0435, A0436, A0888) line without QL. On an ambulance line two O/D letters are a pair even
    when they spell another HCPCS modifier (GH, GJ, HH, RR). A mileage line without a pair on a date
    whose base line carries QL belongs to the QL trip (P31 judges it); a line whose only candidate is
    an ET3 Model letter is P39's.

    Why: Medicare decides coverage from where the trip began and ended; "claims submitted without
    origin and destination modifiers will be rejected as unprocessable".
    Example: `SV1*HC:A0427*950*UN*1` (no pair), `SV1*HC:A0427:XH*950*UN*1` (X as origin),
    `SV1*HC:A0427:RH:SH*950*UN*1` (two pairs).
    Source: CMS IOM 100-04 ch. 15 §30 A via First Coast "Ambulance modifiers"; billing guide.
    """)
def od_pair(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    dead = ql_dates(lines)
    for ln in lines:
        if not needs_pair(ln) or "QL" in ln.modifiers:
            continue
        pairs = od_pairs(ln)
        if not pairs:
            if et3_pair(ln) or (ln.procedure_code in MILEAGE and ln.service_date_text in dead):
                continue  # P39 (ET3 letter), P31 (mileage of a QL trip)
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) has no origin/destination modifier"
                      f" (modifiers {modifiers_text(ln)})", sv1(ln, "SV101-3"), modifiers_text(ln),
                      "add the two-letter origin/destination pair first, e.g. RH (residence to hospital)",
                      lx=ln.lx)
        elif len(set(pairs)) > 1:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) has {len(set(pairs))} different"
                      f" origin/destination pairs ({', '.join(pairs)}); a line is one trip with one pair",
                      modifier_at(ln, pairs[1]), pairs[1],
                      "keep the pair of this trip; bill another trip on its own lines", lx=ln.lx, stc=("A7:453",))
        elif pairs[0][0] == "X":
            yield Hit(f"origin/destination {pairs[0]}: X (stop at a physician's office on the way to the hospital)"
                      " is a destination only", modifier_at(ln, pairs[0]), pairs[0],
                      "put the real origin first, e.g. RX", lx=ln.lx, stc=("A7:453",))


@rule("AMBP039", "ET3 Model destination letters are not an origin/destination pair outside the ET3 Model (2021-2023)",
      source="CMS 'Origin and Destination Codes Specific to Ambulance Service Claims and ET3 Model claims';"
             " CMS ET3 Model FAQ", stc=("A7:453",), confidence="S", claim_types=P837,
      switches={"model-years": "an ET3 letter on a date of service in 2021-2023 (a warning: the front end cannot"
                " know Model participation)"},
      doc="""What it does: on a base or mileage line without QL and without a valid O/D pair, finds an
    origin letter followed by an ET3 Model destination letter (C, F, O, Q, W: RW, SC; never GW, the
    hospice modifier). This is P12's missing pair, told with its reason. Judged by the line date
    (DTP*472): from 2024-01-01, or before 2021, an error; from 2021-01-01 to 2023-12-31 a warning,
    since the front end cannot know whether the supplier took part in the Model.

    Why: CMS allowed the extra letters only on ET3 Model claims, "only for as long as the CMS ET3
    Model is in effect"; the Model ended on 2023-12-31.
    Example: `SV1*HC:A0427:RW*950*UN*1` with `DTP*472*D8*20260914` (error), or dated 20230914 (warning).
    Source: CMS ET3 origin/destination code list; CMS ET3 Model FAQ (end date).
    """)
def et3_letters(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        if not needs_pair(ln) or "QL" in ln.modifiers or od_pairs(ln):
            continue
        letters = et3_pair(ln)
        if not letters:
            continue
        d = ln.service_date
        in_model = d is not None and ET3_FROM <= d <= ET3_TO
        when = f"of {d.isoformat()}" if d is not None else "without a valid date"
        yield Hit(f"service line {ln.lx} ({ln.procedure_code}) {when}: {letters[1]} in {letters} is an ET3 Model"
                  " destination letter, valid only on ET3 Model claims from 2021-01-01 to 2023-12-31,"
                  f" so the line has no valid origin/destination pair"
                  + (" (accepted only if this was an ET3 Model claim)" if in_model else ""),
                  modifier_at(ln, letters), letters,
                  "use a standard origin/destination pair (letters D E G H I J N P R S X), e.g. RH",
                  lx=ln.lx, severity=WARNING if in_model else None, switch="model-years" if in_model else "")


@rule("AMBP033", "The origin/destination pair is the first modifier", severity=WARNING,
      source=f"{FCSO} ('should be reported first'); {PAL_GM}", stc=(), confidence="V(MAC)", claim_types=P837,
      doc="""What it does: warns when a line's O/D pair is not in modifier position 1 (SV101-3).

    Why: the MACs ask for the origin/destination modifier first, then GM, QL or the liability
    modifiers.
    Example: `SV1*HC:A0427:GM:RH*950*UN*1`; use `HC:A0427:RH:GM`.
    Source: First Coast "Ambulance modifiers"; Palmetto GBA "HCPCS Modifier GM".
    """)
def od_pair_first(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        pairs = od_pairs(ln)
        if is_ambulance_line(ln) and pairs and ln.modifiers.index(pairs[0]) > 0:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}): the origin/destination pair {pairs[0]} is"
                      f" modifier {ln.modifiers.index(pairs[0]) + 1}, not the first", modifier_at(ln, pairs[0]),
                      modifiers_text(ln), f"put {pairs[0]} first in SV101", lx=ln.lx)


# --- P13, P31: QL (pronounced dead) ---------------------------------------------------------------

@rule("AMBP013", "QL replaces the origin/destination pair; QL on a ground ALS base is paid at the BLS rate",
      severity=WARNING, source=f"{NOR_FAQ}; CMS IOM 100-02 ch. 10 §10.2.6; Palmetto GBA QL article",
      stc=("A7:453",), confidence="V(MAC)/S", claim_types=P837,
      doc="""What it does: on a line with QL (patient pronounced dead after the ambulance was called,
    before loading), warns when it also carries an O/D pair, and when the code is a ground ALS base
    (A0426, A0427, A0433, A0434).

    Why: QL stands in for the O/D pair, and a line with both may deny (Noridian). Medicare pays a QL
    trip the BLS base rate for ground (the air base rate for air), no mileage, no rural adjustment.
    Example: `SV1*HC:A0429:RH:QL*650*UN*1` (pair and QL), `SV1*HC:A0427:QL*950*UN*1` (ALS).
    Source: Noridian JE Part B claim submission FAQ Q5; Benefit Policy Manual ch. 10 §10.2.6.
    """)
def pronounced_dead(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        if "QL" not in ln.modifiers or not is_ambulance_line(ln):
            continue
        pairs = od_pairs(ln)
        if pairs:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) carries QL and the origin/destination pair"
                      f" {pairs[0]}; QL replaces the pair and a line with both may be denied",
                      modifier_at(ln, pairs[0]), modifiers_text(ln), f"remove {pairs[0]}, keep QL", lx=ln.lx)
        if ln.procedure_code in ALS_GROUND_BASE:
            yield Hit(f"service line {ln.lx}: {ln.procedure_code} is an ALS base code, but a QL trip (pronounced"
                      " dead before loading) is paid at the BLS base rate", modifier_at(ln, "QL"),
                      ln.procedure_code, "expect the BLS base rate for this trip (A0428/A0429 are the BLS codes)",
                      lx=ln.lx)


@rule("AMBP031", "No payable mileage on a QL (pronounced dead) trip",
      source="CMS IOM 100-02 ch. 10 §10.2.6; Palmetto GBA QL article; " + NOR_FAQ,
      stc=("A8:448", "A7:453", "A7:267"), confidence="S", claim_types=P837,
      doc="""What it does: finds a mileage line (A0425, A0435, A0436) without GY/GZ that carries QL, or
    that has no O/D pair on a date whose base line carries QL.

    Why: when the patient was pronounced dead before loading, Medicare pays the base rate only, no
    mileage: billed as covered, the line is wrong.
    Example: `SV1*HC:A0429:QL*650*UN*1` with `SV1*HC:A0425:QL*90*UN*3` on the same date.
    Source: Benefit Policy Manual ch. 10 §10.2.6 (as quoted); Palmetto GBA QL article; Noridian FAQ Q5.
    """)
def ql_mileage(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    dead = ql_dates(lines)
    for ln in lines:
        if ln.procedure_code not in MILEAGE or non_covered(ln):
            continue
        if "QL" in ln.modifiers:
            where, why = modifier_at(ln, "QL"), "carries QL"
        elif not od_pairs(ln) and ln.service_date_text in dead:
            where, why = sv1(ln, "SV101-2"), f"has no origin/destination pair on {ln.service_date_text}, a QL trip"
        else:
            continue
        yield Hit(f"mileage line {ln.lx} ({ln.procedure_code}) {why}: Medicare pays no mileage when the patient"
                  " was pronounced dead before loading", where, ln.procedure_code,
                  "remove the mileage line, or add GY if you bill it as non-covered", lx=ln.lx, stc=("A8:448",))


# --- P14, P15, P30: other modifiers ---------------------------------------------------------------

@rule("AMBP014", "No QM/QN on an 837P supplier claim",
      source=f"{CH15_30A} via {FCSO}; a Medicare carrier's modifier list; WPS J8 'Ambulance Modifiers'",
      stc=("A7:453",), confidence="S", claim_types=P837,
      doc="""What it does: finds QM or QN on any line of an 837P ambulance claim.

    Why: QM/QN say the service was furnished by, or under arrangement with, a provider of services;
    only institutional-based providers report them, on the 837I. On a Part B supplier claim the line
    is denied as a Part A expense.
    Example: `SV1*HC:A0427:RH:QN*950*UN*1`.
    Source: CMS IOM 100-04 ch. 15 §30 A (via First Coast); a carrier's modifier list; WPS J8.
    """)
def arrangement_modifiers(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        for m in ln.modifiers:
            if m in ("QM", "QN"):
                yield Hit(f"service line {ln.lx} ({ln.procedure_code}) carries {m}: QM/QN describe service by a"
                          " provider of services (837I/FISS); on a Part B supplier claim the line is denied",
                          modifier_at(ln, m), m, "bill without QM/QN, or bill the 837I", lx=ln.lx)


@rule("AMBP015", "GM (several patients) and QTY*PT of 2 or more come together",
      source=f"{TR3} 2400 QTY*PT; {NOR_MULTI}; {PAL_GM}", stc=("A7:453", "A6:476"), confidence="V",
      claim_types=P837,
      doc="""What it does: a line with GM needs QTY*PT with QTY02 of 2 or more; an ambulance line with
    QTY*PT of 2 or more needs GM. Either missing is an error. Other GM checks are P30's warnings.

    Why: the TR3 requires QTY*PT when more than one patient rides ("QTY02 is the only place to report
    the number of patients"); Noridian: "bill each line of service with a GM modifier".
    Example: `SV1*HC:A0429:SH:GM*650*UN*1` without `QTY*PT*2`, or `QTY*PT*2` on `HC:A0429:SH`.
    Source: TR3 2400 QTY*PT; Noridian "Multiple Beneficiary Transport"; Palmetto GBA "HCPCS Modifier GM".
    """)
def gm_patient_count(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in claim_lines(c):
        n = patients(ln)
        if "GM" in ln.modifiers:
            if not ln.patient_count:
                yield Hit(f"service line {ln.lx} ({ln.procedure_code}) carries GM (several patients) but no patient"
                          " count (QTY*PT)", modifier_at(ln, "GM"), "GM",
                          "add QTY*PT*<number of patients> after the line's DTP*472", lx=ln.lx, stc=("A6:476",))
            elif n is not None and n < 2:
                yield Hit(f"service line {ln.lx} ({ln.procedure_code}) carries GM (several patients) but QTY*PT says"
                          f" {ln.patient_count}", ln.patient_count_where or modifier_at(ln, "GM"), ln.patient_count,
                          "report the number of patients on the trip (2 or more) in QTY02", lx=ln.lx,
                          stc=("A6:476",))
        elif n is not None and n >= 2 and is_ambulance_line(ln):
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}) reports {ln.patient_count} patients (QTY*PT) but"
                      " has no GM modifier", sv1(ln, "SV101-4"), modifiers_text(ln),
                      "add GM after the origin/destination pair", lx=ln.lx, stc=("A7:453",))


@rule("AMBP030", "GM and QTY*PT, softer checks: the whole trip, 2 or more, GM second, a narrative",
      severity=WARNING, source=f"{TR3} 2400 QTY*PT; {PAL_GM}; {NOR_MULTI}", stc=("A7:453", "A6:476"),
      confidence="V/V(MAC)", claim_types=P837,
      doc="""What it does: warns when GM is on some but not all ambulance lines of one trip (same date and
    O/D pair); when QTY*PT on a line without GM is under 2; when GM is not modifier 2 (after the O/D
    pair); and when a claim with GM has no narrative (2300 or 2400 NTE).

    Why: Noridian asks for GM on each line of the trip; the TR3 sends QTY*PT only for more than one
    patient; Palmetto asks for O/D first, GM second, and a narrative naming the other patients,
    their Medicare numbers and the miles for each ("rejected as unprocessable" without it).
    Example: `SV1*HC:A0429:SH:GM...` with `SV1*HC:A0425:SH...` on the same date; `QTY*PT*1`; `HC:A0429:GM:SH`.
    Source: TR3 2400 QTY*PT; Palmetto GBA "HCPCS Modifier GM"; Noridian "Multiple Beneficiary Transport".
    """)
def gm_softer(c: Claim, ctx: Context) -> Iterator[Hit]:
    lines = claim_lines(c)
    for trip in trips(c).values():
        if any("GM" in ln.modifiers for ln in trip):
            for ln in trip:
                n = patients(ln)
                if "GM" not in ln.modifiers and not (n is not None and n >= 2):  # with QTY >= 2: P15's error
                    yield Hit(f"service line {ln.lx} ({ln.procedure_code}) has no GM, but another line of its trip"
                              " does; bill each line of a multiple-patient trip with GM", sv1(ln, "SV101-4"),
                              modifiers_text(ln), "add GM after the origin/destination pair", lx=ln.lx,
                              stc=("A7:453",))
    for ln in lines:
        n = patients(ln)
        if "GM" not in ln.modifiers and n is not None and n < 2 and ln.patient_count_where is not None:
            yield Hit(f"service line {ln.lx}: QTY*PT {ln.patient_count} is sent only when more than one patient"
                      " rode", ln.patient_count_where, ln.patient_count,
                      "remove QTY*PT for a single patient", lx=ln.lx, stc=("A6:476",))
        if "GM" in ln.modifiers and ln.modifiers.index("GM") != 1:
            yield Hit(f"service line {ln.lx} ({ln.procedure_code}): GM is modifier {ln.modifiers.index('GM') + 1};"
                      " it goes second, after the origin/destination pair", modifier_at(ln, "GM"),
                      modifiers_text(ln), "order the modifiers as pair, then GM", lx=ln.lx, stc=("A7:453",))
    gm = next((ln for ln in lines if "GM" in ln.modifiers), None)
    if gm is not None and not has_narrative(c):
        yield Hit("a multiple-patient trip (GM) has no narrative naming the other patients, their Medicare"
                  " numbers and the miles for each", modifier_at(gm, "GM"), "GM",
                  "add a 2300 NTE*ADD with the other patients' Medicare numbers and miles", lx=gm.lx,
                  stc=("A7:453",))
