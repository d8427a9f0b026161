"""dot voting and the timer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00.000000

Dot voting rounds and their dots (vote_rounds, votes) and board timers (board_timers).
Written by hand: only new tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vote_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.String(length=24), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("per_card_cap", sa.Integer(), nullable=False),
        sa.Column("show_live", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_vote_rounds_board_id_boards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_vote_rounds_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_rounds")),
    )
    op.create_index(op.f("ix_vote_rounds_board_id"), "vote_rounds", ["board_id"], unique=False)
    op.create_index(op.f("ix_vote_rounds_workshop_id"), "vote_rounds", ["workshop_id"], unique=False)
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_votes_card_id_cards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_votes_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["vote_rounds.id"], name=op.f("fk_votes_round_id_vote_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    )
    op.create_index(op.f("ix_votes_round_id"), "votes", ["round_id"], unique=False)
    op.create_table(
        "board_timers",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("remaining_ms", sa.Integer(), nullable=True),
        sa.Column("lock_on_end", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_board_timers_board_id_boards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_board_timers_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_board_timers")),
    )
    op.create_index(op.f("ix_board_timers_state"), "board_timers", ["state"], unique=False)
    op.create_index(op.f("ix_board_timers_workshop_id"), "board_timers", ["workshop_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_board_timers_workshop_id"), table_name="board_timers")
    op.drop_index(op.f("ix_board_timers_state"), table_name="board_timers")
    op.drop_table("board_timers")
    op.drop_index(op.f("ix_votes_round_id"), table_name="votes")
    op.drop_table("votes")
    op.drop_index(op.f("ix_vote_rounds_workshop_id"), table_name="vote_rounds")
    op.drop_index(op.f("ix_vote_rounds_board_id"), table_name="vote_rounds")
    op.drop_table("vote_rounds")
