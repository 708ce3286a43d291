"""Single-use tokens for password resets and invitations; failed-login records."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, created_at, intpk
from advocacy.people.models import User

TOKEN_PURPOSES = ("reset", "invite")


class AuthToken(Base):
    """A link sent by e-mail. Only a hash of the token is stored, so a leaked database
    cannot be turned into working links."""

    __tablename__ = "auth_token"
    __table_args__ = (
        sa.CheckConstraint("purpose IN ('reset', 'invite')", name="known_purpose"),
        sa.Index("ix_auth_token_user_id", "user_id"),
        sa.Index("ix_auth_token_expires_at", "expires_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed login. Keys are keyed hashes: the account key of the e-mail typed in (known
    or not), the address key of the client address; neither can be read back."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_account_key_created_at", "account_key", "created_at"),
        sa.Index("ix_login_failure_address_key_created_at", "address_key", "created_at"),
        sa.Index("ix_login_failure_created_at", "created_at"),
    )

    id: Mapped[intpk]
    account_key: Mapped[str] = mapped_column(sa.String(64))
    address_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[created_at]
