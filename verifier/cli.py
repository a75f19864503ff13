"""The `verifier` command. Its commands live by audience: offline tools in cli_offline.py,
operations in cli_operations.py, API keys in cli_keys.py, the payer directory in cli_payers.py."""

from __future__ import annotations

import sys
from typing import Any

import click

from verifier import cli_offline, cli_operations
from verifier.cli_keys import keys_group
from verifier.cli_payers import payers_group
from verifier.settings import SettingsError


class VerifierGroup(click.Group):
    """Stops any command on settings it cannot use with one line per bad variable."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            for problem in error.problems:
                click.echo(f"verifier: {problem}", err=True)
            sys.exit(2)


@click.group(cls=VerifierGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Insurance benefits verification for intensive outpatient (IOP) programs."""


cli_offline.register(main)
cli_operations.register(main)
main.add_command(keys_group)
main.add_command(payers_group)
