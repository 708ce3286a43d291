"""The shape of links as X and Mastodon see them; the browser twin is static/js/counting.js.

Both networks find links with the rules of twitter-text: where a link may start, domain
labels and a top-level domain X knows, a port, a path and a query, each with its own
characters. Written here from twitter-text's behaviour (npm's twitter-text is the judge in
tests/twittertext); advocacy/providers/urls.py decides which of these shapes each network
counts as a link. The facts (the TLD lists) are in static/js/counting-data.js, which the
browser reads too.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parents[2] / "static" / "js" / "counting-data.js"
_DATA_PREFIX = "window.AdvocacyCountingData = "

# -- the shared facts ----------------------------------------------------------------------


@functools.cache
def counting_facts() -> dict[str, Any]:
    """The facts of static/js/counting-data.js (read once, on first use)."""
    source = DATA_FILE.read_text("utf-8")
    start = source.index(_DATA_PREFIX) + len(_DATA_PREFIX)
    facts: dict[str, Any] = json.loads(source[start:source.rindex(";")])
    return facts


def _canonical(text: str) -> str:
    """Case-folded the way twitter-text's case-insensitive patterns compare characters:
    each character upper-cased on its own, unless that yields several characters or turns
    a non-ASCII character into an ASCII one (so "ſ" and "ı" stay themselves)."""
    out = []
    for char in text:
        upper = char.upper()
        keep = len(upper) != 1 or (ord(char) > 0x7F and ord(upper) <= 0x7F)
        out.append(char if keep else upper)
    return "".join(out)


@functools.cache
def _tlds() -> tuple[frozenset[str], tuple[int, ...]]:
    """The known top-level domains (canonical case) and their lengths, longest first."""
    lists = counting_facts()["tlds"]
    names = frozenset(_canonical(name) for name in (*lists["generic"], *lists["country"]))
    return names, tuple(sorted({len(name) for name in names}, reverse=True))


# -- character classes ---------------------------------------------------------------------
# Written as regular-expression classes; static/js/counting.js spells the same ones.

# Letters with accents that count as word characters in X's links ...
LATIN_ACCENTS = (r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
                 r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
# ... and, as X compares without case, the few characters whose case partner is one.
_ACCENTS = (LATIN_ACCENTS + r"\u0260\u0269\u0275\u0280\u0283\u0288\u028a\u028c\u0292"
            r"\u0399\u03b9\u1fbe\u2c65\u2c66\u2c7e\u2c7f\ua7dc")
_CYRILLIC = r"\u0400-\u04ff\u1c80-\u1c88"
_WHITE_SPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Mastodon's queries may hold any non-ASCII character but a few.
_NON_ASCII = (r"\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd"
              r"\U00020000-\U0002fffd\U00030000-\U0003fffd\U00040000-\U0004fffd"
              r"\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd"
              r"\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
              r"\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd"
              r"\U000e1000-\U000efffd\ue000-\uf8ff\U000f0000-\U000ffffd"
              r"\U00100000-\U0010fffd")

# What may not stand right before a link: letters, digits, @, $ and #.
_BLOCKS_LINK = r"A-Za-z0-9@\uff20$#\uff03\ufffe\ufeff\uffff"
# What a domain label cannot hold: ASCII punctuation but "-" and "_" (which may stand
# inside a label) and '"' and '`' (which X lets through), spaces, the three invalid
# characters and the bidirectional marks.
_LABEL_STOP = (r"!'#%&()*+,\\./:;<=>?@\[\]^{|}~$\t-\r \x85\xa0\u1680\u180e\u2000-\u200a"
               r"\u2028\u2029\u202f\u205f\u3000\ufffe\ufeff\uffff\u202a-\u202e\u061c"
               r"\u200e\u200f\u2066-\u2069")
_ASCII_LABEL = r"a-zA-Z0-9\-" + _ACCENTS
_X_PATH = r"a-zA-Z0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&" + _CYRILLIC + _ACCENTS
_X_PATH_END = r"a-zA-Z0-9+\-=_#/" + _CYRILLIC + _ACCENTS
X_QUERY = r"a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|"
X_QUERY_END = r"a-zA-Z0-9\-_&=#/"
# Mastodon's path: anything but white space, <, >, parentheses and "?"; it may not end in
# common punctuation.
_MASTODON_NOT_PATH = _WHITE_SPACE + r"<>()?"
_MASTODON_NOT_PATH_END = _WHITE_SPACE + r"()?!*\"'\u300c\u300d<>;:=,.$%\[\]~&|@"
_MASTODON_QUERY = r"a-zA-Z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^" + _NON_ASCII
_MASTODON_QUERY_END = r"a-zA-Z0-9_&=#/\-" + _NON_ASCII


class _Class:
    """A character class: membership of one character, and runs of members."""

    def __init__(self, body: str, *, negated: bool = False) -> None:
        caret = "^" if negated else ""
        self._one = re.compile(f"[{caret}{body}]")
        self._run = re.compile(f"[{caret}{body}]*")

    def __call__(self, char: str) -> bool:
        return self._one.match(char) is not None

    def run(self, text: str, start: int) -> int:
        """The end of the run of members that starts at `start`."""
        match = self._run.match(text, start)
        assert match is not None  # "*" matches the empty run
        return match.end()


_blocks_link = _Class(_BLOCKS_LINK)
_label_char = _Class(_LABEL_STOP, negated=True)
_ascii_label_char = _Class(_ASCII_LABEL)
_x_path_char = _Class(_X_PATH)
_x_path_end = _Class(_X_PATH_END)
_x_query_char = _Class(X_QUERY)
_x_query_end = _Class(X_QUERY_END)
_mastodon_path_char = _Class(_MASTODON_NOT_PATH, negated=True)
_mastodon_path_end = _Class(_MASTODON_NOT_PATH_END, negated=True)
_mastodon_query_char = _Class(_MASTODON_QUERY)
_mastodon_query_end = _Class(_MASTODON_QUERY_END)
_digits = _Class("0-9")
_punycode_char = _Class(r"a-zA-Z0-9\-")
_tld_stop = _Class(r"a-zA-Z0-9@+\-")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    return text.translate(_LOWER)


# -- domains -------------------------------------------------------------------------------


def _tld_end(text: str, start: int) -> int | None:
    """Where a known top-level domain that starts at `start` ends, or None.

    A TLD must not run on into an ASCII letter, digit, "@", "+" or "-". Where two known
    TLDs both fit (嘉里 and 嘉里大酒店), the longer one wins, as it does on X.
    """
    names, lengths = _tlds()
    folded = _canonical(text[start:start + lengths[0]])
    for length in lengths:
        if length <= len(folded) and folded[:length] in names and \
                _tld_ends_at(text, start + length):
            return start + length
    # Punycode ("xn--" and letters, digits or hyphens) stands for any internationalised TLD.
    if _ascii_lower(text[start:start + 4]) == "xn--":
        end = _punycode_char.run(text, start + 4)
        if end > start + 4 and _tld_ends_at(text, end):
            return end
    return None


def _tld_ends_at(text: str, end: int) -> bool:
    return end == len(text) or not _tld_stop(text[end])


def _label_end(text: str, start: int, run_end: int) -> int | None:
    """The end of a domain label at `start` that a dot follows, or None; `run_end` is where
    the label characters from `start` end.

    A label is made of characters that are not punctuation or space, with hyphens and
    underscores inside but not at either end (the last label may not hold "_" at all).
    """
    if (run_end == start or text[run_end:run_end + 1] != "." or text[start] in "-_"
            or text[run_end - 1] in "-_"):
        return None
    return run_end


def _ascii_label_end(text: str, start: int, run_end: int) -> int | None:
    return run_end if run_end > start and text[run_end:run_end + 1] == "." else None


class _Domains:
    """Where the domain names of one text end, by start: labels, each followed by a dot,
    then a known TLD, as long as possible ("a.com.au" ends after "au", not "com").

    Each start is worked out once: in a long chain of labels ("a.b.c.…") every start
    shares the rest of the chain, so a text costs linear time, not quadratic.
    """

    def __init__(self, text: str, *, ascii_only: bool = False) -> None:
        self._text = text
        self._label_end = _ascii_label_end if ascii_only else _label_end
        self._label_char = _ascii_label_char if ascii_only else _label_char
        self._ends: dict[int, int | None] = {}
        self._run = (0, 0)  # the last run of label characters (a start inside shares its end)

    def _run_end(self, start: int) -> int:
        run_start, run_end = self._run
        if not run_start <= start < run_end:
            run_end = self._label_char.run(self._text, start)
            self._run = (start, run_end)
        return run_end

    def end(self, start: int) -> int | None:
        text, ends = self._text, self._ends
        chain: list[tuple[int, int]] = []  # (label start, its dot) not yet worked out
        position = start
        while position not in ends:
            dot = self._label_end(text, position, self._run_end(position))
            if dot is None:
                ends[position] = None
                break
            chain.append((position, dot))
            position = dot + 1
        found = ends[position]
        for label_start, dot in reversed(chain):
            # The rest of the chain wins; else this label, if it may stand before a TLD.
            if found is None and "_" not in text[label_start:dot]:
                found = _tld_end(text, dot + 1)
            ends[label_start] = found
        return ends[start]


def ascii_domains(domain: str) -> list[tuple[int, int]]:
    """The spans of the ASCII domain names (accented Latin letters allowed) in `domain`:
    the parts of a link without a scheme that X turns into links."""
    names = _Domains(domain, ascii_only=True)
    found, position = [], 0
    while position < len(domain):
        end = names.end(position)
        if end is None:
            position += 1
        else:
            found.append((position, end))
            position = end
    return found


# -- paths and queries ---------------------------------------------------------------------


@dataclass(frozen=True)
class Flavour:
    """One network's idea of a link."""

    schemes: tuple[str, ...]  # lower case; "https://" before "http://"
    path_char: _Class
    path_end: _Class  # the characters a stretch of path may end on
    query_char: _Class
    query_end: _Class
    # May a balanced "(...)" with this inside end a stretch of path? On X never: there a
    # group ends the path only when it stands alone right after such an end (so
    # "/a(b)" keeps "(b)" but "/a.(b)" ends after "a"). Mastodon lets a group end a
    # stretch when it holds X's path characters only.
    group_ends_stretch: Callable[[str], bool]
    lone_groups: bool


def _group_end(text: str, start: int, path_char: _Class) -> int | None:
    """The end of a balanced "(...)" at `start`: path characters, at most one nested pair
    inside, never empty; or None."""
    if text[start:start + 1] != "(":
        return None
    first = path_char.run(text, start + 1)
    if first > start + 1 and text[first:first + 1] == ")":
        return first + 1
    if text[first:first + 1] != "(":
        return None
    inner = path_char.run(text, first + 1)
    if inner == first + 1 or text[inner:inner + 1] != ")":
        return None
    last = path_char.run(text, inner + 1)
    return last + 1 if text[last:last + 1] == ")" else None


def _stretch_end(text: str, start: int, flavour: Flavour) -> int | None:
    """The end of the longest stretch of path characters and balanced groups at `start`
    that ends on something a path may end on, or None."""
    position, end = start, None
    while position < len(text):
        if flavour.path_char(text[position]):
            position += 1
            if flavour.path_end(text[position - 1]):
                end = position
            continue
        group = _group_end(text, position, flavour.path_char)
        if group is None:
            break
        if flavour.group_ends_stretch(text[position + 1:group - 1]):
            end = group
        position = group
    return end


def _path_end(text: str, start: int, flavour: Flavour) -> int:
    """The end of a path whose first character follows the "/" at start - 1: stretches
    (and, on X, lone groups) one after the other, so a trailing "." or "!" stays out."""
    end = start
    while True:
        step = _stretch_end(text, end, flavour)
        if step is None and flavour.lone_groups:
            step = _group_end(text, end, flavour.path_char)
        if step is None:
            return end
        end = step


def _query_end(text: str, start: int, flavour: Flavour) -> int | None:
    """The end of a query whose "?" is at `start`, or None when it has nothing to end on."""
    end = None
    position = start + 1
    while position < len(text) and flavour.query_char(text[position]):
        position += 1
        if flavour.query_end(text[position - 1]):
            end = position
    return end


def _x_group(inside: str) -> bool:
    return all(_x_path_char(char) for char in inside if char not in "()")


X_LINKS = Flavour(schemes=("https://", "http://"), path_char=_x_path_char,
              path_end=_x_path_end, query_char=_x_query_char, query_end=_x_query_end,
              group_ends_stretch=lambda inside: False, lone_groups=True)
MASTODON_LINKS = Flavour(
    schemes=("https://", "http://", "dat://", "dweb://", "ipfs://", "ipns://", "ssb://",
             "gopher://", "gemini://"),
    path_char=_mastodon_path_char, path_end=_mastodon_path_end,
    query_char=_mastodon_query_char, query_end=_mastodon_query_end,
    group_ends_stretch=_x_group, lone_groups=False)


# -- the scan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Text that has the shape of a link; the network then decides whether it counts."""

    before: str  # the character right before it ("" at the start of the text)
    start: int
    scheme_end: int | None  # None: written without a scheme
    domain_end: int
    has_path: bool
    end: int

    def domain(self, text: str) -> str:
        return text[self.scheme_end or self.start:self.domain_end]


def _scheme_end(text: str, start: int, flavour: Flavour) -> int | None:
    for scheme in flavour.schemes:
        if _ascii_lower(text[start:start + len(scheme)]) == scheme:
            return start + len(scheme)
    return None


def _candidate_at(text: str, start: int, before: str, flavour: Flavour,
                  domains: _Domains) -> Candidate | None:
    """A link-shaped stretch starting exactly at `start`, preferring one with a scheme."""
    scheme_end = _scheme_end(text, start, flavour)
    domain_end = None if scheme_end is None else domains.end(scheme_end)
    if domain_end is None:
        scheme_end = None
        domain_end = domains.end(start)
        if domain_end is None:
            return None
    end = domain_end
    if text[end:end + 1] == ":" and _digits.run(text, end + 1) > end + 1:
        end = _digits.run(text, end + 1)
    has_path = text[end:end + 1] == "/"
    if has_path:
        end = _path_end(text, end + 1, flavour)
    if text[end:end + 1] == "?":
        end = _query_end(text, end, flavour) or end
    return Candidate(before, start, scheme_end, domain_end, has_path, end)


def candidates(text: str, flavour: Flavour) -> Iterator[Candidate]:
    """Every link-shaped stretch, left to right, each search going on after the last one.

    A link must not follow a letter, digit, "@", "$" or "#" directly; that character, when
    there is one, belongs to the match (so it cannot also end the previous link).
    """
    domains = _Domains(text)
    position = 0
    while position < len(text):
        found = None
        if not _blocks_link(text[position]):
            found = _candidate_at(text, position + 1, text[position], flavour, domains)
        if found is None and position == 0:
            found = _candidate_at(text, 0, "", flavour, domains)
        if found is None:
            position += 1
            continue
        yield found
        position = found.end
