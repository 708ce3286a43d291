"""People: create and edit users, groups and tiers; list and count them."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from advocacy.core.services import audit, describe_changes
from advocacy.db import Page, get_session, like_pattern, paginate
from advocacy.errors import DomainError
from advocacy.people.models import GROUP_KINDS, Group, Tier, User, UserRole, user_group
from advocacy.security import hash_password, password_problems
from advocacy.training.services import require_for_tier

log = logging.getLogger(__name__)

PAGE_SIZE = 50


def normalize_email(email: str) -> str:
    return email.strip().lower()


def load_login(login_id: str) -> User | None:
    """Flask-Login's loader: the cookie holds "<id>.<session_version>".

    A deactivated person, or a cookie from before a password or role change, loads as
    nobody, which logs them out at their next request.
    """
    user_id, _sep, version = login_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalize_email(email)))


@dataclass
class PersonData:
    """What an admin (or an import row) says about a person."""

    email: str
    name: str
    language: str = "de"
    tier_id: int = 3
    roles: set[str] = field(default_factory=lambda: {"employee"})
    group_ids: set[int] = field(default_factory=set)
    is_active: bool = True


def create_user(session: Session, data: PersonData) -> User:
    """Add a person without a password; they set one through an invitation link."""
    email = normalize_email(data.email)
    if get_user_by_email(session, email) is not None:
        raise DomainError(
            _("A person with the e-mail address %(email)s exists already.", email=email))
    require_for_tier(session, None, data.name.strip(), data.tier_id)
    user = User(email=email, name=data.name.strip(), language=data.language, tier_id=data.tier_id)
    user.is_active = data.is_active
    user.set_roles(set(data.roles))
    user.groups = _groups_by_id(session, data.group_ids)
    session.add(user)
    session.flush()
    log.debug("person %s created", user.id)
    return user


def update_user(session: Session, actor: User, user: User, data: PersonData) -> User:
    """Change a person. Admins cannot lock themselves out (own admin role, own account)."""
    email = normalize_email(data.email)
    other = get_user_by_email(session, email)
    if other is not None and other.id != user.id:
        raise DomainError(
            _("A person with the e-mail address %(email)s exists already.", email=email))
    if actor.id == user.id and ("admin" not in data.roles or not data.is_active):
        raise DomainError(_("You cannot remove your own admin role or deactivate yourself."))
    require_for_tier(session, user, data.name.strip(), data.tier_id)
    ends_sessions = user.is_active != data.is_active or user.roles != frozenset(data.roles)
    before = _audited(user)
    user.email = email
    user.name = data.name.strip()
    user.language = data.language
    user.tier_id = data.tier_id
    user.is_active = data.is_active
    user.set_roles(set(data.roles))
    user.groups = _groups_by_id(session, data.group_ids)
    if ends_sessions:
        user.session_version += 1
    session.flush()
    after = _audited(user)
    # Name and address changes are noted without their values: erasing a person later
    # replaces their current address in the log, and old ones must not linger there.
    changes = [f"{key} changed" for key in ("name", "email") if before.pop(key) != after.pop(key)]
    changes += filter(None, [describe_changes(before, after)])
    if changes:
        audit(session, actor.id, "person.updated", f"{user.email}: {'; '.join(changes)}")
    log.info("person %s updated by %s", user.id, actor.id)
    return user


def _audited(user: User) -> dict[str, object]:
    """What an admin may change about a person, as the audit log describes it."""
    return {"email": user.email, "name": user.name, "language": user.language,
            "tier": user.tier_id, "roles": set(user.roles),
            "groups": {group.name for group in user.groups}, "active": user.is_active}


def _groups_by_id(session: Session, group_ids: Iterable[int]) -> list[Group]:
    ids = set(group_ids)
    if not ids:
        return []
    groups = list(session.scalars(sa.select(Group).where(Group.id.in_(ids))))
    if len(groups) != len(ids):
        raise DomainError(_("One of the chosen groups no longer exists."))
    return groups


@dataclass
class PeopleFilter:
    search: str = ""
    tier_id: int | None = None
    group_id: int | None = None
    role: str | None = None
    active: bool | None = None


def list_users(session: Session, flt: PeopleFilter, page: int = 1) -> Page[User]:
    """People matching `flt`, by name then e-mail, a page at a time (roles and groups
    loaded in two extra queries, whatever the page size)."""
    query = sa.select(User)
    if flt.search:
        pattern = like_pattern(flt.search)
        query = query.where(sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"),
                                   User.email.like(pattern, escape="\\")))
    if flt.tier_id:
        query = query.where(User.tier_id == flt.tier_id)
    if flt.group_id:
        query = query.where(
            User.id.in_(
                sa.select(user_group.c.user_id).where(user_group.c.group_id == flt.group_id))
        )
    if flt.role:
        query = query.where(
            User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == flt.role)))
    if flt.active is not None:
        query = query.where(User.is_active == flt.active)
    return paginate(session, query, page, PAGE_SIZE, sa.func.lower(User.name), User.email,
                    options=(selectinload(User.groups),))


def active_with_role(session: Session, role: str) -> list[User]:
    """Active people who hold `role` (e.g. the admins a warning goes to), by id."""
    return list(session.scalars(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.is_active).order_by(User.id)))


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_tiers(session: Session) -> list[Tier]:
    return list(session.scalars(sa.select(Tier).order_by(Tier.id)))


def count_by_tier(session: Session) -> dict[int, int]:
    """Active people per tier."""
    rows = session.execute(
        sa.select(User.tier_id, sa.func.count()).where(User.is_active).group_by(User.tier_id)
    )
    return {tier_id: count for tier_id, count in rows}


def update_tier(session: Session, tier: Tier, name: str, description: str) -> Tier:
    """Give a tier its own wording; empty fields go back to the built-in (translated) text."""
    tier.custom_name = name.strip() or None
    tier.custom_description = description.strip() or None
    session.flush()
    return tier


def list_groups(session: Session) -> list[Group]:
    return list(session.scalars(sa.select(Group).order_by(Group.kind, sa.func.lower(Group.name))))


def groups_by_kind(session: Session) -> dict[str, list[Group]]:
    grouped: dict[str, list[Group]] = {kind: [] for kind in GROUP_KINDS}
    for group in list_groups(session):
        grouped[group.kind].append(group)
    return grouped


def count_members(session: Session) -> dict[int, int]:
    """Members per group id (active and inactive), in one query."""
    rows = session.execute(
        sa.select(user_group.c.group_id, sa.func.count()).group_by(user_group.c.group_id)
    )
    return {group_id: count for group_id, count in rows}


def save_group(session: Session, group: Group | None, kind: str, name: str) -> Group:
    """Create a group, or rename / move an existing one; names are unique per kind."""
    name = " ".join(name.split())
    if kind not in GROUP_KINDS:
        raise DomainError(_("Unknown kind of group."))
    clash = session.scalar(sa.select(Group).where(Group.kind == kind, Group.name == name))
    if clash is not None and clash is not group:
        raise DomainError(_("A group called %(name)s exists already.", name=name))
    if group is None:
        group = Group(kind=kind, name=name)
        session.add(group)
    group.kind, group.name = kind, name
    session.flush()
    return group


def role_labels() -> dict[str, str]:
    return {
        "employee": _("Employee"),
        "comms": _("Communications"),
        "hr": _("HR"),
        "admin": _("Admin"),
    }


def kind_labels() -> dict[str, str]:
    return {"department": _("Department"), "location": _("Location"), "custom": _("Custom group")}



def set_language(session: Session, user: User, language: str) -> None:
    user.language = language
    session.flush()


@dataclass
class ProfileData:
    name: str
    language: str
    content_languages: str = ""
    mastodon_instance: str | None = None
    leaderboard_opt_in: bool = False
    digest: str = "weekly"
    reported_followers: int | None = None


def update_profile(session: Session, user: User, data: ProfileData, today: dt.date) -> None:
    """What every person may change about themselves. A follower count they enter is
    dated today when it changes (a reminder comes after REPORTED_FOLLOWERS_DAYS)."""
    user.name = data.name.strip()
    user.language = data.language
    user.content_languages = data.content_languages or None
    user.mastodon_instance = data.mastodon_instance or None
    user.leaderboard_opt_in = data.leaderboard_opt_in
    user.digest = data.digest
    if data.reported_followers != user.reported_followers:
        user.reported_followers = data.reported_followers
        user.reported_followers_on = today if data.reported_followers is not None else None
        user.reported_reminded_on = None
    session.flush()


def ensure_admin(session: Session, email: str, name: str | None, password: str,
                 min_length: int) -> User:
    """Create an admin or promote an existing person; set their password (CLI use)."""
    problems = password_problems(password, email, min_length)
    if problems:
        raise ValueError(" ".join(problems))
    user = get_user_by_email(session, email)
    if user is None:
        default_name = email.split("@", 1)[0].replace(".", " ").title()
        user = create_user(session, PersonData(email=email, name=name or default_name,
                                               roles={"admin", "employee"}))
    elif name:
        user.name = name
    user.set_roles(set(user.roles) | {"admin"})
    user.is_active = True
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.flush()
    log.info("person %s made admin from the command line", user.id)
    return user
