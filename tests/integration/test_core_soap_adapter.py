"""The CAQH CORE SOAP adapter, with respx standing in for the CORE receiver."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import pytest
import respx
from lxml import etree

from adapters.base import GarbledAnswer, PayerProtocolError, PayerUnreachable
from adapters.directory import PayerSettings
from adapters.http.client import PayerHttp
from adapters.http.core_envelope import CoreEnvelopeError
from adapters.http.core_soap import CoreSoapAdapter
from adapters.http.oauth import CredentialsRefused
from tests.helpers import FIXTURES, fixture_path
from tests.integration.test_http_adapters import REQUEST
from verifier.domain.coverage import interpret

URL = "http://core.test/core/realtime"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
CORE = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
USER, PASSWORD = "core-user", "core-pa$$word-never-shown"
SCHEMA = etree.XMLSchema(etree.parse(str(FIXTURES / "core" / "core-realtime-request.xsd")))


@pytest.fixture(autouse=True)
def core_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_CORE_USER", USER)
    monkeypatch.setenv("TEST_CORE_PASSWORD", PASSWORD)


def core_adapter() -> CoreSoapAdapter:
    payer = PayerSettings(
        id="ACME",
        name="Acme Health",
        adapter="core-soap",
        base_url=URL,
        trading_partner_id="60054",
        timeout_seconds=2.0,
        extra={
            "username_env": "TEST_CORE_USER",
            "password_env": "TEST_CORE_PASSWORD",
            "sender_id": "SUBMITTER1",
            "receiver_id": "RECEIVER1",
        },
    )
    http = PayerHttp(payer, httpx.Client(), attempts=3, backoff_seconds=0.01, sleep=lambda _: None)
    return CoreSoapAdapter(payer, http, retry_pause=0.0)


def answer(
    payload: str = "",
    error_code: str = "Success",
    wrapper: str | None = None,
    soap: str = SOAP12,
) -> httpx.Response:
    """A receiver's response envelope, written out by hand (not by the code under test)."""
    core = (
        f'<cor:COREEnvelopeRealTimeResponse xmlns:cor="{CORE}">'
        "<PayloadType>X12_271_Response_005010X279A1</PayloadType>"
        "<ProcessingMode>RealTime</ProcessingMode><PayloadID>f0e1d2c3-0000-4000-8000-000000000001"
        "</PayloadID><TimeStamp>2026-11-27T10:00:00Z</TimeStamp><SenderID>RECEIVER1</SenderID>"
        "<ReceiverID>SUBMITTER1</ReceiverID><CORERuleVersion>2.2.0</CORERuleVersion>"
        f"<Payload><![CDATA[{payload}]]></Payload><ErrorCode>{error_code}</ErrorCode>"
        "<ErrorMessage>message text</ErrorMessage></cor:COREEnvelopeRealTimeResponse>"
    )
    if wrapper:
        core = f'<w:{wrapper} xmlns:w="http://www.caqh.org/SOAP/WSDL/">{core}</w:{wrapper}>'
    body = f'<s:Envelope xmlns:s="{soap}"><s:Body>{core}</s:Body></s:Envelope>'
    return httpx.Response(
        200, content=body.encode(), headers={"Content-Type": "application/soap+xml"}
    )


def fault(code: str, status: int) -> httpx.Response:
    body = (
        f'<env:Envelope xmlns:env="{SOAP12}"><env:Body><env:Fault><env:Code>'
        f"<env:Value>env:{code}</env:Value></env:Code><env:Reason>"
        '<env:Text xml:lang="en">it went wrong</env:Text></env:Reason></env:Fault></env:Body>'
        "</env:Envelope>"
    )
    return httpx.Response(status, content=body.encode())


def sent(route: respx.Route) -> etree._Element:
    return etree.fromstring(route.calls.last.request.content)


@respx.mock
def test_sends_the_270_in_a_soap_12_envelope_that_matches_the_core_field_table() -> None:
    route = respx.post(URL).mock(return_value=answer(fixture_path("MOCK-IOP-DUAL").read_text()))
    response = core_adapter().check(REQUEST)
    envelope = sent(route)
    assert envelope.tag == f"{{{SOAP12}}}Envelope"
    [body] = envelope.findall(f"{{{SOAP12}}}Body/{{{CORE}}}COREEnvelopeRealTimeRequest")
    SCHEMA.assertValid(etree.ElementTree(body))
    fields = {child.tag: child.text for child in body}
    assert (fields["SenderID"], fields["ReceiverID"]) == ("SUBMITTER1", "RECEIVER1")
    assert re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", fields["PayloadID"] or "")
    x12 = fields["Payload"] or ""
    assert x12.startswith("ISA*") and "ST*270*" in x12 and "*MI*MOCK-IOP-DUAL~" in x12
    headers = route.calls.last.request.headers
    assert headers["Content-Type"].startswith("application/soap+xml; charset=utf-8; action=")
    assert "RealTimeTransaction" in headers["Content-Type"]
    assert interpret(response.answers[0]).status == "active"


@respx.mock
def test_authenticates_with_a_ws_security_username_token_in_the_header() -> None:
    route = respx.post(URL).mock(return_value=answer(fixture_path("MOCK-HMO").read_text()))
    core_adapter().check(REQUEST)
    token = sent(route).find(f"{{{SOAP12}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    assert token is not None
    assert token.findtext(f"{{{WSSE}}}Username") == USER
    password = token.find(f"{{{WSSE}}}Password")
    assert password is not None
    assert (password.text, password.get("Type")) == (PASSWORD, PASSWORD_TEXT)


@pytest.mark.parametrize(
    ("wrapper", "soap"),
    [("RealTimeTransactionResponse", SOAP12), (None, "http://schemas.xmlsoap.org/soap/envelope/")],
    ids=["inside an operation wrapper", "in a SOAP 1.1 envelope"],
)
@respx.mock
def test_reads_the_271_from_the_envelopes_receivers_actually_send(wrapper: Any, soap: str) -> None:
    respx.post(URL).mock(
        return_value=answer(fixture_path("MOCK-INACTIVE").read_text(), wrapper=wrapper, soap=soap)
    )
    assert interpret(core_adapter().check(REQUEST).answers[0]).status == "inactive"


@respx.mock
def test_a_receiver_fault_is_retried_then_fails_retryable() -> None:
    route = respx.post(URL).mock(return_value=fault("Receiver", 500))
    with pytest.raises(PayerUnreachable) as failure:
        core_adapter().check(REQUEST)
    assert failure.value.retryable is True
    assert route.call_count == 3


@respx.mock
def test_a_sender_fault_is_final_even_with_http_500() -> None:
    route = respx.post(URL).mock(return_value=fault("Sender", 500))
    with pytest.raises(CoreEnvelopeError, match="Sender") as failure:
        core_adapter().check(REQUEST)
    assert failure.value.retryable is False
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("code", "error", "calls"),
    [
        ("Receiver", PayerUnreachable, 3),
        ("TimeStampIllegal", CoreEnvelopeError, 1),
        ("PayloadIDRequired", CoreEnvelopeError, 1),
        ("VersionMismatch", CoreEnvelopeError, 1),
        ("UnAuthorized", CredentialsRefused, 1),
    ],
)
@respx.mock
def test_core_error_codes_are_retried_only_when_the_receiver_failed(
    code: str, error: type, calls: int
) -> None:
    route = respx.post(URL).mock(return_value=answer(error_code=code))
    with pytest.raises(error) as failure:
        core_adapter().check(REQUEST)
    assert failure.value.retryable is (calls > 1)
    assert "message text" not in failure.value.message  # the receiver's free text stays out
    assert route.call_count == calls


@pytest.mark.parametrize(
    "body",
    [b"<html><body>502 Bad Gateway</body></html>", b"<s:Envelope", b'{"message": "error"}'],
    ids=["a proxy's page", "a body cut short", "an API gateway's JSON"],
)
@respx.mock
def test_a_200_that_is_not_a_core_envelope_is_retried_like_a_5xx(body: bytes) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, content=body))
    with pytest.raises(GarbledAnswer):
        core_adapter().check(REQUEST)
    assert route.call_count == 3


@respx.mock
def test_a_999_reject_in_a_successful_envelope_is_final_and_kept_for_support() -> None:
    reject = (
        "ISA*00*          *00*          *ZZ*RECEIVER1      *ZZ*SUBMITTER1     *261127*1000*^*"
        "00501*000000001*0*P*:~GS*FA*RECEIVER1*SUBMITTER1*20261127*1000*1*X*005010X231A1~"
        "ST*999*0001*005010X231A1~AK1*HS*1*005010X279A1~AK9*R*1*1*0~SE*4*0001~GE*1*1~"
        "IEA*1*000000001~"
    )
    route = respx.post(URL).mock(return_value=answer(reject))
    with pytest.raises(PayerProtocolError) as failure:
        core_adapter().check(REQUEST)
    assert failure.value.retryable is False
    assert failure.value.raw == reject
    assert route.call_count == 1


@respx.mock
def test_the_password_reaches_no_log_and_no_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    respx.post(URL).mock(return_value=answer(error_code="UnAuthorized"))
    with pytest.raises(CredentialsRefused) as failure:
        core_adapter().check(REQUEST)
    assert PASSWORD not in caplog.text + failure.value.message
