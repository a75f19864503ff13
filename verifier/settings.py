"""The service's settings: one typed object, read once from defaults, then `VERIFIER_*`
variables, then (in tests) a mapping, and shared by the app, the workers and every command.

Each setting is declared once below with its type, default and meaning; the README's
configuration table is `settings_table()`, and a bad value stops start-up with one line per
variable (`SettingsError`), never a traceback and never a value silently reinterpreted.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from environs import Env, EnvValidationError
from marshmallow import ValidationError
from marshmallow.validate import OneOf, Range, Regexp

from verifier.security.staff import SCOPE_MAP_FORMAT, ScopeMapError, parse_scope_map

PREFIX = "VERIFIER_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """One or more settings have values the service cannot use; `problems` has a line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Kind:
    """How a setting is written: the README's type, what a bad value is told it must be, and
    how environs reads it (`secret` values are never echoed back in an error)."""

    label: str
    expects: str
    read: Callable[[Env, str, Any], Any]
    secret: bool = False


def _optional_text(env: Env, name: str, default: Any) -> Any:
    value = env.str(name, default)
    return value or None  # an empty variable means unset, as in a compose file's `X=`


def _fernet_keys(value: str) -> None:
    try:
        keys = [base64.urlsafe_b64decode(k.strip()) for k in value.split(",") if k.strip()]
    except (binascii.Error, ValueError):
        keys = []
    if value and not (keys and all(len(key) == 32 for key in keys)):
        raise ValidationError("not Fernet keys")


def _whole(least: int) -> Callable[[Env, str, Any], Any]:
    """A whole number, `least` or more."""
    return lambda env, name, default: env.int(name, default, validate=Range(min=least))


def _number(least: float, *, inclusive: bool) -> Callable[[Env, str, Any], Any]:
    """A number above `least` (or `least` itself when `inclusive`)."""
    check = Range(min=least, min_inclusive=inclusive)
    return lambda env, name, default: env.float(name, default, validate=check)


TEXT = Kind("text", "text", lambda env, name, default: env.str(name, default))
OPTIONAL_TEXT = Kind("text", "text", _optional_text)
SECRET = Kind("text, secret", "text", _optional_text, secret=True)
FERNET_KEYS = Kind(
    "Fernet keys, comma-separated, secret",
    "one or more Fernet keys separated by commas",
    lambda env, name, default: env.str(name, default, validate=_fernet_keys) or None,
    secret=True,
)
FLAG = Kind("true/false", "true or false", lambda env, name, default: env.bool(name, default))
WHOLE_SECONDS = Kind(
    "whole seconds",
    "a whole number of seconds",
    _whole(1),
)
SECONDS = Kind(
    "seconds",
    "a number of seconds above 0",
    _number(0, inclusive=False),
)
BACKOFF = Kind(
    "seconds",
    "a number of seconds, 0 or more",
    _number(0, inclusive=True),
)
HOURS = Kind(
    "hours",
    "a number of hours above 0",
    _number(0, inclusive=False),
)
COUNT = Kind(
    "whole number, 1 or more",
    "a whole number, 1 or more",
    _whole(1),
)
PROXIES = Kind(
    "whole number, 0 or more",
    "a whole number, 0 or more",
    _whole(0),
)
NPI = Kind(
    "NPI (10 digits)",
    "a National Provider Identifier of 10 digits",
    lambda env, name, default: env.str(name, default, validate=Regexp(r"^\d{10}$")),
)
OPTIONAL_NPI = Kind(
    "NPI (10 digits)",
    "a National Provider Identifier of 10 digits",
    lambda env, name, default: env.str(name, default, validate=Regexp(r"^(\d{10})?$")) or None,
)
LEVEL = Kind(
    "log level",
    "one of " + ", ".join(LOG_LEVELS),
    lambda env, name, default: env.str(name, default, validate=OneOf(LOG_LEVELS)),
)


def _scope_map(value: str) -> None:
    try:
        if value:
            parse_scope_map(value)
    except ScopeMapError as error:
        raise ValidationError(str(error)) from error


def _openid_scopes(value: str) -> None:
    if "openid" not in value.split():
        raise ValidationError("no openid scope")


OPTIONAL_URL = Kind(
    "URL",
    "an http:// or https:// URL",
    lambda env, name, default: (
        env.str(name, default, validate=Regexp(r"^(https?://\S+)?$")) or None
    ),
)
SCOPE_MAP = Kind(
    "`value=scope scope;…`",
    SCOPE_MAP_FORMAT,
    lambda env, name, default: env.str(name, default, validate=_scope_map) or None,
)
OPENID_SCOPES = Kind(
    "scopes, space-separated",
    'scopes separated by spaces, "openid" among them',
    lambda env, name, default: env.str(name, default, validate=_openid_scopes),
)
FILE = Kind(
    "file path",
    "a file path",
    lambda env, name, default: _optional_text(env, name, default),
)


def setting(default: Any, kind: Kind, meaning: str, shown: str | None = None) -> Any:
    """A declared setting: its default, its kind and a one-line meaning for the README
    (`shown` is how the README writes the default, where the value alone would mislead)."""
    return field(default=default, metadata={"kind": kind, "meaning": meaning, "shown": shown})


@dataclass(frozen=True)
class Settings:
    """Every setting the service reads; the field name upper-cased, after `VERIFIER_`, is the
    variable (`database_url` is `VERIFIER_DATABASE_URL`)."""

    database_url: str = setting(
        "sqlite:///verifier.sqlite3",
        TEXT,
        "SQLAlchemy URL; PostgreSQL as `postgresql+psycopg://user@host/db`",
    )
    payers_file: str | None = setting(
        None, FILE, "the payer directory, TOML", shown="bundled (the mock payer only)"
    )
    provider_npi: str = setting(
        "1234567893", NPI, "the provider's NPI sent when a request names no provider"
    )
    provider_name: str = setting(
        "Example Recovery", TEXT, "the provider's name sent when a request names no provider"
    )
    mock_timeout_seconds: float = setting(1.0, SECONDS, "how long `MOCK-TIMEOUT` waits to fail")
    max_content_length: int = setting(65536, COUNT, "largest accepted request body, bytes")
    payer_attempts: int = setting(3, COUNT, "tries per payer call")
    payer_backoff_seconds: float = setting(
        0.5, BACKOFF, "the first pause between tries of a payer call (jittered, doubling)"
    )
    sync_timeout_seconds: float = setting(
        45.0,
        SECONDS,
        "how long a synchronous verification waits for its payers before it ends as a failed "
        "`timeout` record (async requests and jobs keep trying); `verifier serve` gives "
        "gunicorn 30 s more than this, so a worker is never killed mid-verification",
    )
    console_wait_seconds: float = setting(
        8.0,
        SECONDS,
        'how long the console\'s "Start a verification" waits for the payer before it shows '
        "the record as pending and updates the page when the answer lands",
    )
    job_lease_seconds: int = setting(
        300, WHOLE_SECONDS, "how long a worker holds a job before another may take it"
    )
    webhook_secret: str | None = setting(
        None,
        SECRET,
        'signs async webhooks (`X-Verifier-Signature: sha256=HMAC(secret, "<timestamp>.<body>")`'
        ", `X-Verifier-Timestamp`); `callback_url` is refused without it",
    )
    secret_key: str | None = setting(
        None,
        SECRET,
        "signs the console's sessions; the console is off without it (`make run` makes one "
        "per start)",
    )
    session_cookie_secure: bool = setting(
        False, FLAG, "send the console's session cookie over HTTPS only; set it behind HTTPS"
    )
    console_session_hours: float = setting(
        8.0, HOURS, "how long a console sign-in lasts without activity"
    )
    console_key_sign_in: bool = setting(
        True,
        FLAG,
        "offer API-key sign-in on the console (development); set false in production once "
        "`VERIFIER_OIDC_ISSUER` signs staff in as themselves",
    )
    oidc_issuer: str | None = setting(
        None,
        OPTIONAL_URL,
        "the identity provider's issuer; its `/.well-known/openid-configuration` is read at the "
        "first sign-in. Set, the console offers OpenID Connect sign-in (code flow with PKCE); "
        "needs the client id and the scope map",
    )
    oidc_client_id: str | None = setting(
        None, OPTIONAL_TEXT, "the console's client id at the identity provider"
    )
    oidc_client_secret: str | None = setting(
        None,
        SECRET,
        "the console's client secret (`client_secret_basic`); unset, a public client with PKCE",
    )
    oidc_provider_name: str = setting(
        "single sign-on", TEXT, 'named on the sign-in button: "Sign in with …"'
    )
    oidc_request_scopes: str = setting(
        "openid email profile",
        OPENID_SCOPES,
        "the scopes asked of the identity provider; add the one that releases the groups "
        "claim if it needs one (`groups`)",
    )
    oidc_scopes_claim: str = setting(
        "groups",
        TEXT,
        "the ID token or userinfo claim whose values map to console scopes (`roles`, or a "
        "dotted path such as `realm_access.roles`)",
    )
    oidc_scope_map: str | None = setting(
        None,
        SCOPE_MAP,
        "which claim values give which console scopes, e.g. "
        "`admissions=verifications:read verifications:write;admins=admin`; a person with none "
        "is refused",
    )
    data_keys: str | None = setting(
        None,
        FERNET_KEYS,
        "comma-separated Fernet keys for PHI at rest; the first encrypts, all decrypt",
        shown="from the local key file",
    )
    blind_index_key: str | None = setting(
        None,
        SECRET,
        "the key of the member-id blind index (HMAC-SHA256)",
        shown="from the local key file",
    )
    data_key_file: str = setting(
        ".verifier-data-keys",
        TEXT,
        "where the two keys above are made and kept (mode 0600) when they are not set",
    )
    intake_page_key: str | None = setting(
        None,
        SECRET,
        "the `intake:submit` key the intake page uses; unset, unknown or revoked, the page "
        'answers `503` "not available"',
    )
    intake_page_api_base: str = setting(
        "",
        TEXT,
        "where the API is, when the intake form is served from elsewhere",
        shown="empty (same origin)",
    )
    intake_page_centre_name: str = setting(
        "our treatment centre", TEXT, "named in the intake form's consent wording"
    )
    intake_limit_per_key: int = setting(
        120,
        COUNT,
        "intake submissions in any minute per key; counted in the database, so every worker "
        "and server shares them",
    )
    intake_limit_per_address: int = setting(
        10, COUNT, "intake submissions in any minute per client address of a key"
    )
    trusted_proxies: int = setting(
        0,
        PROXIES,
        "reverse proxies or load balancers in front that append `X-Forwarded-For` (and set "
        "`X-Forwarded-Proto`); with `0` the client address is the connection's, so a client "
        "cannot forge one. Set it behind a load balancer, or every intake submission shares "
        "the balancer's address and its limit",
    )
    facility_name: str | None = setting(
        None, OPTIONAL_TEXT, "the facility named in the VOB's header", shown="the provider's name"
    )
    facility_npi: str | None = setting(
        None, OPTIONAL_NPI, "the facility NPI in the VOB's header", shown="the provider's NPI"
    )
    log_level: str = setting("INFO", LEVEL, "the least severe log line written")
    log_json: bool = setting(
        True, FLAG, "write JSON log lines to standard error (off: leave logging as it is)"
    )

    @property
    def oidc_scopes(self) -> dict[str, tuple[str, ...]]:
        """The scope map, read; empty without OpenID Connect sign-in."""
        return parse_scope_map(self.oidc_scope_map) if self.oidc_scope_map else {}

    @property
    def provider(self) -> dict[str, str]:
        """The provider a request that names none is sent with."""
        return {"npi": self.provider_npi, "name": self.provider_name}

    def as_config(self) -> dict[str, Any]:
        """The settings under their Flask config names (`DATABASE_URL`, ...)."""
        return {item.name.upper(): getattr(self, item.name) for item in fields(self)}


class _SourceEnv(Env):
    """environs reading from one mapping (variables, then the test mapping) rather than
    `os.environ` itself, so a test's settings go through the same parsing and checks."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        super().__init__(eager=False)
        self._source = source

    def _get_value(self, env_key: str, default: Any) -> Any:
        return self._source.get(env_key, default)


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then `VERIFIER_*` variables of `environ` (the process's by default), then
    `overrides` (config names such as `DATABASE_URL`; names that are not settings are ignored).

    Raises SettingsError naming every variable whose value the service cannot use.
    """
    environ = os.environ if environ is None else environ
    source: dict[str, Any] = {k: v for k, v in environ.items() if k.startswith(PREFIX)}
    declared = {item.name.upper() for item in fields(Settings)}
    for name, value in (overrides or {}).items():
        if name in declared:
            source[PREFIX + name] = value
    env = _SourceEnv(source)
    values = {}
    for item in fields(Settings):
        kind: Kind = item.metadata["kind"]
        values[item.name] = kind.read(env, PREFIX + item.name.upper(), item.default)
    problems: list[str] = []
    try:
        env.seal()
    except EnvValidationError as error:
        messages = error.error_messages
        # Keyed by variable whenever several are read, as here.
        assert isinstance(messages, Mapping)
        problems = _problems(messages, source)
    if bool(values["data_keys"]) != bool(values["blind_index_key"]) and not problems:
        # One without the other would quietly fall back to the local key file.
        problems.append(
            f"{PREFIX}DATA_KEYS and {PREFIX}BLIND_INDEX_KEY must be set together, or neither"
        )
    if not problems:
        problems += _oidc_problems(values)
    if problems:
        raise SettingsError(problems)
    return Settings(**values)


def _oidc_problems(values: Mapping[str, Any]) -> list[str]:
    together = ("oidc_issuer", "oidc_client_id", "oidc_scope_map")
    names = [PREFIX + name.upper() for name in together]
    if any(values[name] for name in together) and not all(values[name] for name in together):
        return [f"{', '.join(names[:-1])} and {names[-1]} must be set together, or none"]
    if not values["console_key_sign_in"] and not values["oidc_issuer"]:
        return [
            f"{PREFIX}CONSOLE_KEY_SIGN_IN may be false only with {PREFIX}OIDC_ISSUER set: "
            "otherwise nobody can sign in to the console"
        ]
    return []


def _problems(errors: Mapping[str, Any], source: Mapping[str, Any]) -> list[str]:
    kinds = {PREFIX + item.name.upper(): item.metadata["kind"] for item in fields(Settings)}
    lines = []
    for name in sorted(errors):
        kind: Kind = kinds[name]
        if kind.secret:
            lines.append(f"{name} must be {kind.expects} (the value given is not shown)")
        else:
            lines.append(f'{name} must be {kind.expects}, got "{source.get(name)}"')
    return lines


def settings_table() -> str:
    """The README's configuration table, one row a setting."""
    rows = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    for item in fields(Settings):
        kind: Kind = item.metadata["kind"]
        shown = item.metadata["shown"] or _shown(item.default)
        name, meaning = f"`{PREFIX}{item.name.upper()}`", item.metadata["meaning"]
        rows.append(f"| {name} | {kind.label} | {shown} | {meaning} |")
    return "\n".join(rows)


def _shown(default: Any) -> str:
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float) and default.is_integer():
        return f"`{int(default)}`"
    return f"`{default}`"
