"""The envelope of our answers (edi837/write/envelope.py): a fixed-width ISA, GS, and GE/IEA trailers
that carry the control numbers they were given. (Named apart from tests/x12/test_envelope.py, which tests
the envelope we read: pytest imports test modules by base name.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from edi837.answers.write import envelope
from edi837.x12.read import DEFAULT_DELIMITERS, Delimiters

HEADER = envelope.Header(sender="MYCH", receiver="A SUBMITTER NAME LONGER THAN FIFTEEN", control=42,
                         when=dt.datetime(2026, 11, 22, 9, 30), usage="T", functional_id="FA",
                         version="005010X231A1", group_receiver="SUB01")


def test_the_isa_is_fixed_width_with_its_control_number_padded() -> None:
    d = DEFAULT_DELIMITERS
    isa = HEADER.isa()
    assert len(isa) == 107 and isa.endswith(d.segment + "\n")
    els = isa[:-2].split(d.element)
    assert els[6] == "MYCH".ljust(15) and len(els[8]) == 15  # a party id is cut to ISA08's 15
    assert (els[9], els[10], els[13], els[15], els[16]) == ("261122", "0930", "000000042", "T", d.component)


def test_gs_and_trailers_carry_their_control_numbers() -> None:
    assert HEADER.gs() == "GS*FA*MYCH*SUB01*20261122*0930*42*X*005010X231A1~\n"
    assert HEADER.trailer(3) == "GE*3*42~\nIEA*1*000000042~\n"
    assert HEADER.trailer(0) == "IEA*0*000000042~\n"  # no group: IEA alone


def test_an_isa_without_a_repetition_separator_gets_one_that_clashes_with_no_delimiter() -> None:
    d = Delimiters(element="|", component="^", segment="~", repetition="")
    isa = dataclasses.replace(HEADER, delims=d).isa()
    assert isa.split("|")[11] not in ("|", "^", "~", "")


def test_write_puts_the_body_inside_the_group_and_leaves_out_an_empty_group() -> None:
    body = envelope.spool()
    body.write("ST*999*0001~\nSE*2*0001~\n")
    out = io.StringIO()
    envelope.write(out, HEADER, 1, body)
    text = out.getvalue()
    assert text.index("GS*") < text.index("ST*999") < text.index("GE*1*42") < text.index("IEA*1*")
    empty = io.StringIO()
    envelope.write(empty, HEADER, 0, envelope.spool())
    assert "GS*" not in empty.getvalue() and empty.getvalue().endswith("IEA*0*000000042~\n")
