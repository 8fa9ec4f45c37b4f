"""The PHI guard inside carepress: in pages, with consent, suppressions and phi-scan."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import check_text, line_of, rules, run_cli

ROOT = Path(__file__).resolve().parents[1]
STORY_REL = "content/stories/cardiac-rehab.md"
STORY = (ROOT / STORY_REL).read_text()
LAST = "A family member or friend can learn with you and help you keep going."


def phi(findings):
    return [f for f in findings if f.rule.startswith("phi.")]


def test_demo_story_with_its_consented_name_is_clean(policy):
    assert phi(check_text(STORY, policy, rel=STORY_REL)) == []


def test_consented_name_is_allowed_in_that_story_only(policy):
    text = STORY.replace(LAST, LAST + " My sister Rosa came with me.")
    assert phi(check_text(text, policy, rel=STORY_REL)) == []
    without = text.replace("consented_names: [Rosa]", "consented_names: []")
    assert rules(phi(check_text(without, policy, rel=STORY_REL))) == [("phi.name", line_of(text, "My sister Rosa"))]


def test_relative_name_in_a_story_is_an_error_on_its_line(policy):
    text = STORY.replace(LAST, LAST + " My wife Elena drove me home.")
    findings = phi(check_text(text, policy, rel=STORY_REL))
    assert [(f.rule, f.line, f.severity.value) for f in findings] == [
        ("phi.name", line_of(text, "My wife Elena"), "error")
    ]
    line = text.split("\n")[findings[0].line - 1]
    assert line[findings[0].column - 1 : findings[0].end_column - 1] == "Elena"


def test_month_and_year_in_a_story_is_a_warning(policy):
    text = STORY.replace(LAST, LAST + " We met in March 2024 at the clinic.")
    findings = phi(check_text(text, policy, rel=STORY_REL))
    assert [(f.rule, f.severity.value, f.kind) for f in findings] == [("phi.date", "warning", "date")]


def _suppressed(text: str, line: int, snippet: str, expires: str = "2027-06-30") -> str:
    return text.replace(
        "approvals:\n",
        "suppress:\n  - rule: phi.date\n    reason: The patient asked for the month to be named.\n"
        f"    approved_by: h-dummy\n    expires: {expires}\n    line: {line}\n    text: {snippet}\napprovals:\n",
        1,
    )


def test_phi_suppression_covers_exactly_one_occurrence(policy):
    text = STORY.replace(LAST, LAST + " We met in March 2024 at the clinic.")
    # The suppression adds 7 lines above the body.
    target = line_of(text, "March 2024") + 7
    suppressed = _suppressed(text, target, "March 2024")
    assert line_of(suppressed, "March 2024", 2) == target
    assert phi(check_text(suppressed, policy, rel=STORY_REL)) == []


def test_moving_the_suppressed_text_brings_the_finding_back(policy):
    text = STORY.replace(LAST, LAST + " We met in March 2024 at the clinic.")
    target = line_of(text, "March 2024") + 7
    moved = _suppressed(text, target, "March 2024").replace(LAST, "\n" + LAST)
    assert rules(phi(check_text(moved, policy, rel=STORY_REL))) == [("phi.date", target + 1)]


def test_changing_the_suppressed_text_brings_the_finding_back(policy):
    text = STORY.replace(LAST, LAST + " We met in March 2024 at the clinic.")
    target = line_of(text, "March 2024") + 7
    changed = _suppressed(text, target, "March 2024").replace("We met in March 2024", "We met in April 2024")
    assert rules(phi(check_text(changed, policy, rel=STORY_REL))) == [("phi.date", target)]


def test_phi_in_front_matter_text_is_found_on_its_line(policy, article):
    text = article.replace(
        "description: A short page used by the carepress tests to check one rule at a time.",
        "description: Questions? Email nurse.jane.doe@gmail.com about your blood pressure results.",
    )
    findings = phi(check_text(text, policy))
    assert [(f.rule, f.line) for f in findings] == [("phi.email", line_of(text, "description:"))]
    line = text.split("\n")[findings[0].line - 1]
    assert line[findings[0].column - 1 : findings[0].end_column - 1] == "nurse.jane.doe@gmail.com"
    assert "(in 'description')" in findings[0].message


def test_hospital_contact_details_and_staff_names_are_not_phi(policy, article):
    text = article.replace(
        "Get it checked each year",
        "Call the health library at +1-217-555-0100 or email health-library@riverbend-hospital.example."
        " Dr. Alex Placeholder reviewed this page. Get it checked each year",
    )
    assert phi(check_text(text, policy)) == []


def _phi_scan(cwd: Path, *args: str, capsys) -> tuple[int, str]:
    code, out, _ = run_cli(cwd, "phi-scan", *args, capsys=capsys)
    return code, out


def test_phi_scan_json_on_a_plain_text_file(tmp_path, capsys):
    note = tmp_path / "note.txt"
    note.write_text("Call me at (312) 555-0199.\nNothing else here.\n")
    code, out = _phi_scan(tmp_path, "note.txt", "--format", "json", capsys=capsys)
    assert code == 1
    assert json.loads(out) == [{
        "rule": "phi.phone", "severity": "error", "path": str(note),
        "line": 1, "column": 12, "end_line": 1, "end_column": 26,
        "message": "A phone number: '(312) 555-0199'",
        "hint": json.loads(out)[0]["hint"], "kind": "phone",
    }]


def test_phi_scan_on_a_page_uses_its_context_and_policy(project, capsys):
    project.copy_demo("stories/cardiac-rehab.md")
    code, out = _phi_scan(project.root, "content/stories/cardiac-rehab.md", "--format", "json", capsys=capsys)
    assert (code, json.loads(out)) == (0, [])


def test_phi_scan_on_markdown_without_front_matter(tmp_path, capsys):
    (tmp_path / "draft.md").write_text("# Draft\n\nHer MRN 00123456 was on the form.\n")
    code, out = _phi_scan(tmp_path, "draft.md", "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert code == 1
    assert [(d["rule"], d["line"], d["kind"]) for d in data] == [("phi.mrn", 3, "mrn")]


def test_paragraph_chunked_scan_finds_exactly_what_a_whole_scan_finds():
    """The post-build scan reuses paragraphs; on prose the result is unchanged."""
    from carepress.phi import PhiContext
    from carepress.phiscan import ChunkCache, scan_text, scan_text_chunked

    texts = [p.read_text().replace("⟦", "").replace("⟧", "") for p in sorted((ROOT / "tests/phi_corpus").rglob("*.md"))]
    assert len(texts) >= 60
    for context in (PhiContext(), PhiContext(patient_context=True)):
        cache = ChunkCache()
        for n, text in enumerate(texts * 3):  # from the third pass, answers come from the cache
            whole = [f.as_dict() for f in scan_text(text, "x", context)]
            assert [f.as_dict() for f in scan_text_chunked(text, "x", context, cache)] == whole
            if n == len(texts) - 1:
                # A paragraph seen once leaves only its hash: one page's own
                # text is not kept (only what the corpus itself repeats).
                assert len(cache.hits) < len(cache.seen) // 10
        assert len(cache.hits) >= len(cache.seen) - 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "", " ", "\t", "  \t ", "Call (312) 555-0199 today.", "MRN", "00123456 on file", "Her MRN 00123456.",
    "  indented text", "Seen on March 3, 2025 by", "Dr. Ana Ruiz", "jo@gmail.example", "<b>", "plain words",
]), max_size=14), st.booleans())
def test_paragraph_chunked_scan_equals_a_whole_scan_with_blank_and_whitespace_lines(lines, patient):
    """Lines of only spaces and tabs break paragraphs as empty ones do; the
    findings and their lines and columns are those of a whole-text scan."""
    from carepress.phi import PhiContext
    from carepress.phiscan import ChunkCache, scan_text, scan_text_chunked

    text = "\n".join(lines)
    context = PhiContext(patient_context=patient)
    whole = [f.as_dict() for f in scan_text(text, "x", context)]
    cache = ChunkCache()
    for _ in range(3):  # the third time from the cache
        assert [f.as_dict() for f in scan_text_chunked(text, "x", context, cache)] == whole


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "", " ", "\t", "<p>Call (312) 555-0199</p>", "<a\nhref='x'>multi-line tag</a>", "&amp; &#169; &copy",
    "<script>var a = '<b>';\n\n</script>", "MRN 00123456 &lt;b&gt;", "<style>p{}</style>", "<b>x</b>",
    "plain words", "jo@gmail.example", "& amp;", "<", ">",
]), max_size=30), st.booleans())
def test_a_large_file_read_a_piece_at_a_time_gives_what_reading_it_whole_gives(lines, patient):
    """The social calendar is read a quarter of a megabyte of lines at a time
    (here: a few bytes), its paragraphs one at a time: the text and the
    findings are those of the whole file."""
    import html
    from unittest import mock

    from carepress import phiscan
    from carepress.phi import PhiContext

    text = "\n".join(lines)

    def whole_html_text(markup: str) -> str:
        without = phiscan._SCRIPT_STYLE.sub(lambda m: "\n" * m.group(0).count("\n"), markup)
        without = phiscan._TAG_ONE_LINE.sub(" ", without)
        if "<" in without:
            without = phiscan._TAG.sub(lambda m: "\n" * m.group(0).count("\n") + " ", without)
        return html.unescape(without)

    context = PhiContext(patient_context=patient)
    expected = whole_html_text(text)
    whole = [f.as_dict() for f in phiscan.scan_text_chunked(expected, "x", context, phiscan.ChunkCache())]
    assert list(phiscan._split_lazily(expected)) == phiscan._PARAGRAPH_BREAKS.split(expected)
    with mock.patch.object(phiscan, "_LINES_AT_ONCE", 8):
        assert phiscan.html_text(text) == expected
        assert [f.as_dict() for f in phiscan.scan_text_chunked(expected, "x", context, phiscan.ChunkCache())] == whole


def test_output_json_is_scanned_string_by_string_in_document_order(tmp_path):
    """Objects are scanned as they are decoded, nested ones inside their parent's order."""
    from carepress.phi import PhiContext
    from carepress.phiscan import scan_output

    data = {
        "snippets": [
            {"page": "a.md", "text": "Call me at (312) 555-0199.", "image": {"alt": "MRN 00123456", "src": "x.png"},
             "tags": ["fine", "Email jo.patient@gmail.example now"]},
            {"page": "b.md", "text": "Nothing here.", "more": [{"deep": {"deeper": "Her MRN 00999999 again"}}]},
        ],
        "takedowns": [],
        "z": "Reach me at (773) 555-0142.",
    }
    folder = tmp_path / "social"
    folder.mkdir()
    (folder / "snippets.json").write_text(json.dumps(data, indent=2))
    found = [(f.rule, f.message) for f in scan_output(folder, "social", {}, PhiContext(), share=False)]
    assert found == [
        ("phi.phone", "A phone number: '(312) 555-0199'"),
        ("phi.mrn", "A medical record number after 'mrn': '00123456'"),
        ("phi.email", "An e-mail address: 'jo.patient@gmail.example'"),
        ("phi.mrn", "A medical record number after 'mrn': '00999999'"),
        ("phi.phone", "A phone number: '(773) 555-0142'"),
    ]
    (folder / "broken.json").write_text('{"text": "Call (312) 555-0199", ')  # not JSON: read as text
    assert [f.path for f in scan_output(folder, "social", {}, PhiContext())][0] == "social/broken.json"


def test_search_index_entries_are_scanned_one_by_one_in_their_pages_context(tmp_path):
    """Each entry of the index is read in the context of the page it comes from
    (its location, without the section anchor); an unknown page's in the default."""
    import dataclasses

    from carepress.phi import PhiContext
    from carepress.phiscan import search_index_findings

    index = {
        "config": {"lang": ["en"], "separator": "[\\s\\-]+"},
        "docs": [
            {"location": "", "title": "Home", "text": "<p>Welcome to Riverbend.</p>"},
            {"location": "stories/ann/", "title": "Ann's story", "text": "<p>Ann says: follow me at @ann_walks</p>"},
            {"location": "stories/ann/#after", "title": "After", "text": "<p>Or at @ann_runs, and MRN 00123456.</p>"},
            {"location": "articles/flu/", "title": "Flu", "text": "<p>Ask @nurse_jo about it.</p>"},
        ],
    }
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "search/search_index.json").write_text(json.dumps(index, indent=2))
    story = dataclasses.replace(PhiContext(), patient_context=True)
    found = [(f.path, f.rule, f.severity.value, f.message)
             for f in search_index_findings(site, {"stories/ann/index.html": story}, PhiContext())]
    assert found == [
        ("site/search/search_index.json (stories/ann/)", "phi.handle", "error", "A social media handle: '@ann_walks'"),
        ("site/search/search_index.json (stories/ann/)", "phi.handle", "error", "A social media handle: '@ann_runs'"),
        ("site/search/search_index.json (stories/ann/)", "phi.mrn", "error",
         "A medical record number after 'mrn': '00123456'"),
        ("site/search/search_index.json (articles/flu/)", "phi.handle", "warning", "A social media handle: '@nurse_jo'"),
    ]
    # An index that is not JSON is still read, as text, in the default context.
    (site / "search/search_index.json").write_text('{"docs": [{"location": "", "text": "MRN 00123456 on file"')
    assert [(f.path, f.rule) for f in search_index_findings(site, {}, PhiContext())] == [
        ("site/search/search_index.json", "phi.mrn")]
