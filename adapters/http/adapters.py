"""The HTTP adapters: raw X12, clearinghouse JSON and FHIR, each fanned out by service type."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from adapters.base import CircuitOpen, PayerError, PayerProtocolError, PayerResponse
from adapters.clearinghouse.reader import read_clearinghouse
from adapters.directory import PayerSettings
from adapters.fhir.reader import read_fhir
from adapters.http.client import PayerHttp
from adapters.http.envelopes import eligibility_envelope, fhir_envelope, x12_envelope
from adapters.x12.tokens import X12Error
from verifier.domain.merge import merge_answers
from verifier.domain.model import PayerAnswer, UnreadableAnswer
from verifier.domain.request import VerificationRequest

_UNAVAILABLE = frozenset({"42", "80"})
_control = itertools.count(int(time.time()) % 100_000_000)

Inquiry = tuple[str, list[PayerAnswer]]


def _unavailable(answers: list[PayerAnswer]) -> bool:
    return bool(answers) and all(
        any(r.code in _UNAVAILABLE for r in a.rejections) and not a.benefits for a in answers
    )


class FanOutAdapter:
    """One inquiry per configured service type, concurrently, merged into one answer.

    A payer answer of "unable to respond now" (AAA 42, 80) is retried like a transport failure;
    when retries run out it is returned as the payer's answer.
    """

    format = ""

    def __init__(self, settings: PayerSettings, http: PayerHttp, retry_pause: float = 1.0) -> None:
        self.settings = settings
        self.http = http
        self.retry_pause = retry_pause
        # Shared by every worker thread calling this payer, so it is sized by the payer's
        # concurrency cap, not by the number of service types.
        self.pool = ThreadPoolExecutor(max_workers=max(1, settings.max_concurrency))

    def inquire(self, request: VerificationRequest, service_type: str) -> tuple[str, Any]:
        """Send one inquiry; return the raw text to keep and the decoded answer."""
        raise NotImplementedError

    def read(self, decoded: Any) -> list[PayerAnswer]:
        raise NotImplementedError

    def _attempt(
        self, request: VerificationRequest, service_type: str
    ) -> tuple[str, list[PayerAnswer]] | PayerError:
        """One inquiry's answer, or its failure: one service type failing must not sink the rest."""
        try:
            return self._one(request, service_type)
        except PayerError as error:
            return error

    def _one(
        self, request: VerificationRequest, service_type: str
    ) -> tuple[str, list[PayerAnswer]]:
        for attempt in range(self.http.attempts):
            raw, decoded = self.inquire(request, service_type)
            try:
                answers = self.read(decoded)
            except (UnreadableAnswer, X12Error) as error:
                raise PayerProtocolError(
                    f"the payer's answer could not be read: {error}", raw=raw, format=self.format
                ) from None
            if not _unavailable(answers) or attempt == self.http.attempts - 1:
                return raw, answers
            time.sleep(self.retry_pause * (2**attempt))
        raise AssertionError("unreachable")

    def check(self, request: VerificationRequest) -> PayerResponse:
        types = self.settings.service_types or ("30",)
        if len(types) == 1:  # one inquiry: no thread hand-off
            outcomes = [self._attempt(request, types[0])]
        else:
            outcomes = list(self.pool.map(lambda stc: self._attempt(request, stc), types))
        failures = [o for o in outcomes if isinstance(o, PayerError)]
        done = [
            (stc, o)
            for stc, o in zip(types, outcomes, strict=True)
            if not isinstance(o, PayerError)
        ]
        if not done:
            # The cause beats the consequence: report a timeout rather than the circuit it opened.
            raise next((f for f in failures if not isinstance(f, CircuitOpen)), failures[0])
        types = tuple(stc for stc, _ in done)
        results = [o for _, o in done]
        labelled = [
            (stc if len(types) > 1 else None, answers[0])
            for stc, (_, answers) in zip(types, results, strict=True)
            if answers
        ]
        raws = [raw for raw, _ in results]
        merged = [merge_answers(labelled)] if labelled else []
        return PayerResponse(raw=self.join(raws), format=self.format, answers=merged)

    def join(self, raws: list[str]) -> str:
        return raws[0] if len(raws) == 1 else json.dumps(raws)


class X12HttpAdapter(FanOutAdapter):
    """POST {"x12": 270} to the raw-X12 endpoint Change Healthcare and Stedi serve."""

    format = "x12"

    def inquire(self, request: VerificationRequest, service_type: str) -> tuple[str, Any]:
        from adapters.x12.writer import write_270

        url = f"{self.settings.base_url}/change/medicalnetwork/eligibility/v3/raw-x12"
        inquiry = write_270(
            request, self.settings, control_number=next(_control), service_type=service_type
        )
        answer = self.http.post_json(url, {"x12": inquiry}, envelope=x12_envelope)
        text: str = answer["x12"]
        return text, text

    def read(self, decoded: Any) -> list[PayerAnswer]:
        from adapters.x12.reader import read_271

        return read_271(decoded)

    def join(self, raws: list[str]) -> str:
        return "\n".join(raws)


def _yyyymmdd(value: Any) -> str:
    return value.strftime("%Y%m%d")  # type: ignore[no-any-return]


class ClearinghouseJsonAdapter(FanOutAdapter):
    """POST the eligibility v3 JSON request; read `benefitsInformation`, `errors` and the rest."""

    format = "clearinghouse-json"

    def inquire(self, request: VerificationRequest, service_type: str) -> tuple[str, Any]:
        url = f"{self.settings.base_url}/change/medicalnetwork/eligibility/v3"
        body = clearinghouse_request(request, self.settings, service_type, next(_control))
        answer = self.http.post_json(url, body, envelope=eligibility_envelope)
        return json.dumps(answer), answer

    def read(self, decoded: Any) -> list[PayerAnswer]:
        return [read_clearinghouse(decoded)]


def clearinghouse_request(
    request: VerificationRequest, settings: PayerSettings, service_type: str, control: int
) -> dict[str, Any]:
    """The eligibility v3 request body: one service type per inquiry, as payers handle best."""
    subscriber: dict[str, Any] = {
        "memberId": request.subscriber.member_id,
        "firstName": request.subscriber.first_name,
        "lastName": request.subscriber.last_name,
        "dateOfBirth": _yyyymmdd(request.subscriber.date_of_birth),
    }
    if request.subscriber.group_number:
        subscriber["groupNumber"] = request.subscriber.group_number
    body: dict[str, Any] = {
        "controlNumber": f"{control % 1_000_000_000:09d}",
        "tradingPartnerServiceId": settings.trading_partner_id or settings.id,
        "provider": {"organizationName": request.provider.name, "npi": request.provider.npi},
        "subscriber": subscriber,
        "encounter": {
            "serviceTypeCodes": [service_type],
            "dateOfService": _yyyymmdd(request.service_date),
        },
    }
    if request.patient:
        codes = {"spouse": "01", "child": "19", "other": "G8"}
        body["dependents"] = [
            {
                "firstName": request.patient.first_name,
                "lastName": request.patient.last_name,
                "dateOfBirth": _yyyymmdd(request.patient.date_of_birth),
                "relationToSubscriberCode": codes[request.patient.relationship],
            }
        ]
    return body


class FhirAdapter(FanOutAdapter):
    """POST a FHIR R4 CoverageEligibilityRequest (purpose benefits); read the response."""

    format = "fhir"

    def inquire(self, request: VerificationRequest, service_type: str) -> tuple[str, Any]:
        answer = self.http.post_json(
            str(self.settings.base_url),
            fhir_request(request, self.settings, service_type),
            envelope=fhir_envelope,
        )
        return json.dumps(answer), answer

    def read(self, decoded: Any) -> list[PayerAnswer]:
        return [read_fhir(decoded)]


def fhir_request(
    request: VerificationRequest, settings: PayerSettings, service_type: str
) -> dict[str, Any]:
    patient = request.patient or request.subscriber
    return {
        "resourceType": "CoverageEligibilityRequest",
        "status": "active",
        "purpose": ["benefits"],
        "created": datetime.now(UTC).date().isoformat(),
        "servicedDate": request.service_date.isoformat(),
        "contained": [
            {
                "resourceType": "Patient",
                "id": "patient",
                "name": [{"family": patient.last_name, "given": [patient.first_name]}],
                "birthDate": patient.date_of_birth.isoformat(),
            },
            {
                "resourceType": "Coverage",
                "id": "coverage",
                "status": "active",
                "subscriberId": request.subscriber.member_id,
                "beneficiary": {"reference": "#patient"},
                "payor": [{"identifier": {"value": settings.trading_partner_id or settings.id}}],
            },
        ],
        "patient": {"reference": "#patient"},
        "provider": {
            "identifier": {
                "system": "http://hl7.org/fhir/sid/us-npi",
                "value": request.provider.npi,
            }
        },
        "insurer": {
            "identifier": {"value": settings.trading_partner_id or settings.id},
            "display": settings.name,
        },
        "insurance": [{"focal": True, "coverage": {"reference": "#coverage"}}],
        "item": [
            {
                "category": {
                    "coding": [
                        {"system": "https://codesystem.x12.org/005010/1365", "code": service_type}
                    ]
                }
            }
        ],
    }


AdapterClass = Callable[[PayerSettings, PayerHttp], FanOutAdapter]
HTTP_ADAPTERS: dict[str, AdapterClass] = {
    "x12-http": X12HttpAdapter,
    "clearinghouse-json": ClearinghouseJsonAdapter,
    "fhir": FhirAdapter,
}
