"""Alembic's environment, as `alembic init` writes it, with the database from
FKG_DB_* and the models' metadata from models.py. compare_type=True so that
autogenerate compares column types (the default from Alembic 1.12 on)."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

import models

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

URL = "postgresql+psycopg2://%s@/%s?host=%s&port=%s" % (
    os.environ["FKG_DB_USER"], os.environ["FKG_DB_NAME"], os.environ["FKG_DB_HOST"], os.environ["FKG_DB_PORT"])
target_metadata = models.metadata


def run_migrations_offline():
    context.configure(url=URL, target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = create_engine(URL, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
