"""How a command ends: its exit codes, the one error that stops it, and the group that turns an
interrupt or an unwritable output into one line instead of a traceback.

Exit codes: 0 everything accepted, 1 something rejected (decided by check.results.exit_code, not
here), 2 a usage error or an input that could not be read, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from typing import NoReturn

from ..engine.results import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from ..engine.results import EXIT_OK as EXIT_OK
from ..engine.results import EXIT_UNREADABLE as EXIT_ERROR  # and 1 (rejected) from engine.results.exit_code


class CliError(click.ClickException):
    """What stops a command before it can do its job (a bad profile, an output named as an input, an
    answer folder that cannot be made): one `error: MESSAGE` line on standard error per message, exit 2.

    click would print "Error: MESSAGE"; `show` keeps the lines every command printed before this class
    existed, which scripts and tests read. A message names paths (escaped: errors.printable), codes and
    counts, never patient data."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *more: str) -> None:
        super().__init__(message)
        self.more = more  # further lines, each shown as its own `error: ...` line (annotate's refused files)

    def show(self, file: IO[str] | IO[bytes] | None = None) -> None:
        for line in (self.message, *self.more):
            click.echo(f"error: {line}", file=file, err=True)


class Commands(click.Group):
    """The command group: an output that cannot be written (a full disk) is one line, not a traceback,
    and Ctrl-C exits 130 (click would exit 1, which means "rejected")."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # not a verdict on the input
            with contextlib.suppress(OSError):
                click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (`| head`): click ends quietly
                raise
            _unwritable(exc)


def _unwritable(exc: OSError) -> NoReturn:
    """Exit 2 with one line naming what could not be written; standard output is dropped first, since
    nothing more can be written to it (nor flushed at exit)."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    with contextlib.suppress(OSError):
        click.echo(f"error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", err=True)
    sys.exit(EXIT_ERROR)
