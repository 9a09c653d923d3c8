"""Shared helpers of the Python end-to-end suite (test/run_e2e_python.sh).

A fresh database per test, owned by an ordinary role that the migration tools
connect as, with pg_fk_guard created in it by the superuser (as
test/e2e/lib/db.mjs does for the Node tools); each step of a tool runs in a
process of its own (Django's settings and models, Alembic's environment are
per process), through a driver that prints one JSON object: what the tool
sent, what it raised and the notices the connection received.

Connection settings come from the libpq variables that the runner points at
its throwaway cluster (PGHOST is a socket directory, PGPORT).
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
HOST = os.environ.get("PGHOST", "/var/run/postgresql")
PORT = int(os.environ.get("PGPORT", "5432"))
SUPERUSER = os.environ.get("FKG_E2E_SUPERUSER", "postgres")
APP_ROLE = os.environ.get("FKG_E2E_ROLE", "fkg_app")
PYTHON = sys.executable
# FKG_E2E_RECORD=1 writes the statements each tool sent into fixtures/ instead
# of comparing them with what is there.
RECORD = os.environ.get("FKG_E2E_RECORD") == "1"
# The guard's CONTEXT line on everything it raises.
GUARD_CONTEXT = "pg_fk_guard: checked before PostgreSQL ran the statement"


def connect(dbname, user=APP_ROLE, **kw):
    return psycopg2.connect(host=HOST, port=PORT, user=user, dbname=dbname, **kw)


class Database:
    """A database e2e_<label>_<random> owned by APP_ROLE, with the extension."""

    def __init__(self, label):
        self.name = "e2e_%s_%s" % (re.sub(r"[^a-z0-9]+", "_", label.lower())[:40], secrets.token_hex(3))
        admin = connect("postgres", SUPERUSER)
        admin.autocommit = True
        with admin.cursor() as cur:
            # The two tools' tests run side by side: both may create the role at once.
            cur.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN"
                        " CREATE ROLE %s LOGIN NOSUPERUSER; END IF;"
                        " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$" % (APP_ROLE, APP_ROLE))
            cur.execute("CREATE DATABASE %s OWNER %s TEMPLATE template0" % (self.name, APP_ROLE))
        admin.close()
        su = connect(self.name, SUPERUSER)
        su.autocommit = True
        with su.cursor() as cur:
            cur.execute("CREATE EXTENSION pg_fk_guard")
        su.close()

    def drop(self):
        admin = connect("postgres", SUPERUSER)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
        admin.close()

    def env(self):
        """What a tool's process needs to connect as the application role."""
        return {"FKG_DB_NAME": self.name, "FKG_DB_HOST": HOST, "FKG_DB_PORT": str(PORT), "FKG_DB_USER": APP_ROLE}

    def rows(self, sql, params=None):
        conn = connect(self.name)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def value(self, sql, params=None):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def execute(self, sql, params=None):
        """Runs sql as the application role; returns the notices it raised."""
        conn = connect(self.name)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
            return list(conn.notices)
        finally:
            conn.close()

    def column_type(self, table, column):
        return self.value(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped", (table, column))

    def foreign_keys(self, table):
        return self.rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", (table,))

    def history(self):
        """fk_guard.migration_history(): (tool, migration, status) rows."""
        return self.rows("SELECT tool, migration, status FROM fk_guard.migration_history() ORDER BY recorded_in, ordinal")


class Project:
    """A copy of a template project in a temporary directory."""

    def __init__(self, template):
        self.dir = tempfile.mkdtemp(prefix="fkg-e2e-py-")
        shutil.copytree(os.path.join(HERE, template), self.dir, dirs_exist_ok=True)

    def write(self, relpath, text):
        path = os.path.join(self.dir, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        # A file rewritten within the same second must not be taken from a stale .pyc.
        shutil.rmtree(os.path.join(os.path.dirname(path), "__pycache__"), ignore_errors=True)

    def copy(self, src, relpath):
        with open(os.path.join(HERE, src)) as f:
            self.write(relpath, f.read())

    def read(self, relpath):
        with open(os.path.join(self.dir, relpath)) as f:
            return f.read()

    def listdir(self, relpath):
        return sorted(n for n in os.listdir(os.path.join(self.dir, relpath)) if not n.startswith("__"))

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, driver, args, db, extra_env=None):
        """Runs driver (a file of this suite) in the project; returns its JSON."""
        env = dict(os.environ)
        env.update(db.env())
        env.update(extra_env or {})
        env["PYTHONPATH"] = self.dir + os.pathsep + HERE
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        p = subprocess.run([PYTHON, os.path.join(HERE, driver)] + args, cwd=self.dir, env=env,
                           capture_output=True, text=True, timeout=300)
        lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
        if not lines:
            raise AssertionError("%s %s printed no result (exit %d)\n%s\n%s" %
                                 (driver, args, p.returncode, p.stdout, p.stderr))
        out = json.loads(lines[-1])
        out["stderr"] = p.stderr
        out["exit"] = p.returncode
        return out


def error_fields(exc):
    """What an application can read from an exception (driver side)."""
    out = {"class": "%s.%s" % (type(exc).__module__, type(exc).__qualname__), "message": str(exc)}
    chain = []
    e = exc
    while e is not None and len(chain) < 5:
        chain.append("%s.%s" % (type(e).__module__, type(e).__qualname__))
        e = e.__cause__ or getattr(e, "orig", None)
        if e is not None and chain and "%s.%s" % (type(e).__module__, type(e).__qualname__) == chain[-1]:
            break
    out["chain"] = chain
    for attr in ("__cause__", "orig"):
        inner = getattr(exc, attr, None)
        if inner is not None:
            out[attr] = "%s.%s" % (type(inner).__module__, type(inner).__qualname__)
    pg = exc
    while pg is not None and not isinstance(pg, psycopg2.Error):
        pg = pg.__cause__ or getattr(pg, "orig", None)
    if pg is not None:
        d = pg.diag
        out["pgcode"] = pg.pgcode
        out["pgerror"] = pg.pgerror
        out["diag"] = {"severity": d.severity, "message_primary": d.message_primary,
                       "message_detail": d.message_detail, "message_hint": d.message_hint, "context": d.context}
    return out


def parse_notice(text):
    """A psycopg2 notice ("WARNING:  ...\\nDETAIL:  ...\\n") as a dict:
    severity, message, detail, hint, context."""
    out = {}
    key = None
    for line in text.rstrip("\n").split("\n"):
        m = re.match(r"^([A-Z]+):  (.*)$", line)
        if m and m.group(1) in ("DETAIL", "HINT", "CONTEXT"):
            key = m.group(1).lower()
            out[key] = m.group(2)
        elif m and key is None:
            out["severity"], out["message"], key = m.group(1), m.group(2), "message"
        elif key:
            out[key] += "\n" + line
    return out


def ours(notices):
    """The notices pg_fk_guard raised (its CONTEXT or a foreign key message)."""
    return [n for n in notices if re.search(r"pg_fk_guard|foreign key constraint", n, re.I)]


def check_fixture(test, name, statements, unordered=False):
    """Compares the statements a tool sent with fixtures/<name>.sql (or records them).
    unordered: the tool sends them in an order that changes from run to run
    (Django drops and adds the keys of a model's relations in set order), so
    they are compared, and recorded, sorted."""
    path = os.path.join(FIXTURES, name + ".sql")
    if unordered:
        statements = sorted(statements)
    text = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
    if RECORD or not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if not RECORD:
            test.fail("fixture %s was missing: written, check it and commit it" % path)
        return
    with open(path) as f:
        test.assertEqual(text, f.read(), "the statements sent differ from fixtures/%s.sql" % name)


def fixture_statements(name):
    with open(os.path.join(FIXTURES, name + ".sql")) as f:
        return [s for s in f.read().split(";\n") if s.strip()]
