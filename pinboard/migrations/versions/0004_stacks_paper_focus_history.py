"""stacks, paper cards, wall dots, assistants, focus and undo history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:00:00.000000

Written by hand. New columns are added with plain ALTER TABLE: no batch copy of `cards`, which
the votes reference with ON DELETE CASCADE.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workshops", sa.Column("assistant_key_hash", sa.String(length=64), nullable=True))
    op.add_column("workshops", sa.Column("focus_card_id", sa.Integer(), nullable=True))
    op.add_column("workshops", sa.Column("focus_cluster_id", sa.Integer(), nullable=True))
    op.add_column("cards", sa.Column("on_paper", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("cards", sa.Column("stacked_on_id", sa.Integer(), nullable=True))
    op.create_table(
        "wall_dots",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_wall_dots_card_id_cards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["vote_rounds.id"],
            name=op.f("fk_wall_dots_round_id_vote_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "card_id", name=op.f("pk_wall_dots")),
    )
    op.create_table(
        "history_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("undo", sa.JSON(), nullable=False),
        sa.Column("redo", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_history_entries_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_entries")),
    )
    op.create_index(
        "ix_history_entries_workshop_state", "history_entries", ["workshop_id", "state"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_history_entries_workshop_state", table_name="history_entries")
    op.drop_table("history_entries")
    op.drop_table("wall_dots")
    for table, column in (
        ("cards", "stacked_on_id"),
        ("cards", "on_paper"),
        ("workshops", "focus_cluster_id"),
        ("workshops", "focus_card_id"),
        ("workshops", "assistant_key_hash"),
    ):
        op.drop_column(table, column)
