"""ISA/GS/GE/IEA for the answers we write: one helper, shared by the 999, 277CA and forward 837."""

from __future__ import annotations

import datetime as dt

from ..read import Delimiters


def isa(sender: str, receiver: str, control: int, when: dt.datetime, usage: str, d: Delimiters) -> str:
    e = d.element
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender[:15].ljust(15), "ZZ", receiver[:15].ljust(15),
              when.strftime("%y%m%d"), when.strftime("%H%M"), d.repetition or "^", "00501", f"{control:09d}", "0",
              usage, d.component]
    return e.join(fields) + d.segment


def gs(code: str, sender: str, receiver: str, control: int, when: dt.datetime, version: str, d: Delimiters) -> str:
    return d.element.join(["GS", code, sender, receiver, when.strftime("%Y%m%d"), when.strftime("%H%M"),
                           str(control), "X", version]) + d.segment


def trailer(sets: int, control: int, d: Delimiters) -> str:
    e = d.element
    return f"GE{e}{sets}{e}{control}{d.segment}IEA{e}1{e}{control:09d}{d.segment}"
