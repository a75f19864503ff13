"""Settings: typed from the environment, checked at start, and the README's table is theirs."""

from __future__ import annotations

import pytest

from tests.helpers import ROOT
from verifier.settings import Settings, SettingsError, load_settings, settings_table


def test_a_numeric_npi_or_secret_from_the_environment_stays_text() -> None:
    settings = load_settings(
        environ={"VERIFIER_PROVIDER_NPI": "1992753883", "VERIFIER_WEBHOOK_SECRET": "424242"}
    )
    assert settings.provider_npi == "1992753883"
    assert settings.webhook_secret == "424242"
    assert settings.provider == {"npi": "1992753883", "name": "Example Recovery"}


def test_numbers_and_flags_are_read_as_their_types() -> None:
    settings = load_settings(
        environ={
            "VERIFIER_JOB_LEASE_SECONDS": "600",
            "VERIFIER_SYNC_TIMEOUT_SECONDS": "12.5",
            "VERIFIER_SESSION_COOKIE_SECURE": "true",
            "VERIFIER_LOG_JSON": "0",
            "VERIFIER_TRUSTED_PROXIES": "1",
        }
    )
    assert settings.job_lease_seconds == 600
    assert settings.sync_timeout_seconds == 12.5
    assert settings.session_cookie_secure is True
    assert settings.log_json is False
    assert settings.trusted_proxies == 1


def test_defaults_then_environment_then_the_test_mapping() -> None:
    environ = {"VERIFIER_INTAKE_LIMIT_PER_KEY": "50", "VERIFIER_PROVIDER_NAME": "From env"}
    settings = load_settings({"PROVIDER_NAME": "From test", "TESTING": True}, environ=environ)
    assert settings.intake_limit_per_key == 50
    assert settings.provider_name == "From test"
    assert settings.database_url == Settings().database_url


def test_a_bad_value_is_named_with_what_it_must_be() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ={"VERIFIER_JOB_LEASE_SECONDS": "abc"})
    assert raised.value.problems == [
        'VERIFIER_JOB_LEASE_SECONDS must be a whole number of seconds, got "abc"'
    ]


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(
            environ={
                "VERIFIER_PROVIDER_NPI": "12345",
                "VERIFIER_PAYER_ATTEMPTS": "0",
                "VERIFIER_LOG_LEVEL": "LOUD",
                "VERIFIER_SESSION_COOKIE_SECURE": "maybe",
            }
        )
    assert raised.value.problems == [
        'VERIFIER_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "LOUD"',
        'VERIFIER_PAYER_ATTEMPTS must be a whole number, 1 or more, got "0"',
        'VERIFIER_PROVIDER_NPI must be a National Provider Identifier of 10 digits, got "12345"',
        'VERIFIER_SESSION_COOKIE_SECURE must be true or false, got "maybe"',
    ]


def test_a_test_mapping_is_checked_like_the_environment() -> None:
    with pytest.raises(SettingsError, match="VERIFIER_PROVIDER_NPI"):
        load_settings({"PROVIDER_NPI": 1992753883}, environ={})


def test_a_bad_secret_is_named_but_never_echoed() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(
            environ={"VERIFIER_DATA_KEYS": "not-a-key-s3cr3t", "VERIFIER_BLIND_INDEX_KEY": "x"}
        )
    assert raised.value.problems == [
        "VERIFIER_DATA_KEYS must be one or more Fernet keys separated by commas "
        "(the value given is not shown)"
    ]
    assert "s3cr3t" not in str(raised.value)


def test_data_keys_without_a_blind_index_key_is_refused_not_ignored() -> None:
    key = "x" * 43 + "="
    with pytest.raises(SettingsError, match="must be set together"):
        load_settings(environ={"VERIFIER_DATA_KEYS": key})


def test_the_readme_configuration_table_is_every_setting_with_its_type() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert settings_table() in readme
    for name in Settings().as_config():
        assert f"`VERIFIER_{name}`" in settings_table()


OIDC = {
    "VERIFIER_OIDC_ISSUER": "https://login.harbor-light.example/",
    "VERIFIER_OIDC_CLIENT_ID": "verifier-console",
    "VERIFIER_OIDC_SCOPE_MAP": "admissions=verifications:read verifications:write;admins=admin",
}


def test_openid_connect_sign_in_is_read_with_its_scope_map() -> None:
    settings = load_settings(environ={**OIDC, "VERIFIER_OIDC_CLIENT_SECRET": "s3cret"})
    assert settings.oidc_issuer == "https://login.harbor-light.example/"
    assert settings.oidc_scopes == {
        "admissions": ("verifications:read", "verifications:write"),
        "admins": ("admin",),
    }
    assert (settings.oidc_scopes_claim, settings.console_key_sign_in) == ("groups", True)
    assert load_settings(environ={}).oidc_scopes == {}


def test_a_scope_map_the_console_cannot_read_stops_the_start_in_one_line() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ={**OIDC, "VERIFIER_OIDC_SCOPE_MAP": "admissions=intake:submit"})
    assert raised.value.problems == [
        "VERIFIER_OIDC_SCOPE_MAP must be value=scope scope;value=scope (scopes: "
        'verifications:read, verifications:write, admin), got "admissions=intake:submit"'
    ]


def test_an_issuer_without_a_client_id_or_scope_map_is_refused() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ={"VERIFIER_OIDC_ISSUER": OIDC["VERIFIER_OIDC_ISSUER"]})
    assert raised.value.problems == [
        "VERIFIER_OIDC_ISSUER, VERIFIER_OIDC_CLIENT_ID and VERIFIER_OIDC_SCOPE_MAP must be set "
        "together, or none"
    ]


def test_api_key_sign_in_may_be_hidden_only_when_staff_can_sign_in_otherwise() -> None:
    assert not load_settings(
        environ={**OIDC, "VERIFIER_CONSOLE_KEY_SIGN_IN": "false"}
    ).console_key_sign_in
    with pytest.raises(SettingsError, match="nobody can sign in"):
        load_settings(environ={"VERIFIER_CONSOLE_KEY_SIGN_IN": "false"})


def test_the_scopes_asked_of_the_provider_must_include_openid() -> None:
    with pytest.raises(SettingsError, match='"openid" among them, got "email groups"'):
        load_settings(environ={**OIDC, "VERIFIER_OIDC_REQUEST_SCOPES": "email groups"})
