"""What posting by API may cost: a monthly budget per network that bills per post (X).

Past the budget, or once the network itself answers that the usage cap is reached, API
posting to that network stops for everyone until the next month (or until an admin lifts
the stop). The admins get one mail per stop; queued posts are offered to their authors as
share-page posts. Months are calendar months in UTC, as the networks bill them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy import mail
from advocacy.core.services import audit, audit_changes
from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.people.services import active_with_role
from advocacy.problems import Problem
from advocacy.providers.api import next_month
from advocacy.providers.registry import API_PROVIDERS, NETWORKS
from advocacy.providers.urls import x_urls
from advocacy.sharing.models import NetworkBudget, OutboxPost, Share

log = logging.getLogger(__name__)


def billed_networks() -> list[str]:
    """The networks with a price per post, in the share sheet's order."""
    return [key for key in NETWORKS if key in API_PROVIDERS
            and API_PROVIDERS[key].capabilities.cost(True) > 0]


def month_start(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.astimezone(dt.UTC).date().replace(day=1), dt.time(),
                               dt.UTC)


@dataclass(frozen=True)
class Spend:
    """This month's posts by API on a network and what they cost."""

    network: str
    posts: int
    amount: Decimal
    currency: str
    budget: NetworkBudget | None

    @property
    def stopped(self) -> bool:
        return self.budget is not None and self.budget.stop_reason is not None

    @property
    def amount_text(self) -> str:
        return f"{self.amount:.3f}"  # X bills fractions of a cent


def price(network: str, text: str) -> Decimal:
    """What a post of `text` costs on `network` (0 where posting is free). X bills the
    higher price when the post holds a link as X itself recognises links."""
    capabilities = API_PROVIDERS[network].capabilities
    return capabilities.cost(with_link=bool(x_urls(text)))


def spend(session: Session, network: str, now: dt.datetime) -> Spend:
    posts, amount = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(OutboxPost.cost), 0))
        .select_from(OutboxPost).join(Share, Share.id == OutboxPost.share_id)
        .where(Share.network == network, OutboxPost.posted_at >= month_start(now),
               OutboxPost.cost.is_not(None))).one()
    return Spend(network, int(posts), Decimal(amount or 0), _currency(network),
                 _current(session, network, now))


def _currency(network: str) -> str:
    return API_PROVIDERS[network].capabilities.currency


def _current(session: Session, network: str, now: dt.datetime) -> NetworkBudget | None:
    """The network's budget row, with a stop that ran out lifted."""
    row = session.get(NetworkBudget, network)
    if row is not None and row.stop_reason and row.stopped_until and row.stopped_until <= now:
        row.stop_reason, row.stopped_until, row.stop_note, row.notified_at = None, None, "", None
        session.flush()
    return row


def held_back(session: Session, network: str, text: str, now: dt.datetime) -> str | None:
    """Why a post to `network` must not go out by API now ("budget" or "capped"), or None.
    Reaching the budget with this post stops the network (and tells the admins once)."""
    if network not in API_PROVIDERS or API_PROVIDERS[network].capabilities.cost(True) == 0:
        return None
    row = _current(session, network, now)
    if row is None:
        return None
    if row.stop_reason:
        return row.stop_reason
    if row.monthly_posts is None and row.monthly_amount is None:
        return None
    used = spend(session, network, now)
    over_count = row.monthly_posts is not None and used.posts + 1 > row.monthly_posts
    over_amount = row.monthly_amount is not None and \
        used.amount + price(network, text) > row.monthly_amount
    if not (over_count or over_amount):
        return None
    stop(session, network, "budget", next_month(now), now, Problem("budget_used", {
        "posts": used.posts, "amount": f"{used.amount:.2f}", "currency": used.currency}))
    return "budget"


def stop(session: Session, network: str, reason: str, until: dt.datetime, now: dt.datetime,
         note: Problem | None = None) -> NetworkBudget:
    """Stop API posting to `network` until `until`; mail the admins if this stop is new.
    `note` says what led to it (worded in each admin's language)."""
    row = session.get(NetworkBudget, network) or NetworkBudget(network=network)
    session.add(row)
    new = row.stop_reason is None
    row.stop_reason, row.stopped_until = reason, until
    row.stop_note = note.dump(300) if note else ""
    if new or row.notified_at is None:
        row.notified_at = now
        _tell_admins(session, network, reason, until, note)
        log.warning("API posting to %s stopped until %s (%s)", network, until, reason)
    session.flush()
    return row


def _tell_admins(session: Session, network: str, reason: str, until: dt.datetime,
                 note: Problem | None) -> None:
    label = NETWORKS[network].label
    for admin in active_with_role(session, "admin"):
        with force_locale(admin.language):
            why = (_("the monthly budget set in the settings is used up")
                   if reason == "budget" else
                   _("%(network)s says the app's monthly usage cap is reached",
                     network=label))
            mail.queue(session, mail.Mail(
                to=admin.email,
                subject=_("Posting to %(network)s by API has stopped", network=label),
                body=_("Hello %(name)s,\n\nposting to %(network)s through its API stopped for "
                       "everyone because %(why)s. %(note)s\n\nIt starts again on %(until)s, "
                       "or when you lift the stop under Settings → Posting costs. Until then "
                       "people are offered the %(network)s share page for their posts "
                       "instead.\n",
                       name=admin.name, network=label, why=why,
                       note=note.text(network=label) if note else "",
                       until=until.date().isoformat())))


def save_budget(session: Session, actor: User, network: str, posts: int | None,
                amount: Decimal | None) -> NetworkBudget:
    """An admin sets (or clears, with None) the monthly limits of a billed network."""
    if network not in billed_networks():
        raise DomainError(_("This network does not bill per post."))
    if (posts is not None and posts < 0) or (amount is not None and amount < 0):
        raise DomainError(_("A budget cannot be negative."))
    row = session.get(NetworkBudget, network) or NetworkBudget(network=network)
    session.add(row)
    before = {"posts a month": row.monthly_posts, "amount a month": row.monthly_amount}
    row.monthly_posts, row.monthly_amount = posts, amount
    session.flush()
    audit_changes(session, actor.id, "posting.budget", network, before,
                  {"posts a month": posts, "amount a month": amount})
    return row


def lift_stop(session: Session, actor: User, network: str, now: dt.datetime) -> None:
    """An admin lets posting by API start again now (say, after raising the cap at X).
    A budget that is still used up stops it again at the next post."""
    row = session.get(NetworkBudget, network)
    if row is None or row.stop_reason is None:
        raise DomainError(_("Posting to this network is not stopped."))
    audit(session, actor.id, "posting.restarted", {
        "network": network, "reason": row.stop_reason, "until": row.stopped_until}, now)
    row.stop_reason, row.stopped_until, row.stop_note, row.notified_at = None, None, "", None
    session.flush()
