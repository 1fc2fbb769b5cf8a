"""Element-level guide checks (SNIP 1-2): usage, counts, lengths, data types, codes, syntax rules.

The checks and their 999 IK4 codes follow pyx12's validator (map_if/_segment.py, _composite.py,
_element.py, syntax.py, validation.py) so the two agree; where pyx12 is wrong we say so beside the
code. Results are memoized by (node, segment text): a file repeats most of its segments (payer,
provider, dates), and a repeated segment costs one dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..frozen import frozen
from .datatypes import valid_type
from .fixes import NUMBER_FIX, SHAPES, code_fix, date_fix, length_fix, units
from .guide import CompositeSpec, ElementSpec, Node, external_codes
from .guide import load as load_guide
from .memo import Memo, segment_memo
from .read import Segment

CONTROL = re.compile(r"[\x07\x09\x0a\x0b\x0c\x0d\x1c\x1d\x1e\x1f]")


@frozen
class ElementError:
    code: str  # IK403
    position: str  # IK401: "5" or "5:2"
    data_element: str  # IK402
    ref: str  # e.g. SV205, SV202-02
    value: str  # the value in error, as written: reported in the finding's value field, never in `message`
    message: str  # the element's guide name and what is wrong, in a clerk's words; never quotes a value
    fix: str = ""  # how to put it right


# Messages never quote a value from the file: a value may be a patient's name, member id, birth date
# or diagnosis, and error lines and logs must not carry those. The value in error is the finding's
# `value` (the clerk's own report, and the 999's IK404, which the guide asks for).

def label(spec: ElementSpec | CompositeSpec) -> str:
    """An element as a clerk finds it in the guide: its name, then its reference ("Name Suffix (NM107)")."""
    return f"{spec.name} ({spec.ref})" if spec.name else spec.ref


def _err(spec: ElementSpec | CompositeSpec, code: str, position: str, value: str, message: str,
         fix: str) -> ElementError:
    """An error of `spec`: `message` says what is wrong after the element's label."""
    return ElementError(code, position, spec.data_ele, spec.ref, value, f"{label(spec)} {message}", fix)


ZIP9 = "[0-9]{9}"  # the one pattern the 837 maps carry (2010AA N403)


_element_memo = Memo()


def check_element(spec: ElementSpec, value: str | None, position: str, in_composite: CompositeSpec | None = None,
                  types: tuple[str, ...] = ()) -> tuple[ElementError, ...]:
    """One simple element (or component); `types` is the date/time format a qualifier chose (DTP02).

    Memoized by (spec, value, types): a spec always sits at one position in one composite, and most
    values repeat even where the segment as a whole does not (a claim's CLM, a patient's NM1)."""
    key = (id(spec), value, types)
    hit = _element_memo.get(key)
    if hit is None:
        hit = tuple(_check_element(spec, value, position, in_composite, types))
        _element_memo.put(key, hit)
    return hit


def _check_element(spec: ElementSpec, value: str | None, position: str, in_composite: CompositeSpec | None,
                   types: tuple[str, ...]) -> list[ElementError]:
    if not value:
        if spec.usage == "R" and (spec.seq != 1 or in_composite is None or in_composite.usage == "R"):
            return [_err(spec, "1", position, "", "is required but missing", f"fill in {spec.ref}")]
        return []
    if spec.usage == "N":
        return [_err(spec, "10", position, value, f"is not used in the {spec.guide} guide", f"leave {spec.ref} empty")]
    out = []
    numeric = spec.data_type == "R" or spec.data_type[0] == "N"
    length = len(value.replace("-", "").replace(".", "") if numeric else value)
    if length < spec.min_len:
        out.append(_err(spec, "4", position, value, f"is too short: {length} {units(spec, length)},"
                        f" at least {spec.min_len}", length_fix(spec)))
    if length > spec.max_len:
        out.append(_err(spec, "5", position, value, f"is too long: {length} {units(spec, length)},"
                        f" at most {spec.max_len}", length_fix(spec)))
    if CONTROL.search(value):
        return out + [_err(spec, "6", position, value, "contains a control character (a tab, a line break"
                           " or another invisible character)", f"remove the control character from {spec.ref}")]
    if spec.data_type in ("AN", "ID") and value[-1] == " " and len(value.rstrip()) >= spec.min_len:
        out.append(_err(spec, "6", position, value, "ends with spaces", f"remove the spaces at the end of {spec.ref}"))
    if (spec.codes or spec.external) and value not in spec.codes and not (
            spec.external and value in external_codes().get(spec.external, ())):
        out.append(_err(spec, "7", position, value, "is not a code the guide allows here", code_fix(spec)))
    if not valid_type(value, spec.data_type):
        if spec.data_type in ("DT", "D8", "D6", "RD8"):
            out.append(_err(spec, "8", position, value, "is not a valid date", date_fix(spec)))
        elif spec.data_type == "TM":
            out.append(_err(spec, "9", position, value, "is not a valid time", date_fix(spec)))
        elif numeric:
            out.append(_err(spec, "6", position, value, "is not a number",
                            NUMBER_FIX.get(spec.data_type, NUMBER_FIX["R"])))
        else:
            out.append(_err(spec, "6", position, value, "contains characters outside the X12 character set",
                            f"use only letters, digits, spaces and common punctuation in {spec.ref}"))
    if types and not any(valid_type(value, t) for t in types):
        if "TM" in types:
            out.append(_err(spec, "9", position, value, "is not a valid time", date_fix(spec, types)))
        elif {"RD8", "DT", "D8", "D6"} & set(types):
            out.append(_err(spec, "8", position, value, "is not in the date format its qualifier names"
                            f" ({' or '.join(SHAPES.get(t, t) for t in types)})", date_fix(spec, types)))
    if spec.regex and not re.search(spec.regex, value):
        if spec.regex == ZIP9:
            out.append(_err(spec, "7", position, value, "must be 9 digits: the ZIP code with its 4-digit"
                            " extension (ZIP+4)", f"write the full ZIP+4 in {spec.ref}: 9 digits, no hyphen"))
        else:
            out.append(_err(spec, "7", position, value, f"does not have the form the guide requires ({spec.regex})",
                            f"correct {spec.ref} to the form the guide requires"))
    return out


def check_composite(spec: CompositeSpec, text: str | None, comp_sep: str, index: int,
                    positions: tuple[str, ...]) -> list[ElementError]:
    """A composite element; `positions` are its components' IK401 positions ("2:1", "2:2" ...), as
    `component_positions` makes them."""
    parts = text.split(comp_sep) if text else []
    empty = not any(parts)
    if empty:
        if spec.usage == "R":
            return [_err(spec, "1", str(index), "", "is required but missing", f"fill in {spec.ref}")]
        return []
    if spec.usage == "N":  # pyx12 says 5 (too long); X12 says 10 (exclusion / not used)
        return [_err(spec, "10", str(index), text or "", f"is not used in the {spec.guide} guide", f"leave {spec.ref} empty")]
    out = []
    n = len(spec.components)
    if len(parts) > n:
        out.append(_err(spec, "3", str(index), text or "", f"has {len(parts)} components; the guide allows at most {n}",
                        f"remove the extra components at the end of {spec.ref}"))
    for j, comp in enumerate(spec.components):
        value = parts[j] if j < len(parts) else None
        out += check_element(comp, value, positions[j], in_composite=spec)
    return out


def component_positions(spec: CompositeSpec, index: int) -> tuple[str, ...]:
    return tuple(f"{index}:{j}" for j in range(1, len(spec.components) + 1))


def syntax_error(kind: str, idx: tuple[int, ...], have: list[bool], names: tuple[str, ...] = ()
                 ) -> tuple[str, str, str] | None:
    """A broken segment syntax rule as (IK403 code, message, fix), or None: `kind` is P R E C or L, `idx`
    the element numbers it names, `have[k]` whether element idx[k] is present and `names[k]` how to
    call it (its reference and guide name; the element number when not given)."""
    names = names or tuple(f"{i:02d}" for i in idx)
    if kind == "P" and any(have) and not all(have):
        if len(names) == 2:
            return ("2", f"if either {names[0]} or {names[1]} is present, both are required",
                    f"fill in both {_refs(names)}, or leave both empty")
        return ("2", f"if any of {_list(names)} is present, all are required",
                f"fill in all of {_refs(names)}, or leave them all empty")
    if kind == "R" and not any(have):
        return "2", f"at least one of {_list(names)} is required", f"fill in at least one of {_refs(names)}"
    if kind == "E" and sum(have) > 1:
        return ("10", f"only one of {_list(names)} may be present",
                f"leave all but one of {_refs(names)} empty")
    if kind == "C" and have[0] and not all(have[1:]):
        need = "is" if len(names) == 2 else "are"
        return ("2", f"when {names[0]} is present, {_list(names[1:])} {need} required",
                f"fill in {_refs(names[1:])}, or leave {_refs(names[:1])} empty")
    if kind == "L" and have[0] and not any(have[1:]):
        return ("2", f"when {names[0]} is present, at least one of {_list(names[1:])} is required",
                f"fill in one of {_refs(names[1:])}, or leave {_refs(names[:1])} empty")
    return None


def _list(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _refs(names: tuple[str, ...]) -> str:
    """The references alone ("NM108 and NM109"), for a fix."""
    return _list(tuple(n.split(" (")[0] for n in names))


def _syntax_names(node: Node, idx: tuple[int, ...]) -> tuple[str, ...]:
    """The elements a syntax rule names, as "NM108 (Identification Code Qualifier)"."""
    out = []
    for i in idx:
        spec = node.elements[i - 1] if i <= len(node.elements) else None
        ref = f"{node.id}{i:02d}"
        out.append(f"{ref} ({spec.name})" if spec is not None and spec.name else ref)
    return tuple(out)


# How each element of a segment is checked (see `Step`).
PLAIN, COMPOSITE, DTP_FORMAT, DTP_VALUE, TYPED_VALUE = range(5)


class Step:
    """How one element of a segment is checked: worked out once per guide node, so that checking a
    segment reads only these fields (compiled, they are plain C fields, where the guide's specs are
    Python objects)."""

    def __init__(self, node: Node, index: int, spec: ElementSpec | CompositeSpec) -> None:
        self.index = index
        self.position = str(index)  # IK401
        self.spec = spec
        self.key = id(spec)  # the element memo's key for the spec (see check_element)
        self.components: tuple[str, ...] = ()  # a composite's IK401 positions
        self.formats: tuple[str, ...] = ()  # a date/time format qualifier's codes (data element 1250)
        if isinstance(spec, CompositeSpec):
            self.mode = COMPOSITE
            self.components = component_positions(spec, index)
        elif node.id == "DTP" and index == 2:
            self.mode = DTP_FORMAT
        elif node.id == "DTP" and index == 3:
            self.mode = DTP_VALUE
        elif spec.data_ele == "1251":
            self.mode = TYPED_VALUE
        else:
            self.mode = PLAIN
        if isinstance(spec, ElementSpec) and spec.data_ele == "1250":
            self.formats = tuple(spec.codes)


class SyntaxRule:
    """One of a segment's syntax rules (P0102, R0203 ...): its kind, the elements it names, and how."""

    def __init__(self, node: Node, rule: str) -> None:
        self.rule = rule
        self.kind = rule[0]
        self.elements = tuple(int(rule[i:i + 2]) for i in range(1, len(rule), 2))
        self.names = _syntax_names(node, self.elements)


class Plan:
    """A segment node's checks, worked out once: a Step per element, its syntax rules, and the errors
    of its absent elements."""

    def __init__(self, node: Node) -> None:
        self.steps = [Step(node, i, spec) for i, spec in enumerate(node.elements, start=1)]
        self.syntax = [SyntaxRule(node, rule) for rule in node.syntax]
        # An absent element's errors depend on its spec alone ("required, but missing"): worked out here,
        # as `absent[n]` for every element after the n-th, so a segment's checks visit only what it has.
        missing = [tuple(check_composite(s.spec, None, "", s.index, s.components) if isinstance(s.spec, CompositeSpec)
                         else _check_element(s.spec, None, s.position, None, ())) for s in self.steps]
        self.absent = [sum(missing[n:], ()) for n in range(len(missing) + 1)]


_plans: dict[int, Plan] = {}


def _validate(node: Node, seg: Segment) -> tuple[ElementError, ...]:
    plan = _plans.get(node.index)
    if plan is None:
        plan = _plans[node.index] = Plan(node)
    els = seg.elements
    specs = node.elements
    comp_sep = seg.delims.component
    out: list[ElementError] = []
    n = len(els) - 1
    if n > len(specs):
        out.append(ElementError("3", str(len(specs) + 1), "", f"{node.id}{len(specs) + 1:02d}", els[len(specs) + 1],
                                f"segment {node.id} ({node.name}) has {n} elements; the guide allows {len(specs)}",
                                f"remove the elements after {node.id}{len(specs):02d}"))
    if n >= 1 and els[-1] == "":
        out.append(ElementError("3", str(n), "", f"{node.id}{n:02d}", "",
                                f"segment {node.id} ({node.name}) ends with an empty element",
                                "remove the element separator(s) at the end of the segment"))
    dtp_type: tuple[str, ...] = ()
    type_list: list[str] = []
    memo = _element_memo
    young = memo.young  # looked up directly: a method call per element would cost more than the check
    for step in plan.steps[:n]:
        value = els[step.index]
        mode = step.mode
        if mode == COMPOSITE:
            spec = step.spec
            assert isinstance(spec, CompositeSpec)
            out += check_composite(spec, value, comp_sep, step.index, step.components)
            continue
        if value and comp_sep in value:
            out.append(_err(step.spec, "6", step.position, value, "holds components, but is a single element",
                            f"write {step.spec.ref} as one value, without the component separator"))
            continue
        type_list += step.formats
        if mode == PLAIN:
            types: tuple[str, ...] = ()
        elif mode == DTP_FORMAT:
            if value in ("RD8", "D8", "D6", "DT", "TM"):
                dtp_type = (value,)
            types = ()
        elif mode == DTP_VALUE:
            types = dtp_type
        else:
            types = tuple(type_list)
        key = (step.key, value, types)
        hit = young.get(key)
        if hit is None:
            hit = memo.get(key)
            if hit is None:
                spec = step.spec
                assert isinstance(spec, ElementSpec)
                hit = tuple(_check_element(spec, value, step.position, None, types))
                memo.put(key, hit)
            young = memo.young
        if hit:
            out += hit
    out += plan.absent[min(n, len(specs))]  # the elements after the last one present
    for rule in plan.syntax:
        idx = rule.elements
        bad = syntax_error(rule.kind, idx, [i <= n and els[i] != "" for i in idx], rule.names)
        if bad:
            code, msg, fix = bad
            i0 = idx[0]
            first = specs[i0 - 1] if i0 <= len(specs) else None
            out.append(ElementError(code, str(i0), first.data_ele if first else "", f"{node.id}{i0:02d}",
                                    "", f"{node.id} syntax rule {rule.rule}: {msg}", fix))
    return tuple(out)


def segment_checker(component: str) -> Callable[[Node, Segment], tuple[ElementError, ...]]:
    """`validate_segment` for the segments written with `component` as their component separator,
    memoized by guide node and segment text (memo.SegmentMemo: a text means the same under one
    separator only). Take one per interchange; it is called once per segment."""
    memo = segment_memo(component, len(load_guide().nodes))
    young, old = memo.young, memo.old  # turned over in place: held here, looked in first

    def check(node: Node, seg: Segment) -> tuple[ElementError, ...]:
        i, raw = node.index, seg.raw
        hit = young[i].get(raw)
        if hit is None:
            hit = old[i].get(raw)
            if hit is None:
                hit = _validate(node, seg)
            memo.add(i, raw, hit)
        return hit

    return check


def validate_segment(node: Node, seg: Segment) -> tuple[ElementError, ...]:
    """Every element-level error of `seg` against its guide node (memoized by node and text)."""
    return segment_checker(seg.delims.component)(node, seg)
