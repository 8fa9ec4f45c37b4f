"""The front-matter reader: strict YAML with a line for every problem."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from carepress.frontmatter import read_file, read_text
from carepress.model import Severity


def read(text: str):
    return read_text(text, Path("p.md"), "content/p.md")


def test_reads_fields_and_body_line():
    parsed = read("---\ntype: page\ntitle: Home page\n---\n# Home\n")
    assert parsed.findings == ()
    doc = parsed.document
    assert doc.meta == {"type": "page", "title": "Home page"}
    assert doc.body == "# Home\n"
    assert doc.body_line == 5
    assert doc.span("title").line == 3
    assert doc.span("title").column == 8


def test_yaml_syntax_error_names_line_and_column():
    parsed = read("---\ntype: article\ntitle: High blood pressure: what to know\n---\n")
    assert parsed.document is None
    (f,) = parsed.findings
    assert (f.rule, f.line, f.column) == ("frontmatter.yaml", 3, 27)
    assert "quotes" in f.hint


def test_python_tag_is_refused():
    parsed = read("---\ntype: article\ntitle: !!python/object/apply:os.system [ls]\n---\n")
    (f,) = parsed.findings
    assert (f.rule, f.line) == ("frontmatter.yaml", 3)
    assert "!!python/object/apply:os.system" in f.message


def test_custom_tag_is_refused():
    (f,) = read("---\ntitle: !secret x\n---\n").findings
    assert (f.rule, f.line) == ("frontmatter.yaml", 2)


def test_alias_bomb_fails_fast():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "---\n" + "\n".join(lines) + "\n---\n"
    start = time.perf_counter()
    parsed = read(text)
    elapsed = time.perf_counter() - start
    (f,) = parsed.findings
    assert f.rule == "frontmatter.limits"
    assert "aliases" in f.message
    assert elapsed < 1.0  # generous: a naive expansion would take hours


def test_duplicate_key_is_an_error_with_both_lines():
    parsed = read("---\ntype: page\ntitle: One\ntitle: Two\n---\n")
    (f,) = parsed.findings
    assert (f.rule, f.line, f.severity) == ("frontmatter.duplicate-key", 4, Severity.ERROR)
    assert "first on line 3" in f.message


def test_impossible_date_is_kept_as_text_for_the_schema():
    parsed = read("---\npublished: 2026-02-30\n---\n")
    assert parsed.findings == ()
    assert parsed.document.meta["published"] == "2026-02-30"


def test_real_dates_become_iso_text():
    parsed = read("---\npublished: 2026-02-28\nat: 2027-02-03T09:00:00-05:00\n---\n")
    assert parsed.document.meta == {"published": "2026-02-28", "at": "2027-02-03T09:00:00-05:00"}


def test_bom_and_crlf_are_accepted(tmp_path: Path):
    path = tmp_path / "p.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntype: page\r\ntitle: Home page\r\n---\r\nBody\r\n")
    parsed = read_file(path, "content/p.md")
    assert parsed.findings == ()
    assert parsed.document.meta["title"] == "Home page"
    assert parsed.document.body == "Body\n"
    assert parsed.document.body_line == 5


def test_unterminated_front_matter():
    (f,) = read("---\ntype: page\ntitle: x\n").findings
    assert (f.rule, f.line) == ("frontmatter.yaml", 1)
    assert "never closed" in f.message


def test_front_matter_that_is_not_a_mapping():
    (f,) = read("---\n- a\n- b\n---\n").findings
    assert (f.rule, f.line) == ("frontmatter.schema", 2)


def test_invalid_utf8_names_the_line(tmp_path: Path):
    path = tmp_path / "p.md"
    path.write_bytes(b"---\ntype: page\ntitle: caf\xe9\n---\n")
    (f,) = read_file(path, "content/p.md").findings
    assert (f.rule, f.line, f.column) == ("frontmatter.encoding", 3, 11)


def test_nul_byte_is_an_error(tmp_path: Path):
    path = tmp_path / "p.md"
    path.write_bytes(b"---\ntype: page\n---\nBody\x00\n")
    (f,) = read_file(path, "content/p.md").findings
    assert (f.rule, f.line) == ("frontmatter.encoding", 4)


def test_oversized_page_is_refused(tmp_path: Path):
    path = tmp_path / "p.md"
    path.write_bytes(b"---\ntype: page\n---\n" + b"x" * 2048)
    (f,) = read_file(path, "content/p.md", max_bytes=1024).findings
    assert f.rule == "frontmatter.limits"


def test_deep_nesting_is_refused():
    text = "---\na: " + "[" * 60 + "]" * 60 + "\n---\n"
    (f,) = read(text).findings
    assert f.rule == "frontmatter.limits"


def test_page_without_front_matter_reads_as_body():
    parsed = read("# Just a heading\n")
    assert parsed.document.has_front_matter is False
    assert parsed.document.body == "# Just a heading\n"


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_a_line_break_only_yaml_sees_does_not_move_later_lines(char):
    # YAML 1.1 counts U+0085, U+2028 and U+2029 as line breaks; editors and git do not.
    doc = read(f'---\ntype: page\ntitle: "Blood{char}pressure"\ndescription: x\nlang: [en\n---\n').findings
    assert [(f.rule, f.line) for f in doc] == [("frontmatter.yaml", 6)]
    parsed = read(f'---\ntype: page\ntitle: "Blood{char}pressure"\ndescription: x\n---\nBody\n')
    assert parsed.document.spans[("description",)][:2] == (4, 14)


def test_a_raw_control_character_is_named_at_its_line_and_column():
    (finding,) = read("---\ntype: page\ntitle: Café \x07here\n---\n").findings
    assert (finding.rule, finding.line, finding.column) == ("frontmatter.yaml", 3, 13)
    assert finding.message == "The front matter contains the control character U+0007, which YAML does not allow."


def test_dates_numbers_and_flags_read_the_same_on_every_page():
    """Plain scalars that are not text are kept once read; each page still
    gets the value its own text says, with its own positions."""
    from carepress.frontmatter import read_yaml

    text = ("published: 2025-03-10\nbad: 2026-02-30\nwhen: 2026-01-02T03:04:05Z\ncount: 017\n"
            "ratio: 1.0e+3\nflag: yes\nnothing: ~\nlabel: '2025-03-10'\n")
    expected = {"published": "2025-03-10", "bad": "2026-02-30", "when": "2026-01-02T03:04:05+00:00", "count": 15,
                "ratio": 1000.0, "flag": True, "nothing": None, "label": "2025-03-10"}
    first = read_yaml(text, "a.md")
    second = read_yaml("\n" + text, "b.md", line_offset=3)
    assert first.data == second.data == expected
    assert [type(v) for v in second.data.values()] == [str, str, str, int, float, bool, type(None), str]
    assert first.spans[("count",)].line == 4 and second.spans[("count",)].line == 8
