-- Differential test: for every ordered pair of key types, PostgreSQL's own
-- answer (does CREATE TABLE ... REFERENCES succeed?) against the engine.
--  * verdict incompatible  <=> PostgreSQL refuses the foreign key
--  * every accepted pair of different types gets a soft kind
--  * identical types get none
--  * diagnose_fk_mismatches() over the accepted foreign keys agrees with
--    classify_key_pair() for every pair (one engine, two front doors)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
-- The guard stays on (its refusals are checked below); its soft warnings are
-- tested in guard.sql.
SET pg_fk_guard.soft_mismatches = ignore;
CREATE SCHEMA diff;
SET search_path = diff, public;
CREATE DOMAIN diff.int_domain AS integer;
CREATE DOMAIN diff.text_domain AS text;
CREATE TYPE diff.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE diff.color AS ENUM ('red', 'green');

-- Every base type with a default btree operator class, plus typmods,
-- domains, enums, arrays and ranges.
CREATE TABLE diff.key_types (n serial, typ text NOT NULL);
INSERT INTO diff.key_types (typ)
SELECT format_type(t.oid, NULL)
FROM pg_opclass c
JOIN pg_am a ON a.oid = c.opcmethod AND a.amname = 'btree'
JOIN pg_type t ON t.oid = c.opcintype
WHERE c.opcdefault AND t.typtype = 'b'
ORDER BY 1;
INSERT INTO diff.key_types (typ) VALUES
  ('character varying'), ('character varying(36)'), ('character varying(255)'),
  ('character(5)'), ('cidr'), ('numeric(10,2)'), ('timestamp(0) without time zone'),
  ('bit(8)'), ('bit varying(16)'),
  ('diff.int_domain'), ('diff.text_domain'), ('diff.mood'), ('diff.color'),
  ('integer[]'), ('bigint[]'), ('text[]'), ('int4range'), ('int8range');

CREATE TABLE diff.results (
  fk text, pk text, fk_n int, pk_n int,
  pg_accepts boolean, pg_sqlstate text, refused_by text, message text,
  kind text, kinds text[], fk_table text);

DO $$
DECLARE
  p record;
  f record;
  v record;
  ok boolean;
  state text;
  ctx text;
  msg text;
BEGIN
  FOR p IN SELECT * FROM diff.key_types ORDER BY n LOOP
    EXECUTE format('CREATE TABLE diff.pk_%s (k %s PRIMARY KEY)', p.n, p.typ);
    FOR f IN SELECT * FROM diff.key_types ORDER BY n LOOP
      BEGIN
        EXECUTE format('CREATE TABLE diff.fk_%s_%s (k %s REFERENCES diff.pk_%s)', f.n, p.n, f.typ, p.n);
        ok := true;
        state := NULL;
        ctx := NULL;
        msg := NULL;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT, msg = MESSAGE_TEXT;
        ok := false;
        state := SQLSTATE;
      END;
      SELECT * INTO v FROM fk_guard.classify_key_pair(f.typ, p.typ);
      INSERT INTO diff.results
      VALUES (f.typ, p.typ, f.n, p.n, ok, state,
              CASE WHEN ctx LIKE '%pg_fk_guard%' THEN 'pg_fk_guard' WHEN NOT ok THEN 'postgres' END, msg,
              v.kind, v.kinds,
              CASE WHEN ok THEN format('diff.fk_%s_%s', f.n, p.n) END);
    END LOOP;
  END LOOP;
END $$;

-- The counts.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE NOT pg_accepts) AS pg_refuses,
       count(*) FILTER (WHERE kind = 'incompatible') AS engine_incompatible,
       count(*) FILTER (WHERE pg_accepts AND fk = pk) AS identical,
       count(*) FILTER (WHERE pg_accepts AND fk <> pk) AS accepted_cross_type,
       count(*) FILTER (WHERE pg_accepts AND fk <> pk AND kind NOT IN ('none', 'incompatible')) AS with_soft_kind
FROM diff.results;

-- Every refusal is a type mismatch (42804), and the engine agrees exactly.
SELECT fk, pk, pg_accepts, pg_sqlstate, kind FROM diff.results
WHERE (NOT pg_accepts) <> (kind = 'incompatible')
   OR (NOT pg_accepts AND pg_sqlstate <> '42804');

-- Through the migration guard (on by default): every refusal came from the
-- guard, before PostgreSQL ran the statement, with PostgreSQL's own message.
SELECT fk, pk, refused_by, message FROM diff.results
WHERE NOT pg_accepts
  AND (refused_by <> 'pg_fk_guard' OR message NOT LIKE 'foreign key constraint "fk\_%\_k\_fkey" cannot be implemented');
-- The same refusals with the guard off: PostgreSQL itself refuses every one of
-- them, so the guard never refused what PostgreSQL would accept.
SET pg_fk_guard.mode = off;
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM diff.results WHERE NOT pg_accepts LOOP
    BEGIN
      EXECUTE format('CREATE TABLE diff.fk_off (k %s REFERENCES diff.pk_%s)', r.fk, r.pk_n);
      RAISE EXCEPTION 'PostgreSQL accepted % -> % that the guard refused', r.fk, r.pk;
    EXCEPTION
      WHEN datatype_mismatch OR collation_mismatch THEN
        NULL;
      -- PostgreSQL 18 refuses a collatable column paired with a non-collatable
      -- one ("char" -> text) with an internal error of its own.
      WHEN internal_error THEN
        IF SQLERRM <> 'key columns are not both collatable' THEN
          RAISE;
        END IF;
    END;
  END LOOP;
END $$;
RESET pg_fk_guard.mode;

-- The guard on the two ALTER TABLE paths, for every pair: ADD CONSTRAINT on
-- an existing column and ADD COLUMN ... REFERENCES. It refuses exactly what
-- PostgreSQL refuses, and every refusal is its own.
CREATE TABLE diff.alter_results (fk text, pk text, path text, accepted boolean, refused_by text);
DO $$
DECLARE
  p record;
  f record;
  path text;
  ctx text;
BEGIN
  FOR f IN SELECT * FROM diff.key_types ORDER BY n LOOP
    EXECUTE format('CREATE TABLE diff.base_%s (k %s)', f.n, f.typ);
  END LOOP;
  FOR p IN SELECT * FROM diff.key_types ORDER BY n LOOP
    FOR f IN SELECT * FROM diff.key_types ORDER BY n LOOP
      FOREACH path IN ARRAY ARRAY['add constraint', 'add column'] LOOP
        BEGIN
          IF path = 'add constraint' THEN
            EXECUTE format('ALTER TABLE diff.base_%s ADD FOREIGN KEY (k) REFERENCES diff.pk_%s', f.n, p.n);
          ELSE
            EXECUTE format('ALTER TABLE diff.base_%s ADD COLUMN k2 %s REFERENCES diff.pk_%s', f.n, f.typ, p.n);
          END IF;
          RAISE EXCEPTION USING ERRCODE = 'P0099';  -- accepted: undo it
        EXCEPTION
          WHEN SQLSTATE 'P0099' THEN
            INSERT INTO diff.alter_results VALUES (f.typ, p.typ, path, true, NULL);
          WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
            INSERT INTO diff.alter_results
            VALUES (f.typ, p.typ, path, false, CASE WHEN ctx LIKE '%pg_fk_guard%' THEN 'pg_fk_guard' ELSE 'postgres' END);
        END;
      END LOOP;
    END LOOP;
  END LOOP;
END $$;
SELECT path, count(*) AS pairs, count(*) FILTER (WHERE NOT a.accepted) AS refused,
       count(*) FILTER (WHERE a.refused_by = 'pg_fk_guard') AS refused_by_guard,
       count(*) FILTER (WHERE a.accepted <> r.pg_accepts) AS disagree_with_postgres
FROM diff.alter_results a JOIN diff.results r USING (fk, pk)
GROUP BY path ORDER BY path;

-- Identical types get no kind; different accepted types always get one.
SELECT fk, pk, kind FROM diff.results
WHERE pg_accepts AND ((fk = pk) <> (kind = 'none'));

-- The catalog path: diagnose_fk_mismatches() reports exactly the accepted
-- cross-type pairs, with the same kind as classify_key_pair().
SELECT r.fk, r.pk, r.kind AS classify_kind, d.kind AS diagnose_kind
FROM diff.results r
FULL JOIN (SELECT d.* FROM fk_guard.diagnose_fk_mismatches() d
           JOIN pg_class c ON c.oid = d.referencing_table
           WHERE c.relnamespace = 'diff'::regnamespace) d
  ON d.referencing_table = to_regclass(r.fk_table)
WHERE (r.pg_accepts AND r.kind <> 'none' OR d.kind IS NOT NULL)
  AND r.kind IS DISTINCT FROM d.kind;

-- The accepted cross-type pairs and their verdicts, for the record.
SELECT fk AS referencing, pk AS referenced, kind, kinds
FROM diff.results
WHERE pg_accepts AND fk <> pk
ORDER BY pk_n, fk_n;

RESET search_path;
DROP SCHEMA diff CASCADE;
