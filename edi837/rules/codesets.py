"""Code sets and identifiers (SNIP 4-5): values the guide leaves open but NUBC, CMS and NPPES do not.

A rule whose code list is partial (its CSV header says so) is a warning: a partial list must never
reject a good claim on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator

from ..claims import Claim, codes
from ..findings import WARNING
from .registry import BOTH, Context, Hit, rule

CH25 = "CMS IOM 100-04 ch. 25 §75 (UB-04 data elements)"
# HCPCS Level II (a letter and 4 digits, A0427) or Level I, CPT (4 digits and a digit or letter: 99283, 0001F)
HCPCS = re.compile(r"([A-Z][0-9]{4}|[0-9]{4}[0-9A-Z])\Z")
MBI_LETTER = "AC-HJKMNP-RT-Y"  # the MBI's letters: A-Z without S, L, O, I, B, Z
# The MBI's 11 positions (CMS, "Understanding the Medicare Beneficiary Identifier format"): what each may be.
MBI_POSITIONS = (("1-9", "a digit from 1 to 9"), (MBI_LETTER, "a letter"), ("0-9" + MBI_LETTER, "a letter or digit"),
                 ("0-9", "a digit"), (MBI_LETTER, "a letter"), ("0-9" + MBI_LETTER, "a letter or digit"),
                 ("0-9", "a digit"), (MBI_LETTER, "a letter"), (MBI_LETTER, "a letter"), ("0-9", "a digit"),
                 ("0-9", "a digit"))
MBI_CHARS = tuple(re.compile(f"[{chars}]") for chars, _ in MBI_POSITIONS)
MBI = re.compile("".join(f"[{chars}]" for chars, _ in MBI_POSITIONS) + r"\Z")  # all 11 at once: the common case
EIN = re.compile(r"[0-9]{9}\Z")
TAXONOMY = re.compile(r"[0-9]{3}[0-9A-Z]{6}X\Z")  # NUCC: 10 characters ending in X (341600000X, 3416L0300X)
ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}\Z")  # S72001A, R0789, C4A0: 3-7 characters, no decimal point
ICD10_START = dt.date(2015, 10, 1)  # ICD-10 replaced ICD-9 for services from this date
ICD9 = frozenset({"BK", "BF"})  # HI qualifiers of ICD-9-CM diagnoses (ABK, ABF: ICD-10-CM)


@functools.lru_cache(maxsize=65536)  # a file names the same few providers on every claim
def npi_ok(npi: str) -> bool:
    """NPI Luhn check with the 80840 health-industry prefix (CMS NPI check digit standard)."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():  # "¹" is a digit to isdigit, not to int
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi[:9])):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(npi[9])


@rule("COD001", "Facility type code (CLM05-1) is a known UB-04 type of bill", source=CH25 + ", FL 4",
      stc=("A7:228",),
      doc="""What it does: looks CLM05-1 up in the UB-04 facility type list.

    Why: the type of bill routes the claim to the right payment system.
    Example: `CLM*X*100***19:A:1**A*Y*Y` (19 is not a facility type).
    Source: CMS IOM 100-04 ch. 25, FL 4.
    """)
def facility_type(c: Claim, ctx: Context) -> Iterator[Hit]:
    if c.facility_type not in codes.codes("facility_type"):
        yield Hit(f"facility type {c.facility_type!r} is not a UB-04 type of bill",
                  c.where.replace(element="CLM05-1"), c.facility_type, "use e.g. 13 (hospital outpatient)")


@rule("COD002", "Claim frequency code (CLM05-3) is a known UB-04 frequency", source=CH25 + ", FL 4",
      stc=("A7:535",),
      doc="""What it does: looks CLM05-3 up in the claim frequency list.

    Why: the frequency says whether this is an original, a replacement or a void.
    Example: `CLM*X*100***13:A:6**A*Y*Y`.
    Source: CMS IOM 100-04 ch. 25, FL 4 third digit.
    """)
def frequency(c: Claim, ctx: Context) -> Iterator[Hit]:
    if c.frequency not in codes.codes("claim_frequency"):
        yield Hit(f"claim frequency {c.frequency!r} is not a UB-04 frequency code",
                  c.where.replace(element="CLM05-3"), c.frequency, "use 1 for an original claim")


@rule("COD003", "Revenue codes are 4 digits", source=CH25 + ", FL 42", stc=("A7:455",),
      doc="""What it does: checks SV201 is four digits.

    Why: revenue codes are four-digit NUBC codes with the leading zero kept.
    Example: `SV2*540*HC:A0427:RH:QN*950*UN*1`.
    Source: CMS IOM 100-04 ch. 25, FL 42.
    """)
def revenue_format(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.lines:
        if not (len(ln.revenue_code) == 4 and ln.revenue_code.isdigit()):
            yield Hit(f"revenue code {ln.revenue_code!r} must be 4 digits", ln.where.replace(element="SV201"),
                      ln.revenue_code, "write it with the leading zero, e.g. 0540", lx=ln.lx)


@rule("COD004", "Revenue codes are known NUBC codes", severity=WARNING, source=CH25 + ", FL 42",
      stc=("A7:455",), confidence="V (partial list)",
      doc="""What it does: looks SV201 up in the revenue code list (partial: NUBC owns the full list).

    Why: an unknown revenue code is usually a typo.
    Example: `SV2*0549*...` is known; `SV2*0599*...` is not on the list.
    Source: CMS IOM 100-04 ch. 25, FL 42.
    """)
def revenue_known(c: Claim, ctx: Context) -> Iterator[Hit]:
    known = codes.codes("revenue_codes")
    for ln in c.lines:
        if len(ln.revenue_code) == 4 and ln.revenue_code.isdigit() and ln.revenue_code not in known:
            yield Hit(f"revenue code {ln.revenue_code} is not on the list this check knows",
                      ln.where.replace(element="SV201"), ln.revenue_code, "check the revenue code", lx=ln.lx)


@rule("COD005", "HCPCS codes have the HCPCS format (a letter or digit and 4 more characters)",
      source="CMS HCPCS Level II file format", claim_types=BOTH, stc=("A7:454", "A7:507"),
      doc="""What it does: checks SV202-2 is five characters, the HCPCS shape.

    Why: a malformed procedure code cannot be priced.
    Example: `SV2*0540*HC:A427:RH:QN*950*UN*1`.
    Source: CMS HCPCS Level II.
    """)
def hcpcs_format(c: Claim, ctx: Context) -> Iterator[Hit]:
    for ln in c.lines:
        if ln.procedure_qualifier == "HC" and not HCPCS.match(ln.procedure_code):
            yield Hit(f"procedure code {ln.procedure_code!r} is not a HCPCS code",
                      ln.where.replace(element="SV202-2"), ln.procedure_code, "correct the HCPCS code",
                      lx=ln.lx, stc=("A7:507",))


def mbi_problem(mbi: str) -> str:
    """What keeps `mbi` from having the MBI's form, or "" when it has it."""
    if MBI.match(mbi):
        return ""
    if len(mbi) != 11:
        return f"it has {len(mbi)} characters; an MBI has 11 (no dashes or spaces)"
    for n, (pattern, (_, what)) in enumerate(zip(MBI_CHARS, MBI_POSITIONS, strict=True), start=1):
        if not pattern.match(mbi[n - 1]):
            letters = " (uppercase, not S, L, O, I, B or Z)" if "letter" in what else ""
            return f"character {n} must be {what}{letters}"
    return ""


@rule("MBI001", "The Medicare Beneficiary Identifier (2010BA NM109 when NM108 = MI) has the MBI's form",
      source="CMS, Medicare Beneficiary Identifier format (MBI, required on claims from 2020-01-01); 42 U.S.C."
             " 405 note (MACRA §501)", claim_types=BOTH, stc=("A7:164:IL",),
      doc="""What it does: checks the subscriber's member id against the MBI's published form: 11
    characters; position 1 a digit 1-9; positions 2, 5, 8 and 9 a letter; 3 and 6 a letter or digit;
    4, 7, 10 and 11 a digit; letters uppercase, never S, L, O, I, B or Z.

    Why: since 2020 Medicare accepts claims only with the MBI (the SSN-based HICN is rejected); an id
    that cannot be an MBI cannot be matched to a beneficiary, and the front end rejects the claim
    (277CA A7:164, the subscriber's member number). The rule is Medicare's: the bundled medicare
    profile (the default) runs it as an error; a profile for another payer, whose member ids have
    other forms, sets MBI001 to off. The message never quotes the id (patient data); the finding's
    value holds it for the billing office.
    Example: `NM1*IL*1*DOE*JANE****MI*123456789A` (a HICN), or `MI*1EG4-TE5-MK73` (dashes).
    Use instead: `NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73`.
    Source: CMS, "Understanding the Medicare Beneficiary Identifier (MBI) format"; 837I guide 2010BA NM109.
    """)
def mbi_form(c: Claim, ctx: Context) -> Iterator[Hit]:
    s = c.subscriber
    if s.id_qualifier != "MI" or not s.member_id:
        return
    problem = mbi_problem(s.member_id)
    if problem:
        yield Hit(f"the subscriber's member id (2010BA NM109) is not a Medicare Beneficiary Identifier: {problem}",
                  s.where, s.member_id, "report the beneficiary's 11-character MBI from the Medicare card, without dashes")


@rule("TIN001", "The billing provider's tax id (2010AA REF*EI) is a 9-digit employer identification number",
      source="837I TR3 (005010X223A2) 2010AA REF02; IRS, EIN (nine digits)", claim_types=BOTH, stc=("A7:128:85",),
      confidence="S",
      doc="""What it does: checks REF02 of the billing provider's REF*EI is nine digits.

    Why: an EIN is nine digits (printed 12-3456789; sent without the hyphen); a tax id of another
    length, or with a hyphen or a letter, cannot be matched to the provider's enrollment and the
    front end rejects the claim (277CA A7:128, entity 85: the billing provider's tax id).
    Example: `REF*EI*37-1234567`, or `REF*EI*37123456`.
    Use instead: `REF*EI*371234567`.
    Source: 837I guide, 2010AA REF (Billing Provider Tax Identification); IRS EIN format.
    """)
def billing_tax_id(c: Claim, ctx: Context) -> Iterator[Hit]:
    b = c.billing_provider
    if b.tax_id_where is not None and not EIN.match(b.tax_id):
        yield Hit(f"billing provider tax id {b.tax_id!r} is not a 9-digit EIN", b.tax_id_where, b.tax_id,
                  "report the 9-digit employer identification number, digits only, in 2010AA REF*EI")


@rule("COD009", "Each condition code is reported once on a claim", source=CH25 + ", FL 18-28; NUBC UB-04 manual",
      stc=("A7:460",),
      doc="""What it does: looks for a condition code (HI BG) reported twice on one claim, in one HI
    segment or across both.

    Why: the UB-04's eleven condition code fields (FL 18-28) each hold a different code: NUBC's
    instructions report each code once, and a claim that repeats one is returned rather than read
    twice. Decided an error from that source (the domain notes list condition codes, up to 2
    segments of 12, without a repeat).
    Example: `HI*BG:AM*BG:AM`.
    Use instead: `HI*BG:AM`.
    Source: CMS IOM 100-04 ch. 25, FL 18-28; NUBC UB-04 manual.
    """)
def condition_once(c: Claim, ctx: Context) -> Iterator[Hit]:
    seen: set[str] = set()
    for code in c.condition_codes:
        if code.code in seen:
            yield Hit(f"a condition code is reported twice (HI BG, {code.where.element if code.where else 'HI'})",
                      code.where, code.code,
                      "report each condition code once")
        seen.add(code.code)


@rule("COD010", "The billing provider's taxonomy code (2000A PRV03) has the NUCC form", source="837I TR3"
      " (005010X223A2) 2000A PRV03, code source 682 (NUCC Health Care Provider Taxonomy)", claim_types=BOTH, stc=("A7:145:85",),
      doc="""What it does: checks PRV03 of the billing provider's PRV*BI*PXC, when it is reported, has the form
    of a NUCC taxonomy code: 10 characters, three digits, six digits or uppercase letters, and a
    final X.

    Why: the guide takes PRV03 from the NUCC code list (code source 682), which the front end checks;
    a value without that form is on no list (277CA A7:145, entity 85: the billing provider's
    taxonomy). This checks the form only, so it never rejects a real code.
    Example: `PRV*BI*PXC*34160000X` (9 characters), or `PRV*BI*PXC*3416000000`.
    Use instead: `PRV*BI*PXC*341600000X` (ambulance).
    Source: 837I guide, 2000A PRV03; NUCC Health Care Provider Taxonomy code set.
    """)
def taxonomy_form(c: Claim, ctx: Context) -> Iterator[Hit]:
    b = c.billing_provider
    if b.taxonomy_where is not None and not TAXONOMY.match(b.taxonomy):
        yield Hit(f"taxonomy code {b.taxonomy!r} is not a NUCC taxonomy code (10 characters ending in X)",
                  b.taxonomy_where, b.taxonomy, "report the billing provider's 10-character NUCC taxonomy code")


@rule("COD011", "Diagnosis codes are ICD-10-CM codes, written without the decimal point",
      source="837I TR3 (005010X223A2) 2300 HI (code source 897, ICD-10-CM; the decimal point is not sent);"
             " HIPAA ICD-10 rule, 45 CFR 162.1002 (from 2015-10-01)", claim_types=BOTH, stc=("A7:254", "A7:255"),
      doc="""What it does: checks the form of every diagnosis code (HI ABK principal, ABF other): a letter, a
    digit, a digit or letter, then up to four digits or letters, uppercase, 3 to 7 characters, no
    decimal point; and that no diagnosis is reported as ICD-9 (BK, BF) for services from 2015-10-01.

    Why: the guide carries ICD-10-CM codes without their decimal point; a code with one, or of another
    form, is on no code list, and ICD-9 codes are not accepted for services since the ICD-10 date.
    The front end rejects the claim (277CA A7:254 principal diagnosis, A7:255 other diagnosis).
    Example: `HI*ABK:S72.001A`, `HI*ABK:72001`, or `HI*BK:8208` on a 2026 claim.
    Use instead: `HI*ABK:S72001A`.
    Source: 837I guide, 2300 HI; 45 CFR 162.1002.
    """)
def diagnosis_form(c: Claim, ctx: Context) -> Iterator[Hit]:
    icd10_era = c.statement_to is None or c.statement_to >= ICD10_START
    for dx in c.diagnosis_codes:
        stc = ("A7:254",) if dx.qualifier in ("ABK", "BK") else ("A7:255",)
        if dx.qualifier in ICD9:
            if icd10_era:
                yield Hit(f"a diagnosis is reported as ICD-9 (qualifier {dx.qualifier}); services from 2015-10-01"
                          " are coded in ICD-10-CM", dx.where, dx.code,
                          f"report the ICD-10-CM code with qualifier A{dx.qualifier}", stc=stc)
        elif not ICD10CM.match(dx.code):
            hint = "write it without the decimal point" if "." in dx.code else "correct the ICD-10-CM code"
            kind = "the principal diagnosis" if dx.qualifier == "ABK" else "a diagnosis"
            yield Hit(f"{kind} ({dx.qualifier}) is not an ICD-10-CM code: a letter, a digit, then 1-5 letters or"
                      " digits, no decimal point", dx.where, dx.code, hint, stc=stc)


@rule("COD006", "Condition codes are known NUBC codes", severity=WARNING, source=CH25 + ", FL 18-28",
      stc=("A7:460",), confidence="V (partial list)",
      doc="""What it does: looks each HI BG code up in the condition code list (partial).

    Why: an unknown condition code is usually a typo.
    Example: `HI*BG:ZZ`.
    Source: CMS IOM 100-04 ch. 25, FL 18-28.
    """)
def condition_known(c: Claim, ctx: Context) -> Iterator[Hit]:
    known = codes.codes("condition_codes")
    for code in c.condition_codes:
        if code.code not in known:
            yield Hit(f"condition code {code.code!r} is not on the list this check knows", code.where, code.code,
                      "check the condition code")


@rule("COD007", "Value codes are known NUBC codes", severity=WARNING, source=CH25 + ", FL 39-41",
      stc=("A7:725",), confidence="V (partial list)",
      doc="""What it does: looks each HI BE code up in the value code list (partial).

    Why: an unknown value code is usually a typo.
    Example: `HI*BE:Q9:::1`.
    Source: CMS IOM 100-04 ch. 25, FL 39-41.
    """)
def value_known(c: Claim, ctx: Context) -> Iterator[Hit]:
    known = codes.codes("value_codes")
    for code in c.value_codes:
        if code.code not in known:
            yield Hit(f"value code {code.code!r} is not on the list this check knows", code.where, code.code,
                      "check the value code")


@rule("COD008", "CL1 admission type, point of origin and patient status are known UB-04 codes",
      source=CH25 + ", FL 14, 15, 17", stc=("A7:21",),
      doc="""What it does: looks CL101, CL102 and CL103 up when they are reported.

    Why: these codes drive edits on the payer side; an unknown one is rejected there.
    Example: `CL1*7*1*01` (no admission type 7).
    Source: CMS IOM 100-04 ch. 25, FL 14, 15, 17.
    """)
def cl1_codes(c: Claim, ctx: Context) -> Iterator[Hit]:
    for value, name, ref in ((c.admission_type, "admission_type", "CL101"),
                             (c.admission_source, "point_of_origin", "CL102"),
                             (c.patient_status, "patient_status", "CL103")):
        if value and value not in codes.codes(name):
            yield Hit(f"{ref} {value!r} is not a UB-04 {name.replace('_', ' ')} code",
                      (c.cl1_where or c.where).replace(element=ref), value, f"correct {ref}")


@rule("NPI001", "Billing provider NPI passes the NPI check digit", source="45 CFR 162.406; CMS NPI check digit (Luhn, 80840)",
      claim_types=BOTH, stc=("A7:562:85",),
      doc="""What it does: runs the Luhn check (with prefix 80840) on the billing provider's NPI.

    Why: a mistyped NPI cannot be matched to the provider.
    Example: `NM1*85*2*GENERAL HOSPITAL*****XX*1234567890`.
    Source: CMS, NPI check digit.
    """)
def billing_npi(c: Claim, ctx: Context) -> Iterator[Hit]:
    b = c.billing_provider
    if b.npi_qualifier == "XX" and not npi_ok(b.npi):
        yield Hit(f"billing provider NPI {b.npi!r} fails the NPI check digit", b.where, b.npi,
                  "correct the billing provider NPI (2010AA NM109)")


@rule("NPI002", "Attending physician NPI passes the NPI check digit", source="45 CFR 162.406; CMS NPI check digit (Luhn, 80840)",
      stc=("A7:562:71",),
      doc="""What it does: runs the Luhn check on the attending physician's NPI (2310A) when reported.

    Why: a mistyped NPI cannot be matched to the physician.
    Example: `NM1*71*1*RIVERA*ANA****XX*1627384950`.
    Source: CMS, NPI check digit.
    """)
def attending_npi_valid(c: Claim, ctx: Context) -> Iterator[Hit]:
    a = c.attending
    if a is not None and a.npi_qualifier == "XX" and not npi_ok(a.npi):
        yield Hit(f"attending NPI {a.npi!r} fails the NPI check digit", a.where, a.npi,
                  "correct the attending physician NPI (2310A NM109)")


@rule("DAT001", "The statement period runs forward and is not in the future",
      source="837I TR3 DTP*434 (SNIP 4); CMS IOM 100-04 ch. 25 §75.1 (FL 6)", stc=("A7:187", "A7:510"),
      doc="""What it does: checks the statement period's order, and that it does not end after today.

    Why: a bill cannot end before it starts, and cannot cover services that have not happened yet.
    Example: `DTP*434*RD8*20260915-20260914`.
    Use instead: `DTP*434*RD8*20260914-20260915`.
    Source: 837I implementation guide, DTP*434; UB-04 FL 6.
    """)
def statement_period(c: Claim, ctx: Context) -> Iterator[Hit]:
    where = c.period_where or c.where.replace(element="DTP*434")
    if c.statement_from and c.statement_to and c.statement_from > c.statement_to:
        yield Hit(f"statement period runs backwards ({c.statement_from} to {c.statement_to})", where, "",
                  "put the first date of service first", stc=("A7:187",))
    elif c.statement_to and c.statement_to > ctx.today:
        yield Hit(f"statement period ends in the future ({c.statement_to})", where, "",
                  "bill the services once they have been furnished", stc=("A7:510",))
