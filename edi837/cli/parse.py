"""`edi837 parse`: the claims of 837I and 837P files as text or JSON, unchecked (an 837P line names
its place of service, `POS 41`, where an 837I line has its type of bill)."""

from __future__ import annotations

import sys

import click

from ..answers.write import export
from ..answers.write.report import Summary
from ..engine import pipeline
from ..errors import printable
from .exits import EXIT_ERROR, EXIT_OK
from .inputs import each_file
from .options import format_option, include_option, jobs_option, paths_argument


@click.command()
@paths_argument
@format_option("text", "json")
@jobs_option
@include_option
def parse(paths: tuple[str, ...], fmt: str, jobs: int, include: tuple[str, ...]) -> None:
    """Read 837I and 837P files (or folders, or - for stdin) into typed ambulance claims.

    Exit 0 when every file was read, 2 when a file could not be read as an 837 (or a folder could not
    be listed, or held no input file), 130 when interrupted. Files a folder holds that --include does
    not name are counted on standard error.
    """
    counted = Summary()  # only its unreadable and skipped files: parse decides nothing
    failed = False
    out = sys.stdout
    render = export.claim_json if fmt == "json" else export.text_line
    if fmt == "json":
        out.write('{"files": [')
    for n, path in enumerate(each_file(paths, counted, include)):
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
    if counted.skipped:
        click.echo(f"{counted.skipped} file{'s' * (counted.skipped != 1)} skipped (not --include)", err=True)
    sys.exit(EXIT_ERROR if failed or counted.unreadable else EXIT_OK)
