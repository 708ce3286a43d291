"""All HTML sanitising lives here; this is the only module that imports bleach.

Rich text (content bodies, guidelines) is cleaned when it is stored and again when it is
shown, so a change of these lists also protects what was stored before it. Everything else
in the templates is plain text and autoescaped.
"""

from __future__ import annotations

import re
from html import unescape

import bleach
from flask import Flask
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "hr",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# bleach keeps the text inside tags it strips; for these two that text is code, not prose.
_CODE_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _link_attributes(attrs: dict, new: bool = False) -> dict:  # type: ignore[type-arg]
    """Links in rich text open safely: no referrer, no access to this window."""
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


def sanitize_html(html: str | None) -> str:
    """Return `html` reduced to the allowed tags, attributes and link protocols."""
    if not html:
        return ""
    cleaned = bleach.clean(
        _CODE_BLOCKS.sub("", html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return bleach.linkify(cleaned, callbacks=[_link_attributes], skip_tags={"pre", "code"})


def html_to_text(html: str | None) -> str:
    """Plain text of rich text, for previews and exports (entities decoded)."""
    text = bleach.clean(_CODE_BLOCKS.sub("", html or ""), tags=set(), strip=True)
    return " ".join(unescape(text).split())


def init_app(app: Flask) -> None:
    @app.template_filter("rich_text")
    def _rich_text(html: str | None) -> Markup:
        return Markup(sanitize_html(html))  # noqa: S704 - the sanitiser's own output
