"""Sharing tags (Open Graph, Twitter card), the alert banner and robots.txt.

Material already writes the canonical link and the meta description, so
nothing here repeats them. Every value is escaped for an HTML attribute, and
only http(s) URLs are written.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..model import Document
from .page import alert_active, alert_banner


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def safe_url(url: str) -> str | None:
    return url if urlsplit(url).scheme in ("http", "https") else None


def image_for(doc: Document, policy: Any, page_url: str, site_url: str) -> tuple[str, int, int] | None:
    """The page's share image (its own, else the hospital's default), absolute."""
    default = policy.hospital.get("default_image")
    image = (doc.meta.get("social") or {}).get("image") or doc.meta.get("image")
    if image:
        src = str(image["src"])
        url = safe_url(urljoin(page_url, src))
        if url is None:
            return None  # html.unsafe-url reports it; nothing unsafe is emitted
        width = int(image.get("width") or (default or {}).get("width") or 1200)
        height = int(image.get("height") or (default or {}).get("height") or 630)
        return url, width, height
    if default:
        return urljoin(site_url, default["src"]), int(default["width"]), int(default["height"])
    return None


def meta_tags(doc: Document, url: str, image: tuple[str, int, int] | None, site_name: str, withheld: bool = False) -> str:
    title = doc.title
    description = str(doc.meta.get("description", ""))
    if withheld:
        description = "This page is being reviewed by our clinicians."
    tags: list[tuple[str, str, str]] = [
        ("property", "og:type", "article" if doc.type in ("article", "myth", "story", "alert") else "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    lang = str(doc.meta.get("lang") or "")
    if lang:
        tags.append(("property", "og:locale", lang.replace("-", "_")))
    if image:
        image_url, width, height = image
        tags += [
            ("property", "og:image", image_url),
            ("property", "og:image:width", str(width)),
            ("property", "og:image:height", str(height)),
            ("name", "twitter:image", image_url),
        ]
        alt = ((doc.meta.get("social") or {}).get("image") or doc.meta.get("image") or {}).get("alt")
        if alt:
            tags += [("property", "og:image:alt", alt), ("name", "twitter:image:alt", alt)]
    return "\n".join(f'<meta {kind}="{_attr(name)}" content="{_attr(value)}">' for kind, name, value in tags)


def active_alerts_banner(pages: Mapping[str, Any], policy: Any, now: Any, urls: Mapping[str, str]) -> str:
    """The site-wide banner: every alert in effect at build time, linked."""
    items = []
    for rel in sorted(pages):
        page = pages[rel]  # one at a time: the checking process keeps its pages packed
        doc = page.document
        if doc is None or doc.type != "alert" or page.withheld or page.errors:
            continue
        if not alert_active(doc, now):
            continue
        link = safe_url(urls.get(rel, ""))
        text = html.escape(alert_banner(doc, policy))
        items.append(f'<a href="{_attr(link)}">{text}</a>' if link else text)
    if not items:
        return ""
    return '<div class="cp-alert-banner" role="alert"><strong>Alert:</strong> ' + " · ".join(items) + "</div>"


def robots_txt(site_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {urljoin(site_url, 'sitemap.xml')}\n"
