"""metaplan methods: hidden card query, done signals, colours, headlines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:03:45.833635

Hidden card query (boards.hidden, cards.hidden), done signals (done_signals), colours chosen
by participants (boards.participants_choose_color) and cluster headlines (clusters.headline).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite, plain ALTER TABLE … ADD COLUMN (recreate='never'): rebuilding a table, as batch
    # mode would for a column with a default, drops it first, and with foreign keys on that
    # would delete every card of the boards table it rebuilds.
    op.create_table(
        "done_signals",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_done_signals_board_id_boards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_done_signals_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", "participant_id", name=op.f("pk_done_signals")),
    )
    with op.batch_alter_table("boards", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("participants_choose_color", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("cards", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("clusters", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("headline", sa.String(length=200), server_default="", nullable=False))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35 or later): rebuilding a table, as batch mode
    # would, drops it first, and with foreign keys on that would delete the rows that refer to it.
    with op.batch_alter_table("clusters", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("headline")

    with op.batch_alter_table("cards", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("hidden")

    with op.batch_alter_table("boards", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("hidden")
        batch_op.drop_column("participants_choose_color")

    op.drop_table("done_signals")
