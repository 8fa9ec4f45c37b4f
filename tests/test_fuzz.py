"""Property tests: whatever an author (or an attacker) writes, carepress answers
with findings, never with a traceback.

* the reader, on any text and on text built from YAML's sharp edges;
* the checker, on front matter that matches the schema and on front matter that
  does not, every finding placed inside the file;
* every rule, run directly on schema-valid pages (a raising rule would become
  ``carepress.rule-failed``);
* the renderers (references, review line, JSON-LD, sharing tags) on every
  schema-valid page whose citations check accepts, more than a build ever
  renders (only pages without errors);
* what ``mkdocs serve`` and the post-build scan read on every page, valid or not;
* every report format, for any page.

Values the strategies leave out on purpose are known bugs, each pinned by a
strict xfail in test_hostile.py (named where the strategy leaves it out).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from carepress.checker import check_pages, suppressions_of
from carepress.cli import make_report
from carepress.emit.jsonld import PageInfo, build_graph, script_tag
from carepress.emit.meta import image_for, meta_tags
from carepress.emit.page import decorate
from carepress.emit.report import FORMATS, render
from carepress.frontmatter import read_text
from carepress.model import Document
from carepress.policy import load_policy
from carepress.rules import Context, all_rules
from carepress.rules.phi import page_context
from carepress.schemas import findings_for, frontmatter_schema
from helpers import TODAY

ROOT = Path(__file__).resolve().parents[1]

REL = "content/articles/fuzz.md"
# CAREPRESS_FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the file near 20 s.
FUZZ = settings(
    max_examples=int(os.environ.get("CAREPRESS_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
CONTENT_TYPES = ("article", "myth", "story", "alert", "page")
# Module-level rather than the session fixture: a falsifying example then
# prints the page, not the whole policy.
POLICY = load_policy(ROOT / "policy")


def file_lines(text: str) -> int:
    """Lines as an editor counts them (the reader's text has LF line ends)."""
    return text.count("\n") + 1


# -- (a) the reader --------------------------------------------------------------

# The sharp edges of YAML and of the page format: document markers, keys,
# anchors and aliases, tags (the unsafe ones included), quotes and escapes,
# block scalars, indentation, flow collections, dates that are not dates,
# numbers that are not numbers, and the Unicode that fools eyes and parsers.
# U+0085, U+2028 and U+2029 are left out: YAML counts them as line breaks and
# editors do not, which shifts every later line number (a known bug:
# tests/hostile/yaml-line-separator.md).
YAMLISH = st.sampled_from([
    "---", "---\n", "...", "\n", "\n\n", " ", "  ", "    ", "\t", "- ", "-", ": ", ":", "? ", "#", " # c",
    "type", "type: article", "type: page", "title", "title: ", "citations:", "  - id: a", "authors: [",
    "&a ", "&b ", "*a", "*b", "<<: *a", "[", "]", "{", "}", ", ", "'", '"', "\\", "\\0", "\\x07", "\\u202e",
    "|", "|-", ">", ">+", "!!python/object/apply:os.system", "!!python/name:os.system", "!!str", "!!binary",
    "!!set", "!!omap", "!foo", "!<tag:yaml.org,2002:python/tuple>", "%YAML 1.2", "%TAG !p! tag:x,2000:",
    "2026-02-30", "2026-13-01", "2026-01-01T10:00:00+25:00", "9999-12-31", "1e999", ".nan", ".inf", "0x1F",
    "0o17", "1_000", "9" * 50, "~", "null", "true", "yes", "\ufeff", "\u202e", "\u200b", "\u0430", "\u00a0",
    "\x07", "\x1b[2J", "\r\n", "\r", "<script>alert(1)</script>", "[@a]", "[x](javascript:alert(1))",
])
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x85\u2028\u2029")
SAFE_TEXT = st.text(CHARACTERS)
# No file can hold a lone surrogate, but read_text is public: give it some.
WITH_SURROGATES = st.text(st.characters(exclude_categories=(), exclude_characters="\x85\u2028\u2029"))


def short_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(CHARACTERS, max_size=max_size)


FRAGMENTS = st.lists(st.one_of(YAMLISH, short_text(8)), max_size=60).map("".join)
PAGE_TEXT = st.one_of(
    SAFE_TEXT,
    WITH_SURROGATES.map(lambda s: "---\ntitle: " + s + "\n---\n"),
    FRAGMENTS,
    FRAGMENTS.map(lambda s: "---\n" + s),
    st.tuples(FRAGMENTS, FRAGMENTS).map(lambda p: "---\n" + p[0] + "\n---\n" + p[1]),
    st.tuples(FRAGMENTS, FRAGMENTS).map(lambda p: "---\ntype: article\n" + p[0] + "\n...\n" + p[1]),
)


@FUZZ
@given(PAGE_TEXT)
def test_reader_never_raises_and_places_every_finding_in_the_file(text):
    parsed = read_text(text, Path("fuzz.md"), REL)
    assert parsed.document is not None or parsed.findings, "nothing read and nothing said why"
    for f in parsed.findings:
        assert f.path == REL
        assert 1 <= f.line <= file_lines(text), f
        assert f.message and f.hint, f


# -- schema-valid front matter ---------------------------------------------------

ID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
CITATION_ID = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_:.-]{0,20}", fullmatch=True)
# Every date the schema's format accepts (tests/hostile/far-future-source-date.md
# once crashed source.too-old).
DAY = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))
NEAR_DAY = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 12, 31))
DATE = st.one_of(NEAR_DAY, DAY).map(dt.date.isoformat)
DATE_TIME = st.builds(
    lambda d, h, m, off: f"{d.isoformat()}T{h:02d}:{m:02d}:00{off}",
    NEAR_DAY, st.integers(0, 23), st.integers(0, 59), st.sampled_from(["Z", "+00:00", "-05:00", "+05:30", "+14:00"]),
)
# Any text at all (the schema sets no alphabet), short, with the markup that
# must be escaped mixed in.
TEXT = st.one_of(
    short_text(40),
    st.sampled_from(["<script>alert(1)</script>", '"quoted" & \'single\'', "a & b < c > d", "\u202eevil",
                     "zero\u200bwidth", "Ünïcödé 健康 🩺", "</script><!--", "{{ config }}", "{% raw %}", "\\u2028"]),
)


def text_between(low: int, high: int) -> st.SearchStrategy[str]:
    """TEXT padded or cut to the schema's minLength and maxLength."""
    return TEXT.map(lambda s: (s + "x" * low)[:high] if len(s) < low else s[:high])


def pool(values, fallback: st.SearchStrategy[str] = ID) -> st.SearchStrategy[str]:
    values = sorted(values)
    return st.one_of(st.sampled_from(values), fallback) if values else fallback


URL = st.one_of(
    st.sampled_from([
        "https://www.cdc.gov/high-blood-pressure/index.html", "https://www.nhlbi.nih.gov/health", "http://example.com/x",
        "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "https://", "https://[::1/x", "ftp://x/y",
        "https://bit.ly/abc", "https://twitter.com/x/status/1", "https://www.cdc.gov\u202e/x", "//cdc.gov/x", "",
        "https://user:pw@www.cdc.gov:8443/p?q=1#f", "HTTPS://WWW.CDC.GOV/", "https://xn--80ak6aa92e.com/",
    ]),
    TEXT,
)
CSL_NAME = st.one_of(
    st.fixed_dictionaries({"family": TEXT}, optional={"given": TEXT, "suffix": TEXT, "dropping-particle": TEXT}),
    st.fixed_dictionaries({"literal": TEXT}),
)
# The CSL dates the schema accepts: ones a reference list can print, and ones
# only `carepress check` can judge (source.citation-format: date-parts that are
# not a real date, an object with only circa or season, a year too big for a
# date), which no build renders.
CSL_DATE = st.one_of(
    DATE,
    st.integers(1000, 2999),
    NEAR_DAY.map(lambda d: {"date-parts": [[d.year, d.month, d.day]]}),
    DAY.map(lambda d: {"date-parts": [[str(d.year), str(d.month)]]}),
    DAY.map(lambda d: {"date-parts": [[d.year]], "circa": True}),
    TEXT.filter(bool).map(lambda s: {"literal": s}),
    st.sampled_from([{"date-parts": [[2026, 13, 40]]}, {"date-parts": [["2026", "0"]]}, {"season": 2},
                     {"circa": True}, {"date-parts": [[10**20]]}, {"date-parts": [[-5]]}]),
)
CITATION = st.fixed_dictionaries(
    {
        "id": CITATION_ID,
        "type": st.sampled_from(["webpage", "article-journal", "book", "report", "chapter", "post", "dataset"]),
        "title": text_between(1, 500),
    },
    optional={
        "author": st.lists(CSL_NAME, max_size=3),
        "container-title": st.one_of(TEXT, st.integers(), st.floats(allow_nan=False)),
        "publisher": TEXT,
        "volume": st.one_of(TEXT, st.integers()),
        "issue": st.one_of(TEXT, st.integers()),
        "page": st.one_of(TEXT, st.integers(), st.sampled_from(["150-9", "S12-5", "e123", "12, 15-19"])),
        "issued": CSL_DATE,
        "accessed": CSL_DATE,
        "URL": URL.map(lambda s: s[:2000]),
        "DOI": st.one_of(st.sampled_from(["10.7326/M18-2101", "https://doi.org/10.1000/xyz", "10.1", "doi:"]), TEXT),
        "PMID": st.one_of(st.integers(), st.sampled_from(["30831578", "0", "abc"]), TEXT),
        "PMCID": st.one_of(st.sampled_from(["PMC6712345", "PMC", "pmc1"]), TEXT),
    },
)


@st.composite
def valid_meta(draw, policy, content_type: str | None = None) -> dict[str, Any]:
    """Front matter that the type's JSON Schema accepts (asserted by the tests)."""
    kind = content_type or draw(st.sampled_from(CONTENT_TYPES))
    people = pool(policy.people)
    meta: dict[str, Any] = {"type": kind, "title": draw(text_between(3, 74 if kind == "myth" else 120))}
    citations = draw(st.lists(CITATION, max_size=4))
    full = kind != "page" or draw(st.booleans())
    if full:
        meta.update(
            description=draw(text_between(20, 300)),
            service_line=draw(pool(policy.service_lines)),
            audience=draw(st.sampled_from(["patient", "caregiver", "clinician"])),
            authors=draw(st.lists(people, min_size=1, max_size=3, unique=True)),
            reviewed_by=draw(st.lists(people, min_size=1, max_size=3, unique=True)),
            published=draw(DATE),
            last_reviewed=draw(DATE),
            next_review=draw(DATE),
            citations=citations,
            revisions=draw(st.lists(st.fixed_dictionaries({
                "date": DATE, "by": people, "kind": st.sampled_from(["clinical", "editorial", "review"]),
                "summary": text_between(3, 300),
            }), max_size=4)),
            approvals=draw(st.lists(st.fixed_dictionaries({
                "role": st.one_of(st.sampled_from(["clinical", "privacy", "legal", "communications-director"]),
                                  st.from_regex(r"[a-z][a-z-]{0,10}", fullmatch=True)),
                "by": people, "date": DATE,
            }), max_size=4)),
        )
    optional = {
        "lang": st.sampled_from(["en", "es-US", "zh-Hant-TW", "EN", "fil"]),
        "image": st.fixed_dictionaries({"src": st.sampled_from(["a.png", "../x.jpg", "https://e.x/i.png", "javascript:x"]),
                                        "alt": text_between(1, 500)}, optional={"credit": TEXT, "caption": TEXT}),
        "sponsored": st.fixed_dictionaries({"partner": TEXT, "disclosure": TEXT}, optional={"advice_by": people}),
        "suppress": st.lists(st.fixed_dictionaries(
            {"rule": st.sampled_from(["readability.grade", "phi.name", "source.too-old", "suppress.x"]),
             "reason": text_between(10, 80), "approved_by": people, "expires": DATE},
            optional={"line": st.integers(1, 10_000), "text": TEXT.filter(bool)},
        ), max_size=2),
        "social": st.fixed_dictionaries({}, optional={
            "campaign": ID,
            "hashtags": st.lists(st.from_regex(r"[A-Za-z0-9_]{0,6}[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True), max_size=4),
            "text": st.dictionaries(st.sampled_from(["x", "facebook", "instagram", "linkedin", "tiktok", "threads",
                                                     "bluesky", "mastodon"]), TEXT.filter(bool), max_size=3),
            "schedule": st.lists(st.fixed_dictionaries({
                "platform": st.sampled_from(["x", "facebook", "bluesky", "mastodon", "instagram"]), "at": DATE_TIME,
            }), max_size=3),
        }),
        "hide": st.lists(st.sampled_from(["navigation", "toc", "footer", "path", "tags", "feedback"]), max_size=3),
        "search": st.fixed_dictionaries({}, optional={"exclude": st.booleans(),
                                                      "boost": st.floats(-10, 10, allow_nan=False)}),
    }
    for key, strategy in optional.items():
        if draw(st.integers(0, 3)) == 0:
            meta[key] = draw(strategy)
    if kind == "myth":
        verdicts = [v["id"] for v in policy.editorial["verdicts"]]
        meta.update(
            claim=draw(text_between(5, 74)),
            verdict=draw(pool(verdicts, st.from_regex(r"[a-z-]{1,10}", fullmatch=True))),
            claim_seen=draw(st.fixed_dictionaries({"description": TEXT, "date": DATE}, optional={"url": URL})),
        )
    elif kind == "story":
        meta["consent"] = draw(pool(policy.consents))
        if draw(st.booleans()):
            meta["consented_names"] = draw(st.lists(st.from_regex(r"[A-Z][A-Za-z'-]{1,8}", fullmatch=True),
                                                    max_size=3, unique=True))
    elif kind == "alert":
        meta.update(
            template=draw(pool(policy.alert_templates)),
            values=draw(st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
                                        st.one_of(TEXT, st.integers(), st.floats(allow_nan=False)), max_size=4)),
            expires=draw(DATE_TIME),
        )
    return meta


@st.composite
def body(draw, meta: dict[str, Any]) -> str:
    """Markdown that cites the page's sources (and some that it does not have)."""
    citations = meta.get("citations")
    ids = [c["id"] for c in citations if isinstance(c, dict) and isinstance(c.get("id"), str)] if isinstance(
        citations, list) else []
    ids = ids or ["missing"]
    piece = st.one_of(
        short_text(30),
        st.sampled_from(ids).map(lambda i: f"[@{i}]"),
        st.lists(st.sampled_from(ids), min_size=1, max_size=3).map(lambda xs: "[" + "; ".join("@" + x for x in xs) + "]"),
        st.sampled_from([
            "# Heading\n", "\n\n", "High blood pressure often has no signs. ", "Call 911 now. ", "![A cuff](cuff.png)",
            "![](no-alt.png)", '<img src="x.png">', "```\ncode [@x]\n```\n", "`[@y]`", "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "[link](https://www.cdc.gov/)", "Dr. Smith saw John on 3/4/2026. ", "555-123-4567 ", "- item\n",
        ]),
    )
    return "".join(draw(st.lists(piece, max_size=25)))


def page_text(meta: dict[str, Any], markdown: str) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=False, width=10_000) + "---\n" + markdown


def schema_findings(meta: dict[str, Any]):
    return findings_for(frontmatter_schema(meta["type"]), meta, REL, {}, {})


# What the reader and the schema say; other frontmatter.* rules judge content.
READ_RULES = {"frontmatter.yaml", "frontmatter.schema", "frontmatter.duplicate-key", "frontmatter.limits",
              "frontmatter.encoding"}


def check(text: str, policy, mode: str = "check"):
    parsed = read_text(text, Path("fuzz.md"), REL)
    return parsed, check_pages({REL: parsed}, policy, TODAY, mode=mode)


# -- (b) the checker on front matter that does and does not match the schema -------

SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), short_text(20),
    st.sampled_from(["2026-02-30", "2026-13-01", "9999-12-31", "0000-01-01", "javascript:alert(1)", "a-placeholder",
                     "\u0430-placeholder", "heart", "article", "<script>alert(1)</script>"]),
)
ANY_VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(["id", "type", "title", "date", "by", "URL", "src", "alt", "text",
                                                   "date-parts", "rule", "platform", "at"]), ID), inner, max_size=4),
    ),
    max_leaves=20,
)
FIELDS = [
    "type", "title", "description", "lang", "service_line", "audience", "authors", "reviewed_by", "published",
    "last_reviewed", "next_review", "citations", "revisions", "approvals", "image", "sponsored", "suppress", "social",
    "hide", "search", "claim", "verdict", "claim_seen", "consent", "consented_names", "template", "values", "expires",
]


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(paths_of(item, prefix + (key,)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(paths_of(item, prefix + (i,)))
    return out


@st.composite
def mutated_meta(draw, policy) -> dict[str, Any]:
    """A valid page's front matter with a few values replaced, removed or added."""
    meta = copy.deepcopy(draw(valid_meta(policy)))  # sampled values are shared objects: never edit them
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        paths = paths_of(meta)
        if action == "add" or not paths:
            meta[draw(st.one_of(st.sampled_from(FIELDS), ID))] = draw(ANY_VALUE)
            continue
        path = draw(st.sampled_from(paths))
        parent: Any = meta
        for part in path[:-1]:
            parent = parent[part]
        if action == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(ANY_VALUE)
    return meta


FRONT_MATTER = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), ID), ANY_VALUE, max_size=8),
    st.dictionaries(st.sampled_from(FIELDS), ANY_VALUE, max_size=8).map(lambda d: {"type": "article", **d}),
)


def assert_findings_in_file(findings, text: str) -> None:
    lines = file_lines(text)
    for f in findings:
        assert f.path == REL, f
        assert f.rule != "carepress.rule-failed", f.message
        assert 0 <= f.line <= lines, f
        if f.line:
            assert f.column >= 1, f
        assert f.message, f


@FUZZ
@given(st.data())
def test_checker_never_raises_on_any_front_matter(data):
    meta = data.draw(st.one_of(FRONT_MATTER, mutated_meta(POLICY)))
    markdown = data.draw(st.one_of(st.just("# Page\n\nText [@a].\n"), body(meta if isinstance(meta, dict) else {})))
    text = page_text(meta, markdown)
    _, result = check(text, POLICY, mode=data.draw(st.sampled_from(["check", "build"])))
    assert_findings_in_file(result.findings, text)


@FUZZ
@given(st.data())
def test_every_report_format_renders_any_checked_page(data):
    """What `carepress check` prints, in each format, for any front matter."""
    meta = data.draw(st.one_of(FRONT_MATTER, mutated_meta(POLICY)))
    text = page_text(meta, data.draw(body(meta)))
    _, result = check(text, POLICY)
    report = make_report(result, POLICY)
    for fmt in FORMATS:
        render(report, fmt)  # a raise here is the bug
    assert json.loads(render(report, "json")) == [f.as_dict() for f in result.findings]
    github = render(report, "github")
    assert "\r" not in github
    for line in github.split("\n")[:-1]:  # the runner splits workflow commands on line feeds only
        assert line.startswith(("::error ", "::warning ", "::notice ")), line  # nothing injected


@FUZZ
@given(st.data())
def test_schema_valid_pages_give_findings_on_lines_in_the_file(data):
    meta = data.draw(valid_meta(POLICY))
    assert schema_findings(meta) == []
    text = page_text(meta, data.draw(body(meta)))
    parsed, result = check(text, POLICY)
    findings = result.findings
    assert parsed.document is not None and parsed.document.meta == meta
    assert not [f for f in findings if f.rule in READ_RULES], findings
    assert_findings_in_file(findings, text)


# -- (c) every rule, directly ----------------------------------------------------------


@FUZZ
@given(st.data())
def test_no_rule_raises_on_schema_valid_front_matter(data):
    meta = data.draw(valid_meta(POLICY))
    assert schema_findings(meta) == []
    text = page_text(meta, data.draw(body(meta)))
    doc = read_text(text, Path("fuzz.md"), REL).document
    assert isinstance(doc, Document)
    ctx = Context(today=TODAY, documents={REL: doc}, mode=data.draw(st.sampled_from(["check", "build"])),
                  site_url="https://health.riverbend-hospital.example/")
    for rule in all_rules():
        if doc.type in rule.types:
            findings = list(rule.fn(doc, POLICY, ctx))  # a raise here is the bug, with its traceback
            assert_findings_in_file(findings, text)
    result = check_pages({REL: read_text(text, Path("fuzz.md"), REL)}, POLICY, TODAY)
    assert not [f for f in result.findings if f.rule == "carepress.rule-failed"]


# -- (d) what a build renders for a schema-valid page -------------------------------------

NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.timezone.utc)


SITE = "https://health.riverbend-hospital.example/"


@FUZZ
@given(st.data())
def test_emitters_never_raise_on_schema_valid_pages(data):
    meta = data.draw(valid_meta(POLICY, data.draw(st.sampled_from(["article", "myth", "story", "alert"]))))
    assert schema_findings(meta) == []
    text = page_text(meta, data.draw(body(meta)))
    parsed, result = check(text, POLICY)
    # A reference list cannot print a date check refuses; no page with an error is rendered.
    assume(not [f for f in result.findings if f.rule == "source.citation-format"])
    doc = parsed.document
    assert doc is not None
    decorated = decorate(doc, POLICY, doc.body, NOW)
    assert "<script" not in decorated.markdown.replace(doc.body, "").lower()
    info = PageInfo(url=SITE + "articles/fuzz/", breadcrumbs=(("Home", SITE), (doc.title, SITE + "articles/fuzz/")),
                    lang=str(meta.get("lang") or "en"), image=None, modified="2026-11-24T00:00:00+00:00")
    meta_tags(doc, info.url, image_for(doc, POLICY, SITE + "articles/fuzz/", SITE), "Test Hospital")
    tag = script_tag(build_graph(doc, POLICY, info))
    inner = tag.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert not set(inner) & {"<", ">", "&", "\u2028", "\u2029"}
    json.loads(inner)


def keys_drawn(strategy: st.SearchStrategy[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def collect(meta):
        seen.update(meta)

    collect()
    return seen


def test_strategies_reach_every_field_of_every_type():
    """The generators write every field of every type's schema, so (b) to (d) exercise them all."""
    from carepress.schemas import load_schema

    for kind in CONTENT_TYPES:
        schema_keys = set(load_schema(frontmatter_schema(kind))["properties"])
        assert keys_drawn(valid_meta(POLICY, kind)) == schema_keys, kind


# -- (e) what `mkdocs serve` runs on every page it can read, valid or not ---------------


@FUZZ
@given(st.data())
def test_preview_scan_never_raises_on_any_readable_page(data):
    """Under `mkdocs serve` a page with errors is still shown (raw, under its findings),
    and the post-build PHI scan reads every page's context and suppressions."""
    meta = data.draw(st.one_of(FRONT_MATTER, mutated_meta(POLICY)))
    doc = read_text(page_text(meta, data.draw(body(meta))), Path("fuzz.md"), REL).document
    assert doc is not None
    page_context(doc, POLICY)
    suppressions_of(doc)
