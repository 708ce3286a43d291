"""My numbers, what the platform stores about me, and my data as JSON: each page shows only
the logged-in person's own data."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from advocacy.db import get_session, utcnow
from advocacy.errors import DomainError
from advocacy.forms import ActionForm
from advocacy.me import bp, erasure, inventory, services
from advocacy.me.forms import DeletionRequestForm
from advocacy.providers.registry import NETWORKS
from advocacy.security import login_required, role_required


@bp.get("/numbers")
@role_required("employee")
def numbers() -> str:
    period = request.args.get("period", "90")
    days = services.PERIODS.get(period, 90)
    return render_template(
        "me/numbers.html", numbers=services.my_numbers(get_session(), current_user, utcnow(),
                                                       days),
        period=str(days), periods=services.PERIODS, networks=NETWORKS)


def _data_page(form: DeletionRequestForm | None = None) -> str:
    db = get_session()
    return render_template("me/data.html", categories=inventory.CATEGORIES,
                           counts=inventory.counts(db, current_user),
                           deletion=erasure.latest(db, current_user),
                           form=form or DeletionRequestForm(), withdraw_form=ActionForm())


@bp.get("/data")
@login_required
def data() -> str:
    return _data_page()


@bp.post("/deletion")
@login_required
def deletion_request() -> Response | tuple[str, int]:
    form = DeletionRequestForm()
    if not form.validate():
        return _data_page(form), 400
    db = get_session()
    try:
        erasure.request(db, current_user, form.reason.data or "",
                        url_for("people.deletions", _external=True), utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash(_("Your request is with the admins. You will get an e-mail when it is done."),
              "success")
    return redirect(url_for("me.data", _anchor="deletion"))


@bp.post("/deletion/withdraw")
@login_required
def deletion_withdraw() -> Response:
    if not ActionForm().validate():
        abort(400)
    db = get_session()
    try:
        erasure.withdraw(db, current_user, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.commit()
        flash(_("Your request has been withdrawn."), "success")
    return redirect(url_for("me.data", _anchor="deletion"))


@bp.get("/data.json")
@login_required
def export() -> Response:
    now = utcnow()
    body = json.dumps(inventory.export(get_session(), current_user, now), ensure_ascii=False,
                      indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="my-data-{now.date().isoformat()}.json"'})
