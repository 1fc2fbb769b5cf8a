"""The terminal: a progress bar, colour, --quiet and --verbose, for every command that runs long.

On a terminal a command shows a progress bar (the file being read, files, claims and rejected claims
so far, claims a second) and colours ACCEPTED / REJECTED / WARNING / ERROR. Not on a terminal it
shows neither: its lines are written exactly as before, byte for byte, so pipes, files and the golden
outputs see no change. Colour follows `--color auto|always|never`; `auto` colours a terminal unless
`NO_COLOR` is set (https://no-color.org).

The API a command uses (stable; `edi837 run` shares it):

    @terminal.options                        # --color, --quiet, --verbose; passes `term`
    def check(..., term: terminal.Terminal):
        with term.progress() as progress:    # a bar on a terminal, a no-op object otherwise
            progress.start_file(path)        # shows its name; bytes read against its size
            progress.advance(files=1, claims=n, rejected=r)
            progress.checked(claim_result)   # one claim, live (pipeline.Checker's `watch`)
            progress.decided(claims, rejected)  # a set decided: its counts made exact
            term.echo(line)                  # a report line (coloured on a terminal), above the bar
            term.note(line)                  # --verbose only
        term.console                         # rich Console on standard output, for coloured lines

The bar goes to standard output when that is a terminal (the report's lines print above it), else to
standard error when that is one (standard output then gets plain lines); with neither, no bar. It is
transient: gone when the command ends, leaving the report and its summary. `rich` draws it; nothing
here writes escape codes by hand.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    from ..engine.results import ClaimResult

COLORS = ("auto", "always", "never")

# What is coloured, and how: the verdict words the report lines start with.
STYLES = {"ACCEPTED": "green", "accepted": "green", "REJECTED": "bold red", "rejected": "bold red",
          "WARNING": "yellow", "ERROR": "red", "UNREADABLE": "bold red", "error:": "bold red",
          "warning:": "yellow"}
WORDS = re.compile(r"^\s*(ACCEPTED|REJECTED|WARNING|ERROR|UNREADABLE|error:|warning:)|"
                   r"\b(\d[\d,]* (?:accepted|rejected))\b")


def counted(n: int, word: str) -> str:
    """`n` and `word`, plural unless `n` is 1: "1 file", "2 files", "1,024 claims"."""
    return f"{n:,} {word}{'s' * (n != 1)}"


def tally(files: int, claims: int) -> str:
    """The bar's files and claims: "1 file  1 claim", "3 files  20,000 claims"."""
    return f"{counted(files, 'file')}  {counted(claims, 'claim')}"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


def wants_color(choice: str, stream: TextIO, environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether to colour `stream`: always, never, or (auto) when it is a terminal and NO_COLOR is
    not set (to anything but an empty string)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return _isatty(stream) and not environ.get("NO_COLOR")


@dataclass
class Counts:
    files: int = 0
    claims: int = 0
    rejected: int = 0


class NoProgress:
    """What `Terminal.progress` gives off a terminal: every call does nothing."""

    counts: Counts

    def __init__(self) -> None:
        self.counts = Counts()

    def start_file(self, path: str) -> None:
        pass

    def advance(self, *, files: int = 0, claims: int = 0, rejected: int = 0) -> None:
        pass

    def checked(self, claim: ClaimResult) -> None:
        pass

    def decided(self, claims: int, rejected: int) -> None:
        pass

    def file_done(self, claims: int, rejected: int) -> None:
        """A file done, with its claims and rejected claims (the pipeline stage's `counted`)."""
        self.advance(files=1, claims=claims, rejected=rejected)

    @property
    def watch(self) -> Callable[[ClaimResult], None] | None:
        """What to give pipeline.Checker to see each claim as it is checked: None, nothing to see."""
        return None


class Progress(NoProgress):
    """A live bar: the current file's name and bytes read against its size (a pulse when the size is
    unknown: standard input, a pipe), then files, claims, rejected claims so far and claims a second."""

    def __init__(self, bar: RichProgress) -> None:
        super().__init__()
        self.bar = bar
        self.task = bar.add_task("", total=None, tally=tally(0, 0), rejected=0, rate=0.0)
        self.started = time.monotonic()
        self.pid = os.getpid()
        self.live = Counts()  # claims and provisional rejections of the set being read (see checked)
        self.shown = 0.0  # when the bar was last updated by `checked` (at most 20 times a second)

    def start_file(self, path: str) -> None:
        from ..errors import printable  # noqa: PLC0415

        try:
            size: int | None = os.stat(path).st_size if path != "-" and os.path.isfile(path) else None
        except OSError:
            size = None
        name = printable(os.path.basename(path) or path)
        self.bar.update(self.task, description=name if len(name) <= 40 else "…" + name[-39:], total=size,
                        completed=0)

    def advance(self, *, files: int = 0, claims: int = 0, rejected: int = 0) -> None:
        c = self.counts
        c.files += files
        c.claims += claims
        c.rejected += rejected
        elapsed = time.monotonic() - self.started
        self.bar.update(self.task, tally=tally(c.files, c.claims), rejected=c.rejected,
                        rate=c.claims / elapsed if elapsed > 0 else 0.0)

    def checked(self, claim: ClaimResult) -> None:
        """One claim checked, as its loop ends (before its set is decided): counted, and counted as
        rejected when it has an error of its own (its set's verdict, later, can only add to that)."""
        if os.getpid() != self.pid:  # a worker process (--jobs): the parent counts its sets instead
            return
        from ..engine.results import has_own_error  # noqa: PLC0415

        rejected = int(has_own_error(claim))
        self.live.claims += 1
        self.live.rejected += rejected
        self.counts.claims += 1
        self.counts.rejected += rejected
        now = time.monotonic()
        if now - self.shown >= 0.05:  # the bar is drawn 8 times a second: updating it per claim costs time
            self.shown = now
            self.advance()
            if claim.claim.where.offset >= 0:
                self.bar.update(self.task, completed=claim.claim.where.offset)

    def decided(self, claims: int, rejected: int) -> None:
        """A transaction set was decided with `claims` claims, `rejected` of them rejected: what was
        counted live for it is made exact (and a set checked by a worker is counted here whole)."""
        self.advance(claims=claims - self.live.claims, rejected=rejected - self.live.rejected)
        self.live = Counts()

    @property
    def watch(self) -> Callable[[ClaimResult], None] | None:
        return self.checked


@dataclass
class Terminal:
    """Where a command's lines go and how they look. `verbosity`: -1 quiet (the summary only), 0,
    1 verbose. `color` and `bar` say whether standard output is coloured and whether a bar is shown."""

    color: bool = False
    bar: bool = False
    verbosity: int = 0
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _console: Console | None = None
    _live: RichProgress | None = None

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def verbose(self) -> bool:
        return self.verbosity > 0

    @property
    def console(self) -> Console:
        """A rich Console on standard output (coloured when `color`), for lines of one's own."""
        if self._console is None:
            from rich.console import Console  # noqa: PLC0415 (rich only when something is drawn)

            self._console = Console(file=self.stdout, force_terminal=self.color or None, no_color=not self.color,
                                    color_system="auto" if self.color else None, soft_wrap=True, highlight=False,
                                    markup=False, emoji=False)
        return self._console

    def echo(self, line: str) -> None:
        """A report line: plain (click.echo) when neither colour nor a bar on standard output is in the
        way, else through the console, coloured by its verdict words, printed above the bar."""
        if not self.color and (self._live is None or self._live.console is not self._console):
            click.echo(line, file=self.stdout)
            return
        from rich.text import Text  # noqa: PLC0415

        text = Text(line)
        if self.color:
            for m in WORDS.finditer(line):
                group = 1 if m.group(1) else 2
                word = m.group(group)
                if word.startswith("0 "):  # "0 rejected" is no news
                    continue
                text.stylize(STYLES[word.split()[-1]], m.start(group), m.end(group))
        self.console.print(text)

    def note(self, line: str) -> None:
        """A line for --verbose only."""
        if self.verbose:
            self.echo(line)

    def error(self, line: str) -> None:
        """An error or warning line on standard error (never patient data: see docs/privacy.md)."""
        click.echo(line, err=True, color=self.color)

    @contextmanager
    def progress(self) -> Iterator[NoProgress]:
        """A live progress bar for the block (on a terminal, --quiet included: the bar is not output and
        is gone at the end), else a NoProgress whose calls do nothing."""
        if not self.bar:
            yield NoProgress()
            return
        from rich.console import Console  # noqa: PLC0415
        from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415
        from rich.progress import Progress as RichProgress  # noqa: PLC0415

        on_stdout = _isatty(self.stdout)
        console = self.console if on_stdout else Console(file=self.stderr, soft_wrap=True, highlight=False,
                                                         markup=False, emoji=False,
                                                         no_color=not self.color_stderr)
        bar = RichProgress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.fields[tally]}  "
                       "[red]{task.fields[rejected]:,} rejected[/]  {task.fields[rate]:,.0f} claims/s"),
            TimeElapsedColumn(), console=console, transient=True, refresh_per_second=8,
            redirect_stdout=on_stdout, redirect_stderr=_isatty(self.stderr))
        self._live = bar
        try:
            with bar:
                yield Progress(bar)
        finally:
            self._live = None

    @property
    def color_stderr(self) -> bool:
        return self.color and _isatty(self.stderr)


def terminal(color: str = "auto", quiet: bool = False, verbose: bool = False,
             stdout: TextIO | None = None, stderr: TextIO | None = None) -> Terminal:
    """The Terminal for these options and streams (default: sys.stdout, sys.stderr): a bar when either
    stream is a terminal (with or without colour), colour on standard output as `wants_color` says."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    bar = _isatty(out) or _isatty(err)
    return Terminal(color=wants_color(color, out), bar=bar, verbosity=-1 if quiet else int(verbose),
                    stdout=out, stderr=err)


def options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --color, --quiet and --verbose to a click command, which gets a `term` (a Terminal) instead."""

    @click.option("--color", "color", type=click.Choice(COLORS), default="auto", show_default=True,
                  help="Colour verdicts: auto (on a terminal, unless NO_COLOR is set), always or never.")
    @click.option("-q", "--quiet", is_flag=True, help="Print the summary only (and errors).")
    @click.option("-v", "--verbose", is_flag=True, help="Print more: every claim, and each file's time.")
    @functools.wraps(command)
    def wrapped(*args: object, color: str, quiet: bool, verbose: bool, **kwargs: object) -> None:
        if quiet and verbose:
            raise click.UsageError("--quiet and --verbose cannot be used together")
        return command(*args, term=terminal(color, quiet, verbose), **kwargs)

    return wrapped
