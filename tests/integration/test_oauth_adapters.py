"""OAuth2 client credentials for the HTTP adapters, with respx standing in for gateway and payer."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from adapters.base import PayerUnreachable
from adapters.directory import PayerSettings
from adapters.http.adapters import ClearinghouseJsonAdapter, X12HttpAdapter
from adapters.http.client import PayerHttp
from adapters.http.oauth import CredentialsRefused, OAuth2Settings, TokenCache
from tests.helpers import fixture_path
from tests.integration.test_http_adapters import BASE, JSON_URL, REQUEST, X12_URL, fixture

TOKEN_URL = "http://auth.test/oauth2/token"
CLIENT_ID, CLIENT_SECRET = "verifier-client", "s3cret-never-shown"
OAUTH = {
    "auth": "oauth2",
    "token_url": TOKEN_URL,
    "client_id_env": "TEST_OAUTH_CLIENT_ID",
    "client_secret_env": "TEST_OAUTH_CLIENT_SECRET",
    "scope": "eligibility",
}


@pytest.fixture(autouse=True)
def client_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OAUTH_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TEST_OAUTH_CLIENT_SECRET", CLIENT_SECRET)


def token(access: str, expires_in: int = 3600) -> httpx.Response:
    body = {"access_token": access, "token_type": "Bearer", "expires_in": expires_in}
    return httpx.Response(200, json=body, headers={"Cache-Control": "no-store"})


def oauth_adapter(kind: type = ClearinghouseJsonAdapter, tokens: TokenCache | None = None) -> Any:
    payer = PayerSettings(
        id="ACME", name="Acme Health", adapter="clearinghouse-json", base_url=BASE,
        timeout_seconds=2.0, extra=dict(OAUTH),
    )  # fmt: skip
    oauth = OAuth2Settings.from_extra(payer.extra)
    assert oauth is not None
    http = PayerHttp(
        payer,
        httpx.Client(),
        attempts=3,
        backoff_seconds=0.01,
        sleep=lambda _: None,
        credentials=(tokens or TokenCache()).credentials(oauth, 2.0),
    )
    return kind(payer, http, retry_pause=0.0)


def bearer(route: respx.Route, call: int = -1) -> str:
    return str(route.calls[call].request.headers["Authorization"])


@respx.mock
def test_fetches_a_client_credentials_token_and_sends_it_as_a_bearer_token() -> None:
    tokens = respx.post(TOKEN_URL).mock(return_value=token("tok-1"))
    payer = respx.post(JSON_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    oauth_adapter().check(REQUEST)
    sent = tokens.calls.last.request
    form = parse_qs(sent.content.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"] == ["eligibility"]
    # RFC 6749 §2.3.1: HTTP Basic with the client id and secret.
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {basic}"
    assert bearer(payer) == "Bearer tok-1"


@respx.mock
def test_one_token_serves_every_call_while_it_is_fresh() -> None:
    tokens = respx.post(TOKEN_URL).mock(return_value=token("tok-1"))
    respx.post(JSON_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    adapter = oauth_adapter()
    for _ in range(3):
        adapter.check(REQUEST)
    assert tokens.call_count == 1


@respx.mock
def test_payers_that_share_credentials_share_the_processs_token() -> None:
    tokens = respx.post(TOKEN_URL).mock(return_value=token("tok-1"))
    respx.post(JSON_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    respx.post(X12_URL).mock(
        return_value=httpx.Response(200, json={"x12": fixture_path("MOCK-HMO").read_text()})
    )
    cache = TokenCache()
    oauth_adapter(ClearinghouseJsonAdapter, cache).check(REQUEST)
    oauth_adapter(X12HttpAdapter, cache).check(REQUEST)
    assert tokens.call_count == 1


@respx.mock
def test_a_token_about_to_expire_is_renewed_before_the_next_call() -> None:
    # 20 seconds left is inside the 30-second margin: the next call gets a new token first.
    tokens = respx.post(TOKEN_URL).mock(side_effect=[token("tok-1", 20), token("tok-2")])
    payer = respx.post(JSON_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    adapter = oauth_adapter()
    adapter.check(REQUEST)
    adapter.check(REQUEST)
    assert tokens.call_count == 2
    assert [bearer(payer, 0), bearer(payer, 1)] == ["Bearer tok-1", "Bearer tok-2"]


@respx.mock
def test_a_401_renews_the_token_once_and_sends_the_call_again() -> None:
    tokens = respx.post(TOKEN_URL).mock(side_effect=[token("tok-1"), token("tok-2")])
    expired = httpx.Response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    payer = respx.post(JSON_URL).mock(
        side_effect=[expired, httpx.Response(200, json=fixture("MOCK-HMO"))]
    )
    assert oauth_adapter().check(REQUEST).answers
    assert tokens.call_count == 2
    assert [bearer(payer, 0), bearer(payer, 1)] == ["Bearer tok-1", "Bearer tok-2"]


@respx.mock
def test_a_second_401_is_refused_credentials_and_nothing_loops() -> None:
    tokens = respx.post(TOKEN_URL).mock(side_effect=[token("tok-1"), token("tok-2")])
    payer = respx.post(JSON_URL).mock(return_value=httpx.Response(401))
    with pytest.raises(CredentialsRefused) as failure:
        oauth_adapter().check(REQUEST)
    assert failure.value.retryable is False
    assert (tokens.call_count, payer.call_count) == (2, 2)


@respx.mock
def test_a_client_the_token_endpoint_refuses_is_final_and_the_payer_is_never_called() -> None:
    refused = {"error": "invalid_client", "error_description": f"unknown client {CLIENT_ID}"}
    tokens = respx.post(TOKEN_URL).mock(return_value=httpx.Response(401, json=refused))
    payer = respx.post(JSON_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    with pytest.raises(CredentialsRefused, match=r"invalid_client") as failure:
        oauth_adapter().check(REQUEST)
    assert CLIENT_ID not in failure.value.message
    assert (tokens.call_count, payer.call_count) == (1, 0)


@respx.mock
def test_a_token_endpoint_outage_is_retried_like_the_payers_own() -> None:
    tokens = respx.post(TOKEN_URL).mock(side_effect=[httpx.Response(503), token("tok-1")])
    respx.post(JSON_URL).mock(return_value=httpx.Response(200, json=fixture("MOCK-HMO")))
    assert oauth_adapter().check(REQUEST).answers
    assert tokens.call_count == 2


@respx.mock
def test_a_token_endpoint_that_stays_down_fails_retryable() -> None:
    respx.post(TOKEN_URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(PayerUnreachable) as failure:
        oauth_adapter().check(REQUEST)
    assert failure.value.retryable is True


@respx.mock
def test_neither_the_secret_nor_a_token_reaches_a_log_or_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    respx.post(TOKEN_URL).mock(side_effect=[token("tok-secret-1"), token("tok-secret-2")])
    respx.post(JSON_URL).mock(return_value=httpx.Response(401, json={"error": "invalid_token"}))
    with pytest.raises(CredentialsRefused) as failure:
        oauth_adapter().check(REQUEST)
    shown = caplog.text + failure.value.message + json.dumps(failure.value.args)
    for secret in (CLIENT_SECRET, "tok-secret-1", "tok-secret-2"):
        assert secret not in shown
