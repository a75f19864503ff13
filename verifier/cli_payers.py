"""`verifier payers check`, and the same check that stops `serve` and `worker` from starting."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from adapters.directory import DirectoryError, imported_path, read_file
from adapters.directory_check import Problem, check_directory
from adapters.payer_lists import READERS, Connection, PayerListError, plan_import, render
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
    """The payer directory (the TOML file VERIFIER_PAYERS_FILE names, and the payers
    imported beside it)."""


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


@payers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format", "kind", required=True, type=click.Choice(sorted(READERS)), help="The list's format."
)
@click.option(
    "--base-url", required=True, help="The clearinghouse every imported payer is asked at."
)
@click.option(
    "--adapter",
    default="clearinghouse-json",
    show_default=True,
    help="The adapter every imported payer uses.",
)
@click.option("--api-key-env", help="The variable that holds the clearinghouse's API key.")
@click.option("--fan-out", type=click.Choice(["all", "adaptive"]), help="fan_out for each payer.")
@click.option(
    "--directory",
    type=click.Path(dir_okay=False),
    help="Your payer file (default: VERIFIER_PAYERS_FILE); the payers go beside it.",
)
def import_command(
    file: str,
    kind: str,
    base_url: str,
    adapter: str,
    api_key_env: str | None,
    fan_out: str | None,
    directory: str | None,
) -> None:
    """Import a clearinghouse's payer list (FILE) into the directory.

    The payers are written to a generated file beside your own (payers.toml ->
    payers.imported.toml), replaced whole by each import; your file is never written. Payers
    that do not support eligibility checks are skipped; a payer your file already names (by
    id, name or alias) is left to your entry.
    """
    own_path = directory or configured_path()
    if not own_path:
        raise click.UsageError("name your payer file with --directory or VERIFIER_PAYERS_FILE")
    try:
        own = read_file(own_path).get("payers", [])
    except DirectoryError as error:
        raise click.ClickException(f"{own_path}: {error}") from None
    try:
        listed = READERS[kind](Path(file).read_text("utf-8"))
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: the file is not UTF-8 text") from None
    except PayerListError as error:
        raise click.ClickException(f"{file}: {error}") from None
    plan = plan_import(
        listed,
        own if isinstance(own, list) else [],
        Connection(adapter, base_url, api_key_env, fan_out),
    )
    target = imported_path(own_path)
    partial = target.with_suffix(".partial")
    partial.write_text(render(plan, Path(file).name), "utf-8")
    partial.replace(target)  # readers see the old file or the new one, never half of one
    click.echo(f"{target}: {len(plan.entries)} payers imported from {file}")
    for count, why in (
        (plan.enrollment_required, "need transaction enrollment before eligibility checks work"),
        (plan.no_eligibility, "skipped: they do not support eligibility checks"),
        (plan.overridden, f"left to your own entries in {own_path}"),
        (plan.duplicates, "skipped: an earlier payer in the list has the same id"),
    ):
        if count:
            click.echo(f"  {len(count)} {why}")
    click.echo("Run `verifier payers check` before serving from it.")
