"""Connected social accounts and the per-instance Mastodon apps."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, created_at, intpk, utcnow
from advocacy.people.models import User

API_NETWORKS = ("linkedin", "x", "mastodon", "bluesky")
ACCOUNT_STATES = ("active", "reconnect")


class SocialAccount(Base):
    """One person's account on one network, connected through its API.

    Secrets (`*_enc`) are sealed with `advocacy.crypto`; everything else is what the
    product shows or needs to post: the handle, a display name, the follower count (the
    estimated reach of a share), the granted scopes, and when the access token expires.
    """

    __tablename__ = "social_account"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "network"),
        sa.CheckConstraint("network IN ('linkedin', 'x', 'mastodon', 'bluesky')",
                           name="known_network"),
        sa.CheckConstraint("status IN ('active', 'reconnect')", name="known_status"),
        sa.Index("ix_social_account_expires_at", "expires_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(sa.String(20))
    base_url: Mapped[str | None] = mapped_column(sa.String(300))  # Mastodon server, Bluesky PDS
    external_id: Mapped[str] = mapped_column(sa.String(200))  # URN, user id, account id, DID
    handle: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    followers: Mapped[int | None]
    followers_at: Mapped[dt.datetime | None]
    scopes: Mapped[str] = mapped_column(sa.String(500), default="")
    access_token_enc: Mapped[str | None] = mapped_column(sa.Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(sa.Text)
    secret_enc: Mapped[str | None] = mapped_column(sa.Text)  # Bluesky app password
    expires_at: Mapped[dt.datetime | None]
    char_limit: Mapped[int | None]  # Mastodon servers set their own
    url_length: Mapped[int | None]  # ... and what a link counts (characters_reserved_per_url)
    status: Mapped[str] = mapped_column(sa.String(10), default="active",
                                        server_default="active")
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    reminded_at: Mapped[dt.datetime | None]  # expiry reminder sent
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    @property
    def needs_reconnect(self) -> bool:
        return self.status == "reconnect"


class MastodonApp(Base):
    """Our app as registered on one Mastodon server (once per server, then reused)."""

    __tablename__ = "mastodon_app"

    base_url: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(200))
    client_secret_enc: Mapped[str] = mapped_column(sa.Text)
    redirect_uri: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[created_at]


class FollowerCount(Base):
    """An account's follower count, one row per day it was read: the follower trend shown
    to people whose goal is network growth."""

    __tablename__ = "follower_count"

    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("social_account.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    followers: Mapped[int]
