"""The rule catalog, rendered from the registry and the X12-level code table (docs/rules.md is this
output, kept in sync by a test): every claim rule, every guide-level code a finding can carry, and
every code a payer's TA1, 999 and 277CA carry (x12.status_codes), in plain words."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

from ...rules import Rule
from ...x12.guide_codes import GuideCode
from ...x12.status_codes import SHORT, WHERE, Code

Entry = Rule | GuideCode | Code


# The 837P rules are AMBP001-AMBP040, the domain notes' P1-P40 (../shared/domain/ambulance-837p-rules.md):
# `edi837 rules P3`, `P003`, `AMBP3` and `AMBP003` all name AMBP003.
DOMAIN_RULE = re.compile(r"(?:AMB)?P0*([0-9]{1,3})")


def canonical(code: str) -> str:
    """`code` as a catalog id: upper case, and a domain notes' 837P rule number (P3, P003) as its id (AMBP003)."""
    wanted = code.strip().upper()
    m = DOMAIN_RULE.fullmatch(wanted)
    return f"AMBP{int(m.group(1)):03d}" if m else wanted


def find(entries: list[Entry], code: str) -> Entry | None:
    """The entry named `code` (any case; P3 and P003 for AMBP003), or None."""
    wanted = canonical(code)
    return next((e for e in entries if e.id.upper() == wanted), None)


def claim_types(r: Rule) -> str:
    """Which claims a rule judges, in a column: "837I", "837P" or "both"."""
    return "both" if len(r.claim_types) > 1 else r.claim_types[0]


def _judges(r: Rule) -> str:
    """A rule page's line on what it judges (and, for an 837P rule, its number in the domain notes)."""
    which = {"both": "837I and 837P claims", "837I": "837I claims only", "837P": "837P claims only"}[claim_types(r)]
    m = re.fullmatch(r"AMBP0*([0-9]+)", r.id)
    return which + (f" (domain rule P{m.group(1)})" if m else "")


def _switches(r: Rule) -> list[str]:
    """A rule's switched sub-cases, each as a profile names it (`AMBP017.zero`) with what it covers."""
    return [f"{r.id}.{name}: {text}" for name, text in r.switches]


def as_dict(e: Entry) -> dict[str, Any]:
    if isinstance(e, Code):
        return {"id": e.id, "kind": "answer", "list": e.list, "code": e.code, "title": e.title,
                "where": WHERE[e.list], "words": e.words}
    if isinstance(e, Rule):
        return {"id": e.id, "kind": "rule", "title": e.title, "severity": e.severity, "source": e.source,
                "stc": list(e.stc), "confidence": e.confidence, "family": e.family,
                "claim_types": list(e.claim_types), "switches": {f"{e.id}.{k}": v for k, v in e.switches},
                "doc": e.doc}
    return {"id": e.id, "kind": "x12", "title": e.title, "severity": e.severity, "answer": e.answer,
            "stc": list(e.stc), "doc": e.doc, "fix": e.fix, "reported": e.produced}


def _stc(e: Rule | GuideCode) -> str:
    return ", ".join(e.stc) if e.stc else "none"


def section(e: Entry) -> list[str]:
    """The entry's page, in markdown: its heading, what it is and how it is answered, its text."""
    if isinstance(e, Code):
        return [f"## {e.id}", "", f"**{e.title}** — code {e.code} in the {WHERE[e.list]}.", "", e.words]
    if isinstance(e, Rule):
        return [f"## {e.id}", "", f"**{e.title}** — {e.severity}, confidence {e.confidence},"
                f" 277CA {_stc(e)}. Judges {_judges(e)}. Source: {e.source}.", "", e.doc] + (
                ["", "Profile switches (a profile may set each apart from the rule): "
                 + "; ".join(f"`{e.id}.{name}`: {text}" for name, text in e.switches) + "."] if e.switches else [])
    never = "" if e.produced else " Not reported by edi837 (listed for the 999's code list)."
    return [f"## {e.id}", "", f"**{e.title}** — {e.severity}. 999: {e.answer}. 277CA: {_stc(e)}.{never}", "",
            e.doc, "", f"Fix: {e.fix}"]


def page(e: Entry, fmt: str) -> str:
    """One entry, as `edi837 rules CODE` prints it."""
    if fmt == "json":
        return json.dumps(as_dict(e), indent=2) + "\n"
    if fmt == "markdown":
        return "\n".join(section(e)) + "\n"
    if isinstance(e, Code):
        lines = [f"{e.id}  {e.title}", f"code:       {e.code}", f"where:      {WHERE[e.list]}", "", e.words]
    elif isinstance(e, Rule):
        lines = [f"{e.id}  {e.title}", f"severity:   {e.severity} (confidence {e.confidence})",
                 f"277CA:      {_stc(e)}", f"judges:     {_judges(e)}", f"source:     {e.source}",
                 *(f"switch:     {x}" for x in _switches(e)), "", inspect.cleandoc(e.doc)]
    else:
        lines = [f"{e.id}  {e.title}", f"severity:   {e.severity}", f"answer:     {e.answer}",
                 f"277CA:      {_stc(e)}"] + ([] if e.produced else ["reported:   never by edi837 (see below)"]) + [
                 "", e.doc, "", f"fix: {e.fix}"]
    return "\n".join(lines) + "\n"


def render(rules: list[Rule], codes: list[GuideCode], fmt: str, answers: list[Code] | None = None) -> str:
    """The whole catalog: claim rules, X12-level codes and (when given) the codes of a payer's answers,
    which come after the first two, so their part of the output is the same with or without them."""
    entries: list[Rule | GuideCode] = [*rules, *codes]
    answers = answers or []
    if fmt == "json":
        listed: list[Entry] = [*entries, *answers]
        return json.dumps([as_dict(e) for e in listed], indent=2) + "\n"
    if fmt == "markdown":
        out = ["# edi837 rule catalog", "",
               "Generated by `edi837 rules --format markdown` from the rule registry and the X12-level code"
               " table; do not edit by hand. `edi837 rules CODE` prints one entry.", "",
               "## Claim rules", "",
               "The claims column says which claims a rule judges: 837I (005010X223A2), 837P (005010X222A1) or"
               " both. The 837P rules AMBP001-AMBP040 are the domain notes' P1-P40 (`edi837 rules P3` shows"
               " AMBP003).", "",
               "| id | claims | severity | title | 277CA | source |", "|---|---|---|---|---|---|"]
        out += [f"| [{r.id}](#{r.id.lower()}) | {claim_types(r)} | {r.severity} | {r.title} | {' '.join(r.stc)}"
                f" | {r.source} |" for r in rules]
        out += ["", "## X12-level codes", "",
                "Guide checks (SNIP 1-2) and the envelope: the rule id names the acknowledgment code.", "",
                "| id | title | 999 | 277CA |", "|---|---|---|---|"]
        out += [f"| [{c.id}](#{c.id.lower()}) | {c.title} | {c.answer} | {_stc(c)} |" for c in codes]
        out += _answers_table(answers)
        pages: list[Entry] = [*entries, *answers]
        for e in pages:
            out += ["", *section(e)]
        return "\n".join(out) + "\n"
    # Each column as wide as its widest entry, so a long list of 277CA codes (AMB008 has four) never
    # pushes its title out of the title column.
    # The claims column: which claims a rule judges (837I, 837P, both); an X12-level code, every 837 ("all").
    width = max((len(e.id) for e in entries), default=6)
    stc_width = max((len(" ".join(e.stc)) for e in entries), default=22)
    return "".join(f"{e.id:<{width}}  {claim_types(e) if isinstance(e, Rule) else 'all':<4}  {e.severity:<7}  "
                   f"{' '.join(e.stc):<{stc_width}}  {e.title}\n" for e in entries) + _answers_text(answers)


def _answers_table(answers: list[Code]) -> list[str]:
    """The markdown catalog's third section: the codes of a payer's TA1, 999 and 277CA."""
    if not answers:
        return []
    return ["", "## Codes in a payer's answers", "",
            "What the codes of a payer's TA1, 999 and 277CA say, in plain words (x12.status_codes): the TA1 and"
            " 999 codes are those pyx12's 999 map (005010X231A1) allows; the 277CA's are X12 code lists 507"
            " (category, `STC-CAT-`), 508 (status, `STC-`) and the entity codes of STC01-3 (`STC-ENT-`).", "",
            "| id | where | title |", "|---|---|---|"] + [
            f"| [{a.id}](#{a.id.lower()}) | {SHORT[a.list]} | {a.title} |" for a in answers]


def _answers_text(answers: list[Code]) -> str:
    """The text catalog's lines for the codes of a payer's answers, under a line that says what they are."""
    if not answers:
        return ""
    width = max(len(a.id) for a in answers)
    where = max(len(SHORT[a.list]) for a in answers)
    return "-- codes in a payer's answers (TA1, 999, 277CA) --\n" + "".join(
        f"{a.id:<{width}}  {SHORT[a.list]:<{where}}  {a.title}\n" for a in answers)
