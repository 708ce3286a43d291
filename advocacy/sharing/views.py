"""The feed, the share sheet (dialog and plain page), my shares, and the tracked redirect."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from advocacy.admin.services import get_settings
from advocacy.content.services import list_topics
from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.governance.services import pending_guideline
from advocacy.layout import current_settings
from advocacy.providers.registry import NETWORKS
from advocacy.security import public, role_required
from advocacy.sharing import bp, services, tracking
from advocacy.sharing.forms import ShareForm

employee_only = role_required("employee")


def feed_page() -> str:
    """The start page of everyone with the employee role (called by core.home)."""
    db = get_session()
    topic_id = request.args.get("topic", type=int)
    page = services.feed(db, current_user, topic_id=topic_id,
                         page=request.args.get("page", 1, type=int))
    return render_template("sharing/feed.html", page=page, topics=list_topics(db),
                           topic_id=topic_id)


def _sheet_form(item: Any, network: str) -> tuple[ShareForm, dict[str, dict[str, Any]]]:
    """The form with the suggestion for `network`, and every network's suggestion."""
    suggestions = {}
    for key in NETWORKS:
        text = services.suggested_text(item, current_user, key)
        suggestions[key] = {"text": text.text if text else "", "id": text.id if text else ""}
    form = ShareForm()
    form.network.choices = [(n.key, n.label) for n in NETWORKS.values()]
    if request.method == "GET":
        form.network.data = network
        form.text.data = suggestions[network]["text"]
        form.share_text_id.data = suggestions[network]["id"]
    return form, suggestions


def _render_sheet(item: Any, form: ShareForm, suggestions: dict[str, Any],
                  status: int = 200) -> tuple[str, int]:
    settings = current_settings()
    partial = request.args.get("partial") == "1"
    network = NETWORKS.get(form.network.data or "") or NETWORKS[services.default_network(
        current_user)]
    return render_template(
        "sharing/sheet_partial.html" if partial else "sharing/sheet.html",
        item=item, form=form, network=network, networks=NETWORKS,
        suggestions_json=json.dumps(suggestions),
        disclosure=settings.disclosure_line(item.language),
        sample_link=url_for("sharing.tracked", code="x" * services.CODE_LENGTH,
                            _external=True),
        guideline=pending_guideline(get_session(), current_user)), status


def _live_item(item_id: int) -> Any:
    item = services.visible_item(get_session(), current_user, item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/share/<int:item_id>")
@employee_only
def sheet(item_id: int) -> tuple[str, int]:
    item = _live_item(item_id)
    network = request.args.get("network")
    if network not in NETWORKS:
        network = services.default_network(current_user)
    form, suggestions = _sheet_form(item, network)
    return _render_sheet(item, form, suggestions)


@bp.post("/share/<int:item_id>")
@employee_only
def share(item_id: int) -> Response | tuple[str, int]:
    """The second click: record the share, then open the network with text and link."""
    item = _live_item(item_id)
    form, suggestions = _sheet_form(item, services.default_network(current_user))
    if not form.validate():
        return _render_sheet(item, form, suggestions, 400)
    db = get_session()
    share_text_id = int(form.share_text_id.data) if (form.share_text_id.data or "").isdigit() \
        else None
    try:
        _share, intent = services.create_share(
            db, current_user, item,
            services.ShareRequest(form.network.data, form.text.data, share_text_id,
                                  form.acknowledge_guidelines.data),
            current_settings(), lambda code: url_for("sharing.tracked", code=code,
                                                     _external=True),
            current_app.config["TIMEZONE"])
    except DomainError as exc:
        db.rollback()
        form.text.errors = [*form.text.errors, exc.message]
        return _render_sheet(item, form, suggestions, 400)
    db.commit()
    return redirect(intent)


@bp.get("/shares")
@employee_only
def my_shares() -> str:
    page = services.my_shares(get_session(), current_user,
                              request.args.get("page", 1, type=int))
    return render_template("sharing/my_shares.html", page=page, networks=NETWORKS)


class _RedirectState:
    """Per-app state of the tracked redirect: the share cache and a short-lived copy of
    the UTM medium setting (so the hot path runs no settings query)."""

    SETTINGS_SECONDS = 30.0

    def __init__(self) -> None:
        self.targets = tracking.TargetCache()
        self.utm_medium = ""
        self.read_at = 0.0

    def medium(self) -> str:
        if time.monotonic() - self.read_at > self.SETTINGS_SECONDS:
            self.utm_medium = get_settings(get_session()).utm_medium
            self.read_at = time.monotonic()
        return self.utm_medium


def _redirect_state() -> _RedirectState:
    state: _RedirectState = current_app.extensions.setdefault("advocacy.redirect",
                                                              _RedirectState())
    return state


def _own_click(user_id: int | None) -> bool:
    """The sharer opening their own link, recognised from the login cookie alone (no
    database query on this hot path)."""
    login = str(session.get("_user_id") or "")
    return user_id is not None and login.partition(".")[0] == str(user_id)


@bp.get("/r/<code>")
@public
def tracked(code: str) -> Response:
    """The tracked link: 302 to the stored URL with UTM parameters, 404 when unknown."""
    state = _redirect_state()
    db = get_session()
    target = tracking.resolve(db.connection(), state.targets, code)
    if target is None:
        abort(404)
    medium = state.medium()
    agent = request.headers.get("User-Agent", "")
    if not tracking.is_bot(agent) and not _own_click(target.user_id):
        now = utcnow()
        hashes = tracking.visitor_hashes(current_app.config["SECRET_KEY"],
                                         request.remote_addr or "", agent, now)
        tracking.record_click(db.connection(), target, hashes, now)
    db.commit()
    response = redirect(tracking.destination(target, medium), code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
