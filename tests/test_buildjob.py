"""The build job beside MkDocs: the same pages as rendering in one process,
MkDocs' own page list wins over the job's guess, a broken job fails the build
with a message, and HTML blocks placed after Markdown read as if inline."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import pickle
import signal
from pathlib import Path

import markdown
import pytest

from carepress.buildjob import BuildJob, JobFailed, NavPage, Pipeline, Settings, SocialOutcome
from carepress.emit.blocks import fill_blocks, fill_citations, hold_blocks, hold_citations
from carepress.emit.page import decorate, make_blocks
from carepress.frontmatter import read_file
from helpers import ARTICLE

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.timezone.utc)
EXTENSIONS = ["attr_list", "md_in_html", "admonition", "pymdownx.details", "pymdownx.superfences", "toc"]


def _settings(root: Path, serving: bool = False) -> Settings:
    return Settings(root, root / "content", root / "policy", NOW.date(), NOW, "https://health.riverbend-hospital.example/",
                    "Test Hospital", "en", root / "social", serving=serving)


@pytest.mark.parametrize("rel", sorted(p.relative_to(ROOT / "content").as_posix()
                                       for p in (ROOT / "content").glob("[ams]*/*.md") if p.name != "index.md"))
def test_blocks_placed_after_markdown_give_the_same_html_as_inline_blocks(rel, policy):
    doc = read_file(ROOT / "content" / rel, "content/" + rel).document
    assert doc is not None
    inline = markdown.Markdown(extensions=EXTENSIONS).convert(decorate(doc, policy, doc.body, NOW).markdown)
    held = decorate(doc, policy, doc.body, NOW, placeholder="cpblockTEST")
    assert "<div" not in held.markdown and "<ol" not in held.markdown
    html = markdown.Markdown(extensions=EXTENSIONS).convert(held.markdown)
    html = hold_citations(hold_blocks(fill_blocks(html, held.blocks), [token for token, _ in held.deferred]), held.citations)
    assert "cpblockTEST" not in html.replace("<!--cpblockTEST", "")  # what the site search reads
    # The search reads only the superscripts in titles, which stayed inline HTML.
    assert html.count('<sup class="cp-cite">') == held.markdown.count('<sup class="cp-cite">')
    assert fill_citations(fill_blocks(html, make_blocks(held.deferred)), held.citations) == inline


CITED_EVERYWHERE = """\
# Title [@{a}]

A paragraph cites a source [@{a}]. A second sentence cites two [@{a}; @{b}].

A chart ![Blood pressure by age [@{b}]](chart.png) in a paragraph.

- a list item [@{b}]
- *emphasis [@{a}]*

| cell | cited |
|------|-------|
| one  | here [@{b}] |

## A heading that cites [@{b}]

A setext heading [@{a}]
-----------------------

!!! note "An admonition title [@{a}]"
    Its body [@{b}].

??? note "A details title [@{b}]"
    Hidden text [@{a}].

<div markdown="1">
Inside HTML with Markdown [@{a}].
</div>
"""


def test_citations_held_behind_words_give_the_same_html_as_inline(policy):
    doc = read_file(ROOT / "content" / "articles" / "high-blood-pressure.md", "content/articles/high-blood-pressure.md").document
    a, b = (c["id"] for c in doc.meta["citations"][:2])
    body = CITED_EVERYWHERE.format(a=a, b=b)
    inline = markdown.Markdown(extensions=EXTENSIONS).convert(decorate(doc, policy, body, NOW).markdown)
    held = decorate(doc, policy, body, NOW, placeholder="cpblockTEST")
    # Paragraphs, lists, tables and HTML with Markdown get a word; lines whose
    # text is also a title (headings, admonitions) keep the HTML.
    assert held.markdown.count('<sup class="cp-cite">') == 5
    assert [token for token, _ in held.citations] == [f"cpblockTESTc{n}x" for n in range(9)]
    html = markdown.Markdown(extensions=EXTENSIONS).convert(held.markdown)
    html = hold_citations(hold_blocks(fill_blocks(html, held.blocks), [token for token, _ in held.deferred]), held.citations)
    # What the site search reads: the five citations in titles, no other.
    assert html.count('<sup class="cp-cite">') == 5 and html.count("<!--cpblockTESTc") == 9
    assert fill_citations(fill_blocks(html, make_blocks(held.deferred)), held.citations) == inline


def test_a_placeholder_markdown_moved_is_replaced_where_it_stands():
    assert fill_blocks("<ul>\n<li>item\ncpX0</li>\n</ul>", [("cpX0", "<div>b</div>")]) == "<ul>\n<li>item\n<div>b</div></li>\n</ul>"
    assert hold_blocks("<p>a</p>\n<p>cpX1</p>\n<p>z</p>", ["cpX1"]) == "<p>a</p>\n<!--cpX1-->\n<p>z</p>"
    assert fill_blocks("<p>a</p>\n<!--cpX1-->\n<p>z</p>", [("cpX1", "<ol>r</ol>")]) == "<p>a</p>\n<ol>r</ol>\n\n<p>z</p>"


def _job_pages(project, names):
    return [(f"content/{name}", (project.root / "content" / name).resolve()) for name in names]


def test_the_page_list_from_mkdocs_wins_over_the_guess(project, monkeypatch):
    monkeypatch.chdir(project.root)
    project.write("good.md", "---\ntype: page\ntitle: A good page\n---\n\nHello.\n")
    project.write("draft.md", "---\ntype: page\n---\n\nNo title: an error, but MkDocs does not build this page.\n")
    project.write("late.md", "---\ntype: page\ntitle: Added by a plugin\n---\n\nHi.\n")
    job = BuildJob(_settings(project.root), guess=lambda: _job_pages(project, ["draft.md", "good.md"]))
    pipeline = Pipeline(job, separate_process=True)
    try:
        pipeline.send_files(_job_pages(project, ["good.md", "late.md"]), [])
        assert [f for f in pipeline.findings() if f.severity.name == "ERROR"] == []
        assert pipeline.page("content/late.md").source.endswith("Hi.\n")
        nav = {rel: NavPage(f"https://health.riverbend-hospital.example/{rel[8:-3]}/", ()) for rel in ("content/good.md", "content/late.md")}
        pipeline.send("nav", nav, {})
        assert pipeline.head("content/late.md")[0].count('property="og:title" content="Added by a plugin"') == 1
        assert pipeline.head("content/draft.md") is None  # guessed, checked, then dropped
    finally:
        pipeline.close()


def test_a_job_that_dies_fails_the_build_with_a_message(project):
    job = BuildJob(_settings(project.root), guess=lambda: os.kill(os.getpid(), signal.SIGKILL))
    pipeline = Pipeline(job, separate_process=True)
    try:
        with pytest.raises(JobFailed, match=r"stopped unexpectedly \(exit code -9\); no page was published"):
            pipeline.page("content/index.md")
    finally:
        pipeline.close()


def test_a_job_that_raises_fails_the_build_with_its_traceback(project):
    def broken():
        raise RuntimeError("a carepress bug")

    job = BuildJob(_settings(project.root), guess=broken)
    pipeline = Pipeline(job, separate_process=True)
    try:
        with pytest.raises(JobFailed, match="(?s)please report it.*RuntimeError: a carepress bug"):
            pipeline.page("content/index.md")
    finally:
        pipeline.close()


def test_a_spill_file_gives_back_what_was_put_in_here_and_in_a_fresh_process():
    import subprocess
    import sys

    from carepress.buildjob import SpillFile

    spill = SpillFile()
    try:
        assert os.readlink(f"/proc/self/fd/{spill.fd}").endswith("(deleted)")  # no name left behind
        big = bytes(range(256)) * 1000
        refs = [spill.put(b"heads" * 2), spill.put(b""), spill.put(big)]
        assert refs == [(0, 10), (10, 0), (10, 256_000)]
        assert [spill.get(ref) for ref in refs] == [b"headsheads", b"", big]
        copy = pickle.loads(pickle.dumps(spill))
        assert copy.fds() == (spill.fd,) and copy.get(refs[0]) == b"headsheads"
        code = ("import pickle, sys; spill = pickle.loads(bytes.fromhex(sys.argv[1]));"
                " sys.stdout.write(spill.get((0, 10)).decode())")
        done = subprocess.run([sys.executable, "-c", code, pickle.dumps(spill).hex()], pass_fds=spill.fds(),
                              capture_output=True, text=True, check=True)
        assert done.stdout == "headsheads"
        with pytest.raises(JobFailed, match="temporary file was cut short"):
            spill.get((256_000, 100))
    finally:
        spill.close()


def test_a_spill_file_that_cannot_be_written_stops_the_build_saying_what_to_free(project, tmp_path, monkeypatch):
    from carepress.buildjob import SpillFailed, SpillFile

    read_only = os.open(tmp_path / "read-only", os.O_RDONLY | os.O_CREAT)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    with pytest.raises(SpillFailed, match=rf"temporary file could not be written in {tmp_path} .*set TMPDIR"):
        SpillFile(read_only).put(b"a page")
    os.close(read_only)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "gone"))
    with pytest.raises(SpillFailed, match=r"temporary file could not be written in .*gone \(No such file"):
        SpillFile()
    monkeypatch.setattr("tempfile.tempdir", None)
    # In a build the checking process stops with that message, not a traceback.
    def full(self, data):
        raise SpillFailed(OSError(28, "No space left on device"))

    monkeypatch.setattr(SpillFile, "put", full)
    project.write("articles/a.md", ARTICLE)
    pipeline = Pipeline(BuildJob(_settings(project.root)), separate_process=True)
    try:
        pipeline.send_files(_job_pages(project, ["articles/a.md"]), [])
        with pytest.raises(JobFailed) as failed:
            pipeline.page("content/articles/a.md")
        assert str(failed.value) == (f"the build's temporary file could not be written in {tmp_path} (No space left "
                                     "on device); nothing was published. Free some space there, or set TMPDIR to a "
                                     "folder with room, and build again.")
    finally:
        pipeline.close()


def test_the_preview_runs_the_same_job_in_process(project):
    job = BuildJob(_settings(project.root, serving=True))
    pipeline = Pipeline(job, separate_process=False)
    pipeline.send_files(_job_pages(project, ["index.md"]), [])
    out = pipeline.page("content/index.md")
    assert out.source == "---\n{}\n---\n\n# Home\n" and out.findings == ()


@pytest.mark.parametrize("separate", [True, False], ids=["build", "preview"])
def test_a_page_that_breaks_the_job_is_named_and_nothing_is_published(project, monkeypatch, separate):
    import carepress.emit.page

    def broken(*args, **kwargs):
        raise ValueError("a reference carepress cannot format")

    monkeypatch.setattr(carepress.emit.page, "decorate", broken)
    project.write("articles/a.md", ARTICLE)
    pipeline = Pipeline(BuildJob(_settings(project.root)), separate_process=separate)
    try:
        pipeline.send_files(_job_pages(project, ["articles/a.md"]), [])
        with pytest.raises(JobFailed, match="(?s)failed on content/articles/a.md .*nothing was published.*"
                                            "ValueError: a reference carepress cannot format"):
            pipeline.page("content/articles/a.md")
    finally:
        pipeline.close()


def _heads_job(project, article):
    for name in ("one", "two", "three"):
        project.write(f"articles/{name}.md", article.replace("title: ", f"title: Page {name}, ", 1))
    pages = _job_pages(project, ["articles/one.md", "articles/two.md", "articles/three.md"])
    nav = {rel: NavPage(f"https://health.riverbend-hospital.example/{rel[8:-3]}/", ()) for rel, _ in pages}
    return BuildJob(_settings(project.root)), pages, nav


def test_heads_are_made_while_the_job_is_ahead_and_the_page_front_matter_let_go(project, article, monkeypatch):
    from carepress.buildjob import LEAD, messages, unpack_head

    monkeypatch.chdir(project.root)
    job, pages, nav = _heads_job(project, article)
    inbox = [("files", pages, []), ("nav", nav, {})]
    stream = messages(job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None, lambda: LEAD)
    assert next(stream)[0] == "ready"
    assert [next(stream)[1].rel_path for _ in pages] == [rel for rel, _ in pages]
    # The navigation came in with the first page: the first page's head is
    # made and packed, and its citations are let go; the second's waits.
    assert list(job.made) == ["content/articles/one.md"] and list(job.waiting) == ["content/articles/two.md"]
    kept = job.results["content/articles/one.md"].document.meta
    assert "citations" not in kept and "revisions" not in kept and kept["approvals"]
    assert "citations" in job.results["content/articles/two.md"].document.meta
    assert unpack_head(job.made["content/articles/one.md"])[0].count('"@type":"MedicalWebPage"') == 1
    inbox.append(("post-build", project.root / "site", []))
    kinds = [m[0] for m in stream]
    assert kinds == ["images", "checked", "banner", "head", "head", "head", "heads-done", "social", "social-leaks",
                     "post-build"]


def test_a_job_behind_mkdocs_checks_pages_first_and_makes_heads_in_page_order(project, article, monkeypatch):
    from carepress.buildjob import messages, unpack_head

    monkeypatch.chdir(project.root)
    job, pages, nav = _heads_job(project, article)
    inbox = [("files", pages, []), ("nav", nav, {}), ("post-build", project.root / "site", [])]
    stream = messages(job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None, lambda: 0)
    assert [m[0] for m in itertools.islice(stream, 5)] == ["ready", "page", "page", "page", "images"]
    assert job.made == {} and len(job.waiting) == 3  # no head while MkDocs waits for pages
    out = list(stream)
    heads = [(m[1], unpack_head(m[2])) for m in out if m[0] == "head"]
    assert [rel for rel, _ in heads] == [rel for rel, _ in pages]
    assert all('"@type":"MedicalWebPage"' in head and lang == "en" for _, (head, lang, _) in heads)


def _site(root: Path) -> Path:
    site = root / "site"
    for rel, text in {
        "index.html": "<html><body><p>Welcome to Riverbend.</p></body></html>\n",
        "a/index.html": "<html><body>\n<p>Her MRN 00123456 is on the form.</p>\n</body></html>\n",
        "b/index.html": "<html><body><p>Nothing to see.</p></body></html>\n",
        "assets/widget.html": '<div onclick="go()">A theme file.</div>\n',
        "sitemap.xml": "<urlset><url><loc>https://health.riverbend-hospital.example/a/</loc></url></urlset>\n",
        "search/search_index.json": '{"docs": [{"location": "a/", "title": "A", "text": "Call (312) 555-0199."}]}',
    }.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    return site


def _one_pass(site: Path, default):
    from carepress.injection import scan_folder
    from carepress.phiscan import scan_output, search_index_findings

    return scan_output(site, "site", {}, default) + search_index_findings(site, {}, default) + scan_folder(site, "site")


def test_pages_read_as_they_are_written_give_the_findings_of_one_pass_over_the_finished_site(tmp_path, monkeypatch):
    """A page read early is read again only if it changed since; a page
    written later, or rewritten after MkDocs wrote it, is read at the end."""
    from carepress.buildjob import SiteScan
    from carepress.phi import PhiContext

    site = _site(tmp_path)
    default = PhiContext()
    reads: list[str] = []
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda path, *args, **kwargs:
                        reads.append(path.relative_to(site).as_posix()) or real_read(path, *args, **kwargs))
    early = SiteScan(site, {}, default)
    early.read("a/index.html")
    early.read("b/index.html")
    assert reads == ["a/index.html", "b/index.html"]  # each page read once, for both scans
    reads.clear()
    # Rewritten after it was read (another plugin, say), and a page written late.
    (site / "b/index.html").write_text('<html><body><p onmouseover="x()">Email jo.patient@gmail.example</p></body></html>\n')
    (site / "c/index.html").parent.mkdir()
    (site / "c/index.html").write_text("<html><body><p>Reach me at (773) 555-0142.</p></body></html>\n")
    found = early.findings()
    assert "a/index.html" not in reads
    assert reads == ["b/index.html", "c/index.html", "index.html", "sitemap.xml",  # PHI, in file order
                     "assets/widget.html", "b/index.html", "c/index.html", "index.html"]  # then script
    monkeypatch.undo()
    assert [f.as_dict() for f in found] == [f.as_dict() for f in _one_pass(site, default)]
    assert [(f.path, f.rule) for f in found] == [
        ("site/a/index.html", "phi.mrn"),
        ("site/b/index.html", "phi.email"),
        ("site/c/index.html", "phi.phone"),
        ("site/search/search_index.json (a/)", "phi.phone"),
        ("site/assets/widget.html", "html.injection"),
        ("site/b/index.html", "html.injection"),
    ]


def test_the_scan_reads_written_pages_while_it_waits_for_the_end_of_the_build(project, article, monkeypatch):
    from carepress.buildjob import SiteScan, messages

    monkeypatch.chdir(project.root)
    job, pages, nav = _heads_job(project, article)
    site = _site(project.root)
    read: list[str] = []
    monkeypatch.setattr(SiteScan, "read", lambda self, rel, real=SiteScan.read: read.append(rel) or real(self, rel))
    inbox = [("files", pages, []), ("nav", nav, {}), ("written", str(site), ("a/index.html",)),
             ("written", str(site), ("b/index.html",))]
    stream = messages(job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None, lambda: 0)
    assert [m[0] for m in itertools.takewhile(lambda m: m[0] != "social", stream)][-1] == "heads-done"
    assert read == []  # checking, heads and social posts come first
    inbox.append(("post-build", site, []))
    *_, last = list(stream)
    assert read == ["a/index.html", "b/index.html"]
    assert [(f.path, f.rule) for f in last[1]] == [
        ("site/a/index.html", "phi.mrn"), ("site/search/search_index.json (a/)", "phi.phone"),
        ("site/assets/widget.html", "html.injection")]


def test_written_pages_wait_for_the_scan_process_and_go_to_it_in_batches(project):
    from carepress.buildjob import WRITTEN_BATCH

    pipeline = Pipeline(BuildJob(_settings(project.root)), separate_process=False)
    pipeline.written("/site", "a/index.html")
    assert list(pipeline._pending) == [] and pipeline._written == []  # in one process: read at the end only

    class Helper(list):
        def send(self, *message):
            self.append(message)

    # A build: pages written before the scan process starts wait in this
    # process, then go to it in one message.
    pipeline.separate, pipeline._helper = True, Helper()
    pipeline._look = lambda: None
    uris = [f"p{n}/index.html" for n in range(2 * WRITTEN_BATCH + 3)]
    for uri in uris[:WRITTEN_BATCH + 1]:
        pipeline.written("/site", uri)
    assert pipeline._helper == [] and pipeline._written == uris[:WRITTEN_BATCH + 1]
    pipeline._scanning = "process"  # the scan process has started
    for uri in uris[WRITTEN_BATCH + 1:]:
        pipeline.written("/site", uri)
    assert pipeline._helper == [("written", "/site", tuple(uris[:2 * WRITTEN_BATCH]))]
    assert pipeline._written == uris[2 * WRITTEN_BATCH:]


def _scan_site(root: Path, pages: int) -> Path:
    site = _site(root)
    for n in range(pages):
        (site / f"p{n:02d}").mkdir()
        (site / f"p{n:02d}/index.html").write_text(f"<html><body><p>Part {n}.</p>\n<p>Call (312) 555-01{n:02d}.</p></body></html>\n")
    return site


def _social_dir(root: Path) -> Path:
    social = root / "social"
    social.mkdir(parents=True)
    (social / "calendar.html").write_text("<html><body>\n<p>Post for jo.patient@gmail.example</p>\n</body></html>\n")
    (social / "snippets.json").write_text('{"posts": [{"text": "MRN 00123456 seen"}]}\n')
    return social


def test_a_scan_process_reads_written_pages_and_ends_before_the_search_index_is_made(tmp_path, monkeypatch):
    """The checking process hands over a ScanJob; a fresh process reads the
    social files and each batch of written pages, hands back what it read
    once every page is written, and ends; this process reads only the rest.
    The findings are those of one pass over the finished site."""
    from carepress.buildjob import WRITTEN_BATCH, ScanJob
    from carepress.phi import PhiContext

    site = _scan_site(tmp_path, WRITTEN_BATCH + 4)
    scan = ScanJob({}, {}, PhiContext())
    expected_social = ScanJob({}, {}, PhiContext(), _social_dir(tmp_path / "again")).social_leaks()
    pipeline = Pipeline(BuildJob(_settings(tmp_path)), separate_process=False)
    pipeline.separate = True
    written = sorted(p.relative_to(site).as_posix() for p in site.glob("p*/index.html"))
    pipeline._scan_bytes = pickle.dumps(scan)  # as the checking process hands it over
    pipeline._posts_done(SocialOutcome((), 2, str(_social_dir(tmp_path))))  # the social process wrote them
    process = pipeline._helper.process
    try:
        assert pipeline._scanning == "process" and process.poll() is None
        for uri in written:
            pipeline.written(str(site), uri)
        pipeline.wait(lambda: pipeline.social_leaks is not None)
        assert [(f.path, f.rule, f.line) for f in pipeline.social_leaks] == [
            (f.path, f.rule, f.line) for f in expected_social] == [
            ("social/calendar.html", "phi.email", 2), ("social/snippets.json", "phi.mrn", 1)]
        pipeline.pages_written()
        assert pipeline._helper is None and process.wait(timeout=10) == 0  # gone before the search index
        reads: list[str] = []
        real_read = Path.read_text
        monkeypatch.setattr(Path, "read_text", lambda path, *args, **kwargs:
                            reads.append(path.relative_to(site).as_posix()) or real_read(path, *args, **kwargs))
        found = pipeline.finish(site, [])
        monkeypatch.undo()
    finally:
        pipeline.close()
    assert pipeline.read_early == len(written) == WRITTEN_BATCH + 4  # a batch, then the rest at the end
    # What the scan process read is not read again; the pages this test did
    # not report written (MkDocs reports every page but the last) are.
    assert reads == ["a/index.html", "b/index.html", "index.html", "sitemap.xml",  # PHI, in file order
                     "a/index.html", "assets/widget.html", "b/index.html", "index.html"]  # then script
    expected = [f for f in _one_pass(site, PhiContext()) if f.severity.name == "ERROR"]
    assert [f.as_dict() for f in found] == [f.as_dict() for f in expected]
    assert [f.path for f in found if f.rule == "phi.phone"][:2] == ["site/p00/index.html", "site/p01/index.html"]


def test_a_job_that_hands_over_after_the_last_page_is_written_is_scanned_here(tmp_path):
    """A small site: MkDocs wrote every page before the checking process was
    done, so no scan process is started; this process reads everything."""
    from carepress.buildjob import ScanJob
    from carepress.phi import PhiContext

    site = _scan_site(tmp_path, 3)
    pipeline = Pipeline(BuildJob(_settings(tmp_path)), separate_process=False)
    pipeline.separate, pipeline._pages_done = True, True
    pipeline._scan_bytes = pickle.dumps(ScanJob({}, {}, PhiContext()))
    pipeline._posts_done(SocialOutcome((), 2, str(_social_dir(tmp_path))))
    assert pipeline._helper is None and pipeline._scanning == "here"
    assert [(f.path, f.rule) for f in pipeline.social_leaks] == [("social/calendar.html", "phi.email"),
                                                                 ("social/snippets.json", "phi.mrn")]
    found = pipeline.finish(site, [])
    assert pipeline.read_early == 0
    assert [f.as_dict() for f in found] == [f.as_dict() for f in _one_pass(site, PhiContext())
                                            if f.severity.name == "ERROR"]


def test_a_scan_process_that_dies_fails_the_build_with_a_message(tmp_path):
    from carepress.buildjob import ScanJob
    from carepress.phi import PhiContext

    pipeline = Pipeline(BuildJob(_settings(tmp_path)), separate_process=False)
    pipeline.separate = True
    pipeline._handed_over(None, pickle.dumps(ScanJob({}, {}, PhiContext(), None)))
    try:
        pipeline._helper.process.kill()
        with pytest.raises(JobFailed, match="scan process stopped unexpectedly"):
            pipeline.pages_written()
    finally:
        pipeline.close()


def test_in_its_own_process_the_job_ends_once_every_head_is_made_and_fresh_processes_do_the_rest(
        project, article, monkeypatch):
    """The checking process hands over the social posts' job and the scan's
    and ends; a fresh process makes the same posts as the job makes in one
    process, then a scan process starts, and reads the social files."""
    from carepress.buildjob import PackedPages, ScanJob, SocialJob, SpillFile, messages
    from carepress.rules.phi import page_context

    monkeypatch.chdir(project.root)
    job, pages, nav = _heads_job(project, article)
    job.store = SpillFile()  # as in a build: the pages are kept in the file, not in the social job
    job.results, job.deferred = PackedPages(job.store), PackedPages(job.store)
    dests = {f"articles/{rel[17:-3]}/index.html": rel for rel, _ in pages}
    inbox = [("files", pages, []), ("nav", nav, dests)]
    out = list(messages(job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None, lambda: 0,
                        hand_over=True))
    assert [m[0] for m in out[-2:]] == ["heads-done", "hand-over"]
    packed, scan_bytes = out[-1][1:]
    social, scan = pickle.loads(packed)[1], pickle.loads(scan_bytes)  # passed on, as they are
    assert isinstance(social, SocialJob) and isinstance(scan, ScanJob) and scan.social_dir is None
    assert len(packed) < 20_000 and isinstance(social.pages, PackedPages) and social.pages.store.fd == job.store.fd
    assert sorted(social.pages) == sorted(rel for rel, _ in pages) and social.urls == {r: p.url for r, p in nav.items()}
    assert set(scan.contexts) == set(dests) and job.results == {}  # the checking process let its pages go
    story = read_file(pages[0][1], pages[0][0]).document
    assert scan.contexts["articles/one/index.html"] == page_context(story, job.policy)

    one_job, _, _ = _heads_job(project, article)
    inbox = [("files", pages, []), ("nav", nav, dests), ("post-build", project.root / "site", [])]
    in_one = {m[0]: m for m in messages(one_job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None)}

    pipeline = Pipeline(BuildJob(_settings(project.root)), separate_process=False)
    pipeline.separate, pipeline._store = True, job.store
    try:
        pipeline._handed_over(packed, scan_bytes)
        social_process = pipeline._helper.process
        pipeline.wait(lambda: pipeline.social is not None and pipeline.social_leaks is not None)
        assert social_process.wait(timeout=10) == 0  # the social process has ended
        assert pipeline._scanning == "process" and pipeline._helper.process is not social_process
        assert pipeline.social == in_one["social"][1] and pipeline.social.written > 0
        assert pipeline.social_leaks == in_one["social-leaks"][1] == []
        pipeline.pages_written()
        assert pipeline._helper is None
        assert pipeline.scan_job.social_dir == project.root / "social"
    finally:
        pipeline.close()
    with pytest.raises(OSError):
        os.fstat(job.store.fd)  # closed with the build


def test_packed_pages_give_back_what_was_put_in(project, article, monkeypatch):
    """The checking process keeps its pages packed: every message of the job
    is the same as with plain objects."""
    from carepress.buildjob import PackedPages, SpillFile, Store, messages, unpack_head

    monkeypatch.chdir(project.root)

    def run(store: Store | None) -> list:
        job, pages, nav = _heads_job(project, article)
        job.placeholder = "carepressblockTESTn"
        if store is not None:
            job.store = store
            job.results, job.deferred = PackedPages(store), PackedPages(store)
        inbox = [("files", pages, []), ("nav", nav, {}), ("post-build", project.root / "site", [])]
        out = list(messages(job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None, lambda: 0))
        return [(m[0], m[1], unpack_head(job.store.get(m[2]))) if m[0] == "head" else m for m in out]

    spill = SpillFile()
    try:
        plain, packed, spilled = run(None), run(Store()), run(spill)
        assert os.fstat(spill.fd).st_size > 3_000  # the pages and heads went to the file
    finally:
        spill.close()
    assert len(plain) == len(packed) and [m[0] for m in packed].count("head") == 3
    assert packed == plain == spilled
    pages = PackedPages()
    pages["a"], pages["b"] = {"x": [1, 2]}, None
    assert list(pages) == ["a", "b"] and "a" in pages and len(pages) == 2 and pages["a"] == {"x": [1, 2]}
    assert pages["a"] is not pages["a"]  # each read unpacks a copy
    del pages["a"]
    assert dict(pages) == {"b": None}


@pytest.mark.parametrize("own_process", [True, False], ids=["build", "preview"])
def test_a_job_in_its_own_process_lets_go_of_what_checking_keeps_once_every_page_is_checked(
        project, article, monkeypatch, own_process):
    """In its own short-lived process the job has no use for the table after
    the last page; in the MkDocs process (the preview) the next rebuild needs it."""
    from carepress import frontmatter
    from carepress.buildjob import messages
    from carepress.emit import references
    from carepress.readability import _syllable_table, measure
    from carepress.rules import source

    monkeypatch.chdir(project.root)
    job, pages, nav = _heads_job(project, article)
    job.own_process = own_process
    inbox = [("files", pages, []), ("nav", nav, {})]
    stream = messages(job, lambda: inbox.pop(0), lambda: inbox.pop(0) if inbox else None, lambda: 0)
    kinds = [m[0] for m in itertools.takewhile(lambda m: m[0] != "images", stream)]
    assert kinds[-1] == "page" and kinds.count("page") == 3
    # Let go once the last page is checked, before the heads: the table and
    # the memos of front-matter scalars, citations and source hosts.
    assert _syllable_table.cache_info().currsize == (0 if own_process else 1)
    memos = (len(frontmatter._SCALARS), len(references._PROBLEMS), source.host.cache_info().currsize)
    if own_process:
        assert memos == (0, 0, 0)
    else:
        assert all(memos), memos  # kept for the next rebuild
    assert measure("The heart pumps blood. It beats all day.").words == 8  # read again when asked


def test_a_build_reads_written_pages_early_and_still_finds_what_a_template_adds(project, article, tmp_path,
                                                                               monkeypatch):
    """A real build of 40 pages, with the scan in its own process: the
    findings name every page."""
    import json

    from test_build import mkdocs_build

    overrides = project.root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ super() }}<script>track()</script>{% endblock %}'
    )
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    for n in range(40):
        project.write(f"articles/p{n:02d}.md", article.replace("title: ", f"title: Part {n}, ", 1)
                      .replace("description: ", f"description: Part {n}. ", 1))
    timings = tmp_path / "timings.jsonl"
    monkeypatch.setenv("CAREPRESS_TIMINGS", str(timings))
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    flagged = {line.split(":")[0] for line in done.stderr.splitlines() if "[html.injection]" in line}
    assert {f"site/articles/p{n:02d}/index.html" for n in range(40)} <= flagged
    # Whether a scan process read the written pages (all but the last, read
    # at the end) depends on which of the two processes was first: if MkDocs
    # wrote every page before the checking process was done, none is started.
    assert json.loads(timings.read_text())["pages_read_early"] in (0, 40)


def test_a_scan_process_that_cannot_start_fails_the_build_with_a_message(tmp_path, monkeypatch):
    import sys

    from carepress.buildjob import ScanJob
    from carepress.phi import PhiContext

    pipeline = Pipeline(BuildJob(_settings(tmp_path)), separate_process=False)
    pipeline.separate = True
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises(JobFailed, match="scan process could not start"):
        pipeline._handed_over(None, pickle.dumps(ScanJob({}, {}, PhiContext(), None)))
    assert pipeline._helper is None


def test_a_scan_step_that_breaks_in_the_mkdocs_process_fails_the_build_naming_what_it_read(tmp_path, monkeypatch):
    from carepress.buildjob import ScanJob, SiteScan
    from carepress.phi import PhiContext

    site = _scan_site(tmp_path, 2)
    pipeline = Pipeline(BuildJob(_settings(tmp_path)), separate_process=False)
    pipeline.separate, pipeline._pages_done = True, True
    pipeline._handed_over(None, pickle.dumps(ScanJob({}, {}, PhiContext(), None)))

    def broken(self):
        raise RuntimeError("a scanner bug")

    monkeypatch.setattr(SiteScan, "findings", broken)
    with pytest.raises(JobFailed, match=r"(?s)failed on the post-build scan .*RuntimeError: a scanner bug"):
        pipeline.finish(site, [])


def test_a_social_process_that_breaks_fails_the_build_naming_the_social_posts(tmp_path, policy):
    from carepress.buildjob import ScanJob, SocialJob, _job_bytes
    from carepress.phi import PhiContext

    broken = SocialJob({"content/articles/a.md": None}, policy, NOW.date(), {}, "https://x.example/", tmp_path / "s")
    pipeline = Pipeline(BuildJob(_settings(tmp_path)), separate_process=False)
    pipeline.separate = True
    try:
        pipeline._handed_over(_job_bytes(broken), pickle.dumps(ScanJob({}, {}, PhiContext())))
        with pytest.raises(JobFailed, match=r"(?s)failed on the social posts .*Traceback"):
            pipeline.wait(lambda: pipeline.social is not None)
    finally:
        pipeline.close()
    assert not (tmp_path / "s").exists()  # nothing written


def test_a_pages_meta_goes_to_mkdocs_with_each_string_once(project, article, monkeypatch):
    """In its own process the job sends MkDocs' process each page's meta with
    every equal string one object, so it unpickles smaller; the meta is equal."""
    from carepress.buildjob import one_copy_each

    monkeypatch.chdir(project.root)
    job, pages, nav = _heads_job(project, article)
    plain = next(job.page_outputs(pages[:1])).meta
    job, _, _ = _heads_job(project, article)
    job.own_process = True
    shared = pickle.loads(pickle.dumps(next(job.page_outputs(pages[:1])).meta))
    assert shared == plain and isinstance(plain["citations"], list) and len(plain["citations"]) >= 2
    keys = [next(k for k in c if k == "id") for c in shared["citations"]]
    assert all(k is keys[0] for k in keys)  # one "id" for every citation
    assert len({id(k) for c in pickle.loads(pickle.dumps(plain))["citations"] for k in c if k == "id"}) > 1

    value = {"a": ["x", ("x", 1)], "b": {"x": "y"}}
    copy = one_copy_each(value, {})
    assert copy == value and copy["a"][0] is copy["a"][1][0] is next(iter(copy["b"]))
