"""The one model every writer reads: a finding says where, what, why, and how a 999/277CA answers it."""

from __future__ import annotations

from .frozen import frozen

ERROR, WARNING = "error", "warning"

# Scopes, from widest to narrowest: an error rejects everything in its scope.
INTERCHANGE, GROUP, TRANSACTION, CLAIM = "interchange", "group", "transaction", "claim"


@frozen
class Finding:
    rule: str  # rule id: AMB006, or a guide check such as X12-IK3-3 / X12-IK4-7 / X12-ENV-IK5-4
    severity: str  # error | warning
    message: str  # what is wrong, in a billing clerk's words
    scope: str = CLAIM  # what an error rejects
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

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "severity": self.severity, "message": self.message, "scope": self.scope,
            "loop": self.loop or None, "segment": self.segment or None, "position": self.position or None,
            "line": self.line or None,
            "element": self.element or None, "lx": self.lx or None, "value": self.value,
            "fix": self.fix or None, "stc": list(self.stc),
            "ik3": self.ik3 or None, "ik4": self.ik4 or None,
        }
