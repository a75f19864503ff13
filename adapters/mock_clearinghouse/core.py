"""The mock clearinghouse's CAQH CORE real-time endpoint (SOAP 1.2, WS-Security UsernameToken).

It checks what a CORE receiver checks (the credentials, each required field, the fixed values)
and answers with the rule's ErrorCode names, or with the 271 in a COREEnvelopeRealTimeResponse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from adapters.http.core_envelope import CORE, PAYLOAD_270, RULE_VERSION, SOAP, WSSE
from adapters.http.core_envelope import REQUEST_FIELDS as FIELDS

__all__ = ["CORE_PATH", "CoreInquiry", "error_envelope", "fault", "read_inquiry", "response"]

CORE_PATH = "/core/realtime"
FIXED = {
    "PayloadType": PAYLOAD_270,
    "ProcessingMode": "RealTime",
    "CORERuleVersion": RULE_VERSION,
}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True, slots=True)
class CoreInquiry:
    """A request envelope's outcome: its PayloadID, and the 270 or the ErrorCode to answer."""

    payload_id: str
    x12: str | None = None
    error: str | None = None


def read_inquiry(body: bytes, users: Mapping[str, str]) -> CoreInquiry | None:
    """The inquiry in a request envelope, or None when `body` is no SOAP 1.2 envelope."""
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    request = root.find(f"{{{SOAP}}}Body/{{{CORE}}}COREEnvelopeRealTimeRequest")
    if root.tag != f"{{{SOAP}}}Envelope" or request is None:
        return None
    values = {child.tag: (child.text or "").strip() for child in request}
    payload_id = values.get("PayloadID", "")
    token = root.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    user = token.findtext(f"{{{WSSE}}}Username") if token is not None else None
    password = token.findtext(f"{{{WSSE}}}Password") if token is not None else None
    if not user or users.get(user) != password:
        return CoreInquiry(payload_id, error="UnAuthorized")
    for name in FIELDS:
        if not values.get(name):
            return CoreInquiry(payload_id, error=f"{name}Required")
    if list(values) != list(FIELDS):
        return CoreInquiry(payload_id, error="EnvelopeIllegal")
    for name, fixed in FIXED.items():
        if values[name] != fixed:
            wrong = "VersionMismatch" if name == "CORERuleVersion" else f"{name}Illegal"
            return CoreInquiry(payload_id, error=wrong)
    if not _TIMESTAMP.match(values["TimeStamp"]):
        return CoreInquiry(payload_id, error="TimeStampIllegal")
    return CoreInquiry(payload_id, x12=values["Payload"])


def _envelope(payload_id: str, payload: str, error_code: str, message: str) -> bytes:
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "cor": CORE})
    body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
    core = etree.SubElement(body, f"{{{CORE}}}COREEnvelopeRealTimeResponse")
    values = {
        "PayloadType": "X12_271_Response_005010X279A1" if payload else "CoreEnvelopeError",
        "ProcessingMode": "RealTime",
        "PayloadID": payload_id,
        "TimeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "SenderID": "MOCKCLEARINGHOUSE",
        "ReceiverID": "SUBMITTER",
        "CORERuleVersion": "2.2.0",
    }
    for name, value in values.items():
        etree.SubElement(core, name).text = value
    etree.SubElement(core, "Payload").text = etree.CDATA(payload) if payload else ""
    etree.SubElement(core, "ErrorCode").text = error_code
    etree.SubElement(core, "ErrorMessage").text = message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def response(payload_id: str, x12_271: str) -> bytes:
    return _envelope(payload_id, x12_271, "Success", "No errors")


def error_envelope(payload_id: str, error_code: str) -> bytes:
    return _envelope(payload_id, "", error_code, f"The envelope was refused: {error_code}")


def fault(code: str, reason: str) -> bytes:
    """A SOAP 1.2 fault: `Sender` for a request that is no envelope, `Receiver` for our own."""
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"env": SOAP})
    failure = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP}}}Body"), f"{{{SOAP}}}Fault")
    value = etree.SubElement(etree.SubElement(failure, f"{{{SOAP}}}Code"), f"{{{SOAP}}}Value")
    value.text = f"env:{code}"
    text = etree.SubElement(etree.SubElement(failure, f"{{{SOAP}}}Reason"), f"{{{SOAP}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = reason
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
