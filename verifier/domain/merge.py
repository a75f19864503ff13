"""Merge several answers about one patient (one inquiry per service type, or a carve-out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from verifier.domain.model import PayerAnswer


def merge_answers(answers: Sequence[tuple[str | None, PayerAnswer]]) -> PayerAnswer:
    """One answer from several, each labelled with the inquiry it came from.

    Benefits are pooled (each keeps its inquiry for the evidence); demographics come from the
    first answer that has them; rejections count only when no inquiry returned benefits.
    """
    if not answers:
        raise ValueError("nothing to merge")
    if len(answers) == 1:
        return answers[0][1]
    merged = replace(answers[0][1], benefits=[], rejections=[])
    for inquiry, answer in answers:
        for benefit in answer.benefits:
            benefit.inquiry = inquiry
            merged.benefits.append(benefit)
        merged.subscriber = merged.subscriber or answer.subscriber
        merged.dependent = merged.dependent or answer.dependent
        merged.payer_name = merged.payer_name or answer.payer_name
        merged.payer_id = merged.payer_id or answer.payer_id
        merged.payer_phone = merged.payer_phone or answer.payer_phone
    if not merged.benefits:
        merged.rejections = [r for _, answer in answers for r in answer.rejections]
    return merged
