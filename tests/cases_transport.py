"""The cases of the 837P transport rules (edi837/rules/transport.py, locations.py, conditions.py): for
each rule, an edit of BASE_P that fires it, the segment its finding points at, and a real near miss
(the closest correct claim) that must not fire it. Written from ../shared/domain/ambulance-837p-rules.md.

BASE_P's claim: 2300 CR1*LB*180**A*DH*12.5, CRC*07*Y*04*06, 2310E at ZIP 62704, 2310F at 627690001,
line 1 A0427:RH (base), line 2 A0425:RH 12.5 miles, both on 2026-09-14.
"""

from __future__ import annotations

from professional import Edit, p_swap

CLAIM_CR1 = "CR1*LB*180**A*DH*12.5~"
CLAIM_CRC = "CRC*07*Y*04*06~"
PICKUP = "NM1*PW*2~N3*5 ELM ST~N4*SPRINGFIELD*IL*62704~"
DROPOFF = "NM1*45*2*SPRINGFIELD GENERAL~N3*800 E CARPENTER ST~N4*SPRINGFIELD*IL*627690001~"
LINE1 = "SV1*HC:A0427:RH*950*UN*1***1**Y~"
LINE1_END = "DTP*472*D8*20260914~REF*6R*L1~"
LINE2 = "SV1*HC:A0425:RH*180*UN*12.5***1~"
LINE2_END = "LX*2~SV1*HC:A0425:RH*180*UN*12.5***1~DTP*472*D8*20260914~"
# A second trip the same day (hospital to nursing facility), its mileage line with or without a CR1.
TRIP2 = "LX*3~SV1*HC:A0428:HN*480*UN*1***1~DTP*472*D8*20260914~LX*4~SV1*HC:A0425:HN*98*UN*9.8***1~{cr1}DTP*472*D8*20260914~"


def pickup_at(zip_code: str) -> str:
    """A 2420G (line pick-up) at the same street as 2310E, with `zip_code`."""
    return f"NM1*PW*2~N3*5 ELM ST~N4*SPRINGFIELD*IL*{zip_code}~"


def edits(*pairs: tuple[str, str]) -> Edit:
    """Several p_swap edits in a row."""

    def edit(text: str) -> str:
        for old, new in pairs:
            text = p_swap(old, new)(text)
        return text

    return edit


def line_pickups(base_zip: str, mileage_zip: str) -> Edit:
    """A 2420G on the base line (after its REF*6R) and on the mileage line (after its DTP)."""
    return edits((LINE1_END, LINE1_END + pickup_at(base_zip)), (LINE2_END, LINE2_END + pickup_at(mileage_zip)))


def second_trip(line_cr1s: bool) -> Edit:
    """Two transports: the second trip added (CLM02 the new total, a narrative saying why two trips, the
    2300 CR106 the sum of the miles); with `line_cr1s`, a CR1 on each mileage line (X12 RFI 1876)."""
    claim = (("CLM*OK1*1130*", "CLM*OK1*1708*"),
             (CLAIM_CR1, "NTE*ADD*SECOND TRIP TO NURSING FACILITY~CR1*LB*180**A*DH*22.3~"))
    if not line_cr1s:
        return edits(*claim, (LINE2_END, LINE2_END + TRIP2.format(cr1="")))
    with_cr1 = LINE2_END.replace(LINE2, LINE2 + "CR1*LB*180**A*DH*12.5~")
    return edits(*claim, (LINE2_END, with_cr1 + TRIP2.format(cr1="CR1*LB*180**A*DH*9.8~")))


CASES: dict[str, tuple[Edit, str, Edit]] = {
    # P1: no 2300 CR1 / the smallest CR1 the guide allows (no weight).
    "AMBP001": (p_swap(CLAIM_CR1, ""), "CLM", p_swap(CLAIM_CR1, "CR1****A*DH*12.5~")),
    # P2: the mileage line repeats the 2300 CR1 / the line's CR1 differs (reason D: specialist).
    "AMBP002": (p_swap(LINE2, LINE2 + CLAIM_CR1), "CR1", p_swap(LINE2, LINE2 + "CR1*LB*180**D*DH*12.5~")),
    # P3: CR106 15 against 12.5 billed / 12.50 (the same miles by value).
    "AMBP003": (p_swap(CLAIM_CR1, "CR1*LB*180**A*DH*15~"), "CR1", p_swap(CLAIM_CR1, "CR1*LB*180**A*DH*12.50~")),
    # P5: no 2310E / a 2310E whose N3 is a description, not a street (TR3 N3 note).
    "AMBP005": (p_swap(PICKUP, ""), "CLM", p_swap(PICKUP, "NM1*PW*2~N3*MILE MARKER 265~N4*SPRINGFIELD*IL*62704~")),
    # P6: a 4-digit ZIP (never padded) / a 9-digit ZIP+4.
    "AMBP006": (p_swap(PICKUP, pickup_at("6270")), "N4", p_swap(PICKUP, pickup_at("627040001"))),
    # P7: no 2310F / a 2310F without the (situational) destination name.
    "AMBP007": (p_swap(DROPOFF, ""), "CLM", p_swap(DROPOFF, DROPOFF.replace("*SPRINGFIELD GENERAL~", "~"))),
    # P8: the base line picked up at 62704, its mileage at 627040001 / both lines at 627040001.
    "AMBP008": (p_swap(LINE2_END, LINE2_END + pickup_at("627040001")), "N4", line_pickups("627040001", "627040001")),
    # P9: the trip picked up in 62702 though 2310E says 62704 / in 627040001 (the same ZIP5).
    "AMBP009": (line_pickups("62702", "62702"), "N4", line_pickups("627040001", "627040001")),
    # P10: the mileage line repeats the claim's CRC*07 / its own, different one.
    "AMBP010": (p_swap(LINE2, LINE2 + CLAIM_CRC), "CRC", p_swap(LINE2, LINE2 + "CRC*07*Y*04~")),
    # P27: code 01 (admitted) and no DTP*435 / with DTP*435.
    "AMBP027": (p_swap(CLAIM_CRC, "CRC*07*Y*01*04~"), "CRC",
                edits((CLAIM_CRC, "CRC*07*Y*01*04~"), (CLAIM_CR1, "DTP*435*D8*20260914~" + CLAIM_CR1))),
    # P28: a 2310C service facility / a 2310A referring provider (a loop the claim may carry).
    "AMBP028": (p_swap(PICKUP, "NM1*77*2*SPRINGFIELD GENERAL*****XX*1234567893~N3*800 E CARPENTER ST~"
                       "N4*SPRINGFIELD*IL*627690001~" + PICKUP), "NM1",
                p_swap(PICKUP, "NM1*DN*1*SMITH*ANN****XX*1234567893~" + PICKUP)),
    # P29: a pick-up N4 without the ZIP / a foreign pick-up (N404 not US) without state or ZIP.
    "AMBP029": (p_swap(PICKUP, "NM1*PW*2~N3*5 ELM ST~N4*SPRINGFIELD*IL~"), "N4",
                p_swap(PICKUP, "NM1*PW*2~N3*5 ELM ST~N4*MEXICO CITY***MX~")),
    # P32: two transports, no CR1 on the mileage lines / a CR1 on each.
    "AMBP032": (second_trip(line_cr1s=False), "SV1", second_trip(line_cr1s=True)),
    # P35: reason B (preferred physician) and no narrative / with a 2300 NTE saying why.
    "AMBP035": (p_swap(CLAIM_CR1, "CR1*LB*180**B*DH*12.5~"), "CR1",
                p_swap(CLAIM_CR1, "NTE*ADD*CARDIOLOGIST ON STAFF THERE~CR1*LB*180**B*DH*12.5~")),
    # P36: four CRC under the base line (three CRC*07 and a CRC*70) / three.
    "AMBP036": (p_swap(LINE1, LINE1 + "CRC*07*Y*04~CRC*07*Y*06~CRC*07*N*01~CRC*70*N*65~"), "CRC",
                p_swap(LINE1, LINE1 + "CRC*07*Y*04~CRC*07*N*01~CRC*70*N*65~")),
    # P37: code 04 twice under Y in 2300 / 04 in 2300 and again in a line CRC (another loop).
    "AMBP037": (p_swap(CLAIM_CRC, "CRC*07*Y*04*06*04~"), "CRC", p_swap(LINE2, LINE2 + "CRC*07*Y*04~")),
    # P40: a non-emergency dialysis trip (RJ) without REF*G1 / with a 14-character UTN.
    "AMBP040": (edits(("HC:A0427:RH*950*UN*1***1**Y", "HC:A0428:RJ*950*UN*1***1"), ("HC:A0425:RH", "HC:A0425:RJ")),
                "SV1",
                edits(("HC:A0427:RH*950*UN*1***1**Y", "HC:A0428:RJ*950*UN*1***1"), ("HC:A0425:RH", "HC:A0425:RJ"),
                      (CLAIM_CR1, "REF*G1*JE1234567890AB~" + CLAIM_CR1))),
}
