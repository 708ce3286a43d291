"""Training modules, their quiz questions, and each person's progress."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.db import Base, bool_false, created_at, intpk, utcnow

REQUIREMENTS = ("none", "first_share", "tier2")


class TrainingModule(Base):
    """`requirement`: "first_share" (must be passed before one's first share) or "tier2"
    (before joining tier 2); set by an admin, effective once the module is published."""

    __tablename__ = "training_module"
    __table_args__ = (
        sa.CheckConstraint(f"requirement IN {REQUIREMENTS}", name="known_requirement"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    published: Mapped[bool_false]
    requirement: Mapped[str] = mapped_column(sa.String(12), default="none",
                                             server_default="none")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="module", cascade="all, delete-orphan", passive_deletes=True,
        order_by="QuizQuestion.position")


class QuizQuestion(Base):
    """`options` one per line; `correct` the index of the right one."""

    __tablename__ = "quiz_question"
    __table_args__ = (
        sa.CheckConstraint("correct >= 0", name="correct_not_negative"),
        sa.Index("ix_quiz_question_module_id", "module_id"),
    )

    id: Mapped[intpk]
    module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_module.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    options: Mapped[str] = mapped_column(sa.Text)
    correct: Mapped[int]

    module: Mapped[TrainingModule] = relationship(back_populates="questions")

    @property
    def option_list(self) -> list[str]:
        return self.options.split("\n")


class TrainingProgress(Base):
    """How often a person tried a module's quiz, and when they passed it (NULL: not yet)."""

    __tablename__ = "training_progress"
    __table_args__ = (sa.Index("ix_training_progress_module_id", "module_id"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_module.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    passed_at: Mapped[dt.datetime | None]
