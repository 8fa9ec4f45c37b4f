"""Everything carepress adds to a build, done beside MkDocs, page by page.

MkDocs reads and renders pages on one core. carepress's share of a build
(reading and checking every page, numbering citations, the review line and
references, JSON-LD and sharing tags, social snippets and the calendar, and
the post-build scan) is a ``BuildJob``. Under ``mkdocs build`` it runs in a
second process, forked before MkDocs lists its files (it makes the same list
itself, and MkDocs' own list wins), and streams its results back in MkDocs'
own page order, so the work overlaps the render and
the MkDocs process keeps none of it in memory. Under ``mkdocs serve`` it runs
in the same process, where the per-page result cache stays warm between
rebuilds and only changed pages are checked again.

The job's messages, in order (see ``messages``):

1. ``ready`` (the policy loaded) or ``policy-error``;
2. one ``page`` per page, the guessed pages first, the rest after MkDocs'
   list comes in (an incoming ``files``): its findings and the Markdown MkDocs renders
   (decorated, withheld, or, in the preview, shown under its findings);
3. ``images``: findings on image metadata; then ``checked``;
4. the alert ``banner``, one ``head`` per page (JSON-LD, sharing tags and
   the blocks the site search skips, packed), ``heads-done``;
5. in its own process the job ends here, with a ``hand-over``: a
   ``SocialJob`` and a ``ScanJob``, each run by a fresh process that imports
   only what it needs (see ``run_helper``). In one process it goes on:
6. ``social`` (the snippets and calendar, written only when they have no
   errors), ``social-leaks`` (what the social files hold), then, after
   MkDocs has written the site (an incoming ``post-build``), images
   stripped of metadata and the leak scan's findings. In a build the scan
   process reads each page MkDocs reports written until it has written them
   all, and MkDocs' process then reads the rest.

MkDocs sends its navigation (``nav``) right after its file list, before it
renders a page. The job looks for it between pages, and from then on makes
a page's head whenever it is at least ``LEAD`` pages ahead of MkDocs (else
it checks the next page, which MkDocs waits for); heads still due are made
after the last page, in MkDocs' order. A page's citations and revisions are
let go once its head is made, and every page once the social posts are. In
its own process the job keeps each checked page packed (``PackedPages``),
and the pages and heads in a temporary file (``SpillFile``), not in memory.

Memory: a build's processes run side by side, and MkDocs' process is at
its largest while it makes the search index, after the last page. So the
checking process holds no page it has checked (they are in the file), and
ends as soon as every head is made; MkDocs' process reads each head from the
file as it writes the page; the social posts are made by a process that
holds only what they need, and the scan process that comes after ends before
the search index is made.

This module imports no MkDocs; ``mkdocs_plugins`` adapts it to MkDocs' events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import pickle
import secrets
import sys
import traceback
import typing
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Finding, Severity

# MkDocs parses front matter again unless the source it gets has none; an
# empty YAML block also stops it reading MultiMarkdown-style "Key: value"
# lines at the top of the body as metadata.
EMPTY_FRONT_MATTER = "---\n{}\n---\n"


@dataclass(frozen=True)
class Settings:
    root: Path
    docs_dir: Path
    policy_dir: Path
    today: dt.date
    now: dt.datetime
    site_url: str
    site_name: str
    lang: str
    social_dir: Path
    serving: bool = False
    heads: bool = True  # carepress/schema is on
    social: bool = True  # carepress/social is on


@dataclass(frozen=True)
class PageOut:
    """One page, as the MkDocs process needs it."""

    rel_path: str
    findings: tuple[Finding, ...]
    withheld: str = ""
    source: str | None = None  # what MkDocs reads (None: the file itself)
    meta: dict[str, Any] | None = None  # page.meta (None: leave MkDocs' own)
    blocks: tuple[tuple[str, str], ...] = ()  # HTML for right after Markdown (emit.page.fill_blocks)
    later: tuple[str, ...] = ()  # placeholders of the blocks that come with the page's head
    citations: tuple[tuple[str, str], ...] = ()  # (word, superscript), put in after the site search

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


@dataclass(frozen=True)
class NavPage:
    """What the navigation says about a page: its address and its trail."""

    url: str  # absolute
    trail: tuple[tuple[str, str], ...]  # (title, absolute url) from the home page, without the page itself
    is_homepage: bool = False


@dataclass(frozen=True)
class SocialOutcome:
    findings: tuple[Finding, ...]
    written: int  # files written (0 when errors kept them back); read for PHI and script by the ScanJob
    target: str


class PolicyFailed(Exception):
    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__("the policy could not be loaded")
        self.findings = tuple(findings)


class JobFailed(Exception):
    """The job itself broke (a carepress bug, or the process was killed)."""


class Store:
    """Where the job keeps what it has packed until a step reads it: here,
    in memory (the preview, one process). A reference is the bytes themselves."""

    def put(self, data: bytes) -> Any:
        return data

    def get(self, ref: Any) -> bytes:
        return ref  # type: ignore[no-any-return]

    def fds(self) -> tuple[int, ...]:
        """What a fresh process that reads this store must be given."""
        return ()

    def close(self) -> None:
        pass


class SpillFile(Store):
    """What the job has packed (checked pages, heads), kept in a temporary
    file instead of in any process's memory; a reference is an (offset,
    length) pair.

    The MkDocs process makes it before it forks the checking process, which
    alone writes to it. MkDocs' process reads each head from it as it writes
    the page, and the social process, given the descriptor, reads the pages.
    The file has no name, so it is gone once the last of them closes it, even
    after a crash. At 2,000 pages it holds about 10 MB."""

    def __init__(self, fd: int | None = None) -> None:
        if fd is None:
            import tempfile

            try:
                with tempfile.TemporaryFile() as handle:  # unnamed where the system allows (Linux: O_TMPFILE)
                    fd = os.dup(handle.fileno())
            except OSError as exc:
                raise SpillFailed(exc) from None
        self.fd = fd
        self._end = 0

    def put(self, data: bytes) -> tuple[int, int]:
        offset, view = self._end, memoryview(data)
        try:
            while view:
                written = os.pwrite(self.fd, view, self._end)
                view, self._end = view[written:], self._end + written
        except OSError as exc:
            raise SpillFailed(exc) from None
        return offset, len(data)

    def get(self, ref: Any) -> bytes:
        offset, length = ref
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise JobFailed("the carepress build's temporary file was cut short; nothing was published")
        return data

    def fds(self) -> tuple[int, ...]:
        return (self.fd,)

    def close(self) -> None:
        import contextlib

        with contextlib.suppress(OSError):
            os.close(self.fd)

    def __getstate__(self) -> dict[str, int]:
        return {"fd": self.fd}  # a reader in another process, by the same descriptor

    def __setstate__(self, state: dict[str, int]) -> None:
        self.fd, self._end = state["fd"], 0


class SpillFailed(JobFailed):
    """The temporary file could not be made or written (a full disk, most often)."""

    def __init__(self, exc: OSError) -> None:
        import tempfile

        super().__init__(
            f"the build's temporary file could not be written in {tempfile.gettempdir()} ({exc.strerror or exc}); "
            "nothing was published. Free some space there, or set TMPDIR to a folder with room, and build again.")


_LAST_POLICY: Any = None  # kept across `mkdocs serve` rebuilds while its files are unchanged


@dataclass
class BuildJob:
    settings: Settings
    # What MkDocs' file list will be, asked before MkDocs makes it, so the
    # job can start a little earlier (None: wait for the list).
    guess: Callable[[], list[tuple[str, Path]]] | None = None
    pages: list[tuple[str, Path]] = field(default_factory=list)  # (rel_path, path), in MkDocs' page order
    images: list[Path] = field(default_factory=list)
    policy: Any = None
    results: MutableMapping[str, Any] = field(default_factory=dict)  # rel_path -> slim PageResult (see PackedPages)
    dest_uris: dict[str, str] = field(default_factory=dict)  # dest_uri -> rel_path, from the MkDocs process
    deferred: MutableMapping[str, Any] = field(default_factory=dict)  # rel_path -> blocks made with the head
    nav: Mapping[str, NavPage] | None = None  # from the MkDocs process, soon after its file list
    waiting: dict[str, None] = field(default_factory=dict)  # checked pages whose head is not made yet, in order
    made: dict[str, Any] = field(default_factory=dict)  # rel_path -> its head, packed (see pack), in the store
    store: Store = field(default_factory=Store)  # where packed heads (and, in a build, pages) are kept
    # rel_path -> the page's PHI context and the text a privacy reviewer
    # cleared on it, taken when its head is made (see scan_job)
    leak_contexts: dict[str, tuple[Any, set[str]]] = field(default_factory=dict)
    # In its own short-lived process the job sets what it keeps aside from the
    # collector (see _settle); in the MkDocs process it must not.
    own_process: bool = False
    current: str = ""  # what the job is working on, for the message if it breaks
    # Where decorate() leaves each HTML block: a word no author can guess.
    placeholder: str = field(default_factory=lambda: f"carepressblock{secrets.token_hex(8)}n")

    # -- 1. policy ------------------------------------------------------------
    def start(self) -> dict[str, str]:
        global _LAST_POLICY
        from .policy import PolicyError, load_policy

        try:
            policy = load_policy(self.settings.policy_dir, display_root=self.settings.root)
        except PolicyError as exc:
            raise PolicyFailed(exc.findings) from None
        if _LAST_POLICY is not None and _LAST_POLICY.digest == policy.digest:
            policy = _LAST_POLICY  # unchanged files: keep the object the result cache knows
        self.policy = _LAST_POLICY = policy
        return {"disclaimer": html.escape(str(policy.hospital.get("disclaimer", "")))}

    # -- 2. pages -------------------------------------------------------------
    def page_outputs(self, pages: Sequence[tuple[str, Path]]) -> Iterator[PageOut]:
        from .checker import bulk_allocation, check_pages, slim
        from .frontmatter import read_file

        s = self.settings
        with bulk_allocation():
            for rel, path in pages:
                if rel in self.results:
                    continue  # done from the guess
                self.current = rel
                result = check_pages({rel: read_file(path, rel)}, self.policy, s.today, "build", s.lang, s.site_url,
                                     remember=s.serving)
                page = result.pages[rel]
                yield self._output(page, path)
                self.results[rel] = slim(page, _later_positions)
                self.waiting[rel] = None
                if len(self.results) % 128 == 0:
                    self._settle()

    def _output(self, page: Any, path: Path) -> PageOut:
        from .emit.page import decorate, preview_banner, withheld_markdown
        from .rules import CONTENT_TYPES

        s = self.settings
        doc = page.document
        findings = page.findings
        if s.serving and (doc is None or not page.valid):
            # The page could not be read: show why, then its raw text.
            source = doc.source if doc is not None else path.read_text(encoding="utf-8", errors="replace")
            fence = "~" * 8
            text = preview_banner(findings) + f"\n{fence}\n{source}\n{fence}\n"
            return PageOut(page.rel_path, findings, source=EMPTY_FRONT_MATTER + text)
        if doc is None:
            return PageOut(page.rel_path, findings)
        meta: dict[str, Any] = dict(doc.meta)
        # Material writes the description (and, in the navigation, the title)
        # into every page unescaped; what reaches its templates is escaped.
        for key, quote in (("description", True), ("title", False)):
            if isinstance(meta.get(key), str):
                meta[key] = html.escape(meta[key], quote=quote)
        if doc.type == "alert":
            # 'template' names the alert template, not a MkDocs page template.
            meta["alert_template"] = meta.pop("template", None)
        if self.own_process:
            # Sent to MkDocs' process, which keeps every page's meta until
            # the build ends: a quarter smaller with each string once.
            meta = one_copy_each(meta, {})
        withheld = page.withheld
        if withheld and not s.serving:
            # Out of search and out of search engines until it is reviewed.
            meta.update(search={"exclude": True}, robots="noindex", carepress_withheld=True)
            return PageOut(page.rel_path, findings, withheld,
                           EMPTY_FRONT_MATTER + withheld_markdown(doc, self.policy), meta)
        markdown, blocks, citations, later = doc.body, (), (), ()
        if doc.type in CONTENT_TYPES and not page.errors:
            # A page with errors never reaches a build; in the preview it is
            # shown plainly under its findings, not decorated from bad data.
            decorated = decorate(doc, self.policy, markdown, s.now, placeholder=self.placeholder)
            markdown, blocks, citations = decorated.markdown, decorated.blocks, decorated.citations
            later = tuple(token for token, _ in decorated.deferred)
            if decorated.deferred:
                self.deferred[page.rel_path] = decorated.deferred
        if s.serving and findings:
            markdown = preview_banner(findings) + markdown
        return PageOut(page.rel_path, findings, withheld, EMPTY_FRONT_MATTER + markdown, meta, blocks, later, citations)

    def _settle(self) -> None:
        """Keep what the job has kept so far out of later collections.

        The results grow to millions of small objects that live until the
        job ends; each full collection would walk them all (a tenth of a
        second at 2,000 pages, stalling the page MkDocs waits for)."""
        if self.own_process:
            import gc

            gc.freeze()

    def image_findings(self) -> list[Finding]:
        from .checker import check_images

        found = check_images(self.settings.root, self.images)
        self.results.update(found)
        return [f for page in found.values() for f in page.findings]

    # -- 4. after the navigation ---------------------------------------------
    def banner(self) -> str:
        from .emit.meta import active_alerts_banner

        assert self.nav is not None
        return active_alerts_banner(self.results, self.policy, self.settings.now,
                                    {rel: p.url for rel, p in self.nav.items()})

    def make_head(self, rel: str) -> None:
        """Make a page's head, if it is waiting for one.

        A head is made once its page is checked and the navigation is known
        (MkDocs sends it before it renders the first page), and kept packed
        until MkDocs writes the page. The page's citations and revisions are
        then dropped: nothing after the head reads them. So the job holds the
        front matter of the pages waiting for a head, not the site's."""
        if rel not in self.waiting:
            return
        del self.waiting[rel]
        self.current = rel
        page = self.results.get(rel)
        made = self._head(rel, page)
        if made is not None:
            self.made[rel] = self.store.put(pack(made))
        if page is not None and page.document is not None:
            if page.valid:  # a page that failed its schema is read in the general context
                self.leak_contexts[rel] = self._leak_context(page.document)
            self.results[rel] = _without_head_fields(page)

    def _leak_context(self, doc: Any) -> tuple[Any, set[str]]:
        from .checker import suppressions_of
        from .rules.phi import page_context

        cleared = {s.text for s in suppressions_of(doc) if s.rule.startswith("phi.") and s.text}
        return page_context(doc, self.policy), cleared

    def _head(self, rel: str, page: Any) -> tuple[str | None, str, tuple[tuple[str, str], ...]] | None:
        """(the tags for <head> (None when carepress/schema is off), the
        page's language, the HTML blocks made for when the page is written)."""
        from .emit.jsonld import PageInfo, build_graph, script_tag
        from .emit.meta import image_for, meta_tags
        from .emit.page import make_blocks
        from .model import parse_date
        from .rules import CONTENT_TYPES

        s = self.settings
        assert self.nav is not None
        where = self.nav.get(rel)
        late = make_blocks(self.deferred.pop(rel, ()))
        if page is None or where is None or page.document is None or not page.valid or page.errors:
            # Only checked pages get structured data (the preview shows the rest).
            return (None, s.lang, late) if late else None
        doc = page.document
        lang = str(doc.meta.get("lang") or s.lang)
        if not s.heads:
            return None, lang, late
        crumbs = [(s.site_name, s.site_url), *where.trail]
        if not where.is_homepage:
            crumbs.append((doc.title, where.url))
        image = image_for(doc, self.policy, where.url, s.site_url)
        last = parse_date(doc.meta.get("last_reviewed")) or s.today
        modified = dt.datetime.combine(last, dt.time(0), tzinfo=_tz(self.policy)).isoformat()
        head = []
        if doc.type in CONTENT_TYPES and not page.withheld:
            info = PageInfo(url=where.url, breadcrumbs=tuple(crumbs), lang=lang, image=image, modified=modified)
            head.append(script_tag(build_graph(doc, self.policy, info)))
        head.append(meta_tags(doc, where.url, image, s.site_name, withheld=bool(page.withheld)))
        return "\n".join(head), lang, late

    def social_job(self) -> SocialJob:
        """What the social posts are made from: every checked page (packed,
        in the job's own process), the policy and each page's address."""
        s, nav = self.settings, self.nav
        assert nav is not None
        target = Path(os.environ.get("CAREPRESS_SOCIAL_DIR") or s.social_dir)
        urls = {rel: nav[rel].url for rel in self.results if rel in nav}
        return SocialJob(self.results, self.policy, s.today, urls, s.site_url, target)

    # -- 5. what reads what was published -------------------------------------
    def scan_job(self, social_dir: Path | None) -> ScanJob:
        """What the rest of the build needs of the pages: each page's PHI
        context and the text a privacy reviewer cleared on it, per output
        file (taken as each head was made). The pages themselves are let go."""
        from .rules.phi import base_context

        contexts: dict[str, Any] = {}
        cleared: dict[str, set[str]] = {}
        for dest, rel in self.dest_uris.items():
            if rel in self.leak_contexts:
                contexts[dest], cleared[dest] = self.leak_contexts[rel]
        self.leak_contexts = {}
        default = dataclasses.replace(base_context(self.policy), patient_context=False)
        self.results = {}  # let go here (a SocialJob may hold them)
        self._give_back()
        return ScanJob(contexts, cleared, default, social_dir)

    def done_checking(self) -> None:
        """Every page is checked: in its own process, the job lets go of what
        only checking needs (checker.release) and returns the checked pages'
        text to the system, before the heads and the social posts."""
        if self.own_process:
            from .checker import release

            release()
        self._give_back()

    def _give_back(self) -> None:
        """Return the memory freed so far to the system (glibc keeps freed
        heap for reuse: after 2,000 pages, about 16 MB). Only in the job's own
        process, which has no further use for it."""
        if not self.own_process:
            return
        import contextlib
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to ask
            ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass
class SocialJob:
    """The social posts: snippets, the calendar and the CSV layouts, written
    only when they have no errors. Under ``mkdocs build`` this runs in a
    fresh process (``run_helper``) once the checking process has ended: its
    code and pages are what the posts need, not what checking needed."""

    pages: Mapping[str, Any]  # rel_path -> checked page (PackedPages in a build)
    policy: Any
    today: dt.date
    urls: dict[str, str]  # rel_path -> the page's address
    site_url: str
    target: Path
    current: str = "the social posts"

    def run(self) -> SocialOutcome:
        from .emit.social_outputs import social_files, write_files

        urls, site_url = self.urls, self.site_url
        run = social_files(self.pages, self.policy, self.today, lambda doc: urls.get(doc.rel_path, site_url))
        findings = tuple(run.findings)
        if any(f.severity is Severity.ERROR for f in findings):
            return SocialOutcome(findings, 0, str(self.target))  # nothing written until fixed
        write_files(run.files, self.target)
        return SocialOutcome(findings, len(run.files), str(self.target))


@dataclass
class ScanJob:
    """Everything published, read for PHI and script: the social files, then
    the site, each page as soon as MkDocs has written it (see SiteScan).

    Under ``mkdocs build`` this runs in a fresh process (``run_helper``),
    started when the social posts are written: one that imports only the
    scanners is a fraction of the size of the processes before it while
    MkDocs writes the last pages and its search index."""

    contexts: dict[str, Any]  # output file -> its page's PHI context
    cleared: dict[str, set[str]]  # output file -> the text a privacy reviewer cleared on its page
    default: Any  # the PHI context of everything else
    social_dir: Path | None = None  # the social files, when they were written
    early: SiteScan | None = None
    read_early: int = 0  # pages read while MkDocs rendered the rest
    current: str = ""  # what the scan is reading, for the message if it breaks

    def social_leaks(self) -> list[Finding]:
        """Each post was scanned in its own page's context when it was made
        (social.phi); this pass catches what the writers and templates add."""
        if self.social_dir is None:
            return []
        from .injection import scan_folder
        from .phiscan import scan_output

        self.current = "the scan of the social posts"
        return self._errors(scan_output(self.social_dir, "social", {}, self.default, share=False)
                            + scan_folder(self.social_dir, "social"))

    def written(self, site_dir: str, dest_uris: Sequence[str]) -> None:
        """MkDocs has written these pages: read them now, while it renders the rest."""
        if self.early is None or self.early.site_dir != Path(site_dir):
            self.early = SiteScan(Path(site_dir), self.contexts, self.default)
        for dest_uri in dest_uris:
            self.current = f"the post-build scan of {dest_uri}"
            self.early.read(dest_uri)

    def post_build(self, site_dir: Path, images: Sequence[Path]) -> list[Finding]:
        """Strip image metadata, then read everything published (what was not read yet)."""
        from .images import strip_in_place

        self.current = "the post-build scan"
        for image in images:
            strip_in_place(image)  # every published image is written as pixels only
        early = self.early if self.early is not None and self.early.site_dir == site_dir else None
        self.read_early = len(early.done) if early is not None else 0
        self.early = None
        return self._errors((early or SiteScan(site_dir, self.contexts, self.default)).findings())

    def _errors(self, findings: list[Finding]) -> list[Finding]:
        """Errors in what was published: PHI, in each page's own context, and
        script that neither the theme nor carepress put there.

        Text a privacy reviewer cleared with a suppression on its page stays
        cleared in that page's output; warnings were already reported on the
        page itself, so only errors are returned here.
        """
        out = []
        for f in findings:
            if f.severity is not Severity.ERROR:
                continue
            dest = f.path.removeprefix("site/")
            if any(text in f.message for text in self.cleared.get(dest, ())):
                continue
            out.append(f)
        return out


class SiteScan:
    """The post-build scan of a site (PHI, the search index, script), file by file.

    Under ``mkdocs build`` the job reads each page as soon as MkDocs has
    written it, while MkDocs renders the rest. At the end every file of the
    site is listed again, and a file is read again only if it is new or its
    size or modification time changed since (a plugin may rewrite pages after
    the build), so the findings, and their order, are those of one pass over
    the finished site."""

    def __init__(self, site_dir: Path, contexts: Mapping[str, Any], default: Any) -> None:
        from .phiscan import ChunkCache

        self.site_dir, self.contexts, self.default = site_dir, contexts, default
        self.cache = ChunkCache()  # shared by every page: they repeat their navigation
        self.done: dict[str, tuple[tuple[int, int], list[Finding], list[Finding]]] = {}

    def _stamp(self, rel: str) -> tuple[int, int] | None:
        try:
            stat = (self.site_dir / rel).stat()
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def read(self, rel: str) -> None:
        """Read one written page, once, for both scans (a page is an output and a markup file)."""
        from .injection import scan_markup
        from .phiscan import scan_html

        stamp = self._stamp(rel)
        if stamp is None or not rel.endswith(".html"):
            return
        text = (self.site_dir / rel).read_text(encoding="utf-8", errors="replace")
        shown = f"site/{rel}"
        self.done[rel] = (stamp, scan_html(text, shown, self.contexts.get(rel, self.default), self.default, self.cache),
                          scan_markup(text, shown))

    def _phi(self, rel: str) -> list[Finding]:
        from .phiscan import scan_output_file

        return scan_output_file(self.site_dir / rel, f"site/{rel}", self.contexts.get(rel, self.default),
                                self.default, self.cache)

    def _markup(self, rel: str) -> list[Finding]:
        from .injection import scan_file

        return scan_file(self.site_dir / rel, f"site/{rel}")

    def _earlier(self, rel: str, which: int) -> list[Finding] | None:
        done = self.done.get(rel)
        return done[which] if done is not None and done[0] == self._stamp(rel) else None  # type: ignore[return-value]

    def findings(self) -> list[Finding]:
        """Every file's findings, as scan_output, then the search index, then scan_folder give them."""
        from .injection import markup_files
        from .phiscan import output_files, search_index_findings

        findings: list[Finding] = []
        for rel in output_files(self.site_dir):
            earlier = self._earlier(rel, 1)
            findings += earlier if earlier is not None else self._phi(rel)
        findings += search_index_findings(self.site_dir, self.contexts, self.default)
        for rel in markup_files(self.site_dir):
            earlier = self._earlier(rel, 2)
            findings += earlier if earlier is not None else self._markup(rel)
        return findings


def one_copy_each(value: Any, strings: dict[str, str]) -> Any:
    """``value`` with every equal string in it one object. Pickle writes an
    object it has written once as a reference, so a page's meta, which
    repeats its keys in every citation and revision, unpickles a quarter
    smaller (about 15 KB a page to 11)."""
    if isinstance(value, str):
        return strings.setdefault(value, value)
    if isinstance(value, dict):
        return {one_copy_each(k, strings): one_copy_each(v, strings) for k, v in value.items()}
    if isinstance(value, list):
        return [one_copy_each(v, strings) for v in value]
    if isinstance(value, tuple):
        return tuple(one_copy_each(v, strings) for v in value)
    return value


def pack(value: Any) -> bytes:
    """A value kept small until it is needed (a head: a quarter of its size;
    a checked page: a tenth of its objects' size)."""
    return zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)


def unpack(packed: bytes) -> Any:
    return pickle.loads(zlib.decompress(packed))  # noqa: S301 - made by this build's own job


def unpack_head(packed: bytes) -> tuple[str | None, str, tuple[tuple[str, str], ...]]:
    """A page's head (see BuildJob._head), as ``pack`` kept it."""
    return unpack(packed)  # type: ignore[no-any-return]


# What only a page's own HTML and head are made from; the social posts, the
# calendar, the alert banner and the post-build scan never read them.
_HEAD_ONLY_FIELDS = ("citations", "revisions")


def _without_head_fields(page: Any) -> Any:
    doc = page.document
    if not any(key in doc.meta for key in _HEAD_ONLY_FIELDS):
        return page
    meta = {key: value for key, value in doc.meta.items() if key not in _HEAD_ONLY_FIELDS}
    return dataclasses.replace(page, document=dataclasses.replace(doc, meta=meta))


def _tz(policy: Any) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(str(policy.hospital.get("timezone", "UTC")))


def _later_positions(path: tuple[Any, ...]) -> bool:
    """The positions later steps can point at: top-level fields and the social block."""
    return len(path) <= 1 or path[0] == "social"


class _Mail:
    """What the MkDocs process sends, in its order: ``files``, ``nav``,
    ``post-build`` (to the scan process: ``pages-done``). The job looks
    between pages without waiting, so that it can make heads as soon as the
    navigation is there."""

    def __init__(self, receive: Callable[[], tuple[Any, ...]], poll: Callable[[], tuple[Any, ...] | None],
                 order: tuple[str, ...] = ("files", "nav", "post-build")) -> None:
        self._receive, self._poll, self._order = receive, poll, order
        self._got: dict[str, tuple[Any, ...]] = {}
        self.written: deque[tuple[Any, ...]] = deque()  # pages MkDocs has written, any time after ``nav``

    def _take(self, message: tuple[Any, ...]) -> None:
        if message[0] == "written":
            self.written.append(message[1:])
            return
        expected = self._order[len(self._got)] if len(self._got) < len(self._order) else "nothing"
        if message[0] != expected:
            raise JobFailed(f"expected {expected!r} from the MkDocs process, got {message[0]!r}")
        self._got[message[0]] = message

    def peek(self, kind: str) -> tuple[Any, ...] | None:
        """The message if it has come, without waiting."""
        while kind not in self._got and (message := self._poll()) is not None:
            self._take(message)
        return self._got.get(kind)

    def wait(self, kind: str, meanwhile: Callable[..., None] | None = None) -> tuple[Any, ...]:
        """The message, once it has come; ``meanwhile`` is given each written page until then."""
        while kind not in self._got:
            if meanwhile is not None and self.written:
                meanwhile(*self.written.popleft())
                continue
            self._take(self._receive())
        return self._got[kind]


# How many written pages the MkDocs process reports to the job at a time.
WRITTEN_BATCH = 32

# How many pages the job must be ahead of MkDocs before it spends time on
# heads, which MkDocs needs only once every page is rendered. Behind, it
# checks the next page, which MkDocs is waiting for.
LEAD = 8


def messages(job: BuildJob, receive: Callable[[], tuple[Any, ...]],
             poll: Callable[[], tuple[Any, ...] | None] = lambda: None,
             ahead: Callable[[], int] = lambda: LEAD, hand_over: bool = False) -> Iterator[tuple[Any, ...]]:
    """The job from start to end, as the messages the MkDocs process reads
    (``ahead``: how many it has not read yet). With ``hand_over`` the job
    ends once every head is made, with a ``hand-over`` message: the SocialJob
    and the ScanJob, for fresh processes to run (see ``run_helper``)."""
    try:
        ready = job.start()
    except PolicyFailed as exc:
        yield ("policy-error", exc.findings)
        return
    yield ("ready", ready)
    mail = _Mail(receive, poll)

    def look_for_nav() -> None:
        if job.nav is None and (got := mail.peek("nav")) is not None:
            _, job.nav, job.dest_uris = got
        while job.nav is not None and job.waiting and ahead() >= LEAD:
            job.make_head(next(iter(job.waiting)))  # the oldest first

    guessed = job.guess() if job.guess is not None else []
    for out in job.page_outputs(guessed):
        yield ("page", out)
        if mail.peek("files") is not None:
            look_for_nav()
    _, job.pages, job.images = mail.wait("files")
    for out in job.page_outputs(job.pages):
        yield ("page", out)
        look_for_nav()
    listed = {rel for rel, _ in job.pages}
    for rel in [rel for rel in job.results if rel not in listed]:
        del job.results[rel]  # guessed, but not in MkDocs' list after all
        job.deferred.pop(rel, None)
        job.made.pop(rel, None)
    job.waiting = {rel: None for rel in job.waiting if rel in listed}
    job.done_checking()
    yield ("images", job.image_findings())
    yield ("checked",)
    if job.nav is None:
        _, job.nav, job.dest_uris = mail.wait("nav")
    yield ("banner", job.banner() if job.settings.heads else "")
    for rel, _ in job.pages:  # in the order MkDocs writes the pages
        job.make_head(rel)
        if (packed := job.made.pop(rel, None)) is not None:
            yield ("head", rel, packed)
    yield ("heads-done",)
    social = job.social_job() if job.settings.social else None
    scan = job.scan_job(None)
    if hand_over:
        # Pickled here: the MkDocs process passes the social job on as it
        # is, and reads the scan job only for what is left at the end.
        yield ("hand-over", _job_bytes(social) if social is not None else None,
               pickle.dumps(scan, pickle.HIGHEST_PROTOCOL))
        return
    if social is not None:
        job.current = social.current
        outcome = social.run()
        yield ("social", outcome)
        scan.social_dir = Path(outcome.target) if outcome.written else None
    yield from scan_messages(scan, mail)


def scan_messages(scan: ScanJob, mail: _Mail) -> Iterator[tuple[Any, ...]]:
    """The scan from start to end: the social files' findings, then, once
    MkDocs has written the site (reading each page it reports written while
    it waits), the site's."""
    yield ("social-leaks", scan.social_leaks())
    _, site_dir, images = mail.wait("post-build", meanwhile=scan.written)
    yield ("post-build", scan.post_build(site_dir, images), scan.read_early)


def _scan_process_messages(scan: ScanJob, mail: _Mail) -> Iterator[tuple[Any, ...]]:
    """The scan process from start to end: the social files' findings, then
    each page MkDocs reports written, until it has written them all; then
    what it read goes back, and the MkDocs process reads the rest (the
    search index, the sitemap) itself, after it has let this process go."""
    yield ("social-leaks", scan.social_leaks())
    mail.wait("pages-done", meanwhile=scan.written)
    early = scan.early
    yield ("scanned", (str(early.site_dir), early.done) if early is not None else None)


class PackedPages(MutableMapping[str, Any]):
    """Checked pages, each kept pickled and compressed until a step reads it.

    The checking process holds every checked page, and what its reference
    list and history are made from, from its check until its head is made,
    which is after the last page is checked: as objects, about 20 KB a page
    (40 MB at 2,000 pages); packed, about 2 KB, which a build keeps in its
    SpillFile, not in memory. Packing costs about a twentieth of a page's
    check, and each read unpacks a copy."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self._packed: dict[str, Any] = {}  # rel_path -> its reference in the store

    def __getitem__(self, rel: str) -> Any:
        return unpack(self.store.get(self._packed[rel]))

    def __setitem__(self, rel: str, page: Any) -> None:
        self._packed[rel] = self.store.put(pack(page))

    def __delitem__(self, rel: str) -> None:
        del self._packed[rel]

    def __contains__(self, rel: object) -> bool:
        return rel in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


def _run_in_child(job: BuildJob, outbox: Any, inbox: Any) -> None:
    """The second process: every message goes out as soon as it is made."""
    import gc

    # What the MkDocs process made before the fork is never collected here,
    # so its memory pages stay shared instead of being copied on a scan.
    gc.freeze()
    job.own_process = True
    job.results, job.deferred = PackedPages(job.store), PackedPages(job.store)
    try:
        for message in messages(job, inbox.get, lambda: _nowait(inbox), lambda: _unread(outbox), hand_over=True):
            outbox.put(message)
    except SpillFailed as exc:
        outbox.put(("failed", str(exc)))
    except BaseException:  # noqa: BLE001 - reported to the MkDocs process, which fails the build
        outbox.put(("crash", job.current, traceback.format_exc()))
    finally:
        outbox.close()
        outbox.join_thread()


# A helper process's whole program (see _Helper): it imports what its job
# needs, and nothing of MkDocs.
_HELPER_PROGRAM = "import sys; from carepress.buildjob import run_helper; run_helper(int(sys.argv[1]), int(sys.argv[2]))"


def run_helper(read_fd: int, write_fd: int) -> None:
    """A helper process: its job comes first, a SocialJob or a ScanJob. The
    social posts go back and the process ends; a scan then reads the pages
    MkDocs has written until the word that it has written them all, and
    what it read goes back (``_scan_process_messages``).

    A thread takes every message off the pipe as it comes, so the MkDocs
    process never waits for the helper to read."""
    import contextlib
    import queue
    import threading
    from multiprocessing.connection import Connection

    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    box: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()

    def pump() -> None:
        try:
            while True:
                box.put(inbox.recv())
        except (EOFError, OSError):
            box.put(("closed",))  # the MkDocs process has gone: the helper fails on it and ends

    def poll() -> tuple[Any, ...] | None:
        try:
            return box.get_nowait()
        except queue.Empty:
            return None

    threading.Thread(target=pump, name="carepress-helper-inbox", daemon=True).start()
    job: SocialJob | ScanJob | None = None
    try:
        first = box.get()  # ('job', a SocialJob), ('scan', a ScanJob's bytes, the social files), or ('closed',)
        job = _scan_job_of(first[1], first[2]) if first[0] == "scan" else first[1] if len(first) > 1 else None
        if isinstance(job, SocialJob):
            outbox.send(("social", job.run()))
        elif isinstance(job, ScanJob):
            for message in _scan_process_messages(job, _Mail(box.get, poll, order=("pages-done",))):
                outbox.send(message)
    except BaseException:  # noqa: BLE001 - reported to the MkDocs process, which fails the build
        with contextlib.suppress(OSError):
            outbox.send(("crash", job.current if job is not None else "", traceback.format_exc()))
    finally:
        outbox.close()


def _job_bytes(job: SocialJob) -> bytes:
    """The social process's first message, as the bytes it reads (see run_helper)."""
    return pickle.dumps(("job", job), pickle.HIGHEST_PROTOCOL)


def _scan_start(scan: bytes, social_dir: Path | None) -> bytes:
    """The scan process's first message: the scan job as the checking process
    packed it, and where the social files are (see _scan_job_of)."""
    return pickle.dumps(("scan", scan, str(social_dir) if social_dir else None), pickle.HIGHEST_PROTOCOL)


def _scan_job_of(packed: bytes, social_dir: str | Path | None) -> ScanJob:
    """The scan job the checking process handed over, with where the social files are."""
    scan: ScanJob = pickle.loads(packed)  # noqa: S301 - made by this build's own job
    scan.social_dir = Path(social_dir) if social_dir is not None else None
    return scan


class _Helper:
    """A fresh process that runs one job for the MkDocs process (see
    run_helper), over two pipes."""

    def __init__(self, name: str, job: bytes, fds: tuple[int, ...] = ()) -> None:
        import subprocess
        from multiprocessing.connection import Connection

        self.name = name
        to_helper, from_helper = os.pipe(), os.pipe()
        here = str(Path(__file__).resolve().parent.parent)  # where the carepress package is
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p))
        try:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, this package
                [sys.executable, "-c", _HELPER_PROGRAM, str(to_helper[0]), str(from_helper[1])],
                pass_fds=(to_helper[0], from_helper[1], *fds), stdin=subprocess.DEVNULL, env=env)
        except OSError as exc:
            os.close(to_helper[1])
            os.close(from_helper[0])
            raise JobFailed(f"the carepress {name} process could not start ({exc}); nothing was published") from None
        finally:
            os.close(to_helper[0])
            os.close(from_helper[1])
        self._send = Connection(to_helper[1], readable=False)
        self._receive = Connection(from_helper[0], writable=False)
        try:
            self._send.send_bytes(job)
        except OSError:
            self._failed()

    def send(self, *message: Any) -> None:
        try:
            self._send.send(message)
        except OSError:
            self._failed()

    def ready(self) -> bool:
        """A message is waiting (or the process has ended)."""
        return bool(self._receive.poll(0))

    def receive(self) -> tuple[Any, ...]:
        while not self._receive.poll(0.5):
            if self.process.poll() is not None:
                break
        try:
            return self._receive.recv()
        except (EOFError, OSError):
            self._failed()

    def _failed(self) -> typing.NoReturn:
        code = self.process.wait()
        raise JobFailed(
            f"the carepress {self.name} process stopped unexpectedly (exit code {code}); "
            "nothing was published, and the build fails."
        ) from None

    def end(self, stop: bool = False) -> None:
        """Let the process end after its last message, or ``stop`` it."""
        import subprocess

        self._send.close()
        self._receive.close()
        if stop:
            self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _unread(outbox: Any) -> int:
    try:
        return int(outbox.qsize())
    except NotImplementedError:  # macOS: no count; make heads as pages are checked
        return LEAD


def _nowait(inbox: Any) -> tuple[Any, ...] | None:
    import queue

    try:
        return inbox.get_nowait()
    except queue.Empty:
        return None


class Pipeline:
    """The MkDocs side of a BuildJob: ask for what a step needs, wait for it."""

    def __init__(self, job: BuildJob, *, separate_process: bool) -> None:
        self.ready: dict[str, str] | None = None
        self.pages: dict[str, PageOut] = {}
        self.listed: set[str] = set()
        self.image_findings: list[Finding] = []
        self.checked = False
        self.banner: str | None = None
        self.heads: dict[str, Any] = {}  # where each head is in the store, until the page is written
        self._unpacked: tuple[str, Any] = ("", None)
        self.heads_done = False
        self.social: SocialOutcome | None = None
        self.social_leaks: list[Finding] | None = None
        self.post_build: list[Finding] | None = None
        self.read_early = 0  # pages the post-build scan read while MkDocs rendered
        self.separate = separate_process
        self._process: Any = None  # the checking process
        # The scan job, from the checking process's hand-over: as bytes, and
        # once this process reads what is left, as the job (see scan_job).
        self._scan_bytes: bytes | None = None
        self._scan: ScanJob | None = None
        self._social_dir: Path | None = None  # where the social files were written, if they were
        self._read: tuple[str, dict[str, Any]] | None = None  # what the scan process read
        self._helper: _Helper | None = None  # the social process, then the scan process
        self._scanning = ""  # where the scan reads written pages: "process" or "here" (decided after the posts)
        self._pages_done = False  # MkDocs has written every page
        self._job = job
        self._site_dir = ""
        self._written: list[str] = []  # written pages not yet sent (see written)
        self._store = job.store
        if separate_process:
            import multiprocessing as mp

            job.store = self._store = SpillFile()  # made before the fork: both processes have it
            context = mp.get_context("fork")
            for stream in (sys.stdout, sys.stderr):
                stream.flush()  # else the child would write what is buffered a second time
            self._outbox, self._inbox = context.Queue(), context.Queue()
            self._process = context.Process(target=_run_in_child, args=(job, self._inbox, self._outbox),
                                            name="carepress-build", daemon=True)
            self._process.start()
        else:
            pending: deque[tuple[Any, ...]] = deque()
            self._pending = pending
            self._messages = messages(job, pending.popleft, lambda: pending.popleft() if pending else None)

    @staticmethod
    def can_fork() -> bool:
        import multiprocessing as mp

        return "fork" in mp.get_all_start_methods()

    # -- sending ------------------------------------------------------------
    def send_files(self, pages: list[tuple[str, Path]], images: list[Path]) -> None:
        """MkDocs' own list of pages (in its order) and images."""
        self.listed = {rel for rel, _ in pages}
        self.send("files", pages, images)

    def written(self, site_dir: str, dest_uri: str) -> None:
        """MkDocs has written a page. Only a scan in its own process reads it
        early; in one process that would only delay the next page. Pages go
        to the scan process in batches, once the checking process has handed
        over to it."""
        if not self.separate or self._pages_done:
            return
        self._site_dir = site_dir
        self._written.append(dest_uri)
        if len(self._written) % WRITTEN_BATCH:
            return
        if not self._scanning:
            self._look()
        self._send_written()

    def _send_written(self) -> None:
        if self._scanning == "process" and self._written:
            assert self._helper is not None
            self._helper.send("written", self._site_dir, tuple(self._written))
            self._written.clear()

    def _look(self) -> None:
        """Take what has come, without waiting: the heads MkDocs will ask for,
        the hand-over, the social posts, until the scan process is started."""
        import queue

        while not self._scanning:
            if self._process is not None:
                try:
                    message = self._inbox.get_nowait()
                except queue.Empty:
                    return
            elif self._helper is not None and self._helper.ready():
                message = self._helper.receive()
            else:
                return
            self._dispatch(message)

    def send(self, *message: Any) -> None:
        if self._process is not None:
            self._outbox.put(message)
        else:
            self._pending.append(message)

    def pages_written(self) -> None:
        """MkDocs has written every page and not yet its search index (its
        largest moment): the scan process hands back what it read, and ends.
        If the checking process has not handed over yet, no scan process is
        started at all: this process reads everything at the end."""
        if not self.separate or self._pages_done:
            return
        self._pages_done = True
        self.wait(lambda: bool(self._scanning))
        if self._scanning == "process":
            self._send_written()
            assert self._helper is not None
            self._helper.send("pages-done")
            self.wait(lambda: self._helper is None)

    def finish(self, site_dir: Path, images: list[Path]) -> list[Finding]:
        """MkDocs has written the site: the post-build scan's findings."""
        if not self.separate:
            self.send("post-build", site_dir, images)
            self.wait(lambda: self.post_build is not None)
            return self.post_build or []
        self.pages_written()
        scan = self.scan_job
        if self._read is not None and scan.early is None:
            scan.early = SiteScan(Path(self._read[0]), scan.contexts, scan.default)
            scan.early.done = self._read[1]
        self.post_build = self._here(scan, lambda: scan.post_build(site_dir, images))
        self.read_early = scan.read_early
        return self.post_build

    def _handed_over(self, social: bytes | None, scan: bytes) -> None:
        """The checking process has made every head, and ends: a fresh
        process makes the social posts (its memory is what the posts need,
        not what checking needed), then another reads what is published.
        This process keeps the scan job as bytes until it reads what is left
        (unpacked, it would bring in the scanners while MkDocs renders)."""
        self._scan_bytes = scan
        self._end_process(handed_over=True)
        if social is not None:
            self._helper = _Helper("social posts", social, fds=self._store.fds())
        else:
            self._posts_done(None)

    def _posts_done(self, outcome: SocialOutcome | None) -> None:
        """While MkDocs writes pages, a fresh process that imports only the
        scanners reads them; once it has written them all, this one reads
        what is left. If it already has, this one reads everything."""
        if self._helper is not None:
            self._helper.end()
            self._helper = None
        self._social_dir = Path(outcome.target) if outcome is not None and outcome.written else None
        if self._pages_done:
            self._scanning = "here"
            scan = self.scan_job
            self.social_leaks = self._here(scan, scan.social_leaks)
        else:
            self._scanning = "process"
            assert self._scan_bytes is not None
            self._helper = _Helper("scan", _scan_start(self._scan_bytes, self._social_dir))
            self._send_written()

    @property
    def scan_job(self) -> ScanJob:
        """The scan job, read from its bytes the first time this process needs it."""
        if self._scan is None:
            assert self._scan_bytes is not None, "the checking process has not handed over yet"
            self._scan = _scan_job_of(self._scan_bytes, self._social_dir)
            self._scan_bytes = None
        return self._scan

    @staticmethod
    def _here(scan: ScanJob, step: Callable[[], list[Finding]]) -> list[Finding]:
        """A step of the scan, in this process: it fails closed, like the job's processes."""
        try:
            return step()
        except Exception:  # noqa: BLE001 - fail closed, naming what the scan was reading
            where = f" on {scan.current}" if scan.current else ""
            raise JobFailed(f"carepress failed{where} (a carepress bug; please report it; nothing was "
                            f"published):\n{traceback.format_exc()}") from None

    def _scanned(self, read: tuple[str, dict[str, Any]] | None) -> None:
        """What the scan process read (its site and pages); it ends now. The
        scan job is read only after MkDocs' search index (see finish)."""
        assert self._helper is not None
        self._read = read
        self._helper.end()
        self._helper = None

    # -- receiving ----------------------------------------------------------
    def _receive(self) -> tuple[Any, ...]:
        if self._helper is not None:
            return self._helper.receive()
        if self.separate and self._process is None:
            raise JobFailed("the carepress build job has ended; nothing more will come")
        if self._process is None:
            try:
                return next(self._messages)
            except StopIteration:
                raise JobFailed("the carepress build job ended early") from None
            except Exception:  # noqa: BLE001 - fail closed, naming what the job was working on
                return ("crash", self._job.current, traceback.format_exc())
        import queue

        while True:
            try:
                return self._inbox.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    code = self._process.exitcode
                    raise JobFailed(
                        f"the carepress checking process stopped unexpectedly (exit code {code}); "
                        "no page was published. Run 'carepress check' to find the page that stops it."
                    ) from None

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "page":
            self.pages[message[1].rel_path] = message[1]
        elif kind == "head":
            self.heads[message[1]] = message[2]
        elif kind == "ready":
            self.ready = message[1]
        elif kind == "policy-error":
            raise PolicyFailed(message[1])
        elif kind == "images":
            self.image_findings = message[1]
        elif kind == "checked":
            self.checked = True
        elif kind == "banner":
            self.banner = message[1]
        elif kind == "heads-done":
            self.heads_done = True
        elif kind == "social":
            self.social = message[1]
            if self.separate:
                self._posts_done(message[1])
        elif kind == "hand-over":
            self._handed_over(message[1], message[2])
        elif kind == "social-leaks":
            self.social_leaks = message[1]
        elif kind == "scanned":
            self._scanned(message[1])
        elif kind == "post-build":
            self.post_build, self.read_early = message[1], message[2]
        elif kind == "failed":
            raise JobFailed(message[1])
        elif kind == "crash":
            where = f" on {message[1]}" if message[1] else ""
            raise JobFailed(f"carepress failed{where} (a carepress bug; please report it with that page; "
                            f"nothing was published):\n{message[2]}")

    def wait(self, done: Callable[[], bool]) -> None:
        while not done():
            self._dispatch(self._receive())

    # -- what the plugins ask for ---------------------------------------------
    def page(self, rel: str) -> PageOut | None:
        """The page as MkDocs should read it (once: afterwards only its findings are kept)."""
        self.wait(lambda: rel in self.pages or self.checked)
        out = self.pages.get(rel)
        if out is not None and out.source is not None:
            self.pages[rel] = PageOut(out.rel_path, out.findings, out.withheld)
        return out

    def all_checked(self) -> None:
        self.wait(lambda: self.checked)

    def findings(self) -> list[Finding]:
        self.all_checked()
        out = [f for rel, page in self.pages.items() if rel in self.listed for f in page.findings]
        out += self.image_findings
        return sorted(out, key=Finding.sort_key)

    def head(self, rel: str, last: bool = False) -> tuple[str | None, str, tuple[tuple[str, str], ...]] | None:
        """The page's head tags, language and late blocks (``last``: the final asker; then forgotten)."""
        self.wait(lambda: rel in self.heads or self.heads_done)
        packed = self.heads.pop(rel, None) if last else self.heads.get(rel)
        if packed is None:
            return None
        made = self._unpacked[1] if self._unpacked[0] == rel else unpack_head(self._store.get(packed))
        self._unpacked = ("", None) if last else (rel, made)  # the two plugins ask one after the other
        return made

    def _end_process(self, handed_over: bool = False) -> None:
        """Stop the checking process, or (``handed_over``) let it end after its last message."""
        process, self._process = self._process, None
        if process is not None:
            if not handed_over and process.is_alive():
                process.terminate()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
            for q in (self._inbox, self._outbox):
                q.cancel_join_thread()
                q.close()

    def close(self) -> None:
        self._end_process()
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.end(stop=True)
        if self.separate:
            self._store.close()
