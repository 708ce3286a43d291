"""LinkedIn's "little" text format, which its Posts API expects in `commentary`.

Its reserved characters must be escaped with a backslash: unescaped, LinkedIn accepts the
post and silently cuts it at the first one. Inside links they stay as they are (a link
must keep working), and "#" is not escaped so that hashtags work. LinkedIn's 3,000
character limit applies to the escaped text, so the character budget escapes first too
(advocacy/providers/counting.py; static/js/counting.js spells the same rule).
"""

from __future__ import annotations

from advocacy.providers.urls import find_urls

RESERVED = frozenset("\\|{}@[]()<>*_~")


def _escaped(text: str) -> str:
    return "".join("\\" + char if char in RESERVED else char for char in text)


def escape_little(text: str) -> str:
    """Escape the reserved characters outside links."""
    out, last = [], 0
    for start, end in find_urls(text):
        out.append(_escaped(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(_escaped(text[last:]))
    return "".join(out)
