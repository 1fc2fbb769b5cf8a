"""The claim rules: one small function per edit, registered with its id, source and 277CA codes.

`registry` holds the table and runs it; each family module (ambulance, coverage, billing, codesets)
registers its rules when imported here (the 837P ones: transport, locations, conditions,
modifiers, units), in the order they run and their findings are listed.
"""

from . import ambulance, coverage, billing, codesets  # noqa: F401,I001  (registers the rules, in this order)
from . import transport, locations, conditions  # noqa: F401,E402,I001  (the 837P trip rules, in this order)
from . import modifiers, units  # noqa: F401,E402,I001  (the 837P line rules, in this order)
from .registry import REGISTRY, Armed, Check, Context, Hit, Level, Profile, Rule, catalog, load_profile, rule, run

__all__ = ["REGISTRY", "Armed", "Check", "Context", "Hit", "Level", "Profile", "Rule", "catalog", "load_profile",
           "rule", "run"]
