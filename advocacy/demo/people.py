"""Demo people: six named logins and enough colleagues to fill three tiers."""

from __future__ import annotations

import random
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from advocacy.admin.services import get_settings, locked_keys, save_settings
from advocacy.people.models import Group, User
from advocacy.people.services import PersonData, create_user
from advocacy.security import hash_password

DEPARTMENTS = ("Vertrieb", "Marketing", "Entwicklung", "Personal", "Finanzen")
LOCATIONS = ("Berlin", "München", "Hamburg", "Köln")
CUSTOM_GROUPS = ("Speaker-Pool", "Azubis", "Führungskreis")

# email, name, tier, roles, department, location, language, login role label
LOGINS = (
    ("admin@example.com", "Alex Admin", 3, {"admin", "employee"}, "Personal", "Berlin", "en",
     "admin"),
    ("comms@example.com", "Clara Kommunikation", 3, {"comms", "employee"}, "Marketing", "Berlin",
     "de", "comms"),
    ("hr@example.com", "Hanna Personal", 3, {"hr", "employee"}, "Personal", "Hamburg", "de",
     "hr"),
    ("exec@example.com", "Dr. Eva Vorstand", 1, {"employee"}, "Finanzen", "München", "de",
     "tier 1 executive"),
    ("sme@example.com", "Samuel Experte", 2, {"employee"}, "Entwicklung", "Köln", "en",
     "tier 2 expert"),
    ("employee@example.com", "Emma Mitarbeiterin", 3, {"employee"}, "Vertrieb", "Hamburg", "de",
     "tier 3 employee"),
)

FIRST_NAMES = ("Anna", "Ben", "Carla", "David", "Elif", "Felix", "Greta", "Hannes", "Ida",
               "Jonas", "Katharina", "Lukas", "Mia", "Noah", "Olga", "Paul", "Quirin", "Rosa",
               "Stefan", "Tanja", "Umut", "Vera", "Wolfgang", "Xenia", "Yusuf", "Zoe")
LAST_NAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
              "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder",
              "Neumann", "Schwarz", "Yılmaz", "Zimmermann", "Braun")
COLLEAGUES = 60
TIER_SHARE = ((1, 4), (2, 16), (3, 40))  # how many colleagues per tier


def _groups(session: Session) -> dict[tuple[str, str], Group]:
    existing = {(g.kind, g.name): g for g in session.scalars(sa.select(Group))}
    for kind, names in (("department", DEPARTMENTS), ("location", LOCATIONS),
                        ("custom", CUSTOM_GROUPS)):
        for name in names:
            if (kind, name) not in existing:
                existing[(kind, name)] = Group(kind=kind, name=name)
                session.add(existing[(kind, name)])
    session.flush()
    return existing


def _colleagues() -> list[tuple[str, str, int, str, str, str]]:
    """Sixty colleagues, the same on every run (a fixed seed, not the global one)."""
    rng = random.Random(20261121)  # noqa: S311 - demo data, not security
    tiers = [tier for tier, count in TIER_SHARE for _ in range(count)]
    people = []
    for index, tier in enumerate(tiers):
        first, last = FIRST_NAMES[index % len(FIRST_NAMES)], rng.choice(LAST_NAMES)
        local = f"{first}.{last}.{index}".lower()
        local = local.translate(str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ı": "i"}))
        people.append((f"{local}@example.com", f"{first} {last}", tier,
                       rng.choice(DEPARTMENTS), rng.choice(LOCATIONS),
                       rng.choice(("de", "de", "de", "en"))))
    return people


def load_people(session: Session, password: str | Callable[[], str]) -> list[tuple[str, str, str]]:
    save_settings(session, {"company_name": "Beispiel GmbH",
                            "legal_notice_url": "https://example.com/impressum",
                            "privacy_notice_url": "https://example.com/datenschutz",
                            # Example rates for the earned media value; a real company
                            # sets what it pays for advertising itself.
                            "emv_rates": "bluesky=5/0.3;facebook=7/0.5;linkedin=25/1.5;"
                                         "mastodon=5/0.3;x=8/0.6;xing=15/1",
                            # As a works agreement would fix them: changing one of these
                            # needs a second admin (Settings → Works council). Locks an
                            # admin added stay (lifting one would need a second admin).
                            "locked_settings": ",".join(sorted(
                                locked_keys(get_settings(session))
                                | {"works_council_mode", "min_group_size",
                                   "click_retention_months"}))})
    groups = _groups(session)
    users = {u.email: u for u in session.scalars(
        sa.select(User).options(selectinload(User.groups)))}
    logins = []
    for email, name, tier, roles, dept, loc, lang, label in LOGINS:
        user = users.get(email) or create_user(session, PersonData(
            email=email, name=name, language=lang, tier_id=tier, roles=roles,
            group_ids={groups[("department", dept)].id, groups[("location", loc)].id}))
        chosen = password() if callable(password) else password
        user.password_hash = hash_password(chosen)
        user.is_active = True
        user.content_languages = "de,en"  # the demo logins see the whole library
        logins.append((email, label, chosen))
    for index, (email, name, tier, dept, loc, lang) in enumerate(_colleagues()):
        if email in users:
            continue
        group_ids = {groups[("department", dept)].id, groups[("location", loc)].id}
        if tier == 2 and index % 3 == 0:
            group_ids.add(groups[("custom", "Speaker-Pool")].id)
        if tier == 1:
            group_ids.add(groups[("custom", "Führungskreis")].id)
        create_user(session, PersonData(email=email, name=name, language=lang, tier_id=tier,
                                        group_ids=group_ids))
    session.flush()
    return logins
