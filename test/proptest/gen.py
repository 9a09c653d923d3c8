#!/usr/bin/env python3
"""Writes the server-level property test's cases as SQL (stdout).

Each case is a referencing table and a referenced table whose schemas,
tables, columns, constraints, indexes and statistics have names drawn from a
hostile alphabet, holding one kind of key mismatch:

  uuid     uuid values, mapped to integer keys through a legacy uuid column
           of the referenced table (some cases hold a uuid nothing maps, some
           a uuid that two keys hold)
  text     text -> integer with convertible, unconvertible and orphan values
           (or, clean, only convertible values that reference a key); some
           with domains with hostile names on either side, and DEFAULTs
           holding hostile text
  bigint   integer -> bigint, a declared soft mismatch with ON DELETE SET
           NULL / DEFERRABLE INITIALLY DEFERRED / MATCH FULL
  varchar  varchar(36) -> text, declared, with ON UPDATE CASCADE (some
           referencing a column with a collation that has a hostile name)

Some uuid and text cases name the column <referenced table>_id, so that
diagnose_fk_mismatches() reports the pair as implied; some have a
partitioned referencing table; some have a view, a policy or a generated
column on the column (which ALTER COLUMN ... TYPE cannot go through: the
plan must refuse, or handle them).

and attachments on the referencing column (NOT NULL, a DEFAULT that fits or
not, CHECK, UNIQUE and plain indexes, a comment, column privileges, extended
statistics), sometimes a third table whose rows go with the referencing
table's through ON DELETE CASCADE, sometimes the owner's code waiting for a superuser (a CHECK function, a
row trigger, a domain CHECK), and records, per fix_plan() mode (and
delete with allow_cascade) and for suggested_fix, which
outcomes are allowed (success, stop with the plan's error, refusal by
fix_plan) and the data a success must leave.

Usage: gen.py CASES [SEED]. Deterministic for a seed.
"""
import json
import random
import sys

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 250
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 20261130
rng = random.Random(SEED)

CANARY = "public.fkg_canary"
PIECES = [
    "'", "''", '"', '""', "\\", "\\'", "\\\\", "\n", "\r", "\r\n", "\t", "\v", "\f", "\x01", "\x1b", "\x7f",
    "$", "$$", "$fk_guard$", "$fk_guard", "fk_guard$", "$fk_guard_1$", "$b$", "$1",
    "--", "/*", "*/", ";", "%", "%s", "%%", "E'", 'U&"', "\\u0041", "\\n",
    "\u200b", "\u200d", "\u202e", "\u200f", "\u202a", "\u2066", "\u2028", "\u2029", "\ufeff", "\u00ad",
    "\u0085", "\u00e9", "\u65e5\u672c", "\U0001F600", "\u0130", "\u00df",
    "select", "user", "order", "table", "from", "where", "end", "begin", "do", "null", "current_user",
    "Users", "USERS", "users", "userId", "UserID", "id", " ", ".", ",", "(", ")", "=", "::",
    # Payloads: each, if it ever ran, flips the tester to superuser or moves the canary.
    "'; ALTER ROLE fkg_tester SUPERUSER; --",
    "\nALTER ROLE fkg_tester SUPERUSER;\n",
    "');SELECT nextval('public.fkg_canary');--",
    "';PERFORM nextval('public.fkg_canary');--",
    "$fk_guard$;SELECT nextval('public.fkg_canary');--",
    "$fk_guard$;ALTER ROLE fkg_tester SUPERUSER;--",
    "*/SELECT nextval('public.fkg_canary');/*",
    "\";SELECT nextval('public.fkg_canary');--",
    "\\';SELECT nextval('public.fkg_canary');--",
]
PAYLOAD_MARKS = ("SUPERUSER", "fkg_canary")


def fit(s, limit=63):
    b = s.encode()
    if len(b) > limit:
        b = b[:limit]
        while True:
            try:
                s = b.decode()
                break
            except UnicodeDecodeError:
                b = b[:-1]
    return s or "x"


def name(force_payload=False):
    parts = [rng.choice(PIECES) for _ in range(1 + rng.randrange(4))]
    if force_payload:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice([p for p in PIECES if any(m in p for m in PAYLOAD_MARKS)]))
    s = "".join(parts)
    if rng.random() < 0.15:
        while len(s.encode()) < 63:
            s += rng.choice(PIECES)
    return fit(s)


def names(n, taken=(), payload_rate=0.3):
    """n distinct names, none in `taken`; some differ from each other only in case."""
    out = []
    taken = set(taken)
    while len(out) < n:
        if out and rng.random() < 0.1:
            cand = fit(rng.choice(out).swapcase())
        else:
            cand = name(rng.random() < payload_rate)
        if cand not in taken and cand not in out:
            out.append(cand)
    return out


def ident(s):
    return '"' + s.replace('"', '""') + '"'


def lit(s):
    # The session has standard_conforming_strings on.
    return "'" + s.replace("'", "''") + "'"


def qual(nsp, tbl):
    return ident(nsp) + "." + ident(tbl)


UUIDS = ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22",
         "c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33"]
UNMAPPED = "d3eebc99-9c0b-4ef8-bb6d-6bb9bd380a44"

out = []
emit = out.append
emit("SET client_min_messages = error;")
emit("SET pg_fk_guard.soft_mismatches = ignore;")
schema_names = set()
kinds = ["uuid", "text", "bigint", "varchar"]

for case in range(1, CASES + 1):
    kind = kinds[(case - 1) % 4]
    dirty = rng.random() < 0.5
    nsp = names(1, schema_names | {"public", "fk_guard", "fkg_pt", "fkg_testkit"})[0]
    schema_names.add(nsp)
    if rng.random() < 0.2:
        rnsp = names(1, schema_names | {"public", "fk_guard", "fkg_pt", "fkg_testkit"})[0]
        schema_names.add(rnsp)
    else:
        rnsp = nsp
    # Relation names share the namespace with indexes and statistics.
    tbl, rtbl, idx1, idx2, idx3, stx = names(6)
    if rnsp != nsp and rng.random() < 0.3:
        rtbl = tbl  # same table name in two schemas
    if rnsp == nsp and rtbl == tbl:
        rtbl = tbl + "2"
    pk, col, other = names(3)
    implied = False
    if kind in ("uuid", "text") and rnsp == nsp and rng.random() < 0.4:
        # Named so that diagnose_fk_mismatches() implies the pair: <table>_id.
        cand = rtbl + "_id"
        if len(cand.encode()) <= 63 and cand not in (pk, other):
            col, implied = cand, True
    rcol, rlegacy, rlabel = names(3)
    con_check, con_fk = names(2)
    notnull = kind in ("bigint", "varchar") and rng.random() < 0.4 or kind == "text" and rng.random() < 0.15
    declared = kind in ("bigint", "varchar")

    emit(f"\n-- case {case}: {kind}{' dirty' if dirty else ''}")
    emit(f"CREATE SCHEMA {ident(nsp)} AUTHORIZATION fkg_tester;")
    if rnsp != nsp:
        emit(f"CREATE SCHEMA {ident(rnsp)} AUTHORIZATION fkg_tester;")
    emit("SET ROLE fkg_tester;")
    T, R = qual(nsp, tbl), qual(rnsp, rtbl)
    # Sometimes the referencing table is partitioned (uuid and text kinds).
    partitioned = kind in ("uuid", "text") and rng.random() < 0.15
    part = f" PARTITION BY RANGE ({ident(pk)})" if partitioned else ""
    part_names = names(2, {tbl, rtbl, idx1, idx2, idx3, stx})

    def emit_partitions():
        if partitioned:
            emit(f"CREATE TABLE {qual(nsp, part_names[0])} PARTITION OF {T} FOR VALUES FROM (MINVALUE) TO (3);")
            emit(f"CREATE TABLE {qual(nsp, part_names[1])} PARTITION OF {T} FOR VALUES FROM (3) TO (MAXVALUE);")
    # The owner's code, waiting for a superuser: called as one, it moves the
    # trap sequence (as an attacker would do something worse).
    traps = rng.random() < 0.35
    trap_fn = qual(nsp, names(1)[0])
    if traps:
        emit(f"CREATE FUNCTION {trap_fn}(boolean) RETURNS boolean LANGUAGE plpgsql AS $trap$BEGIN "
             "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
             "PERFORM pg_catalog.nextval('public.fkg_trap'); END IF; RETURN true; END$trap$;")
        emit(f"CREATE FUNCTION {trap_fn}() RETURNS trigger LANGUAGE plpgsql AS $trap$BEGIN "
             "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
             "PERFORM pg_catalog.nextval('public.fkg_trap'); END IF; "
             "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END$trap$;")
    expect = {}
    rows = {}  # pk -> value as stored
    ambiguous = kind == "uuid" and rng.random() < 0.25
    if kind == "uuid":
        unique = "" if ambiguous else " UNIQUE"
        emit(f"CREATE TABLE {R} ({ident(rcol)} serial PRIMARY KEY, {ident(rlegacy)} uuid{unique}, {ident(rlabel)} text);")
        emit(f"INSERT INTO {R} ({ident(rlegacy)}, {ident(rlabel)}) VALUES "
             + ", ".join(f"({lit(u)}, {lit(name())})" for u in UUIDS + (UUIDS[:1] if ambiguous else [])) + ";")
        default = rng.choice([None, f"DEFAULT {lit(UUIDS[0])}::uuid", "DEFAULT gen_random_uuid()"])
        emit(f"CREATE TABLE {T} ({ident(pk)} int PRIMARY KEY, {ident(col)} uuid {default or ''}, {ident(other)} int){part};")
        emit_partitions()
        values = [rng.choice(UUIDS + [None]) for _ in range(2 + rng.randrange(5))]
        if dirty:
            values.append(UNMAPPED)
        rows = {i + 1: v for i, v in enumerate(values)}
        mapped = {i + 1: (UUIDS.index(v) + 1 if v in UUIDS else None) for i, v in enumerate(values)}
        lost = {k for k, v in rows.items() if v is not None}  # no uuid converts to integer
        target = "integer"
        converted = {k: None for k in rows}  # nothing converts by cast
        kind_map = {
            "success": {str(k): mapped[k] for k in rows},
            "ok": not dirty,
        }
    elif kind == "text":
        # Sometimes the key is a domain over integer, and the column a domain
        # over text, both with hostile names (the plan converts to the base type).
        rtype, ctype = "int", "text"
        if rng.random() < 0.25:
            rdom = names(1)[0]
            check = f" CHECK ({trap_fn}(VALUE IS NULL))" if traps and rng.random() < 0.5 else ""
            emit(f"CREATE DOMAIN {qual(rnsp, rdom)} AS integer{check};")
            rtype = qual(rnsp, rdom)
        if rng.random() < 0.25:
            cdom = names(1)[0]
            emit(f"CREATE DOMAIN {qual(nsp, cdom)} AS text;")
            ctype = qual(nsp, cdom)
        emit(f"CREATE TABLE {R} ({ident(rcol)} {rtype} PRIMARY KEY, {ident(rlabel)} text);")
        emit(f"INSERT INTO {R} VALUES (1, {lit(name())}), (2, {lit(name())}), (3, {lit(name())});")
        default = rng.choice([None, "DEFAULT '1'", "DEFAULT NULL", "DEFAULT " + lit(name())])
        nn = " NOT NULL" if notnull else ""
        emit(f"CREATE TABLE {T} ({ident(pk)} int PRIMARY KEY, {ident(col)} {ctype}{nn} {default or ''}, {ident(other)} int){part};")
        emit_partitions()
        good = ["1", "2", " 3", "3 ", "+2", "0001"]
        bad = ["99", "x", "1.5", "", "2147483648", "'; ALTER ROLE fkg_tester SUPERUSER; --"]
        values = [rng.choice(good + ([] if notnull else [None])) for _ in range(2 + rng.randrange(4))]
        if dirty:
            values += [rng.choice(bad) for _ in range(1 + rng.randrange(2))]
        rows = {i + 1: v for i, v in enumerate(values)}
        converted = {k: (int(v) if v is not None and v in good else None) for k, v in rows.items()}
        lost = {k for k, v in rows.items() if v is not None and v not in good}
        target = "integer"
        kind_map = None
    elif kind == "bigint":
        emit(f"CREATE TABLE {R} ({ident(rcol)} bigint PRIMARY KEY);")
        emit(f"INSERT INTO {R} VALUES (1), (2), (3);")
        action = rng.choice(["ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED", "MATCH FULL ON DELETE CASCADE",
                             "ON UPDATE CASCADE DEFERRABLE", "ON DELETE SET NULL"])
        if notnull and "SET NULL" in action:
            action = "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"
        default = rng.choice([None, "DEFAULT 1"])
        nn = " NOT NULL" if notnull else ""
        emit(f"CREATE TABLE {T} ({ident(pk)} int PRIMARY KEY, {ident(col)} int{nn} {default or ''}, {ident(other)} int,"
             f" CONSTRAINT {ident(con_fk)} FOREIGN KEY ({ident(col)}) REFERENCES {R} ({ident(rcol)}) {action});")
        values = [rng.choice([1, 2, 3] + ([] if notnull else [None])) for _ in range(2 + rng.randrange(4))]
        rows = {i + 1: v for i, v in enumerate(values)}
        converted = dict(rows)
        lost = set()
        target = "bigint"
        kind_map = None
    else:  # varchar
        collate = ""
        if rng.random() < 0.4:
            # The referenced column has a collation with a hostile name: the fix converts with COLLATE.
            coll = names(1)[0]
            emit(f"CREATE COLLATION {qual(rnsp, coll)} FROM \"C\";")
            collate = f" COLLATE {qual(rnsp, coll)}"
        emit(f"CREATE TABLE {R} ({ident(rcol)} text{collate} PRIMARY KEY);")
        keys = ["a", "b", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "it's", "x\\y"]
        emit(f"INSERT INTO {R} VALUES " + ", ".join(f"({lit(k)})" for k in keys) + ";")
        action = rng.choice(["MATCH FULL ON UPDATE CASCADE", "ON DELETE SET NULL", "DEFERRABLE INITIALLY IMMEDIATE"])
        if notnull and "SET NULL" in action:
            action = "ON DELETE CASCADE"
        default = rng.choice([None, "DEFAULT 'a'"])
        nn = " NOT NULL" if notnull else ""
        emit(f"CREATE TABLE {T} ({ident(pk)} int PRIMARY KEY, {ident(col)} varchar(36){nn} {default or ''}, {ident(other)} int,"
             f" CONSTRAINT {ident(con_fk)} FOREIGN KEY ({ident(col)}) REFERENCES {R} ({ident(rcol)}) {action});")
        values = [rng.choice(keys + ([] if notnull else [None])) for _ in range(2 + rng.randrange(4))]
        rows = {i + 1: v for i, v in enumerate(values)}
        converted = dict(rows)
        lost = set()
        target = "text"
        kind_map = None

    if rows:
        emit(f"INSERT INTO {T} ({ident(pk)}, {ident(col)}, {ident(other)}) VALUES "
             + ", ".join(f"({k}, {'NULL' if v is None else lit(str(v))}, {k * 10})" for k, v in rows.items()) + ";")
    # Attachments on the referencing column.
    attached = []
    if traps:
        attached.append("owner's CHECK function and row trigger")
        emit(f"ALTER TABLE {T} ADD CONSTRAINT {ident(names(1, {con_check, con_fk})[0])} CHECK ({trap_fn}({ident(col)} IS NULL));")
        emit(f"CREATE TRIGGER {ident(names(1)[0])} BEFORE UPDATE OR DELETE ON {T} FOR EACH ROW EXECUTE FUNCTION {trap_fn}();")
    if notnull:
        attached.append("NOT NULL")
    if default and default != "DEFAULT NULL":
        attached.append("DEFAULT (kept, or dropped and announced)")
    if declared:
        attached.append("declared foreign key (actions, MATCH, deferrability)")
    if rng.random() < 0.5:
        attached.append("CHECK")
        emit(f"ALTER TABLE {T} ADD CONSTRAINT {ident(con_check)} CHECK ({ident(col)} IS NOT NULL OR {ident(other)} >= 0);")
    if rng.random() < 0.6:
        attached.append("index")
        emit(f"CREATE INDEX {ident(idx1)} ON {T} ({ident(col)});")
    if rng.random() < 0.4:
        attached.append("multi-column UNIQUE index")
        emit(f"CREATE UNIQUE INDEX {ident(idx2)} ON {T} ({ident(pk)}, {ident(col)});")
    if rng.random() < 0.4:
        attached.append("partial multi-column index")
        emit(f"CREATE INDEX {ident(idx3)} ON {T} ({ident(other)}, {ident(col)}) WHERE {ident(other)} > 0;")
    if rng.random() < 0.6:
        attached.append("column comment")
        emit(f"COMMENT ON COLUMN {T}.{ident(col)} IS {lit(name())};")
    if rng.random() < 0.3:
        emit(f"COMMENT ON TABLE {T} IS {lit(name())};")
    if rng.random() < 0.5:
        attached.append("column privileges")
        emit(f"GRANT SELECT ({ident(col)}), UPDATE ({ident(col)}) ON {T} TO fkg_reader;")
    if rng.random() < 0.3:
        attached.append("table privileges")
        emit(f"GRANT SELECT ON {T} TO fkg_reader;")
    if rng.random() < 0.4:
        attached.append("extended statistics")
        emit(f"CREATE STATISTICS {qual(nsp, stx)} ON {ident(col)}, {ident(other)} FROM {T};")
    # A table whose rows go with the referencing table's through ON DELETE CASCADE.
    gtbl = None
    if kind in ("uuid", "text") and rng.random() < 0.3:
        gtbl = names(1, {tbl, rtbl, idx1, idx2, idx3, stx})[0]
        gid, gref = names(2)
        emit(f"CREATE TABLE {qual(nsp, gtbl)} ({ident(gid)} int PRIMARY KEY, {ident(gref)} int"
             f" REFERENCES {T} ({ident(pk)}) ON DELETE CASCADE);")
        if rows:
            emit(f"INSERT INTO {qual(nsp, gtbl)} SELECT {ident(pk)}, {ident(pk)} FROM {T};")
    # Sometimes something that ALTER COLUMN ... TYPE cannot go through: a
    # view, a generated column or a policy on the column. The plan must
    # refuse, or handle it; a plan that fails when run is a finding.
    blocker = rng.choice([None] * 9 + ["view", "generated column", "policy"])
    if blocker == "view":
        emit(f"CREATE VIEW {qual(nsp, names(1, {tbl, rtbl, idx1, idx2, idx3, stx, gtbl or ''} | set(part_names))[0])}"
             f" AS SELECT {ident(pk)}, {ident(col)} FROM {T};")
    elif blocker == "generated column":
        emit(f"ALTER TABLE {T} ADD COLUMN {ident(names(1, {pk, col, other})[0])} int"
             f" GENERATED ALWAYS AS (length({ident(col)}::text)) STORED;")
    elif blocker == "policy":
        emit(f"ALTER TABLE {T} ENABLE ROW LEVEL SECURITY;")
        emit(f"CREATE POLICY {ident(names(1)[0])} ON {T} USING ({ident(col)} IS NOT NULL OR {ident(other)} > 0);")
    if blocker:
        attached.append(blocker)
    if partitioned:
        attached.append("partitioned table")
    emit("RESET ROLE;")

    # What each mode may do, and the data a success leaves.
    def data_after(drop_lost, null_lost):
        d = {}
        for k in rows:
            if k in lost:
                if drop_lost:
                    continue
                d[str(k)] = None
            else:
                d[str(k)] = converted[k]
        return d

    has_lost = bool(lost)
    nullable = not notnull
    exp = {}
    exp["fail"] = ({"outcomes": ["stop"]} if has_lost else
                   {"outcomes": ["success"], "data": data_after(False, False)})
    exp["null"] = ({"outcomes": ["success"], "data": data_after(False, True)} if nullable else
                   {"outcomes": ["refuse"] if has_lost else ["refuse", "success"], "data": data_after(False, True)})
    exp["delete"] = {"outcomes": ["success"], "data": data_after(True, False)}
    exp["delete_cascade"] = dict(exp["delete"])
    if gtbl is not None:
        exp["gc"] = {"nsp": nsp, "tbl": gtbl}
        exp["delete_cascade"]["gc_count"] = len(rows) - len(lost)
        if lost:
            # Deleting would reach into another table: only when asked for.
            exp["delete"] = {"outcomes": ["refuse", "stop"]}
    if ambiguous and UUIDS[0] in rows.values():
        # Two keys hold that uuid: map must not pick one.
        exp["map"] = {"outcomes": ["refuse", "stop"]}
    elif ambiguous:
        exp["map"] = {"outcomes": ["refuse", "stop", "success"], "data": kind_map["success"]}
    elif kind == "uuid" and not lost:
        # Nothing to map: every value is NULL.
        exp["map"] = {"outcomes": ["success", "refuse"], "data": kind_map["success"]}
    elif kind == "uuid":
        exp["map"] = ({"outcomes": ["success"], "data": kind_map["success"]} if kind_map["ok"] else
                      {"outcomes": ["stop", "refuse"]})
    else:
        # No column of the referenced table holds these values: map either
        # refuses or, with nothing to map, converts what converts.
        exp["map"] = ({"outcomes": ["refuse", "stop"]} if has_lost else
                      {"outcomes": ["refuse", "stop", "success"], "data": data_after(False, False)})
    exp["suggested"] = exp["fail"]
    if blocker:
        for m in ("fail", "null", "delete", "delete_cascade", "map", "suggested"):
            exp[m]["outcomes"] = sorted(set(exp[m]["outcomes"]) | {"refuse"})
    exp["attached"] = attached + (["implied by its name"] if implied else [])
    emit("INSERT INTO fkg_pt.cases VALUES (%d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);" % (
        case, lit(kind), lit(nsp), lit(tbl), lit(col), lit(pk), lit(rnsp), lit(rtbl), lit(rcol),
        "true" if declared else "false", lit(json.dumps(exp))))

emit("RESET client_min_messages;")
sys.stdout.write("\n".join(out) + "\n")
