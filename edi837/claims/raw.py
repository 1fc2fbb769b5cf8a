"""The segments the forward 837 copies, kept by the claim builder as they are read (edi837.claims.builder:
`ClaimBuilder(keep=True).raw`)."""

from __future__ import annotations


class RawSegments:
    """The segments the forward 837 copies, as read (text without terminator): the billing provider's,
    the subscriber's and the patient's loops, and the open claim's. A claim takes the blocks open when
    its CLM is read (`blocks`); an HL opens new ones."""

    def __init__(self) -> None:
        self.billing: list[str] = []
        self.subscriber: list[str] = []
        self.patient: list[str] = []
        self.claim: list[str] = []
        self.blocks: tuple[list[str], ...] = ()

    def new_set(self) -> None:
        self.billing, self.subscriber, self.patient = [], [], []

    def hl(self, code: str) -> None:
        if code == "20":
            self.billing = []
        elif code == "22":
            self.subscriber, self.patient = [], []
        elif code == "23":
            self.patient = []

    def claim_opened(self) -> None:
        self.blocks = (self.billing, self.subscriber, self.patient)

    def take_claim(self) -> tuple[list[str], tuple[list[str], ...]]:
        """The closed claim's segments and blocks; the next claim starts a list of its own."""
        taken, self.claim = self.claim, []
        return taken, self.blocks
