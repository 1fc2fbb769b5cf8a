"""The codes a payer's answers carry, in plain words: TA1, 999 and 277CA.

A payer (or its front end) answers a forwarded 837 with a TA1 (the interchange), a 999 (each group
and transaction set, with its segment and element errors) and a 277CA (each claim, by category,
status and entity codes). This table says, for a billing clerk, what each code means and what to do
about it; the response reader (issue 26) and `edi837 rules` read it.

Which codes exist: for the TA1 and the 999 (TA104, TA105, IK304, IK403, IK501, IK502, AK901, AK905),
the `<valid_codes>` of pyx12's map of the 999 (005010X231A1, `map/999.5010X231.A1.xml`, whose TA1
the payer's TA1 follows) are the authority, and a test keeps every one of them here. The titles of
the segment (IK304) and element (IK403) errors edi837 itself reports are those of `guide_codes`, so
the two tables never disagree.

Sources (the words here are edi837's own short paraphrases, not the published text):
- ASC X12 005010X231A1 Implementation Acknowledgment (999) TR3, code lists of elements 716 (AK905),
  715 (AK901), 717 (IK501), 618 (IK502), 620 (IK304) and 621 (IK403); X12 interchange control
  (TA1): elements I17 (TA104) and I18 (TA105);
- X12 external code lists 507 (Health Care Claim Status Category Codes) and 508 (Health Care Claim
  Status Codes), as published by X12 (x12.org/codes, formerly WPC), and element 98 (Entity
  Identifier Code) as the 277CA 005010X214 uses it in STC01-3;
- ../shared/domain/acknowledgments.md (which codes fit ambulance edits).
"""

from __future__ import annotations

from ..frozen import frozen
from .guide_codes import BY_ID


@frozen
class Code:
    list: str  # which code list: "IK304", "TA105", "CATEGORY", "STATUS", "ENTITY" ...
    code: str  # the code as the payer writes it: "8", "022", "A7", "562", "85"
    title: str  # a few words
    words: str  # what the payer means and what to do, for a billing clerk

    @property
    def id(self) -> str:
        """The code's id in `edi837 rules`: IK304-8, TA105-022, STC-CAT-A7, STC-562, STC-ENT-85."""
        return f"{PREFIX.get(self.list, self.list + '-')}{self.code}"


# Where each list is written, in a few words (the catalog's column).
SHORT: dict[str, str] = {
    "TA104": "TA1 TA104", "TA105": "TA1 TA105", "IK304": "999 IK304", "IK403": "999 IK403",
    "IK501": "999 IK501", "IK502": "999 IK502", "AK901": "999 AK901", "AK905": "999 AK905",
    "CATEGORY": "277CA STC category", "STATUS": "277CA STC status", "ENTITY": "277CA STC entity",
}

# The catalog id of a code is its list's prefix and the code.
PREFIX: dict[str, str] = {"CATEGORY": "STC-CAT-", "STATUS": "STC-", "ENTITY": "STC-ENT-"}

# Where each list is written, for a page's heading line.
WHERE: dict[str, str] = {
    "TA104": "TA1 interchange acknowledgment, TA104 (interchange acknowledgment code)",
    "TA105": "TA1 interchange acknowledgment, TA105 (interchange note code)",
    "IK304": "999 IK3 segment error, IK304 (implementation segment syntax error code)",
    "IK403": "999 IK4 element error, IK403 (implementation data element syntax error code)",
    "IK501": "999 IK5 transaction set response, IK501 (transaction set acknowledgment code)",
    "IK502": "999 IK5 transaction set response, IK502-IK506 (implementation transaction set syntax error code)",
    "AK901": "999 AK9 functional group response, AK901 (functional group acknowledgment code)",
    "AK905": "999 AK9 functional group response, AK905-AK909 (functional group syntax error code)",
    "CATEGORY": "277CA STC01-1, STC10-1, STC11-1 (claim status category code, X12 code list 507)",
    "STATUS": "277CA STC01-2, STC10-2, STC11-2 (claim status code, X12 code list 508)",
    "ENTITY": "277CA STC01-3, STC10-3, STC11-3 (entity identifier code: whose information the status names)",
}

_Rows = tuple[tuple[str, str, str], ...]


def _table(name: str, rows: _Rows) -> dict[str, Code]:
    return {code: Code(name, code, title, words) for code, title, words in rows}


def _guide_title(kind: str, code: str, fallback: str) -> str:
    """The title `guide_codes` gives X12-IK3-n / X12-IK4-n, so the two tables say the same."""
    entry = BY_ID.get(f"X12-{kind}-{code}")
    return entry.title if entry is not None else fallback


_RESEND = "Correct it and send the file again."

TA104 = _table("TA104", (
    ("A", "Interchange accepted", "The payer read the interchange envelope (ISA/IEA) without error. Nothing to do;"
     " the 999 and 277CA say what became of the claims."),
    ("E", "Interchange accepted with errors", "The payer took the interchange but noted an envelope error (TA105"
     " says which). The claims go on; fix the envelope before the next file."),
    ("R", "Interchange rejected", "The payer refused the whole file because of its envelope (TA105 says why):"
     " none of its claims were received. Fix the envelope and send the file again."),
))

_TA105: _Rows = (
    ("000", "No error", "The interchange envelope is correct."),
    ("001", "Control numbers differ", "ISA13 and IEA02 are not the same number. " + _RESEND),
    ("002", "Standard not supported", "The payer does not take the control standard named in ISA11 (or the"
     " repetition separator there). " + _RESEND),
    ("003", "Version not supported", "The payer does not take the interchange version in ISA12 (it wants"
     " 00501). " + _RESEND),
    ("004", "Invalid segment terminator", "The character that ends each segment is not one the payer accepts."
     " Check the file's segment terminator with your clearinghouse."),
    ("005", "Invalid sender id qualifier", "ISA05 (the sender id qualifier) is not valid. " + _RESEND),
    ("006", "Invalid sender id", "ISA06 (the sender id) is not valid. Use the submitter id the payer enrolled"
     " you with."),
    ("007", "Invalid receiver id qualifier", "ISA07 (the receiver id qualifier) is not valid. " + _RESEND),
    ("008", "Invalid receiver id", "ISA08 (the receiver id) is not valid. Use the receiver id in the payer's"
     " companion guide."),
    ("009", "Unknown receiver id", "The payer does not know the receiver named in ISA08: the file went to the"
     " wrong place or names the wrong receiver. Check the payer's companion guide."),
    ("010", "Invalid authorization qualifier", "ISA01 (authorization information qualifier) is not valid. "
     + _RESEND),
    ("011", "Invalid authorization information", "ISA02 (authorization information) is not valid. " + _RESEND),
    ("012", "Invalid security qualifier", "ISA03 (security information qualifier) is not valid. " + _RESEND),
    ("013", "Invalid security information", "ISA04 (security information) is not valid. " + _RESEND),
    ("014", "Invalid interchange date", "ISA09 is not a date (YYMMDD). " + _RESEND),
    ("015", "Invalid interchange time", "ISA10 is not a time (HHMM). " + _RESEND),
    ("016", "Invalid standards identifier", "ISA11 holds a value the payer does not accept. " + _RESEND),
    ("017", "Invalid version id", "ISA12 (the interchange version) is not valid; it should be 00501. " + _RESEND),
    ("018", "Invalid control number", "ISA13 is not a valid 9-digit control number. " + _RESEND),
    ("019", "Invalid acknowledgment requested", "ISA14 (acknowledgment requested) is not 0 or 1. " + _RESEND),
    ("020", "Invalid test indicator", "ISA15 is not T (test) or P (production), or not the one the payer"
     " expects from you. " + _RESEND),
    ("021", "Invalid number of groups", "IEA01 does not count the functional groups in the file. " + _RESEND),
    ("022", "Invalid control structure", "The envelope is broken (a header or trailer is missing, out of place"
     " or unreadable). " + _RESEND),
    ("023", "Premature end of file", "The file ended before the interchange did (no IEA trailer): it may have"
     " been cut off in transfer. Send the whole file again."),
    ("024", "Invalid interchange content", "Something inside the interchange, such as a GS segment, cannot be"
     " read. " + _RESEND),
    ("025", "Duplicate interchange control number", "The payer has already received an interchange with this"
     " ISA13 from you. If this file was sent before, do not resend it; otherwise give it a new control number."),
    ("026", "Invalid data element separator", "The element separator (the 4th character of the file) is not"
     " one the payer accepts. " + _RESEND),
    ("027", "Invalid component separator", "ISA16 (the component element separator) is not valid. " + _RESEND),
    ("028", "Invalid delivery date", "The delivery date of a deferred delivery request is not valid."
     " Ask your clearinghouse; claims files do not use deferred delivery."),
    ("029", "Invalid delivery time", "The delivery time of a deferred delivery request is not valid."
     " Ask your clearinghouse; claims files do not use deferred delivery."),
    ("030", "Invalid delivery time code", "The delivery time code of a deferred delivery request is not valid."
     " Ask your clearinghouse; claims files do not use deferred delivery."),
    ("031", "Invalid grade of service", "The grade of service code is not valid. Ask your clearinghouse."),
)
TA105 = _table("TA105", _TA105)

_IK304: _Rows = (
    ("1", _guide_title("IK3", "1", "Unrecognized segment"), "A segment the payer's guide has no place for."
     " The claim or set it belongs to may be rejected: remove or move the segment and send the claim again."),
    ("2", _guide_title("IK3", "2", "Unexpected segment"), "A segment the guide marks as not used where it"
     " stands. Remove it and send the claim again."),
    ("3", _guide_title("IK3", "3", "Required segment missing"), "A segment or loop the guide requires is"
     " missing. Add it and send the claim again."),
    ("4", _guide_title("IK3", "4", "Loop occurs over maximum times"), "A loop repeats more often than the guide"
     " allows (for one, too many service lines). Remove the extra repeats or split the claim."),
    ("5", _guide_title("IK3", "5", "Segment exceeds maximum use"), "A segment repeats more often than the guide"
     " allows. Remove the extra segments and send the claim again."),
    ("6", _guide_title("IK3", "6", "Segment not in defined transaction set"), "A segment that does not belong"
     " to an 837 at all. Remove it and send the claim again."),
    ("7", _guide_title("IK3", "7", "Segment not in proper sequence"), "A segment out of order. Move it to where"
     " the guide places it and send the claim again."),
    ("8", _guide_title("IK3", "8", "Segment has data element errors"), "The segment is there but some of its"
     " elements are wrong: the IK4 lines after it say which. Fix those elements."),
    ("I4", "Implementation not used segment present", "A segment the payer's implementation guide marks as"
     " not used is present. Remove it and send the claim again."),
    ("I6", "Implementation dependent segment missing", "A segment the guide requires in this situation (for"
     " one, when another segment is present) is missing. Add it and send the claim again."),
    ("I7", "Implementation loop occurs under minimum times", "A loop occurs fewer times than the guide"
     " requires. Add the missing loop and send the claim again."),
    ("I8", "Implementation segment below minimum use", "A segment occurs fewer times than the guide requires."
     " Add the missing segment and send the claim again."),
    ("I9", "Implementation dependent not used segment present", "A segment the guide says must not be sent in"
     " this situation is present. Remove it and send the claim again."),
)
IK304 = _table("IK304", _IK304)

_IK403: _Rows = (
    ("1", _guide_title("IK4", "1", "Required data element missing"), "An element the guide requires is empty."
     " Fill it in and send the claim again."),
    ("2", _guide_title("IK4", "2", "Conditional required data element missing"), "An element required because"
     " of another element in the segment is empty. Fill it in (or empty the one that requires it)."),
    ("3", _guide_title("IK4", "3", "Too many data elements"), "The segment has more elements than the guide"
     " defines. Remove the extras, and any separators at the end of the segment."),
    ("4", _guide_title("IK4", "4", "Data element too short"), "The value is shorter than the guide's minimum."
     " Write it at its full length (IK404 shows the value)."),
    ("5", _guide_title("IK4", "5", "Data element too long"), "The value is longer than the guide's maximum."
     " Shorten it."),
    ("6", _guide_title("IK4", "6", "Invalid character in data element"), "The value holds a character the"
     " payer cannot take, or is not a number where one is needed. Use letters, digits and common punctuation."),
    ("7", _guide_title("IK4", "7", "Invalid code value"), "The value is not one of the codes allowed in this"
     " element. Use one of the codes the guide lists."),
    ("8", _guide_title("IK4", "8", "Invalid date"), "The value is not a valid date in the format its qualifier"
     " names (CCYYMMDD). Correct the date."),
    ("9", _guide_title("IK4", "9", "Invalid time"), "The value is not a valid time (HHMM). Correct the time."),
    ("10", _guide_title("IK4", "10", "Exclusion condition violated"), "Two elements were filled where only"
     " one may be, or an element the guide marks as not used holds a value. Empty the extra one."),
    ("11", "Code not defined for 005010", "A code the 999 map allows in IK403 but X12 does not define for"
     " version 005010's element errors. Ask the payer which element and error it means."),
    ("12", "Too many repetitions", "A repeating element repeats more often than the guide allows. Remove the"
     " extra repetitions."),
    ("13", "Too many components", "A composite element has more parts (separated by the component"
     " separator) than the guide defines. Remove the extra parts."),
    ("I6", "Code value not used in implementation", "The code is a valid X12 code but the payer's guide does"
     " not allow it here. Use one of the codes the guide lists for this element."),
    ("I9", "Implementation dependent element missing", "An element the guide requires in this situation is"
     " empty. Fill it in and send the claim again."),
    ("I10", "Implementation not used element present", "An element the payer's guide marks as not used holds a"
     " value. Leave it empty."),
    ("I11", "Implementation too few repetitions", "A repeating element repeats fewer times than the guide"
     " requires. Add the missing repetitions."),
    ("I12", "Implementation pattern match failure", "The value does not have the form the guide requires (for"
     " one, an NPI that is not 10 digits, or a ZIP code that is not 9 digits). Correct the value."),
    ("I13", "Implementation dependent not used element present", "An element the guide says must be empty in"
     " this situation holds a value. Leave it empty."),
)
IK403 = _table("IK403", _IK403)

_ACCEPT: _Rows = (
    ("A", "Accepted", "Received without error. Nothing to do: the 277CA will say what became of each claim."),
    ("E", "Accepted with errors noted", "Received and passed on, but the payer noted errors (the IK3/IK4 lines"
     " say which). Fix them in your next claims; these were not rejected for them."),
    ("M", "Rejected: authentication failed", "Rejected because its message authentication code failed. None of"
     " its claims were received; ask your clearinghouse, then send again."),
    ("R", "Rejected", "Rejected: none of its claims were received (the error codes say why). Fix the errors and"
     " send the claims again."),
    ("W", "Rejected: assurance failed", "Rejected because its assurance failed the payer's validity tests."
     " None of its claims were received; ask your clearinghouse."),
    ("X", "Rejected: cannot read after decryption", "Rejected because, once decrypted, it could not be read."
     " None of its claims were received; ask your clearinghouse."),
)
IK501 = _table("IK501", _ACCEPT)
AK901 = _table("AK901", (*_ACCEPT, ("P", "Partially accepted", "At least one transaction set of the group was"
                                     " rejected and at least one accepted: the IK5 of each set says which."
                                     " Send the rejected sets' claims again once fixed.")))

_SECURITY = " Security is not used for claims files: ask your clearinghouse."
_IK502: _Rows = (
    ("1", "Transaction set not supported", "The payer does not take this kind of transaction set (ST01). Check"
     " that the file is an 837 and went to the right payer."),
    ("2", _guide_title("ENV", "TR2", "Transaction set trailer missing"), "The set has no SE trailer. " + _RESEND),
    ("3", _guide_title("ENV", "TR3", "Transaction set control number mismatch"), "SE02 is not the control number"
     " in ST02. " + _RESEND),
    ("4", _guide_title("ENV", "TR4", "Number of included segments does not match actual count"), "SE01 does not"
     " count the set's segments. " + _RESEND),
    ("5", "One or more segments in error", "Some segments of the set are wrong: the IK3 lines say which."
     " Fix them."),
    ("6", "Missing or invalid transaction set identifier", "ST01 is missing or not valid (an 837 says 837). "
     + _RESEND),
    ("7", "Missing or invalid transaction set control number", "ST02 is missing or not valid. " + _RESEND),
    ("8", "Authentication key name unknown", "The set's authentication key is not known." + _SECURITY),
    ("9", "Encryption key name unknown", "The set's encryption key is not known." + _SECURITY),
    ("10", "Requested service not available", "The authentication or encryption asked for is not available."
     + _SECURITY),
    ("11", "Unknown security recipient", "The security recipient is not known." + _SECURITY),
    ("12", "Incorrect message length", "The encrypted message has the wrong length." + _SECURITY),
    ("13", "Message authentication code failed", "The message authentication code did not match." + _SECURITY),
    ("15", "Unknown security originator", "The security originator is not known." + _SECURITY),
    ("16", "Syntax error in decrypted text", "Once decrypted, the set could not be read." + _SECURITY),
    ("17", "Security not supported", "The payer does not support the security asked for." + _SECURITY),
    ("18", "Transaction set not in functional group", "The set is not inside a GS/GE functional group. "
     + _RESEND),
    ("19", "Invalid implementation convention reference", "ST03 does not name the guide the payer expects"
     " (005010X223A2 for an 837I, 005010X222A1 for an 837P). " + _RESEND),
    ("23", "Control number not unique in the group", "Two sets of the same group have the same ST02. Give each"
     " set its own control number and send again."),
    ("24", "S3E security end segment missing", "A security segment pair is broken." + _SECURITY),
    ("25", "S3S security start segment missing", "A security segment pair is broken." + _SECURITY),
    ("26", "S4E security end segment missing", "A security segment pair is broken." + _SECURITY),
    ("27", "S4S security start segment missing", "A security segment pair is broken." + _SECURITY),
    ("I5", "Implementation one or more segments in error", "Some segments break the payer's implementation guide:"
     " the IK3 lines say which. Fix them."),
    ("I6", "Implementation convention not supported", "The payer does not support the implementation guide"
     " named in ST03 (or GS08). Use the version the payer's companion guide names."),
)
IK502 = _table("IK502", _IK502)

_AK905: _Rows = (
    ("1", "Functional group not supported", "The payer does not take this kind of group (GS01; claims are HC)."
     " Check the file went to the right payer."),
    ("2", "Functional group version not supported", "The payer does not take the version in GS08. Use the one"
     " its companion guide names."),
    ("3", _guide_title("ENV", "GR3", "Functional group trailer missing"), "The group has no GE trailer. "
     + _RESEND),
    ("4", _guide_title("ENV", "GR4", "Group control number mismatch"), "GE02 is not the control number in"
     " GS06. " + _RESEND),
    ("5", _guide_title("ENV", "GR5", "Number of included transaction sets does not match actual count"),
     "GE01 does not count the group's transaction sets. " + _RESEND),
    ("6", "Group control number violates syntax", "GS06 is not a valid control number. " + _RESEND),
    ("10", "Authentication key name unknown", "The group's authentication key is not known." + _SECURITY),
    ("11", "Encryption key name unknown", "The group's encryption key is not known." + _SECURITY),
    ("12", "Requested service not available", "The authentication or encryption asked for is not available."
     + _SECURITY),
    ("13", "Unknown security recipient", "The security recipient is not known." + _SECURITY),
    ("14", "Unknown security originator", "The security originator is not known." + _SECURITY),
    ("15", "Syntax error in decrypted text", "Once decrypted, the group could not be read." + _SECURITY),
    ("16", "Security not supported", "The payer does not support the security asked for." + _SECURITY),
    ("17", "Incorrect message length", "The encrypted message has the wrong length." + _SECURITY),
    ("18", "Message authentication code failed", "The message authentication code did not match." + _SECURITY),
    ("19", "Group control number not unique", "Another group of the interchange has the same GS06. Give each"
     " group its own control number and send again."),
    ("23", "S3E security end segment missing", "A security segment pair is broken." + _SECURITY),
    ("24", "S3S security start segment missing", "A security segment pair is broken." + _SECURITY),
    ("25", "S4E security end segment missing", "A security segment pair is broken." + _SECURITY),
    ("26", "S4S security start segment missing", "A security segment pair is broken." + _SECURITY),
)
AK905 = _table("AK905", _AK905)

# -- 277CA ---------------------------------------------------------------------------------------

_FIX = "Correct the claim and send it again as a new claim (frequency 1): a rejected claim was never entered."
CATEGORY = _table("CATEGORY", (
    ("A0", "forwarded", "The payer's front end passed the claim on to another entity (STC01-3 names it)."
         " Nothing to do; watch for that entity's answer."),
    ("A1", "received", "The claim (or the batch) was received. That is not yet acceptance: wait for A2 or a"
         " rejection."),
    ("A2", "accepted into adjudication", "The claim passed the front-end edits and is in the payer's claims"
         " system. Nothing to do now; payment or denial comes later on the remittance (835)."),
    ("A3", "returned as unprocessable", "The claim was rejected and never entered the payer's system (often"
         " with a rejected transaction set). " + _FIX),
    ("A4", "not found", "The payer cannot find the claim in its system. Check the claim was sent to this payer;"
         " send it again if not."),
    ("A5", "split", "The payer split the claim into several when it accepted it. Nothing to do; each part is"
         " answered on its own."),
    ("A6", "rejected for missing information", "The claim was rejected because information the status code"
         " names is missing. " + _FIX),
    ("A7", "rejected for invalid information", "The claim was rejected because information the status code"
         " names is wrong. " + _FIX),
    ("A8", "rejected for relational field in error", "The claim was rejected because two pieces of"
         " information contradict each other (the status codes name them). " + _FIX),
    ("D0", "data search unsuccessful", "The payer could not find a claim matching what was asked. Check the"
         " identifiers, or send the claim if it was never sent."),
    ("DR01", "data reporting: received", "An encounter or data-reporting submission was received. Wait for"
         " its acceptance or rejection."),
    ("DR02", "data reporting: accepted", "The encounter or data report was accepted. Nothing to do."),
    ("DR03", "data reporting: returned as unprocessable", "The encounter or data report was rejected and not"
         " entered. Correct it and send it again."),
    ("DR04", "data reporting: not found", "The encounter or data report cannot be found. Send it again if it"
         " was never sent."),
    ("DR05", "data reporting: rejected for missing information", "The encounter or data report lacks"
         " information the status code names. Correct it and send it again."),
    ("DR06", "data reporting: rejected for invalid information", "The encounter or data report has wrong"
         " information the status code names. Correct it and send it again."),
    ("DR07", "data reporting: rejected for relational field in error", "Two pieces of information of the"
         " encounter or data report contradict each other. Correct it and send it again."),
    ("DR08", "data reporting: warning", "The encounter or data report was accepted with a warning the status"
         " code names. Correct it in future submissions."),
    ("E0", "response not possible: error in request", "The payer could not answer because what was sent"
         " was wrong. Check the file and send again."),
    ("E1", "response not possible: system status", "The payer's system could not answer now. Wait and check"
         " again later; do not resend the claim yet."),
    ("E2", "information holder not responding", "The payer (or whoever holds the claim) did not answer. Try"
         " again later."),
    ("E3", "correction required: relational fields in error", "Two pieces of information contradict each"
         " other. Correct them and send again."),
    ("E4", "trading partner agreement requirement not met", "The claim breaks a requirement of your agreement"
         " with the payer (its companion guide). Correct it and send it again."),
    ("F0", "finalized", "The claim has been through adjudication and nothing more will happen to it. See the"
         " remittance (835) for the result."),
    ("F1", "finalized: payment", "The claim has been paid (in whole or in part). See the remittance (835)."),
    ("F2", "finalized: denial", "The claim has been denied. See the remittance (835) for the reason, and"
         " appeal or correct it if it is wrong."),
    ("F3", "finalized: revised", "The claim was adjusted after it was finalized. See the remittance (835)."),
    ("F4", "finalized: no payment forthcoming", "Adjudication is complete and no payment will come. See the"
         " remittance (835) for the reason."),
    ("P0", "pending: adjudication details", "The claim is pended (not yet paid or denied). Wait."),
    ("P1", "pending: in process", "The claim is in the payer's adjudication system. Wait."),
    ("P2", "pending: in review", "The claim is held for the payer's review. Wait, or answer any request"
         " the payer sends."),
    ("P3", "pending: requested information", "The claim waits for information the payer has already asked"
         " for. Send it if it was asked of you."),
    ("P4", "pending: patient requested information", "The claim waits for information the payer asked the"
         " patient for. Nothing to send yourself unless asked."),
    ("P5", "pending: payer administrative or system hold", "The payer holds the claim for an administrative"
         " or system reason. Wait."),
))

_ENTITY_NEEDED = " The entity code after it (STC01-3) says whose."
STATUS = _table("STATUS", (
    ("0", "cannot provide further status electronically", "The payer cannot say more electronically. Call or"
     " write the payer if you need more."),
    ("1", "see remittance advice", "The details are on the remittance advice (835). Read it there."),
    ("2", "more detail in a letter", "The payer will send the details by letter. Watch for it."),
    ("3", "adjudicated, awaiting payment cycle", "The claim is decided and waits for the next payment run."
     " Nothing to do."),
    ("6", "balance due from the subscriber", "The remaining balance is the subscriber's to pay. Bill the"
     " patient or another payer as appropriate."),
    ("12", "procedure codes combined", "The payer combined one or more of the procedure codes billed. See the"
     " remittance for the result."),
    ("15", "procedure code modified", "The payer changed one or more of the procedure codes billed. See the"
     " remittance for the result."),
    ("16", "forwarded to entity", "The claim was forwarded to another entity (STC01-3 names it, for one a"
     " secondary payer). Watch for that entity's answer."),
    ("17", "forwarded by a third party to entity", "A third party forwarded the claim on to another entity."
     + _ENTITY_NEEDED),
    ("18", "entity returned invalid status", "The entity the claim went to answered with a status that could"
     " not be read." + _ENTITY_NEEDED + " Ask that entity or your clearinghouse."),
    ("19", "entity acknowledges receipt", "The entity named received the claim or the batch. Nothing to do"
     " yet."),
    ("20", "accepted for processing", "The claim was accepted for processing. Nothing to do now."),
    ("21", "missing or invalid information", "Some information is missing or wrong; the other status code on"
     " the same line says which. Correct it and send the claim again."),
    ("23", "returned to entity", "The claim was returned to the entity named." + _ENTITY_NEEDED),
    ("24", "entity not approved as an electronic submitter", "The entity named is not enrolled to send claims"
     " electronically to this payer. Complete the payer's EDI enrollment, then send again."),
    ("25", "entity not approved", "The entity named is not approved by the payer (not enrolled or not"
     " active). Check the enrollment with the payer."),
    ("26", "entity not found", "The payer cannot find the entity named. Check its identifiers (NPI, tax id,"
     " member id)."),
    ("27", "policy canceled", "The patient's policy was canceled. Check the coverage and bill the right payer"
     " or the patient."),
    ("29", "subscriber and policy number mismatched", "The subscriber's name and the policy or member number do"
     " not belong together. Check them against the insurance card."),
    ("30", "subscriber and subscriber id mismatched", "The subscriber's name and member id do not match the"
     " payer's records. Check them against the insurance card."),
    ("31", "subscriber and policyholder name mismatched", "The subscriber and the policyholder names do not"
     " match the payer's records. Check them against the insurance card."),
    ("32", "subscriber and policy number not found", "The payer cannot find the subscriber with this policy"
     " number. Check the card, or bill the right payer."),
    ("33", "subscriber and subscriber id not found", "The payer cannot find the subscriber with this member id"
     " (for Medicare, the MBI). Check the id and name against the card or an eligibility check."),
    ("34", "subscriber and policyholder name not found", "The payer cannot find the subscriber with this"
     " policyholder name. Check the names against the card."),
    ("35", "claim not found", "The payer cannot find the claim. Check it was sent to this payer; send it if"
     " not."),
    ("37", "predetermination on file", "A predetermination is on file and waits for the services to be done."
     " Nothing to do now."),
    ("38", "awaiting next adjudication cycle", "The claim waits for the payer's next processing cycle. Wait."),
    ("39", "pregnancy charges deferred until delivery", "The charges wait until the delivery is billed. Wait."),
    ("40", "waiting for final approval", "The claim waits for the payer's final approval. Wait."),
    ("41", "special handling required at payer", "The payer must handle the claim by hand. Wait; answer any"
     " request."),
    ("42", "awaiting related charges", "The payer waits for related charges (another claim) before deciding."
     " Send the related claim if you have not."),
    ("44", "charges pending provider audit", "The charges are held for an audit of the provider. Answer the"
     " payer's audit requests."),
    ("45", "awaiting benefit determination", "The payer is still working out the benefits. Wait."),
    ("46", "internal review or audit", "The claim is under the payer's internal review. Wait."),
    ("47", "internal review, partial payment made", "Part was paid and the rest is under review. Wait."),
    ("49", "pending provider accreditation review", "The claim waits for a review of the provider's"
     " accreditation. Answer any request."),
    ("50", "waiting for provider verification", "The payer is checking the provider. Check the enrollment is"
     " current."),
    ("51", "investigating occupational illness or accident", "The payer is checking whether the condition is"
     " work-related. Answer any request."),
    ("52", "investigating other insurance", "The payer is checking whether another insurance pays first."
     " Answer the payer's questionnaire, or bill the primary payer."),
    ("53", "researching id or group number error", "The payer is researching an error in the member id or"
     " group number. Check them against the card."),
    ("54", "duplicate of a processed claim", "The claim (or line) repeats one already processed. Do not resend;"
     " to change the first, send a replacement claim (frequency 7)."),
    ("55", "assigned to an analyst", "The claim was given to a payer analyst. Wait."),
    ("56", "awaiting eligibility determination", "The payer is still deciding whether the patient is covered."
     " Wait."),
    ("57", "pending COBRA information", "The payer waits for COBRA information. Wait; the patient or employer"
     " may be asked."),
    ("59", "information requested by mail", "The payer asked for information by a non-electronic method; the"
     " other status code says what. Send it."),
    ("60", "information requested electronically", "The payer asked for information electronically; the other"
     " status code says what. Send it."),
    ("61", "eligibility for extended benefits", "The payer is looking at extended benefits. Wait."),
    ("64", "re-pricing information", "The claim is being re-priced. Wait."),
    ("65", "claim or line paid", "The claim or line has been paid. See the remittance (835)."),
    ("66", "payment reflects usual and customary charges", "Payment was limited to the usual and customary"
     " charge. See the remittance (835)."),
    ("72", "split payment", "The claim is paid in more than one payment. See the remittances."),
    ("73", "paid to entity, assignment not on file", "Payment went to the entity named because assignment of"
     " benefits is not on file. Send the assignment if the provider should be paid."),
    ("78", "duplicate of a claim awaiting processing", "The claim (or line) repeats one still waiting to be"
     " processed. Do not resend; wait for the first."),
    ("81", "pre-existing conditions not covered", "The plan does not cover pre-existing conditions. Bill"
     " another payer or the patient."),
    ("83", "no coverage for newborns", "The plan does not cover newborns. Bill the right payer."),
    ("84", "service not authorized", "The service needed an authorization the payer has no record of. Obtain"
     " the authorization, or appeal."),
    ("85", "entity not primary", "The payer is not the primary payer for the entity named. Bill the primary"
     " payer first, then this one with the primary's payment."),
    ("86", "diagnosis and gender mismatch", "A diagnosis does not fit the patient's sex. Check the diagnosis"
     " and the patient's sex."),
    ("88", "entity not eligible for benefits on these dates", "The entity named (usually the patient) had no"
     " coverage on the dates of service. Check eligibility; bill the right payer or the patient."),
    ("89", "entity not eligible for dental benefits on these dates", "The entity named had no dental coverage"
     " on the dates of service. Check eligibility."),
    ("90", "entity not eligible for medical benefits on these dates", "The entity named had no medical coverage"
     " on the dates of service. Check eligibility."),
    ("91", "entity not eligible or not approved for these dates", "The entity named was not eligible or not"
     " approved on the dates of service. Check eligibility or enrollment."),
    ("92", "entity not a qualified dependent or student", "The entity named does not qualify as a dependent or"
     " student. Check the coverage."),
    ("93", "entity not the selected primary care provider", "The entity named is not the patient's chosen"
     " primary care provider. Check the plan's rules."),
    ("94", "entity not referred by primary care provider", "The entity named had no referral from the"
     " patient's primary care provider. Obtain the referral."),
    ("95", "requested information not received", "The payer did not receive information it asked for. Send"
     " it."),
    ("96", "no agreement with entity", "The payer has no agreement with the entity named. Check the provider's"
     " contract or enrollment with the payer."),
    ("97", "patient eligibility not found with entity", "The entity named (usually the payer) has no record of"
     " the patient's eligibility. Check the member id and the payer billed."),
    ("98", "charges applied to deductible", "The charges went to the patient's deductible. Bill the patient."),
    ("99", "pre-treatment review", "The claim is in a pre-treatment review. Wait."),
    ("100", "pre-certification penalty taken", "A penalty was taken for missing pre-certification. See the"
     " remittance (835)."),
    ("101", "processed as adjustment to previous claim", "The claim was processed as an adjustment of an"
     " earlier one. See the remittance (835)."),
    ("102", "newborn's charges processed on mother's claim", "The newborn's charges were processed with the"
     " mother's claim. Nothing to do."),
    ("103", "combined with other claims", "The claim was combined with other claims. See the remittance."),
    ("104", "processed according to plan provisions", "The claim was processed under the plan's terms with the"
     " patient. See the remittance (835)."),
    ("105", "capitated", "The claim or line is paid under a capitation agreement. Nothing more to be paid."),
    ("106", "amount not entity's responsibility", "This amount is not the entity named's to pay. Bill whoever"
     " is responsible."),
    ("107", "processed according to contract provisions", "The claim was processed under the payer's contract"
     " with the provider. See the remittance (835)."),
    ("109", "entity not eligible", "The entity named is not eligible. Check eligibility or enrollment."),
    ("110", "claim requires pricing information", "The claim needs pricing information. Send it if asked."),
    ("111", "policyholder asks for paper claims", "At the policyholder's request these claims cannot be sent"
     " electronically. Send them on paper."),
    ("114", "should be processed by entity", "The claim should go to the entity named. Send it there."),
    ("116", "submitted to incorrect payer", "The claim went to the wrong payer. Find the patient's right payer"
     " and send it there."),
    ("117", "signature on file indicator required", "The claim needs the signature-on-file indicator. Add it"
     " and send the claim again."),
    ("121", "too many service lines for payer", "The claim has more service lines than the payer takes. Split"
     " it into several claims."),
    ("123", "additional information requested from entity", "The payer asked the entity named for more"
     " information. Send it."),
    ("124", "entity's name, address, phone and id", "The entity named's name, address, phone and id number."
     " Check each against the enrollment and correct them."),
    ("125", "entity's name", "The name of the entity named (STC01-3). Check it against the enrollment or the"
     " insurance card."),
    ("126", "entity's address", "The address of the entity named. Correct it."),
    ("127", "entity's communication number", "The phone or other contact number of the entity named. Correct"
     " it."),
    ("128", "entity's tax id", "The tax id (EIN or SSN) of the entity named, usually the billing provider."
     " Use the tax id the provider is enrolled with."),
    ("129", "entity's Blue Cross provider id", "The Blue Cross provider id of the entity named. Correct it."),
    ("130", "entity's Blue Shield provider id", "The Blue Shield provider id of the entity named. Correct it."),
    ("131", "entity's Medicare provider id", "The Medicare provider id of the entity named. Correct it."),
    ("132", "entity's Medicaid provider id", "The Medicaid provider id of the entity named. Correct it."),
    ("133", "entity's UPIN", "The UPIN of the entity named. Correct it."),
    ("135", "entity's commercial provider id", "The commercial payer's provider id of the entity named."
     " Correct it."),
    ("142", "entity's license or certification number", "The license or certification number of the entity"
     " named. Correct it."),
    ("143", "entity's state license number", "The state license number of the entity named. Correct it."),
    ("145", "entity's specialty or taxonomy code", "The taxonomy (specialty) code of the entity named, usually"
     " the billing provider's PRV. Use the taxonomy the provider is enrolled with."),
    ("147", "entity's qualification or degree", "The qualification or degree (RN, MD ...) of the entity named."
     " Correct it."),
    ("148", "entity's social security number", "The social security number of the entity named. Correct it."),
    ("149", "entity's employer id", "The employer id (EIN) of the entity named. Correct it."),
    ("153", "entity's id number", "The id number of the entity named (for the patient or subscriber, the member"
     " id). Check it against the card or the enrollment."),
    ("155", "entity's relationship to patient", "The relationship of the entity named to the patient. Correct"
     " it."),
    ("156", "patient relationship to subscriber", "The patient's relationship to the subscriber (SBR02/PAT01)."
     " Correct it."),
    ("157", "entity's gender", "The sex of the entity named (usually the patient or subscriber). Check it"
     " against the payer's records."),
    ("158", "entity's date of birth", "The date of birth of the entity named. Check it against the card or the"
     " payer's records."),
    ("159", "entity's date of death", "The date of death of the entity named. Check it."),
    ("160", "entity's marital status", "The marital status of the entity named. Correct it."),
    ("161", "entity's employment status", "The employment status of the entity named. Correct it."),
    ("162", "entity's health insurance claim number (HICN)", "The Medicare claim number of the entity named."
     " Medicare now wants the MBI; check it against the card."),
    ("163", "entity's policy or group number", "The policy or group number of the entity named. Check it"
     " against the card."),
    ("164", "entity's contract or member number", "The member id of the entity named (for Medicare, the MBI)."
     " Check it against the card or an eligibility check."),
    ("171", "other insurance information", "Information about other coverage (health, liability, auto ...)."
     " Add or correct the other payer's loop."),
    ("178", "submitted charges", "The charges billed (CLM02, or a line's charge). Check the amounts and that"
     " the lines add up to the total."),
    ("183", "amount entity has paid", "The amount the entity named (another payer) paid. Correct the other"
     " payer's paid amount."),
    ("187", "dates of service", "The dates of service. Check them: not in the future, inside the statement"
     " period, and in the right format."),
    ("188", "statement from-through dates", "The statement period (DTP*434). Correct it."),
    ("189", "facility admission date", "The admission date. Correct it."),
    ("190", "facility discharge date", "The discharge date. Correct it."),
    ("193", "first consultation or evaluation date", "The date of the first consultation or evaluation."
     " Correct it."),
    ("197", "effective coverage dates", "The dates the coverage was in force. Check eligibility for the dates"
     " of service."),
    ("198", "Medicare effective date", "The date Medicare coverage began. Check eligibility."),
    ("216", "drug information", "Information about a drug billed. Correct it."),
    ("218", "NDC number", "The national drug code of a drug billed. Correct it."),
    ("228", "type of bill", "The type of bill (CLM05-1 and -3 on an 837I; an ambulance claim is usually 131"
     " or 851 ...). Correct it."),
    ("229", "admission source", "The point of origin for admission. Correct it."),
    ("231", "admission type", "The type of admission. Correct it."),
    ("234", "patient discharge status", "The patient status code (CL103). Correct it."),
    ("247", "line information", "Information on a service line; the other codes say which. Correct the line."),
    ("249", "place of service", "The place of service code (41 or 42 for ambulance). Correct it."),
    ("250", "type of service", "The type of service. Correct it."),
    ("252", "entity's prior authorization number", "The prior authorization or certification number. Add or"
     " correct it."),
    ("254", "principal diagnosis code", "The principal diagnosis code (the first HI). Use a valid, billable"
     " ICD-10-CM code for the dates of service."),
    ("255", "diagnosis code", "A diagnosis code. Use valid, billable ICD-10-CM codes for the dates of service."),
    ("258", "days or units for procedure or revenue code", "The days or units billed with a procedure or"
     " revenue code. Correct them."),
    ("266", "ambulance point of origin and destination", "The ambulance trip's origin and destination"
     " (modifiers, or the pick-up and drop-off locations). Correct them."),
    ("267", "number of miles transported", "The loaded miles the patient was carried (the mileage line's units)."
     " Correct the units."),
    ("400", "claim out of balance", "The line charges do not add up to the claim's total charge (or payments"
     " and adjustments do not balance). Correct the amounts."),
    ("402", "amount must be greater than zero", "An amount is zero or negative where it must be positive; the"
     " other code names which. Correct it."),
    ("428", "reason for ambulance transport", "The reason the patient needed an ambulance (condition codes or"
     " the CRC). Add or correct it."),
    ("430", "nearest appropriate facility", "Whether the patient went to the nearest appropriate facility."
     " Add or correct the information."),
    ("448", "invalid billing combination", "Codes that cannot be billed together on this claim (the other code"
     " or STC12 says which). Correct the combination."),
    ("453", "procedure code modifiers", "A line's HCPCS modifiers (for ambulance, the origin/destination pair"
     " and QM/QN). Correct them."),
    ("454", "procedure code", "A line's procedure (HCPCS) code. Use a valid code for the service and date."),
    ("455", "revenue code", "A line's revenue code (for ambulance, 054x). Correct it."),
    ("460", "NUBC condition codes", "The condition codes (HI*BG). Correct them."),
    ("464", "payer assigned claim control number", "The payer's claim number of the original claim, needed in"
     " REF*F8 to replace or void a claim. Add or correct it."),
    ("465", "principal procedure code", "The principal procedure code. Correct it."),
    ("472", "ambulance run sheet", "The ambulance run sheet (trip report). Send it if the payer asks."),
    ("473", "missing or invalid lab indicator", "The lab indicator. Correct it."),
    ("474", "procedure code and gender mismatch", "A procedure code does not fit the patient's sex. Check"
     " both."),
    ("475", "procedure code not valid for age", "A procedure code does not fit the patient's age. Check both."),
    ("476", "missing or invalid units of service", "A line's units are missing or wrong. Correct them."),
    ("477", "diagnosis code pointer missing or invalid", "A line's diagnosis pointer (SV107) is missing or"
     " points at no diagnosis. Correct it."),
    ("478", "claim submitter's identifier", "The submitter's id. Use the one the payer enrolled you with."),
    ("479", "other payer id missing or invalid", "The other payer's id. Correct it."),
    ("480", "entity's claim filing indicator", "The claim filing indicator (SBR09; MA or MB for Medicare)."
     " Correct it."),
    ("481", "claim or submission format invalid", "The claim's format is not valid. Check it with your"
     " clearinghouse."),
    ("484", "business application not available", "The payer's system is not available. Send again later."),
    ("487", "claim should go through entity", "The claim should have been sent to or through the entity named."
     " Send it that way."),
    ("488", "diagnosis codes for the services", "The diagnosis codes for the services billed. Correct them."),
    ("496", "submitter not approved for this entity", "The submitter is not approved to send claims for the"
     " entity named. Complete the payer's enrollment."),
    ("500", "entity's postal or ZIP code", "The ZIP code of the entity named (the billing provider's must be"
     " 9 digits). Correct it."),
    ("501", "entity's state", "The state of the entity named. Correct it."),
    ("502", "entity's city", "The city of the entity named. Correct it."),
    ("503", "entity's street address", "The street address of the entity named (the billing provider's must"
     " be a street address, not a PO box). Correct it."),
    ("504", "entity's last name", "The last (or organization) name of the entity named. Correct it."),
    ("505", "entity's first name", "The first name of the entity named. Correct it."),
    ("506", "entity changing clearinghouse", "The entity named moved to another processor or clearinghouse."
     " Send the claim through the new one."),
    ("507", "HCPCS", "A HCPCS code; the other code says which one is wrong. Use a valid code for the service"
     " and date."),
    ("509", "external cause of injury code", "The external cause of injury code. Correct it."),
    ("510", "future date", "A date is in the future; the other code says which. Correct it."),
    ("511", "invalid character", "A value holds a character the payer cannot take; the other code says"
     " which. Correct it."),
    ("512", "length invalid for receiver", "A value is too long or short for the payer's system; the other"
     " code says which. Correct it."),
    ("513", "HIPPS rate code", "The HIPPS rate code. Correct it."),
    ("514", "entity's middle name", "The middle name of the entity named. Correct it."),
    ("515", "managed care review", "The claim is under managed care review. Wait."),
    ("522", "anesthesia modifying units", "The anesthesia modifying units. Correct them."),
    ("535", "claim frequency code", "The claim frequency code (CLM05-3: 1 new, 7 replacement, 8 void)."
     " Correct it."),
    ("541", "claim submission reason code", "The claim submission reason code. Correct it."),
    ("544", "CLIA number", "The CLIA certificate number. Correct it."),
    ("545", "contract amount", "The contract amount. Correct it."),
    ("552", "cost report day count", "The cost report day count. Correct it."),
    ("555", "delay reason code", "The delay reason code (CLM20). Correct it."),
    ("560", "entity's secondary identifier", "A secondary id of the entity named. Correct it."),
    ("562", "entity's National Provider Identifier (NPI)", "The NPI of the entity named (85: billing, 71:"
     " attending ...). Use the provider's 10-digit NPI as the payer has it enrolled."),
    ("583", "line item charge amount", "A line's charge. Correct it (and the claim's total)."),
    ("584", "line item control number", "A line's control number (REF*6R). Correct it."),
    ("585", "denied or non-covered charge", "The denied or non-covered charge. Correct it."),
    ("596", "non-covered charge amount", "A non-covered charge amount (SV207). Correct it."),
    ("645", "service tax amount", "The service tax amount. Correct it."),
    ("660", "universal product number", "The universal product number. Correct it."),
    ("673", "patient reason for visit", "The patient's reason for visit diagnosis. Correct it."),
    ("677", "entity not affiliated", "The entity named is not affiliated with the payer or group. Check the"
     " enrollment."),
    ("684", "rejected: syntax error, see the 999", "The claim was rejected for a syntax error the 999 (accepted"
     " with errors) lists. Fix the errors it names and send the claim again."),
    ("693", "amount must be zero or more", "An amount is negative; the other code names which. Correct it."),
    ("694", "amount must not be zero", "An amount is zero; the other code names which. Correct it."),
    ("697", "invalid decimal precision", "An amount or quantity has too many decimal places; the other code"
     " names which. Correct it."),
    ("700", "ICD-10", "An ICD-10 code; the other code names which. Use a valid code for the dates of service."),
    ("718", "timely filing", "The claim was not sent within the payer's filing limit (for Medicare, 12 months"
     " from the date of service). It cannot be paid unless an exception applies."),
    ("719", "NUBC occurrence codes", "The occurrence codes. Correct them."),
    ("725", "NUBC value codes", "The value codes (HI*BE; for ambulance, A0 the pick-up ZIP). Correct them."),
    ("726", "NUBC value code amounts", "The amount of a value code (for A0, the 5- or 9-digit ZIP). Correct"
     " it."),
    ("732", "inconsistent with billing guidelines", "The information breaks the payer's billing rules; the"
     " other code says which. Correct it."),
    ("740", "drop-off location", "The ambulance drop-off location (2310F or 2420H). Correct it."),
    ("746", "duplicate submission", "The whole submission repeats one already received. Do not resend."),
    ("751", "ambulance pick-up state", "The state of the ambulance pick-up location. Correct it."),
    ("752", "ambulance drop-off state", "The state of the ambulance drop-off location. Correct it."),
    ("755", "entity's primary identifier", "The main id of the entity named. Correct it."),
    ("763", "ambulance pick-up ZIP code", "The ZIP code of the ambulance pick-up location. Correct it (it sets"
     " the payment locality)."),
    ("787", "resubmit as a new claim", "Send the claim as a new claim (frequency 1), not a replacement."),
    ("796", "procedure code not valid for date of service", "The procedure code was not valid on the date of"
     " service. Use the code in force on that date."),
    ("799", "resubmit as a replacement claim", "Send the claim as a replacement (frequency 7 with the payer's"
     " claim number), not a new claim."),
))

ENTITY = _table("ENTITY", (
    ("03", "dependent", "The patient, when the patient is the subscriber's dependent."),
    ("1P", "provider", "A provider."),
    ("2B", "third-party administrator", "The third-party administrator acting for the plan."),
    ("36", "employer", "The subscriber's employer."),
    ("40", "receiver", "The receiver of the file (the payer or its front end)."),
    ("41", "submitter", "The submitter of the file (the clearinghouse or the provider sending claims)."),
    ("45", "drop-off location", "Where the ambulance left the patient."),
    ("71", "attending physician", "The attending physician or provider (2310A on an 837I)."),
    ("72", "operating physician", "The operating physician."),
    ("73", "other physician", "Another physician named on the claim."),
    ("77", "service location", "The service facility location."),
    ("82", "rendering provider", "The rendering provider."),
    ("85", "billing provider", "The billing provider (loop 2010AA)."),
    ("87", "pay-to provider", "The pay-to provider (loop 2010AB)."),
    ("DK", "ordering physician", "The ordering physician."),
    ("DN", "referring provider", "The referring provider."),
    ("DQ", "supervising physician", "The supervising physician."),
    ("FA", "facility", "A facility."),
    ("GB", "other insured", "The subscriber of another coverage."),
    ("HK", "subscriber", "The subscriber."),
    ("IL", "insured or subscriber", "The insured (the subscriber, loop 2010BA)."),
    ("PR", "payer", "The payer."),
    ("PW", "pick-up address", "Where the ambulance picked the patient up."),
    ("QC", "patient", "The patient."),
    ("TT", "transfer to", "The entity the claim is transferred (forwarded) to, such as a crossover payer."),
))

LISTS: dict[str, dict[str, Code]] = {
    "TA104": TA104, "TA105": TA105, "IK304": IK304, "IK403": IK403, "IK501": IK501, "IK502": IK502,
    "AK901": AK901, "AK905": AK905, "CATEGORY": CATEGORY, "STATUS": STATUS, "ENTITY": ENTITY,
}

# The 999 writes IK502's codes again in IK503-IK506, and AK905's in AK906-AK909.
ALIASES: dict[str, str] = {**{f"IK50{n}": "IK502" for n in range(3, 7)}, **{f"AK90{n}": "AK905" for n in range(6, 10)},
                           "STC01-1": "CATEGORY", "STC01-2": "STATUS", "STC01-3": "ENTITY"}


def entries() -> list[Code]:
    """Every code of every list, in list order: what `edi837 rules` lists."""
    return [c for table in LISTS.values() for c in table.values()]


def lookup(list_name: str, code: str) -> Code | None:
    """The entry for `code` in the list `list_name` (IK304, TA105, CATEGORY ...; IK503 reads as IK502), or None."""
    name = list_name.strip().upper()
    table = LISTS.get(ALIASES.get(name, name), {})
    return table.get(code.strip().upper())


def _lower(title: str) -> str:
    """A title as it reads inside a sentence: "Invalid date" -> "invalid date"; a first word that is an
    acronym or a code ("NUBC ...", "S3E ...", "HCPCS") or already lower case is kept."""
    first = title.split(" ", 1)[0]
    if first.isalpha() and first[:1].isupper() and first[1:].islower():
        return first.lower() + title[len(first):]
    return title


def describe(list_name: str, code: str) -> str:
    """`code` of the list `list_name` in a few words, "A7 (rejected for invalid information)"; never raises:
    an unknown code (or list) reads "code X (not in edi837's table)"."""
    entry = lookup(list_name, code)
    if entry is None:
        return f"code {code.strip() or '(empty)'} (not in edi837's table)"
    return f"{entry.code} ({_lower(entry.title)})"


def _words(table: dict[str, Code], code: str, what: str) -> str:
    entry = table.get(code.strip().upper())
    return _lower(entry.title) if entry is not None else f"{what} {code.strip() or '(empty)'} (not in edi837's table)"


def stc_words(category: str, status: str, entity: str = "") -> str:
    """One plain sentence for a 277CA STC composite (category:status[:entity]), e.g. "rejected for invalid
    information: entity's National Provider Identifier (NPI) (billing provider)". Never raises."""
    said = f"{_words(CATEGORY, category, 'category')}: {_words(STATUS, status, 'status code')}"
    if entity.strip():
        said += f" ({_words(ENTITY, entity, 'entity')})"
    return said
