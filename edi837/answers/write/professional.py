"""The 837P's own data of a service line in the claim record (edi837.answers.write.records): flat keys
appended to each line's record, None on every line of an 837I claim (which has none of it). The
claim's own 837P data (CLM05-1, 2300 CR1, CRC*07, 2310E/2310F) is in the record's `ambulance` view;
these keys say what each line adds, so that a claim with several trips (each with its 2420G/2420H)
exports one row per line with that line's trip in it (CSV, Parquet).

    place_of_service   the line's place of service: SV105, else the claim's CLM05-1 (41 land, 42 air/water)
    emergency          SV109 = Y (an emergency line); False when SV109 is absent
    pickup_zip         the ZIP that prices the line's trip, as `ambulance.pickup_zip` is the claim's:
                       the first 5 digits of N403 of the line's pick-up (its 2420G, else the claim's
                       2310E) when N403 has 5 or 9 digits, else None (the P rules report a bad ZIP,
                       quoting it; `ambulance.pickup_address` has N403 as written)
    dropoff_zip        the same of the line's drop-off: its 2420H, else the claim's 2310F
    cr1_miles          CR106 of the line's own 2400 CR1, as written (the claim's 2300 CR1 is
                       ambulance.cr1_miles); None when the line has no CR1
    patient_count      QTY02 of the line's QTY*PT (patients transported), as written

Street lines are not exported per line (the pick-up is often the patient's home; the claim's
`ambulance.pickup_address` carries the 2310E address once).
"""

from __future__ import annotations

from typing import Any

from ...claims.model import Claim, Location, ServiceLine

LINE_KEYS: dict[str, str] = {"place_of_service": "str?", "emergency": "bool?", "pickup_zip": "str?",
                             "dropoff_zip": "str?", "cr1_miles": "str?", "patient_count": "str?"}
INSTITUTIONAL: dict[str, Any] = dict.fromkeys(LINE_KEYS)  # every key None: a line of an 837I claim


def _zip(loc: Location | None) -> str | None:
    return loc.zip5 if loc is not None else None


def line_keys(c: Claim, ln: ServiceLine) -> dict[str, Any]:
    """The 837P keys of one line of claim `c` (see the module docstring); all None on an 837I."""
    if c.claim_type != "837P":
        return dict(INSTITUTIONAL)
    return {"place_of_service": ln.place_of_service or c.place_of_service or None,
            "emergency": ln.emergency == "Y",
            "pickup_zip": _zip(ln.pickup if ln.pickup is not None else c.pickup),
            "dropoff_zip": _zip(ln.dropoff if ln.dropoff is not None else c.dropoff),
            "cr1_miles": (ln.transport.miles_text or None) if ln.transport is not None else None,
            "patient_count": ln.patient_count or None}
