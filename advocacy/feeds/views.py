"""Communications' pages for newsroom feeds: list and register, change, check now, delete."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from advocacy.db import get_session
from advocacy.errors import DomainError
from advocacy.feeds import bp, services
from advocacy.feeds.forms import FeedForm
from advocacy.feeds.models import NewsFeed
from advocacy.forms import ActionForm
from advocacy.security import role_required


def _feed_or_404(feed_id: int) -> NewsFeed:
    feed = get_session().get(NewsFeed, feed_id)
    if feed is None:
        abort(404)
    return feed


def _list_page(form: FeedForm | None = None) -> str:
    return render_template("feeds/list.html", feeds=services.list_feeds(get_session()),
                           form=form or FeedForm())


@bp.get("/")
@role_required("comms")
def feed_list() -> str:
    return _list_page()


@bp.post("/")
@role_required("comms")
def feed_add() -> Response | tuple[str, int]:
    form = FeedForm()
    if not form.validate():
        return _list_page(form), 400
    db = get_session()
    try:
        feed = services.save_feed(db, current_user.id, None, form.to_data())
    except DomainError as exc:
        form.url.errors = [exc.message]
        return _list_page(form), 400
    db.commit()
    flash(_("Feed registered. It is checked within the next minutes, or now with "
            "“Check now”."), "success")
    return redirect(url_for("feeds.feed_edit", feed_id=feed.id))


def _edit_page(feed: NewsFeed, form: FeedForm | None = None) -> str:
    return render_template("feeds/edit.html", feed=feed, form=form or FeedForm(obj=feed),
                           entries=services.recent_entries(get_session(), feed.id),
                           action=ActionForm())


@bp.get("/<int:feed_id>")
@role_required("comms")
def feed_edit(feed_id: int) -> str:
    return _edit_page(_feed_or_404(feed_id))


@bp.post("/<int:feed_id>")
@role_required("comms")
def feed_save(feed_id: int) -> Response | tuple[str, int]:
    feed = _feed_or_404(feed_id)
    form = FeedForm()
    if not form.validate():
        return _edit_page(feed, form), 400
    db = get_session()
    try:
        services.save_feed(db, current_user.id, feed, form.to_data())
    except DomainError as exc:
        db.rollback()
        form.url.errors = [exc.message]
        return _edit_page(_feed_or_404(feed_id), form), 400
    db.commit()
    flash(_("Feed saved."), "success")
    return redirect(url_for("feeds.feed_edit", feed_id=feed_id))


def _summary(result: services.CheckResult) -> str:
    parts = [text for count, text in (
        (result.created, ngettext("%(num)d new draft.", "%(num)d new drafts.",
                                  result.created)),
        (result.published, ngettext("%(num)d item published.", "%(num)d items published.",
                                    result.published)),
        (result.duplicates, ngettext("%(num)d entry was already in the library.",
                                     "%(num)d entries were already in the library.",
                                     result.duplicates)),
        (result.waiting, ngettext("%(num)d more entry waits for the next check.",
                                  "%(num)d more entries wait for the next check.",
                                  result.waiting))) if count]
    return " ".join(parts) or _("No new entries.")


@bp.post("/<int:feed_id>/check")
@role_required("comms")
def feed_check(feed_id: int) -> Response:
    if not ActionForm().validate():
        abort(400)
    _feed_or_404(feed_id)
    # End the request's read transaction: the check keeps its own short ones, and none
    # stays open while the feed's server answers.
    get_session().commit()
    # The person waits: at most 5 s per hop, whatever the job may take.
    fetch = services.fetcher(current_app._get_current_object(),  # type: ignore[attr-defined]
                             timeout=min(5.0, float(current_app.config["PROVIDER_TIMEOUT"])))
    result = services.check(current_app._get_current_object(),  # type: ignore[attr-defined]
                            feed_id, fetch)
    if result.error:
        flash(_("The feed could not be read: %(why)s", why=result.error.text()), "error")
    elif result.unchanged:
        flash(_("The feed has not changed since the last check."), "success")
    else:
        flash(_summary(result), "success")
    return redirect(url_for("feeds.feed_edit", feed_id=feed_id))


@bp.post("/<int:feed_id>/delete")
@role_required("comms")
def feed_delete(feed_id: int) -> Response:
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    services.delete_feed(db, _feed_or_404(feed_id))
    db.commit()
    flash(_("Feed removed. The items made of it stay in the library."), "success")
    return redirect(url_for("feeds.feed_list"))
