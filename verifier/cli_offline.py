"""The offline tools of `verifier`: read payer answers, write 270s, run a mock clearinghouse.
They need no database and no running service."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from adapters.answers import read_answers
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json
from verifier.domain.model import UnreadableAnswer
from verifier.settings import load_settings


def register(main: click.Group) -> None:
    """Add the offline tools to the `verifier` command."""
    main.add_command(interpret_command)
    main.add_command(mock_clearinghouse)
    main.add_command(x12_group)


@click.command("interpret")
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


@click.command("mock-clearinghouse")
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
    Any non-empty Authorization header is accepted; GET /healthcheck answers 200.
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


@click.group("x12")
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
