"""The `edi837` command: one small function per command, shared options defined once."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from . import pipeline
from .write import export

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2

paths_argument = click.argument("paths", nargs=-1, required=True, metavar="PATH...")


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True,
                        help="Output format.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="edi837")
def main() -> None:
    """Front-end checks for X12 837I (005010X223A2) hospital-based ambulance claims."""


@main.command()
@paths_argument
@format_option("text", "json")
def parse(paths: tuple[str, ...], fmt: str) -> None:
    """Read 837I files (or folders, or - for stdin) into typed ambulance claims.

    Exit 0 when every file was read, 2 when a file could not be read as an 837I.
    """
    failed = False
    files = []
    for path in pipeline.expand(paths):
        entry: dict[str, Any] = {"path": path, "error": None, "claims": []}
        count = 0
        if fmt == "text":
            click.echo(f"{path}")
        try:
            with pipeline.open_input(path) as fh:
                for claim in pipeline.parse_stream(fh, path):
                    count += 1
                    if fmt == "json":
                        entry["claims"].append(export.claim_dict(claim))
                    else:
                        click.echo("  " + export.claim_line(claim))
        except Exception as exc:  # EdiError, or a defect of ours: one located line either way
            failed = True
            entry["error"] = str(pipeline.as_edi_error(exc, path))
            click.echo(f"error: {entry['error']}", err=True)
        files.append(entry)
        if fmt == "text":
            click.echo(f"  {count} claim{'s' if count != 1 else ''}" + (" (stopped at the error)" if entry["error"] else ""))
    if fmt == "json":
        json.dump({"files": files}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


