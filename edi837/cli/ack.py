"""`edi837 ack`: answer like a clearinghouse, a 999, a 277CA and a forward 837 per input, each input
once into the same --out (the record of what was answered: edi837.answers.answered)."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..answers.write.report import claims_phrase
from ..errors import printable
from . import terminal
from .exits import EXIT_ERROR, CliError
from .inputs import each_file, shown_summary
from .options import checker, config_option, include_option, jobs_option, paths_argument, profile_option, today_option

if TYPE_CHECKING:
    import datetime as dt

    from ..answers.answered import Outcome, Record
    from ..answers.control import ControlNumbers, Settings
    from ..answers.write.report import Summary
    from ..engine.pipeline import Checker


@click.command()
@paths_argument
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the answers.")
@profile_option
@today_option
@click.option("--sender-id", help="The clearinghouse's id (ISA06/GS02 of the answers).")
@click.option("--receiver-id", help="The submitter's id (ISA08 of the answers; default: the input's ISA06).")
@config_option
@click.option("--fixed-time", type=click.DateTime(formats=["%Y%m%d%H%M"]), default=None,
              help="Clock for the answers (YYYYMMDDHHMM): byte-for-byte reproducible output, control numbers from the"
                   " base, and no record of what was answered (every input is answered again).")
@jobs_option
@include_option
@terminal.options
def ack(paths: tuple[str, ...], out_dir: str, profile_name: str, today: dt.datetime | None, sender_id: str | None,
        receiver_id: str | None, config: str | None, fixed_time: dt.datetime | None, jobs: int,
        include: tuple[str, ...], term: terminal.Terminal) -> None:
    """Answer like a clearinghouse: NAME.999, NAME.277ca and NAME.accepted.837 for each input, in --out
    (a file found in a folder PATH keeps its sub-folders there: inbound/a/x.837 is answered in OUT/a/).

    Run again into the same --out, it answers only what it has not: an input whose content was
    answered there is skipped ("already answered"), and one a stopped run (kill -9, a crash) was
    answering is answered again with the same control numbers, byte for byte (OUT/.edi837-ack.jsonl
    keeps what was answered; not with --fixed-time, which always answers again).

    Progress bar, colour, --quiet, --verbose and --include as for check; --out is never read as an
    input. Exit codes as for check.
    """
    from ..answers import control
    from ..errors import Edi837Error

    out = Path(out_dir)
    try:
        settings = control.load_settings(config, sender_id, receiver_id, fixed_time, out)
    except Edi837Error as exc:
        raise CliError(str(exc)) from None
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)  # the answers carry patient data
    except OSError as exc:
        raise CliError(f"{out}: cannot make the answer folder: {exc.strerror or exc}") from None
    try:
        numbers = control.ControlNumbers(settings)
    except (Edi837Error, OSError) as exc:
        raise CliError(str(exc)) from None
    with term.progress() as progress:
        checked = checker(profile_name, today or fixed_time, keep_segments=True, watch=progress.watch)
        answering = _Answering(out, checked, settings, numbers, jobs, term, progress)
        for root in paths:
            answering.root(root, include)
        answering.finish()


def _ack_record(out: Path, settings: Settings, numbers: ControlNumbers) -> Record | None:
    """The record of what `ack` answered into `out` (edi837.answers.answered), held under its lock, after
    removing the new control-number state a killed run left; None with --fixed-time (reproducible
    runs answer everything again). Another ack in `out`, or a damaged record, exits 2."""
    from ..answers import answered
    from ..errors import Edi837Error

    if settings.fixed_time is not None:
        return None
    try:
        numbers.remove_temporaries()
        record = answered.Record(out)
    except (answered.Busy, Edi837Error, OSError) as exc:
        raise CliError(f"{out}: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)) from None
    click.get_current_context().call_on_close(record.close)  # the lock is let go however the command ends
    return record


class _Answering:
    """ack's loop: answer each file PATHs name into `out`, a line each (unless --quiet), counting into
    one summary; `finish` prints the summary and exits."""

    def __init__(self, out: Path, checked: Checker, settings: Settings, numbers: ControlNumbers, jobs: int,
                 term: terminal.Terminal, progress: terminal.NoProgress) -> None:
        self.out, self.checked, self.settings, self.numbers, self.jobs = out, checked, settings, numbers, jobs
        self.term, self.progress = term, progress
        self.summary = shown_summary(progress)
        self.record = _ack_record(out, settings, numbers)  # what earlier runs answered here (none with --fixed-time)
        self.named: set[str] = set()  # answer names of this run: no input's answers may overwrite another's
        self.cleaned: set[Path] = set()  # answer folders whose leftover temporaries are removed
        self.already: list[Outcome] = []  # inputs answered before: not answered again

    def root(self, root: str, include: tuple[str, ...]) -> None:
        """Answer the files one PATH names (answers written into an input folder are not read back)."""
        folder = root if root != "-" and os.path.isdir(root) else None
        for path in each_file((root,), self.summary, include, exclude=(str(self.out),)):
            self.progress.start_file(path)
            self.file(path, folder)

    def file(self, path: str, folder: str | None) -> None:
        """Answer one input found in `folder` (None: named as a PATH), unless an earlier one took its name."""
        from ..answers import acknowledge

        name, why_not = acknowledge.name_answers(path, (folder,) if folder else (), self.named)
        if why_not is not None:
            self._not_answered(path, why_not)
            return
        before = dataclasses.replace(self.summary)  # the counts before this file (taken back if it is not answered)
        folder_out = (self.out / name).parent
        if folder_out not in self.cleaned:  # what a killed ack left half-written there
            self.cleaned.add(folder_out)
            acknowledge.remove_answer_temporaries(folder_out)
        outcome = self._answer(path, name, before)
        if outcome is None:
            return
        if outcome.result is None:
            self.already.append(outcome)
            self.progress.advance(files=1)
            if not self.term.quiet:
                self.term.echo(f"{printable(path)}: already answered (control numbers {outcome.control}-"
                               f"{outcome.control + 2}): not answered again")
            return
        self._answered(path, name, outcome, before)

    def _answer(self, path: str, name: str, before: Summary) -> Outcome | None:
        """answered.answer_once, counting into the summary; None when it could not be answered (an error
        line, and its counts taken back to `before`)."""
        from ..answers import answered, control
        from ..errors import Edi837Error

        try:
            return answered.answer_once(path, name, self.record, self.checked, self.settings, self.numbers,
                                        self.out, self.summary, self.jobs)
        except control.NumbersUsedUp as exc:  # refused before anything was written: nothing else can be answered
            self._not_answered(path, f"not answered, nor any input after it: {exc}")
            self.term.echo(self.summary.text())
            sys.exit(EXIT_ERROR)
        except (OSError, Edi837Error) as exc:  # not written (a full disk, a broken state file): none were left
            for field in dataclasses.fields(self.summary):  # its claims were not answered: not counted
                setattr(self.summary, field.name, getattr(before, field.name))
            why = exc.strerror or exc if isinstance(exc, OSError) else exc
            self._not_answered(path, f"its answers could not be written to {self.out}: {why}")
            return None

    def _answered(self, path: str, name: str, outcome: Outcome, before: Summary) -> None:
        """The lines of an input answered now: its error, its counts, with --verbose the answers written."""
        from ..answers import acknowledge

        if outcome.again:
            self.term.note(f"  a stopped run had begun it: answered again with its control numbers {outcome.control}"
                           f"-{outcome.control + 2}")
        if outcome.result is not None and outcome.result.error is not None:
            click.echo(f"error: {outcome.result.error}", err=True)
        self.progress.advance(files=1)
        claims = self.summary.claims - before.claims
        if not self.term.quiet:
            self.term.echo(f"{printable(path)}: {claims_phrase(claims, self.summary.accepted - before.accepted)}")
        for suffix in acknowledge.SUFFIXES:
            answer = (self.out / name).parent / f"{Path(name).name}.{suffix}"
            if answer.exists():
                self.term.note(f"  wrote {printable(str(answer))}")

    def _not_answered(self, path: str, why: str) -> None:
        """An input refused (its name taken, its answers not written): an error line, counted unreadable."""
        click.echo(f"error: {printable(path)}: {why}", err=True)
        self.summary.files += 1
        self.summary.unreadable += 1

    def finish(self) -> None:
        """Print the summary and exit: a rejection answered before (not again) still exits 1."""
        self.term.echo(self.summary.text())
        if self.already:
            n = len(self.already)
            self.term.echo(f"{n} file{'s' * (n != 1)} already answered into {printable(str(self.out))}:"
                           " not answered again")
        sys.exit(max(self.summary.exit_code, any(e.rejected for e in self.already)))
