"""What the payer said of each claim of `edi837 report --responses`: the payer's 277CA, 999 and TA1
records (edi837.responses) matched to the claims the report shows, without any HTML.

    answers = PayerAnswers.from_records(edi837.read_responses(path))
    groups = answers.set_groups(claims_path)          # {set number: GS06} of the sets a 999 names
    said = answers.for_claim(claim, tx.control, groups.get(tx.number, ""))
    ...
    answers.unmatched()                               # the records no claim took, in the order read

How a record finds its claim (issue 26):
- a 277CA claim (ClaimStatus) by the REF*D9 trace when the claim has one (a forward 837's claims
  carry the trace edi837 gave them), its TRN02 being the claim's CLM01 as well (traces are unique
  within one control-number state: `ack` runs into fresh folders give the same traces to other
  claims); else by CLM01 (TRN02). A status with no trace is matched by CLM01 too (a payer that does
  not echo REF*D9). Matched by CLM01 alone, the total charge must agree as well (STC04 against
  CLM02, compared as Decimals) whenever both are given: the report is streamed, so it cannot know
  whether a later claim shares the CLM01, and a payer echoes CLM02 in STC04.
- a 999 set (SetAck) by the claim's transaction set: AK202 is the set's ST02 and, when the report
  knows the group's GS06 (`set_groups`), AK102 is that GS06. An IK3 whose CTX names the claim's
  CLM01 is that claim's; an IK3 naming no claim is the set's and is shown on each of its claims.
- a TA1, a 999 group (AK9), a 277CA batch or provider status and a Problem with an answer file
  name no claim: with every record no claim took, they are `unmatched()`, listed once at the end
  of the report, never dropped.

A record may answer several claims of a report (one set of two files with the same ST02 and no
GS06 known; the same claim in an inbox file and in its forward 837), and one claim may have several
answers (a file answered twice): each is shown where it matches.

Memory: every record is held (the responses given with the report are small beside its claims), with
an index by trace, by CLM01 and by ST02; per claim of the report nothing is kept but the verdict
counts. The IK404 copy of a bad value (`ElementNote.value`) is never used here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from ...claims import Claim
from ...errors import Edi837Error
from ...responses import (
    ACCEPTED,
    NOTED,
    REJECTED,
    BatchStatus,
    ClaimStatus,
    GroupAck,
    Problem,
    Response,
    SegmentNote,
    SetAck,
    Ta1,
)
from ...x12 import status_codes

NO_ANSWER = "no answer"
AWAITING_277CA = "awaiting 277CA"  # the set's 999 accepts it: taken in, not yet judged (issue 26: payer-accepted
# is a 999 A/E and a 277CA A1/A2)
VERDICTS = (ACCEPTED, REJECTED, NOTED, AWAITING_277CA, NO_ANSWER)  # the payer's verdicts on a claim, as counted


class ClaimAnswers:
    """What the payer said of one claim: its 277CA statuses, the 999 verdicts of its set, and the
    999's segment errors that name it (CTX CLM01) or name no claim of the set."""

    def __init__(self, statuses: list[ClaimStatus], sets: list[SetAck], claim_id: str) -> None:
        self.statuses = statuses
        self.sets = sets
        self.own_segments: list[SegmentNote] = [s for a in sets for s in a.segments if s.claim_id == claim_id]
        self.set_segments: list[SegmentNote] = [s for a in sets for s in a.segments if not s.claim_id]

    @property
    def status(self) -> str:
        """The payer's verdict on the claim (one of VERDICTS), from everything that names it: rejected
        when a 277CA sends it back or its set's 999 rejects the set (of a claim answered twice, the
        rejection shows; both answers are on the card); accepted when a 277CA takes it in; with no
        277CA, "awaiting 277CA" when its set's 999 accepts the set, noted when an IK3 of that 999
        names the claim; noted for a pending 277CA status; "no answer" when nothing names it."""
        verdicts = {s.status for s in self.statuses} | {a.status for a in self.sets}
        if REJECTED in verdicts:
            return REJECTED
        if self.statuses:
            return ACCEPTED if ACCEPTED in verdicts else NOTED
        if self.own_segments:
            return NOTED
        return AWAITING_277CA if self.sets else NO_ANSWER

    def set_words(self, ack: SetAck) -> str:
        """A 999 set's verdict in words (IK501 and IK502-IK506), without the IK3s of other claims."""
        return "; ".join([status_codes.describe("IK501", ack.ack)]
                         + [status_codes.describe("IK502", r) for r in ack.reasons])


def charge_agrees(status: ClaimStatus, claim: Claim) -> bool:
    """Whether STC04 and the claim's total charge are the same amount (150 = 150.00), or one is not
    given (or not a number), so that the charge cannot tell two claims apart."""
    if claim.total_charge is None or not status.charge:
        return True
    try:
        return Decimal(status.charge) == claim.total_charge
    except (InvalidOperation, ValueError):
        return True


class PayerAnswers:
    """The payer's answers given with a report, indexed to be matched claim by claim (see the module)."""

    def __init__(self, records: list[Response]) -> None:
        self.records = records
        self.used: set[int] = set()  # indexes into `records` of those a claim took
        self.by_trace: dict[str, list[int]] = {}
        self.by_claim_id: dict[str, list[int]] = {}
        self.by_set: dict[str, list[int]] = {}
        self.verdicts: Counter[str] = Counter()  # the claims of the report by the payer's verdict
        for i, r in enumerate(records):
            if isinstance(r, ClaimStatus):
                if r.trace:
                    self.by_trace.setdefault(r.trace, []).append(i)
                self.by_claim_id.setdefault(r.claim_id, []).append(i)
            elif isinstance(r, SetAck):
                self.by_set.setdefault(r.set_control, []).append(i)

    @classmethod
    def from_records(cls, records: Iterable[Response]) -> PayerAnswers:
        return cls(list(records))

    @property
    def set_controls(self) -> frozenset[str]:
        """The ST02s the 999s name (AK202)."""
        return frozenset(self.by_set)

    def for_claim(self, claim: Claim, set_control: str, group_control: str = "") -> ClaimAnswers:
        """What the payer said of `claim`, of the transaction set `set_control` (ST02) in the group
        `group_control` (GS06; "" when not known). Counted into `verdicts`."""
        found = self._statuses(claim)
        sets = [i for i in self.by_set.get(set_control, ())
                if not group_control or self._set(i).group_control in ("", group_control)]
        self.used.update(found, sets)
        said = ClaimAnswers([self._status(i) for i in found], [self._set(i) for i in sets], claim.claim_id)
        self.verdicts[said.status] += 1
        return said

    def _statuses(self, claim: Claim) -> list[int]:
        """The 277CA claims that answer `claim` (indexes into `records`, in the order read)."""
        trace = claim.clearinghouse_trace
        if trace:
            by_trace = [i for i in self.by_trace.get(trace, ()) if self._status(i).claim_id == claim.claim_id]
            untraced = [i for i in self.by_claim_id.get(claim.claim_id, ())
                        if not self._status(i).trace and charge_agrees(self._status(i), claim)]
            return sorted(by_trace + untraced)
        return [i for i in self.by_claim_id.get(claim.claim_id, ()) if charge_agrees(self._status(i), claim)]

    def _status(self, i: int) -> ClaimStatus:
        r = self.records[i]
        assert isinstance(r, ClaimStatus)
        return r

    def _set(self, i: int) -> SetAck:
        r = self.records[i]
        assert isinstance(r, SetAck)
        return r

    def unmatched(self) -> list[Response]:
        """The records no claim of the report took, in the order they were read: 277CA claims and 999
        sets that name no claim here, and the TA1s, 999 groups, 277CA batch statuses and problems with
        the answer files, which name no claim at all."""
        return [r for i, r in enumerate(self.records) if i not in self.used]

    def set_groups(self, path: str) -> dict[int, str]:
        """{set number: GS06} of the transaction sets of the 837 at `path` whose ST02 a 999 names
        (numbered as the check numbers them: 1 = the file's first ST), read again with the plain
        segment reader; {} for standard input (it cannot be read twice) or when no 999 was given.
        Where the file cannot be read on, what was found before stays (the check reports the error)."""
        wanted = self.set_controls
        if path == "-" or not wanted:
            return {}
        from ...engine.inputs import open_input  # noqa: PLC0415 (only a report with a 999 reads a file again)
        from ...x12.read import segments  # noqa: PLC0415

        found: dict[int, str] = {}
        number, group = 0, ""
        try:
            with open_input(path) as stream:
                for seg in segments(stream, path):
                    sid = seg.elements[0]
                    if sid == "GS":
                        group = seg.get(6)
                    elif sid == "ST":
                        number += 1
                        if seg.get(2) in wanted:
                            found[number] = group
                    elif sid == "GE":
                        group = ""
        except Edi837Error:
            pass
        return found


def kind(r: Response) -> str:
    """What a record is, in a clerk's words."""
    if isinstance(r, ClaimStatus):
        return "277CA claim"
    if isinstance(r, SetAck):
        return "999 transaction set"
    if isinstance(r, GroupAck):
        return "999 functional group"
    if isinstance(r, Ta1):
        return "TA1 interchange"
    if isinstance(r, BatchStatus):
        return f"277CA {r.level}"
    return "problem with the answer file"


def names(r: Response) -> str:
    """What a record names of what was sent (control numbers, the claim's CLM01 and trace)."""
    if isinstance(r, ClaimStatus):
        return "claim " + r.claim_id + (f", trace {r.trace}" if r.trace else "")
    if isinstance(r, SetAck):
        return f"transaction set {r.set_control} of group {r.group_control}"
    if isinstance(r, GroupAck):
        return f"functional group {r.group_control}"
    if isinstance(r, Ta1):
        return f"interchange {r.control}"
    if isinstance(r, BatchStatus):
        return f"{r.level} {r.trace}" if r.trace else r.level
    return " ".join(x for x in (r.segment_id, r.loop and f"loop {r.loop}", r.element) if x)


def file_line(r: Response) -> tuple[str, int]:
    """The answer file a record was read from, and its line there."""
    if isinstance(r, Problem):
        return r.file, r.line
    return r.interchange.file, r.line


def verdict(r: Response) -> str:
    """accepted, rejected, noted, or "problem" for what is wrong with an answer file."""
    return "problem" if isinstance(r, Problem) else r.status


def words(r: Response) -> str:
    """What a record says, in words (a problem's message; never a value from the file)."""
    return r.message if isinstance(r, Problem) else r.words


def codes(r: Response) -> str:
    """The X12 codes a record carries, as the payer wrote them."""
    if isinstance(r, (ClaimStatus, BatchStatus, SetAck)):
        return r.codes
    if isinstance(r, GroupAck):
        return " ".join([f"AK9*{r.ack}", *r.reasons])
    if isinstance(r, Ta1):
        return f"TA1*{r.ack}*{r.note}"
    return r.code

