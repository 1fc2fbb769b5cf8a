"""`edi837 run`: the pipeline stage (edi837.stage) as a command, and its --status."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..engine import inputs, parallel
from . import terminal
from .exits import CliError
from .options import config_option, format_option, include_option, profile_option

if TYPE_CHECKING:
    from ..answers.control import Settings


@click.command()
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
@config_option
@click.option("--status", "status_of", type=click.Path(file_okay=False), metavar="OUTBOX",
              help="Print the ledger of OUTBOX (what was answered, when, with which control numbers, and what the"
                   " payer said of each forwarded claim) and exit.")
@click.option("--overdue", multiple=True, metavar="[999=|277ca=]DAYS",
              help="With --status: days a forwarded claim may wait for the payer's 999 (default 2) and 277CA"
                   " (default 7) before it is overdue; DAYS alone sets both. Repeatable.")
@format_option("text", "json")
@terminal.options
def run(inbox: str | None, outbox: str | None, workers: int, watch: bool, interval: float, settle: float,
        include: tuple[str, ...], profile_name: str, config: str | None, status_of: str | None,
        overdue: tuple[str, ...], fmt: str, term: terminal.Terminal) -> None:
    """A clearinghouse pipeline stage: answer every file in INBOX exactly once, into OUTBOX.

    Per input: acks/NAME.999, acks/NAME.277ca, forward/NAME.accepted.837 (when a claim is accepted) and
    results/NAME.json, then the input moves to archive/ (or to quarantine/ with NAME.reason when it is
    not a readable 837I or 837P; a file may hold both). A SQLite ledger (OUTBOX/ledger.sqlite) makes a
    rerun after a crash finish the work without answering anything twice.

    On a terminal a progress bar counts files, claims and rejected claims; --quiet prints the summary
    only, colour as for check.

    Exit 0 all answered and accepted, 1 a file quarantined or a claim or set rejected, 2 a usage error,
    an unusable INBOX or OUTBOX; 130 interrupted (a --watch run stopped by a signal exits 0 or 1).
    """
    from .. import stage

    if status_of is not None:
        _print_status(Path(status_of), _overdue(overdue), fmt)
        return
    if inbox is None or outbox is None:
        raise CliError("give INBOX and --out OUTBOX (or --status OUTBOX); see edi837 run --help")
    options = stage.Options(Path(inbox), Path(outbox), _settings(profile_name, config, Path(outbox)), profile_name,
                            workers or parallel.jobs_available(), watch, interval, settle,
                            stage.INCLUDE if include == inputs.INCLUDE else include)  # the default: 837s and answers
    with term.progress() as progress:
        runner = stage.Stage(options, log=_quiet if term.quiet else term.echo, warn=term.error,
                             counted=progress.file_done)
        try:
            code = runner.run()
        except stage.Unusable as exc:
            raise CliError(str(exc)) from None
        for sig in (signal.SIGINT, signal.SIGTERM):  # the run is over: a late signal must not cut its summary
            signal.signal(sig, signal.SIG_IGN)
    term.echo(runner.summary_line)
    sys.exit(code)


def _print_status(outbox: Path, overdue: dict[str, float], fmt: str) -> None:
    """`run --status OUTBOX`: the ledger's lines, or its JSON (an OUTBOX that cannot be read: exit 2)."""
    from .. import stage

    try:
        if fmt == "json":
            click.echo(json.dumps(stage.status_json(outbox, overdue), indent=2))
            return
        for line in stage.status_lines(outbox, overdue):
            click.echo(line)
    except stage.Unusable as exc:
        raise CliError(str(exc)) from None


def _overdue(values: tuple[str, ...]) -> dict[str, float]:
    """--overdue values (DAYS, 999=DAYS, 277ca=DAYS) over the defaults."""
    from ..stage.payer import OVERDUE_DAYS

    out = dict(OVERDUE_DAYS)
    for value in values:
        kind, _, days = value.rpartition("=")
        kinds = {"": tuple(out), "999": ("999",), "277ca": ("277CA",)}.get(kind.lower())
        try:
            number = float(days)
        except ValueError:
            number = -1.0
        if kinds is None or not number >= 0:
            raise CliError(f"--overdue takes DAYS, 999=DAYS or 277ca=DAYS (a number of days, 0 or more), not"
                           f" {value!r}")
        out.update(dict.fromkeys(kinds, number))
    return out


def _settings(profile_name: str, config: str | None, outbox: Path) -> Settings:
    """The answers' settings (--config); a bad profile or config stops the run before anything is claimed."""
    from .. import rules
    from ..answers import control
    from ..errors import Edi837Error

    try:
        rules.load_profile(profile_name)
        return control.load_settings(config, None, None, None, outbox)
    except Edi837Error as exc:
        raise CliError(str(exc)) from None


def _quiet(line: str) -> None:
    """Where --quiet sends the stage's per-file lines."""
