"""single sign-on

Revision ID: 8973bb9e4a41
Revises: ff45ac80db54
Created: 2026-11-21 17:28 UTC

Single sign-on with OpenID Connect: each person's subject at the provider (unique per
issuer), the admin-defined rules that map claims to groups and a tier, and which group
memberships those rules gave (so they can be taken back, and hand-given ones stay).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8973bb9e4a41"
down_revision = "ff45ac80db54"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sso_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("tier_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('equals', 'contains')", name=op.f("ck_sso_rule_known_kind")),
        sa.CheckConstraint("group_id IS NOT NULL OR tier_id IS NOT NULL", name=op.f("ck_sso_rule_has_target")),
        sa.ForeignKeyConstraint(["group_id"], ["org_group.id"], name=op.f("fk_sso_rule_group_id_org_group"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tier_id"], ["tier.id"], name=op.f("fk_sso_rule_tier_id_tier"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_rule"))
    )
    with op.batch_alter_table("sso_rule", schema=None) as batch_op:
        batch_op.create_index("ix_sso_rule_position", ["position"], unique=False)

    op.create_table(
        "sso_group_grant",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["org_group.id"], name=op.f("fk_sso_group_grant_group_id_org_group"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_sso_group_grant_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "group_id", name=op.f("pk_sso_group_grant"))
    )
    with op.batch_alter_table("sso_group_grant", schema=None) as batch_op:
        batch_op.create_index("ix_sso_group_grant_group_id", ["group_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_oidc_issuer_oidc_subject"), ["oidc_issuer", "oidc_subject"])


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_oidc_issuer_oidc_subject"), type_="unique")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")

    with op.batch_alter_table("sso_group_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_sso_group_grant_group_id")

    op.drop_table("sso_group_grant")
    with op.batch_alter_table("sso_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_sso_rule_position")

    op.drop_table("sso_rule")
