"""The envelope of our answers (edi837/write/envelope.py): a fixed-width ISA, GS, and GE/IEA trailers
that carry the control numbers they were given. (Named apart from tests/test_envelope.py, which tests
the envelope we read: pytest imports test modules by base name.)"""

from __future__ import annotations

import datetime as dt

from edi837.read import DEFAULT_DELIMITERS, Delimiters
from edi837.write import envelope

WHEN = dt.datetime(2026, 11, 22, 9, 30)


def test_the_isa_is_fixed_width_with_its_control_number_padded() -> None:
    isa = envelope.isa("MYCH", "A SUBMITTER NAME LONGER THAN FIFTEEN", 42, WHEN, "T", DEFAULT_DELIMITERS)
    d = DEFAULT_DELIMITERS
    assert len(isa) == 106 and isa.endswith(d.segment)
    els = isa[:-1].split(d.element)
    assert els[6] == "MYCH".ljust(15) and len(els[8]) == 15  # a party id is cut to ISA08's 15
    assert (els[9], els[10], els[13], els[15], els[16]) == ("261122", "0930", "000000042", "T", d.component)


def test_gs_and_trailers_carry_their_control_numbers() -> None:
    d = DEFAULT_DELIMITERS
    gs = envelope.gs("FA", "MYCH", "SUB01", 7, WHEN, "005010X231A1", d)
    assert gs == f"GS*FA*MYCH*SUB01*20261122*0930*7*X*005010X231A1{d.segment}"
    assert envelope.trailer(3, 7, d, "\n") == f"GE*3*7{d.segment}\nIEA*1*000000007{d.segment}\n"


def test_an_isa_without_a_repetition_separator_gets_one_that_clashes_with_no_delimiter() -> None:
    d = Delimiters(element="|", component="^", segment="~", repetition="")
    isa = envelope.isa("A", "B", 1, WHEN, "P", d)
    assert isa.split("|")[11] not in ("|", "^", "~", "")
