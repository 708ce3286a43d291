"""Rules that map a sign-in's claims to groups and a tier, and which memberships they gave."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, created_at, intpk
from advocacy.people.models import Group, Tier

MATCH_KINDS = ("equals", "contains")


class SsoRule(Base):
    """If the claim `claim` (a dotted path for nested claims, e.g. realm_access.roles)
    matches `value`, the person joins `group` and/or gets `tier`. Rules are applied in
    `position` order at each single sign-on: every matching rule adds its group, the first
    matching rule with a tier sets the tier."""

    __tablename__ = "sso_rule"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('equals', 'contains')", name="known_kind"),
        sa.CheckConstraint("group_id IS NOT NULL OR tier_id IS NOT NULL", name="has_target"),
        sa.Index("ix_sso_rule_position", "position"),
    )

    id: Mapped[intpk]
    position: Mapped[int]
    claim: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(10))
    value: Mapped[str] = mapped_column(sa.String(255))
    # A rule whose group is deleted has nothing left to give (or only its tier): it goes too.
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_group.id",
                                                               ondelete="CASCADE"))
    tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tier.id", ondelete="RESTRICT"))
    created_at: Mapped[created_at]

    group: Mapped[Group | None] = relationship(lazy="joined")
    tier: Mapped[Tier | None] = relationship(lazy="joined")


class SsoGroupGrant(Base):
    """A group membership that the rules gave, so that it can be taken back when the rule
    no longer matches; memberships an admin gave by hand have no row here and stay."""

    __tablename__ = "sso_group_grant"
    __table_args__ = (sa.Index("ix_sso_group_grant_group_id", "group_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("org_group.id", ondelete="CASCADE"),
                                          primary_key=True)
