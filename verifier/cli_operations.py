"""The operations of `verifier`: migrate, serve, work the queue, re-verify, purge, and show the
settings. Each reads the settings once and stops on a bad one (see verifier/cli.py)."""

from __future__ import annotations

import math
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from verifier.metrics import MULTIPROCESS_DIR
from verifier.settings import load_settings, settings_table

if TYPE_CHECKING:  # the services are built, adapters and all, only by the commands that use them
    from verifier.bootstrap import Services


def register(main: click.Group) -> None:
    """Add the operations to the `verifier` command."""
    for command in (
        db_group,
        serve,
        worker_command,
        reverify_command,
        purge_command,
        settings_command,
    ):
        main.add_command(command)


@click.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to reach.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database named by VERIFIER_DATABASE_URL (SQLite file by default)."""
    from verifier.security.protector import load_protector
    from verifier.store.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision, load_protector(settings))
    click.echo(f"database is at revision {revision}")


EXAMPLE_CURL = (
    "curl -s -X POST http://{host}:{port}/v1/verifications \\\n"
    "  -H 'Content-Type: application/json' -H 'Authorization: Bearer {key}' \\\n"
    """  -d '{{"payer_id": "MOCK", "subscriber": {{"member_id": "MOCK-IOP-DUAL", """
    """"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1985-03-15"}}}}'"""
)


def _development_key() -> str | None:
    """On the embedded default, the local development key (created on first start)."""
    from verifier.bootstrap import bootstrap
    from verifier.security.devkey import development_key

    services = bootstrap(load_settings())
    try:
        return development_key(services.keys, clock=services.service.clock)
    finally:
        services.close()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--migrate/--no-migrate", default=True, show_default=True, help="Upgrade the database first."
)
def serve(host: str, port: int, workers: int, migrate: bool) -> None:
    """Run the HTTP API under gunicorn. Refuses to start on a bad setting or a payer
    directory with problems."""
    from verifier.cli_payers import refuse_bad_directory

    # Read (and checked) here, so a bad setting or directory stops the start with its reason
    # instead of failing every gunicorn worker with a traceback.
    settings = load_settings()
    refuse_bad_directory(settings.payers_file)
    if migrate:
        from verifier.security.protector import load_protector
        from verifier.store.migrate import upgrade

        upgrade(settings.database_url, keys=load_protector(settings))
    click.echo(f"Serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    embedded = settings.database_url.startswith("sqlite")
    if embedded and not os.environ.get("VERIFIER_SECRET_KEY"):
        # The console's sessions need one secret shared by every gunicorn worker; a fresh one
        # per start only signs staff out when the development server restarts.
        os.environ["VERIFIER_SECRET_KEY"] = secrets.token_hex(32)
    token = _development_key() if embedded else None
    if token:
        click.echo(f"Development API key (kept in .verifier-dev-key): {token}")
        curl = EXAMPLE_CURL.format(host=host, port=port, key=token)
        click.echo("Try a verification against the mock payer:\n" + curl)
    else:
        click.echo("Create an API key with: verifier keys create --name NAME --scope admin")
    sys.stdout.flush()
    os.environ[MULTIPROCESS_DIR] = _metrics_dir()
    # gunicorn kills a worker whose request outlives --timeout, losing its answer; a
    # synchronous verification stops waiting for payers after SYNC_TIMEOUT_SECONDS, and then
    # needs a moment to store the outcome.
    timeout = math.ceil(settings.sync_timeout_seconds) + 30
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
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            # The path only: query strings may carry a member id.
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
            "verifier.wsgi:app",
        ],
    )


def _metrics_dir() -> str:
    """An empty folder for the gunicorn workers' metrics (see verifier/metrics.py): the one
    PROMETHEUS_MULTIPROC_DIR names, emptied of an earlier run's counts, or a new one."""
    folder = os.environ.get(MULTIPROCESS_DIR)
    if not folder:
        return tempfile.mkdtemp(prefix="verifier-metrics-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()
    return folder


@click.command("worker")
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Jobs worked on at once by this process.",
)
@click.option(
    "--poll-seconds",
    default=0.5,
    show_default=True,
    type=float,
    help="Pause between looks at an empty queue.",
)
@click.option("--until-idle", is_flag=True, help="Exit when no job is ready instead of waiting.")
def worker_command(concurrency: int, poll_seconds: float, until_idle: bool) -> None:
    """Claim and run queued verifications until SIGTERM or Ctrl-C.

    On SIGTERM each thread finishes the job it holds and releases any it has not started.
    Refuses to start on a payer directory with problems.
    """
    import signal

    from verifier.batch import Worker
    from verifier.bootstrap import bootstrap
    from verifier.cli_payers import refuse_bad_directory
    from verifier.logs import configure_logging

    # The worker needs the services, not the web app: building that would only slow start-up.
    settings = load_settings()
    refuse_bad_directory(settings.payers_file)
    if settings.log_json:
        configure_logging(settings.log_level)
    services = bootstrap(settings)
    worker = Worker(
        services.service,
        services.queue,
        settings,
        concurrency=concurrency,
        poll_seconds=poll_seconds,
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    click.echo(f"worker {worker.name} running {concurrency} at a time", err=True)
    try:
        worker.run(until_idle=until_idle)
    finally:
        services.close()
    click.echo(f"worker {worker.name} stopped after {worker.processed} jobs", err=True)


class Duration(click.ParamType[object]):
    """A length of time written as a whole number of days, hours or minutes: 30d, 12h, 90m."""

    name = "duration"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> object:
        from datetime import timedelta

        if isinstance(value, timedelta):
            return value  # a default, already converted
        units = {"d": "days", "h": "hours", "m": "minutes"}
        text = str(value).strip().lower()
        if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
            self.fail(f"{value!r} is not a duration like 30d, 12h or 90m", param, ctx)
        return timedelta(**{units[text[-1]]: int(text[:-1])})


@click.command("reverify")
@click.option(
    "--older-than",
    type=Duration(),
    help="Due when the member's latest verification is older than this (30d, 12h, 90m). "
    "30d when neither this nor --admission-within is given.",
)
@click.option(
    "--admission-within",
    type=Duration(),
    help="Also due when the latest request's service_date is between today and today plus this.",
)
@click.option("--payer", "payer_id", help="Only members of this payer (id or alias).")
@click.option(
    "--dry-run", is_flag=True, help="Print how many would be queued, by payer; change nothing."
)
@click.option(
    "--wait",
    is_flag=True,
    help="Then show progress until the queued jobs end and print their outcomes. Needs a "
    "`verifier worker` running elsewhere on the same database.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), help="Take at most N due members, stalest first."
)
def reverify_command(
    older_than: object,
    admission_within: object,
    payer_id: str | None,
    dry_run: bool,
    wait: bool,
    limit: int | None,
) -> None:
    """Queue a new verification for each member whose latest one is stale or whose admission
    is near, one per member and payer; members with a job already open are left as they are.

    Each is asked with the member's last request, for today (or its admission date when that is
    still ahead). Prints counts only, never a member. A worker (`verifier worker`) runs the jobs.
    """
    from datetime import UTC, datetime, timedelta

    from verifier import reverify
    from verifier.bootstrap import bootstrap

    if dry_run and wait:
        raise click.UsageError("--wait cannot be used with --dry-run")
    # Duration gives timedelta or None; click's callbacks are untyped, so say so to mypy.
    assert older_than is None or isinstance(older_than, timedelta)
    assert admission_within is None or isinstance(admission_within, timedelta)
    if older_than is None and admission_within is None:
        older_than = timedelta(days=30)
    settings = load_settings()
    services = bootstrap(settings)
    now = datetime.now(UTC)
    try:
        found = reverify.choose(
            services,
            settings,
            now=now,
            older_than=older_than,
            admission_within=admission_within,
            payer_id=payer_id,
            limit=limit,
        )
        if dry_run:
            click.echo(f"would enqueue {len(found.ready)}, {found.tail()}")
            if found.ready:
                rows = reverify.by_payer(found.ready, now)
                click.echo(table(("payer", "members", "oldest"), rows))
            return
        new_ids = reverify.enqueue(found.ready, services, found)
        click.echo(f"enqueued {len(new_ids)}, {found.tail()}")
        if wait and new_ids:
            follow(services, reverify.job_ids(services, new_ids))
            ended, kinds = reverify.outcomes(services, new_ids)
            click.echo(table(("outcome", "verifications"), sorted(ended.items())))
            click.echo(table(("change", "events"), sorted(kinds.items()) or [("none", 0)]))
    finally:
        services.close()


# How often --wait looks at the queue; tests shorten it.
WAIT_POLL_SECONDS = 0.5


def follow(services: Services, job_ids: list[str]) -> None:
    """A progress bar until none of `job_ids` is queued or running."""
    from verifier import reverify

    done = 0
    with click.progressbar(length=len(job_ids), label="verifying", file=sys.stderr) as bar:
        while True:
            finished = len(job_ids) - reverify.unfinished(services, job_ids)
            bar.update(finished - done)
            done = finished
            if finished >= len(job_ids):
                return
            time.sleep(WAIT_POLL_SECONDS)


def table(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> str:
    """Left-aligned columns, each as wide as its widest cell."""
    cells = [tuple(map(str, row)) for row in (header, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells)
    return "\n".join(line.rstrip() for line in lines)


@click.command("purge")
@click.option(
    "--older-than",
    "days",
    required=True,
    type=click.IntRange(1, 36500),
    help="Delete verifications created more than this many days ago.",
)
def purge_command(days: int) -> None:
    """Enforce retention: delete old verifications with their jobs and change events.

    Verifications still queued are kept, and so is the audit trail (it holds no PHI).
    """
    from datetime import UTC, datetime

    from verifier.bootstrap import bootstrap

    services = bootstrap(load_settings())
    try:
        count = services.maintenance.purge(days, datetime.now(UTC))
    finally:
        services.close()
    click.echo(f"purged {count} verifications older than {days} days")


@click.command("settings")
def settings_command() -> None:
    """Print every setting the service reads, with its type, default and meaning (Markdown).

    Exits 2, naming each variable, when a VERIFIER_* variable has a value the service cannot use.
    """
    load_settings()
    click.echo(settings_table())
