"""Where the networks see links in a text; the browser twin is static/js/counting.js.

The networks disagree on what a link is, so there are three notions:

* ``find_urls``: what a reader calls a link, written with ``http(s)://`` or starting with
  ``www.``. Bluesky's link facets and LinkedIn's escaping use it.
* ``x_urls``: the links X recognises (its twitter-text rules). A scheme is optional: a bare
  ``example.de`` or ``t0.io/x`` is a link when its top-level domain is one X knows.
* ``mastodon_urls``: the links Mastodon recognises: the same domains, but only with a
  scheme, and with Mastodon's own idea of which characters a path may hold.
"""

from __future__ import annotations

import re

from advocacy.providers.linkshape import (
    MASTODON_LINKS,
    X_LINKS,
    X_QUERY,
    X_QUERY_END,
    Candidate,
    ascii_domains,
    candidates,
)

# -- links as readers write them -----------------------------------------------------------

# The whitespace of Python's str.isspace() and of JavaScript's \s together, spelled out so
# that both languages end a URL at exactly the same characters.
_URL = re.compile(
    r"([hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)"
    r"[^\t\n\x0b\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    r"\ufeff<>\"]+"
)
_TRAILING = frozenset(".,;:!?)]}'\"")


def _url_end(text: str, start: int, prefix_end: int, end: int) -> int | None:
    """Where a URL matched at text[start:end] really ends, or None if nothing is left.

    Trailing punctuation is dropped, except a closing parenthesis that closes one
    opened inside the URL (Wikipedia-style links).
    """
    while end > prefix_end and text[end - 1] in _TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end if end > prefix_end else None


def find_urls(text: str) -> list[tuple[int, int]]:
    """The (start, end) code-point spans of the links written with a scheme or "www."."""
    spans = []
    for match in _URL.finditer(text):
        end = _url_end(text, match.start(), match.end(1), match.end())
        if end is not None:
            spans.append((match.start(), end))
    return spans


# -- what each network accepts -------------------------------------------------------------

_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63
_TCO = re.compile(rf"https?://t\.co/([a-z0-9]+)(?:\?[{X_QUERY}]*[{X_QUERY_END}])?",
                  re.IGNORECASE | re.ASCII)
_IDN_DOTS = re.compile("[\u3002\uff0e\uff61]")


def _encoded_label_length(label: str) -> int:
    """The length of a domain label once written in punycode (as "xn--..." if needed)."""
    parts = _IDN_DOTS.split(label)
    return len(parts) - 1 + sum(
        len(part) if all(" " <= char <= "~" for char in part)
        else 4 + len(part.encode("punycode")) for part in parts)


def _encoded_domain_length(domain: str) -> int:
    return domain.count(".") + sum(_encoded_label_length(label) for label in domain.split("."))


def _domain_is_valid(domain: str) -> bool:
    """Labels of 1 to 63 characters once in punycode; a "xn--" domain must be ASCII."""
    if domain.startswith("xn--") and not ascii_domains(domain):
        return False
    try:
        return all(1 <= _encoded_label_length(label) <= _MAX_LABEL_LENGTH
                   for label in domain.split("."))
    except UnicodeError:  # a lone surrogate cannot be encoded
        return False


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _tco_end(text: str, found: Candidate) -> int | None:
    """A t.co link ends after its slug (and query); None when the slug is too long."""
    match = _TCO.match(text, found.start, found.end)
    if match is None:
        return found.end
    return None if len(match.group(1)) > 40 else match.end()


def x_urls(text: str) -> list[tuple[int, int]]:
    """The (start, end) code-point spans of the links X counts as 23 each.

    With a scheme the whole link counts. Without one, X keeps only the ASCII domain names
    in the domain part (with the path, if any, after the last of them), and none at all
    after "-", "_", "." or "/".
    """
    spans: list[tuple[int, int]] = []
    for found in candidates(text, X_LINKS):
        domain = found.domain(text)
        scheme_length = 8 if found.scheme_end is None else found.scheme_end - found.start
        if (not _domain_is_valid(domain)
                or scheme_length + _utf16_length(text[found.start:found.end]) > _MAX_URL_LENGTH):
            continue
        if found.scheme_end is not None:
            end = _tco_end(text, found)
            if end is not None:
                spans.append((found.start, end))
            continue
        if found.before in ("-", "_", ".", "/"):
            continue
        names = [(found.start + start, found.start + end) for start, end in ascii_domains(domain)]
        if names and found.has_path:
            names[-1] = (names[-1][0], found.end)
        spans.extend(names)
    return spans


def mastodon_urls(text: str) -> list[tuple[int, int]]:
    """The (start, end) code-point spans of the links Mastodon counts as its reserved
    length: a scheme (http, https, and a few others such as gemini) and a domain with a
    known top-level domain; "www.example.com" alone is plain text there."""
    spans: list[tuple[int, int]] = []
    for found in candidates(text, MASTODON_LINKS):
        if found.scheme_end is None:
            continue
        domain = found.domain(text)
        if not _domain_is_valid(domain):
            continue
        # Mastodon measures the domain in punycode when that is longer.
        growth = max(0, _encoded_domain_length(domain) - len(domain))
        if found.end - found.start + growth > _MAX_URL_LENGTH:
            continue
        end = _tco_end(text, found)
        if end is not None:
            spans.append((found.start, end))
    return spans
