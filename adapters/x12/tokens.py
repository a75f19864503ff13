"""Split an X12 interchange into segments, with the separators its ISA declares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from verifier.domain.model import UnreadableAnswer

__all__ = ["Separators", "X12Error", "interchanges"]

_WHITESPACE = " \t\r\n"


class X12Error(UnreadableAnswer):
    """The input is not an X12 interchange this reader can follow; the message is one line."""


@dataclass(frozen=True, slots=True)
class Separators:
    element: str
    component: str
    repetition: str | None
    segment: str


def _separators(text: str) -> tuple[Separators, str]:
    """Read the separators from ISA, field by field rather than by fixed width."""
    element = text[3]
    if element.isalnum() or element in _WHITESPACE:
        raise X12Error("the ISA segment does not declare an element separator")
    parts = text.split(element, 16)
    if len(parts) < 17 or len(parts[16]) < 2:
        raise X12Error("the ISA segment is truncated")
    component, segment = parts[16][0], parts[16][1]
    if segment in _WHITESPACE:
        segment = "\n"
    version = parts[12].strip()
    repetition: str | None = parts[11]
    if version < "00501" or not repetition or repetition.isalnum() or len(repetition) != 1:
        repetition = None
    return Separators(element, component, repetition, segment), version


def interchanges(raw: str | bytes) -> Iterator[tuple[Separators, list[str]]]:
    """Yield each interchange's separators and its segments (whitespace between them removed).

    Raises X12Error when the text does not start with an ISA segment.
    """
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.lstrip("\ufeff" + _WHITESPACE)
    if not text.startswith("ISA") or len(text) < 106:
        raise X12Error("not an X12 interchange (it must start with an ISA segment)")
    while text.startswith("ISA"):
        seps, _ = _separators(text)
        segments: list[str] = []
        rest = ""
        chunks = text.split(seps.segment)
        for index, chunk in enumerate(chunks):
            segment = chunk.strip(_WHITESPACE)
            if not segment:
                continue
            segments.append(segment)
            if segment.startswith("IEA" + seps.element):
                rest = seps.segment.join(chunks[index + 1 :]).lstrip("\ufeff" + _WHITESPACE)
                break
        yield seps, segments
        text = rest
