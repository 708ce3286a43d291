"""What a person is told about a post, in their language, with what to do next.

The outbox stores a short reason code (`OutboxPost.error_kind`) and what happened
(`last_error`, an `advocacy.problems.Problem`: our code, plain values and the network's own
words). The sentence here comes first; the problem, worded in the same language, follows.
"""

from __future__ import annotations

from flask_babel import gettext as _

from advocacy.problems import stored_text
from advocacy.sharing.models import OutboxPost, PostState


def explain(post: OutboxPost, network: str, reconnect: str | None = None) -> str:
    """One or two sentences on where the post stands and what the person can do.
    `reconnect` is the reason its account waits for a reconnection, if it does."""
    reason, state = post.error_kind or "", post.state
    if state == PostState.UNKNOWN and reconnect is not None:
        return _("It waits until you connect your %(network)s account again; then we check "
                 "whether it arrived before anything is sent again.", network=network)
    if reconnect is not None:
        return _("It waits until you connect your %(network)s account again; then it goes "
                 "out by itself. Or share it by link now.", network=network)
    if state == PostState.UNKNOWN:
        return _("%(network)s did not confirm the post. We are checking whether it arrived "
                 "before anything is sent again; nothing for you to do.", network=network)
    if state == PostState.IN_DOUBT and reason == "unanswered":
        return _("%(network)s did not confirm the post, and asking whether it arrived "
                 "failed again and again. Look at your profile first, then tell us whether "
                 "it is there.", network=network)
    if state == PostState.IN_DOUBT:
        return _("%(network)s did not confirm the post, and we cannot tell from here "
                 "whether it arrived. Look at your profile first, then tell us whether it "
                 "is there.", network=network)
    if state == PostState.QUEUED and reason:
        return _QUEUED.get(reason, _QUEUED["transient"])(network)
    if state == PostState.FAILED:
        return _FAILED.get(reason, _FAILED["content"])(network)
    if state == PostState.CANCELLED and reason in _CANCELLED:
        return _CANCELLED[reason](network)
    return ""


# Delayed: the job tries again by itself.
_QUEUED = {
    "rate": lambda n: _("%(network)s asked us to slow down; the post goes out by itself "
                        "later.", network=n),
    "transient": lambda n: _("%(network)s could not be reached; the post goes out by itself "
                             "once it answers.", network=n),
    "lookup": lambda n: _("%(network)s could not be asked yet whether the post arrived; we "
                          "ask again before sending anything.", network=n),
    # The account needed reconnecting and is connected again.
    **dict.fromkeys(("auth", "revoked", "expired"), lambda n: _(
        "Your %(network)s account is connected again; the post goes out by itself.",
        network=n)),
}

# Failed: certainly not on the network.
_FAILED = {
    "content": lambda n: _("%(network)s refused the post. Change the text and share the "
                           "item again, or share it by link.", network=n),
    "too_long": lambda n: _("%(network)s finds the text too long. Shorten it and share "
                            "the item again.", network=n),
    "duplicate": lambda n: _("%(network)s refuses a text identical to one you posted "
                             "before. Change a few words and share the item again.",
                             network=n),
    "transient": lambda n: _("%(network)s could not be reached for several hours. Try "
                             "again, or share it by link.", network=n),
    "rate": lambda n: _("%(network)s kept asking us to wait. Try again later, or share it "
                        "by link.", network=n),
    "budget": lambda n: _("Posting to %(network)s by API is paused: this month's budget is "
                          "used up. Share it by link instead; it counts just the same.",
                          network=n),
    "capped": lambda n: _("Posting to %(network)s by API is paused: %(network)s's monthly "
                          "limit for our app is reached. Share it by link instead; it counts "
                          "just the same.", network=n),
    "version": lambda n: _("%(network)s no longer supports the API version set up here; an "
                           "administrator needs to update it. Share it by link meanwhile.",
                           network=n),
    "config": lambda n: _("The server's address is refused by our security rules. Share it "
                          "by link instead.", network=n),
    "error": lambda n: _("Something went wrong on our side before the post went out; the "
                         "administrators can see it in the log. Try again, or share it by "
                         "link.", network=n),
}

_CANCELLED = {
    "withdrawn": lambda n: _("Communications withdrew the item before the post went out."),
    "by_link": lambda n: _("You shared it by link instead."),
}


def account_problem(reason: str | None, network: str) -> str:
    """Why an account needs reconnecting, where the network said which."""
    if reason == "revoked":
        return _("The access to your %(network)s account was withdrawn (in your "
                 "%(network)s settings, or by the server).", network=network)
    if reason == "expired":
        return _("The access to your %(network)s account has run out.", network=network)
    return ""


def failure(kind: str | None, stored: str | None, network: str) -> str:
    """What went wrong with a failed or unconfirmed post, for lists of them (programme
    health): the recorded problem, or where none was recorded, why it was not sent."""
    if stored:
        return stored_text(stored, network=network)
    if kind in _FAILED:
        return _FAILED[kind](network)
    return ""
