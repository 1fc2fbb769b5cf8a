"""The files a command reads, and how they are counted: one iterator every command reads its PATHs
with, counting into the command's summary the files it could not read and those --include left out."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import click

from ..engine import inputs
from ..errors import printable
from .exits import CliError

if TYPE_CHECKING:
    from ..answers.write.report import Summary
    from .terminal import NoProgress


class _Counter:
    """What `inputs.expand` reports about a PATH, as a command shows and counts it."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary

    def skipped(self, path: str, why: str) -> None:  # not a file (a socket, a FIFO in a folder): no count
        click.echo(f"warning: {printable(path)}: skipped: {why}", err=True)

    def unreadable(self, path: str, why: str) -> None:
        click.echo(f"error: {printable(path)}: {why}", err=True)
        self.summary.unreadable += 1

    def left_out(self, path: str) -> None:
        self.summary.skipped += 1


def each_file(paths: Iterable[str], summary: Summary, include: Iterable[str] = inputs.INCLUDE,
              exclude: Iterable[str] = ()) -> Iterator[str]:
    """The files PATHs name (see inputs.expand: of a folder's files those --include names), with the
    cycle collector run after each. Never read nor entered: the `exclude` paths (the command's own
    outputs) and standard output sent to a file (`check . > check.txt`). Counted into `summary`: a
    folder that cannot be listed, or a folder PATH with no input file, as unreadable (an error line;
    the command exits 2), and a file a folder holds that --include does not name as skipped. What a
    folder holds that is not a file is skipped with a warning line."""
    counter = _Counter(summary)
    outputs = (*exclude, *inputs.redirected_stdout())
    for path in inputs.expand(paths, counter.skipped, outputs, counter.unreadable, include=include,
                              left_out=counter.left_out):
        yield path
        gc.collect()
        gc.freeze()  # what is left (the guide, memos) is kept: the next file's collection skips it


def output_not_named(paths: Iterable[str], output: str) -> None:
    """Stop (exit 2) before anything is written when the output file is also named as a PATH: it would
    be read as an input and then written over. (Found in a folder PATH, it is skipped: see each_file.)"""
    for path in paths:
        if path != "-" and inputs.is_output(path, (output,)):
            raise CliError(f"{printable(path)}: is also the output file (-o): an output is never read as an input;"
                           " write the output elsewhere")


def shown_summary(progress: NoProgress) -> Summary:
    """A report.Summary that also moves the progress bar as each transaction set is counted."""
    from ..answers.write import report

    return report.Summary(on_counts=progress.decided)
