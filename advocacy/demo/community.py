"""Demo suggestions, newsroom feeds, challenges, rewards and training.

Suggestions: one waiting in the communications inbox, one that became a published item
(its suggester got the points and sees its shares), one declined with a reason. The
previews and feed entries are written in directly: the demo fetches nothing from the
internet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.admin.services import ProgrammeSettings, save_settings
from advocacy.challenges.models import Challenge
from advocacy.challenges.services import settle
from advocacy.content.models import ContentItem
from advocacy.content.services import ItemData, TextData, save_item
from advocacy.engagement.models import PointTotal
from advocacy.engagement.services import local_date
from advocacy.feeds.models import FeedEntry, NewsFeed
from advocacy.people.models import Group, User
from advocacy.problems import Problem
from advocacy.rewards.models import Reward
from advocacy.rewards.services import RewardData, fulfil, redeem, save_reward
from advocacy.sharing.models import Share
from advocacy.suggestions.models import Suggestion
from advocacy.suggestions.services import reward_published
from advocacy.training.models import TrainingModule, TrainingProgress
from advocacy.training.services import ModuleData, save_module, set_requirement


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
                       last_error=Problem("host_not_found", {"host": "example.org"}).dump(300),
                       failures=1,
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


def load_challenges(session: Session, settings: ProgrammeSettings, config: Mapping[str, Any],
                    now: dt.datetime) -> None:
    """A sharing challenge for everyone this week and a click challenge between four
    departments this month, both running on the demo's shares and clicks, and last month's
    challenge settled with its winners and their bonus points. Needs the rollups."""
    if session.scalar(sa.select(Challenge.id).limit(1)) is not None:
        return
    today = local_date(now, config["TIMEZONE"])
    monday = today - dt.timedelta(days=today.weekday())
    month = today.replace(day=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    departments = list(session.scalars(sa.select(Group).where(
        Group.kind == "department", Group.name.in_(["Vertrieb", "Marketing", "Entwicklung",
                                                   "Finanzen"])).order_by(Group.name)))
    week = Challenge(title="Energiewoche: Wer teilt am meisten?", kind="individual",
                     metric="shares", starts_on=monday, ends_on=monday + dt.timedelta(days=6),
                     description="Teilen Sie diese Woche unsere Beiträge zur Energiewende.",
                     minimum=2, winners=3, bonus_points=50)
    teams = Challenge(title="Abteilungsduell: Klicks im Monat", kind="team", metric="clicks",
                      starts_on=month, ends_on=_month_end(month), minimum=1, winners=1,
                      bonus_points=30, groups=departments)
    finished = Challenge(title="Herbstauftakt", kind="individual", metric="shares",
                         starts_on=last_month, ends_on=month - dt.timedelta(days=1),
                         minimum=1, winners=3, bonus_points=40)
    session.add_all([week, teams, finished])
    session.flush()
    settle(session, finished, settings, dt.datetime.combine(
        month, dt.time(2), tzinfo=now.tzinfo), config["TIMEZONE"])


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def load_rewards(session: Session, now: dt.datetime) -> None:
    """Rewards offered, a small catalogue, and redemptions: one waiting for an admin, one
    handed over. Redeemed through the service, so points and stock add up."""
    if session.scalar(sa.select(Reward.id).limit(1)) is not None:
        return
    settings = save_settings(session, {"rewards_enabled": True})
    coffee = save_reward(session, None, RewardData(
        name="Kaffee-Gutschein für die Kantine", price=50, stock=40,
        description="Ein Gutschein über zwei Kaffee."))
    donation = save_reward(session, None, RewardData(
        name="Spende: 10 € an eine gemeinnützige Organisation Ihrer Wahl", price=150,
        description="Wir spenden in Ihrem Namen; Sie wählen aus der Liste von HR."))
    hoodie = save_reward(session, None, RewardData(name="Firmen-Hoodie", price=300, stock=15))
    admin = session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    ranked = list(session.execute(
        sa.select(User, PointTotal.points).join(PointTotal, PointTotal.user_id == User.id)
        .where(PointTotal.period == "all", PointTotal.points >= coffee.price)
        .order_by(PointTotal.points.desc()).limit(2)))
    catalogue = sorted((hoodie, donation, coffee), key=lambda r: -r.price)
    for number, (person, points) in enumerate(ranked):
        reward = next(r for r in catalogue if r.price <= points)  # the dearest they afford
        done = redeem(session, person, reward.id, f"demo-{number}", settings,
                      now - dt.timedelta(days=3 - number))
        if number == 0 and admin is not None:
            fulfil(session, admin, done.id, now - dt.timedelta(days=1))


LICENCE_QUIZ = """Wer darf einen öffentlichen Beitrag sehen?
- Nur meine Kontakte
* Alle

Was gehört zu jedem Beitrag über das Unternehmen?
* Der Hinweis, dass ich dort arbeite
- Nichts weiter
- Der Name der Kundin

Eine Kundin beschwert sich in den Kommentaren. Was tun Sie?
- Den Fall öffentlich im Detail beantworten
* Freundlich antworten und an den Kundenservice weitergeben"""

LINKEDIN_QUIZ = """Wann erreichen Beiträge auf LinkedIn die meisten Menschen?
* Wenn sie eigene Worte und eine Frage an die Leser enthalten
- Wenn sie nur aus einem Link bestehen"""


def load_training(session: Session, now: dt.datetime) -> None:
    """The "social media driving licence", required before the first share and passed by
    everyone who has shared, and an optional module the expert has passed."""
    if session.scalar(sa.select(TrainingModule.id).limit(1)) is not None:
        return
    licence = save_module(session, None, None, ModuleData(
        title="Social-Media-Führerschein", published=True, quiz=LICENCE_QUIZ,
        summary="Zehn Minuten, die vor dem ersten Teilen Sicherheit geben.",
        body_html="<p>Sie sprechen als Privatperson, aber man weiß, wo Sie arbeiten. "
                  "Darum: <strong>offenlegen</strong>, keine Interna, keine Kundendaten, "
                  "und bei Kritik freundlich bleiben und weiterleiten.</p>"))
    set_requirement(session, licence, "first_share")
    linkedin = save_module(session, None, None, ModuleData(
        title="Gute Beiträge für LinkedIn", published=True, quiz=LINKEDIN_QUIZ,
        summary="Wie aus einem geteilten Link ein Gespräch wird.",
        body_html="<p>Schreiben Sie in eigenen Worten, warum Ihnen der Beitrag wichtig "
                  "ist, und stellen Sie eine Frage.</p>"))
    first_shares = session.execute(sa.select(Share.user_id, sa.func.min(Share.created_at))
                                   .where(Share.user_id.is_not(None)).group_by(Share.user_id))
    for user_id, first in first_shares:
        session.add(TrainingProgress(user_id=user_id, module_id=licence.id, attempts=1,
                                     passed_at=first - dt.timedelta(days=1)))
    expert = session.scalar(sa.select(User.id).where(User.email == "sme@example.com"))
    if expert is not None:
        session.add(TrainingProgress(user_id=expert, module_id=linkedin.id, attempts=2,
                                     passed_at=now - dt.timedelta(days=10)))
    session.flush()
