"""Character budgets per social network, counted the way each network counts.

The share-text editor shows a live budget in the browser (static/js/counting.js) and the
server checks the same budget here; both implement the same rules and are kept in step by
tests/browser/test_counting_agreement.py. Change one, change the other. X's own counting
library (npm's twitter-text) is the judge of the X rule in tests/twittertext.

The rules:

* X (``weighted``): NFC first; every link X recognises weighs 23, with or without a scheme
  (``x_urls``: "t0.io/x" is a link there); every emoji sequence X knows weighs 2; any other
  code point weighs 1 in a few ranges (Latin, Greek, Cyrillic, ..., some punctuation),
  else 2. The facts (TLDs, ranges, emoji) are in static/js/counting-data.js.
* Mastodon (``graphemes``): links with a scheme count the instance's
  ``characters_reserved_per_url`` (23 unless it says otherwise), a mention of a remote
  account "@user@domain" counts as "@user", and the result is counted in grapheme
  clusters. "www.example.com" without a scheme is plain text there.
* Bluesky (``graphemes``): 300 grapheme clusters and 3,000 UTF-8 bytes; links literally.
* LinkedIn (``utf16``): 3,000 UTF-16 code units of the text as sent, that is after the
  "little" format escaped its reserved characters (``escape_little``).
* Networks without a limit report grapheme clusters.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex

from advocacy.providers.linkshape import LATIN_ACCENTS, counting_facts
from advocacy.providers.little import escape_little
from advocacy.providers.urls import find_urls, mastodon_urls, x_urls

__all__ = [
    "NETWORK_RULES", "URL_LENGTH", "Measure", "Rule", "find_urls", "grapheme_length",
    "mastodon_length", "mastodon_urls", "measure", "utf8_length", "utf16_length",
    "x_urls", "x_weighted_length",
]

URL_LENGTH = 23
"""What a link costs on networks that shorten links (X; Mastodon unless the instance
reserves another length), whatever its length."""

_GRAPHEME = regex.compile(r"\X")
_SKIN_TONES = ("\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff")


@dataclass(frozen=True)
class Rule:
    """How one network counts: its default limit, its unit and how it counts URLs."""

    limit: int | None
    unit: str
    url_length: int | None = None  # None: URLs count like any other text
    byte_limit: int | None = None  # a second budget in UTF-8 bytes (Bluesky)


NETWORK_RULES: dict[str, Rule] = {
    "x": Rule(limit=280, unit="weighted", url_length=URL_LENGTH),
    "mastodon": Rule(limit=500, unit="graphemes", url_length=URL_LENGTH),
    "bluesky": Rule(limit=300, unit="graphemes", byte_limit=3000),
    "linkedin": Rule(limit=3000, unit="utf16"),
    "whatsapp": Rule(limit=None, unit="graphemes"),
    "email": Rule(limit=None, unit="graphemes"),
    "facebook": Rule(limit=None, unit="graphemes"),
    "xing": Rule(limit=None, unit="graphemes"),
}


@dataclass(frozen=True)
class Measure:
    """How much of a network's budget a text uses."""

    network: str
    used: int
    limit: int | None
    unit: str
    bytes_used: int | None = None
    byte_limit: int | None = None

    @property
    def over(self) -> bool:
        """True when the text exceeds the limit or, on Bluesky, the byte limit."""
        if self.limit is not None and self.used > self.limit:
            return True
        return (self.byte_limit is not None and self.bytes_used is not None
                and self.bytes_used > self.byte_limit)

    @property
    def remaining(self) -> int | None:
        """What is left of the main limit (negative when over); None without a limit."""
        return None if self.limit is None else self.limit - self.used


def grapheme_length(text: str) -> int:
    """The number of extended grapheme clusters (user-perceived characters)."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf16_length(text: str) -> int:
    """The number of UTF-16 code units, as JavaScript's `string.length` reports it."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf8_length(text: str) -> int:
    """The number of UTF-8 bytes; a lone surrogate counts 3, like U+FFFD in browsers."""
    return len(text.encode("utf-8", "surrogatepass"))


# -- X -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _XFacts:
    emoji: frozenset[str]  # sequences of two or more code points that weigh 2
    emoji_starts: frozenset[str]
    longest_emoji: int
    light: tuple[tuple[int, int], ...]  # code points that weigh 1


@functools.cache
def _x_facts() -> _XFacts:
    facts = counting_facts()["x"]
    emoji: set[str] = set()
    for sequence in facts["emoji_sequences"]:
        # The data lists each sequence once, with the lightest skin tone standing for all.
        if _SKIN_TONES[0] in sequence:
            emoji.update(sequence.replace(_SKIN_TONES[0], tone) for tone in _SKIN_TONES)
        else:
            emoji.add(sequence)
    return _XFacts(frozenset(emoji), frozenset(sequence[0] for sequence in emoji),
                   max(len(sequence) for sequence in emoji),
                   tuple((low, high) for low, high in facts["light_ranges"]))


def _x_emoji_length(text: str, start: int, facts: _XFacts) -> int:
    """The length of the longest known emoji sequence at `start`, or 0."""
    if text[start] not in facts.emoji_starts:
        return 0
    for length in range(min(facts.longest_emoji, len(text) - start), 1, -1):
        if text[start:start + length] in facts.emoji:
            return length
    return 0


def _x_code_point_weight(char: str, facts: _XFacts) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in facts.light) else 2


def x_weighted_length(text: str) -> int:
    """X's weighted length: NFC; 23 per link; 2 per emoji sequence; 1 or 2 per code point."""
    text = unicodedata.normalize("NFC", text)
    facts = _x_facts()
    links = dict(x_urls(text))
    total, position = 0, 0
    while position < len(text):
        if position in links:
            total += URL_LENGTH
            position = links[position]
            continue
        emoji = _x_emoji_length(text, position, facts)
        if emoji:
            total += 2
            position += emoji
            continue
        total += _x_code_point_weight(text[position], facts)
        position += 1
    return total


# -- Mastodon ------------------------------------------------------------------------------

_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
# A mention: "@user" or "@user@domain", not right after "=", "/" or a word character.
_MENTION = regex.compile(
    rf"(?<![=/{_WORD}])@([a-zA-Z0-9_]+(?:[.-]+[a-zA-Z0-9_]+)*)"
    rf"(@[{_WORD}]+(?:[.-]+[{_WORD}]+)*)?")
# Followed by another "@", an accented letter or "://", it is not a mention after all.
_NOT_A_MENTION = regex.compile(rf"[@\uff20{LATIN_ACCENTS}]|://")
_BLANK = regex.compile(r"\p{White_Space}*")


def _mastodon_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, counted as) for every mention; "@user@domain" is counted as "@user"."""
    mentions = []
    for match in _MENTION.finditer(text):
        if not _NOT_A_MENTION.match(text, match.end()):
            mentions.append((match.start(), match.end(), "@" + match.group(1)))
    return mentions


def mastodon_length(text: str, url_length: int = URL_LENGTH) -> int:
    """Mastodon's length of a status: every link (with a scheme) as `url_length` x's and
    every mention as its local part, then grapheme clusters of the whole. A blank status
    counts 0 (Mastodon then refuses it as blank, not as too long)."""
    if _BLANK.fullmatch(text):
        return 0
    entities = sorted([(start, end, "x" * url_length) for start, end in mastodon_urls(text)]
                      + _mastodon_mentions(text))
    pieces: list[str] = []
    position = 0
    for start, end, counted_as in entities:
        if start < position:
            continue  # overlaps the previous one (a mention inside a link)
        pieces.extend((text[position:start], counted_as))
        position = end
    pieces.append(text[position:])
    return grapheme_length("".join(pieces))


# -- measure -------------------------------------------------------------------------------


def _linkedin_length(text: str, _url_length: int) -> int:
    return utf16_length(escape_little(text))


def _x_length(text: str, _url_length: int) -> int:
    return x_weighted_length(text)


def _graphemes(text: str, _url_length: int) -> int:
    return grapheme_length(text)


_COUNTERS: dict[str, Callable[[str, int], int]] = {
    "x": _x_length,
    "mastodon": mastodon_length,
    "linkedin": _linkedin_length,
}


def measure(network: str, text: str, limit: int | None = None, *,
            url_length: int | None = None) -> Measure:
    """Measure `text` against `network`'s budget. `limit` replaces the default limit (a
    Mastodon instance may allow more than 500) and `url_length` the length a link counts
    (a Mastodon instance's `characters_reserved_per_url`). Unknown networks raise
    ValueError."""
    rule = NETWORK_RULES.get(network)
    if rule is None:
        raise ValueError(f"unknown network: {network!r}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be positive, not {limit!r}")
    if url_length is not None and url_length < 0:
        raise ValueError(f"url_length must not be negative, not {url_length!r}")
    count = _COUNTERS.get(network, _graphemes)
    return Measure(
        network=network,
        used=count(text, url_length if url_length is not None else (rule.url_length or 0)),
        limit=rule.limit if limit is None else limit,
        unit=rule.unit,
        bytes_used=None if rule.byte_limit is None else utf8_length(text),
        byte_limit=rule.byte_limit,
    )
