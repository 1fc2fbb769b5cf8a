"""The payer's answers read back: TA1, 999 and 277CA files as typed records (`model`, `read`), and
what a forward 837 sent, claim by claim, as an answer names it (`sent`). Matching them is the
stage's (`stage/payer.py`, against the ledger) and the report's (`answers/write/payer.py`, against
the claims of the file reported)."""

from .model import (
                    ACCEPTED,
                    NOTED,
                    REJECTED,
                    BatchStatus,
                    ClaimStatus,
                    ElementNote,
                    GroupAck,
                    Interchange,
                    LineStatus,
                    Problem,
                    Response,
                    SegmentNote,
                    SetAck,
                    Status,
                    Ta1,
)
from .read import read

__all__ = ["ACCEPTED", "NOTED", "REJECTED", "BatchStatus", "ClaimStatus", "ElementNote", "GroupAck", "Interchange",
           "LineStatus", "Problem", "Response", "SegmentNote", "SetAck", "Status", "Ta1", "read"]
