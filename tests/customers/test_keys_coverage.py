"""`walletdesk keys rotate` covers every encrypted column of the schema: one left out would
stay under the old key and become unreadable once that key is removed (agents' two-factor
secrets and the email-code addresses were, until this test)."""

from dataclasses import fields

from sqlalchemy import Column, Integer, MetaData, Table

from walletdesk.crypto import EncryptedText
from walletdesk.customers.keys import ENCRYPTED, Rotated
from walletdesk.models import Base


def encrypted_columns(metadata: MetaData) -> set[tuple[str, str]]:
    return {(table.name, column.name) for table in metadata.tables.values()
            for column in table.columns if isinstance(column.type, EncryptedText)}


def rotated_columns() -> set[tuple[str, str]]:
    return {(spec.table, name) for spec in ENCRYPTED for name in spec.columns}


def test_every_encrypted_column_is_rotated():
    schema = encrypted_columns(Base.metadata)
    assert {("agents", "totp_secret"), ("email_codes", "email")} <= schema  # the walk sees them
    missing = schema - rotated_columns()
    assert not missing, (f"add {sorted(missing)} to walletdesk.customers.keys.ENCRYPTED: "
                         "`keys rotate` would leave them under the old key")
    assert rotated_columns() <= schema  # nothing rotated that is not encrypted


def test_a_new_encrypted_column_would_be_noticed():
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("agent_notes", metadata, Column("id", Integer, primary_key=True),
          Column("note", EncryptedText))
    assert encrypted_columns(metadata) - rotated_columns() == {("agent_notes", "note")}


def test_hash_columns_exist_and_every_table_has_its_count():
    tables = Base.metadata.tables
    counts = {f.name for f in fields(Rotated)}
    for spec in ENCRYPTED:
        assert spec.counted_as in counts, spec
        assert set(spec.hashes) <= set(spec.columns), spec
        for hashed in spec.hashes.values():
            assert hashed in tables[spec.table].columns, (spec.table, hashed)
    assert {spec.counted_as for spec in ENCRYPTED} == counts
