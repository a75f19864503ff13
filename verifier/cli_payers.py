"""`verifier payers check`, and the same check that stops `serve` and `worker` from starting."""

from __future__ import annotations

import os
import sys

import click

from adapters.directory_check import Problem, check_directory
from adapters.registry import available
from verifier.settings import load_settings


def _problems(path: str | None) -> list[Problem]:
    # The real environment: api_key_env names a variable the payer calls will read from it.
    return check_directory(path, available(), os.environ)


def configured_path() -> str | None:
    """The directory the service would serve from: VERIFIER_PAYERS_FILE, or the bundled one."""
    return load_settings().payers_file


def refuse_bad_directory(path: str | None) -> None:
    """Exit 1, one line per problem on stderr, when the payer directory has any: a mistake in
    it must stop the start, not surface one verification at a time."""
    problems = _problems(path)
    if not problems:
        return
    for problem in problems:
        click.echo(f"verifier: {problem}", err=True)
    noun = "problem" if len(problems) == 1 else "problems"
    click.echo(
        f"verifier: not starting: {len(problems)} {noun} in the payer directory "
        "(`verifier payers check` lists them again once fixed)",
        err=True,
    )
    sys.exit(1)


@click.group("payers")
def payers_group() -> None:
    """The payer directory (the TOML file VERIFIER_PAYERS_FILE names)."""


@payers_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def check_command(file: str | None) -> None:
    """Check FILE (default: VERIFIER_PAYERS_FILE, else the bundled directory) against the
    installed adapters: unknown adapters and keys, missing and mistyped values, unset API key
    variables. Prints one line per problem and exits 1, or prints OK and exits 0.
    """
    path = file or configured_path()
    problems = _problems(path)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        click.echo(f"{len(problems)} {noun} found", err=True)
        sys.exit(1)
    from adapters.directory import load_directory

    count = len(load_directory(path).payers)
    payers = "1 payer" if count == 1 else f"{count} payers"
    click.echo(f"{path or 'payers.toml (bundled)'}: OK, {payers}")
