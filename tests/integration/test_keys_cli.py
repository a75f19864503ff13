"""`verifier keys`: a key is printed once, stored hashed, listed without itself, revoked."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from verifier.cli import main
from verifier.store.migrate import upgrade


def test_create_list_and_revoke_a_key(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    upgrade(url)
    runner = CliRunner()
    env = {"VERIFIER_DATABASE_URL": url}
    created = runner.invoke(
        main,
        [
            "keys",
            "create",
            "--name",
            "admissions CRM",
            "--scope",
            "verifications:read",
            "--scope",
            "verifications:write",
        ],
        env=env,
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vk_")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT key_hash FROM api_keys")).scalar_one()
    finally:
        engine.dispose()
    assert token not in stored and len(stored) == 64
    listed = runner.invoke(main, ["keys", "list"], env=env)
    assert "admissions CRM" in listed.output and token not in listed.output
    key_id = listed.output.split("\t")[0]
    assert runner.invoke(main, ["keys", "revoke", key_id], env=env).exit_code == 0
    assert "revoked" in runner.invoke(main, ["keys", "list"], env=env).output
    again = runner.invoke(main, ["keys", "revoke", key_id], env=env)
    assert again.exit_code == 1


def test_an_unknown_scope_is_refused(tmp_path) -> None:
    result = CliRunner().invoke(main, ["keys", "create", "--name", "x", "--scope", "root"])
    assert result.exit_code == 2
    assert "root" in result.output
