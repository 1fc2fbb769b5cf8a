"""The `edi837` command: one small function per command, shared options defined once."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from . import inputs, parallel, pipeline
from .build import BUILD
from .read import printable
from .write import export

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


def each_file(paths: tuple[str, ...], failed: Callable[[], None], exclude: tuple[str, ...] = ()) -> Iterator[str]:
    """The files PATHs name (see inputs.expand; folders in `exclude` are not entered), with the
    cycle collector run after each; what a folder holds that is not a file is skipped with a warning.
    A folder that cannot be listed, or a folder PATH with no input file, is an error line and a call
    of `failed` (the command then exits 2)."""
    def skipped(path: str, why: str) -> None:
        click.echo(f"warning: {printable(path)}: skipped: {why}", err=True)

    def unread(path: str, why: str) -> None:
        click.echo(f"error: {printable(path)}: {why}", err=True)
        failed()

    for path in inputs.expand(paths, skipped, exclude, unread):
        yield path
        gc.collect()
        gc.freeze()  # what is left (the guide, memos) is kept: the next file's collection skips it


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
def parse(paths: tuple[str, ...], fmt: str, jobs: int) -> None:
    """Read 837I files (or folders, or - for stdin) into typed ambulance claims.

    Exit 0 when every file was read, 2 when a file could not be read as an 837I (or a folder could not
    be listed, or held no input file), 130 when interrupted.
    """

    failed = False

    def fail() -> None:
        nonlocal failed
        failed = True

    out = sys.stdout
    render = export.claim_json if fmt == "json" else export.text_line
    if fmt == "json":
        out.write('{"files": [')
    for n, path in enumerate(each_file(paths, fail)):
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
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


profile_option = click.option("--profile", "profile_name", default="medicare", show_default=True,
                              metavar="NAME|FILE", help="Payer profile: a bundled name or a JSON file.")
today_option = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                            help="Date the future-date edits compare with (default: today).")


def _checker(profile_name: str, today: Any, keep_segments: bool = False) -> Any:
    from . import rules
    from .read import EdiError

    try:
        profile = rules.load_profile(profile_name)
    except EdiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    ctx = rules.Context(today=today.date()) if today else rules.Context()
    return pipeline.Checker(profile, ctx, keep_segments=keep_segments)


@main.command()
@paths_argument
@format_option("text", "json")
@profile_option
@today_option
@jobs_option
def check(paths: tuple[str, ...], fmt: str, profile_name: str, today: Any, jobs: int) -> None:
    """Check 837I files like a clearinghouse front end: per claim, accepted or rejected and why.

    Exit 0 when every claim is accepted, 1 when a claim or transaction set is rejected, 2 on a usage
    error, an unreadable file, a folder that cannot be listed or holds no input file; 130 when interrupted.
    """
    from .write import report

    checker = _checker(profile_name, today)
    summary = report.Summary()
    out = sys.stdout
    if fmt == "json":
        out.write('{"files": [')
    def fail() -> None:
        summary.unreadable += 1

    for n, path in enumerate(each_file(paths, fail)):
        items = pipeline.results(path, checker, jobs, functools.partial(report.render, fmt=fmt))
        if fmt == "text":
            report.write_text(printable(path), items, summary, click.echo)
        else:
            report.write_json(path, items, summary, out.write, first=not n)
    if fmt == "json":
        out.write(f'],\n"summary": {json.dumps(summary.as_dict())}}}\n')
        out.flush()
    else:
        click.echo(summary.text())
    sys.exit(summary.exit_code)


@main.command()
@click.argument("code", required=False)
@format_option("text", "markdown", "json")
def rules(code: str | None, fmt: str) -> None:
    """Print the rule catalog (claim rules and X12-level codes), or with CODE (AMB006, X12-IK4-7) one entry's page."""
    from . import guide_codes
    from . import rules as rules_mod
    from .write import catalog

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
              help="Clock for the answers (YYYYMMDDHHMM): byte-for-byte reproducible output, control numbers from the base.")
@jobs_option
def ack(paths: tuple[str, ...], out_dir: str, profile_name: str, today: Any, sender_id: str | None,
        receiver_id: str | None, config: str | None, fixed_time: Any, jobs: int) -> None:
    """Answer like a clearinghouse: NAME.999, NAME.277ca and NAME.accepted.837 for each input, in --out
    (a file found in a folder PATH keeps its sub-folders there: inbound/a/x.837 is answered in OUT/a/).

    Exit codes as for check.
    """
    from pathlib import Path

    from . import acknowledge, control
    from .read import EdiError
    from .write import report

    checker = _checker(profile_name, today or fixed_time, keep_segments=True)
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
    summary = report.Summary()
    named: set[str] = set()  # answer names of this run: no input's answers may overwrite another's

    def not_answered(path: str, why: str) -> None:
        click.echo(f"error: {printable(path)}: {why}", err=True)
        summary.files += 1
        summary.unreadable += 1

    def fail() -> None:
        summary.unreadable += 1

    for root in paths:
        folder = root if root != "-" and os.path.isdir(root) else None
        for path in each_file((root,), fail, exclude=(str(out),)):  # answers written into an input folder are not read back
            name = acknowledge.answer_name(path, folder)
            if name in named:
                not_answered(path, f"not answered: its answers would overwrite those of the earlier input answered as"
                                   f" {name} (give the files different names, or answer them apart)")
                continue
            named.add(name)
            before = dataclasses.replace(summary)  # the counts before this file (taken back if it is not answered)
            try:
                result = acknowledge.answer(path, checker, settings, numbers, out, summary, jobs, name)
            except (OSError, EdiError) as exc:  # not written (a full disk, a broken state file): none were left
                for field in dataclasses.fields(summary):  # its claims were not answered: not counted
                    setattr(summary, field.name, getattr(before, field.name))
                why = exc.strerror or exc if isinstance(exc, OSError) else exc
                not_answered(path, f"its answers could not be written to {out}: {why}")
                continue
            if result.error is not None:
                click.echo(f"error: {result.error}", err=True)
            claims = summary.claims - before.claims
            click.echo(f"{printable(path)}: {claims} claim{'s' * (claims != 1)}, {summary.accepted - before.accepted} accepted")
    click.echo(summary.text())
    sys.exit(summary.exit_code)
