"""The one model every writer reads: a finding says where, what, why, and how a 999/277CA answers it."""

from __future__ import annotations

from typing import Final, Literal

from .frozen import frozen

Severity = Literal["error", "warning"]
ERROR: Final = "error"
WARNING: Final = "warning"

# Scopes, from widest to narrowest: an error rejects everything in its scope. PERSON is where the
# checker files an error of a subscriber/patient loop until its claims close (they inherit it with
# scope CLAIM): no finding handed out has it.
Scope = Literal["interchange", "group", "transaction", "person", "claim"]
INTERCHANGE: Final = "interchange"
GROUP: Final = "group"
TRANSACTION: Final = "transaction"
PERSON: Final = "person"
CLAIM: Final = "claim"


# -- how a 277CA answers a finding: every choice of its STC codes (category:status) is made here -----

MISSING: Final = ("A6:21",)  # A6 missing information: 21 missing or invalid information
INVALID: Final = ("A7:21",)  # A7 invalid information
WITH_SET: Final = ("A3:21",)  # A3 returned as unprocessable: with its rejected transaction set


def segment_stc(ik304: str) -> tuple[str, ...]:
    """A guide error about a segment (999 IK304): missing for a required segment missing (3), else invalid."""
    return MISSING if ik304 == "3" else INVALID


def element_stc(ik403: str) -> tuple[str, ...]:
    """A guide error about an element (999 IK403): missing for a required (1) or conditionally required
    (2) element missing, else invalid."""
    return MISSING if ik403 in ("1", "2") else INVALID


def rule_stc(severity: str, codes: tuple[str, ...]) -> tuple[str, ...]:
    """A claim rule's codes for an error; none for a warning, since a claim with warnings only is
    accepted (A2:20) and a rejection code would contradict that."""
    return codes if severity == ERROR else ()


@frozen
class Finding:
    rule: str  # rule id: AMB006, or a guide check such as X12-IK3-3 / X12-IK4-7 / X12-ENV-IK5-4
    severity: Severity
    message: str  # what is wrong, in a billing clerk's words
    scope: Scope = CLAIM  # what an error rejects
    file: str = ""
    transaction: str = ""  # ST02
    claim_id: str = ""  # CLM01 (empty above claim level)
    lx: str = ""  # LX01 of the service line
    loop: str = ""  # e.g. 2400
    segment: str = ""  # segment id, e.g. SV2
    position: int = 0  # position in the transaction set (ST = 1), as IK302 counts
    element: str = ""  # e.g. SV205, SV202-3, HI01-5
    value: str = ""  # the bad value, as written
    fix: str = ""  # how to fix it
    stc: tuple[str, ...] = ()  # 277CA status composites, e.g. ("A7:267",) or ("A7:562:71",)
    ik3: str = ""  # 999 IK304 segment syntax error code (guide errors)
    ik4: str = ""  # 999 IK403 element syntax error code (guide errors)
    ik4_position: str = ""  # IK401: element position[:component]
    data_element: str = ""  # IK402: data element reference number
    offset: int = -1  # byte offset of the segment in the file
    line: int = 0  # 1-based line of the segment in the file (0 when unknown; all 1 in a one-line file)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR
