"""The cases of the 837P supplier rules (edi837/rules/modifiers.py, units.py): for each rule an edit of
BASE_P that fires it, the segment its finding points at, and a real near miss (the closest correct
claim) that must not fire it. BASE_P bills an A0427 RH base line (950) and 12.5 miles of A0425 RH (180) on
2026-09-14, CLM02 1130, POS 41, BHT04 2026-10-01, no narrative."""

from __future__ import annotations

from professional import BASE_LINE_P, MILES_P, Edit, p_swap, resegment

DATE = "DTP*472*D8*20260914~"
MILES_DATED = MILES_P + "~" + DATE  # the mileage line with its date (the base line has the same date)
LAST_LINE = "LX*2~" + MILES_DATED  # the last line of BASE_P
NTE = "CLM*OK1*1130***41:B:1*Y*A*Y*Y~NTE*ADD*SEE TRIP NOTES~"  # a 2300 narrative after CLM


def both(*edits: Edit) -> Edit:
    """Several edits of BASE_P, applied in order."""

    def edit(text: str) -> str:
        for e in edits:
            text = e(text)
        return text

    return edit


def every(old: str, new: str) -> Edit:
    """Replace every `old` (at least one) and keep SE01 right: e.g. both lines' date."""

    def edit(text: str) -> str:
        assert old in text, old
        return resegment(text.replace(old, new))

    return edit


def base(modifiers: str) -> Edit:
    """The base line (A0427) with other modifiers, e.g. "RH:GM"."""
    return p_swap("SV1*HC:A0427:RH*", f"SV1*HC:A0427:{modifiers}*" if modifiers else "SV1*HC:A0427*")


def miles(code_modifiers: str, units: str = "12.5") -> Edit:
    """The mileage line as another code and modifiers, and units, e.g. ("A0425:RH:GM", "7.4")."""
    return p_swap(MILES_P, f"SV1*HC:{code_modifiers}*180*UN*{units}***1")


def qty(n: str, line: str = BASE_LINE_P) -> Edit:
    """QTY*PT*n on a line (after its DTP*472)."""
    return p_swap(line + "~" + DATE, line + "~" + DATE + f"QTY*PT*{n}~")


ONLY_BASE = both(p_swap(LAST_LINE, ""), p_swap("CLM*OK1*1130*", "CLM*OK1*950*"))  # no mileage line (a QL trip)
TOTAL_1610 = p_swap("CLM*OK1*1130*", "CLM*OK1*1610*")  # CLM02 with a third line of 480


# rule -> (edit that fires it, segment its finding points at, near-miss edit that must not fire it)
CASES: dict[str, tuple[Edit, str, Edit]] = {
    # X as the origin / X as the destination (a stop at the physician's office on the way)
    "AMBP012": (both(base("XH"), miles("A0425:XH")), "SV1", both(base("RX"), miles("A0425:RX"))),
    # QL with a pair / QL alone (BLS emergency base, pronounced dead, no mileage)
    "AMBP013": (both(p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0429:RH:QL*"), ONLY_BASE), "SV1",
                both(p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0429:QL*"), ONLY_BASE)),
    # QN (an 837I modifier) / GW (hospice: not related to the terminal condition), a Part B modifier
    "AMBP014": (base("RH:QN"), "SV1", base("RH:GW")),
    # GM without QTY*PT / GM with QTY*PT*2
    "AMBP015": (base("RH:GM"), "SV1", both(base("RH:GM"), qty("2", "SV1*HC:A0427:RH:GM*950*UN*1***1**Y"))),
    # 2 units of the base rate / 1.0 (one, by value)
    "AMBP016": (p_swap(BASE_LINE_P, "SV1*HC:A0427:RH*950*UN*2***1**Y"), "SV1",
                p_swap(BASE_LINE_P, "SV1*HC:A0427:RH*950*UN*1.0***1**Y")),
    # four decimals / three (12.500 is 12.5 by value)
    "AMBP017": (miles("A0425:RH", "12.5000"), "SV1", miles("A0425:RH", "12.500")),
    # the mileage a day after its base / both lines a day later (one trip again)
    "AMBP018": (p_swap(MILES_DATED, MILES_P + "~DTP*472*D8*20260915~"), "SV1", every(DATE, "DTP*472*D8*20260915~")),
    # CLM05-1 11 (office) inherited by both lines / the same CLM05-1 with SV105 41 on each line
    "AMBP019": (p_swap("41:B:1", "11:B:1"), "CLM",
                both(p_swap("41:B:1", "11:B:1"), p_swap(BASE_LINE_P, "SV1*HC:A0427:RH*950*UN*1*41**1**Y"),
                     p_swap(MILES_P, "SV1*HC:A0425:RH*180*UN*12.5*41**1"))),
    # BLS non-emergency / BLS emergency
    "AMBP022": (p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0428:RH*"), "SV1", p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0429:RH*")),
    # miles beyond the nearest facility billed as covered / with GY
    "AMBP023": (miles("A0888:RH", "4.5"), "SV1", miles("A0888:RH:GY", "4.5")),
    # BLS mileage A0380 billed as covered / with GY (statutorily excluded)
    "AMBP024": (miles("A0380:RH"), "SV1", miles("A0380:RH:GY")),
    # CLM02 1100 against 950 + 180 / 1130.00 (the sum, by value)
    "AMBP025": (p_swap("CLM*OK1*1130*", "CLM*OK1*1100*"), "CLM", p_swap("CLM*OK1*1130*", "CLM*OK1*1130.00*")),
    # the mileage dated the day after BHT04 (20261001) / dated BHT04's own day
    "AMBP026": (every(DATE, "DTP*472*D8*20261002~"), "DTP", every(DATE, "DTP*472*D8*20261001~")),
    # GM and QTY*PT*2 on the base line only, no narrative / on both lines with a narrative
    "AMBP030": (both(base("RH:GM"), qty("2", "SV1*HC:A0427:RH:GM*950*UN*1***1**Y")), "SV1",
                both(base("RH:GM"), qty("2", "SV1*HC:A0427:RH:GM*950*UN*1***1**Y"), miles("A0425:RH:GM"),
                     qty("2", "SV1*HC:A0425:RH:GM*180*UN*12.5***1"), p_swap("CLM*OK1*1130***41:B:1*Y*A*Y*Y~", NTE))),
    # mileage on a QL trip billed as covered / with GY
    "AMBP031": (both(p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0429:QL*"), miles("A0425:QL")), "SV1",
                both(p_swap("SV1*HC:A0427:RH*", "SV1*HC:A0429:QL*"), miles("A0425:QL:GY"))),
    # the pair second / first
    "AMBP033": (base("GW:RH"), "SV1", base("RH:GW")),
    # a second trip (A0428 HN) on the same date without a narrative / on the next date
    "AMBP034": (both(TOTAL_1610, p_swap(LAST_LINE, LAST_LINE + "LX*3~SV1*HC:A0428:HN*480*UN*1***1~" + DATE)), "SV1",
                both(TOTAL_1610,
                     p_swap(LAST_LINE, LAST_LINE + "LX*3~SV1*HC:A0428:HN*480*UN*1***1~DTP*472*D8*20260915~"))),
    # .8 miles / 0.8
    "AMBP038": (miles("A0425:RH", ".8"), "SV1", miles("A0425:RH", "0.8")),
    # residence to an ET3 destination (W) in 2026 / GW, the hospice modifier (P12's finding, not P39's)
    "AMBP039": (both(base("RW"), miles("A0425:RW")), "SV1", both(base("GW"), miles("A0425:GW"))),
}
