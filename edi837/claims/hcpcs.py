"""A service line's HCPCS code and modifiers as the ambulance rules read them: the code's kind (base,
mileage, non-covered ...) from the ambulance HCPCS table, each modifier's kind (origin/destination
pair, QM/QN arrangement, liability, QL ...) from the modifier table (codes/*.csv), and SV202/SV101 split
into its parts. Worked out once per distinct code and modifiers (the caches), for both claim types.
"""

from __future__ import annotations

import functools

from . import codes

ORIGIN_DESTINATION = frozenset("DEGHIJNPRSX")


@functools.cache
def line_kind(procedure_code: str) -> str:
    row = codes.table("ambulance_hcpcs").get(procedure_code)
    if row is None:
        return "noncovered" if procedure_code in codes.codes("ambulance_hcpcs") else "other"
    kind = row.get("kind", "other")
    return kind if kind in ("base", "mileage", "noncovered_mileage") else ("noncovered" if kind == "noncovered" else "other")


@functools.cache
def modifier_kind(modifier: str) -> str:
    """What a HCPCS modifier is on an ambulance line, from the modifier table (codes/ambulance_modifiers.csv):
    arrangement (QM, QN), liability (GA, GX, GY, GZ), pronounced_dead (QL), ... A modifier the table
    does not name is an origin/destination pair when both its letters are origin/destination codes
    (RH, SH, RR ...), else "other". So GX is a liability modifier, never a trip from G to X."""
    row = codes.table("ambulance_modifiers").get(modifier)
    if row is not None and len(modifier) == 2:
        return row["kind"]
    if len(modifier) == 2 and modifier[0] in ORIGIN_DESTINATION and modifier[1] in ORIGIN_DESTINATION:
        return "origin_destination"
    return "other"


@functools.lru_cache(maxsize=4096)
def ambulance_view(procedure_code: str, modifiers: tuple[str, ...]) -> tuple[str, str, str, bool]:
    """A line's (kind, origin/destination modifier, QM/QN arrangement, pronounced dead): worked out
    once per distinct code and modifiers, not each time a rule asks."""
    od = next((m for m in modifiers if modifier_kind(m) == "origin_destination"), "")
    found = [m for m in modifiers if m in ("QM", "QN")]
    arrangement = found[0] if len(found) == 1 else "+".join(found)
    return line_kind(procedure_code), od, arrangement, "QL" in modifiers


@functools.lru_cache(maxsize=4096)  # a file holds few distinct code + modifier composites
def procedure(text: str, component: str) -> tuple[str, str, tuple[str, ...], str, str, str, bool]:
    """SV202 as written: (qualifier, code, modifiers, *ambulance_view(code, modifiers))."""
    proc = text.split(component) if text else []
    code = proc[1] if len(proc) > 1 else ""
    modifiers = tuple(filter(None, proc[2:6]))
    return (proc[0] if proc else "", code, modifiers, *ambulance_view(code, modifiers))
