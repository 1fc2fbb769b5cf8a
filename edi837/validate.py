"""Element-level guide checks (SNIP 1-2): usage, counts, lengths, data types, codes, syntax rules.

The checks and their 999 IK4 codes follow pyx12's validator (map_if/_segment.py, _composite.py,
_element.py, syntax.py, validation.py) so the two agree; where pyx12 is wrong we say so beside the
code. Results are memoized by (node, segment text): a file repeats most of its segments (payer,
provider, dates), and a repeated segment costs one dict lookup.
"""

from __future__ import annotations

import datetime as dt
import re

from .guide import CompositeSpec, ElementSpec, Node, external_codes
from .guide import load as load_guide
from .frozen import frozen
from .read import Segment

MEMO_LIMIT = 20_000  # entries per memo: enough for the segments a file repeats, small in memory
NUMBER_N = re.compile(r"-?[0-9]+\Z", re.ASCII)
NUMBER_R = re.compile(r"-?[0-9]*(\.[0-9]+)?\Z", re.ASCII)
# The 5010 extended character set (pyx12's rec_ID_E5): anything else is an invalid character.
BAD_CHAR = re.compile(r"""[^A-Z0-9!"&'()*+,\-\./:;?= a-z%~@\[\]_{}\\|<>^`#$]""", re.ASCII)
CONTROL = re.compile(r"[\x07\x09\x0a\x0b\x0c\x0d\x1c\x1d\x1e\x1f]")
DIGITS = re.compile(r"[0-9]+\Z", re.ASCII)


@frozen
class ElementError:
    code: str  # IK403
    position: str  # IK401: "5" or "5:2"
    data_element: str  # IK402
    ref: str  # e.g. SV205, SV202-02
    value: str
    message: str


def valid_date(v: str) -> bool:
    """CCYYMMDD, YYMMDD, or CCYYMMDDHHMM (pyx12 accepts the 12-digit date-time as a DT date)."""
    if len(v) not in (6, 8, 12) or not DIGITS.match(v):
        return False
    if len(v) == 6:
        v = ("20" if int(v[:2]) < 50 else "19") + v
    try:
        return dt.date(int(v[:4]), int(v[4:6]), int(v[6:8])).year >= 1800
    except ValueError:
        return False


def valid_time(v: str) -> bool:
    if not DIGITS.match(v) or len(v) not in (4, 6, 7, 8):
        return False
    return v[:2] <= "23" and v[2:4] <= "59" and (len(v) == 4 or v[4:6] <= "59")


def valid_type(v: str, data_type: str) -> bool:
    if data_type[0] == "N":
        return bool(NUMBER_N.match(v))
    if data_type == "R":
        return bool(NUMBER_R.match(v)) and v not in ("", "-")
    if data_type in ("ID", "AN"):
        return not BAD_CHAR.search(v)
    if data_type == "RD8":
        start, sep, end = v.partition("-")
        return bool(sep) and valid_date(start) and valid_date(end) and len(start) == len(end) == 8
    if data_type in ("DT", "D8", "D6"):
        return valid_date(v) and (data_type != "D8" or len(v) == 8) and (data_type != "D6" or len(v) == 6)
    if data_type == "TM":
        return valid_time(v)
    return True


def _err(spec: ElementSpec | CompositeSpec, code: str, position: str, value: str, message: str) -> ElementError:
    return ElementError(code, position, spec.data_ele, spec.ref, value, f"{spec.ref} {spec.name}: {message}")


class Memo:
    """A bounded memo that keeps what repeats: two generations, each up to `limit` entries.

    New entries go to the young generation; when it is full it becomes the old one (the previous old
    one is dropped) and a hit in the old generation is copied back. Values seen once (a claim's own
    CLM) age out; values that repeat (a payer's NM1) stay, however long the file."""

    __slots__ = ("young", "old", "limit")

    def __init__(self, limit: int = MEMO_LIMIT) -> None:
        self.young: dict = {}
        self.old: dict = {}
        self.limit = limit

    def get(self, key):  # noqa: ANN001, ANN201 (any hashable key, any value)
        hit = self.young.get(key)
        if hit is None:
            hit = self.old.get(key)
            if hit is not None:
                self.put(key, hit)
        return hit

    def put(self, key, value) -> None:  # noqa: ANN001
        young = self.young
        young[key] = value
        if len(young) >= self.limit:
            self.old, self.young = young, {}


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
            return [_err(spec, "1", position, "", "required, but missing")]
        return []
    if spec.usage == "N":
        return [_err(spec, "10", position, value, "is not used in this guide; leave it empty")]
    out = []
    measured = value.replace("-", "").replace(".", "") if spec.data_type == "R" or spec.data_type[0] == "N" else value
    if len(measured) < spec.min_len:
        out.append(_err(spec, "4", position, value, f'"{value}" is too short (at least {spec.min_len} characters)'))
    if len(measured) > spec.max_len:
        out.append(_err(spec, "5", position, value, f'"{value}" is too long (at most {spec.max_len} characters)'))
    if CONTROL.search(value):
        return out + [_err(spec, "6", position, value, "contains a control character")]
    if spec.data_type in ("AN", "ID") and value[-1] == " " and len(value.rstrip()) >= spec.min_len:
        out.append(_err(spec, "6", position, value, "has trailing spaces"))
    if (spec.codes or spec.external) and value not in spec.codes and not (
            spec.external and value in external_codes().get(spec.external, ())):
        out.append(_err(spec, "7", position, value, f'"{value}" is not a valid code here'))
    if not valid_type(value, spec.data_type):
        if spec.data_type in ("DT", "D8", "D6", "RD8"):
            out.append(_err(spec, "8", position, value, f'"{value}" is not a valid date (CCYYMMDD)'))
        elif spec.data_type == "TM":
            out.append(_err(spec, "9", position, value, f'"{value}" is not a valid time (HHMM)'))
        else:
            kind = "a number" if spec.data_type in ("R", "N0", "N2", "N") else "made of valid characters"
            out.append(_err(spec, "6", position, value, f'"{value}" is not {kind}'))
    if types and not any(valid_type(value, t) for t in types):
        if "TM" in types:
            out.append(_err(spec, "9", position, value, f'"{value}" is not a valid time'))
        elif {"RD8", "DT", "D8", "D6"} & set(types):
            out.append(_err(spec, "8", position, value, f'"{value}" does not match date format {"/".join(types)}'))
    if spec.regex and not re.search(spec.regex, value):
        out.append(_err(spec, "7", position, value, f'"{value}" must match {spec.regex} (e.g. a 9-digit ZIP+4)'))
    return out


def check_composite(spec: CompositeSpec, text: str | None, comp_sep: str, index: int) -> list[ElementError]:
    parts = text.split(comp_sep) if text else []
    empty = not any(parts)
    if empty:
        if spec.usage == "R":
            return [_err(spec, "1", str(index), "", "required, but missing")]
        return []
    if spec.usage == "N":  # pyx12 says 5 (too long); X12 says 10 (exclusion / not used)
        return [_err(spec, "10", str(index), text or "", "is not used in this guide; leave it empty")]
    out = []
    n = len(spec.components)
    if len(parts) > n:
        out.append(_err(spec, "3", str(index), text or "", f"has {len(parts)} components; at most {n}"))
    for j, comp in enumerate(spec.components):
        value = parts[j] if j < len(parts) else None
        out += check_element(comp, value, f"{index}:{j + 1}", in_composite=spec)
    return out


def syntax_error(kind: str, idx: tuple[int, ...], have: list[bool]) -> tuple[str, str] | None:
    """A broken segment syntax rule as (IK403 code, message), or None: `kind` is P R E C or L, `idx`
    the element numbers it names and `have[k]` whether element idx[k] is present."""
    if kind == "P" and any(have) and not all(have):
        return "2", f"if any of elements {_names(idx)} is present, all are required"
    if kind == "R" and not any(have):
        return "2", f"at least one of elements {_names(idx)} is required"
    if kind == "E" and sum(have) > 1:
        return "10", f"only one of elements {_names(idx)} may be present"
    if kind == "C" and have[0] and not all(have[1:]):
        return "2", f"when element {idx[0]:02d} is present, {_names(idx[1:])} are required"
    if kind == "L" and have[0] and not any(have[1:]):
        return "2", f"when element {idx[0]:02d} is present, one of {_names(idx[1:])} is required"
    return None


def _names(idx: tuple[int, ...]) -> str:
    return ", ".join(f"{i:02d}" for i in idx)


# How each element of a segment is checked (see `_plan`).
PLAIN, COMPOSITE, DTP_FORMAT, DTP_VALUE, TYPED_VALUE = range(5)


def _plan(node: Node) -> tuple[tuple, tuple, tuple]:
    """A segment node's checks, worked out once: per element (index, spec, mode, memo key prefix),
    its syntax rules as (rule, kind, element numbers), and the errors of its absent elements."""
    steps = []
    for i, spec in enumerate(node.elements, start=1):
        if isinstance(spec, CompositeSpec):
            mode = COMPOSITE
        elif node.id == "DTP" and i == 2:
            mode = DTP_FORMAT
        elif node.id == "DTP" and i == 3:
            mode = DTP_VALUE
        elif spec.data_ele == "1251":
            mode = TYPED_VALUE
        else:
            mode = PLAIN
        steps.append((i, spec, mode, id(spec)))
    syntax = tuple((rule, rule[0], tuple(int(rule[i:i + 2]) for i in range(1, len(rule), 2)))
                   for rule in node.syntax)
    # An absent element's errors depend on its spec alone ("required, but missing"): worked out here,
    # as `absent[n]` for every element after the n-th, so a segment's checks visit only what it has.
    missing = [tuple(check_composite(spec, None, "", i) if isinstance(spec, CompositeSpec)
                     else _check_element(spec, None, str(i), None, ())) for i, spec in enumerate(node.elements, 1)]
    absent = tuple(sum(missing[n:], ()) for n in range(len(missing) + 1))
    return tuple(steps), syntax, absent


_plans: dict[int, tuple[tuple, tuple, tuple]] = {}


def _validate(node: Node, seg: Segment) -> tuple[ElementError, ...]:
    plan = _plans.get(node.index)
    if plan is None:
        plan = _plans[node.index] = _plan(node)
    steps, syntax, absent = plan
    els = seg.elements
    specs = node.elements
    comp_sep = seg.delims.component
    out: list[ElementError] = []
    n = len(els) - 1
    if n > len(specs):
        out.append(ElementError("3", str(len(specs) + 1), "", f"{node.id}{len(specs) + 1:02d}", els[len(specs) + 1],
                                f"{node.id} has {n} elements; the guide allows {len(specs)}"))
    if n >= 1 and els[-1] == "":
        out.append(ElementError("3", str(n), "", f"{node.id}{n:02d}", "",
                                f"{node.id} ends with an empty element: remove the trailing separator(s)"))
    dtp_type: tuple[str, ...] = ()
    type_list: list[str] = []
    memo = _element_memo
    young = memo.young  # looked up directly: a method call per element would cost more than the check
    for i, spec, mode, sid in steps[:n]:
        value = els[i]
        if mode == COMPOSITE:
            out += check_composite(spec, value, comp_sep, i)
            continue
        if value and comp_sep in value:
            out.append(_err(spec, "6", str(i), value, "holds components, but is a simple element"))
            continue
        if spec.data_ele == "1250":
            type_list.extend(spec.codes)
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
        key = (sid, value, types)
        hit = young.get(key)
        if hit is None:
            hit = memo.get(key)
            if hit is None:
                hit = tuple(_check_element(spec, value, str(i), None, types))
                memo.put(key, hit)
            young = memo.young
        if hit:
            out += hit
    out += absent[min(n, len(specs))]  # the elements after the last one present
    for rule, kind, idx in syntax:
        bad = syntax_error(kind, idx, [i <= n and els[i] != "" for i in idx])
        if bad:
            code, msg = bad
            i0 = idx[0]
            spec = specs[i0 - 1] if i0 <= len(specs) else None
            out.append(ElementError(code, str(i0), spec.data_ele if spec else "", f"{node.id}{i0:02d}",
                                    "", f"{node.id} syntax rule {rule}: {msg}"))
    return tuple(out)


class SegmentMemo:
    """`validate_segment`'s answers for one component separator (a segment's text means the same only
    under one): a table per guide node, keyed by the segment's text as read.

    Bounded like `Memo`, two generations of at most `limit` entries. Generations turn over in place,
    so a caller may hold `young` and look there first."""

    __slots__ = ("young", "old", "size", "limit")

    def __init__(self, nodes: int, limit: int | None = None) -> None:
        self.young: list[dict[str, tuple[ElementError, ...]]] = [{} for _ in range(nodes)]
        self.old: list[dict[str, tuple[ElementError, ...]]] = [{} for _ in range(nodes)]
        self.size = 0
        self.limit = MEMO_LIMIT if limit is None else limit

    def add(self, index: int, raw: str, errors: tuple[ElementError, ...]) -> None:
        self.young[index][raw] = errors
        self.size += 1
        if self.size >= self.limit:
            self.old[:] = self.young
            self.young[:] = [{} for _ in self.old]
            self.size = 0


_segment_memos: dict[str, SegmentMemo] = {}


def segment_memo(component: str) -> SegmentMemo:
    """The memo for segments written with `component` as their component separator."""
    memo = _segment_memos.get(component)
    if memo is None:
        if len(_segment_memos) >= 4:  # interchanges with many separators: keep memory bounded
            _segment_memos.clear()
        memo = _segment_memos[component] = SegmentMemo(len(load_guide().nodes))
    return memo


def validate_segment(node: Node, seg: Segment) -> tuple[ElementError, ...]:
    """Every element-level error of `seg` against its guide node (memoized by node and text)."""
    memo = segment_memo(seg.delims.component)
    i, raw = node.index, seg.raw
    hit = memo.young[i].get(raw)
    if hit is None:
        hit = memo.old[i].get(raw)
        if hit is None:
            hit = _validate(node, seg)
        memo.add(i, raw, hit)
    return hit
