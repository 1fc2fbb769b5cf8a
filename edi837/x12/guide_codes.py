"""The X12-level findings (guide checks, not claim rules): one entry per code, for the catalog.

Claim rules live in the rule registry (edi837.rules); the guide's own checks report findings whose
rule id names the acknowledgment code they answer with: X12-IK3-n (999 IK304, a segment), X12-IK4-n
(999 IK403, an element), X12-ENV-... (the envelope: 999 IK5 / AK905, TA1) and X12-MORE. This table
says what each means, how the 999 (or TA1) and the 277CA answer it, and how to fix it; the pipeline
takes the envelope fixes from here, and a test keeps the 277CA codes here equal to those the
findings carry.
"""

from __future__ import annotations

from ..findings import INVALID, MISSING, WITH_SET
from ..frozen import frozen


@frozen
class GuideCode:
    id: str  # X12-IK3-3, X12-IK4-7, X12-ENV-TR4, X12-MORE
    title: str
    answer: str  # where the 999 (or TA1) says it: "999 IK304 = 3"
    stc: tuple[str, ...]  # 277CA status of the claims it rejects; empty: it rejects none
    doc: str  # what it means
    fix: str  # how to fix it
    produced: bool = True  # False: documented for the 999's code list, but edi837 never reports it

    @property
    def severity(self) -> str:
        return "error"


def _ik3(code: str, title: str, stc: tuple[str, ...], doc: str, fix: str, produced: bool = True) -> GuideCode:
    return GuideCode(f"X12-IK3-{code}", title, f"999 IK3 segment error, IK304 = {code}", stc, doc, fix, produced)


def _ik4(code: str, title: str, stc: tuple[str, ...], doc: str, fix: str) -> GuideCode:
    return GuideCode(f"X12-IK4-{code}", title, f"999 IK3 (IK304 = 8) then IK4 element error, IK403 = {code}",
                     stc, doc, fix)


def _env(level: str, code: str, title: str, doc: str, fix: str) -> GuideCode:
    answer, stc = {
        "TR": (f"999 IK5 transaction set response, IK502 = {code}; the set is rejected (IK501 R)", WITH_SET),
        "GR": (f"999 AK9 functional group response, AK905 = {code}", ()),
        "IN": (f"TA1 interchange acknowledgment, TA105 = {code}", ()),
    }[level]
    if level != "TR":
        doc += (" The claims were already answered with their transaction sets: this error does not"
                " reject them; it is noted in the acknowledgment of the group or interchange.")
    return GuideCode(f"X12-ENV-{level}{code}", title, answer, stc, doc, fix)


CODES: tuple[GuideCode, ...] = (
    _ik3("1", "Unrecognized segment", INVALID,
         "A segment the set's guide (837I or 837P) has no place for where it stands: an unknown segment id, or a known one"
         " out of place (a CR1 in an 837I, for one: it belongs to the 837P). `edi837 parse` stops at such a segment; `check`"
         " reports it and rejects what it belongs to. pyx12 answers both cases with this code, and so does edi837.",
         "Remove the segment, or move it to the loop where the guide places it."),
    _ik3("2", "Unexpected segment (not used)", INVALID,
         "A segment or loop the guide defines but marks as not used where it stands.",
         "Remove the segment (or loop)."),
    _ik3("3", "Required segment missing", MISSING,
         "A segment or loop the guide requires is not there. It is reported at the segment read after the"
         " place where it was due, and rejects the claim, person loop or transaction set it belongs to.",
         "Add the missing segment (or loop) where the guide places it."),
    _ik3("4", "Loop occurs over maximum times", INVALID,
         "A loop repeats more often than the guide allows (for one, more than 999 service lines in a claim).",
         "Remove the extra repeats, or send them in another claim."),
    _ik3("5", "Segment exceeds maximum use", INVALID,
         "A segment repeats within its loop more often than the guide allows.",
         "Remove the extra segments."),
    _ik3("6", "Segment not in defined transaction set", INVALID,
         "A segment id that does not belong to the 837 at all. edi837 answers it, as pyx12 does, with"
         " code 1 (X12-IK3-1): this code is listed for the 999's code list only.",
         "Remove the segment.", produced=False),
    _ik3("7", "Segment not in proper sequence", INVALID,
         "A segment out of order. edi837 answers it, as pyx12 does, with code 1 (X12-IK3-1) or 3"
         " (X12-IK3-3): this code is listed for the 999's code list only.",
         "Move the segment to where the guide places it.", produced=False),
    _ik3("8", "Segment has data element errors", INVALID,
         "The segment's elements break the guide. In the 999 this IK3 is followed by one IK4 per element;"
         " edi837 reports each element as its own finding, named by the element's code (X12-IK4-1 ..."
         " X12-IK4-10), each with this IK3 code.",
         "Fix each element the X12-IK4 findings name.", produced=False),
    _ik4("1", "Required data element missing", MISSING,
         "An element the guide requires in this segment is empty or absent.",
         "Fill in the element."),
    _ik4("2", "Conditional required data element missing", MISSING,
         "A segment syntax rule of the guide is broken: P (paired: if one is present, all are required),"
         " R (at least one is required), C (if the first is present, the others are required) or L (if the"
         " first is present, one of the others is required). The message names each element and its rule.",
         "Fill in the elements the rule requires, or leave the one that triggers it empty."),
    _ik4("3", "Too many data elements", INVALID,
         "The segment has more elements than the guide defines, ends with an empty element, or a composite"
         " has more components than the guide defines.",
         "Remove the extra elements or components, and any element separators at the end of the segment."),
    _ik4("4", "Data element too short", INVALID,
         "The value has fewer characters (digits, for numbers) than the guide's minimum for the element.",
         "Write the element with as many characters as the guide requires (the fix names the range)."),
    _ik4("5", "Data element too long", INVALID,
         "The value has more characters (digits, for numbers) than the guide's maximum for the element.",
         "Shorten the value to the guide's maximum (the fix names the range)."),
    _ik4("6", "Invalid character in data element", INVALID,
         "The value holds a character outside the X12 extended character set, a control character,"
         " trailing spaces, a component separator in a single element, or is not a number where the"
         " guide wants one.",
         "Write the value with letters, digits, spaces and common punctuation only; numbers as digits"
         " with at most one decimal point."),
    _ik4("7", "Invalid code value", INVALID,
         "The value is not one of the codes the guide allows in this element (or, for the billing provider's"
         " ZIP code, not the 9-digit ZIP+4 the 5010 guide requires).",
         "Use one of the codes the guide lists for the element (the fix names them when they are few)."),
    _ik4("8", "Invalid date", INVALID,
         "The value is not a valid date, or not in the date format its qualifier names (DTP02: D8 is"
         " CCYYMMDD, RD8 is CCYYMMDD-CCYYMMDD).",
         "Write the date as the guide (or the qualifier before it) says, e.g. 20240131."),
    _ik4("9", "Invalid time", INVALID,
         "The value is not a valid time (HHMM, 24-hour clock, optional seconds).",
         "Write the time as HHMM, e.g. 1430."),
    _ik4("10", "Exclusion condition violated", INVALID,
         "An element the guide marks as not used holds a value, or a syntax rule E (only one of the"
         " elements may be present) is broken.",
         "Leave the element empty (or all but one of the elements the rule names)."),
    _env("TR", "2", "Transaction set trailer missing",
         "A transaction set has no SE (another ST, a GE or IEA, or the end of the file came first), or an SE"
         " has no ST before it. Every claim of the set is rejected.",
         "End each transaction set with its SE trailer, and start each with its ST header."),
    _env("TR", "3", "Transaction set control number mismatch",
         "SE02 is not the control number of its ST02. Every claim of the set is rejected.",
         "Make SE02 equal to ST02."),
    _env("TR", "4", "Number of included segments does not match actual count",
         "SE01 is not the number of segments of the set, ST and SE included. Every claim of the set is rejected.",
         "Recount the segments from ST through SE and write the count in SE01."),
    _env("GR", "1", "Transaction set outside a functional group",
         "An ST came with no GS before it.",
         "Put every transaction set between a GS header and its GE trailer."),
    _env("GR", "3", "Functional group trailer missing",
         "A functional group has no GE (another GS, an IEA or the end of the file came first), or a GE has"
         " no GS before it.",
         "End each functional group with its GE trailer."),
    _env("GR", "4", "Group control number mismatch",
         "GE02 is not the control number of its GS06.",
         "Make GE02 equal to GS06."),
    _env("GR", "5", "Number of included transaction sets does not match actual count",
         "GE01 is not the number of transaction sets in the group.",
         "Write the number of ST/SE sets of the group in GE01."),
    _env("IN", "001", "Interchange control number mismatch",
         "IEA02 is not the control number of its ISA13.",
         "Make IEA02 equal to ISA13."),
    _env("IN", "014", "Invalid interchange date value",
         "ISA09 is not a date (YYMMDD). The TA1 answering the interchange gives the date it was written instead.",
         "Write the interchange date in ISA09 as YYMMDD."),
    _env("IN", "015", "Invalid interchange time value",
         "ISA10 is not a time (HHMM). The TA1 answering the interchange gives the time it was written instead.",
         "Write the interchange time in ISA10 as HHMM."),
    _env("IN", "018", "Invalid interchange control number value",
         "ISA13 is not a 9-digit number. The TA1 answering the interchange gives 000000000 instead.",
         "Write the interchange control number in ISA13 as 9 digits."),
    _env("IN", "021", "Invalid number of included groups",
         "IEA01 is not the number of functional groups in the interchange.",
         "Write the number of GS/GE groups of the interchange in IEA01."),
    _env("IN", "023", "Interchange trailer missing",
         "An interchange has no IEA (another ISA or the end of the file came first), or an IEA has no ISA"
         " before it.",
         "End each interchange with its IEA trailer."),
    _env("IN", "024", "Functional group outside an interchange",
         "A GS came with no ISA before it.",
         "Put every functional group between an ISA header and its IEA trailer."),
    GuideCode("X12-MORE", "More errors than listed", "none of its own: the errors it stands for are in the 999",
              (), "More than 100 errors were found in one claim, person loop, transaction set, group or"
              " interchange; the first 100 are listed and this finding stands for the rest (the 999 still"
              " answers every segment). Its 277CA status is that of the errors listed.",
              "Fix the errors listed and check the file again."),
)

BY_ID: dict[str, GuideCode] = {c.id: c for c in CODES}


def fix(rule: str) -> str:
    """How to fix the X12-level finding `rule`, or "" when the table does not know it."""
    code = BY_ID.get(rule)
    if code is None:
        return ""
    return code.fix[0].lower() + code.fix[1:].rstrip(".")  # as a finding's fix is written


# Value codes whose amount (HIxx-05, an R element) is not money: a guide error on it gets the fix of
# what the amount stands for, not "write a decimal number such as 125.50" (CMS Pub. 100-04 ch. 15
# §30.2.1: the pick-up ZIP goes in value code A0; NUBC value code 32: the number of patients).
VALUE_AMOUNT_FIXES = {
    "A0": "write the pick-up ZIP code as the amount of value code A0: its 5 digits (or 9 for ZIP+4),"
          " digits only, such as 62704",
    "32": "write the number of patients carried as the amount of value code 32: a whole number such as 2",
}


def element_fix(segment_id: str, ref: str, components: list[str], fix: str) -> str:
    """The fix of a guide error on element `ref` of a `segment_id` segment whose composite holds
    `components`, where the element says more than its data type: a value code's amount (HI01-05 ...)
    that is a ZIP or a count. `fix` (the data type's own) otherwise."""
    if segment_id != "HI" or not ref.endswith("-05") or len(components) < 2 or components[0] != "BE":
        return fix
    return VALUE_AMOUNT_FIXES.get(components[1], fix)
