"""The 837P ambulance terms the P rules share (../shared/domain/ambulance-837p-rules.md, "Terms the
rules use"): which codes are ambulance, base and mileage codes, which claims are ambulance or
transport claims, a line's effective location, CR1 and CRC (its own, else the claim's), its O/D
pair, its trip (and whether two lines are of one trip), and whether a claim has a narrative; and what
the P rule modules (transport, locations, conditions, modifiers, units) share: their claim type, the
sources several of them cite, where a modifier sits, GY/GZ, the lines a rule judges. Each rule module
imports these; none decides a verdict here.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from ..claims import Claim, ServiceLine, Where
from ..claims.hcpcs import modifier_kind
from ..claims.model import Certification, Location, Transport, money

# Ambulance HCPCS: A0225, A0380-A0436, A0888, A0998, A0999. NEMT (non-emergency transportation): A0080-A0210.
AMBULANCE_HCPCS = frozenset({"A0225", "A0888", "A0998", "A0999", *(f"A0{n}" for n in range(380, 437))})
NEMT_HCPCS = frozenset(f"A0{n:03d}" for n in range(80, 211))
GROUND_BASE = frozenset({"A0426", "A0427", "A0428", "A0429", "A0432", "A0433", "A0434"})
AIR_BASE = frozenset({"A0430", "A0431"})
BASE = GROUND_BASE | AIR_BASE
MILEAGE = frozenset({"A0425", "A0435", "A0436"})  # payable loaded miles
MILEAGE_WITH_NONCOVERED = MILEAGE | {"A0888"}  # what CR106 counts (A0888: miles beyond the nearest facility)
AIR_CODES = frozenset({"A0430", "A0431", "A0435", "A0436"})
EMERGENCY_BASE = frozenset({"A0427", "A0429"})
NON_EMERGENCY_BASE = frozenset({"A0426", "A0428"})
ALS_GROUND_BASE = frozenset({"A0426", "A0427", "A0433", "A0434"})
AMBULANCE_POS = frozenset({"41", "42"})
LIABILITY_NONCOVERED = frozenset({"GY", "GZ"})

TR3 = "837P TR3 (005010X222A1)"
NOTES = "ambulance-837p-rules.md"


def is_ambulance_line(ln: ServiceLine) -> bool:
    return ln.procedure_code in AMBULANCE_HCPCS


def is_transport_line(ln: ServiceLine) -> bool:
    return ln.procedure_code in AMBULANCE_HCPCS or ln.procedure_code in NEMT_HCPCS


def is_ambulance_claim(c: Claim) -> bool:
    """An 837P claim with an ambulance HCPCS line, or CLM05-1 or any SV105 of 41/42."""
    return c.claim_type == "837P" and (
        c.facility_type in AMBULANCE_POS or any(is_ambulance_line(ln) or ln.place_of_service in AMBULANCE_POS
                                                for ln in c.lines))


def is_transport_claim(c: Claim) -> bool:
    """An ambulance claim, or an 837P claim with a non-emergency transportation (NEMT) line."""
    return is_ambulance_claim(c) or (c.claim_type == "837P" and any(ln.procedure_code in NEMT_HCPCS for ln in c.lines))


def effective_pickup(c: Claim, ln: ServiceLine) -> Location | None:
    """The line's 2420G, else the claim's 2310E."""
    return ln.pickup if ln.pickup is not None else c.pickup


def effective_dropoff(c: Claim, ln: ServiceLine) -> Location | None:
    """The line's 2420H, else the claim's 2310F."""
    return ln.dropoff if ln.dropoff is not None else c.dropoff


def effective_transport(c: Claim, ln: ServiceLine) -> Transport | None:
    """The line's 2400 CR1, else the claim's 2300 CR1."""
    return ln.transport if ln.transport is not None else c.transport


def ambulance_certifications(certifications: tuple[Certification, ...]) -> tuple[Certification, ...]:
    """The CRC*07 (ambulance certification) segments of a loop."""
    return tuple(x for x in certifications if x.category == "07")


def effective_certifications(c: Claim, ln: ServiceLine) -> tuple[Certification, ...]:
    """The line's CRC*07 segments, else the claim's."""
    own = ambulance_certifications(ln.certifications)
    return own if own else ambulance_certifications(c.certifications)


def od_pairs(ln: ServiceLine) -> tuple[str, ...]:
    """The line's origin/destination modifiers (two O/D letters), in modifier order."""
    return _od_pairs(ln.modifiers)


@functools.lru_cache(maxsize=4096)  # a file holds few distinct modifier lists; every rule asks for each line's
def _od_pairs(modifiers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(m for m in modifiers if modifier_kind(m) == "origin_destination")


def trip_key(ln: ServiceLine) -> tuple[str, str]:
    """A trip is the lines with the same line date (DTP*472) and the same O/D pair, or QL."""
    pairs = od_pairs(ln)
    return ln.service_date_text, pairs[0] if pairs else ("QL" if "QL" in ln.modifiers else "")


def pair_key(ln: ServiceLine) -> str:
    """The line's O/D pair, "QL", or "" (neither): with the line date, its trip."""
    pairs = od_pairs(ln)
    return pairs[0] if pairs else ("QL" if "QL" in ln.modifiers else "")


def same_trip(a: ServiceLine, b: ServiceLine) -> bool:
    """Same line date, and the same O/D pair (or QL); a line with neither could belong to any trip of
    its date (its missing pair is P12's finding, not a second one here)."""
    ka, kb = pair_key(a), pair_key(b)
    return a.service_date_text == b.service_date_text and (ka == kb or not ka or not kb)


def trips(c: Claim) -> dict[tuple[str, str], list[ServiceLine]]:
    """The claim's ambulance lines grouped by trip (see `trip_key`), in line order."""
    out: dict[tuple[str, str], list[ServiceLine]] = {}
    for ln in c.lines:
        if is_ambulance_line(ln):
            out.setdefault(trip_key(ln), []).append(ln)
    return out


def has_narrative(c: Claim) -> bool:
    """A 2300 NTE, or a 2400 NTE on any line of the claim, with some text."""
    return any(n.text.strip() for n in c.notes) or any(n.text.strip() for ln in c.lines for n in ln.notes)


def units(ln: ServiceLine) -> Decimal | None:
    """SV104 as a number (by value: 12.50 = 12.5), None when it is not one."""
    return money(ln.units)


def sv1(ln: ServiceLine, element: str) -> Where:
    """Where an element of a line's SV1 sits (e.g. "SV104", "SV101-3")."""
    return ln.where.replace(element=element)


# --- what the P rule modules share: claim types, sources, line helpers ------------------------------

P837 = ("837P",)  # the claim types of every P rule
# Sources the modifier and unit rules both cite.
CH15_30A = "CMS IOM 100-04 ch. 15 §30 A"
SEED = "Hospital-Based Ambulance Billing Guide (MAC, 2023-12-09)"
HCPCS = "CMS HCPCS Level II file"


def modifier_at(ln: ServiceLine, modifier: str) -> Where:
    """Where a modifier sits in SV101 (SV101-3 is the first); SV101 when the line does not carry it."""
    return sv1(ln, f"SV101-{ln.modifiers.index(modifier) + 3}" if modifier in ln.modifiers else "SV101")


def non_covered(ln: ServiceLine) -> bool:
    """GY or GZ: the supplier itself says the line is not covered."""
    return any(m in LIABILITY_NONCOVERED for m in ln.modifiers)


def claim_lines(c: Claim) -> list[ServiceLine]:
    """The lines of an 837P ambulance claim, none for any other claim: what the modifier and unit rules judge."""
    return list(c.lines) if is_ambulance_claim(c) else []
