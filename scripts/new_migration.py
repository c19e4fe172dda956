"""Write the next Alembic migration from the difference between the models and the schema.

    .venv/bin/python scripts/new_migration.py "what changed"

It migrates a scratch SQLite database to the current head, then autogenerates revision
``NNNN`` (the next number) into walletdesk/db/migrations/versions. Read and tidy the file
before committing it; it runs on SQLite and PostgreSQL alike (batch mode for SQLite).
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from walletdesk.db.migrate import alembic_config


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        with engine.begin() as connection:
            config = alembic_config(connection)
            command.upgrade(config, "head")
            head = ScriptDirectory.from_config(config).get_current_head() or "0000"
            command.revision(config, message=message, autogenerate=True,
                             rev_id=f"{int(head) + 1:04d}")
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
