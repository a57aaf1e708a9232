"""ingestion: sources, ingested objects, agent mappings, call metadata

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ingest_sources',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('folder', 's3', 'webhook', name='sourcekind', native_enum=False, length=20), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('hmac_secret', sa.String(length=200), nullable=True),
    sa.Column('position', sa.String(length=1024), nullable=True),
    sa.Column('retention', sa.Enum('keep', 'delete', name='retention', native_enum=False, length=10), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_ingest_sources_name'))
    )
    op.create_table('agent_mappings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('ref_kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_agent_mappings_agent_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['ingest_sources.id'], name=op.f('fk_agent_mappings_source_id_ingest_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_mappings')),
    sa.UniqueConstraint('source_id', 'ref_kind', 'ref', name='uq_agent_mappings_source_ref')
    )
    op.create_table('call_metadata',
    sa.Column('call_id', sa.Uuid(), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=True),
    sa.Column('external_id', sa.String(length=1024), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queue', sa.String(length=200), nullable=True),
    sa.Column('direction', sa.String(length=20), nullable=True),
    sa.Column('customer_ref', sa.String(length=300), nullable=True),
    sa.Column('ticket_url', sa.String(length=1000), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_metadata_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['ingest_sources.id'], name=op.f('fk_call_metadata_source_id_ingest_sources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_call_metadata'))
    )
    with op.batch_alter_table('call_metadata', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_metadata_started_at'), ['started_at'], unique=False)

    op.create_table('ingested_objects',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('object_id', sa.String(length=1024), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('ingested', 'duplicate', 'unassigned', 'quarantined', name='ingeststatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('call_id', sa.Uuid(), nullable=True),
    sa.Column('storage_key', sa.String(length=300), nullable=True),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_ingested_objects_call_id_calls'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['ingest_sources.id'], name=op.f('fk_ingested_objects_source_id_ingest_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingested_objects')),
    sa.UniqueConstraint('source_id', 'object_id', 'content_sha256', name='uq_ingested_objects_source_object')
    )
    with op.batch_alter_table('ingested_objects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingested_objects_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingested_objects_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_ingested_objects_source_status', ['source_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ingested_objects', schema=None) as batch_op:
        batch_op.drop_index('ix_ingested_objects_source_status')
        batch_op.drop_index(batch_op.f('ix_ingested_objects_created_at'))
        batch_op.drop_index(batch_op.f('ix_ingested_objects_call_id'))

    op.drop_table('ingested_objects')
    with op.batch_alter_table('call_metadata', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_metadata_started_at'))

    op.drop_table('call_metadata')
    op.drop_table('agent_mappings')
    op.drop_table('ingest_sources')
