"""A seeded mutator of 837 files (837I and 837P) and an in-process harness that runs each mutant through the engine.

Mutant `i` of seed `s` is made from `random.Random(f"{s}:{i}")` alone, so any one of them can be made
again from its seed and index (`python bench/fuzz.py --seed S --replay I`), whatever ran before it.
Each mutant is one of the bundled fixtures (837I, 837P and the mixed 837I + 837P interchange) or the
outside 837I and 837P ambulance samples, changed one to three times:
byte flips, inserted, dropped and duplicated bytes, segment and element swaps, delimiter changes,
truncation, huge values and bytes that are not UTF-8.

`run_one` reads a mutant like the three commands do (parse and check with the medicare profile, as
JSON for odd indices and as text for even ones; ack), in this process, and says what went wrong: an internal error (a defect of ours, see
edi837.engine.inputs.as_edi_error), an exception other than InputError, or a small input that took too long.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import random
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edi837 import rules
from edi837.answers import acknowledge, control
from edi837.answers.write import export, report
from edi837.engine import pipeline
from edi837.engine.pipeline import Checker, results
from edi837.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 22)
FIXED_TIME = dt.datetime(2026, 11, 22, 9, 30)
SLOW_SECONDS = 2.0  # no input under SMALL bytes may take longer (the three commands together)
SMALL = 100_000


def bases() -> list[tuple[str, bytes]]:
    """(name, bytes) of the files mutants are made from: the fixtures (837I, 837P, mixed), then the
    outside 837I samples and the outside 837P ambulance samples."""
    paths = sorted((ROOT / "fixtures").glob("*.837"))
    for folder in ("837i", "837p-ambulance"):
        samples = SHARED / "samples" / folder
        if samples.is_dir():
            paths += sorted(samples.iterdir())
    return [(p.name, p.read_bytes()) for p in paths if p.is_file()]


# -- the mutator -----------------------------------------------------------------------------------

@dataclass
class Shape:
    """Where a file's delimiters are (from its ISA when it has a fixed-width one, else the usual ones)."""

    element: bytes = b"*"
    component: bytes = b":"
    repetition: bytes = b"^"
    segment: bytes = b"~"
    isa_at: int = -1  # byte offset of the first ISA, -1 if none


def shape(data: bytes) -> Shape:
    at = data.find(b"ISA")
    if at < 0 or len(data) < at + 106:
        return Shape()
    isa = data[at:at + 106]
    return Shape(isa[3:4], isa[104:105], isa[82:83], isa[105:106], at)


HUGE = [b"9" * 40, b"1E40", b"-1E40", b"1E-40", b"99999999999999999.99", b"NaN", b"Infinity", b"-0",
        b"0" * 30 + b"1", b"\xb9\xb2\xb3", b"\xd9\xa1\xd9\xa2", b"12A", b"20261340", b"99991231", b"00000000",
        b"2026-13-01", b"-", b".", b"1.2.3", b" ", b"+5", b"1_000", b"\xef\xbc\x91"]
NON_UTF8 = [b"\x80", b"\xff", b"\xc3", b"\xc3\x28", b"\xe2\x82", b"\x85", b"\xa0", b"\x00", b"\x1a",
            b"\xef\xbb\xbf", b"\xfe\xff", b"\xed\xa0\x80", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x7f"]
TOKENS = [b"*", b":", b"~", b"^", b"\n", b"\r\n", b"|", b">", b"ISA", b"GS", b"ST", b"SE", b"GE", b"IEA", b"HL",
          b"CLM", b"LX", b"SV2", b"NM1", b"HI", b"~ISA*", b"~SE*", b"~GE*1*", b"~IEA*1*", b"~HL*9**23*0",
          b"~LX*2", b"~CLM*X*1"]


def _segments(data: bytes, s: Shape) -> list[bytes]:
    return data.split(s.segment)


def _join(parts: list[bytes], s: Shape) -> bytes:
    return s.segment.join(parts)


def _span(rng: random.Random, data: bytes, longest: int = 8) -> tuple[int, int]:
    start = rng.randrange(len(data) + 1)
    return start, min(len(data), start + rng.randint(1, longest))


def flip(rng: random.Random, data: bytes, s: Shape) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]


def insert_bytes(rng: random.Random, data: bytes, s: Shape) -> bytes:
    i = rng.randrange(len(data) + 1)
    junk = rng.choice([bytes(rng.randrange(256) for _ in range(rng.randint(1, 6))), rng.choice(TOKENS),
                       rng.choice(NON_UTF8)])
    return data[:i] + junk + data[i:]


def drop_bytes(rng: random.Random, data: bytes, s: Shape) -> bytes:
    a, b = _span(rng, data, 12)
    return data[:a] + data[b:]


def duplicate_bytes(rng: random.Random, data: bytes, s: Shape) -> bytes:
    a, b = _span(rng, data, 40)
    return data[:b] + data[a:b] * rng.choice([1, 1, 2, 5]) + data[b:]


def swap_segments(rng: random.Random, data: bytes, s: Shape) -> bytes:
    segs = _segments(data, s)
    if len(segs) < 3:
        return data
    a = rng.randrange(len(segs) - 1)
    b = a + 1 if rng.random() < 0.5 else rng.randrange(len(segs) - 1)
    segs[a], segs[b] = segs[b], segs[a]
    return _join(segs, s)


def drop_or_repeat_segment(rng: random.Random, data: bytes, s: Shape) -> bytes:
    segs = _segments(data, s)
    if len(segs) < 2:
        return data
    k = rng.randrange(len(segs) - 1)
    if rng.random() < 0.4:
        del segs[k]
    else:  # repeated: once, a few times, or a block of segments many times (a long claim)
        n = rng.choice([1, 1, 2, 3, 50, 400])
        width = rng.choice([1, 1, 2, 3])
        segs[k:k] = segs[k:k + width] * n
    return _join(segs, s)


def swap_elements(rng: random.Random, data: bytes, s: Shape) -> bytes:
    segs = _segments(data, s)
    k = rng.randrange(len(segs))
    els = segs[k].split(s.element)
    if len(els) < 3:
        return data
    a, b = rng.sample(range(1, len(els)), 2)
    els[a], els[b] = els[b], els[a]
    segs[k] = s.element.join(els)
    return _join(segs, s)


def change_element(rng: random.Random, data: bytes, s: Shape) -> bytes:
    """An element (or a component) blanked, lengthened, made huge or odd, or given extra parts."""
    segs = _segments(data, s)
    k = rng.randrange(len(segs))
    els = segs[k].split(s.element)
    j = rng.randrange(len(els))
    value = rng.choice([b"", rng.choice(HUGE), rng.choice(HUGE), b"X" * rng.choice([1, 80, 5000, 60000]),
                        els[j] + s.component + rng.choice([b"Z", b"", b"1E40"]), els[j] + s.repetition + els[j],
                        els[j] + rng.choice(NON_UTF8), rng.choice(TOKENS)])
    if rng.random() < 0.2:
        els.append(value)
    else:
        els[j] = value
    segs[k] = s.element.join(els)
    return _join(segs, s)


def change_delimiter(rng: random.Random, data: bytes, s: Shape) -> bytes:
    """One ISA delimiter changed: in the ISA alone (the file no longer agrees with it) or everywhere."""
    if s.isa_at < 0:
        return insert_bytes(rng, data, s)
    offsets = {"element": 3, "repetition": 82, "component": 104, "segment": 105}
    which = rng.choice(list(offsets))
    old = getattr(s, which)
    new = rng.choice([b"*", b":", b"^", b"~", b"|", b">", b"!", b"\n", b"\r", b" ", b"A", b"0", b"U",
                      b"\x1c", b"\x1d", b"\x1f", b"\x85", b"\xff", b"\x00"])
    if rng.random() < 0.5:
        at = s.isa_at + offsets[which]
        if which == "element":  # the element separator is read at byte 4; the others from its place
            return data[:s.isa_at + 3] + new + data[s.isa_at + 4:]
        return data[:at] + new + data[at + 1:]
    if which == "repetition":
        at = s.isa_at + 82
        return data[:at] + new + data[at + 1:]
    return data.replace(old, new)


def splice(rng: random.Random, data: bytes, s: Shape,
           donors: Callable[[], tuple[tuple[str, bytes], ...]] | None = None) -> bytes:
    """A segment replaced by one of the same id from another file (or one from another file added):
    values that are well formed somewhere, in a place where they may not be. The other file is one of
    `donors()` (the 837 bases unless told)."""
    segs = _segments(data, s)
    name, other = rng.choice((donors or _bases)())
    o = shape(other)
    theirs = [seg.strip() for seg in other.split(o.segment) if seg.strip()]
    if not theirs or len(segs) < 2:
        return data
    k = rng.randrange(len(segs) - 1)
    sid = segs[k].strip().split(s.element)[0]
    same = [t for t in theirs if t.split(o.element)[0] == sid]
    donor = rng.choice(same or theirs).replace(o.element, s.element).replace(o.component, s.component)
    if same and rng.random() < 0.7:
        segs[k] = donor
    else:
        segs.insert(k, donor)
    return _join(segs, s)


def tweak_value(rng: random.Random, data: bytes, s: Shape) -> bytes:
    """An element (or one component) changed a little: a digit, a letter's case, a character of the
    extended set, a space, a sign or a decimal point added, a character dropped."""
    segs = _segments(data, s)
    k = rng.randrange(len(segs))
    els = segs[k].split(s.element)
    if len(els) < 2:
        return data
    j = rng.randrange(1, len(els))
    parts = els[j].split(s.component)
    c = rng.randrange(len(parts))
    value = parts[c]
    i = rng.randrange(len(value) + 1)
    extra = rng.choice([b"0", b"9", b"1", b"A", b"z", b" ", b"-", b".", b"!", b"&", b"'", b"(", b"@", b"#", b"%",
                        b"=", b"?", b"/", b",", b";", b"+", b"\\", b'"', b"_", b"{", b"$"])
    choice = rng.randrange(5)
    if choice == 0 and value:
        value = value[:i] + value[i + 1:]
    elif choice == 1:
        value = value.lower() if value != value.lower() else value.upper()
    elif choice == 2 and value[:1].isdigit():
        value = rng.choice([b"-", b"0", b"00", b"."]) + value
    elif choice == 3 and value:
        value = value + rng.choice([b".", b".0", b".999", b"0", b"00", b" "])
    else:
        value = value[:i] + extra + value[i:]
    parts[c] = value
    els[j] = s.component.join(parts)
    segs[k] = s.element.join(els)
    return _join(segs, s)


def truncate(rng: random.Random, data: bytes, s: Shape) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def non_utf8(rng: random.Random, data: bytes, s: Shape) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice(NON_UTF8) * rng.choice([1, 1, 3]) + data[i:]


def line_breaks(rng: random.Random, data: bytes, s: Shape) -> bytes:
    """Line breaks or white space after terminators, a BOM, or padding: what transfer tools add."""
    choice = rng.randrange(4)
    if choice == 0:
        return data.replace(s.segment, s.segment + rng.choice([b"\n", b"\r\n", b"\r", b" ", b"\t"]))
    if choice == 1:
        return b"\xef\xbb\xbf" + data
    if choice == 2:
        return data + rng.choice([b"\x00", b"\x1a", b"\n", b"  "]) * rng.randint(1, 30)
    return rng.choice([b"\n", b" ", b"\x00"]) * rng.randint(1, 3) + data


MUTATIONS: dict[str, Callable[[random.Random, bytes, Shape], bytes]] = {
    "flip": flip, "insert": insert_bytes, "drop": drop_bytes, "duplicate": duplicate_bytes,
    "swap-segments": swap_segments, "drop-or-repeat-segment": drop_or_repeat_segment,
    "swap-elements": swap_elements, "change-element": change_element, "delimiter": change_delimiter,
    "truncate": truncate, "non-utf8": non_utf8, "white-space": line_breaks, "splice": splice,
    "tweak-value": tweak_value,
}
# Truncation ends most files early in the same few ways: rarer than the others.
WEIGHTS = {name: (1 if name == "truncate" else 3) for name in MUTATIONS}


@dataclass
class Mutant:
    seed: int
    index: int
    base: str
    ops: list[str]
    data: bytes

    @property
    def label(self) -> str:
        return f"seed {self.seed} index {self.index} ({self.base}: {', '.join(self.ops)})"


@functools.cache
def _bases() -> tuple[tuple[str, bytes], ...]:
    return tuple(bases())


def mutant(seed: int, index: int) -> Mutant:
    """Mutant `index` of `seed`: the same bytes every time."""
    rng = random.Random(f"{seed}:{index}")
    name, data = rng.choice(_bases())
    ops = rng.choices(list(MUTATIONS), weights=list(WEIGHTS.values()), k=rng.choice([1, 1, 1, 2, 2, 3]))
    for op in ops:
        data = MUTATIONS[op](rng, data, shape(data))
    return Mutant(seed, index, name, ops, data)


def mutants(seed: int, count: int, start: int = 0) -> Iterator[Mutant]:
    return (mutant(seed, i) for i in range(start, start + count))


# -- the harness -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    label: str
    size: int
    seconds: float
    problems: list[str] = field(default_factory=list)


@functools.cache
def _profile() -> rules.Profile:
    return rules.load_profile("medicare")


def _checker(keep: bool = False) -> Checker:
    return Checker(_profile(), rules.Context(today=TODAY), keep_segments=keep)


def _internal(item: object, what: str, problems: list[str]) -> None:
    if isinstance(item, InputError) and "internal error" in str(item):
        problems.append(f"{what}: {item}")


def run_parse(path: str, fmt: str, problems: list[str]) -> None:
    render = export.claim_json if fmt == "json" else export.text_line
    for item in pipeline.rendered_claims(path, render, 1):
        _internal(item, f"parse --format {fmt}", problems)


def run_check(path: str, fmt: str, problems: list[str]) -> dict:
    """`check --format fmt` of one file, as the CLI writes it; returns the file's JSON entry (fmt json)."""
    out = io.StringIO()
    items = results(path, _checker(), 1, functools.partial(report.render, fmt=fmt))
    summary = report.Summary()
    if fmt == "json":
        report.write_json(path, items, summary, out.write, first=True)
    else:
        report.write_text(path, items, summary, lambda line: out.write(line + "\n"))
    text = out.getvalue()
    if "internal error" in text:
        problems.append(f"check --format {fmt}: " + text[text.index("internal error"):][:300])
    return json.loads(text) if fmt == "json" else {}


def run_ack(path: str, out_dir: Path, problems: list[str]) -> None:
    settings = control.Settings(fixed_time=FIXED_TIME)
    result = acknowledge.answer(path, _checker(keep=True), settings, control.ControlNumbers(settings), out_dir,
                           report.Summary())
    _internal(result.error, "ack", problems)


def run_one(m: Mutant, work: Path) -> Outcome:
    """Parse and check (as JSON for odd indices, as text for even ones) and ack one mutant (written
    to `work`); what went wrong, and how long it took."""
    fmt = "json" if m.index % 2 else "text"
    path = work / "mutant.837"
    path.write_bytes(m.data)
    out_dir = work / "out"
    problems: list[str] = []
    started = time.perf_counter()
    try:
        run_parse(str(path), fmt, problems)
        run_check(str(path), fmt, problems)
        run_ack(str(path), out_dir, problems)
    except InputError as exc:  # not expected from the library calls here (they yield it), but not a defect
        if "internal error" in str(exc):
            problems.append(f"raised: {exc}")
    except Exception:  # noqa: BLE001 (the point of the harness)
        problems.append("exception: " + traceback.format_exc(limit=-4))
    seconds = time.perf_counter() - started
    if seconds > SLOW_SECONDS and len(m.data) < SMALL:
        problems.append(f"slow: {seconds:.2f} s for {len(m.data)} bytes")
    shutil.rmtree(out_dir, ignore_errors=True)
    return Outcome(m.label, len(m.data), seconds, problems)


@dataclass
class Tally:
    inputs: int = 0
    slowest: float = 0.0
    slowest_label: str = ""
    failures: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.inputs += 1
        if o.seconds > self.slowest:
            self.slowest, self.slowest_label = o.seconds, o.label
        if o.problems:
            self.failures.append(o)

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        if other.slowest > self.slowest:
            self.slowest, self.slowest_label = other.slowest, other.slowest_label
        self.failures += other.failures

    def text(self) -> str:
        lines = [f"{self.inputs} inputs, {len(self.failures)} failing, slowest {self.slowest:.3f} s"
                 f" ({self.slowest_label})"]
        for o in self.failures[:20]:
            lines.append(f"  {o.label}: {o.problems[0][:400]}")
        return "\n".join(lines)


def save(m: Mutant, folder: Path, suffix: str = ".837") -> Path:
    """Keep a failing mutant's bytes for the report (named by seed and index)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fuzz-{m.seed}-{m.index}{suffix}"
    path.write_bytes(m.data)
    return path


def run_range(seed: int, start: int, count: int, keep: Path | None = None) -> Tally:
    """Run mutants start .. start+count-1 of `seed` in this process; failing ones are saved in `keep`."""
    tally = Tally()
    work = Path(tempfile.mkdtemp(prefix="edi837-fuzz-"))
    try:
        for i in range(start, start + count):
            m = mutant(seed, i)
            o = run_one(m, work)
            if o.problems and all(p.startswith("slow:") for p in o.problems):
                o = run_one(m, work)  # timed again: a busy machine is no defect of ours
            tally.add(o)
            if o.problems and keep is not None:
                save(m, keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tally


def _run_range(args: tuple[int, int, int, str | None, bool]) -> Tally:
    seed, start, count, keep, responses = args
    run = run_response_range if responses else run_range
    return run(seed, start, count, Path(keep) if keep else None)


def run_many(seed: int, count: int, workers: int = 1, keep: Path | None = None, chunk: int = 500,
             start: int = 0, responses: bool = False) -> Tally:
    """Mutants start .. start+count-1 of `seed` (of the 837 bases, or with `responses` of the payer's
    answers: see response_mutant), split into chunks between `workers` processes."""
    end = start + count
    jobs = [(seed, first, min(chunk, end - first), str(keep) if keep else None, responses)
            for first in range(start, end, chunk)]
    tally = Tally()
    if workers <= 1:
        for job in jobs:
            tally.merge(_run_range(job))
        return tally
    import multiprocessing  # noqa: PLC0415

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for part in pool.imap_unordered(_run_range, jobs):
            tally.merge(part)
    return tally


def workers_available() -> int:
    return max(1, min(2, len(os.sched_getaffinity(0))))


def replay(seed: int, indices: Iterable[int]) -> list[Outcome]:
    work = Path(tempfile.mkdtemp(prefix="edi837-fuzz-"))
    try:
        return [run_one(mutant(seed, i), work) for i in indices]
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- answers: valid per pyx12, and agreeing with check ---------------------------------------------

STC_277 = re.compile(r"NM1\*QC\*[^~]*~TRN\*2\*([^~]*)~STC\*([^*~]*)\*[^*~]*\*(WQ|U)")
REJECTED_CATEGORIES = ("A3", "A6", "A7", "A8")


def verdicts_277(text: str) -> list[tuple[str, str, str]]:
    """(claim id, STC01-1, action) of every claim of a 277CA we wrote (our delimiters), in order."""
    return [(cid, stc.split(":")[0] + ":" + stc.split(":")[1] if ":" in stc else stc, action)
            for cid, stc, action in STC_277.findall(text.replace("\n", ""))]


def forwarded_claims(path: Path) -> list[str]:
    """CLM01 of every claim of a forward 837, read back with our own parser."""
    from edi837.engine.pipeline import parse_stream  # noqa: PLC0415

    with open(path, "rb") as fh:
        return [c.claim_id for c in parse_stream(fh, path.name)]


def answer_problems(m: Mutant, work: Path, validate: Callable[[bytes], tuple[bool, str]]) -> list[str]:
    """What is wrong with the answers to mutant `m`: an answer pyx12 finds invalid (`validate` gives
    its verdict and why), a 277CA verdict that differs from check's, a forward 837 that does not hold
    exactly the accepted claims."""
    from edi837.answers.write.values import fit  # noqa: PLC0415

    path = work / "mutant.837"
    path.write_bytes(m.data)
    out_dir = work / "out"
    shutil.rmtree(out_dir, ignore_errors=True)
    problems: list[str] = []
    checked = run_check(str(path), "json", problems)
    run_ack(str(path), out_dir, problems)
    answers = {p.suffix if p.suffix != ".837" else ".accepted.837": p for p in out_dir.iterdir()}
    for suffix, p in sorted(answers.items()):
        ok, why = validate(p.read_bytes())
        if not ok:
            problems.append(f"{suffix} invalid per pyx12: {why}")
    claims = checked["claims"]
    want = [(fit(c["claim_id"], "127") or "UNKNOWN", "accepted" if c["status"] == "accepted" else "rejected")
            for c in claims]
    got = []
    if ".277ca" in answers:
        for cid, stc, action in verdicts_277(answers[".277ca"].read_text("latin-1")):
            accepted = stc == "A2:20" and action == "WQ"
            if not accepted and (action != "U" or stc.split(":")[0] not in REJECTED_CATEGORIES):
                problems.append(f"277CA claim {cid}: STC {stc} action {action} is neither accepted nor rejected")
            got.append((cid, "accepted" if accepted else "rejected"))
    if got != want:
        problems.append(f"277CA verdicts {got[:6]} differ from check's {want[:6]}")
    accepted = sorted(c["claim_id"] for c in claims if c["status"] == "accepted")
    forwarded = sorted(forwarded_claims(answers[".accepted.837"])) if ".accepted.837" in answers else []
    if forwarded != accepted:
        problems.append(f"forward 837 holds {forwarded[:6]}, check accepted {accepted[:6]}")
    return problems


# -- the payer's answers: mutants of 999s and 277CAs read back -------------------------------------

RESPONSE_FOLDERS = ("999", "277ca")
# Segments of the answers' guides (and of the envelopes around them) inserted where they may not
# belong: a TA1 between groups, a CTX without its IK3, a 277CA's SVC before its claim, an 837 set.
RESPONSE_SEGMENTS = [
    b"TA1*000000001*261207*0930*A*000", b"TA1*000000009*261207*0930*R*022", b"AK1*HC*1*005010X223A2",
    b"AK2*837*0001*005010X223A2", b"IK3*CLM*22**8", b"CTX*CLM01:123", b"CTX*SITUATIONAL TRIGGER*CLM*43**5:3",
    b"IK4*2*782*1*X", b"IK5*R*5", b"IK5*A", b"AK9*R*1*1*0", b"HL*9*1*21*1", b"HL*9*2*19*1", b"HL*9*3*PT",
    b"TRN*2*X1", b"STC*A7:562:85*20261207*U*10", b"STC*A2:20*20261207*WQ*10", b"REF*1K*X", b"REF*D9*X",
    b"SVC*HC:A0427:RH*10", b"QTY*90*1", b"DTP*472*D8*20261207", b"NM1*QC*1*NAME*GIVEN****MI*ID1",
    b"GS*FA*A*B*20261207*0930*1*X*005010X231A1", b"GS*HN*A*B*20261207*0930*1*X*005010X214",
    b"GS*HC*A*B*20261207*0930*1*X*005010X223A2", b"ST*999*0001*005010X231A1", b"ST*277*0001*005010X214",
    b"ST*837*0001*005010X223A2", b"SE*3*0001", b"GE*1*1", b"IEA*1*000000001",
]
RESPONSE_CODE = re.compile(r"X12-(IK3-[0-9]+|IK4-[0-9]+|ENV-(IN|GR|TR)[0-9]+)\Z|unreadable\Z")


def response_bases() -> list[tuple[str, bytes]]:
    """(name, bytes) of the answers response mutants are made from: the outside 999 and 277CA samples,
    then the 999 and 277CA edi837 writes for each fixture (at FIXED_TIME, so the same every run)."""
    import edi837  # noqa: PLC0415

    out = []
    for folder in RESPONSE_FOLDERS:
        samples = SHARED / "samples" / folder
        if samples.is_dir():
            out += [(p.name, p.read_bytes()) for p in sorted(samples.iterdir()) if p.is_file()]
    for path in sorted((ROOT / "fixtures").glob("*.837")):
        answers = edi837.answer(str(path), control.Settings(fixed_time=FIXED_TIME), today=TODAY)
        out += [(f"{path.name}.{kind}", data) for kind, data in (("999", answers.ack999), ("277ca", answers.ack277))
                if data]
    return out


@functools.cache
def _response_bases() -> tuple[tuple[str, bytes], ...]:
    return tuple(response_bases())


def insert_segment(rng: random.Random, data: bytes, s: Shape) -> bytes:
    """One of the answers' segments (RESPONSE_SEGMENTS, in the file's delimiters) put between two segments."""
    segs = _segments(data, s)
    new = rng.choice(RESPONSE_SEGMENTS).replace(b"*", s.element).replace(b":", s.component)
    segs.insert(rng.randrange(len(segs) + 1), new)
    return _join(segs, s)


RESPONSE_MUTATIONS: dict[str, Callable[[random.Random, bytes, Shape], bytes]] = {
    **MUTATIONS, "splice": functools.partial(splice, donors=_response_bases), "insert-segment": insert_segment}
RESPONSE_WEIGHTS = {name: (1 if name == "truncate" else 3) for name in RESPONSE_MUTATIONS}


def response_mutant(seed: int, index: int) -> Mutant:
    """Response mutant `index` of `seed` (a stream of its own: not mutant(seed, index)'s)."""
    rng = random.Random(f"responses:{seed}:{index}")
    name, data = rng.choice(_response_bases())
    ops = rng.choices(list(RESPONSE_MUTATIONS), weights=list(RESPONSE_WEIGHTS.values()),
                      k=rng.choice([1, 1, 1, 2, 2, 3]))
    for op in ops:
        data = RESPONSE_MUTATIONS[op](rng, data, shape(data))
    return Mutant(seed, index, name, ops, data)


ENVELOPE_SEGMENTS = (b"ISA", b"GS", b"ST", b"SE", b"GE", b"IEA")


def patient_values(data: bytes) -> set[str]:
    """A 277CA's patient names and member ids (NM1*QC: NM103, NM104, NM105, NM109) of four characters or
    more with a letter, that no envelope element also holds (an envelope message may quote its own)."""
    s = shape(data)
    segs = [seg.strip().split(s.element) for seg in data.split(s.segment)]
    envelope = {e for els in segs if els[0] in ENVELOPE_SEGMENTS for e in els}
    found = {els[i] for els in segs if els[:2] == [b"NM1", b"QC"] for i in (3, 4, 5, 9) if i < len(els)}
    return {v.decode("latin-1") for v in found - envelope if len(v) >= 4 and re.search(rb"[A-Za-z]", v)}


def response_problems(records: list, patient: set[str] | tuple[str, ...] = ()) -> list[str]:
    """What is wrong with the records read from an answer: a message or plain words that speak of an
    internal error or carry one of `patient` (its NM1*QC names and ids), a Problem code of no known
    form, an "unreadable" Problem that is not the last record (it ends the file), a record that is not
    located."""
    from edi837.responses import Problem  # noqa: PLC0415

    problems = []
    for i, r in enumerate(records):
        text = r.message if isinstance(r, Problem) else r.words  # words: every code through status_codes
        if "internal error" in text:
            problems.append(f"{type(r).__name__}: {text[:300]}")
        if any(v in text for v in patient):
            problems.append(f"{type(r).__name__} {getattr(r, 'code', '')}: a patient's name or id in its words")
        if isinstance(r, Problem) and not RESPONSE_CODE.match(r.code):
            problems.append(f"Problem code {r.code!r} of no known form")
        if isinstance(r, Problem) and r.code == "unreadable" and i != len(records) - 1:
            problems.append("records after an unreadable Problem")
        if not isinstance(r, Problem) and r.line < 1:
            problems.append(f"{type(r).__name__} at line {r.line}")
    return problems


def run_response(m: Mutant) -> Outcome:
    """Read one response mutant through edi837.read_responses: no exception, and sound records."""
    import edi837  # noqa: PLC0415

    problems: list[str] = []
    started = time.perf_counter()
    try:
        problems += response_problems(list(edi837.read_responses(m.data, f"mutant-{m.index}")),
                                      patient_values(m.data))
    except Exception:  # noqa: BLE001 (the point of the harness)
        problems.append("exception: " + traceback.format_exc(limit=-4))
    seconds = time.perf_counter() - started
    if seconds > SLOW_SECONDS and len(m.data) < SMALL:
        problems.append(f"slow: {seconds:.2f} s for {len(m.data)} bytes")
    return Outcome(m.label, len(m.data), seconds, problems)


def run_response_range(seed: int, start: int, count: int, keep: Path | None = None) -> Tally:
    """Response mutants start .. start+count-1 of `seed` in this process; failing ones kept in `keep`."""
    tally = Tally()
    for i in range(start, start + count):
        m = response_mutant(seed, i)
        o = run_response(m)
        if o.problems and all(p.startswith("slow:") for p in o.problems):
            o = run_response(m)  # timed again: a busy machine is no defect of ours
        tally.add(o)
        if o.problems and keep is not None:
            save(m, keep, ".x12")
    return tally


def replay_responses(seed: int, indices: Iterable[int]) -> list[Outcome]:
    return [run_response(response_mutant(seed, i)) for i in indices]
