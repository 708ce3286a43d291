"""Demo suggestions: one waiting in the communications inbox, one that became a published
item (its suggester got the points and sees its shares), one declined with a reason. The
previews are written in directly: the demo fetches nothing from the internet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings
from advocacy.content.models import ContentItem
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
