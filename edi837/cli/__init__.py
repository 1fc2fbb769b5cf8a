"""The `edi837` command: one small function per command, shared options defined once."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from ..answers.write import export
from ..answers.write.report import claims_phrase
from ..build import BUILD
from ..check import inputs, parallel, pipeline
from ..x12.read import printable
from . import terminal

EXIT_OK, EXIT_ERROR = 0, 2  # 1 (something rejected) comes from report.Summary.exit_code
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a program stopped by Ctrl-C

paths_argument = click.argument("paths", nargs=-1, required=True, metavar="PATH...")


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
                        help="Output format.")


jobs_option = click.option(
    "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
    callback=lambda ctx, param, value: value or parallel.jobs_available(),
    help="Worker processes for a large file (split between its transaction sets); 0: one per CPU, 1: none.")


include_option = click.option(
    "--include", "include", multiple=True, default=inputs.INCLUDE, metavar="GLOB",
    help="Which files found in a folder are read: those whose name matches a GLOB (case-insensitive;"
         " repeatable; default: *.837 *.edi *.txt *.x12). The others are left alone and counted as skipped"
         " in the summary, not an error. A file named on the command line is always read.")


def each_file(paths: tuple[str, ...], failed: Callable[[], None], exclude: tuple[str, ...] = (),
              include: tuple[str, ...] = inputs.INCLUDE, left_out: Callable[[], None] | None = None) -> Iterator[str]:
    """The files PATHs name (see inputs.expand: of a folder's files those --include names; the
    `exclude` paths, the command's own outputs, and standard output sent to a file are never read
    nor entered), with the cycle
    collector run after each; a file a folder holds that --include does not name is a call of
    `left_out` (the summary counts it); what a folder holds that is not a file is skipped with a
    warning. A folder that cannot be listed, or a folder PATH with no input file, is an error line
    and a call of `failed` (the command then exits 2)."""
    def skipped(path: str, why: str) -> None:
        click.echo(f"warning: {printable(path)}: skipped: {why}", err=True)

    def unread(path: str, why: str) -> None:
        click.echo(f"error: {printable(path)}: {why}", err=True)
        failed()

    def not_included(path: str) -> None:
        if left_out is not None:
            left_out()

    outputs = (*exclude, *inputs.redirected_stdout())  # `check . > check.txt`: check.txt is not an input
    for path in inputs.expand(paths, skipped, outputs, unread, include=include, left_out=not_included):
        yield path
        gc.collect()
        gc.freeze()  # what is left (the guide, memos) is kept: the next file's collection skips it


def output_not_named(paths: tuple[str, ...], output: str) -> None:
    """Exit 2, before anything is written, when the output file is also named as a PATH: it would be
    read as an input and then written over. (Found in a folder PATH, it is skipped: see each_file.)"""
    for path in paths:
        if path != "-" and inputs.is_output(path, (output,)):
            click.echo(f"error: {printable(path)}: is also the output file (-o): an output is never read as"
                       " an input; write the output elsewhere", err=True)
            sys.exit(EXIT_ERROR)


class Commands(click.Group):
    """The command group: an output that cannot be written (a full disk) is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # Ctrl-C: not a verdict on the input (click would exit 1, "rejected")
            with contextlib.suppress(OSError):
                click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (`| head`): click ends quietly
                raise
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (nothing more can be written; nor at exit)
            with contextlib.suppress(OSError):
                click.echo(f"error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="edi837", prog_name="edi837",
                      message=f"%(prog)s, version %(version)s, {BUILD}")
def main() -> None:
    """Front-end checks for X12 837I (005010X223A2) hospital-based ambulance claims."""
    # What reading a file makes is freed by reference counting: a check, parse or ack of 20,000 claims
    # leaves no reference cycles (tests/test_pipeline.py). The cycle collector would only walk the claims held for an
    # open transaction set, again and again (a quarter of a large check), so it runs between files
    # instead; objects alive at start-up are frozen out of its walks. Workers inherit the setting.
    gc.freeze()
    gc.disable()
    click.get_current_context().call_on_close(gc.enable)  # for callers that go on (tests, embedding)


@main.command()
@paths_argument
@format_option("text", "json")
@jobs_option
@include_option
def parse(paths: tuple[str, ...], fmt: str, jobs: int, include: tuple[str, ...]) -> None:
    """Read 837I files (or folders, or - for stdin) into typed ambulance claims.

    Exit 0 when every file was read, 2 when a file could not be read as an 837I (or a folder could not
    be listed, or held no input file), 130 when interrupted. Files a folder holds that --include does
    not name are counted on standard error.
    """

    failed = False
    left = 0

    def fail() -> None:
        nonlocal failed
        failed = True

    def left_out() -> None:
        nonlocal left
        left += 1

    out = sys.stdout
    render = export.claim_json if fmt == "json" else export.text_line
    if fmt == "json":
        out.write('{"files": [')
    for n, path in enumerate(each_file(paths, fail, include=include, left_out=left_out)):
        claims = pipeline.rendered_claims(path, render, jobs)
        if fmt == "text":
            error = export.write_text(printable(path), claims, out.write)
        else:
            error = export.write_json(path, claims, out.write, first=not n)
        if error is not None:
            failed = True
            out.flush()
            click.echo(f"error: {error}", err=True)
    if fmt == "json":
        out.write("]}\n")
    out.flush()
    if left:
        click.echo(f"{left} file{'s' * (left != 1)} skipped (not --include)", err=True)
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


profile_option = click.option("--profile", "profile_name", default="medicare", show_default=True,
                              metavar="NAME|FILE", help="Payer profile: a bundled name or a JSON file.")
today_option = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                            help="Date the future-date edits compare with (default: today).")


def _checker(profile_name: str, today: Any, keep_segments: bool = False, watch: Any = None) -> Any:
    from .. import rules
    from ..x12.read import EdiError

    try:
        profile = rules.load_profile(profile_name)
    except EdiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    ctx = rules.Context(today=today.date()) if today else rules.Context()
    return pipeline.Checker(profile, ctx, keep_segments=keep_segments, watch=watch)


def _shown_summary(progress: terminal.NoProgress) -> Any:
    """A report.Summary that also moves the progress bar as each transaction set is counted."""
    from ..answers.write import report

    return report.Summary(on_counts=progress.decided)


@main.command()
@paths_argument
@format_option("text", "json")
@profile_option
@today_option
@jobs_option
@include_option
@terminal.options
def check(paths: tuple[str, ...], fmt: str, profile_name: str, today: Any, jobs: int, include: tuple[str, ...],
          term: terminal.Terminal) -> None:
    """Check 837I files like a clearinghouse front end: per claim, accepted or rejected and why.

    On a terminal a progress bar shows files, claims, rejected claims and the rate, and verdicts are
    coloured; --quiet prints the summary only, --verbose every claim and each file's time.

    Of the files a folder PATH holds, those --include names are read; the others are left alone and
    counted in the summary ("3 files skipped (not --include)"), which is not an error.

    Exit 0 when every claim is accepted, 1 when a claim or transaction set is rejected, 2 on a usage
    error, an unreadable file, a folder that cannot be listed or holds no input file; 130 when interrupted.
    """
    import time

    from ..answers.write import report

    def fail() -> None:
        summary.unreadable += 1

    def left_out() -> None:
        summary.skipped += 1

    def nothing(line: str) -> None:
        pass

    echo = nothing if term.quiet else term.echo
    with term.progress() as progress:
        checker = _checker(profile_name, today, watch=progress.watch)
        summary = _shown_summary(progress)
        out = sys.stdout  # inside the bar's block: on a terminal, lines print above the bar
        if fmt == "json":
            from ..answers.write.records import versions

            out.write(json.dumps(versions())[:-1] + ', "files": [')
        for n, path in enumerate(each_file(paths, fail, include=include, left_out=left_out)):
            progress.start_file(path)
            started, claims = time.monotonic(), summary.claims
            items = pipeline.results(path, checker, jobs,
                                     functools.partial(report.render, fmt=fmt, every=term.verbose))
            if fmt == "text":
                report.write_text(printable(path), items, summary, echo)
            else:
                report.write_json(path, items, summary, out.write, first=not n)
            progress.advance(files=1)
            if fmt == "text":
                took = time.monotonic() - started
                term.note(f"  checked in {took:.1f} s ({(summary.claims - claims) / max(took, 1e-9):,.0f} claims/s)")
        if fmt == "json":
            out.write(f'],\n"summary": {json.dumps(summary.as_dict())}}}\n')
            out.flush()
        else:
            term.echo(summary.text())
    sys.exit(summary.exit_code)


@main.command()
@click.argument("code", required=False)
@format_option("text", "markdown", "json")
def rules(code: str | None, fmt: str) -> None:
    """Print the rule catalog (claim rules and X12-level codes), or with CODE (AMB006, X12-IK4-7) one entry's page."""
    from .. import rules as rules_mod
    from ..answers.write import catalog
    from ..x12 import guide_codes

    if code is None:
        click.echo(catalog.render(rules_mod.catalog(), list(guide_codes.CODES), fmt), nl=False)
        return
    entry = catalog.find([*rules_mod.catalog(), *guide_codes.CODES], code)
    if entry is None:
        click.echo(f"error: no rule or X12 code {code!r}; `edi837 rules` lists them all", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(catalog.page(entry, fmt), nl=False)


@main.command()
@paths_argument
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the answers.")
@profile_option
@today_option
@click.option("--sender-id", help="The clearinghouse's id (ISA06/GS02 of the answers).")
@click.option("--receiver-id", help="The submitter's id (ISA08 of the answers; default: the input's ISA06).")
@click.option("--config", type=click.Path(dir_okay=False), help="JSON: sender_id, receiver_id, name, usage, first_control_number.")
@click.option("--fixed-time", type=click.DateTime(formats=["%Y%m%d%H%M"]), default=None,
              help="Clock for the answers (YYYYMMDDHHMM): byte-for-byte reproducible output, control numbers from the"
                   " base, and no record of what was answered (every input is answered again).")
@jobs_option
@include_option
@terminal.options
def ack(paths: tuple[str, ...], out_dir: str, profile_name: str, today: Any, sender_id: str | None,
        receiver_id: str | None, config: str | None, fixed_time: Any, jobs: int, include: tuple[str, ...],
        term: terminal.Terminal) -> None:
    """Answer like a clearinghouse: NAME.999, NAME.277ca and NAME.accepted.837 for each input, in --out
    (a file found in a folder PATH keeps its sub-folders there: inbound/a/x.837 is answered in OUT/a/).

    Run again into the same --out, it answers only what it has not: an input whose content was
    answered there is skipped ("already answered"), and one a stopped run (kill -9, a crash) was
    answering is answered again with the same control numbers, byte for byte (OUT/.edi837-ack.jsonl
    keeps what was answered; not with --fixed-time, which always answers again).

    Progress bar, colour, --quiet, --verbose and --include as for check; --out is never read as an
    input. Exit codes as for check.
    """
    from pathlib import Path

    from ..answers import control
    from ..x12.read import EdiError

    out = Path(out_dir)
    try:
        settings = control.load_settings(config, sender_id, receiver_id, fixed_time, out)
    except EdiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)  # the answers carry patient data
    except OSError as exc:
        click.echo(f"error: {out}: cannot make the answer folder: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        numbers = control.ControlNumbers(settings)
    except (EdiError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    with term.progress() as progress:
        _answer_all(paths, out, _checker(profile_name, today or fixed_time, keep_segments=True, watch=progress.watch),
                    settings, numbers, jobs, term, progress, include)


def _answer_all(paths: tuple[str, ...], out: Any, checker: Any, settings: Any, numbers: Any, jobs: int,
                term: terminal.Terminal, progress: terminal.NoProgress, include: tuple[str, ...]) -> None:
    """ack's loop: answer each file PATHs name into `out`, a line each (unless --quiet), then the summary."""
    from pathlib import Path

    from ..answers import acknowledge, answered, control
    from ..x12.read import EdiError

    summary = _shown_summary(progress)
    named: set[str] = set()  # answer names of this run: no input's answers may overwrite another's
    record = _ack_record(out, settings, numbers)  # what earlier runs answered here (none with --fixed-time)
    cleaned: set[Path] = set()  # answer folders whose leftover temporaries are removed
    already: list[Any] = []  # inputs answered before (answered.Outcome): not answered again

    def not_answered(path: str, why: str) -> None:
        click.echo(f"error: {printable(path)}: {why}", err=True)
        summary.files += 1
        summary.unreadable += 1

    def fail() -> None:
        summary.unreadable += 1

    def left_out() -> None:
        summary.skipped += 1

    for root in paths:
        folder = root if root != "-" and os.path.isdir(root) else None
        # answers written into an input folder are not read back
        for path in each_file((root,), fail, exclude=(str(out),), include=include, left_out=left_out):
            progress.start_file(path)
            name = acknowledge.answer_name(path, folder)
            if name in named:
                not_answered(path, f"not answered: its answers would overwrite those of the earlier input answered as"
                                   f" {name} (give the files different names, or answer them apart)")
                continue
            named.add(name)
            before = dataclasses.replace(summary)  # the counts before this file (taken back if it is not answered)
            if (out / name).parent not in cleaned:  # what a killed ack left half-written there
                cleaned.add((out / name).parent)
                acknowledge.remove_answer_temporaries((out / name).parent)
            try:
                outcome = answered.answer_once(path, name, record, checker, settings, numbers, out, summary, jobs)
            except control.NumbersUsedUp as exc:  # refused before anything was written: nothing else can be answered
                not_answered(path, f"not answered, nor any input after it: {exc}")
                term.echo(summary.text())
                sys.exit(EXIT_ERROR)
            except (OSError, EdiError) as exc:  # not written (a full disk, a broken state file): none were left
                for field in dataclasses.fields(summary):  # its claims were not answered: not counted
                    setattr(summary, field.name, getattr(before, field.name))
                why = exc.strerror or exc if isinstance(exc, OSError) else exc
                not_answered(path, f"its answers could not be written to {out}: {why}")
                continue
            if outcome.result is None:
                already.append(outcome)
                progress.advance(files=1)
                if not term.quiet:
                    term.echo(f"{printable(path)}: already answered (control numbers {outcome.control}-"
                              f"{outcome.control + 2}): not answered again")
                continue
            result = outcome.result
            if outcome.again:
                term.note(f"  a stopped run had begun it: answered again with its control numbers {outcome.control}"
                          f"-{outcome.control + 2}")
            if result.error is not None:
                click.echo(f"error: {result.error}", err=True)
            progress.advance(files=1)
            claims = summary.claims - before.claims
            if not term.quiet:
                term.echo(f"{printable(path)}: {claims_phrase(claims, summary.accepted - before.accepted)}")
            for suffix in acknowledge.SUFFIXES:
                answer = (out / name).parent / f"{Path(name).name}.{suffix}"
                if answer.exists():
                    term.note(f"  wrote {printable(str(answer))}")
    term.echo(summary.text())
    if already:
        term.echo(f"{len(already)} file{'s' * (len(already) != 1)} already answered into {printable(str(out))}:"
                  " not answered again")
    sys.exit(max(summary.exit_code, any(e.rejected for e in already)))  # a rejection answered before still exits 1


def _ack_record(out: Any, settings: Any, numbers: Any) -> Any:
    """The record of what `ack` answered into `out` (edi837.answers.answered), held under its lock, after
    removing the new control-number state a killed run left; None with --fixed-time (reproducible
    runs answer everything again). Another ack in `out`, or a damaged record, exits 2."""
    from ..answers import answered
    from ..x12.read import EdiError

    if settings.fixed_time is not None:
        return None
    try:
        numbers.remove_temporaries()
        record = answered.Record(out)
    except (answered.Busy, EdiError, OSError) as exc:
        why = f"{out}: {exc.strerror or exc}" if isinstance(exc, OSError) else exc
        click.echo(f"error: {why}", err=True)
        sys.exit(EXIT_ERROR)
    click.get_current_context().call_on_close(record.close)  # the lock is let go however the command ends
    return record


def _checked_claims(paths: tuple[str, ...], checker: Any, summary: Any, progress: terminal.NoProgress,
                    fail: Callable[[], None], files: list[dict[str, Any]], include: tuple[str, ...],
                    output: str | None) -> Iterator[tuple[str, Any, Any]]:
    """(path, transaction set, claim result) of every claim PATHs hold, in file order, each set as it
    is decided (read in one process); a file's error is one located line on standard error. Counts go
    into `summary` (with the files --include left out), and each file's entry (path, claims,
    accepted, rejected, error) into `files`. The `output` file, found in a folder PATH, is not read."""
    from ..check.results import GroupResult, InterchangeResult, TransactionResult
    from ..x12.read import EdiError

    def left_out() -> None:
        summary.skipped += 1

    for path in each_file(paths, fail, exclude=(output,) if output else (), include=include, left_out=left_out):
        progress.start_file(path)
        error = None
        before = dataclasses.replace(summary)
        for item in pipeline.results(path, checker):
            if isinstance(item, TransactionResult):
                summary.add_counts(len(item.claims), item.accepted, item.ack == "R")
                for c in item.claims:
                    yield path, item, c
            elif isinstance(item, (GroupResult, InterchangeResult)):
                summary.add_envelope(item)
            elif isinstance(item, EdiError):
                error = item
        summary.files += 1
        if error is not None:
            summary.unreadable += 1
            click.echo(f"error: {error}", err=True)
        files.append({"path": path, "claims": summary.claims - before.claims,
                      "accepted": summary.accepted - before.accepted, "rejected": summary.rejected - before.rejected,
                      "error": str(error) if error is not None else None})
        progress.advance(files=1)


@main.command("export")
@paths_argument
@format_option("json", "xml", "csv", "parquet")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (mode 0600) instead of standard output (parquet: required).")
@profile_option
@today_option
@include_option
@terminal.options
def export_command(paths: tuple[str, ...], fmt: str, output: str | None, profile_name: str, today: Any,
                   include: tuple[str, ...], term: terminal.Terminal) -> None:
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

    def fail() -> None:
        summary.unreadable += 1

    with term.progress() as progress, contextlib.ExitStack() as stack:
        summary = _shown_summary(progress)
        files: list[dict[str, Any]] = []
        out = stack.enter_context(formats.output_file(output)) if output else sys.stdout
        checker = _checker(profile_name, today, watch=progress.watch)
        writer = formats.WRITERS[fmt](out.write)
        for path, tx, c in _checked_claims(paths, checker, summary, progress, fail, files, include, output):
            writer.claim(records.claim_record(c, path, tx))
        writer.close(files, {k: v for k, v in summary.as_dict().items() if k not in ("envelope_errors", "skipped_files")})
        out.flush()
    if output and not term.quiet:
        term.echo(summary.text())
    sys.exit(summary.exit_code)


def _with_segments(claims: Iterator[tuple[str, Any, Any]]) -> Iterator[tuple[str, Any, Any, Any]]:
    """Each checked claim with its annotated segments (findings attached), read again beside the check."""
    from ..check.annotated import ClaimMatcher, attach

    matcher, current = None, None
    for path, tx, c in claims:
        if path != current:
            matcher, current = (ClaimMatcher(path) if path != "-" else None), path
        segs = matcher.find(tx.number, c.claim.where.position) if matcher is not None else None
        if segs is not None:
            attach(segs.segments, c.all_findings)
        yield path, tx, c, segs


@main.command()
@paths_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write (mode 0600: it carries patient data).")
@profile_option
@today_option
@include_option
@terminal.options
def report(paths: tuple[str, ...], output: str, profile_name: str, today: Any, include: tuple[str, ...],
           term: terminal.Terminal) -> None:
    """Write one self-contained HTML report a billing clerk can act on: a summary, a card per claim
    (the trip in words, the lines, each finding with how to fix it and its source) and each claim's
    annotated 837; printable, with a filter to show only rejected claims.

    Standard input (-) is checked, but its claims have no annotated 837 (it cannot be read twice).
    The -o file is never read as an input (in a folder PATH it is skipped, so `report . -o report.html`
    can run again; named as a PATH it is an error). Exit codes as for check.
    """
    from ..answers.write import html
    from ..answers.write.formats import output_file

    output_not_named(paths, output)

    def fail() -> None:
        summary.unreadable += 1

    with term.progress() as progress:
        summary = _shown_summary(progress)
        files: list[dict[str, Any]] = []
        checker = _checker(profile_name, today, watch=progress.watch)
        with output_file(output) as out:
            html.write_report(_with_segments(_checked_claims(paths, checker, summary, progress, fail, files, include,
                                                             output)), files, out)
    if not term.quiet:
        term.echo(f"{printable(output)}: {summary.text()}")
    sys.exit(summary.exit_code)


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@profile_option
@today_option
@terminal.options
def annotate(files: tuple[str, ...], profile_name: str, today: Any, term: terminal.Terminal) -> None:
    """Print each FILE segment by segment with its loop id and the guide's name, and each finding under
    the segment it points at (the report's annotated 837, as text), one file after the other. Prints
    the claims as written: treat the output as patient data. Exit codes as for check.
    """
    from ..answers.write import annotate_text

    summary = _shown_summary(terminal.NoProgress())
    refused = [file for file in files if file == "-" or not os.path.isfile(file)]
    for file in refused:  # all named before any is read: a typo costs no partial output
        why = ("no such file" if file != "-" and not os.path.lexists(file) else
               "annotate reads a file twice (once to check it, once to annotate it): give a regular file")
        click.echo(f"error: {printable(file)}: {why}", err=True)
    if refused:
        sys.exit(EXIT_ERROR)
    checker = _checker(profile_name, today)
    for file in files:
        for line in annotate_text.lines(file, pipeline.results(file, checker), summary):
            term.echo(line)
    if not term.quiet:
        term.echo(summary.text())
    sys.exit(summary.exit_code)


# -- the pipeline stage (edi837.stage) ----------------------------------------------------------------

@main.command()
@click.argument("inbox", required=False, type=click.Path(file_okay=False))
@click.option("--out", "outbox", type=click.Path(file_okay=False), help="OUTBOX: answers, archive, quarantine, ledger.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes over files; 0: one per CPU.")
@click.option("--watch", is_flag=True, help="Keep polling INBOX until SIGINT or SIGTERM (which finish the files in hand).")
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help="Seconds between looks at INBOX.")
@click.option("--settle", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Seconds a file's size and mtime must stay unchanged before it is read.")
@include_option
@profile_option
@click.option("--config", type=click.Path(dir_okay=False), help="JSON: sender_id, receiver_id, name, usage, first_control_number.")
@click.option("--status", "status_of", type=click.Path(file_okay=False), metavar="OUTBOX",
              help="Print the ledger of OUTBOX (what was answered, when, with which control numbers) and exit.")
@terminal.options
def run(inbox: str | None, outbox: str | None, workers: int, watch: bool, interval: float, settle: float,
        include: tuple[str, ...], profile_name: str, config: str | None, status_of: str | None,
        term: terminal.Terminal) -> None:
    """A clearinghouse pipeline stage: answer every file in INBOX exactly once, into OUTBOX.

    Per input: acks/NAME.999, acks/NAME.277ca, forward/NAME.accepted.837 (when a claim is accepted) and
    results/NAME.json, then the input moves to archive/ (or to quarantine/ with NAME.reason when it is
    not a readable 837I). A SQLite ledger (OUTBOX/ledger.sqlite) makes a rerun after a crash finish the
    work without answering anything twice.

    On a terminal a progress bar counts files, claims and rejected claims; --quiet prints the summary
    only, colour as for check.

    Exit 0 all answered and accepted, 1 a file quarantined or a claim or set rejected, 2 a usage error,
    an unusable INBOX or OUTBOX; 130 interrupted (a --watch run stopped by a signal exits 0 or 1).
    """
    from pathlib import Path

    from .. import rules, stage
    from ..answers import control
    from ..x12.read import EdiError

    if status_of is not None:
        try:
            for line in stage.status_lines(Path(status_of)):
                click.echo(line)
        except stage.Unusable as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        return
    if inbox is None or outbox is None:
        click.echo("error: give INBOX and --out OUTBOX (or --status OUTBOX); see edi837 run --help", err=True)
        sys.exit(EXIT_ERROR)
    try:
        rules.load_profile(profile_name)  # a bad profile stops the run before anything is claimed
        settings = control.load_settings(config, None, None, None, Path(outbox))
    except EdiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    options = stage.Options(Path(inbox), Path(outbox), settings, profile_name, workers or parallel.jobs_available(),
                            watch, interval, settle, include or stage.INCLUDE)
    def quiet(line: str) -> None:
        pass

    with term.progress() as progress:
        def counted(claims: int, rejected: int) -> None:
            progress.advance(files=1, claims=claims, rejected=rejected)

        runner = stage.Stage(options, log=quiet if term.quiet else term.echo, warn=term.error, counted=counted)
        try:
            code = runner.run()
        except stage.Unusable as exc:
            term.error(f"error: {exc}")
            sys.exit(EXIT_ERROR)
        for sig in (signal.SIGINT, signal.SIGTERM):  # the run is over: a late signal must not cut its summary
            signal.signal(sig, signal.SIG_IGN)
    term.echo(runner.summary_line)
    sys.exit(code)


def _export_parquet(paths: tuple[str, ...], output: str | None, profile_name: str, today: Any,
                    include: tuple[str, ...], term: terminal.Terminal) -> None:
    """`export --format parquet -o FILE`: the Arrow rows of edi837.answers.write.arrow (as edi837.spark makes them)
    in one Parquet file, for an analyst without Spark. Needs pyarrow (`pip install 'edi837[arrow]'`)."""
    from ..answers.write import report

    if not output:
        click.echo("error: --format parquet writes a file: give it with -o FILE", err=True)
        sys.exit(EXIT_ERROR)
    try:
        from ..answers.write import arrow
    except ImportError:
        click.echo("error: --format parquet needs pyarrow: pip install 'edi837[arrow]'", err=True)
        sys.exit(EXIT_ERROR)
    summary = report.Summary()
    failed = report.Summary()  # folders that could not be listed (each_file's `failed`)

    def fail() -> None:
        failed.unreadable += 1

    def left_out() -> None:
        summary.skipped += 1

    def written(row: dict[str, Any]) -> None:
        arrow.count(summary, row)
        if row["file_error"]:
            click.echo(f"error: {row['file_error']}", err=True)

    arrow.write_parquet(each_file(paths, fail, exclude=(output,), include=include, left_out=left_out), output,
                        _checker(profile_name, today), written)
    summary.unreadable += failed.unreadable
    if not term.quiet:
        term.echo(summary.text())
    sys.exit(summary.exit_code)
