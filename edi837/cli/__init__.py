"""The `edi837` command: the group `main` (entry point `edi837.cli:main`, and `python -m edi837`)
and its commands, one module per job:

    parse.py    parse                                 the claims, unchecked
    check.py    check, export, report, annotate       checked claims and their verdicts
    ack.py      ack                                   the answers (999, 277CA, forward 837) into --out
    run.py      run (and run --status)                the pipeline stage over an INBOX
    responses.py responses                            a payer's TA1, 999 and 277CA in words, matched
    rules.py    rules                                 the rule catalog
    options.py  the options several commands share, each defined once, and the checker they make
    inputs.py   each_file: the one iterator over PATHs, counting unreadable and skipped files
    exits.py    exit codes, CliError (an `error: ...` line, exit 2) and the group's handling of
                Ctrl-C and of an output that cannot be written
    terminal.py the progress bar, colour, --quiet and --verbose
"""

from __future__ import annotations

import gc

import click

from ..build import BUILD
from .ack import ack
from .check import annotate, check, export_command, report
from .exits import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, CliError, Commands
from .parse import parse
from .responses import responses
from .rules import rules
from .run import run

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "CliError", "main"]


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="edi837", prog_name="edi837",
                      message=f"%(prog)s, version %(version)s, {BUILD}")
def main() -> None:
    """Front-end checks for X12 837I (005010X223A2) hospital-based ambulance claims."""
    # What reading a file makes is freed by reference counting: a check, parse or ack of 20,000 claims
    # leaves no reference cycles (tests/test_pipeline.py). The cycle collector would only walk the claims held for an
    # open transaction set, again and again (a quarter of a large check), so it runs between files
    # (inputs.each_file) instead; objects alive at start-up are frozen out of its walks. Workers inherit the setting.
    gc.freeze()
    gc.disable()
    click.get_current_context().call_on_close(gc.enable)  # for callers that go on (tests, embedding)


for command in (parse, check, rules, ack, export_command, report, annotate, run, responses):
    main.add_command(command)
