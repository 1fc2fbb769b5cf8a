"""The rule registry: every claim edit, with its id, source and 277CA codes, in one table (the rule
modules fill it as `edi837.rules` imports them).

A rule is a small function `check(claim, ctx) -> Iterable[Hit]` registered with `@rule(...)`, whose
`doc` (what it does, why, an example, the source) is registration data, like its title: the catalog
reads it from the registry, the same whether the module is compiled (mypyc keeps no docstrings) or not.
Everything that lists, runs or documents rules reads `REGISTRY`, so the catalog cannot drift from
the code. A profile (a small JSON data file) changes a rule's severity or turns it off; it never
changes what a rule checks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..claims import Claim, Where
from ..durable import read_limited
from ..errors import ProfileError
from ..findings import CLAIM, ERROR, WARNING, Finding, Severity, rule_stc
from ..frozen import frozen


@frozen
class Hit:
    """One thing a rule found; the registry turns it into a Finding with the rule's metadata."""

    message: str
    where: Where | None = None  # None: the claim's CLM segment
    value: str = ""
    fix: str = ""
    lx: str = ""
    stc: tuple[str, ...] = ()  # a subset of the rule's codes that fits this hit best (default: all)
    severity: Severity | None = None  # WARNING: this hit is softer than its rule (e.g. mileage Medicare truncates)
    switch: str = ""  # a named sub-case a profile may set on its own ("AMBP017.zero": "error"); see Rule.switches


@dataclass(frozen=True, slots=True)
class Context:
    today: dt.date = field(default_factory=dt.date.today)


Check = Callable[[Claim, Context], Iterable[Hit]]


@frozen
class Rule:
    id: str
    title: str
    severity: Severity  # default severity (the medicare profile may change it)
    source: str  # CMS manual section, CR, or the billing guide
    stc: tuple[str, ...]  # 277CA status composites it answers with, e.g. "A7:267"
    confidence: str  # V read in CMS text, S secondary source, B belief (see ../shared/domain)
    family: str  # module it lives in: ambulance, codesets, balancing ...
    check: Check
    doc: str
    claim_types: tuple[str, ...] = ("837I",)  # the claim types it judges: "837I", "837P" or both
    # Sub-cases a profile may set apart from the rule (name -> what it is): a profile's "AMBP017.zero"
    # sets the level of the hits with switch "zero" (their own severity otherwise).
    switches: tuple[tuple[str, str], ...] = ()


REGISTRY: dict[str, Rule] = {}
Level = Literal["error", "warning", "off"]  # a rule's level in a profile
PROFILE_LIMIT = 1 << 20  # bytes: a profile is a few lines of JSON


CLAIM_TYPES = ("837I", "837P")
BOTH = CLAIM_TYPES


def rule(id: str, title: str, *, severity: Severity = ERROR, source: str, stc: tuple[str, ...],
         confidence: str = "V", doc: str, claim_types: tuple[str, ...] = ("837I",),
         switches: dict[str, str] | None = None) -> Callable[[Check], Check]:
    """Register `check` as rule `id`, documented by `doc`, for the claims of `claim_types` (an 837I
    rule never runs on an 837P claim, nor the reverse, unless it names both)."""

    def register(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        if severity not in (ERROR, WARNING):
            raise ValueError(f"rule {id}: severity must be error or warning")
        if not claim_types or not set(claim_types) <= set(CLAIM_TYPES):
            raise ValueError(f"rule {id}: claim types must be among {CLAIM_TYPES}")
        REGISTRY[id] = Rule(id, title, severity, source, stc, confidence,
                            check.__module__.rsplit(".", 1)[-1], check, doc.strip(), tuple(claim_types),
                            tuple((switches or {}).items()))
        return check

    return register


class Armed:
    """A rule as a profile runs it: its check, id and status codes, at the profile's level, and the
    levels the profile gives its switched sub-cases."""

    def __init__(self, rule: Rule, level: Severity, switches: dict[str, Level] | None = None) -> None:
        self.id = rule.id
        self.check = rule.check
        self.stc = rule.stc
        self.level = level
        self.switches: dict[str, Level] = switches or {}


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    severity: dict[str, Level]  # rule id -> error | warning | off
    # The rules this profile runs, with their level: worked out once, not once per claim; and the
    # same by claim type (what `run` reads).
    active: tuple[Armed, ...] = field(init=False, repr=False, compare=False)
    by_type: dict[str, tuple[Armed, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        armed = [(r, Armed(r, lv, self.switch_levels(r))) for r in REGISTRY.values() if (lv := self.level(r)) != "off"]
        object.__setattr__(self, "active", tuple(a for _, a in armed))
        object.__setattr__(self, "by_type", {t: tuple(a for r, a in armed if t in r.claim_types) for t in CLAIM_TYPES})

    def level(self, r: Rule) -> Level:
        return self.severity.get(r.id, r.severity)

    def switch_levels(self, r: Rule) -> dict[str, Level]:
        """The levels this profile gives `r`'s switched sub-cases ("AMBP017.zero": "error")."""
        return {name: self.severity[f"{r.id}.{name}"] for name, _ in r.switches if f"{r.id}.{name}" in self.severity}


def load_profile(name_or_path: str = "medicare") -> Profile:
    """A bundled profile by name, or a JSON file: {"name": ..., "rules": {"AMB007": "warning", "AMB020": "off",
    "AMBP017.zero": "error"}} (a rule id, or a rule id and one of its switches)."""
    bundled = Path(__file__).resolve().parents[1] / "profiles" / f"{name_or_path}.json"
    try:  # a regular file (a link followed to one) of at most PROFILE_LIMIT bytes: /dev/zero or a FIFO is refused at once
        path = bundled if bundled.is_file() else os.path.realpath(name_or_path)
        data = json.loads(read_limited(path, PROFILE_LIMIT))
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ProfileError(f"cannot load profile: {why}", file=name_or_path) from None
    rules = data.get("rules", {}) if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        raise ProfileError('a profile is a JSON object with a "rules" object', file=name_or_path)
    for rid, level in rules.items():
        base, _, switch = rid.partition(".")
        if base not in REGISTRY or (switch and switch not in dict(REGISTRY[base].switches)):
            raise ProfileError(f"profile names unknown rule {rid!r}", file=name_or_path)
        if level not in (ERROR, WARNING, "off"):
            raise ProfileError(f"rule {rid}: level must be error, warning or off, not {level!r}", file=name_or_path)
    return Profile(str(data.get("name", name_or_path)), dict(rules))


def run(claim: Claim, profile: Profile, ctx: Context) -> list[Finding]:
    """Every active rule of the claim's type on one claim."""
    out: list[Finding] = []
    for r in profile.by_type.get(claim.claim_type, ()):
        for hit in r.check(claim, ctx):
            w = hit.where or claim.where
            severity = WARNING if hit.severity == WARNING else r.level
            if hit.switch and hit.switch in r.switches:  # a sub-case the profile sets on its own
                level = r.switches[hit.switch]
                if level == "off":
                    continue
                severity = ERROR if level == ERROR else WARNING
            out.append(Finding(
                rule=r.id, severity=severity, message=hit.message, scope=CLAIM, file=claim.file,
                transaction=claim.transaction, claim_id=claim.claim_id, lx=hit.lx, loop=w.loop,
                segment=w.segment, position=w.position, element=w.element, value=hit.value,
                fix=hit.fix, stc=rule_stc(severity, hit.stc or r.stc), offset=w.offset, line=w.line))
    return out


def catalog(rules: Iterable[Rule] | None = None) -> list[Rule]:
    return sorted(rules if rules is not None else REGISTRY.values(), key=lambda r: r.id)
