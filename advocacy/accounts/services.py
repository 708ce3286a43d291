"""Connecting social accounts, keeping their tokens fresh, and noticing when they break.

Tokens are stored sealed (`advocacy.crypto`) and opened only to make a call. A token that
expires (X every two hours, Bluesky sessions, LinkedIn after 60 days) is renewed in a
transaction of its own, holding the account's row lock, and the new tokens are committed
before they are used: X's refresh tokens work once, so a renewal that was used but not
saved would lock the person out.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from advocacy import mail
from advocacy.accounts.models import FollowerCount, MastodonApp, SocialAccount
from advocacy.crypto import Vault, vault
from advocacy.db import session_scope, utcnow
from advocacy.errors import DomainError
from advocacy.people.models import User
from advocacy.problems import Problem
from advocacy.providers.api import Access, Client, Profile, Provider, ReauthRequired, Tokens
from advocacy.providers.bluesky import BlueskyAPI
from advocacy.providers.http import UnsafeAddress, check_public_url
from advocacy.providers.registry import API_PROVIDERS, NETWORKS, api_for

log = logging.getLogger(__name__)

RENEW_BEFORE = dt.timedelta(minutes=5)  # renew tokens this long before they run out


def configured_networks(config: Mapping[str, Any]) -> dict[str, bool]:
    """Which API networks can be connected (LinkedIn and X need client credentials)."""
    return {network: api_for(network, config).configured() for network in API_PROVIDERS}


def accounts_of(session: Session, user: User) -> dict[str, SocialAccount]:
    return {a.network: a for a in session.scalars(
        sa.select(SocialAccount).where(SocialAccount.user_id == user.id))}


def server_url(value: str, allow_insecure: bool) -> str:
    """A server someone typed ("mastodon.social", "https://bsky.social/") as a base URL,
    checked to be a public https address (or loopback http in tests)."""
    text = value.strip().rstrip("/")
    if not text:
        raise DomainError(_("Enter the address of your server."))
    if "://" not in text:
        if "/" not in text:
            text = text.split("@")[-1]  # a handle, "@name@server"
        text = f"https://{text}"
    invalid = DomainError(_("Enter the server's address, e.g. mastodon.social."))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a broken IPv6 literal or port
        raise invalid from None
    host = parts.hostname or ""
    # A pasted profile address ("server/@name") names the server too.
    path_ok = parts.path == "" or (parts.path.startswith("/@") and "/" not in parts.path[2:])
    if (parts.scheme not in ("https", "http") or not _valid_host(host) or not path_ok
            or parts.query or parts.fragment or parts.username is not None):
        raise invalid
    base = f"{parts.scheme}://{host if ':' not in host else f'[{host}]'}" + (
        f":{port}" if port else "")
    try:
        check_public_url(base, allow_insecure)
    except UnsafeAddress as exc:
        raise DomainError(_("This server cannot be used: %(reason)s",
                            reason=exc.problem.text())) from None
    return base


_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _valid_host(host: str) -> bool:
    """A host name or an IP address, checked before anything is looked up."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return 0 < len(host) <= 253 and all(_LABEL.match(label) for label in host.split("."))
    return True


def _seal(box: Vault, account: SocialAccount, field: str, value: str | None) -> str | None:
    return box.seal(f"account:{account.id}:{field}", value) if value else None


def _open(box: Vault, account: SocialAccount, field: str) -> str | None:
    sealed = getattr(account, f"{field}_enc")
    return box.open(f"account:{account.id}:{field}", sealed) if sealed else None


def record_followers(session: Session, account: SocialAccount, followers: int,
                     now: dt.datetime) -> None:
    """The current count on the account (the estimated reach of its next shares) and in
    the day's history row (the trend)."""
    account.followers, account.followers_at = followers, now
    row = session.get(FollowerCount, (account.id, now.date()))
    if row is None:
        session.add(FollowerCount(account_id=account.id, day=now.date(), followers=followers))
    else:
        row.followers = followers
    session.flush()


def save_account(session: Session, box: Vault, user: User, network: str, profile: Profile,
                 tokens: Tokens, base_url: str | None = None, secret: str | None = None,
                 char_limit: int | None = None, url_length: int | None = None
                 ) -> SocialAccount:
    """Store a newly connected (or reconnected) account, and resume its waiting posts."""
    account = session.scalar(sa.select(SocialAccount).where(
        SocialAccount.user_id == user.id, SocialAccount.network == network))
    if account is None:
        account = SocialAccount(user_id=user.id, network=network)
        session.add(account)
    account.base_url, account.external_id = base_url, profile.external_id
    account.handle, account.display_name = profile.handle, profile.display_name
    account.followers, account.followers_at = None, None
    account.scopes, account.expires_at = tokens.scopes, tokens.expires_at
    account.char_limit, account.url_length = char_limit, url_length
    account.status, account.last_error, account.reminded_at = "active", None, None
    session.flush()  # the id is part of what the secrets are sealed for
    if profile.followers is not None:
        record_followers(session, account, profile.followers, utcnow())
    account.access_token_enc = _seal(box, account, "access_token", tokens.access_token)
    account.refresh_token_enc = _seal(box, account, "refresh_token", tokens.refresh_token)
    account.secret_enc = _seal(box, account, "secret", secret)
    session.flush()
    # Posts that waited for this network go out at the job's next run: they wait only
    # because the account was not usable, which it now is.
    log.info("account %s (%s) connected for person %s", account.id, network, user.id)
    return account


def disconnect(session: Session, user: User, network: str) -> None:
    """Forget an account. Posts still waiting for it wait for a new connection ("My
    shares" offers the network's share page instead)."""
    account = session.scalar(sa.select(SocialAccount).where(
        SocialAccount.user_id == user.id, SocialAccount.network == network))
    if account is None:
        raise DomainError(_("This account is not connected."))
    session.delete(account)
    session.flush()
    log.info("account %s (%s) of person %s disconnected", account.id, network, user.id)


def mark_reconnect(session: Session, account: SocialAccount, problem: Problem) -> None:
    """The network stopped accepting this account: hold its posts, tell the person (in
    their language; the account keeps the problem, worded again whenever it is shown)."""
    if account.status == "reconnect":
        return
    label = NETWORKS[account.network].label
    account.status, account.last_error = "reconnect", problem.dump(500)
    session.flush()
    with force_locale(account.user.language):
        mail.queue(session, mail.Mail(
            to=account.user.email,
            subject=_("Please reconnect your %(network)s account", network=label),
            body=_("Hello %(name)s,\n\n%(network)s no longer accepts the connection of your "
                   "account %(handle)s. %(reason)s\n\nPosts waiting for it are kept and go "
                   "out as soon as you reconnect it in your profile.\n",
                   name=account.user.name, network=label, handle=account.handle,
                   reason=problem.text(network=label))))
    log.info("account %s needs reconnecting: %s", account.id, problem.english(network=label))


def mastodon_client(session: Session, box: Vault, api: Provider, base_url: str,
                    redirect_uri: str, app_name: str, website: str, *,
                    verify: bool = True) -> Client:
    """Our app on this Mastodon server: registered once, then reused (`verify`: after
    asking the server whether it still knows it)."""
    app = session.get(MastodonApp, base_url)
    if app is not None and app.redirect_uri == redirect_uri:
        known = Client(app.client_id, box.open(f"mastodon:{base_url}", app.client_secret_enc))
        if not verify or api.knows(base_url, known):  # type: ignore[attr-defined]
            return known
        log.info("Mastodon server %s forgot our app; registering again", base_url)
    client = api.register(base_url, redirect_uri, app_name, website)  # type: ignore[attr-defined]
    if app is None:
        app = MastodonApp(base_url=base_url)
        session.add(app)
    app.client_id, app.redirect_uri = client.client_id, redirect_uri
    app.client_secret_enc = box.seal(f"mastodon:{base_url}", client.client_secret)
    session.flush()
    return client


def access_of(box: Vault, account: SocialAccount) -> Access:
    return Access(_open(box, account, "access_token") or "", account.external_id,
                  account.handle, account.base_url)


def needs_renewal(account: SocialAccount, now: dt.datetime) -> bool:
    return (account.expires_at is not None and account.refresh_token_enc is not None
            and account.expires_at - now < RENEW_BEFORE)


def fresh_access(app: Flask, account_id: int, *, force: bool = False) -> Access:
    """Access for a call, renewing the tokens first when they are about to run out (or
    when `force`d after the network said they had). Runs in its own transaction, with the
    account row locked, and commits the new tokens before anyone uses them. Raises
    ReauthRequired (after marking the account) when the network refuses to renew."""
    box = vault(app)
    with session_scope(app) as session:
        account = session.get(SocialAccount, account_id, with_for_update=True)
        if account is None:
            raise ReauthRequired("not_connected")
        if account.status == "reconnect":
            raise ReauthRequired(Problem.load(account.last_error) or Problem("needs_reconnect"))
        if not (force or needs_renewal(account, utcnow())):
            return access_of(box, account)
        provider = api_for(account.network, app.config)
        try:
            tokens = _renew(box, account, provider)
        except ReauthRequired as exc:
            mark_reconnect(session, account, exc.problem)
            failure: ReauthRequired | None = exc
        else:
            failure = None
            account.access_token_enc = _seal(box, account, "access_token", tokens.access_token)
            if tokens.refresh_token:
                account.refresh_token_enc = _seal(box, account, "refresh_token",
                                                  tokens.refresh_token)
            account.expires_at = tokens.expires_at
            log.info("tokens of account %s renewed", account.id)
    if failure is not None:
        raise failure
    with session_scope(app) as session:  # read back what was committed
        account = session.get(SocialAccount, account_id)
        assert account is not None
        return access_of(box, account)


def _renew(box: Vault, account: SocialAccount, provider: Provider) -> Tokens:
    access = access_of(box, account)
    refresh_token = _open(box, account, "refresh_token")
    try:
        if refresh_token is None:
            raise ReauthRequired("expired_no_renewal")
        return provider.refresh(access, refresh_token, None)
    except ReauthRequired:
        secret = _open(box, account, "secret")
        if isinstance(provider, BlueskyAPI) and secret:
            # A Bluesky session that cannot be refreshed: sign in again with the app
            # password (rarely: createSession is rate limited per account).
            return provider.login(account.base_url or "", account.handle, secret).tokens
        raise


def rotate_secrets(session: Session, box: Vault) -> int:
    """Re-encrypt every stored secret under the newest key; return how many."""
    count = 0
    for account in session.scalars(sa.select(SocialAccount)):
        for field in ("access_token_enc", "refresh_token_enc", "secret_enc"):
            if getattr(account, field):
                setattr(account, field, box.rotate(getattr(account, field)))
                count += 1
    for app in session.scalars(sa.select(MastodonApp)):
        app.client_secret_enc = box.rotate(app.client_secret_enc)
        count += 1
    session.flush()
    return count


def finish_oauth(session: Session, box: Vault, user: User, network: str,
                 config: Mapping[str, Any], code: str, redirect_uri: str, verifier: str,
                 base_url: str | None) -> SocialAccount:
    """Trade the authorisation code for tokens, read the profile, store the account."""
    provider: Any = api_for(network, config)
    char_limit = url_length = None
    if network == "linkedin":
        tokens = provider.exchange(code, redirect_uri)
    elif network == "x":
        tokens = provider.exchange(code, redirect_uri, verifier)
    elif network == "mastodon" and base_url:
        client = mastodon_client(session, box, provider, base_url, redirect_uri, "advocacy",
                                 redirect_uri, verify=False)  # checked when it started
        tokens = provider.exchange(base_url, client, code, redirect_uri, verifier)
        char_limit, url_length = provider.limits(base_url)
    else:
        raise DomainError(_("This network cannot be connected this way."))
    profile = provider.profile(Access(tokens.access_token, "", "", base_url))
    return save_account(session, box, user, network, profile, tokens, base_url=base_url,
                        char_limit=char_limit, url_length=url_length)


def connect_bluesky(session: Session, box: Vault, user: User, config: Mapping[str, Any],
                    base_url: str, handle: str, app_password: str) -> SocialAccount:
    """Sign in once with the app password; the session is kept and refreshed from then on.
    The app password is kept too (sealed), for the rare case a session cannot be renewed."""
    provider = BlueskyAPI(api_for("bluesky", config).config)
    login = provider.login(base_url, handle.strip().lstrip("@"), app_password.strip())
    access = Access(login.tokens.access_token, login.did, login.handle, login.pds_url)
    profile = provider.profile(access)
    return save_account(session, box, user, "bluesky", profile, login.tokens,
                        base_url=login.pds_url, secret=app_password.strip())
