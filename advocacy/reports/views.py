"""The programme overview for HR, communications and admins."""

from __future__ import annotations

from flask import render_template

from advocacy.db import get_session
from advocacy.people.services import count_by_tier, kind_labels, list_tiers
from advocacy.reports import bp, services
from advocacy.security import role_required


@bp.get("/")
@role_required("hr", "comms", "admin")
def overview() -> str:
    db = get_session()
    return render_template(
        "reports/overview.html",
        enrolled=services.enrolled_people(db),
        tiers=list_tiers(db),
        tier_counts=count_by_tier(db),
        groups=services.people_per_group(db),
        kind_labels=kind_labels(),
    )
