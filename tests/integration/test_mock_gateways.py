"""The mock clearinghouse's gateway endpoints, spoken to directly: tokens, jobs and CORE SOAP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from adapters.http.core_envelope import CoreRequest, request_envelope
from adapters.mock_clearinghouse.server import MockClearinghouse
from tests.integration.test_mock_clearinghouse import JSON_PATH, inquiry_270

SOAP12 = "application/soap+xml; charset=utf-8"


@pytest.fixture
def mock() -> Iterator[MockClearinghouse]:
    server = MockClearinghouse(port=0, polls_before_answer=1)
    server.start()
    yield server
    server.stop()


def token(mock: MockClearinghouse, secret: str = "mock-secret") -> httpx.Response:
    return httpx.post(
        f"{mock.url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("mock-client", secret),
    )


def eligibility(member_id: str) -> dict[str, object]:
    return {"subscriber": {"memberId": member_id}, "controlNumber": "000000001"}


def test_the_token_endpoint_refuses_an_unknown_secret_and_issues_a_bearer_token(
    mock: MockClearinghouse,
) -> None:
    refused = token(mock, "wrong")
    assert (refused.status_code, refused.json()) == (401, {"error": "invalid_client"})
    issued = token(mock).json()
    assert (issued["token_type"], issued["expires_in"]) == ("Bearer", 3600)


def test_oauth_paths_want_a_live_token_and_say_so_in_www_authenticate(
    mock: MockClearinghouse,
) -> None:
    url = f"{mock.url}/oauth2{JSON_PATH}"
    access = token(mock).json()["access_token"]
    ok = httpx.post(
        url, json=eligibility("MOCK-HMO"), headers={"Authorization": f"Bearer {access}"}
    )
    assert ok.status_code == 200
    mock.tokens.expire_all()
    expired = httpx.post(
        url, json=eligibility("MOCK-HMO"), headers={"Authorization": f"Bearer {access}"}
    )
    assert expired.status_code == 401
    assert expired.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_async_paths_answer_202_with_an_id_then_in_progress_then_the_answer(
    mock: MockClearinghouse,
) -> None:
    url = f"{mock.url}/async{JSON_PATH}"
    accepted = httpx.post(url, json=eligibility("MOCK-HMO"), headers={"Authorization": "key"})
    assert accepted.status_code == 202
    job = accepted.json()["id"]
    assert httpx.get(f"{url}/{job}").json() == {"id": job, "status": "In Progress"}
    assert "benefitsInformation" in httpx.get(f"{url}/{job}").json()
    assert httpx.get(f"{url}/{job}").status_code == 404  # collected once


def core_request(timestamp: str = "2026-11-27T10:00:00Z", password: str = "mock-password") -> bytes:
    fields = CoreRequest(
        "0f5e2c1a-7b3d-4c8e-9a61-2d4f8b7c6e10", timestamp, "S1", "R1", inquiry_270("MOCK-HMO")
    )
    return request_envelope(fields, "mock-user", password)


def core_fields(response: httpx.Response) -> dict[str, str]:
    root = etree.fromstring(response.content)
    [core] = [e for e in root.iter() if etree.QName(e).localname == "COREEnvelopeRealTimeResponse"]
    return {etree.QName(c).localname: (c.text or "") for c in core}


def test_the_core_endpoint_answers_the_271_under_the_requests_payload_id(
    mock: MockClearinghouse,
) -> None:
    answer = httpx.post(
        f"{mock.url}/core/realtime", content=core_request(), headers={"Content-Type": SOAP12}
    )
    fields = core_fields(answer)
    assert (fields["ErrorCode"], fields["PayloadType"]) == (
        "Success",
        "X12_271_Response_005010X279A1",
    )
    assert fields["PayloadID"] == "0f5e2c1a-7b3d-4c8e-9a61-2d4f8b7c6e10"
    assert fields["Payload"].startswith("ISA*") and "ST*271*" in fields["Payload"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (core_request(timestamp="2026-11-27T10:00:00.123456Z"), "TimeStampIllegal"),
        (core_request(password="wrong"), "UnAuthorized"),
    ],
    ids=["microseconds", "a wrong password"],
)
def test_the_core_endpoint_refuses_what_a_receiver_refuses(
    mock: MockClearinghouse, body: bytes, code: str
) -> None:
    answer = httpx.post(f"{mock.url}/core/realtime", content=body, headers={"Content-Type": SOAP12})
    assert core_fields(answer)["ErrorCode"] == code


def test_the_core_endpoint_faults_on_a_body_that_is_no_envelope(mock: MockClearinghouse) -> None:
    answer = httpx.post(f"{mock.url}/core/realtime", content=json.dumps({"x12": "?"}).encode())
    assert answer.status_code == 400
    assert b"env:Sender" in answer.content
