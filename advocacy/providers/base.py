"""What every network module provides: its name, how it counts, and its share-intent URL.

A share is composed the same way everywhere: the person's text, a blank line, the
disclosure line, and the tracked link on its own line. Networks whose share page only takes
a URL (LinkedIn, Facebook, XING) get the link there and the person pastes the text, which
the share sheet copies for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class Composition:
    text: str  # the person's text
    disclosure: str
    link: str  # the absolute tracked link
    title: str = ""  # the item's title (used as e-mail subject)
    mastodon_instance: str | None = None

    @property
    def body(self) -> str:
        """Text and disclosure line, without the link."""
        return "\n\n".join(part for part in (self.text.strip(), self.disclosure.strip()) if part)

    @property
    def full(self) -> str:
        """What the post should say, link included."""
        return f"{self.body}\n{self.link}" if self.body else self.link


@dataclass(frozen=True)
class Network:
    key: str
    label: str
    intent: Callable[[Composition], str]
    url_only: bool = False  # the intent carries the link only; the text is pasted
    order: int = 0


def query(base: str, **params: str) -> str:
    return f"{base}?{urlencode(params, quote_via=quote)}"
