"""Runs one Django management command in the test project (the current
directory) the way manage.py does, and prints one JSON line: the statements
Django's schema editor sent (its own "django.db.backends.schema" logger),
every statement the connection ran (connection.execute_wrapper), the notices
psycopg2 received (connection.notices), the command's output, and the
exception, if any, with what an application can read from it.

Usage: driver.py <command> [args...]   e.g. driver.py migrate shop
"""

import io
import json
import logging
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from fkg_e2e import error_fields  # noqa: E402


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        sql = getattr(record, "sql", None)
        if sql is not None:
            params = getattr(record, "params", None)
            self.statements.append(sql if not params else sql % tuple(params))


def main(argv):
    django.setup()
    schema = Collect()
    log = logging.getLogger("django.db.backends.schema")
    log.setLevel(logging.DEBUG)
    log.addHandler(schema)
    log.propagate = False
    executed = []

    def record(execute, sql, params, many, context):
        executed.append(sql if not params else "%s -- params %r" % (sql, params))
        return execute(sql, params, many, context)

    out = io.StringIO()
    result = {"command": argv, "error": None}
    notices = []
    with connection.execute_wrapper(record):
        try:
            extra = {"interactive": False} if argv[0] in ("migrate", "makemigrations") else {}
            call_command(*argv, stdout=out, stderr=out, verbosity=1, **extra)
        except Exception as e:  # what migrate raises to the application
            result["error"] = error_fields(e)
        finally:
            if connection.connection is not None:
                notices = list(connection.connection.notices)
    result.update(schema_statements=schema.statements, executed=executed, notices=notices, output=out.getvalue())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
