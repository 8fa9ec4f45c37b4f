"""How long a social post is, as each platform counts it.

Four methods, chosen per platform in ``policy/platforms.yml`` (``counting.method``):

``twitter-v3``
    X's weighted length, i.e. twitter-text's ``parseTweet`` with configuration v3:
    NFC, every URL its extractor finds counts ``url_length``, every emoji sequence counts
    ``default_weight`` once, every other code point the weight of its range; ``// scale``.
``graphemes``
    Extended grapheme clusters under the current Unicode rules (Bluesky's 300).
``characters``
    Code points after NFC.
``mastodon``
    Grapheme clusters (Mastodon's StatusLengthValidator counts
    ``each_grapheme_cluster``), each ``http(s)://`` URL counting ``url_length`` and
    each ``@user@domain`` mention counting as ``@user``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import emoji
import regex

from ._tlds import TLDS

__all__ = ["METHODS", "Counting", "count", "find_urls", "weighted_length"]

METHODS = ("twitter-v3", "graphemes", "characters", "mastodon")


@dataclass(frozen=True)
class Counting:
    """How one platform counts a post. Build it from the platform's ``counting`` mapping."""

    method: str  # "twitter-v3" | "graphemes" | "characters" | "mastodon"
    url_length: int = 23  # twitter-v3 and mastodon: every URL counts this many
    # twitter-v3 parameters (twitter-text's config v3; the hospital's policy/platforms.yml
    # carries them, so they are passed in rather than read from a file here):
    scale: int = 100
    default_weight: int = 200
    # (start, end, weight), both ends inclusive, in code points
    ranges: tuple[tuple[int, int, int], ...] = (
        (0, 4351, 100),
        (8192, 8205, 100),
        (8208, 8223, 100),
        (8242, 8247, 100),
    )
    emoji_parsing: bool = True

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown counting method {self.method!r}; expected one of {METHODS}")
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        # Accept ranges as written in YAML/JSON ({start, end, weight} mappings or lists).
        object.__setattr__(self, "ranges", _ranges(self.ranges))

    @classmethod
    def from_policy(cls, counting: Mapping[str, Any]) -> Counting:
        """From a ``counting:`` mapping of ``policy/platforms.yml`` (unknown keys are refused)."""
        fields = set(cls.__dataclass_fields__)
        unknown = set(counting) - fields
        if unknown:
            raise ValueError(f"unknown counting keys: {sorted(unknown)}")
        return cls(**dict(counting))

    @classmethod
    def from_twitter_config(cls, config: Mapping[str, Any]) -> Counting:
        """From a twitter-text configuration (``v2.json``/``v3.json`` shape, camelCase keys)."""
        return cls(
            method="twitter-v3",
            url_length=config.get("transformedURLLength", 23),
            scale=config["scale"],
            default_weight=config["defaultWeight"],
            ranges=config.get("ranges", ()),
            emoji_parsing=bool(config.get("emojiParsingEnabled", False)),
        )


def _ranges(ranges: Iterable[Any]) -> tuple[tuple[int, int, int], ...]:
    out = []
    for item in ranges:
        if isinstance(item, Mapping):
            start, end, weight = item["start"], item["end"], item["weight"]
        else:
            start, end, weight = item
        out.append((int(start), int(end), int(weight)))
    return tuple(out)


TWITTER_V3 = Counting("twitter-v3")


def count(text: str, counting: Counting) -> int:
    """The length of ``text`` as the platform described by ``counting`` counts it."""
    method = counting.method
    if method == "twitter-v3":
        return weighted_length(text, counting)
    if method == "graphemes":
        return sum(1 for _ in _GRAPHEME.finditer(text))
    if method == "characters":
        return len(unicodedata.normalize("NFC", text))
    if method == "mastodon":
        return _mastodon_length(text, counting)
    raise ValueError(f"unknown counting method {method!r}")  # pragma: no cover (post_init)


# ---------------------------------------------------------------------------------------------
# Bluesky: extended grapheme clusters. The `regex` module follows the current Unicode rules
# (including 15.1's Indic conjunct rule GB9c), as Intl.Segmenter does in Bluesky's clients and
# lexicon validation; the `grapheme` package stops at Unicode 13.
_GRAPHEME = regex.compile(r"\X")


# ---------------------------------------------------------------------------------------------
# Mastodon: grapheme clusters; http(s) URLs count `url_length`; "@user@domain" counts as "@user".
# Username syntax as Mastodon's Account::MENTION_RE accepts it.
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?", re.IGNORECASE
)


def _mastodon_length(text: str, counting: Counting) -> int:
    text = unicodedata.normalize("NFC", text)
    pieces: list[str] = []
    pos = 0
    for start, end, has_protocol in _extract_urls(text):
        if has_protocol:  # Mastodon does not link (nor discount) protocol-less domains
            pieces += [text[pos:start], "x" * counting.url_length]
            pos = end
    pieces.append(text[pos:])
    countable = _MENTION.sub(lambda m: "@" + m.group(1), "".join(pieces))
    return sum(1 for _ in _GRAPHEME.finditer(countable))


# ---------------------------------------------------------------------------------------------
# X / twitter-text v3 weighted length.
#
# Hand-written on purpose: no maintained Python library does this. The only Python port of
# twitter-text's v3 counting, twitter-text-parser 3.0.0, does not import on current setuptools
# (it loads its data through pkg_resources) and carries 2019 emoji data (emoji-test.txt 12.0).
# What follows reimplements the reference implementation's semantics (twitter/twitter-text,
# Apache-2.0: js/src/parseTweet.js, extractUrlsWithIndices.js and its regexp/ modules) and is
# checked against that project's conformance suite in tests/test_textcount.py.


def weighted_length(text: str, counting: Counting = TWITTER_V3) -> int:
    """twitter-text's v3 ``weightedLength`` of ``text`` (uses ``counting``'s twitter parameters
    whatever its ``method``)."""
    text = unicodedata.normalize("NFC", text)
    urls = {start: end for start, end in find_urls(text)}
    emojis = _emoji_spans(text) if counting.emoji_parsing else {}
    url_weight = counting.url_length * counting.scale
    weights: dict[str, int] = {}
    total = 0
    i, n = 0, len(text)
    while i < n:
        if i in urls:  # URLs take precedence over an emoji starting at the same place
            total += url_weight
            i = urls[i]
        elif i in emojis:  # a whole emoji sequence weighs default_weight, once
            total += counting.default_weight
            i = emojis[i]
        else:
            ch = text[i]
            weight = weights.get(ch)
            if weight is None:
                weight = weights[ch] = _code_point_weight(ord(ch), counting)
            total += weight
            i += 1
    return total // counting.scale


def _code_point_weight(cp: int, counting: Counting) -> int:
    # Code points, not UTF-16 units: a supplementary-plane character outside every range
    # weighs default_weight once (twitter-text's Java implementation; its JS one agrees for
    # every range that stays in the BMP, which the published configurations all do).
    for start, end, weight in counting.ranges:
        if start <= cp <= end:
            return weight
    return counting.default_weight


# --- emoji ------------------------------------------------------------------------------------
# twitter-text finds emoji with a regex generated from Unicode's emoji data (twemoji-parser in
# JS, TwitterTextEmojiRegex in Java), frozen at Unicode 12. We take the same sequences from
# the maintained `emoji` package (every fully-, minimally- and un-qualified sequence of
# emoji-test.txt: ZWJ sequences, flags, tag flags, keycaps, modifier sequences) and keep
# twitter-text's rules on top of it:
#  * these text-default symbols are emoji only when followed by VS16 (U+FE0F):
_NEED_VS16 = frozenset("\u00a9\u00ae\u2122\u265f")  # © ® ™ ♟
#  * any other text-default emoji is an emoji on its own, unless VS15 (U+FE0E) follows it;
#  * a stray VS16, and a lone regional indicator, count as an emoji too.
_VS15, _VS16 = "\ufe0e", "\ufe0f"
_UNQUALIFIED = emoji.STATUS["unqualified"]
_EMOJI = {
    seq: data["status"] == _UNQUALIFIED and len(seq) == 1  # value: "text-default single"
    for seq, data in emoji.EMOJI_DATA.items()
    if seq not in _NEED_VS16
}
_EMOJI_LONGEST = max(map(len, _EMOJI))
_EMOJI_FIRST = frozenset(seq[0] for seq in _EMOJI) | {_VS16}
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F1FF + 1)


def _emoji_spans(text: str) -> dict[int, int]:
    """{start: end} of the emoji sequences in ``text``, leftmost-longest, non-overlapping."""
    spans: dict[int, int] = {}
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _EMOJI_FIRST or ord(ch) in _REGIONAL_INDICATORS:
            end = 0
            for length in range(min(_EMOJI_LONGEST, n - i), 0, -1):
                text_default = _EMOJI.get(text[i : i + length])
                if text_default is not None:
                    if not (text_default and text[i + 1 : i + 2] == _VS15):
                        end = i + length
                    break
            if not end and (ch == _VS16 or ord(ch) in _REGIONAL_INDICATORS):
                end = i + 1
            if end:
                spans[i] = end
                i = end
                continue
        i += 1
    return spans


# --- URLs -------------------------------------------------------------------------------------
# twitter-text's URL extractor (extractUrlsWithIndices), same character classes and structure.
# Hand-written for the same reason as above: no maintained Python library extracts URLs the
# way twitter-text does (protocol-less domains with a real TLD, the preceding-character rules,
# t.co slugs, punycode label limits), and X counts exactly what this extractor finds.
# JS regexes work on UTF-16 units and ours on code points; the only place that shows is the
# 4096-unit URL limit, measured in UTF-16 below as twitter-text does.

_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = r"\u0400-\u04ff"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"  # twitter-text's: no '"' nor '`'
_SPACES = r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = r"\ufffe\ufeff\uffff"
_DIRECTIONAL = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"


def _trie_alternation(words: Iterable[str]) -> str:
    """A regex matching exactly ``words``, factored as a trie so that matching stays fast."""
    end = ""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[end] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch != end]
        if not alts:
            return ""
        if end in node:
            return "(?:" + "|".join(alts) + ")?"
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)


def _tld_names() -> set[str]:
    names = set()
    for tld in TLDS:
        names.add(tld)
        if tld.startswith("xn--"):  # IANA lists IDN TLDs as A-labels; posts use the U-label
            names.add(tld[4:].encode("ascii").decode("punycode"))
    return names


_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_TLD = f"(?:{_trie_alternation(_tld_names())})" + r"(?=[^0-9a-z@+-]|\Z)"
_PUNYCODE = r"(?:xn--[-0-9a-z]+)"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_TLD}|{_PUNYCODE}))"
_PRECEDING = f"(?:[^a-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PATH_END_CHAR = f"[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]"
# balanced parentheses, up to two levels: /Primer_(film), /S(dfd346)/, /a_(b_(c))/
_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH = (
    f"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*(?:{_PATH_END_CHAR}|{_PARENS}))"
    f"|(?:@{_PATH_CHAR}+/))"
)
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END_CHAR = r"[a-z0-9\-_&=#/]"
_QUERY = f"\\?{_QUERY_CHAR}*{_QUERY_END_CHAR}"

_URL = re.compile(
    f"(?P<before>{_PRECEDING})"
    "(?P<url>"
    "(?P<protocol>https?://)?"
    f"(?P<domain>{_DOMAIN})"
    "(?::[0-9]+)?"
    f"(?P<path>/{_PATH}*)?"
    f"(?:{_QUERY})?"
    ")",
    re.IGNORECASE,
)
_ASCII_DOMAIN = re.compile(
    f"(?:[-a-z0-9{_LATIN_ACCENTS}]+\\.)+(?:{_TLD}|{_PUNYCODE})", re.IGNORECASE
)
# A URL never contains a space (only the character before it may be one), and its domain
# always has a dot followed by a TLD: the extractor runs token by token, and skips tokens
# without such a dot, which keeps long texts linear without changing what is found.
_TOKEN = re.compile(f"[^{_SPACES}]+")
_TLD_AFTER_DOT = re.compile(f"\\.(?:{_TLD}|{_PUNYCODE})", re.IGNORECASE)
_TCO = re.compile(f"https?://t\\.co/([a-z0-9]+)(?:{_QUERY})?", re.IGNORECASE)
_NO_PROTOCOL_BAD_BEFORE = re.compile(r"[-_./]\Z")
_MAX_URL_LENGTH = 4096  # UTF-16 units, protocol included ("https://" assumed when absent)
_MAX_TCO_SLUG = 40
_MAX_LABEL = 63


def find_urls(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the URLs twitter-text's extractor finds in ``text``.

    Includes protocol-less ones (``example.com``, only where the TLD is real and the domain
    is ASCII), not ones glued to a preceding letter, digit, ``@``, ``$`` or ``#``. Spans are
    indices into ``text`` as given (``weighted_length`` NFC-normalises before calling this).
    """
    return [(start, end) for start, end, _ in _extract_urls(text)]


def _extract_urls(text: str) -> list[tuple[int, int, bool]]:
    if "." not in text:
        return []
    found: list[list] = []
    for m in _url_matches(text):
        url, protocol, domain, path = m.group("url", "protocol", "domain", "path")
        start, end = m.span("url")
        if not _valid_host_and_length(url, protocol or "https://", domain):
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco:  # t.co links: the slug (and its query), nothing after it
                if len(tco.group(1)) > _MAX_TCO_SLUG:
                    continue
                end = start + tco.end()
            found.append([start, end, True])
            continue
        if _NO_PROTOCOL_BAD_BEFORE.search(m.group("before")):
            continue
        # Without a protocol only ASCII(-ish) domains count; each one found inside the
        # matched domain is a URL of its own, and the path, if any, goes with the last one.
        last = None
        for am in _ASCII_DOMAIN.finditer(domain):
            last = [start + am.start(), start + am.end(), False]
            found.append(last)
        if last is not None and path:
            last[1] = end
    return [(s, e, p) for s, e, p in found]


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """``_URL.finditer(text)``, token by token (same matches, see _TOKEN)."""
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        if _TLD_AFTER_DOT.search(text, start, end):
            # From the space before the token, which may be the URL's preceding character.
            yield from _URL.finditer(text, max(start - 1, 0), end)


def _valid_host_and_length(url: str, protocol: str, domain: str) -> bool:
    if domain.startswith("xn--") and not _ASCII_DOMAIN.search(domain):
        return False
    for label in domain.split("."):
        ascii_label = label if label.isascii() else "xn--" + label.encode("punycode").decode()
        if not 1 <= len(ascii_label) <= _MAX_LABEL:  # DNS label length, punycode-encoded
            return False
    return len(protocol) + len(url.encode("utf-16-le")) // 2 <= _MAX_URL_LENGTH
