"""`edi837 rules`: the rule catalog, generated from the rules' registry (docs cannot drift from code)."""

from __future__ import annotations

import click

from .exits import CliError
from .options import format_option


@click.command()
@click.argument("code", required=False)
@format_option("text", "markdown", "json")
def rules(code: str | None, fmt: str) -> None:
    """Print the rule catalog (claim rules, X12-level codes, and the codes of a payer's TA1, 999 and 277CA),
    or with CODE (AMB006, X12-IK4-7, IK501-R, STC-562) one entry's page."""
    from .. import rules as rules_mod
    from ..answers.write import catalog
    from ..x12 import guide_codes, status_codes

    if code is None:
        click.echo(catalog.render(rules_mod.catalog(), list(guide_codes.CODES), fmt, status_codes.entries()), nl=False)
        return
    entry = catalog.find([*rules_mod.catalog(), *guide_codes.CODES, *status_codes.entries()], code)
    if entry is None:
        raise CliError(f"no rule or X12 code {code!r}; `edi837 rules` lists them all")
    click.echo(catalog.page(entry, fmt), nl=False)
