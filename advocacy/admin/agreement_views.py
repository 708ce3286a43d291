"""The works-council page: the package (to print, or as Markdown), which settings the works
agreement fixes, and the changes of those waiting for a second admin."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.actions import carry_out
from advocacy.admin import agreement, bp
from advocacy.admin.forms import LockForm
from advocacy.admin.services import LOCKABLE, get_settings, locked_keys, stored_text
from advocacy.db import get_session, utcnow
from advocacy.forms import ActionForm
from advocacy.security import role_required


def _lock_form() -> LockForm:
    form = LockForm()
    labels = agreement.setting_labels()
    form.locked.choices = [(key, labels[key]) for key in LOCKABLE]
    return form


def _context() -> dict[str, object]:
    db = get_session()
    settings = get_settings(db)
    return {"settings": settings, "sections": agreement.package(settings),
            "pending": agreement.pending(db), "labels": agreement.setting_labels(),
            "shown_value": agreement.shown_value, "printed": utcnow(),
            "current": {key: stored_text(getattr(settings, key))
                        for key in (*LOCKABLE, "locked_settings")}}


@bp.get("/works-council")
@role_required("admin")
def works_council() -> str:
    form = _lock_form()
    form.locked.data = sorted(locked_keys(get_settings(get_session())))
    return render_template("admin/works_council.html", form=form, action_form=ActionForm(),
                           **_context())


@bp.get("/works-council.md")
@role_required("admin")
def works_council_markdown() -> Response:
    body = render_template("admin/works_council.md", **_context())
    return Response(body, mimetype="text/markdown; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="works-council-package.md"'})


@bp.post("/works-council/locks")
@role_required("admin")
def works_council_locks() -> Response | tuple[str, int]:
    form = _lock_form()
    if not form.validate():
        return render_template("admin/works_council.html", form=form,
                               action_form=ActionForm(), **_context()), 400
    db = get_session()
    held = agreement.set_locks(db, list(form.locked.data or []), current_user.id, utcnow())
    db.commit()
    if held:
        flash(_("Lifting a lock waits for a second admin's confirmation (below)."), "info")
    else:
        flash(_("Locks saved."), "success")
    return redirect(url_for("admin.works_council"))


@bp.post("/works-council/changes/<int:change_id>/<any(confirm, withdraw):decision>")
@role_required("admin")
def works_council_decide(change_id: int, decision: str) -> Response:
    if not ActionForm().validate():
        abort(400)
    db, now = get_session(), utcnow()
    if decision == "confirm":
        carry_out(lambda: agreement.confirm(db, change_id, current_user.id, now),
                  _("Change confirmed and applied."))
    else:
        carry_out(lambda: agreement.withdraw(db, change_id, current_user.id, now),
                  _("Change withdrawn."))
    return redirect(url_for("admin.works_council"))
