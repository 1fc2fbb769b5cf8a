"""The claim rules: one small function per edit, registered with its id, source and 277CA codes.

`registry` holds the table and runs it; each family module (ambulance, coverage, billing, codesets)
registers its rules when imported here, in the order they run and their findings are listed.
"""

from . import ambulance, coverage, billing, codesets  # noqa: F401,I001  (registers the rules, in this order)
from . import transport  # noqa: F401,E402  (registers the 837P transport rules)
from . import supplier  # noqa: F401,E402  (registers the 837P supplier rules)
from .registry import REGISTRY, Armed, Check, Context, Hit, Level, Profile, Rule, catalog, load_profile, rule, run

__all__ = ["REGISTRY", "Armed", "Check", "Context", "Hit", "Level", "Profile", "Rule", "catalog", "load_profile",
           "rule", "run"]
