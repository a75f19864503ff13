"""Split an X12 interchange into segments, with the separators its ISA declares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from verifier.domain.model import UnreadableAnswer

__all__ = ["Separators", "X12Error", "interchanges", "needs_strip"]

_WHITESPACE = " \t\r\n"
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # str.isspace() in ASCII, the space aside


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


def _split(text: str, seps: Separators) -> tuple[list[str], str]:
    """The segments of the interchange `text` starts with, up to its IEA, and the text after."""
    terminator = seps.segment
    # The IEA segment: a chunk between terminators that starts with IEA, after any whitespace
    # (never the first chunk, which is the ISA).
    iea = re.search(f"{re.escape(terminator)}[{_WHITESPACE}]*IEA{re.escape(seps.element)}", text)
    head, rest = text, ""
    if iea is not None:
        end = text.find(terminator, iea.end())
        if end >= 0:
            head, rest = text[:end], text[end + 1 :].lstrip("\ufeff" + _WHITESPACE)
    segments = list(filter(None, [chunk.strip(_WHITESPACE) for chunk in head.split(terminator)]))
    return segments, rest


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
        segments, text = _split(text, seps)
        yield seps, segments


def needs_strip(segments: list[str], element: str) -> bool:
    """Whether an element of these segments (the ISA aside, whose fields are fixed-width) may
    start or end with whitespace (str.isspace). When not, elements need no strip() one by one."""
    body = element.join(segments[1:])
    if body.isascii():  # the usual case, checked a character at a time (memchr), not per char
        if any(space in body for space in _ASCII_SPACES):
            return True
    elif not body.isprintable():  # no whitespace but the space is printable
        return True
    return f" {element}" in body or f"{element} " in body
