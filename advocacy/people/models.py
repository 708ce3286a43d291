"""People: users, tiers, groups and roles."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, bool_false, bool_true, created_at, intpk

ROLES = ("employee", "comms", "hr", "admin")
DIGESTS = ("weekly", "daily", "none")  # how often the e-mail digest comes
LANGUAGES = ("de", "en")
GROUP_KINDS = ("department", "location", "custom")
DEFAULT_TIER = 3

# Shown until an admin gives a tier its own name or description.
TIER_DEFAULTS = {
    1: (
        _l("White glove"),
        _l("Executives and top management. Communications prepares posts for them; "
           "they review, adjust and publish."),
    ),
    2: (
        _l("High touch"),
        _l("Subject-matter experts, speakers and sellers with topic feeds and coaching."),
    ),
    3: (
        _l("On demand"),
        _l("Every other employee who joins: a self-service library to share from."),
    ),
}

user_group = sa.Table(
    "user_group",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("org_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_user_group_group_id", "group_id"),
)


class Tier(Base):
    """One of the three service levels; the numbering is fixed, the wording is editable."""

    __tablename__ = "tier"
    __table_args__ = (sa.CheckConstraint("id IN (1, 2, 3)", name="known_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    custom_name: Mapped[str | None] = mapped_column(sa.String(80))
    custom_description: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def name(self) -> str:
        return self.custom_name or str(TIER_DEFAULTS[self.id][0])

    @property
    def description(self) -> str:
        return self.custom_description or str(TIER_DEFAULTS[self.id][1])


class Group(Base):
    """A department, a location or a custom group; people belong to any number of them."""

    __tablename__ = "org_group"
    __table_args__ = (
        sa.UniqueConstraint("kind", "name"),
        sa.CheckConstraint("kind IN ('department', 'location', 'custom')", name="known_kind"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[created_at]

    members: Mapped[list[User]] = relationship(
        secondary=user_group, back_populates="groups", passive_deletes=True
    )


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (
        sa.CheckConstraint("role IN ('employee', 'comms', 'hr', 'admin')", name="known_role"),
        sa.Index("ix_user_role_role", "role"),
    )

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class User(Base):
    """A person who can log in. `session_version` is part of the login cookie, so raising it
    ends every session of that person (password change, deactivation, role change)."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("language IN ('de', 'en')", name="known_language"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("digest IN ('weekly', 'daily', 'none')", name="known_digest"),
        sa.Index("ix_user_account_tier_id", "tier_id"),
        # One account per person at the single sign-on provider.
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(2), default="de", server_default="de")
    tier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tier.id", ondelete="RESTRICT"),
        default=DEFAULT_TIER,
        server_default=str(DEFAULT_TIER),
    )
    is_active: Mapped[bool_true]
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[created_at]
    invited_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    # Sharing preferences
    content_languages: Mapped[str | None] = mapped_column(sa.String(5))  # "de", "en", "de,en"
    last_network: Mapped[str | None] = mapped_column(sa.String(20))
    mastodon_instance: Mapped[str | None] = mapped_column(sa.String(200))
    leaderboard_opt_in: Mapped[bool_false]
    # LinkedIn does not tell apps how many follow a person, so they may say it themselves
    # (dated; reminded after REPORTED_FOLLOWERS_DAYS): reach "self-reported" in reports.
    reported_followers: Mapped[int | None]
    reported_followers_on: Mapped[dt.date | None]
    reported_reminded_on: Mapped[dt.date | None]
    digest: Mapped[str] = mapped_column(sa.String(6), default="weekly", server_default="weekly")
    # Single sign-on: the provider's stable id of this person (the e-mail may change there).
    oidc_issuer: Mapped[str | None] = mapped_column(sa.String(255))
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255))

    tier: Mapped[Tier] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", passive_deletes=True
    )
    groups: Mapped[list[Group]] = relationship(
        secondary=user_group, back_populates="members", passive_deletes=True
    )

    # Flask-Login protocol, written out instead of UserMixin because `is_active` is a column.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    def set_roles(self, roles: set[str] | frozenset[str]) -> None:
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(roles - have)]

    def groups_of(self, kind: str) -> list[Group]:
        return sorted((g for g in self.groups if g.kind == kind), key=lambda g: g.name.lower())

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def feed_languages(self) -> list[str]:
        """The content languages this person wants; by default their own language."""
        chosen = [code for code in (self.content_languages or "").split(",") if code in LANGUAGES]
        return chosen or [self.language]
