"""Code sets and identifiers (SNIP 4-5): values the guide leaves open but NUBC, CMS and NPPES do not.

A rule whose code list is partial (its CSV header says so) is a warning: a partial list must never
reject a good claim on its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from .. import codes
from ..claims import Claim
from ..findings import WARNING
from . import Context, Hit, rule

CH25 = "CMS IOM 100-04 ch. 25 §75 (UB-04 data elements)"
HCPCS = re.compile(r"[A-Z0-9][0-9]{3}[A-Z0-9]\Z")


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
      source="CMS HCPCS Level II file format", stc=("A7:454", "A7:507"),
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
      stc=("A7:562:85",),
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
