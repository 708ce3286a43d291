"""Demo suggestions and newsroom feeds. Suggestions: one waiting in the communications inbox,
one that became a published item (its suggester got the points and sees its shares), one
declined with a reason. The previews and feed entries are written in directly: the demo
fetches nothing from the internet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
from advocacy.content.services import ItemData, TextData, save_item
from advocacy.feeds.models import FeedEntry, NewsFeed
from advocacy.people.models import User
from advocacy.suggestions.models import Suggestion
from advocacy.suggestions.services import reward_published


def load_suggestions(session: Session, settings: ProgrammeSettings, config: Mapping[str, Any],
                     now: dt.datetime) -> None:
    """Nothing when any suggestion exists already (the demo loads idempotently)."""
    if session.scalar(sa.select(Suggestion.id).limit(1)) is not None:
        return
    people = {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(
        ["employee@example.com", "sme@example.com", "comms@example.com"])))}
    published = session.scalar(sa.select(ContentItem).where(
        ContentItem.state == "approved", ContentItem.live_from.is_not(None))
        .order_by(ContentItem.live_from).limit(1))
    if len(people) < 3 or published is None:
        return
    comms = people["comms@example.com"]
    session.add_all([
        Suggestion(user_id=people["employee@example.com"].id,
                   url="https://www.example.org/wissen/waermepumpen-im-bestand",
                   note="Passt gut zu unserer Kampagne – viele Kunden fragen genau danach.",
                   title="Wärmepumpen im Bestand: Was wirklich zählt",
                   description="Ein unabhängiger Ratgeber zu Altbau, Vorlauftemperatur und "
                               "Förderung.", site_name="Example Wissen",
                   created_at=now - dt.timedelta(days=1)),
        Suggestion(user_id=people["employee@example.com"].id,
                   url="https://www.example.org/news/branchenpreis",
                   title="Branchenpreis für Mittelständler", state="declined",
                   reason="Danke! Der Artikel ist hinter einer Bezahlschranke; den können "
                          "Kolleginnen und Kollegen nicht sinnvoll teilen.",
                   decided_by_id=comms.id, decided_at=now - dt.timedelta(days=5),
                   created_at=now - dt.timedelta(days=6)),
    ])
    accepted = Suggestion(user_id=people["sme@example.com"].id, url=published.url,
                          note="Great read for our engineers.", title=published.title,
                          description=published.summary, state="accepted",
                          item_id=published.id, decided_by_id=comms.id,
                          decided_at=published.live_from, created_at=published.live_from
                          - dt.timedelta(days=2))
    session.add(accepted)
    session.flush()
    assert published.live_from is not None
    reward_published(session, published, settings, published.live_from, config["TIMEZONE"])


def load_feeds(session: Session, now: dt.datetime) -> None:
    """Two newsroom feeds with what they gave: our own newsroom (trusted: its entries went
    live at once) and a trade journal (entries become drafts; one was already in the
    library). Both are paused, so the demo never reaches out to the internet; "Check now"
    shows how an unreachable feed is reported."""
    if session.scalar(sa.select(NewsFeed.id).limit(1)) is not None:
        return
    own = list(session.scalars(sa.select(ContentItem).where(
        ContentItem.state == "approved", ContentItem.source_class == "own",
        ContentItem.live_from.is_not(None)).order_by(ContentItem.live_from.desc()).limit(3)))
    if not own:
        return
    newsroom = NewsFeed(name="Newsroom (Pressemitteilungen)", trusted=True, paused=True,
                        url="https://example.com/de/newsroom/feed.xml", language="de",
                        source_class="own", topics="Presse", interval_minutes=60,
                        last_checked_at=now - dt.timedelta(hours=2),
                        last_success_at=now - dt.timedelta(hours=2),
                        created_at=now - dt.timedelta(days=80))
    journal = NewsFeed(name="Fachpresse Energie", url="https://example.org/energie/rss",
                       paused=True, language="de", source_class="external",
                       topics="Energie", interval_minutes=360,
                       last_checked_at=now - dt.timedelta(hours=5),
                       last_success_at=now - dt.timedelta(days=1),
                       last_error="example.org cannot be found", failures=1,
                       created_at=now - dt.timedelta(days=30))
    session.add_all([newsroom, journal])
    session.flush()
    for item in own:
        session.add(FeedEntry(feed_id=newsroom.id, url=item.url, title=item.title[:200],
                              outcome="published", item_id=item.id, seen_at=item.live_from))
    draft = save_item(session, None, None, ItemData(
        title="Netzausbau: Was die neue Verordnung für Stadtwerke bedeutet",
        url="https://example.org/energie/netzausbau-verordnung",
        summary="Die Fachpresse fasst die wichtigsten Punkte der neuen Verordnung zusammen.",
        language="de", source_class="external", topics=["Energie"],
        texts=[TextData("Netzausbau: Was die neue Verordnung für Stadtwerke bedeutet")]))
    session.add_all([
        FeedEntry(feed_id=journal.id, url=draft.url, title=draft.title, outcome="created",
                  item_id=draft.id, seen_at=now - dt.timedelta(days=1)),
        FeedEntry(feed_id=journal.id, url=own[-1].url, title=own[-1].title[:200],
                  outcome="duplicate", seen_at=now - dt.timedelta(days=1))])
    session.flush()
