"""Daily care of connected accounts: follower counts, the LinkedIn expiry reminder, and a
reminder to update a follower count entered by hand."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from advocacy import mail
from advocacy.accounts.models import SocialAccount
from advocacy.accounts.services import fresh_access, record_followers
from advocacy.db import session_scope, utcnow
from advocacy.notifications.services import notify
from advocacy.people.models import User
from advocacy.providers.api import Profile, ProviderError, ReauthRequired
from advocacy.providers.registry import NETWORKS, api_for

log = logging.getLogger(__name__)

REMIND_BEFORE = dt.timedelta(days=7)
REPORTED_FOLLOWERS_DAYS = 90  # a count entered by hand is asked for again after this


def refresh_accounts(app: Flask, now: dt.datetime | None = None) -> dict[str, int]:
    """Follower counts (the estimated reach of the next shares) and expiry reminders."""
    now = now or utcnow()
    with app.app_context():  # mails are written in each person's language
        return {"followers": _update_followers(app, now), "reminded": remind_expiring(app, now),
                "counts_asked": remind_reported_followers(app, now)}


def _update_followers(app: Flask, now: dt.datetime) -> int:
    with session_scope(app) as session:
        due = [(a.id, a.network) for a in session.scalars(
            sa.select(SocialAccount).where(
                SocialAccount.status == "active",
                sa.or_(SocialAccount.followers_at.is_(None),
                       SocialAccount.followers_at < now - dt.timedelta(hours=20))))]
    updated = 0
    for account_id, network in due:
        try:
            profile = _profile(app, account_id, network)
        except ProviderError as exc:
            log.info("followers of account %s not updated: %s", account_id, exc.message)
            continue
        with session_scope(app) as session:
            account = session.get(SocialAccount, account_id)
            if account is not None and profile.followers is not None:
                record_followers(session, account, profile.followers, now)
                updated += 1
    return updated


def _profile(app: Flask, account_id: int, network: str) -> Profile:
    """The profile; when the network refuses the token, renew it once (which marks the
    account for reconnecting, and tells the person, when that fails too)."""
    provider = api_for(network, app.config)
    try:
        return provider.profile(fresh_access(app, account_id))
    except ReauthRequired:
        return provider.profile(fresh_access(app, account_id, force=True))


def remind_expiring(app: Flask, now: dt.datetime) -> int:
    """A week before a token that cannot be renewed (LinkedIn) runs out, an e-mail; the
    start page shows a banner until the person reconnects."""
    with session_scope(app) as session:
        accounts = list(session.scalars(sa.select(SocialAccount).where(
            SocialAccount.refresh_token_enc.is_(None), SocialAccount.expires_at.is_not(None),
            SocialAccount.expires_at < now + REMIND_BEFORE, SocialAccount.reminded_at.is_(None),
            SocialAccount.status == "active")))
        for account in accounts:
            account.reminded_at = now
            label = NETWORKS[account.network].label
            with force_locale(account.user.language):
                mail.queue(session, mail.Mail(
                    to=account.user.email,
                    subject=_("Your %(network)s connection ends soon", network=label),
                    body=_("Hello %(name)s,\n\nyour connection to %(network)s (%(handle)s) ends "
                           "on %(date)s; %(network)s does not let us renew it. Reconnecting "
                           "takes one click in your profile under "
                           "\u201cConnected accounts\u201d.\n",
                           name=account.user.name, network=label, handle=account.handle,
                           date=format_date(account.expires_at, "long"))))
        return len(accounts)


def remind_reported_followers(app: Flask, now: dt.datetime) -> int:
    """Once a follower count someone entered is REPORTED_FOLLOWERS_DAYS old, a note asks
    them to update it (once per count: entering it again dates it anew)."""
    today = now.date()
    with session_scope(app) as session:
        people = list(session.scalars(sa.select(User).where(
            User.is_active, User.reported_followers.is_not(None),
            User.reported_followers_on <= today - dt.timedelta(days=REPORTED_FOLLOWERS_DAYS),
            User.reported_reminded_on.is_(None))))
        for person in people:
            person.reported_reminded_on = today
            notify(session, person.id, "followers_stale", "/profile", now,
                   day=person.reported_followers_on.isoformat()
                   if person.reported_followers_on else "")
        return len(people)
