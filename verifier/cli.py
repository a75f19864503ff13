"""The `verifier` command: interpret payer answers, and run the service, workers and jobs."""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from adapters.answers import read_answers
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json
from verifier.domain.model import UnreadableAnswer
from verifier.metrics import MULTIPROCESS_DIR
from verifier.settings import SettingsError, load_settings, settings_table


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


@main.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to reach.")
def db_upgrade(revision: str) -> None:
    """Create or migrate the database named by VERIFIER_DATABASE_URL (SQLite file by default)."""
    from verifier.store.migrate import upgrade

    upgrade(load_settings().database_url, revision)
    click.echo(f"database is at revision {revision}")


EXAMPLE_CURL = (
    "curl -s -X POST http://{host}:{port}/v1/verifications \\\n"
    "  -H 'Content-Type: application/json' -H 'Authorization: Bearer {key}' \\\n"
    """  -d '{{"payer_id": "MOCK", "subscriber": {{"member_id": "MOCK-IOP-DUAL", """
    """"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1985-03-15"}}}}'"""
)


def _development_key() -> str | None:
    """On the embedded default, the local development key (created on first start)."""
    from verifier.app import create_app
    from verifier.security.devkey import development_key

    services = create_app().extensions["verifier"]
    try:
        return development_key(services.keys)
    finally:
        services.close()


def _register_keys() -> None:
    from verifier.cli_keys import keys_group

    main.add_command(keys_group)


_register_keys()


def _register_payers() -> None:
    from verifier.cli_payers import payers_group

    main.add_command(payers_group)


_register_payers()


@main.command("serve")
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
        from verifier.store.migrate import upgrade

        upgrade(settings.database_url)
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


@main.command("mock-clearinghouse")
@click.option(
    "--port",
    default=8089,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on, on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--latency-ms",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Milliseconds to wait before answering every request.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Requests per second allowed (token bucket, bursts of that size); beyond it the "
    "answer is 429 with no Retry-After, like Stedi. Unlimited when omitted.",
)
@click.option(
    "--fail-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of requests (0 to 1) that fail on purpose, each one of: HTTP 500, 502 or 503, "
    "no answer within 30 seconds, or a malformed 200 body.",
)
@click.option(
    "--seed", type=int, help="Seed for choosing the injected failures, for repeatable runs."
)
def mock_clearinghouse(
    port: int, latency_ms: int, rate_limit: float | None, fail_rate: float, seed: int | None
) -> None:
    """Run a local mock clearinghouse (Stedi/Change eligibility v3) until Ctrl-C or SIGTERM.

    POST /change/medicalnetwork/eligibility/v3 (JSON) and .../v3/raw-x12 ({"x12": 270}) answer
    the mock scenarios by member id (MOCK-IOP-DUAL, MOCK-HMO, ...; MOCK-TIMEOUT never answers).
    Any non-empty Authorization header is accepted; GET /healthcheck answers 200. Gateways:
    POST /oauth2/token issues tokens (client mock-client, secret mock-secret) that paths under
    /oauth2/ require; paths under /async/ answer 202 and are polled; POST /core/realtime is a
    CAQH CORE SOAP endpoint (user mock-user, password mock-password).
    """
    import signal
    import time

    from adapters.mock_clearinghouse import MockClearinghouse

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    server = MockClearinghouse(port, latency_ms, rate_limit, fail_rate, seed)
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        url = server.start()
        click.echo(f"Mock clearinghouse listening on {url}  (Ctrl-C to stop)")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except OSError as error:
        click.echo(f"verifier: cannot listen on port {port} ({error.strerror})", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Mock clearinghouse stopped")
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def _bad_fields(messages: object, path: str = "") -> list[str]:
    """Marshmallow's nested error messages as `field.path: message` items."""
    if isinstance(messages, dict):
        found: list[str] = []
        for key, value in messages.items():
            inner = path if key == "_schema" else ".".join(filter(None, [path, str(key)]))
            found += _bad_fields(value, inner)
        return found
    if isinstance(messages, list) and not all(isinstance(m, str) for m in messages):
        return [item for message in messages for item in _bad_fields(message, path)]
    texts = messages if isinstance(messages, list) else [messages]
    return [f"{path or 'request'}: {' '.join(map(str, texts))}"]


@main.group("x12")
def x12_group() -> None:
    """Write the X12 transactions the service sends to payers."""


@x12_group.command("270")
@click.argument(
    "request_file", metavar="REQUEST.json", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--service-type", default="30", show_default=True, help="Service type code to ask about (EQ01)."
)
@click.option("--payer-id", default=None, help="Ask this payer instead of the request's payer_id.")
def x12_270(request_file: Path, service_type: str, payer_id: str | None) -> None:
    """Print the 270 eligibility inquiry the service would send for a verification request body.

    REQUEST.json holds the body of POST /v1/verifications. The payer comes from the directory
    named by VERIFIER_PAYERS_FILE (the bundled one by default), and a request that names no
    provider is sent with VERIFIER_PROVIDER_NPI and _NAME, as the service would. Exits 1 with a
    one-line reason.
    """
    import time
    from typing import NoReturn

    from marshmallow import ValidationError

    from adapters.directory import DirectoryError, load_directory
    from adapters.x12.writer import write_270
    from schemas.request import VerificationRequestSchema
    from verifier.intake import to_request

    def fail(reason: str) -> NoReturn:
        click.echo(f"verifier: {request_file}: {reason}", err=True)
        sys.exit(1)

    try:
        body = json.loads(request_file.read_text("utf-8"))
    except OSError as error:
        fail(f"cannot read the file ({error.strerror})")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"not valid JSON ({error})")
    try:
        data = VerificationRequestSchema().load(body)
    except ValidationError as error:
        fail("invalid request: " + "; ".join(_bad_fields(error.messages)))
    settings = load_settings()
    wanted = payer_id or data["payer_id"]
    try:
        payer = load_directory(settings.payers_file).get(wanted)
    except DirectoryError as error:
        fail(str(error))
    if payer is None:
        fail(f"unknown payer {wanted!r} (not in the payer directory)")
    # Seconds since the epoch cut to ISA13's nine digits; 0 is not a valid control number.
    control_number = int(time.time()) % 10**9 or 1
    try:
        text = write_270(
            to_request({**data, "payer_id": payer.id}, settings),
            payer,
            control_number=control_number,
            service_type=service_type,
        )
    except ValueError as error:
        fail(str(error))
    click.echo(text, nl=False)


@main.command("worker")
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


@main.command("reverify")
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
    from datetime import timedelta

    from verifier.app import create_app
    from verifier.reverify import run

    if dry_run and wait:
        raise click.UsageError("--wait cannot be used with --dry-run")
    # Duration gives timedelta or None; click's callbacks are untyped, so say so to mypy.
    assert older_than is None or isinstance(older_than, timedelta)
    assert admission_within is None or isinstance(admission_within, timedelta)
    if older_than is None and admission_within is None:
        older_than = timedelta(days=30)
    app = create_app()
    services = app.extensions["verifier"]
    try:
        run(
            services,
            app.extensions["settings"],
            older_than=older_than,
            admission_within=admission_within,
            payer_id=payer_id,
            limit=limit,
            dry_run=dry_run,
            wait=wait,
        )
    finally:
        services.close()


@main.command("purge")
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

    from verifier.security.protector import load_protector
    from verifier.store.engine import make_engine, make_session_factory
    from verifier.store.retention import purge

    settings = load_settings()
    engine = make_engine(settings.database_url, load_protector(settings))
    try:
        count = purge(make_session_factory(engine), days, datetime.now(UTC))
    finally:
        engine.dispose()
    click.echo(f"purged {count} verifications older than {days} days")


@main.command("settings")
def settings_command() -> None:
    """Print every setting the service reads, with its type, default and meaning (Markdown).

    Exits 2, naming each variable, when a VERIFIER_* variable has a value the service cannot use.
    """
    load_settings()
    click.echo(settings_table())
