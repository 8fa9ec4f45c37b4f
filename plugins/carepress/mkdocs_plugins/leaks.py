"""The post-build PHI scan over everything a build published."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..checker import suppressions_of
from ..injection import scan_folder
from ..model import Finding, Severity
from ..phi import PhiContext
from ..phiscan import scan_output, search_index_findings
from ..rules.phi import base_context, page_context
from ..store import BuildStore


def leak_scan(store: BuildStore, site_dir: Path | None = None, social_dir: Path | None = None) -> list[Finding]:
    """Errors in the built output: PHI, in each page's own context, and script
    that neither the theme nor carepress put there.

    Text a privacy reviewer cleared with a suppression on its page stays
    cleared in that page's output; warnings were already reported on the
    page itself, so only errors are returned here.
    """
    contexts: dict[str, PhiContext] = {}
    cleared: dict[str, set[str]] = {}
    for dest, rel in store.by_dest_uri.items():
        page = store.result.pages.get(rel)
        if page is None or page.document is None or not page.valid:
            continue  # a page that failed its schema is read in the general context
        contexts[dest] = page_context(page.document, store.policy)
        cleared[dest] = {s.text for s in suppressions_of(page.document) if s.rule.startswith("phi.") and s.text}
    default = dataclasses.replace(base_context(store.policy), patient_context=False)
    findings: list[Finding] = []
    if site_dir is not None:
        findings += scan_output(site_dir, "site", contexts, default)
        findings += search_index_findings(site_dir, contexts, default)
        findings += scan_folder(site_dir, "site")
    if social_dir is not None:
        # Each post was scanned in its own page's context when it was made
        # (social.phi); this pass catches what the writers and templates add.
        findings += scan_output(social_dir, "social", {}, default)
        findings += scan_folder(social_dir, "social")
    out = []
    for f in findings:
        if f.severity is not Severity.ERROR:
            continue
        dest = f.path.removeprefix("site/")
        if any(text in f.message for text in cleared.get(dest, ())):
            continue
        out.append(f)
    return out
