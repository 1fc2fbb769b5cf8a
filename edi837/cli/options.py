"""The options several commands share, each defined once, and the checker the --profile and --today
options make."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from ..engine import inputs, parallel
from .exits import CliError

if TYPE_CHECKING:
    import datetime as dt

    from ..engine.pipeline import Checker
    from ..engine.results import ClaimResult

Command = TypeVar("Command", bound=Callable[..., object])

paths_argument = click.argument("paths", nargs=-1, required=True, metavar="PATH...")


def format_option(*choices: str) -> Callable[[Command], Command]:
    """--format, one of `choices`, the first the default."""
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

profile_option = click.option("--profile", "profile_name", default="medicare", show_default=True,
                              metavar="NAME|FILE", help="Payer profile: a bundled name or a JSON file.")

today_option = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                            help="Date the future-date edits compare with (default: today).")

config_option = click.option("--config", type=click.Path(dir_okay=False),
                             help="JSON: sender_id, receiver_id, name, usage, first_control_number.")


def checker(profile_name: str, today: dt.datetime | None, keep_segments: bool = False,
            watch: Callable[[ClaimResult], None] | None = None) -> Checker:
    """The checker of --profile and --today (a profile that cannot be loaded stops the command, exit 2);
    `keep_segments` for answers, `watch` to see each claim as it is checked (the progress bar)."""
    from ..engine import pipeline
    from ..errors import ProfileError

    try:
        return pipeline.for_profile(profile_name, today.date() if today else None, keep_segments, watch)
    except ProfileError as exc:
        raise CliError(str(exc)) from None
