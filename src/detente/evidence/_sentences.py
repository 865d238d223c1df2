"""Sentences and paragraphs of an article, as character spans (no text is copied or changed)."""

from __future__ import annotations

import re

__all__ = ["paragraphs", "sentences"]

#: Abbreviations whose full stop ends no sentence.
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "sen",
        "rep",
        "gov",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "aug",
        "sept",
        "sep",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "u.s.a",
        "amb",
        "adm",
        "rev",
        "hon",
    }
)
_END = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9]|\s*$)|\n\s*\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: text between blank lines (or single line breaks)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            end = m.end() - (len(m.group()) - len(m.group().rstrip()))
            spans.append((start, end))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, paragraph by paragraph. A full stop after a known
    abbreviation ("Mr.", "U.S.") or an initial ("John F.") ends no sentence; a closing quotation
    mark after the stop belongs to the sentence it closes."""
    spans = []
    for p_start, p_end in paragraphs(text):
        start = p_start
        for m in _END.finditer(text, p_start, p_end):
            if m.group().startswith(".") and _abbreviation_before(text, m.start()):
                continue
            end = m.end()
            if text[start:end].strip():
                spans.append((start, end))
            start = end
            while start < p_end and text[start].isspace():
                start += 1
        if start < p_end and text[start:p_end].strip():
            spans.append((start, p_end))
    return spans


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    if word is None:
        return False
    token = word.group(1).lower().strip(".")
    if token in _ABBREVIATIONS:
        return True
    return len(token) == 1 and token.isalpha() and text[dot - 1].isupper()
