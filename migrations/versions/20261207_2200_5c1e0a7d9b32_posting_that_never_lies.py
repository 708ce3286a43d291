"""posting that never lies

Revision ID: 5c1e0a7d9b32
Revises: 8973bb9e4a41
Created: 2026-12-07 22:00 UTC

The outbox gets explicit states for an unknown outcome (the job settles it) and for a post
in doubt (the person decides); "blocked" goes, because waiting for a reconnection is read
from the account. Each post remembers its first attempt, whether any outcome was ever
open, and what the network billed. A share keeps its words, disclosure line and tracked
link apart. Networks that bill per post get a monthly budget. A Mastodon account remembers
what its server counts for a link.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5c1e0a7d9b32"
down_revision = "8973bb9e4a41"
branch_labels = None
depends_on = None

NEW_STATES = ("state IN ('queued', 'sending', 'unknown', 'in_doubt', 'posted', 'failed', "
              "'cancelled')")
OLD_STATES = "state IN ('queued', 'sending', 'posted', 'failed', 'cancelled', 'blocked')"


def upgrade() -> None:
    op.create_table(
        "network_budget",
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("monthly_posts", sa.Integer(), nullable=True),
        sa.Column("monthly_amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("stopped_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.String(length=10), nullable=True),
        sa.Column("stop_note", sa.String(length=300), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("stop_reason IS NULL OR stop_reason IN ('budget', 'capped')",
                           name=op.f("ck_network_budget_known_stop_reason")),
        sa.PrimaryKeyConstraint("network", name=op.f("pk_network_budget")),
    )
    with op.batch_alter_table("social_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url_length", sa.Integer(), nullable=True))
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disclosure", sa.Text(), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("link", sa.String(length=2100), server_default="",
                                      nullable=False))
    _split_share_texts()
    with op.batch_alter_table("share", schema=None) as batch_op:
        # The default only filled the rows that were there; new shares always name both.
        batch_op.alter_column("disclosure", server_default=None)
        batch_op.alter_column("link", server_default=None)
    with op.batch_alter_table("outbox_post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_sent_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("doubted", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column("cost", sa.Numeric(precision=10, scale=4),
                                      nullable=True))
        batch_op.add_column(sa.Column("looked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_outbox_post_known_state"), type_="check")
    outbox = sa.table("outbox_post", sa.column("state", sa.String), sa.column("attempts"),
                      sa.column("outcome_unknown", sa.Boolean),
                      sa.column("doubted", sa.Boolean),
                      sa.column("first_sent_at", sa.DateTime(timezone=True)),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    # Posts that went out before this revision: their first attempt was after they were
    # queued, so look-ups (and Mastodon's idempotency window) start from then.
    op.execute(outbox.update().where(sa.or_(
        outbox.c.outcome_unknown, outbox.c.state.in_(("sending", "failed", "posted"))))
        .values(first_sent_at=outbox.c.created_at))
    # Held for a reconnection: queued again; the account's status now says why it waits.
    op.execute(outbox.update().where(outbox.c.state == "blocked").values(state="queued"))
    # A failed post whose outcome was open was a post in doubt all along.
    op.execute(outbox.update().where(outbox.c.state == "failed", outbox.c.outcome_unknown)
               .values(state="in_doubt"))
    # A queued post with an open outcome is one the job is settling.
    op.execute(outbox.update().where(outbox.c.state == "queued", outbox.c.outcome_unknown)
               .values(state="unknown"))
    op.execute(outbox.update().where(outbox.c.outcome_unknown).values(doubted=True))
    with op.batch_alter_table("outbox_post", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_outbox_post_known_state"), NEW_STATES)


def _split_share_texts() -> None:
    """Shares stored their post whole: words, a blank line, the disclosure line, and the
    link on the last line. The link comes off cleanly; words and disclosure line stay
    together in `text` (which lines were the disclosure cannot be told for sure)."""
    share = sa.table("share", sa.column("id", sa.Integer), sa.column("text", sa.Text),
                     sa.column("link", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(share.c.id, share.c.text)).all()
    for share_id, text in rows:
        words, _sep, link = (text or "").rpartition("\n")
        if "://" not in link:  # an erased share (empty text) or an unexpected shape
            continue
        connection.execute(share.update().where(share.c.id == share_id)
                           .values(text=words, link=link))


def downgrade() -> None:
    share = sa.table("share", sa.column("text", sa.Text), sa.column("link", sa.String),
                     sa.column("disclosure", sa.Text))
    joined = sa.case(
        (share.c.disclosure != "", share.c.text + "\n\n" + share.c.disclosure),
        else_=share.c.text)
    op.execute(share.update().where(share.c.link != "").values(
        text=sa.case((joined == "", share.c.link), else_=joined + "\n" + share.c.link)))
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.drop_column("link")
        batch_op.drop_column("disclosure")
    outbox = sa.table("outbox_post", sa.column("state", sa.String),
                      sa.column("outcome_unknown", sa.Boolean))
    with op.batch_alter_table("outbox_post", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_post_known_state"), type_="check")
    op.execute(outbox.update().where(outbox.c.state == "unknown").values(
        state="queued", outcome_unknown=True))
    op.execute(outbox.update().where(outbox.c.state == "in_doubt").values(
        state="failed", outcome_unknown=True))
    with op.batch_alter_table("outbox_post", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_outbox_post_known_state"), OLD_STATES)
        batch_op.drop_column("looked_at")
        batch_op.drop_column("cost")
        batch_op.drop_column("doubted")
        batch_op.drop_column("first_sent_at")
    with op.batch_alter_table("social_account", schema=None) as batch_op:
        batch_op.drop_column("url_length")
    op.drop_table("network_budget")
