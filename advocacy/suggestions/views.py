"""Suggesting a link (employees) and the inbox where communications decides."""

from __future__ import annotations

from functools import partial

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.actions import carry_out
from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.security import role_required
from advocacy.suggestions import bp, services
from advocacy.suggestions.forms import DeclineSuggestionForm, SuggestionForm
from advocacy.suggestions.preview import fetch_preview


def _mine_page(form: SuggestionForm | None = None) -> str:
    db = get_session()
    suggestions = services.mine(db, current_user)
    return render_template("suggestions/mine.html", form=form or SuggestionForm(),
                           suggestions=suggestions,
                           performance=services.performance(db, suggestions))


@bp.get("/")
@role_required("employee")
def mine() -> str:
    return _mine_page()


@bp.post("/")
@role_required("employee")
def suggest() -> Response | tuple[str, int]:
    form = SuggestionForm()
    if not form.validate():
        return _mine_page(form), 400
    db = get_session()
    # The person waits for the preview: at most 5 s per hop, whatever networks may take.
    fetch = partial(fetch_preview,
                    timeout=min(5.0, float(current_app.config["PROVIDER_TIMEOUT"])),
                    allow_insecure=current_app.config["ALLOW_INSECURE_PROVIDERS"])
    try:
        services.submit(db, current_user, form.url.data or "", form.note.data or "", fetch,
                        utcnow())
    except DomainError as exc:
        form.url.errors = [exc.message]
        return _mine_page(form), 400
    db.commit()
    flash(_("Thank you! Communications will look at your suggestion."), "success")
    return redirect(url_for("suggestions.mine"))


def _inbox_page(decline_form: DeclineSuggestionForm | None = None,
                declining: int | None = None) -> str:
    pending, decided = services.inbox(get_session())
    return render_template("suggestions/inbox.html", pending=pending, decided=decided,
                           accept_form=ActionForm(),
                           decline_form=decline_form or DeclineSuggestionForm(),
                           declining=declining)


@bp.get("/inbox")
@role_required("comms")
def inbox() -> str:
    return _inbox_page()


@bp.post("/<int:suggestion_id>/accept")
@role_required("comms")
def accept(suggestion_id: int) -> Response:
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    try:
        item = services.accept(db, current_user, suggestion_id, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("suggestions.inbox"))
    db.commit()
    flash(_("A draft was made of the suggestion. Add texts and an image, then submit it."),
          "success")
    return redirect(url_for("content.item_edit", item_id=item.id))


@bp.post("/<int:suggestion_id>/decline")
@role_required("comms")
def decline(suggestion_id: int) -> Response | tuple[str, int]:
    form = DeclineSuggestionForm()
    if not form.validate():
        return _inbox_page(form, suggestion_id), 400
    carry_out(lambda: services.decline(get_session(), current_user, suggestion_id,
                                       form.reason.data or "", utcnow()),
              _("Declined; the colleague has been told why."))
    return redirect(url_for("suggestions.inbox"))
