"""training

Revision ID: ff45ac80db54
Revises: df2d7c8ce0cd
Created: 2026-11-21 16:01 UTC

Training modules with quiz questions, what an admin requires them for, and each person's
progress.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ff45ac80db54"
down_revision = "df2d7c8ce0cd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("requirement", sa.String(length=12), server_default="none", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("requirement IN ('none', 'first_share', 'tier2')", name=op.f("ck_training_module_known_requirement")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_training_module_created_by_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_module"))
    )
    op.create_table(
        "quiz_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.CheckConstraint("correct >= 0", name=op.f("ck_quiz_question_correct_not_negative")),
        sa.ForeignKeyConstraint(["module_id"], ["training_module.id"], name=op.f("fk_quiz_question_module_id_training_module"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_question"))
    )
    with op.batch_alter_table("quiz_question", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_question_module_id", ["module_id"], unique=False)

    op.create_table(
        "training_progress",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["module_id"], ["training_module.id"], name=op.f("fk_training_progress_module_id_training_module"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_training_progress_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "module_id", name=op.f("pk_training_progress"))
    )
    with op.batch_alter_table("training_progress", schema=None) as batch_op:
        batch_op.create_index("ix_training_progress_module_id", ["module_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_training_progress_module_id")

    op.drop_table("training_progress")
    with op.batch_alter_table("quiz_question", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_question_module_id")

    op.drop_table("quiz_question")
    op.drop_table("training_module")
