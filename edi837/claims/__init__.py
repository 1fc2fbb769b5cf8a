"""Typed claims: the model (`model`: Claim, ServiceLine, ... with an ambulance view) and the builder
that makes them from tagged segments (`builder`: ClaimBuilder, its reader tables; `professional`: the
837P's part of it)."""

from ..x12.datatypes import date8
from . import professional  # noqa: F401  (registers the 837P's readers with the builder)
from .builder import MAX_LINES, ClaimBuilder
from .hcpcs import ORIGIN_DESTINATION, ambulance_view, line_kind, modifier_kind, procedure
from .model import (
                    Claim,
                    Code,
                    Person,
                    Provider,
                    ServiceLine,
                    Where,
                    is_ambulance,
                    is_ambulance_line,
                    money,
                    zip5,
)
from .raw import RawSegments

__all__ = ["MAX_LINES", "ORIGIN_DESTINATION", "Claim", "ClaimBuilder", "Code", "Person", "Provider", "RawSegments",
           "ServiceLine", "Where", "ambulance_view", "date8", "is_ambulance", "is_ambulance_line", "line_kind",
           "modifier_kind", "money", "procedure", "zip5"]
