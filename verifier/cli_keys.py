"""`verifier keys`: create, list and revoke API keys."""

from __future__ import annotations

import click

from verifier.bootstrap import Services
from verifier.security.keys import SCOPES, KeyRequestError
from verifier.services.keys import NoActiveKey, create_key, list_keys, revoke_key


def _services() -> Services:
    from verifier.bootstrap import bootstrap
    from verifier.settings import load_settings

    return bootstrap(load_settings())


@click.group("keys")
def keys_group() -> None:
    """API keys: stored hashed, shown once."""


@keys_group.command("create")
@click.option("--name", required=True, help="Who or what uses the key, e.g. 'admissions CRM'.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(SCOPES),
    help="Repeat for several scopes.",
)
@click.option(
    "--origin",
    "origins",
    multiple=True,
    help="For intake keys: a site allowed to post from the browser (CORS). Repeatable.",
)
def create(name: str, scopes: tuple[str, ...], origins: tuple[str, ...]) -> None:
    """Create a key and print it once; only its hash is stored."""
    services = _services()
    try:
        fresh = create_key(services.keys, services.service.clock, name, scopes, origins)
    except KeyRequestError as error:
        raise click.UsageError(str(error)) from None
    finally:
        services.close()
    click.echo(f"key id: {fresh.key.id}  scopes: {' '.join(fresh.key.scopes)}", err=True)
    click.echo("Store this key now; it cannot be shown again:", err=True)
    click.echo(fresh.token)


@keys_group.command("list")
def list_command() -> None:
    """Every key: id, name, scopes, created, revoked. Never the key itself."""
    services = _services()
    try:
        for key in list_keys(services.keys):
            revoked = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            click.echo(
                f"{key.id}\t{key.name}\t{','.join(key.scopes)}\t"
                f"{key.created_at:%Y-%m-%d}\t{revoked}"
            )
    finally:
        services.close()


@keys_group.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke a key by its id; it stops working at once."""
    services = _services()
    try:
        revoke_key(services.keys, services.service.clock, key_id)
    except NoActiveKey:
        raise click.ClickException(f"no active key has id {key_id}") from None
    finally:
        services.close()
    click.echo(f"revoked {key_id}")


@keys_group.command("rotate-data")
def rotate_data_command() -> None:
    """Re-encrypt all stored PHI under the first key of VERIFIER_DATA_KEYS.

    Put the new key first and keep the old ones after it until this has run; then the old keys
    may be removed.
    """
    services = _services()
    try:
        count = services.maintenance.rotate_data()
    finally:
        services.close()
    click.echo(f"re-encrypted {count} rows under the newest key")
