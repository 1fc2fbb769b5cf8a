"""The payer's answers read back: TA1, 999 and 277CA files as typed records (`model`, `read`), and
matched to the claims edi837 forwarded (`match`)."""

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
