-- Differential test: for every ordered pair of key types, PostgreSQL's own
-- answer (does CREATE TABLE ... REFERENCES succeed?) against the engine.
--  * verdict incompatible  <=> PostgreSQL refuses the foreign key
--  * every accepted pair of different types gets a soft kind
--  * identical types get none
--  * diagnose_fk_mismatches() over the accepted foreign keys agrees with
--    classify_key_pair() for every pair (one engine, two front doors)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_fk_guard;
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
  pg_accepts boolean, pg_sqlstate text,
  kind text, kinds text[], fk_table text);

DO $$
DECLARE
  p record;
  f record;
  v record;
  ok boolean;
  state text;
BEGIN
  FOR p IN SELECT * FROM diff.key_types ORDER BY n LOOP
    EXECUTE format('CREATE TABLE diff.pk_%s (k %s PRIMARY KEY)', p.n, p.typ);
    FOR f IN SELECT * FROM diff.key_types ORDER BY n LOOP
      BEGIN
        EXECUTE format('CREATE TABLE diff.fk_%s_%s (k %s REFERENCES diff.pk_%s)', f.n, p.n, f.typ, p.n);
        ok := true;
        state := NULL;
      EXCEPTION WHEN OTHERS THEN
        ok := false;
        state := SQLSTATE;
      END;
      SELECT * INTO v FROM fk_guard.classify_key_pair(f.typ, p.typ);
      INSERT INTO diff.results
      VALUES (f.typ, p.typ, f.n, p.n, ok, state, v.kind, v.kinds,
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
