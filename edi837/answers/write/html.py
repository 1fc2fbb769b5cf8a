"""`edi837 report`: one self-contained HTML file a billing clerk can act on (templates/report.html.j2).

Everything from the input is untrusted: the templates are rendered by Jinja2 with autoescape on, so
a patient named `<SCRIPT>` is text. The page holds no link to anything outside it (inline CSS, a
little inline JS for the rejected-only filter and the element names on hover).

Streamed: the claim cards are rendered one claim at a time (`Template.generate`) into an anonymous
spool file while the summary is counted; then the page is written chunk by chunk: its head, the
summary (now known), the cards copied from the spool, its foot. Memory holds one claim and the
summary's counts, whatever the number of claims.

Each claim's annotated 837 comes from edi837.engine.annotated (its subscriber/patient loops and its own
segments, with the findings attached). A claim with findings has every element in its own tag with
the guide's name as its title, those in error highlighted and linked to their finding; a clean
claim's segments are written as text, and the page's script puts the names on their elements when
the pointer first comes over them (from one table of the guide names the page uses), which keeps a
20,000-claim report small enough to open.

With the payer's answers (`report --responses`, edi837.answers.write.payer) each card gets a "Payer's
answer" section and the page ends with the answers that named no claim; without them the page is
byte for byte what it was (the section, its CSS and the end are left out, not rendered empty).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from markupsafe import Markup

from ...engine.annotated import ClaimSegments, element_names
from ...engine.results import ClaimResult, TransactionResult
from ...errors import printable
from ...findings import Finding
from ...x12 import guide as guide_mod
from .records import Leg, Record, claim_record, legs, tool_version

if TYPE_CHECKING:
    from .payer import ClaimAnswers, PayerAnswers

PROBLEM_LINKS = 20  # claims linked from a problem of the summary (the count says how many have it)
TOP_PROBLEMS = 15


@dataclass
class Problem:
    rule: str
    severity: str
    message: str  # the first one seen (messages of a rule differ by where they point)
    count: int = 0  # findings
    claims: int = 0  # claims that have it
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor, claim id, file), the first PROBLEM_LINKS


@dataclass
class ReportSummary:
    files: list[dict[str, Any]] = field(default_factory=list)  # path, claims, accepted, rejected, error
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    with_warnings: int = 0
    total_charge: Decimal = Decimal(0)
    rejected_charge: Decimal = Decimal(0)
    problems: dict[str, Problem] = field(default_factory=dict)

    def add(self, c: ClaimResult, anchor: str, file: str = "") -> None:
        self.claims += 1
        charge = c.claim.total_charge or Decimal(0)
        self.total_charge += charge
        if c.status == "rejected":
            self.rejected += 1
            self.rejected_charge += charge
        else:
            self.accepted += 1
            self.with_warnings += any(not f.is_error for f in c.all_findings)
        seen: set[str] = set()
        for f in c.all_findings:
            p = self.problems.get(f.rule)
            if p is None:
                p = self.problems[f.rule] = Problem(f.rule, f.severity, f.message)
            p.count += 1
            if f.rule not in seen:
                seen.add(f.rule)
                p.claims += 1
                if len(p.links) < PROBLEM_LINKS:
                    p.links.append((anchor, c.claim.claim_id, file))

    @property
    def several_files(self) -> bool:
        """Whether the report covers more than one file: then a link to a claim names its file too, since
        claim ids (CLM01, the provider's own numbers) repeat across files and the id alone is ambiguous.
        Decided from the file count rather than by collecting every id, which would cost memory per claim."""
        return len(self.files) > 1

    def top(self) -> list[Problem]:
        return sorted(self.problems.values(), key=lambda p: (-p.claims, -p.count, p.rule))[:TOP_PROBLEMS]


@dataclass
class Card:
    """What a claim's card shows: its record, its annotated segments, its findings by number."""

    anchor: str
    record: Record
    segments: list[Any]  # edi837.engine.annotated.AnnotatedSegment, findings attached
    finding_index: dict[Finding, int]  # a finding -> its number in record["findings"]
    detailed: bool  # every element in its own tag (a claim with findings)
    unmatched: bool  # its segments could not be read again (the file changed, or broke before it)
    total_segments: int = 0  # the claim's segments, of which `segments` are the first (edi837.engine.annotated.SHOWN_PER_CLAIM)
    legs: list[Leg] = field(default_factory=list)  # an 837P claim's trips (records.legs): a table when more than one
    payer: ClaimAnswers | None = None  # what the payer said of it (report --responses); None: no section

    @property
    def segments_cut(self) -> bool:
        """Whether only the first of the claim's segments are shown (a claim too long to show whole)."""
        return self.total_segments > len(self.segments)


def money(amount: Decimal | str | None) -> str:
    if amount is None or amount == "":
        return ""
    try:
        return f"${Decimal(amount):,.2f}"
    except ArithmeticError:
        return str(amount)


def pickup_zip(record: Record) -> str:
    """The card's pick-up ZIP: the ZIP, or why there is none. On an 837P it is 2310E's N403 (its address
    is on the card beside it). On an 837I, a value code A0 whose amount is not a ZIP
    is shown as invalid with the amount as given, never as "not given" (the clerk would look for a
    missing code instead of a wrong one). The amount is shown because the card is the billing office's
    (it already shows the patient) and the finding quotes it too; a ZIP is a place, not a person."""
    zip_code = record["ambulance"]["pickup_zip"]
    if zip_code:
        return str(zip_code)
    if record["claim_type"] == "837P":  # 2310E N403, a string: never padded
        if record["ambulance"]["pickup_address"] is None:
            return "not given (no 2310E pick-up location)"
        return "invalid: the pick-up N403 is not a 5- or 9-digit ZIP code (see the address)"
    given = next((v["amount"] for v in record["value_codes"] if v["code"] == "A0"), None)
    if given is None:
        return "not given (no value code A0)"
    return f'invalid: "{given}" is not a ZIP code' if given else "invalid: value code A0 has no amount"


def card(n: int, path: str, tx: TransactionResult, c: ClaimResult, segs: ClaimSegments | None) -> Card:
    found = c.all_findings
    index: dict[Finding, int] = {}
    for i, f in enumerate(found):
        index.setdefault(f, i)
    return Card(f"c{n}", claim_record(c, printable(path), tx), segs.segments if segs is not None else [], index,
                bool(found), segs is None, segs.total if segs is not None else 0, legs(c.claim))


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: PLC0415

    env = Environment(loader=PackageLoader("edi837", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["money"] = money
    env.filters["pickup_zip"] = pickup_zip
    _payer_filters(env)  # a template's filters are looked up when it is compiled, used or not
    return env


def guide_names(nodes: Iterable[int]) -> dict[str, dict[str, Any]]:
    """The guide's element names of the segment nodes a page uses, for its script:
    {node: {element: [ref, name, {component: [ref, name]}]}}."""
    g = guide_mod.load()
    out: dict[str, dict[str, Any]] = {}
    for n in sorted(nodes):
        out[str(n)] = {str(i): [ref, name, {str(k): list(v) for k, v in comps.items()}]
                       for i, (ref, name, comps) in element_names(g.nodes[n]).items()}
    return out


def script_json(value: Any) -> Markup:
    """JSON to put inside a <script> element: no "<", ">" or "&" that could end it early."""
    text = json.dumps(value, ensure_ascii=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


CHUNK = 1 << 16  # characters copied from the spool at a time
BATCH = 1024  # template chunks written to the spool at a time


def _payer_filters(env: Any) -> None:
    """The filters the payer's answers are shown with (edi837.answers.write.payer)."""
    from . import payer  # noqa: PLC0415 (as jinja2: only when a report is written)

    for name in ("kind", "names", "verdict", "words", "codes", "file_line"):
        env.filters["answer_" + name] = getattr(payer, name)
    env.filters["printable"] = printable


def write_report(cards: Iterable[tuple[str, TransactionResult, ClaimResult, ClaimSegments | None]],
                 files: list[dict[str, Any]], out: TextIO, title: str = "Pre-submission report",
                 answers: PayerAnswers | None = None) -> ReportSummary:
    """Render the report of `cards` (path, set, claim, its annotated segments) into `out`, streamed;
    `files` is filled while the cards are read (the file entries of the summary). With the payer's
    `answers`, each card gets a "Payer's answer" section and the page ends with the answers that
    named no claim; without, the page is what it was before issue 26, byte for byte."""
    env = _environment()
    summary = ReportSummary(files=files)
    nodes: set[int] = set()
    groups: dict[int, str] = {}  # {set number: GS06} of the file being read, for the 999s (payer.set_groups)
    current = None

    def each_card() -> Iterator[Card]:
        nonlocal groups, current
        for n, (path, tx, c, segs) in enumerate(cards, start=1):
            view = card(n, path, tx, c, segs)
            summary.add(c, view.anchor, view.record["file"])
            if answers is not None:
                if path != current:
                    groups, current = answers.set_groups(path), path
                view.payer = answers.for_claim(c.claim, tx.control, groups.get(tx.number, ""))
            if not view.detailed:
                nodes.update(s.node for s in view.segments if s.node >= 0)
            yield view

    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:  # 0600, and gone when closed
        batch: list[str] = []
        for chunk in env.get_template("claims.html.j2").generate(cards=each_card()):
            batch.append(chunk)
            if len(batch) >= BATCH:  # a write per template chunk cost a tenth of the time
                spool.write("".join(batch))
                batch.clear()
        spool.write("".join(batch))

        def body() -> Iterator[Markup]:
            spool.seek(0)
            while chunk := spool.read(CHUNK):
                yield Markup(chunk)  # noqa: S704 (rendered above by the autoescaping template)

        page = env.get_template("report.html.j2").generate(
            title=title, summary=summary, body=body(), names=script_json(guide_names(nodes)), payer=answers,
            version=tool_version(), generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
        for chunk in page:
            out.write(chunk)
    return summary
