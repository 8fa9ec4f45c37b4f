"""Post lengths per platform: twitter-text's conformance suite plus boundary cases per method."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from carepress.emit import _tlds
from carepress.emit.textcount import Counting, count, find_urls, weighted_length

CONFORMANCE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "twitter-text"

# Weighted-length sections of conformance_validate.yml and the configuration each one uses
# (per shared/conformance/twitter-text/NOTICE.md, from the reference Ruby runner).
WEIGHTED_SECTIONS = {
    "WeightedTweetsWithDiscountedEmojiCounterTest": "config_v3.json",
    "UnicodeDirectionalMarkerCounterTest": "config_v3.json",
    "WeightedTweetsCounterTest": "config_v2.json",
}
# URL-extraction sections of conformance_extract.yml (find_urls must agree with them).
URL_SECTIONS = (
    "urls",
    "urls_with_indices",
    "urls_with_directional_markers",
    "tco_urls_with_params",
)


def _missing_reason() -> str | None:
    if CONFORMANCE.is_dir():
        return None
    return (
        f"twitter-text conformance data not found at {CONFORMANCE} (shared/ is not beside the repo)"
    )


def _require_conformance() -> None:
    reason = _missing_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _missing_param() -> list:
    return [pytest.param(None, id="conformance-data-missing")]


def _yaml(name: str) -> dict:
    with open(CONFORMANCE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["tests"]


def _weighted_cases() -> list:
    if _missing_reason():
        return _missing_param()
    tests = _yaml("conformance_validate.yml")
    params = []
    for section, config_name in WEIGHTED_SECTIONS.items():
        config = json.loads((CONFORMANCE / config_name).read_text(encoding="utf-8"))
        counting = Counting.from_twitter_config(config)
        for case in tests[section]:
            params.append(
                pytest.param(
                    (counting, case["text"], case["expected"]["weightedLength"]),
                    id=f"{section}: {case['description']}",
                )
            )
    return params


def _url_cases() -> list:
    if _missing_reason():
        return _missing_param()
    tests = _yaml("conformance_extract.yml")
    params = []
    for section in URL_SECTIONS:
        for case in tests[section]:
            expected = case["expected"]
            if expected and isinstance(expected[0], dict):
                expected = [(e["url"], tuple(e["indices"])) for e in expected]
            params.append(
                pytest.param((case["text"], expected), id=f"{section}: {case['description']}")
            )
    return params


def _tld_cases() -> tuple[list, list]:
    """(params for TLDs in IANA's current root zone, (text, tld) pairs for withdrawn ones)."""
    if _missing_reason():
        return _missing_param(), []
    current, withdrawn = [], []
    for section, cases in _yaml("conformance_tlds.yml").items():
        for case in cases:
            tld = case["text"].rsplit(".", 1)[1]
            if tld.encode("idna").decode("ascii").lower() in _tlds.TLDS:
                current.append(
                    pytest.param(
                        (case["text"], case["expected"]),
                        id=f"tlds/{section}: {case['description']}",
                    )
                )
            else:
                withdrawn.append((case["text"], tld))
    return current, withdrawn


CURRENT_TLD_CASES, WITHDRAWN_TLD_CASES = _tld_cases()


@pytest.mark.parametrize("case", _weighted_cases())
def test_conformance_weighted_length(case):
    _require_conformance()
    counting, text, expected = case
    assert weighted_length(text, counting) == expected
    assert count(text, counting) == expected


@pytest.mark.parametrize("case", _url_cases())
def test_conformance_url_extraction(case):
    _require_conformance()
    text, expected = case
    spans = find_urls(text)
    if expected and isinstance(expected[0], tuple):
        assert [(text[s:e], (s, e)) for s, e in spans] == expected
    else:
        assert [text[s:e] for s, e in spans] == expected


@pytest.mark.parametrize("case", CURRENT_TLD_CASES)
def test_conformance_tlds(case):
    _require_conformance()
    text, expected = case
    assert [text[s:e] for s, e in find_urls(text)] == expected


def test_conformance_tlds_withdrawn_from_root_zone_are_not_links():
    # twitter-text's list dates from 2021. About 150 of its TLDs have left IANA's root zone
    # since (brand TLDs mostly; an/bl/bq/eh/mf/tp/um were never delegated), so a link to one
    # no longer resolves and we count it as text: the one deliberate departure from the suite.
    _require_conformance()
    assert len(WITHDRAWN_TLD_CASES) < 200
    linked = [tld for text, tld in WITHDRAWN_TLD_CASES if find_urls(text)]
    assert linked == []


# --- boundaries, per method ---------------------------------------------------------------------

X = Counting("twitter-v3")
BLUESKY = Counting("graphemes")
CHARS = Counting("characters")
MASTODON = Counting("mastodon", url_length=23)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦, 7 code points
FLAG_US = "\U0001f1fa\U0001f1f8"
FLAG_ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"  # 👍🏽
KEYCAP_ONE = "1\ufe0f\u20e3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 280, 280),
        (FAMILY, 2),  # a ZWJ sequence is one emoji
        (FLAG_US, 2),
        (FLAG_ENGLAND, 2),  # tag sequence
        (THUMBS_MEDIUM, 2),  # modifier sequence
        (KEYCAP_ONE, 2),
        ("1\u20e3", 2),  # unqualified keycap
        ("\u2764\ufe0f", 2),  # ❤️ text-default + VS16
        ("\u2764", 2),  # ❤ alone: still an emoji for twitter-text
        ("\u00a9", 1),  # © stays text (Latin-1, weight 1) without VS16 ...
        ("\u00a9\ufe0f", 2),  # ... and is one emoji with it
        ("\U0001f3f3\ufe0f\u200d\U0001f308", 2),  # 🏳️‍🌈
        ("\U0001f408\u200d\U0001f415", 5),  # cat ZWJ dog: not an RGI sequence: 2 + 1 + 2
        ("\U0001f1fa", 2),  # lone regional indicator
        ("病院", 4),  # CJK: 2 each
        ("こんにちは", 10),
        ("\u2018quoted\u2019", 8),  # general-punctuation quotes weigh 1
        ("\u2026", 2),  # … is outside the weight-1 ranges
        ("e\u0301", 1),  # NFC first: é
        ("Ж", 1),  # Cyrillic is within 0..4351
        ("\U0001d400", 2),  # non-BMP, not emoji, not in any range: default weight once
        ("https://www.riverbend-health.org/flu-shots?utm_source=x", 23),
        ("see example.com", 27),  # protocol-less URL with a real TLD
        ("see example.notatld", 19),  # no such TLD: plain text
        ("write to nurse@example.com", 26),  # @-preceded domain is not a URL
        ("$example.com", 12),  # $-preceded likewise
        ("http://" + "a" * 64 + ".com", 75),  # 64-char label: invalid host, counted as text
        ("http://" + "a" * 63 + ".com", 23),
        ("Flu clinic: https://t.co/abc123 " + FAMILY, 38),
        (FAMILY * 140, 280),
    ],
)
def test_twitter_v3_boundaries(text, expected):
    assert count(text, X) == expected


def test_twitter_v3_emoji_parsing_off_weighs_code_points():
    off = Counting("twitter-v3", emoji_parsing=False)
    assert count(FAMILY, off) == 11  # 4 emoji x 2 + 3 ZWJ x 1
    assert count(FLAG_US, off) == 4


def test_twitter_v3_parameters_are_honoured():
    custom = Counting("twitter-v3", url_length=30, scale=10, default_weight=30, ranges=[])
    assert count("ab", custom) == 6
    assert count("https://example.org", custom) == 30
    assert count(FAMILY, custom) == 3


def test_weighted_length_defaults_to_v3():
    assert weighted_length("Hi " + FAMILY) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        (FAMILY, 1),  # a family emoji is one grapheme
        (FLAG_US, 1),
        (FLAG_US * 2, 2),
        (FLAG_ENGLAND, 1),
        (THUMBS_MEDIUM, 1),
        (KEYCAP_ONE, 1),
        ("e\u0301", 1),  # combining mark
        ("\r\n", 1),
        ("\u0915\u094d\u0937", 1),  # क्ष: Indic conjunct, one cluster since Unicode 15.1
        ("https://example.com", 19),  # Bluesky has no URL discount
        ("病院", 2),
    ],
)
def test_graphemes_boundaries(text, expected):
    assert count(text, BLUESKY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        ("e\u0301", 1),  # NFC
        ("\u0041\u030a", 1),  # Å
        (FAMILY, 7),
        (FLAG_US, 2),
        ("病院", 2),
        ("https://example.com", 19),
    ],
)
def test_characters_boundaries(text, expected):
    assert count(text, CHARS) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        ("@nurse@mastodon.social", 6),  # counts as "@nurse"
        ("Ask @nurse@health.example.org today", 4 + 6 + 6),
        ("@nurse", 6),  # local mention unchanged
        ("mail nurse@example.com", 22),  # not a mention: no @ at its start
        ("https://www.riverbend-health.org/a/very/long/path/to/flu-shots", 23),
        ("http://example.com", 23),
        ("read example.com", 16),  # protocol-less: no discount on Mastodon
        ("see https://example.com and @a@b.c", 4 + 23 + 5 + 2),
        (FAMILY, 1),  # one grapheme cluster, as Mastodon counts it
        ("e\u0301", 1),
    ],
)
def test_mastodon_boundaries(text, expected):
    assert count(text, MASTODON) == expected


def test_mastodon_url_length_is_a_parameter():
    assert count("https://example.com/x", Counting("mastodon", url_length=10)) == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no links here", []),
        ("Book at https://riverbend.example.org/flu.", ["https://riverbend.example.org/flu"]),
        (
            "(see https://en.wikipedia.org/wiki/Influenza_(disease))",
            ["https://en.wikipedia.org/wiki/Influenza_(disease)"],
        ),
        ("nhs.uk, cdc.gov and who.int", ["nhs.uk", "cdc.gov", "who.int"]),
        ("version 1.5 of file.txt", []),
        ("病院.com", []),  # without a protocol the domain must be ASCII (or Latin)
        ("http://病院.com", ["http://病院.com"]),
        ("https://t.co/" + "a" * 41, []),
        ("twitter.comこれは", ["twitter.com"]),
    ],
)
def test_find_urls(text, expected):
    assert [text[s:e] for s, e in find_urls(text)] == expected


def test_counting_from_policy_mapping():
    counting = Counting.from_policy(
        {
            "method": "twitter-v3",
            "url_length": 23,
            "scale": 100,
            "default_weight": 200,
            "emoji_parsing": True,
            "ranges": [
                {"start": 0, "end": 4351, "weight": 100},
                {"start": 8192, "end": 8205, "weight": 100},
                {"start": 8208, "end": 8223, "weight": 100},
                {"start": 8242, "end": 8247, "weight": 100},
            ],
        }
    )
    assert counting == Counting("twitter-v3")
    with pytest.raises(ValueError):
        Counting.from_policy({"method": "twitter-v3", "weight": 1})


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        Counting("tweets")
