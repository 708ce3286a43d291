"""The person's notifications."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.db import get_session, utcnow
from advocacy.engagement.badges import names as badge_names
from advocacy.forms import ActionForm
from advocacy.notifications import bp, digests, services
from advocacy.people.models import User
from advocacy.security import login_required, public


@bp.get("/")
@login_required
def inbox() -> str:
    page = services.page_of(get_session(), current_user.id, request.args.get("page", 1, int))
    names = {"badge": badge_names()}
    return render_template("notifications/list.html", page=page, form=ActionForm(),
                           text=lambda note: services.text_of(note, names))


@bp.post("/read")
@login_required
def mark_read() -> Response:
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    services.mark_read(db, current_user.id, utcnow())
    db.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.inbox"))


def _unsubscribing(token: str) -> User:
    user_id = digests.person_from_token(current_app.config["SECRET_KEY"], token)
    person = get_session().get(User, user_id) if user_id is not None else None
    if person is None:
        abort(404)
    return person


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe(token: str) -> str:
    """Asks before it acts: mail programs open links to check them."""
    person = _unsubscribing(token)
    return render_template("notifications/unsubscribe.html", token=token, form=ActionForm(),
                           done=person.digest == "none")


@bp.post("/unsubscribe/<token>")
@public
def unsubscribe_confirm(token: str) -> str:
    person = _unsubscribing(token)
    if not ActionForm().validate():
        abort(400)
    person.digest = "none"
    get_session().commit()
    return render_template("notifications/unsubscribe.html", token=token, form=ActionForm(),
                           done=True)
