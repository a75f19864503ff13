"""PHI is encrypted at rest, found through a blind index, and re-encrypted on key rotation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine, text

from tests.helpers import authorized
from verifier.app import create_app
from verifier.cli import main
from verifier.security.protector import Protector
from verifier.store.engine import make_engine
from verifier.store.rotation import encrypted_columns, rotate_data
from verifier.store.tables import metadata

OLD, NEW, INDEX = Fernet.generate_key().decode(), Fernet.generate_key().decode(), "index-key"
BODY = {
    "payer_id": "MOCK",
    "subscriber": {
        "member_id": "MOCK-DEPENDENT",
        "first_name": "Quentin",
        "last_name": "Zebulon",
        "date_of_birth": "1979-12-31",
    },
}
# Long enough that base64 ciphertext will not contain one by chance.
SECRETS = (
    "MOCK-DEPENDENT",
    "Quentin",
    "QUENTIN",
    "Zebulon",
    "ZEBULON",
    "1979-12-31",
    "19791231",
    "20090704",
)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(DATA_KEYS=OLD, BLIND_INDEX_KEY=INDEX)


def everything_stored(database_url: str) -> str:
    """Every value of every table, read straight from the database."""
    engine = create_engine(database_url)
    dump = []
    try:
        with engine.connect() as connection:
            for table in ("verifications", "jobs", "change_events", "audit_events"):
                rows = connection.execute(text(f"SELECT * FROM {table}")).all()
                dump += [str(value) for row in rows for value in row]
    finally:
        engine.dispose()
    return "\n".join(dump)


def test_the_database_holds_no_member_id_name_or_birth_date_in_clear(
    app: Flask, database_url: str
) -> None:
    client = authorized(app)
    client.post("/v1/verifications", json=BODY)
    client.post("/v1/verifications", json=BODY)
    client.post(
        "/v1/verifications",
        json={
            **BODY,
            "mode": "async",
            "subscriber": {**BODY["subscriber"], "member_id": "MOCK-DEPENDENT-2"},
        },
    )
    stored = everything_stored(database_url)
    assert stored
    for secret in SECRETS:
        assert secret not in stored
    page = client.get("/v1/verifications?member_id=MOCK-DEPENDENT").get_json()
    assert page["total"] == 2
    assert page["items"][0]["request"]["subscriber"]["first_name"] == "Quentin"
    assert page["items"][0]["determination"]["member"]["first_name"] == "SAM"


def test_substance_use_verifications_are_tagged(app: Flask) -> None:
    client = authorized(app)
    repository = app.extensions["verifier"].repository
    sud = client.post("/v1/verifications", json=BODY).get_json()
    none = client.post(
        "/v1/verifications",
        json={**BODY, "subscriber": {**BODY["subscriber"], "member_id": "MOCK-PAYER-DOWN"}},
    ).get_json()
    assert repository.get(sud["id"]).concerns_substance_use is True
    assert repository.get(none["id"]).concerns_substance_use is False


def test_rotation_re_encrypts_under_the_new_key_so_the_old_one_can_go(
    app: Flask, database_url: str
) -> None:
    record = authorized(app).post("/v1/verifications", json=BODY).get_json()
    assert rotate_with_both_keys(database_url) == 1
    again = read_with_the_new_key_only(database_url, record["id"])
    assert again["determination"] == record["determination"]


def test_rotation_re_encrypts_phone_facts_too(app: Flask, database_url: str) -> None:
    client = authorized(app)
    record = client.post("/v1/verifications", json=BODY).get_json()
    call = {"rep_name": "Pat Example", "call_reference": "C-1", "level": "iop_mental_health"}
    recorded = client.post(f"/v1/verifications/{record['id']}/phone-facts", json=call)
    assert recorded.status_code in (200, 201), recorded.get_json()
    assert rotate_with_both_keys(database_url) == 2
    again = read_with_the_new_key_only(database_url, record["id"])
    assert again["phone_facts"][0]["rep_name"] == "Pat Example"


def test_every_encrypted_table_is_paged_by_its_id() -> None:
    for table in encrypted_columns():
        assert "id" in metadata.tables[table].c, table


def test_the_rotate_command_re_encrypts_through_the_services(app: Flask, database_url: str) -> None:
    record = authorized(app).post("/v1/verifications", json=BODY).get_json()
    env = {
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_DATA_KEYS": f"{NEW},{OLD}",
        "VERIFIER_BLIND_INDEX_KEY": INDEX,
    }
    result = CliRunner().invoke(main, ["keys", "rotate-data"], env=env)
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 rows" in result.output
    again = read_with_the_new_key_only(database_url, record["id"])
    assert again["determination"] == record["determination"]


def rotate_with_both_keys(database_url: str) -> int:
    both = make_engine(database_url, Protector([NEW, OLD], INDEX))
    try:
        return rotate_data(both)
    finally:
        both.dispose()


def read_with_the_new_key_only(database_url: str, record_id: str) -> dict[str, Any]:
    """The record as an app that holds only the new key reads it."""
    new_only = create_app(
        {"DATABASE_URL": database_url, "DATA_KEYS": NEW, "BLIND_INDEX_KEY": INDEX}
    )
    try:
        answer: dict[str, Any] = (
            authorized(new_only).get(f"/v1/verifications/{record_id}").get_json()
        )
        return answer
    finally:
        new_only.extensions["verifier"].close()
