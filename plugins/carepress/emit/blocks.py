"""Put carepress's HTML blocks into a rendered page (see ``emit.page._Blocks``).

Kept apart from ``emit.page`` so that the MkDocs process, which only places
blocks the build job made, loads none of the templates or the reference
formatter.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape


def fill_blocks(html: str, blocks: Iterable[tuple[str, str]]) -> str:
    """Put each block where its placeholder was rendered (a paragraph, or the
    comment ``hold_blocks`` left). A placeholder that Markdown put somewhere
    else (inside a list item or a code block left open at the end of the
    body) is replaced where it stands."""
    for token, block in blocks:
        for marker in (f"<!--{token}-->", f"<p>{token}</p>"):
            at = html.find(marker)
            if at >= 0:
                end = at + len(marker)
                # Python-Markdown leaves a blank line after a raw block (not at the end); so does this.
                html = html[:at] + block + ("\n" if end < len(html) else "") + html[end:]
                break
        else:
            html = html.replace(token, block, 1)
    return html


def hold_blocks(html: str, tokens: Iterable[str]) -> str:
    """Turn the placeholders of blocks made later into HTML comments, which the
    site search skips as it would skip the blocks themselves."""
    for token in tokens:
        wrapped = f"<p>{token}</p>"
        html = html.replace(wrapped if wrapped in html else token, f"<!--{token}-->", 1)
    return html


def hold_citations(html: str, citations: Iterable[tuple[str, str]]) -> str:
    """Turn the words that stand for citations into HTML comments, which the
    site search skips (see ``emit.page._hold_citations``)."""
    for token, _ in citations:
        html = html.replace(token, f"<!--{token}-->", 1)
    return html


def fill_citations(html: str, citations: Iterable[tuple[str, str]]) -> str:
    """Put each citation's superscript where ``hold_citations`` left it. In
    an attribute (an image's alt text), it goes in escaped, as Markdown
    escapes the superscript's HTML there."""
    for token, sup in citations:
        marker = f"<!--{token}-->"
        at = html.find(marker)
        if at < 0:
            continue
        in_tag = html.rfind("<", 0, at) > html.rfind(">", 0, at)
        html = html[:at] + (escape(sup) if in_tag else sup) + html[at + len(marker) :]
    return html
