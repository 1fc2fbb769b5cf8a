"""pyx12 4.0.0 as a test oracle: its loop ids, its verdict, its errors, its 999.

pyx12 is slow and crashes on some inputs (see ../shared/domain/pyx12-notes.md); callers get a
`Pyx12Crash` they can mark as a documented exception instead of a traceback from deep inside it.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass, field

import pyx12.error_handler
import pyx12.map_if
import pyx12.params
import pyx12.x12context
import pyx12.x12n_document

BOM = "\ufeff"


class Pyx12Crash(Exception):
    pass


# pyx12 parses its XML map again on every call (0.7 s of a 0.72 s validation of a small file). Its map
# objects keep no state across a validation (the walker's counters live in the walker), so one parse per
# map serves every call: a test suite of thousands of oracle calls runs in a minute instead of ten.
_load_map_file = functools.lru_cache(maxsize=None)(pyx12.map_if.load_map_file)


def _cached_map(map_file: str, param: object, map_path: str | None = None) -> object:
    return _load_map_file(map_file, _PARAMS, map_path)


_PARAMS = pyx12.params.params()
pyx12.map_if.load_map_file = _cached_map


def _text(data: bytes | str) -> str:
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    if text.startswith("\xef\xbb\xbf"):
        text = text[3:]
    return text.lstrip(BOM)


def loop_ids(data: bytes | str) -> list[tuple[str, str]]:
    """(segment id, loop id) for every segment, as pyx12's X12ContextReader tags them."""
    params = _PARAMS
    errh = pyx12.error_handler.errh_null()
    out = []
    try:
        with pyx12.x12context.X12ContextReader(params, errh, io.StringIO(_text(data))) as reader:
            for node in reader.iter_segments():
                out.append((node.seg_data.get_seg_id(), node.x12_map_node.parent.id))
    except Exception as exc:  # pyx12's own failures are the finding here
        raise Pyx12Crash(f"{type(exc).__name__}: {exc}") from exc
    return out


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Verdict:
    ok: bool
    messages: list[str]
    ack: str  # the 999 pyx12 wrote
    seg_errors: set[tuple[int, str, str]] = field(default_factory=set)  # (IK302 position, IK301 id, IK304)
    ele_errors: set[tuple[int, str, str]] = field(default_factory=set)  # (IK302 position, IK401, IK403)
    ik5: list[str] = field(default_factory=list)  # IK501 per transaction set, in order


def _ack_errors(ack: str, verdict: Verdict) -> None:
    """Read pyx12's own 999: IK3 (position, segment id, code) and IK4 (position, element, code)."""
    pos = 0
    for seg in ack.replace("\n", "").split("~"):
        els = seg.split("*")
        if els[0] == "IK3":
            pos = int(els[2])
            if els[4] != "8":
                verdict.seg_errors.add((pos, els[1], els[4]))
        elif els[0] == "IK4":
            verdict.ele_errors.add((pos, els[1], els[3]))
        elif els[0] == "IK5":
            verdict.ik5.append(els[1])


def validate(data: bytes | str) -> Verdict:
    """pyx12's whole-file validation. Raises Pyx12Crash where pyx12 itself fails."""
    logger = logging.getLogger("pyx12")
    cap = _Capture()
    logger.addHandler(cap)
    ack = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(param=_PARAMS, src_file=io.StringIO(_text(data)),
                                              fd_997=ack, fd_html=None, fd_xmldoc=None)
    except Exception as exc:
        raise Pyx12Crash(f"{type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(cap)
    verdict = Verdict(ok=bool(ok), messages=cap.messages, ack=ack.getvalue())
    _ack_errors(verdict.ack, verdict)
    return verdict


def valid_or_why(data: bytes | str) -> tuple[bool, str]:
    """(pyx12 accepts `data`, its first reasons when it does not), a pyx12 crash counting as not valid."""
    try:
        verdict = validate(data)
    except Pyx12Crash as exc:
        return False, f"pyx12 fails on it: {exc}"
    return verdict.ok, "; ".join(verdict.messages[:3])


def validate_ack(data: str) -> Verdict:
    """Validate an answer we wrote (999, 277CA, 837) with pyx12's map for its GS08."""
    return validate(data)
