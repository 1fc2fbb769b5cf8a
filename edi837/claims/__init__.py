"""Typed claims: the model (`model`: Claim, ServiceLine, ... with an ambulance view) and the builder
that makes them from tagged segments (`builder`: ClaimBuilder, its reader tables)."""

from ..x12.datatypes import date8
from .builder import MAX_LINES, ClaimBuilder, RawSegments
from .model import (
                    ORIGIN_DESTINATION,
                    Claim,
                    Code,
                    Person,
                    Provider,
                    ServiceLine,
                    Where,
                    ambulance_view,
                    is_ambulance,
                    is_ambulance_line,
                    line_kind,
                    modifier_kind,
                    money,
                    procedure,
                    zip5,
)

__all__ = ["MAX_LINES", "ORIGIN_DESTINATION", "Claim", "ClaimBuilder", "Code", "Person", "Provider", "RawSegments",
           "ServiceLine", "Where", "ambulance_view", "date8", "is_ambulance", "is_ambulance_line", "line_kind",
           "modifier_kind", "money", "procedure", "zip5"]
