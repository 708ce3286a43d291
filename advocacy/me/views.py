"""My numbers, what the platform stores about me, and my data as JSON: each page shows only
the logged-in person's own data."""

from __future__ import annotations

import json

from flask import Response, render_template, request
from flask_login import current_user

from advocacy.db import get_session, utcnow
from advocacy.me import bp, inventory, services
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


@bp.get("/data")
@login_required
def data() -> str:
    return render_template("me/data.html", categories=inventory.CATEGORIES,
                           counts=inventory.counts(get_session(), current_user))


@bp.get("/data.json")
@login_required
def export() -> Response:
    now = utcnow()
    body = json.dumps(inventory.export(get_session(), current_user, now), ensure_ascii=False,
                      indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="my-data-{now.date().isoformat()}.json"'})
