"""Connecting and disconnecting social accounts (OAuth for LinkedIn, X and Mastodon; an app
password for Bluesky)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.accounts import bp, services
from advocacy.accounts.forms import BlueskyConnectForm, MastodonConnectForm
from advocacy.crypto import vault
from advocacy.db import get_session
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.layout import current_settings
from advocacy.providers.api import ProviderError
from advocacy.providers.registry import API_PROVIDERS, NETWORKS, api_for
from advocacy.security import role_required

employee_only = role_required("employee")
OAUTH_MINUTES = 10  # how long a started connection may take


def _page(status: int = 200, mastodon: MastodonConnectForm | None = None,
          bluesky: BlueskyConnectForm | None = None) -> tuple[str, int]:
    if bluesky is None:
        bluesky = BlueskyConnectForm(formdata=None,
                                     server=current_app.config["BLUESKY_DEFAULT_PDS"])
    return render_template(
        "accounts/connections.html", accounts=services.accounts_of(get_session(), current_user),
        configured=services.configured_networks(current_app.config), networks=NETWORKS,
        api_networks=list(API_PROVIDERS), action=ActionForm(),
        mastodon=mastodon or MastodonConnectForm(formdata=None), bluesky=bluesky), status


@bp.get("/")
@employee_only
def connections() -> tuple[str, int]:
    return _page()


def _said(exc: DomainError | ProviderError) -> str:
    """Why something failed, in the reader's language (a network's own words quoted)."""
    return exc.problem.text() if isinstance(exc, ProviderError) else exc.message


def _callback_url(network: str) -> str:
    return url_for("accounts.callback", network=network, _external=True)


def _start(network: str, base_url: str | None = None) -> tuple[str, str]:
    """Remember a connection attempt in the session: (state, PKCE challenge)."""
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    pending = {k: v for k, v in session.get("oauth", {}).items()
               if v["started"] > time.time() - OAUTH_MINUTES * 60}
    pending[state] = {"network": network, "verifier": verifier, "base_url": base_url,
                      "started": time.time()}
    session["oauth"] = pending
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return state, challenge.decode().rstrip("=")


@bp.post("/<network>/connect")
@employee_only
def connect(network: str) -> Response | tuple[str, int]:
    if network not in ("linkedin", "x", "mastodon") or not ActionForm().validate():
        abort(404 if network not in API_PROVIDERS else 400)
    provider = api_for(network, current_app.config)
    if not provider.configured():
        flash(_("Posting to %(network)s by API is not set up here; sharing opens its share "
                "page instead.", network=NETWORKS[network].label), "warning")
        return redirect(url_for("accounts.connections"))
    if network == "mastodon":
        return _connect_mastodon(provider)
    state, challenge = _start(network)
    if network == "x":
        return redirect(provider.authorize_url(_callback_url(network), state, challenge))  # type: ignore[attr-defined]
    return redirect(provider.authorize_url(_callback_url(network), state))  # type: ignore[attr-defined]


def _connect_mastodon(provider: object) -> Response | tuple[str, int]:
    form = MastodonConnectForm()
    if not form.validate():
        return _page(400, mastodon=form)
    db = get_session()
    try:
        base_url = services.server_url(form.server.data,
                                       current_app.config["ALLOW_INSECURE_PROVIDERS"])
        client = services.mastodon_client(
            db, vault(), provider, base_url, _callback_url("mastodon"),  # type: ignore[arg-type]
            current_settings().programme_name, request.host_url)
    except (DomainError, ProviderError) as exc:
        db.rollback()
        form.server.errors = [_said(exc)]
        return _page(400, mastodon=form)
    db.commit()
    state, challenge = _start("mastodon", base_url)
    return redirect(provider.authorize_url(  # type: ignore[attr-defined]
        base_url, client, _callback_url("mastodon"), state, challenge))


@bp.get("/<network>/callback")
@employee_only
def callback(network: str) -> Response:
    """Where the network sends the person back after they allowed (or refused) access."""
    state = request.args.get("state", "")
    attempt = session.get("oauth", {}).pop(state, None)
    session.modified = True
    if attempt is None or attempt["network"] != network or \
            attempt["started"] < time.time() - OAUTH_MINUTES * 60:
        flash(_("The connection attempt expired or did not start here. Please try again."),
              "error")
        return redirect(url_for("accounts.connections"))
    if "error" in request.args or "code" not in request.args:
        flash(_("%(network)s was not connected: access was not granted.",
                network=NETWORKS[network].label), "warning")
        return redirect(url_for("accounts.connections"))
    db = get_session()
    try:
        services.finish_oauth(db, vault(), current_user, network, current_app.config,
                              request.args["code"], _callback_url(network),
                              attempt["verifier"], attempt["base_url"])
    except (DomainError, ProviderError) as exc:
        db.rollback()
        flash(_("%(network)s could not be connected: %(reason)s",
                network=NETWORKS[network].label, reason=_said(exc)), "error")
        return redirect(url_for("accounts.connections"))
    db.commit()
    flash(_("%(network)s is connected.", network=NETWORKS[network].label), "success")
    return redirect(url_for("accounts.connections"))


@bp.post("/bluesky")
@employee_only
def connect_bluesky() -> Response | tuple[str, int]:
    form = BlueskyConnectForm()
    if not form.validate():
        return _page(400, bluesky=form)
    db = get_session()
    try:
        base_url = services.server_url(form.server.data,
                                       current_app.config["ALLOW_INSECURE_PROVIDERS"])
        services.connect_bluesky(db, vault(), current_user, current_app.config, base_url,
                                 form.handle.data, form.app_password.data)
    except (DomainError, ProviderError) as exc:
        db.rollback()
        form.app_password.errors = [_said(exc)]
        return _page(400, bluesky=form)
    db.commit()
    flash(_("Bluesky is connected."), "success")
    return redirect(url_for("accounts.connections"))


@bp.post("/<network>/disconnect")
@employee_only
def disconnect(network: str) -> Response:
    if network not in API_PROVIDERS or not ActionForm().validate():
        abort(404 if network not in API_PROVIDERS else 400)
    db = get_session()
    try:
        services.disconnect(db, current_user, network)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.connections"))
    db.commit()
    flash(_("%(network)s is disconnected. You can also revoke our access in its settings.",
            network=NETWORKS[network].label), "success")
    return redirect(url_for("accounts.connections"))


