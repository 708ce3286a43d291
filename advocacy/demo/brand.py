"""Demo worksheets: a draft for the employee, a complete one shared with the comms coach
for the expert, the Social-CEO answers under way for the executive, and follower histories
so "My brand" shows trends."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from advocacy.accounts.models import FollowerCount, SocialAccount
from advocacy.admin.services import ProgrammeSettings
from advocacy.brand.guidance import PROFILE_CHECKS, save_checks
from advocacy.brand.models import Worksheet
from advocacy.brand.services import save_worksheet, share_with
from advocacy.engagement.services import award
from advocacy.people.models import User

_COMMON = {
    "audience_now": "Kolleginnen und Kollegen, einige Kunden",
    "content_types": ["opinion", "engaging"], "sources": ["corporate", "studies"],
    "websites": ["https://example.com/blog"],
}
WORKSHEETS: dict[str, list[dict[str, Any]]] = {
    # Each entry is one saved version, oldest first.
    "employee@example.com": [
        {**_COMMON, "topics_now": "Nachhaltigkeit im Alltag der Produktion",
         "pairs": [{"topic": "Nachhaltigkeit", "hashtags": "#Nachhaltigkeit"}]},
        {**_COMMON, "topics_now": "Nachhaltigkeit im Alltag der Produktion",
         "personal": "Mein Ehrenamt im Sportverein",
         "pairs": [{"topic": "Nachhaltigkeit", "hashtags": "#Nachhaltigkeit #CO2"},
                   {"topic": "Karriere", "hashtags": "#Ausbildung"}],
         "interests": "Radfahren, Gärtnern", "posts_per_week": 2, "minutes_per_post": 15},
    ],
    "sme@example.com": [
        {**_COMMON, "topics_now": "Cloud-Architektur", "pairs": [
            {"topic": "Cloud", "hashtags": "#Cloud"}]},
        {**_COMMON, "topics_now": "Cloud-Architektur und KI im Betrieb",
         "strengths": "Zwölf Jahre Betrieb großer Systeme", "career": "Architektur-Team leiten",
         "perception": "Praktisch, ruhig, verlässlich", "personal": "Laufen, Mentoring",
         "pairs": [{"topic": "Cloud", "hashtags": "#Cloud #DevOps"},
                   {"topic": "KI", "hashtags": "#KI #AI"}],
         "other_topics": "Studien", "interests": "Mentoring",
         "audience_next": "IT-Leitungen in Logistik und Handel",
         "intention": {"educate": 50, "inform": 30, "inspire": 15, "entertain": 5},
         "style": "Kurz, mit einer Skizze", "goals": ["expert", "growth"],
         "daily_minutes": 15, "posts_per_week": 3, "minutes_per_post": 20},
    ],
    "exec@example.com": [
        {**_COMMON, "topics_now": "Vertrauen, Führung, Nachhaltigkeit",
         "strengths": "Transformation zweier Werke", "career": "Das Unternehmen nach außen "
         "vertreten", "perception": "Nahbar und klar", "personal": "Familie, Bergwandern",
         "pairs": [{"topic": "Führung", "hashtags": "#Leadership #Führung"},
                   {"topic": "Nachhaltigkeit", "hashtags": "#Nachhaltigkeit"}],
         "audience_next": "Kundschaft, Bewerbende, Presse",
         "intention": {"educate": 20, "inform": 30, "inspire": 40, "entertain": 10},
         "style": "Persönlich, mit Bildern aus den Werken", "goals": ["visibility", "loyalty"],
         "daily_minutes": 10, "posts_per_week": 1, "minutes_per_post": 30},
    ],
}
CEO_ANSWERS = {
    "goal": "Sichtbar machen, wofür wir stehen, und gute Leute gewinnen.",
    "kpis": "Bewerbungen über meine Beiträge, Reaktionen von Kundschaft.",
    "brand": "Vertrauen, Führung, Nachhaltigkeit.",
    "audiences": "Kundschaft, Bewerbende, Presse.",
    "message": "Wir machen Industrie, die man ihren Kindern erklären kann.",
    "platforms": "LinkedIn und Mastodon.",
}


def load_brand(session: Session, settings: ProgrammeSettings, config: Mapping[str, Any],
               now: dt.datetime, seed: int = 5) -> int:
    """Worksheets, ticks and follower histories; nothing when worksheets exist."""
    if session.scalar(sa.select(Worksheet.user_id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data
    people = {u.email: u for u in session.scalars(sa.select(User).where(
        User.email.in_([*WORKSHEETS, "comms@example.com"])))}
    for email, versions in WORKSHEETS.items():
        person = people[email]
        for number, data in enumerate(versions):
            when = now - dt.timedelta(days=20 * (len(versions) - number), hours=3)
            _sheet, completed = save_worksheet(session, person, data, when)
            if completed:
                award(session, person.id, "worksheet", "worksheet", person.id, settings, when,
                      config["TIMEZONE"])
    share_with(session, people["sme@example.com"], people["comms@example.com"].id,
               now - dt.timedelta(days=5))
    executive = session.get(Worksheet, people["exec@example.com"].id)
    assert executive is not None
    executive.ceo = dict(CEO_ANSWERS)
    for email in ("employee@example.com", "sme@example.com"):
        sheet = session.get(Worksheet, people[email].id)
        assert sheet is not None
        save_checks(sheet, {"linkedin": list(PROFILE_CHECKS)}, ["read", "react"], ["post"],
                    now.date())
    _follower_history(session, rng, now)
    return len(WORKSHEETS)


def _follower_history(session: Session, rng: random.Random, now: dt.datetime) -> None:
    """Ninety days of counts that grow, unevenly, to each account's current number."""
    for account in session.scalars(sa.select(SocialAccount)):
        current = account.followers or 0
        count = max(int(current * rng.uniform(0.75, 0.92)), 0)
        for back in range(90, -1, -3):
            count = min(current, count + rng.randint(0, max(current // 40, 1)))
            session.add(FollowerCount(account_id=account.id,
                                      day=(now - dt.timedelta(days=back)).date(),
                                      followers=current if back == 0 else count))
    session.flush()
