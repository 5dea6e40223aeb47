"""Pure text rules for outbound WhatsApp messages: formatting and splitting."""
from __future__ import annotations

import re

TEXT_LIMIT = 4096

_CITATION = re.compile(r"【.*?】", re.DOTALL)
_MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?؟。])\s+")


def format_for_whatsapp(text: str) -> str:
    """Drop file-search citation markers and turn Markdown bold into WhatsApp bold."""
    cleaned = _CITATION.sub("", text).strip()
    return _MARKDOWN_BOLD.sub(r"*\1*", cleaned)


def _hard_wrap(piece: str, limit: int) -> list[str]:
    """Cut a piece with no usable boundary at the last space before the limit, else at the limit."""
    parts: list[str] = []
    while len(piece) > limit:
        cut = piece.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(piece[:cut].rstrip())
        piece = piece[cut:].lstrip()
    if piece:
        parts.append(piece)
    return parts


def _units(text: str, limit: int) -> list[str]:
    """Paragraphs, then sentences, then words: the largest pieces that each fit the limit."""
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            units.extend([sentence] if len(sentence) <= limit else _hard_wrap(sentence, limit))
    return [u for u in units if u.strip()]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Messages of at most `limit` characters, split at paragraph or sentence boundaries.

    Nothing is lost: joining the parts gives back every non-blank character in order.
    """
    if len(text) <= limit:
        return [text]
    messages: list[str] = []
    current = ""
    for unit in _units(text, limit):
        joiner = "\n\n" if current else ""
        if len(current) + len(joiner) + len(unit) <= limit:
            current += joiner + unit
        else:
            messages.append(current)
            current = unit
    if current:
        messages.append(current)
    return messages
