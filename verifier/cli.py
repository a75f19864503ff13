"""The `verifier` command: interpret payer answers, and run the service, workers and jobs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from adapters.answers import read_answers
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json
from verifier.domain.model import UnreadableAnswer


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Insurance benefits verification for intensive outpatient (IOP) programs."""


@main.command("interpret")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def interpret_command(files: tuple[Path, ...]) -> None:
    """Print the determination of each X12 271, clearinghouse JSON or FHIR answer in FILES.

    One JSON object per line, in order. Exits 1 if any file cannot be read.
    """
    failed = False
    for path in files:
        try:
            answers = read_answers(path.read_bytes())
        except OSError as error:
            click.echo(f"verifier: {path}: cannot read the file ({error.strerror})", err=True)
            failed = True
            continue
        except UnreadableAnswer as error:
            click.echo(f"verifier: {path}: {error}", err=True)
            failed = True
            continue
        for answer in answers:
            click.echo(json.dumps(as_json(interpret(answer))))
    if failed:
        sys.exit(1)


def _database_url() -> str:
    from verifier.config import DEFAULTS

    return str(os.environ.get("VERIFIER_DATABASE_URL", DEFAULTS["DATABASE_URL"]))


@main.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to reach.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database named by VERIFIER_DATABASE_URL (SQLite file by default)."""
    from verifier.store.migrate import upgrade

    upgrade(_database_url(), revision)
    click.echo(f"database is at revision {revision}")


EXAMPLE_CURL = (
    "curl -s -X POST http://{host}:{port}/v1/verifications \\\n"
    "  -H 'Content-Type: application/json' \\\n"
    """  -d '{{"payer_id": "MOCK", "subscriber": {{"member_id": "MOCK-IOP-DUAL", """
    """"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1985-03-15"}}}}'"""
)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--migrate/--no-migrate", default=True, show_default=True, help="Upgrade the database first."
)
def serve(host: str, port: int, workers: int, migrate: bool) -> None:
    """Run the HTTP API under gunicorn."""
    if migrate:
        from verifier.store.migrate import upgrade

        upgrade(_database_url())
    click.echo(f"Serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    click.echo(
        "Try a verification against the mock payer:\n" + EXAMPLE_CURL.format(host=host, port=port)
    )
    sys.stdout.flush()
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            # The path only: query strings may carry a member id.
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
            "verifier.wsgi:app",
        ],
    )
