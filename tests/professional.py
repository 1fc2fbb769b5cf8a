"""The clean inline 837P ambulance claim (ISA + CLAIM_P = BASE_P) and, for each P rule, its case: an
edit of BASE_P that fires the rule and a real near miss that must not (P_CASES). The cases live
beside the rules' families (cases_transport.py, cases_supplier.py); this module joins them and
checks them as tests/builders.py does for the 837I rules.
"""

from __future__ import annotations

from collections.abc import Callable

from builders import ISA, assert_hits, check, findings_of

from edi837 import rules

CLAIM_P_BODY = (
    "GS*HC*SUBMITTER*MEDICARE*20261001*1200*201*X*005010X222A1~ST*837*0001*005010X222A1~"
    "BHT*0019*00*B201*20261001*1200*CH~NM1*41*2*PRAIRIE AMBULANCE*****46*SUB01~PER*IC*BILLING*TE*2175551212~"
    "NM1*40*2*MEDICARE B*****46*06102~HL*1**20*1~PRV*BI*PXC*3416L0300X~"
    "NM1*85*2*PRAIRIE AMBULANCE*****XX*1234567893~N3*1 MAIN ST~N4*SPRINGFIELD*IL*627040001~REF*EI*371234567~"
    "HL*2*1*22*0~SBR*P*18*******MB~NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73~N3*5 ELM ST~N4*SPRINGFIELD*IL*62704~"
    "DMG*D8*19450312*F~NM1*PR*2*MEDICARE PART B*****PI*06102~"
    "CLM*OK1*1130***41:B:1*Y*A*Y*Y~CR1*LB*180**A*DH*12.5~CRC*07*Y*04*06~HI*ABK:S72001A*ABF:R0789~"
    "NM1*PW*2~N3*5 ELM ST~N4*SPRINGFIELD*IL*62704~"
    "NM1*45*2*SPRINGFIELD GENERAL~N3*800 E CARPENTER ST~N4*SPRINGFIELD*IL*627690001~"
    "LX*1~SV1*HC:A0427:RH*950*UN*1***1**Y~DTP*472*D8*20260914~REF*6R*L1~"
    "LX*2~SV1*HC:A0425:RH*180*UN*12.5***1~DTP*472*D8*20260914~"
)
SEGMENTS_P = CLAIM_P_BODY.count("~") - 1  # ST .. the last line segment, SE to come
CLAIM_P = CLAIM_P_BODY + f"SE*{SEGMENTS_P + 1}*0001~GE*1*201~IEA*1*000000101~"
BASE_P = ISA + CLAIM_P
BASE_LINE_P = "SV1*HC:A0427:RH*950*UN*1***1**Y"  # the base-rate line (ALS emergency)
MILES_P = "SV1*HC:A0425:RH*180*UN*12.5***1"  # the mileage line
Edit = Callable[[str], str]


def p_swap(old: str, new: str) -> Edit:
    """An edit of BASE_P that replaces `old` (found exactly once) with `new` and keeps SE01 right."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        out = text.replace(old, new)
        return resegment(out)

    return edit


def resegment(text: str) -> str:
    """SE01 set to the segments from ST to SE of the one set in `text` (edits add or remove segments)."""
    head, _, rest = text.partition("~ST*")
    body, _, tail = rest.partition("~SE*")
    count = body.count("~") + 2  # ST, the segments between, and SE
    return f"{head}~ST*{body}~SE*{count}*{tail.partition('*')[2]}"


def p_cases() -> dict[str, tuple[Edit, str, Edit]]:
    """rule -> (edit that fires it, the segment its finding points at, near-miss edit), for every P rule."""
    from cases_supplier import CASES as SUPPLIER  # noqa: PLC0415 (the families' own tables)
    from cases_transport import CASES as TRANSPORT  # noqa: PLC0415

    return {**TRANSPORT, **SUPPLIER}


def findings(text: str, rule_id: str = "") -> list:
    """Every finding of `text` under the medicare profile; with `rule_id`, under it with that rule at its
    own default level (a rule the profile turns off, such as the PCS reminder, is still judged)."""
    profile = rules.load_profile()
    if rule_id and profile.level(rules.REGISTRY[rule_id]) == "off":
        profile = rules.Profile("medicare+" + rule_id, {**profile.severity, rule_id: rules.REGISTRY[rule_id].severity})
    return findings_of(check(text, profile))


def assert_fires_p(rule_id: str, cases: dict[str, tuple[Edit, str, Edit]]) -> None:
    """The rule's case fires it on an 837P claim, with its severity, its 277CA codes, at its segment."""
    edit, segment, _ = cases[rule_id]
    assert_hits(rule_id, [f for f in findings(edit(BASE_P), rule_id) if f.rule == rule_id], segment)


def assert_near_miss_is_quiet_p(rule_id: str, cases: dict[str, tuple[Edit, str, Edit]]) -> None:
    near_miss = cases[rule_id][2](BASE_P)
    assert near_miss != BASE_P, "a near miss that changes nothing cannot fail"
    assert [f.rule for f in findings(near_miss, rule_id) if f.rule == rule_id] == []
