"""The feed, the share sheet (dialog and plain page), my shares, and the tracked redirect."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from advocacy.content.services import list_topics
from advocacy.db import get_session
from advocacy.errors import DomainError
from advocacy.governance.services import pending_guideline
from advocacy.layout import current_settings
from advocacy.providers.registry import NETWORKS
from advocacy.security import public, role_required
from advocacy.sharing import bp, services
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


@bp.get("/r/<code>")
@public
def tracked(code: str) -> Response:
    """Known codes are answered before Flask (`advocacy.sharing.links`); what reaches this
    view is unknown."""
    abort(404)
