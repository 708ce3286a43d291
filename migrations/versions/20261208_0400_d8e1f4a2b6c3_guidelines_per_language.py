"""guidelines per language

Revision ID: d8e1f4a2b6c3
Revises: c3f9a7d05e18
Created: 2026-12-08 04:00 UTC

A version of the social-media guidelines has one text per language (German, English), so
each person reads the version in their language; acknowledgements stay with the version.
Each existing version's title and body become its text in the language they are written
in, told apart by their most common little words (German where it is a tie); admins can add
the other language to the current version. A downgrade keeps one text per version, the
German one where there is one.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "d8e1f4a2b6c3"
down_revision = "c3f9a7d05e18"
branch_labels = None
depends_on = None

_GERMAN = frozenset(("und", "der", "die", "das", "nicht", "sie", "ist", "mit", "für", "auf",
                     "den", "wir", "ein", "eine", "zu", "dem", "des", "ihr", "sich", "bei",
                     "oder", "auch", "wie", "wenn"))
_ENGLISH = frozenset(("the", "and", "to", "of", "is", "you", "not", "for", "with", "on", "we",
                      "your", "are", "be", "or", "this", "that", "what", "when", "our"))


def _language(title: str, body_html: str) -> str:
    words = re.findall(r"[a-zäöüß]+", f"{title} {re.sub(r'<[^>]*>', ' ', body_html)}".lower())
    german = sum(word in _GERMAN for word in words)
    english = sum(word in _ENGLISH for word in words)
    return "en" if english > german else "de"


def upgrade() -> None:
    texts = op.create_table(
        "guideline_text",
        sa.Column("guideline_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.CheckConstraint("language IN ('de', 'en')",
                           name=op.f("ck_guideline_text_known_language")),
        sa.ForeignKeyConstraint(["guideline_id"], ["guideline.id"],
                                name=op.f("fk_guideline_text_guideline_id_guideline"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("guideline_id", "language", name=op.f("pk_guideline_text")),
    )
    rows = op.get_bind().execute(sa.text("SELECT id, title, body_html FROM guideline")).all()
    if rows:
        op.bulk_insert(texts, [
            {"guideline_id": id_, "language": _language(title, body_html), "title": title,
             "body_html": body_html} for id_, title, body_html in rows])
    with op.batch_alter_table("guideline") as batch:
        batch.drop_column("body_html")
        batch.drop_column("title")


def downgrade() -> None:
    with op.batch_alter_table("guideline") as batch:
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("body_html", sa.Text(), nullable=True))
    for column in ("title", "body_html"):
        op.execute(f"UPDATE guideline SET {column} = COALESCE((SELECT t.{column} "  # noqa: S608 - our column names
                   "FROM guideline_text t WHERE t.guideline_id = guideline.id "
                   "ORDER BY t.language LIMIT 1), '')")
    with op.batch_alter_table("guideline") as batch:
        batch.alter_column("title", existing_type=sa.String(length=200), nullable=False)
        batch.alter_column("body_html", existing_type=sa.Text(), nullable=False)
    op.drop_table("guideline_text")
