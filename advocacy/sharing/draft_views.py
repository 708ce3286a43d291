"""White glove pages: communications proposes, the executive decides."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.content.forms import to_local, to_utc
from advocacy.content.models import ContentItem
from advocacy.db import get_session
from advocacy.errors import DomainError
from advocacy.governance.services import pending_guideline
from advocacy.layout import current_settings
from advocacy.people.models import User
from advocacy.providers.registry import NETWORKS
from advocacy.security import role_required
from advocacy.sharing import bp, drafts
from advocacy.sharing.forms import DraftForm, PostActionForm, ReviewForm
from advocacy.sharing.models import ExecutiveDraft
from advocacy.sharing.services import suggested_text


def _networks() -> list[tuple[str, str]]:
    return [(n.key, n.label) for n in NETWORKS.values()]


def _link_for(code: str) -> str:
    return url_for("sharing.tracked", code=code, _external=True)


@bp.route("/drafts/new", methods=["GET", "POST"])
@role_required("comms")
def draft_new() -> str | Response | tuple[str, int]:
    db = get_session()
    item = db.get(ContentItem, request.args.get("item", type=int) or 0)
    if item is None or item.state != "approved":
        abort(404)
    form = DraftForm()
    people = drafts.executives(db)
    form.executive_id.choices = [(u.id, u.name) for u in people]
    form.network.choices = _networks()
    if request.method == "GET":
        form.network.data = "linkedin"
        executive = people[0] if people else None
        text = suggested_text(item, executive, "linkedin") if executive else None
        form.text.data = text.text if text else ""
        form.post_at.data = to_local(item.suggested_post_at, current_app.config["TIMEZONE"])
    elif form.validate():
        executive = db.get(User, form.executive_id.data)
        try:
            draft = drafts.propose(
                db, current_user, item, executive, form.network.data, form.text.data,
                to_utc(form.post_at.data, current_app.config["TIMEZONE"]), form.note.data or "",
                current_settings(), request.host_url.rstrip("/"),
                url_for("sharing.drafts_mine", _external=True))
        except DomainError as exc:
            db.rollback()
            form.text.errors = [exc.message]
        else:
            db.commit()
            flash(_("Sent to %(name)s for approval.", name=executive.name), "success")
            return redirect(url_for("sharing.draft_list", _anchor=f"draft-{draft.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("sharing/draft_new.html", form=form, item=item), status


@bp.get("/drafts")
@role_required("comms")
def draft_list() -> str:
    return render_template("sharing/draft_list.html", drafts=drafts.all_drafts(get_session()),
                           labels=drafts.state_labels(), networks=NETWORKS,
                           action=PostActionForm())


@bp.post("/drafts/<int:draft_id>/withdraw")
@role_required("comms")
def draft_withdraw(draft_id: int) -> Response:
    if not PostActionForm().validate():
        abort(400)
    db = get_session()
    try:
        drafts.withdraw(db, draft_id)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash(_("The proposal is withdrawn."), "success")
    return redirect(url_for("sharing.draft_list"))


@bp.get("/drafts/mine")
@role_required("employee")
def drafts_mine() -> str:
    return render_template("sharing/drafts_mine.html",
                           drafts=drafts.pending_for(get_session(), current_user),
                           networks=NETWORKS)


def _review_form(draft: ExecutiveDraft) -> ReviewForm:
    form = ReviewForm()
    form.network.choices = _networks()
    if request.method == "GET":
        form.text.data, form.network.data = draft.text, draft.network
        form.post_at.data = to_local(draft.post_at, current_app.config["TIMEZONE"])
    return form


@bp.route("/drafts/<int:draft_id>/review", methods=["GET", "POST"])
@role_required("employee")
def draft_review(draft_id: int) -> str | Response | tuple[str, int]:
    db = get_session()
    try:
        draft = drafts.own_draft(db, current_user, draft_id)
    except DomainError:
        abort(404)
    form = _review_form(draft)
    if request.method == "POST" and form.validate():
        try:
            if form.decline.data:
                drafts.decline(db, current_user, draft_id)
                intent = None
            else:
                intent = drafts.approve(
                    db, current_user, draft_id, form.text.data, form.network.data,
                    to_utc(form.post_at.data, current_app.config["TIMEZONE"]),
                    form.acknowledge_guidelines.data, current_settings(), current_app.config,
                    _link_for)
        except DomainError as exc:
            db.rollback()
            form.text.errors = [exc.message]
        else:
            db.commit()
            if form.decline.data:
                flash(_("Declined. Communications sees your decision."), "info")
                return redirect(url_for("sharing.drafts_mine"))
            if intent:  # no connected account: the executive posts on the network's page
                return redirect(intent)
            flash(_("Approved. Your post is on its way."), "success")
            return redirect(url_for("sharing.my_shares"))
    status = 400 if request.method == "POST" else 200
    return render_template("sharing/draft_review.html", form=form, draft=draft,
                           guideline=pending_guideline(db, current_user)), status
