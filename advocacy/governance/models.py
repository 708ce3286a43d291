"""Social-media guidelines, versioned, in one text per language, and who acknowledged which
version when."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, intpk
from advocacy.i18n import LANGUAGES
from advocacy.people.models import User


class Guideline(Base):
    """One version: what people acknowledge. Its words are its `texts`, one per language,
    saying the same; an acknowledgement counts for the version, whichever language it was
    read in."""

    __tablename__ = "guideline"

    id: Mapped[intpk]
    version: Mapped[int] = mapped_column(unique=True)
    published_at: Mapped[dt.datetime]
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    published_by: Mapped[User | None] = relationship()
    texts: Mapped[list[GuidelineText]] = relationship(
        back_populates="guideline", cascade="all, delete-orphan", lazy="selectin",
        order_by="GuidelineText.language")

    @property
    def languages(self) -> list[str]:
        return [text.language for text in self.texts]

    def text_in(self, language: str) -> GuidelineText:
        """The text in `language`, or, where this version has none in it, the first one it
        has in the order of `LANGUAGES` (German, then English)."""
        by_language = {text.language: text for text in self.texts}
        for candidate in (language, *LANGUAGES):
            if candidate in by_language:
                return by_language[candidate]
        raise LookupError(f"guideline {self.id} has no text")


class GuidelineText(Base):
    """A version's title and body in one language (sanitised HTML)."""

    __tablename__ = "guideline_text"
    __table_args__ = (
        sa.CheckConstraint("language IN ('de', 'en')", name="known_language"),
    )

    guideline_id: Mapped[int] = mapped_column(
        sa.ForeignKey("guideline.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body_html: Mapped[str] = mapped_column(sa.Text)

    guideline: Mapped[Guideline] = relationship(back_populates="texts")


class GuidelineAck(Base):
    __tablename__ = "guideline_ack"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    guideline_id: Mapped[int] = mapped_column(sa.ForeignKey("guideline.id", ondelete="CASCADE"),
                                              primary_key=True)
    acknowledged_at: Mapped[dt.datetime]
