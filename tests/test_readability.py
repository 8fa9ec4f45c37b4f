"""The prose that readability measures: what a reader reads, nothing else."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from carepress.readability import measure, prose


def test_headings_tables_code_and_citations_are_left_out():
    text = (
        "# A heading\n\nShort words help [@cdc].\n\n| a | b |\n|---|---|\n| x | y |\n\n"
        "```\ncode here\n```\n\n## References\n\n1. A source.\n"
    )
    assert prose(text) == "Short words help."


def test_code_is_what_superfences_reads_as_code():
    """A fence with more than a language after it is not a fence: the words
    after it are on the page, and are measured."""
    assert prose("Wash your hands.\n\n~~~~python\nx = 1\n~~~~\n\nDry them.\n") == "Wash your hands.\nDry them."
    # Python-Markdown shows "!!! Rinse well." as inline code: not prose.
    assert prose("Wash your hands.\n\n``` !!!\nRinse well.\n```\n") == "Wash your hands."
    # A code span ends with its paragraph: the reader reads both of these.
    text = prose("Wash your hands.\n\n``` !!!\nRinse well.\n\nDry them.\n```\n")
    assert text == "Wash your hands.\n``` !!! Rinse well.\nDry them. ```."


def test_a_wrapped_list_item_is_one_sentence():
    text = "- Eat less salt and\n  more fruit\n- Walk each day\n"
    assert prose(text) == "Eat less salt and more fruit.\nWalk each day."


def test_a_wrapped_paragraph_is_joined():
    assert prose("High blood pressure\noften has no signs.\n") == "High blood pressure often has no signs."


def test_links_keep_their_text():
    assert prose("See [the CDC page](https://www.cdc.gov/) today.") == "See the CDC page today."


def test_grade_and_longest_sentences():
    result = measure("Check it. Your doctor can help you lower your blood pressure over time with care.")
    assert result.longest[0] == "Your doctor can help you lower your blood pressure over time with care."
    assert result.words == 15
    assert result.grade == 5.2


def test_no_network_library_is_loaded_and_textstat_still_counts():
    import subprocess
    import sys

    code = (
        "import sys, carepress.readability as r, textstat\n"
        "print('nltk' in sys.modules, round(textstat.flesch_kincaid_grade('Check it. Call us.'), 2),"
        " r.measure('Check it. Call us.').grade)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "-2.23", "-2.2"]


def test_citation_markers_go_with_the_space_before_them():
    assert prose("Eat  [@a]  [@b] well.\n\nWalk \t[@d][@e].") == "Eat well.\nWalk."


@given(st.text(alphabet=" \t\n[]@ab.#|`<>!?~", max_size=60))
@settings(max_examples=300, deadline=None)
def test_citation_stripping_is_the_whitespace_run_rule(text):
    # The rule the linear implementation keeps: a marker takes the whole run
    # of white space before it (written as a regex, which is quadratic on
    # long runs and so is not used).
    from carepress.readability import _drop_citations

    assert _drop_citations(text) == re.sub(r"(?<!\s)\s*+\[@[^\[\]]++\]", "", text)


@given(st.text(alphabet="ab *_\n.#[]()!", max_size=60))
@settings(max_examples=300, deadline=None)
def test_emphasis_marks_all_go_as_the_pattern_removes_them(text):
    from carepress.readability import _EMPHASIS, _NO_EMPHASIS

    assert text.translate(_NO_EMPHASIS) == _EMPHASIS.sub("", text)


def test_the_syllable_table_answers_every_word_as_the_dictionary_does():
    from carepress.readability import SyllableTable, _read_syllable_table, _syllable_table

    whole = _read_syllable_table()
    table = _syllable_table()
    assert len(table.words) == len(whole) > 100_000
    assert [w for w, count in whole.items() if table.get(w) != count] == []
    assert table.get("hypertension") == 4 and table.get("carepressword") is None and table.get("") is None
    assert SyllableTable.from_cache(table.to_cache()).get("medication") == whole["medication"]


def test_a_damaged_cached_table_is_read_again(tmp_path, monkeypatch):
    from carepress import readability

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    readability._syllable_table.cache_clear()
    try:
        table = readability._syllable_table()
        (cached,) = (tmp_path / "carepress").glob("syllables-*.marshal")
        cached.write_bytes(cached.read_bytes()[: len(cached.read_bytes()) // 2])
        readability._syllable_table.cache_clear()
        assert readability._syllable_table().get("doctor") == table.get("doctor") == 2
        assert readability._readable(table.to_cache())
        assert not readability._readable((b"not a trie", b"\x01"))
        assert not readability._readable((table.to_cache()[0], b"\x01"))  # counts for other words
    finally:
        readability._syllable_table.cache_clear()


def test_words_seen_before_count_as_the_table_and_pyphen_count_them():
    from carepress import readability

    words = ["doctor", "doctor", "carepressword", "hypertension", "carepressword"]
    readability._SEEN.clear()
    first = readability._syllables(words, "en")
    unknown = readability._pyphen_syllables("carepressword", "en")
    assert dict(readability._SEEN) == {"doctor": 2, "carepressword": unknown, "hypertension": 4}
    assert readability._syllables(words, "en") == first == 2 + 2 + 4 + 2 * unknown
