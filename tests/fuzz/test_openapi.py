"""Hostile-input fuzzing: every operation in /openapi.json, driven by schemathesis.

Each operation gets schemathesis' examples, coverage (boundary and wrong-type values, missing
and extra fields, other methods) and fuzzing phases, with valid and invalid data: at most
`EXAMPLES_PER_OPERATION` fuzzed cases, hostile strings (extreme dates, NaN, control characters, X12
delimiters) mixed into every string field, all derived from one fixed seed so that CI repeats the
same requests. Raw bodies that no schema can describe (deep nesting, bad UTF-8, oversized) go to
every operation with a body. A response fails when it is a 5xx, has a status code the operation
does not list (the catch-all `default` response does not count), has an undocumented content type,
or has a body that does not match its documented schema.

    .venv/bin/pytest tests/fuzz -q      # `-m "not fuzz"` leaves it out of other runs
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    is_unexpected_http_status_case,
    response_schema_conformance,
    status_code_conformance,
)

from verifier.app import create_app
from verifier.security.keys import new_key
from verifier.store.migrate import upgrade

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261127
EXAMPLES_PER_OPERATION = 25
CONFIG: dict[str, Any] = {
    "PAYERS_FILE": None,  # the bundled mock payer only, whatever VERIFIER_PAYERS_FILE says
    "MOCK_TIMEOUT_SECONDS": 0.01,
    "PAYER_BACKOFF_SECONDS": 0.0,
    "WEBHOOK_SECRET": "x",
    "LOG_LEVEL": "WARNING",
    # The intake limits would turn most intake cases into 429s after the first ten.
    "INTAKE_LIMIT_PER_KEY": 1_000_000,
    "INTAKE_LIMIT_PER_ADDRESS": 1_000_000,
}
# The mock payer's names and member ids, mixed into generated bodies so that the fuzzer reaches the
# payer and the stored record, and not only the validation errors of made-up payers.
PAYERS = ["MOCK", "MOCK HEALTH", "DEMO PAYER"]
MEMBERS = sorted(p.stem for p in (ROOT / "adapters" / "mock" / "scenarios").glob("*.271"))
# Strings that break code more often than random ones do; used for any string field, valid or not.
HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "2024-02-29",
    "NaN",
    "-Infinity",
    "1e999",
    "-0",
    "",
    " ",
    "\t\r\n",
    "\u0000",
    "~*^:",
    "ISA*00*~IEA*1*1~",
    "' OR '1'='1",
    "%00",
    "../../etc/passwd",
    "\u202eevil",
    "MOCK-IOP-DUAL\u0000",
    "🙂" * 30,
    "9" * 400,
]


def status_code_listed(ctx: Any, response: Any, case: schemathesis.Case) -> None:
    """The status code is one the operation lists by itself: flask-smorest adds a `default` error
    response to every operation, which makes schemathesis' own status check accept any code."""
    if is_unexpected_http_status_case(case) or case.method.upper() != case.operation.method.upper():
        return  # a probe with another method or a malformed request line: 405 and 400 are fine
    listed = [code for code in case.operation.responses.status_codes if code != "default"]
    status = str(response.status_code)
    if not any(code == status or code.upper() == f"{status[0]}XX" for code in listed):
        raise AssertionError(
            f"Undocumented HTTP status code\n\nReceived: {response.status_code}\n"
            f"Documented: {', '.join(listed)} (and `default`)"
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    status_code_listed,
    content_type_conformance,
    response_schema_conformance,
]


# schemathesis parametrizes at collection time, so the document is read here, from an app on an
# in-memory database that nothing connects to; the requests go to the `api` fixture's app.
_DOCUMENT_APP = create_app({**CONFIG, "DATABASE_URL": "sqlite://", "LOG_JSON": False})


def _schema(generation: dict[str, Any], phases: list[str]) -> Any:
    all_phases = ("examples", "coverage", "fuzzing", "stateful")
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # Generation time depends on the machine; the cases do not.
            "suppress-health-check": ["too_slow"],
            # Literals harvested from whatever modules are imported would make the cases depend
            # on which other tests were collected.
            "analysis": {"constants": {"enabled": False}},
            "generation": {"deterministic": True, "database": "none", **generation},
            "phases": {name: {"enabled": name in phases} for name in all_phases},
            "dictionaries": {
                "payers": {"values": PAYERS},
                "members": {"values": MEMBERS},
                "hostile": {"values": HOSTILE},
            },
            "parameters": {
                "body.payer_id": {"dictionary": "payers", "probability": 0.5},
                "body.subscriber.member_id": {"dictionary": "members", "probability": 0.5},
                "body.member_id": {"dictionary": "members", "probability": 0.5},
            },
        }
    )
    return schemathesis.openapi.from_wsgi("/openapi.json", _DOCUMENT_APP, config=config)


schema = _schema(
    {
        "max-examples": EXAMPLES_PER_OPERATION,
        "dictionaries": {"string": {"dictionary": "hostile", "probability": 0.15}},
    },
    ["examples", "coverage", "fuzzing"],
)
# Without a key (or with one that lacks the scope) every input gets the same answer: a few will do.
anonymous_schema = _schema({"max-examples": 2, "mode": "positive"}, ["fuzzing"])

# Ids of stored verifications, filled in by the `api` fixture before any case is generated.
KNOWN_IDS: list[str] = []


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half of the ids in paths name a stored verification, so its record and history come back."""
    if not isinstance(path_parameters, dict) or "verification_id" not in path_parameters:
        return st.just(path_parameters)
    if not KNOWN_IDS:
        return st.just(path_parameters)
    known = st.sampled_from(KNOWN_IDS).map(lambda i: {**path_parameters, "verification_id": i})
    return st.one_of(st.just(path_parameters), known)


@dataclass
class Api:
    app: Flask
    admin: str
    reader: str


def _post(client: Any, token: str, path: str, body: dict[str, Any]) -> str:
    response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (201, 202), response.get_json()
    payload = response.get_json()
    return str(payload.get("id") or payload.get("reference"))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A fresh SQLite database, an admin key and a read-only key, and a few stored verifications:
    complete, failed and pending, so lists, records and histories have something to show."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'verifier.sqlite3'}"
    upgrade(url)
    app = create_app({**CONFIG, "DATABASE_URL": url})
    tokens = {}
    for scope in ("admin", "verifications:read"):
        fresh = new_key("fuzz", [scope], [], datetime.now(UTC))
        app.extensions["verifier"].keys.add(fresh)
        tokens[scope] = fresh.token
    client = app.test_client()
    person = {"first_name": "Ana", "last_name": "Diaz", "date_of_birth": "1990-04-02"}
    KNOWN_IDS.clear()
    for member in ["MOCK-IOP-DUAL", "MOCK-TIMEOUT", "MOCK-NOT-FOUND", "MOCK-DEPENDENT"]:
        body = {"payer_id": "MOCK", "subscriber": {"member_id": member, **person}}
        KNOWN_IDS.append(_post(client, tokens["admin"], "/v1/verifications", body))
    body = {"payer_id": "MOCK", "subscriber": {"member_id": "MOCK-HMO", **person}, "mode": "async"}
    KNOWN_IDS.append(_post(client, tokens["admin"], "/v1/verifications", body))
    intake = {"payer_id": "MOCK", "member_id": "MOCK-MH-ONLY", "consent": True, **person}
    KNOWN_IDS.append(_post(client, tokens["admin"], "/v1/intake", intake))
    yield Api(app, tokens["admin"], tokens["verifications:read"])
    KNOWN_IDS.clear()
    app.extensions["verifier"].close()


@schema.parametrize()
def test_every_operation_answers_as_documented(case: schemathesis.Case, api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.admin}"}
    case.call_and_validate(app=api.app, headers=headers, checks=CHECKS)


@anonymous_schema.parametrize()
def test_refusals_are_documented(case: schemathesis.Case, api: Api) -> None:
    """No key, a key nobody issued, and a read-only key on an operation that needs more."""
    for token in (None, "vk_not-a-key", api.reader):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(app=api.app, headers=headers, checks=CHECKS)


RAW_BODIES = {
    "nested-2000": b"[" * 2000 + b"]" * 2000,
    "nested-in-field": b'{"payer_id": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    "bad-utf8": b'{"payer_id": "\xff\xfe"}',
    "lone-surrogate": b'{"payer_id": "\\ud800"}',
    "huge-number": b'{"payer_id": 1' + b"0" * 5000 + b"}",
    "nan": b'{"payer_id": NaN, "weeks": Infinity}',
    "duplicate-keys": b'{"payer_id": "MOCK", "payer_id": {"a": 1}}',
    "too-large": b'{"payer_id": "' + b"A" * (65 * 1024) + b'"}',
}
WITH_BODY = [op.ok() for op in schema.get_all_operations() if op.ok().body]


@pytest.mark.parametrize("raw", RAW_BODIES.values(), ids=RAW_BODIES.keys())
@pytest.mark.parametrize("operation", WITH_BODY, ids=[op.label for op in WITH_BODY])
def test_raw_hostile_bodies_are_refused_as_documented(operation: Any, raw: bytes, api: Api) -> None:
    ids = {"verification_id": KNOWN_IDS[0]} if "{verification_id}" in operation.path else {}
    case = operation.Case(path_parameters=ids, media_type="application/json")
    headers = {"Authorization": f"Bearer {api.admin}", "Content-Type": "application/json"}
    path = operation.path.format(**ids)
    response = api.app.test_client().open(path, method=case.method, data=raw, headers=headers)
    case.validate_response(response, checks=CHECKS)
