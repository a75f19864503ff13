"""CAQH CORE connectivity (rule vC2.2.0) real-time envelopes: SOAP 1.2 with a WS-Security
UsernameToken around the 270, and the 271 read back out of the response envelope.

The body element is namespaced and its children are not, as WSDL-generated bindings send them.
Responses are read by local name, tolerating one operation wrapper and SOAP 1.1, as receivers
differ. The XML parser resolves no entities and fetches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from adapters.base import GarbledAnswer, PayerError, PayerUnreachable
from adapters.http.oauth import CredentialsRefused

__all__ = [
    "CORE",
    "REQUEST_FIELDS",
    "CoreEnvelopeError",
    "CoreRequest",
    "CoreResponse",
    "read_response",
    "request_envelope",
    "soap_fault",
]

SOAP = "http://www.w3.org/2003/05/soap-envelope"
CORE = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
PAYLOAD_270 = "X12_270_Request_005010X279A1"
RULE_VERSION = "2.2.0"
# The rule's real-time request fields, in the order its schema sequences them.
REQUEST_FIELDS = (
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
    "Payload",
)
# Envelope errors worth sending again: the receiver's own failure. The rest (`...Required`,
# `...Illegal`, VersionMismatch, Sender) say the envelope is wrong, and asking again costs a
# call and gets the same answer.
RETRYABLE_ERRORS = frozenset({"Receiver"})
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class CoreEnvelopeError(PayerError):
    """The receiver refused the CORE envelope (ErrorCode other than Success): fix the request."""

    code, retryable = "core_envelope_error", False


@dataclass(frozen=True, slots=True)
class CoreRequest:
    """One real-time request's envelope fields; the payload is the 270 interchange."""

    payload_id: str
    timestamp: str
    sender_id: str
    receiver_id: str
    payload: str


@dataclass(frozen=True, slots=True)
class CoreResponse:
    """What a response envelope says; `payload` is the 271 (or a 999) when ErrorCode is
    Success."""

    payload_type: str
    payload_id: str
    error_code: str
    payload: str


def request_envelope(request: CoreRequest, username: str, password: str) -> bytes:
    """The SOAP 1.2 envelope for a real-time 270, as UTF-8 bytes."""
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "cor": CORE})
    header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
    security = etree.SubElement(
        header, f"{{{WSSE}}}Security", {f"{{{SOAP}}}mustUnderstand": "true"},
        nsmap={"wsse": WSSE, "wsu": WSU},
    )  # fmt: skip
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken", {f"{{{WSU}}}Id": "UT-1"})
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=PASSWORD_TEXT).text = password
    body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
    core = etree.SubElement(body, f"{{{CORE}}}COREEnvelopeRealTimeRequest")
    values = (
        PAYLOAD_270,
        "RealTime",
        request.payload_id,
        request.timestamp,
        request.sender_id,
        request.receiver_id,
        RULE_VERSION,
    )
    for name, value in zip(REQUEST_FIELDS, values, strict=False):
        etree.SubElement(core, name).text = value
    etree.SubElement(core, "Payload").text = etree.CDATA(request.payload)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _parse(body: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _find(parent: etree._Element, name: str) -> etree._Element | None:
    return next((e for e in parent.iter() if _local(e) == name), None)


def _child_text(parent: etree._Element, name: str) -> str:
    found = next((e for e in parent if _local(e) == name), None)
    return (found.text or "").strip() if found is not None else ""


def soap_fault(body: bytes) -> PayerError | None:
    """The PayerError a SOAP fault in `body` means, or None when there is none: a Receiver
    (SOAP 1.1: Server) fault is the receiver's failure and retryable, any other is not."""
    root = _parse(body)
    if root is None or _local(root) != "Envelope" or (fault := _find(root, "Fault")) is None:
        return None
    value = _find(fault, "Value")
    if value is None:
        value = _find(fault, "faultcode")
    code = ((value.text if value is not None else None) or "").strip().rpartition(":")[2]
    named = code if _SAFE_CODE.match(code) else "unnamed"
    if code in ("Receiver", "Server"):
        return PayerUnreachable(f"the CORE receiver failed (SOAP fault {named})")
    return CoreEnvelopeError(f"the CORE receiver refused the request (SOAP fault {named})")


def read_response(body: bytes) -> CoreResponse:
    """The response envelope's fields. Raises GarbledAnswer when `body` is not a CORE real-time
    response, and CoreEnvelopeError (or a retryable error) when its ErrorCode is not Success."""
    root = _parse(body)
    if root is None or _local(root) != "Envelope":
        raise GarbledAnswer("the CORE receiver sent a garbled answer (not a SOAP envelope)")
    core = _find(root, "COREEnvelopeRealTimeResponse")
    if core is None:
        raise GarbledAnswer("the CORE receiver sent a garbled answer (no real-time response)")
    response = CoreResponse(
        payload_type=_child_text(core, "PayloadType"),
        payload_id=_child_text(core, "PayloadID"),
        error_code=_child_text(core, "ErrorCode"),
        payload=_child_text(core, "Payload"),
    )
    if response.error_code != "Success":
        raise _envelope_error(response.error_code)
    if not response.payload:
        raise GarbledAnswer("the CORE receiver sent a garbled answer (Success with no payload)")
    return response


def _envelope_error(code: str) -> PayerError:
    # ErrorMessage is the receiver's free text and may quote the request: only the code is kept.
    named = code if _SAFE_CODE.match(code) else "unnamed"
    if code in RETRYABLE_ERRORS:
        return PayerUnreachable(f"the CORE receiver could not process the request ({named})")
    if code == "UnAuthorized":
        return CredentialsRefused("the CORE receiver refused the username and password")
    return CoreEnvelopeError(f"the CORE receiver refused the envelope ({named})")
