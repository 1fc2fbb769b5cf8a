"""The commands that check claims and show the verdicts: `check` (a line per file, per rejected claim),
`export` (JSON, XML, CSV, Parquet), `report` (one HTML page) and `annotate` (the 837 with its findings)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import click

from ..engine import pipeline
from ..errors import printable
from . import terminal
from .exits import CliError
from .inputs import each_file, output_not_named, shown_summary
from .options import checker, format_option, include_option, jobs_option, paths_argument, profile_option, today_option

if TYPE_CHECKING:
    import datetime as dt

    from ..answers.write.payer import PayerAnswers
    from ..answers.write.records import Record
    from ..answers.write.report import Summary
    from ..engine.annotated import ClaimSegments
    from ..engine.pipeline import Checker
    from ..engine.results import ClaimResult, TransactionResult
    from ..responses import Response

Claims = Iterator[tuple[str, "TransactionResult", "ClaimResult"]]  # (path, its set, a claim's result)


@click.command()
@paths_argument
@format_option("text", "json")
@profile_option
@today_option
@jobs_option
@include_option
@terminal.options
def check(paths: tuple[str, ...], fmt: str, profile_name: str, today: dt.datetime | None, jobs: int,
          include: tuple[str, ...], term: terminal.Terminal) -> None:
    """Check 837I and 837P files like a clearinghouse front end: per claim, accepted or rejected and why.

    On a terminal a progress bar shows files, claims, rejected claims and the rate, and verdicts are
    coloured; --quiet prints the summary only, --verbose every claim and each file's time.

    Of the files a folder PATH holds, those --include names are read; the others are left alone and
    counted in the summary ("3 files skipped (not --include)"), which is not an error.

    Exit 0 when every claim is accepted, 1 when a claim or transaction set is rejected, 2 on a usage
    error, an unreadable file, a folder that cannot be listed or holds no input file; 130 when interrupted.
    """
    with term.progress() as progress:
        summary = shown_summary(progress)
        checked = checker(profile_name, today, watch=progress.watch)
        out = sys.stdout  # inside the bar's block: on a terminal, lines print above the bar
        if fmt == "json":
            from ..answers.write.records import versions

            out.write(json.dumps(versions())[:-1] + ', "files": [')
        for n, path in enumerate(each_file(paths, summary, include)):
            _check_file(path, n, checked, summary, fmt, jobs, term, progress)
        if fmt == "json":
            out.write(f'],\n"summary": {json.dumps(summary.as_dict())}}}\n')
            out.flush()
        else:
            term.echo(summary.text())
    sys.exit(summary.exit_code)


def _check_file(path: str, n: int, checked: Checker, summary: Summary, fmt: str, jobs: int,
                term: terminal.Terminal, progress: terminal.NoProgress) -> None:
    """`check`'s report of one file (the `n`th), its lines (not with --quiet) or its JSON entry, and
    with --verbose the time it took."""
    import time

    from ..answers.write import report

    progress.start_file(path)
    started, claims = time.monotonic(), summary.claims
    items = pipeline.results(path, checked, jobs, functools.partial(report.render, fmt=fmt, every=term.verbose))
    if fmt == "text":
        report.write_text(printable(path), items, summary, _nothing if term.quiet else term.echo)
    else:
        report.write_json(path, items, summary, sys.stdout.write, first=not n)
    progress.advance(files=1)
    if fmt == "text":
        took = time.monotonic() - started
        term.note(f"  checked in {took:.1f} s ({(summary.claims - claims) / max(took, 1e-9):,.0f} claims/s)")


def _nothing(line: str) -> None:
    """Where --quiet sends a file's lines."""


def _checked_claims(paths: tuple[str, ...], checked: Checker, summary: Summary, progress: terminal.NoProgress,
                    files: list[Record], include: tuple[str, ...], output: str | None) -> Claims:
    """(path, transaction set, claim result) of every claim PATHs hold, in file order, each set as it
    is decided (read in one process); a file's error is one located line on standard error. Counts go
    into `summary` (with the files --include left out), and each file's entry (path, claims,
    accepted, rejected, error) into `files`. The `output` file, found in a folder PATH, is not read."""
    from ..engine.results import GroupResult, InterchangeResult, TransactionResult
    from ..errors import Edi837Error

    for path in each_file(paths, summary, include, exclude=(output,) if output else ()):
        progress.start_file(path)
        error = None
        before = dataclasses.replace(summary)
        for item in pipeline.results(path, checked):
            if isinstance(item, TransactionResult):
                summary.fold(item)
                for c in item.claims:
                    yield path, item, c
            elif isinstance(item, (GroupResult, InterchangeResult)):
                summary.fold(item)
            elif isinstance(item, Edi837Error):
                error = item
        summary.file(unreadable=error is not None)
        if error is not None:
            click.echo(f"error: {error}", err=True)
        files.append({"path": path, "claims": summary.claims - before.claims,
                      "accepted": summary.accepted - before.accepted, "rejected": summary.rejected - before.rejected,
                      "error": str(error) if error is not None else None})
        progress.advance(files=1)


@click.command("export")
@paths_argument
@format_option("json", "xml", "csv", "parquet")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (mode 0600) instead of standard output (parquet: required).")
@profile_option
@today_option
@include_option
@terminal.options
def export_command(paths: tuple[str, ...], fmt: str, output: str | None, profile_name: str,
                   today: dt.datetime | None, include: tuple[str, ...], term: terminal.Terminal) -> None:
    """Export checked claims (their lines, the ambulance view and their findings) as JSON, XML, CSV or Parquet.

    JSON and XML follow the schemas in edi837/schemas/ (export.schema.json, export.xsd); CSV is one
    row per service line with the claim's fields repeated; Parquet (-o FILE, the `arrow` extra) holds
    the Arrow rows edi837.spark makes, a row per claim and per file (schemas/claims-arrow.md). The output carries patient data: -o writes
    it readable by its owner only. The -o file is never read as an input (in a folder PATH it is
    skipped; named as a PATH it is an error). Exit codes as for check.
    """
    from ..answers.write import formats, records

    if output:
        output_not_named(paths, output)
    if fmt == "parquet":
        _export_parquet(paths, output, profile_name, today, include, term)
    with term.progress() as progress, contextlib.ExitStack() as stack:
        summary = shown_summary(progress)
        files: list[Record] = []
        out = stack.enter_context(formats.output_file(output)) if output else sys.stdout
        checked = checker(profile_name, today, watch=progress.watch)
        writer = formats.WRITERS[fmt](out.write)
        for path, tx, c in _checked_claims(paths, checked, summary, progress, files, include, output):
            writer.claim(records.claim_record(c, path, tx))
        writer.close(files, {k: v for k, v in summary.as_dict().items() if k not in ("envelope_errors", "skipped_files")})
        out.flush()
    if output and not term.quiet:
        term.echo(summary.text())
    sys.exit(summary.exit_code)


def _export_parquet(paths: tuple[str, ...], output: str | None, profile_name: str, today: dt.datetime | None,
                    include: tuple[str, ...], term: terminal.Terminal) -> NoReturn:
    """`export --format parquet -o FILE`: the Arrow rows of edi837.answers.write.arrow (as edi837.spark makes them)
    in one Parquet file, for an analyst without Spark. Needs pyarrow (`pip install 'edi837[arrow]'`)."""
    from ..answers.write import report

    if not output:
        raise CliError("--format parquet writes a file: give it with -o FILE")
    try:
        from ..answers.write import arrow
    except ImportError:
        raise CliError("--format parquet needs pyarrow: pip install 'edi837[arrow]'") from None
    summary = report.Summary()

    def written(row: dict[str, object]) -> None:
        arrow.count(summary, row)
        if row["file_error"]:
            click.echo(f"error: {row['file_error']}", err=True)

    arrow.write_parquet(each_file(paths, summary, include, exclude=(output,)), output, checker(profile_name, today),
                        written)
    if not term.quiet:
        term.echo(summary.text())
    sys.exit(summary.exit_code)


def _with_segments(claims: Claims) -> Iterator[tuple[str, TransactionResult, ClaimResult, ClaimSegments | None]]:
    """Each checked claim with its annotated segments (findings attached), read again beside the check."""
    from ..engine.annotated import ClaimMatcher, attach

    matcher, current = None, None
    for path, tx, c in claims:
        if path != current:
            matcher, current = (ClaimMatcher(path) if path != "-" else None), path
        segs = matcher.find(tx.number, c.claim.where.position) if matcher is not None else None
        if segs is not None:
            attach(segs.segments, c.all_findings)
        yield path, tx, c, segs


@click.command()
@paths_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write (mode 0600: it carries patient data).")
@click.option("--responses", "responses", multiple=True, metavar="PATH",
              help="The payer's answers (TA1, 999, 277CA): a file, or a folder of *.999, *.277, *.277ca, *.ta1,"
                   " *.edi, *.txt and *.x12 files (repeatable). Each claim gets a \"Payer's answer\" section; answers that name"
                   " no claim are listed at the end.")
@profile_option
@today_option
@include_option
@terminal.options
def report(paths: tuple[str, ...], output: str, responses: tuple[str, ...], profile_name: str,
           today: dt.datetime | None, include: tuple[str, ...], term: terminal.Terminal) -> None:
    """Write one self-contained HTML report a billing clerk can act on: a summary, a card per claim
    (the trip in words, the lines, each finding with how to fix it and its source) and each claim's
    annotated 837; printable, with a filter to show only rejected claims.

    Standard input (-) is checked, but its claims have no annotated 837 (it cannot be read twice).
    The -o file is never read as an input (in a folder PATH it is skipped, so `report . -o report.html`
    can run again; named as a PATH it is an error). Exit codes as for check.

    With --responses, each claim's card shows what the payer said of it (its 277CA status, matched by
    the REF*D9 trace or by CLM01 and charge; its set's 999 verdict, by ST02 and GS06; a 999 error whose
    CTX names its CLM01), and the answers that name no claim of the report are listed at its end. The
    answers are read before the report is written: one that cannot be opened stops the command (exit 2).
    """
    from ..answers.write import html
    from ..answers.write.formats import output_file

    output_not_named(paths, output)
    answers = _payer_answers(responses, output) if responses else None
    with term.progress() as progress:
        summary = shown_summary(progress)
        files: list[Record] = []
        checked = checker(profile_name, today, watch=progress.watch)
        with output_file(output) as out:
            claims = _checked_claims(paths, checked, summary, progress, files, include, output)
            html.write_report(_with_segments(claims), files, out, answers=answers)
    if not term.quiet:
        term.echo(f"{printable(output)}: {summary.text()}")
    sys.exit(summary.exit_code)


def _payer_answers(paths: tuple[str, ...], output: str) -> PayerAnswers:
    """Every record of the answer files --responses names (of a folder's files, those named as answers
    or as 837s are but *.837, so that an `ack --out` folder's forward 837 is not taken for an answer),
    read whole before the report is written. A path that cannot be opened or a folder that
    holds no answer file is an error line (exit 2), before anything is written."""
    from ..answers.write.payer import PayerAnswers
    from ..engine import inputs
    from ..errors import InputError
    from ..responses import read

    failed: list[str] = []
    records: list[Response] = []
    named = (*inputs.RESPONSE_INCLUDE, *(glob for glob in inputs.INCLUDE if glob != "*.837"))
    for path in inputs.expand(paths, exclude=(output,), include=named,
                              failed=lambda p, why: failed.append(f"--responses {printable(p)}: {why}")):
        try:
            with inputs.open_input(path) as stream:
                records += read(stream, printable(path))
        except InputError as exc:
            failed.append(f"--responses {exc}")
    if failed:
        raise CliError(*failed)
    return PayerAnswers.from_records(records)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@profile_option
@today_option
@terminal.options
def annotate(files: tuple[str, ...], profile_name: str, today: dt.datetime | None, term: terminal.Terminal) -> None:
    """Print each FILE segment by segment with its loop id and the guide's name, and each finding under
    the segment it points at (the report's annotated 837, as text), one file after the other. Prints
    the claims as written: treat the output as patient data. Exit codes as for check.
    """
    from ..answers.write import annotate_text

    summary = shown_summary(terminal.NoProgress())
    refused = [f"{printable(file)}: {_not_annotated(file)}" for file in files if file == "-" or not os.path.isfile(file)]
    if refused:  # all named before any is read: a typo costs no partial output
        raise CliError(*refused)
    checked = checker(profile_name, today)
    for file in files:
        for line in annotate_text.lines(file, pipeline.results(file, checked), summary):
            term.echo(line)
    if not term.quiet:
        term.echo(summary.text())
    sys.exit(summary.exit_code)


def _not_annotated(file: str) -> str:
    """Why annotate refuses `file` (standard input, or not a regular file)."""
    if file != "-" and not os.path.lexists(file):
        return "no such file"
    return "annotate reads a file twice (once to check it, once to annotate it): give a regular file"
