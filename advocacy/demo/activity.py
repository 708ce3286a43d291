"""Demo activity: shares and clicks spread over the last 90 days, through the real services,
so counters, points and leaderboards are exactly what the product would have computed."""

from __future__ import annotations

import datetime as dt
import random
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.people.models import User, UserRole
from advocacy.sharing.models import Click, Share
from advocacy.sharing.services import ShareRequest, create_share, suggested_text, visible_item
from advocacy.sharing.tracking import process_clicks

NETWORK_WEIGHTS = {"linkedin": 45, "xing": 15, "x": 8, "mastodon": 5, "bluesky": 5,
                   "facebook": 5, "whatsapp": 10, "email": 7}
OWN_WORDS = ("Sehr lesenswert!", "Das hat mich beeindruckt.", "Stolz auf mein Team.",
             "Great read.", "Meine Empfehlung für heute.")


def load_activity(session: Session, settings: ProgrammeSettings, base_url: str, timezone: str,
                  now: dt.datetime, seed: int = 90) -> int:
    """Shares and clicks for the demo company; nothing when shares exist already."""
    if session.scalar(sa.select(Share.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data
    people = list(session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "employee", User.is_active).order_by(User.id)
        .options(selectinload(User.groups))))
    items = list(session.scalars(sa.select(ContentItem).where(ContentItem.state == "approved")
                                 .options(selectinload(ContentItem.share_texts))))
    for person in people:
        person.leaderboard_opt_in = rng.random() < 0.6
    counts = random.Random(seed + 1)  # noqa: S311 - its own, so the shares stay as they were
    for person in people:  # LinkedIn followers some people entered (reach "self-reported")
        if counts.random() < 0.45:
            person.reported_followers = int(counts.lognormvariate(6.2, 0.9))
            person.reported_followers_on = (now - dt.timedelta(days=counts.randint(3, 150))).date()
    shares = 0
    for person in people:
        if person.email == "employee@example.com":
            count = 6  # the demo login has a history to look at
        elif rng.random() < 0.25:
            count = 0  # not everybody takes part, and that is fine
        else:
            count = min(30, int(rng.paretovariate(1.3)) + rng.randint(0, 3))
        for _ in range(count):
            shares += one_share(session, rng, person, items, settings, base_url, timezone, now)
    add_clicks(session, rng, now, list(session.scalars(sa.select(Share))), settings, timezone)
    return shares


def one_share(session: Session, rng: random.Random, person: User, items: list[ContentItem],
               settings: ProgrammeSettings, base_url: str, timezone: str,
               now: dt.datetime) -> int:
    when = now - dt.timedelta(days=rng.uniform(0, 88), hours=rng.uniform(0, 8))
    candidates = [i for i in items if i.live_from is not None and i.live_from <= when]
    rng.shuffle(candidates)
    for item in candidates[:6]:
        if visible_item(session, person, item.id, now=when) is None:
            continue
        network = rng.choices(list(NETWORK_WEIGHTS), weights=list(NETWORK_WEIGHTS.values()))[0]
        suggestion = suggested_text(item, person, network)
        text = suggestion.text if suggestion else item.title
        if rng.random() < 0.35:
            text = f"{rng.choice(OWN_WORDS)} {text}"
        create_share(session, person, item,
                     ShareRequest(network, text, suggestion.id if suggestion else None,
                                  acknowledge_guidelines=True),
                     settings, lambda code: f"{base_url}/r/{code}", timezone, now=when)
        return 1
    return 0


def add_clicks(session: Session, rng: random.Random, now: dt.datetime, shares: list[Share],
               settings: ProgrammeSettings, timezone: str) -> None:
    """Visitors arrive over the days after a share, most in the first two; a few come back
    the same day (those do not count). They are judged as the job would."""
    rows = []
    for share in shares:
        visitors = int(rng.expovariate(1 / 7))
        for _ in range(visitors):
            at = share.created_at + dt.timedelta(hours=rng.expovariate(1 / 30))
            if at >= now:
                continue
            visitor = secrets.token_hex(16)
            rows.append({"share_id": share.id, "network": share.network, "clicked_at": at,
                         "visitor_hash": visitor, "visitor_hash_prev": secrets.token_hex(16)})
            again = at + dt.timedelta(minutes=20)
            if rng.random() < 0.1 and again < now:
                rows.append({**rows[-1], "clicked_at": again})
    rows.sort(key=lambda row: row["clicked_at"])
    if rows:
        session.execute(sa.insert(Click), rows)
    session.flush()
    while process_clicks(session, settings, timezone):
        pass
