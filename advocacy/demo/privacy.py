"""Demo deletion requests: a colleague who left and whose data were deleted three weeks ago
(their shares still count, as a former colleague), and a request waiting for an admin.

The one who left exists only here: created, given a share history and deleted in the same
run, so a second run of the demo has nobody to recreate.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.demo.activity import add_clicks, one_share
from advocacy.me import erasure
from advocacy.me.models import DeletionRequest
from advocacy.people.models import Group, User
from advocacy.people.services import PersonData, create_user
from advocacy.sharing.models import Share

LEFT = dt.timedelta(days=21)


def load_deletions(session: Session, settings: ProgrammeSettings, config: Mapping[str, Any],
                   now: dt.datetime) -> None:
    """Nothing when any request exists already (the demo loads idempotently)."""
    if session.scalar(sa.select(DeletionRequest.id).limit(1)) is not None:
        return
    admin = session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    waiting = session.scalar(sa.select(User).where(User.email.like("%.%.%@example.com"))
                             .order_by(User.id.desc()).limit(1))
    if admin is None or waiting is None:
        return
    link = f"{config['BASE_URL'].rstrip('/')}/admin/people/deletions"
    rng = random.Random(21)  # noqa: S311 - demo data
    sales = session.scalar(sa.select(Group.id).where(Group.name == "Vertrieb"))
    leaver = create_user(session, PersonData(
        email="jonas.weggang@example.com", name="Jonas Weggang", language="de", tier_id=3,
        group_ids={sales} if sales else set()))
    session.flush()
    items = list(session.scalars(sa.select(ContentItem).where(ContentItem.state == "approved")
                                 .options(selectinload(ContentItem.share_texts))))
    for _ in range(12):
        one_share(session, rng, leaver, items, settings, config["BASE_URL"],
                  config["TIMEZONE"], now - LEFT)
    add_clicks(session, rng, now, list(session.scalars(
        sa.select(Share).where(Share.user_id == leaver.id))), settings, config["TIMEZONE"])
    ask = erasure.request(session, leaver, "Letzter Arbeitstag.", link, now - LEFT)
    erasure.confirm(session, admin, ask.id, now - LEFT + dt.timedelta(hours=5))
    erasure.request(session, waiting, "Ich wechsle zum Jahresende das Unternehmen.", link,
                    now - dt.timedelta(days=2))
