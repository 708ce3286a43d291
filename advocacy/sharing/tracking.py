"""The click job: judges the visits the tracked links stored (`advocacy.sharing.links`).

Whether a click counts (the first visit of that visitor within 24 hours), the counters, and
the sharer's point are settled here, in a job that reads the new rows in id order from a
bookmark, so its cost per run does not depend on the table size.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.core.models import JobState
from advocacy.engagement.services import award
from advocacy.sharing.models import Click, Share

log = logging.getLogger(__name__)

DEDUP_WINDOW = dt.timedelta(hours=24)


BOOKMARK = "clicks"


def process_clicks(session: Session, settings: ProgrammeSettings, timezone: str,
                   batch: int = 2000) -> int:
    """Judge the clicks stored since the last run; return how many were looked at.

    A click counts unless the same visitor (same hash, or yesterday's hash for a visit
    across midnight) already has a counted click on this share within the 24 hours
    before it. Counted clicks raise the share's and the item's counters and give the
    sharer their point. Idempotent: the bookmark moves in the same transaction.
    """
    state = session.get(JobState, BOOKMARK) or JobState(key=BOOKMARK, value=0)
    session.add(state)
    clicks = list(session.scalars(
        sa.select(Click).where(Click.id > state.value).order_by(Click.id).limit(batch)))
    per_share: dict[int, int] = {}
    for click in clicks:
        click.counted = not _seen_before(session, click)
        session.flush()  # later clicks of this batch must see this verdict
        if click.counted:
            per_share[click.share_id] = per_share.get(click.share_id, 0) + 1
    if per_share:
        _raise_counters(session, per_share, settings, timezone, clicks)
    if clicks:
        state.value = clicks[-1].id
    session.flush()
    return len(clicks)


def _seen_before(session: Session, click: Click) -> bool:
    earlier = sa.select(Click.id).where(
        Click.share_id == click.share_id,
        Click.visitor_hash.in_([click.visitor_hash, click.visitor_hash_prev]),
        Click.clicked_at > click.clicked_at - DEDUP_WINDOW,
        Click.clicked_at <= click.clicked_at,
        Click.id != click.id,
        Click.counted.is_(True),
    ).limit(1)
    return session.scalar(earlier) is not None


def _raise_counters(session: Session, per_share: dict[int, int], settings: ProgrammeSettings,
                    timezone: str, clicks: list[Click]) -> None:
    rows = session.execute(sa.select(Share.id, Share.user_id, Share.item_id).where(
        Share.id.in_(per_share))).all()
    owners = {share_id: user_id for share_id, user_id, _item in rows}
    items = {share_id: item_id for share_id, _user, item_id in rows}
    for share_id, count in per_share.items():
        session.execute(sa.update(Share).where(Share.id == share_id)
                        .values(click_count=Share.click_count + count))
        session.execute(sa.update(ContentItem).where(ContentItem.id == items[share_id])
                        .values(click_count=ContentItem.click_count + count))
    for click in clicks:
        owner = owners.get(click.share_id)
        if click.counted and owner is not None:
            award(session, owner, "unique_click", "click", click.id, settings,
                  click.clicked_at, timezone)
