"""Runs one Alembic command in the test project (the current directory) the
way the alembic command line does (alembic.config.Config + alembic.command),
and prints one JSON line: every statement SQLAlchemy sent (its
before_cursor_execute event), the notices psycopg2 received
(connection.notices, before SQLAlchemy moves them to its log), the text offline mode (--sql) wrote, the command's
output, and the exception, if any, with what an application can read from it.

Usage: driver.py upgrade [--sql] [target]  |  driver.py revision <message> <revision id>
"""

import io
import json
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine

from fkg_e2e import error_fields


def main(argv):
    sent = []
    raw_connections = []

    @event.listens_for(Engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement if not parameters else "%s -- params %r" % (statement, parameters))
        raw = cursor.connection
        if raw not in raw_connections:
            raw_connections.append(raw)

    # SQLAlchemy 1.4's psycopg2 dialect empties connection.notices after each
    # statement (PGExecutionContext_psycopg2._log_notices), logging them at
    # INFO on "sqlalchemy.dialects.postgresql": copy them first (this event
    # comes before that), so that a test sees what the server sent, and
    # separately what Alembic's log shows (stderr).
    @event.listens_for(Engine, "after_cursor_execute")
    def keep_notices(conn, cursor, statement, parameters, context, executemany):
        notices.extend(cursor.connection.notices)

    notices = []
    offline = io.StringIO()
    out = io.StringIO()
    cfg = Config("alembic.ini", output_buffer=offline, stdout=out)
    result = {"command": argv, "error": None}
    try:
        if argv[0] == "upgrade":
            sql = "--sql" in argv
            rest = [a for a in argv[1:] if a != "--sql"]
            command.upgrade(cfg, rest[0] if rest else "head", sql=sql)
        elif argv[0] == "revision":
            command.revision(cfg, message=argv[1], rev_id=argv[2], autogenerate=True)
        else:
            raise SystemExit("unknown command %r" % argv[0])
    except Exception as e:  # what `alembic upgrade` raises to the application
        result["error"] = error_fields(e)
    notices += [n for raw in raw_connections for n in raw.notices]  # a failed statement's
    result.update(sent=sent, notices=notices, offline=offline.getvalue(), output=out.getvalue())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
