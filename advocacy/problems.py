"""Problems that are stored now and read later, in the reader's language.

A network's refusal, a feed that cannot be read, a server address we refuse: these happen
in a job or in someone else's request, and are read later by a person whose language we do
not know then. So they are stored as a `Problem`: a stable code (a key of `WORDS`), the
plain values its sentence needs (an HTTP status, a host name, the network's name), and the
remote server's own words (`detail`), which we never translate and only ever show quoted,
after our own sentence. `Problem.text()` words it through gettext when it is shown.

Stored as JSON in the text columns that used to hold English sentences (`OutboxPost.
last_error`, `SocialAccount.last_error`, `NewsFeed.last_error`, ...). A stored value that is
not such JSON is one of those old sentences: it reads as a generic sentence with the old
words as its detail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext


def N_(message: str) -> str:  # the gettext convention, known to Babel
    """Marks a message for translation where it is defined; it is translated when shown."""
    return message


# Code -> English sentence. Codes are stored: never rename one, add a new one instead.
# %(network)s is the network's name (stored with the problem, or given when shown).
WORDS: dict[str, str] = {
    # Rows from before problems had codes, and codes this version does not know.
    "legacy": N_("Details as recorded at the time (in English):"),
    "unknown": N_("Something went wrong."),
    # A network's API (advocacy.providers).
    "refused_access": N_("%(network)s no longer accepts this account's access."),
    "sign_in_refused": N_("%(network)s does not accept this account's sign-in."),
    "session_expired": N_("The %(network)s session has expired."),
    "renewal_refused": N_("%(network)s no longer renews this account's access; please "
                          "reconnect it."),
    "cannot_renew": N_("This account's access cannot be renewed; please reconnect it."),
    "expired_no_renewal": N_("The access expired and cannot be renewed."),
    "not_connected": N_("The account is no longer connected."),
    "needs_reconnect": N_("The account needs reconnecting."),
    "slow_down": N_("%(network)s asks us to slow down."),
    "daily_limit": N_("%(network)s's daily limit is reached."),
    "usage_capped": N_("%(network)s's monthly usage cap for our app is reached."),
    "timeout": N_("%(network)s did not answer in time."),
    "unreachable": N_("%(network)s cannot be reached."),
    "unavailable_status": N_("%(network)s is not available right now (status %(status)s)."),
    "post_status": N_("%(network)s answered %(status)s to the post; it may exist all the "
                      "same."),
    "no_post_id": N_("%(network)s answered without the id of the post."),
    "unexpected_answer": N_("An unexpected answer; whether the post arrived is checked "
                            "before anything is sent again."),
    "unexpected_error": N_("An unexpected error stopped the check."),
    "refused_post": N_("%(network)s refused the post (status %(status)s)."),
    "answered_status": N_("%(network)s answered with status %(status)s."),
    "duplicate": N_("%(network)s refuses a text identical to an earlier post of yours."),
    "duplicate_older": N_("%(network)s refuses a text identical to an earlier post of "
                          "yours, and that post is older than this one's first attempt: "
                          "%(url)s"),
    "duplicate_not_found": N_("%(network)s refuses a text identical to an earlier post of "
                              "yours, but it was not found among your latest posts."),
    "version_retired": N_("%(network)s no longer serves API version %(version)s; an "
                          "administrator must set ADVOCACY_LINKEDIN_API_VERSION to a "
                          "current one."),
    "cannot_ask": N_("%(network)s cannot be asked whether a post exists."),
    "lookup_failed": N_("%(network)s could not be asked whether the post exists."),
    "too_many_to_read": N_("More posts were made since than %(network)s lets us read "
                           "through."),
    "server_refused": N_("The %(network)s server is refused by our security rules."),
    # Addresses we do not send requests to (advocacy.providers.http).
    "no_host": N_("The address has no host name."),
    "bad_port": N_("The port in the address is not valid."),
    "host_not_found": N_("%(host)s cannot be found."),
    "https_only": N_("Only https addresses are accepted."),
    "not_public": N_("%(host)s is not a public address."),
    # Reading feeds and pages (advocacy.fetching, advocacy.feeds.parse).
    "too_large": N_("The response is larger than %(kib)s KiB."),
    "redirect_nowhere": N_("The address redirects to nowhere."),
    "too_many_redirects": N_("The address redirects more than three times."),
    "http_status": N_("The server answered with status %(status)s."),
    "not_a_feed": N_("The address is not an RSS or Atom feed (it sent %(type)s)."),
    "not_a_page": N_("The address is not a web page (it sent %(type)s)."),
    "slow_server": N_("The server took too long to answer."),
    "no_server": N_("The server could not be reached."),
    "not_xml": N_("The feed is not well-formed XML (line %(line)s, column %(column)s)."),
    "xml_refused": N_("The feed uses XML entities or a DTD, which are refused for safety."),
    "not_rss": N_("The document is XML but neither an RSS nor an Atom feed."),
    # Notes on a cost stop (advocacy.sharing.outbox.budget).
    "budget_used": N_("%(posts)s posts, %(amount)s %(currency)s this month."),
}

Value = str | int


class _Values(dict[str, Any]):
    """Parameters for a sentence; one the stored problem lacks reads as a dash rather
    than breaking the page."""

    def __missing__(self, key: str) -> str:
        return "–"


@dataclass(frozen=True)
class Problem:
    code: str
    params: Mapping[str, Value] = field(default_factory=dict)
    detail: str = ""  # the remote server's own words, as they came
    cause: Problem | None = None  # what made this one happen, told after it

    # -- words ----------------------------------------------------------------------------

    def text(self, **context: Value) -> str:
        """Our sentence in the current language, then the remote words in quotes, then the
        cause. `context` gives values the problem did not store (the network's name)."""
        message = WORDS.get(self.code, WORDS["unknown"])
        sentence = gettext(message) % _Values({**context, **self.params})
        parts = [sentence]
        if self.detail:
            parts.append(gettext("“%(words)s”", words=self.detail))
        if self.cause is not None:
            parts.append(self.cause.text(**context))
        return " ".join(parts)

    def english(self, **context: Value) -> str:
        """The same in English, for logs and exception messages."""
        message = WORDS.get(self.code, WORDS["unknown"])
        parts = [message % _Values({**context, **self.params})]
        if self.detail:
            parts.append(f"“{self.detail}”")
        if self.cause is not None:
            parts.append(self.cause.english(**context))
        return " ".join(parts)

    # -- storage --------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.params:
            data["params"] = dict(self.params)
        if self.detail:
            data["detail"] = self.detail
        if self.cause is not None:
            data["cause"] = self.cause.as_dict()
        return data

    def dump(self, limit: int) -> str:
        """JSON of at most `limit` characters: to fit, the cause's remote words are
        shortened first, then the cause is left out, then our remote words are shortened
        (codes and values are short)."""
        problem: Problem = self
        for _attempt in range(8):
            stored = json.dumps(problem.as_dict(), ensure_ascii=False, sort_keys=True)
            excess = len(stored) - limit
            if excess <= 0:
                return stored
            problem = problem._shorter(excess)
        return json.dumps({"code": self.code}, ensure_ascii=False)

    def _shorter(self, excess: int) -> Problem:
        if self.cause is not None:
            if self.cause.detail:
                return replace(self, cause=replace(self.cause, detail=_cut(
                    self.cause.detail, len(self.cause.detail) - excess - 2)))
            return replace(self, cause=None)
        if self.detail:
            return replace(self, detail=_cut(self.detail, len(self.detail) - excess - 2))
        return replace(self, params={k: str(v)[:40] for k, v in self.params.items()})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        params = data.get("params") or {}
        cause = data.get("cause")
        return cls(str(data["code"]),
                   {str(k): v if isinstance(v, int) else str(v) for k, v in params.items()},
                   str(data.get("detail") or ""),
                   cls.from_dict(cause) if isinstance(cause, Mapping) and "code" in cause
                   else None)

    @classmethod
    def load(cls, stored: str | None) -> Problem | None:
        """The stored problem; an old English sentence as a "legacy" one."""
        if not stored:
            return None
        if stored.startswith("{"):
            try:
                data = json.loads(stored)
            except ValueError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("code"), str):
                return cls.from_dict(data)
        return cls("legacy", detail=stored)


def _cut(text: str, length: int) -> str:
    """`text` in at most `length` characters, an ellipsis marking the cut."""
    if length >= len(text):
        return text
    return text[:length - 1] + "…" if length > 1 else ""


def stored_text(stored: str | None, **context: Value) -> str:
    """A stored problem in the reader's language ("" when there is none)."""
    problem = Problem.load(stored)
    return problem.text(**context) if problem is not None else ""


class Trouble(Exception):
    """An exception that carries a `Problem`: its message is the English wording (for logs
    and tracebacks); people are shown `problem.text()`."""

    def __init__(self, code: str | Problem, *, detail: str = "", cause: Problem | None = None,
                 **params: Value) -> None:
        self.problem = code if isinstance(code, Problem) else Problem(
            code, params, detail[:300], cause)
        super().__init__(self.problem.english())

    @property
    def message(self) -> str:
        return self.problem.english()

