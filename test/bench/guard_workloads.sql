-- The two migrations guard_overhead.sh times, one statement per line, written
-- to psql's output (run with -At -o <file>). psql variables:
--   workload        fk   CREATE TABLE parents/children and ALTER TABLE ... ADD FOREIGN KEY
--                   ddl  CREATE TABLE, ALTER TABLE ... ADD COLUMN, CREATE INDEX; no foreign key
--   statements      how many statements to write (any prefix of the sequence is valid SQL)
--   mismatch_every  fk only: one group of tables in this many has soft-mismatched keys
-- Every table lives in schema "mig", which the benchmark databases already hold.
--
-- fk: groups of five statements. Group g creates a parent, a child with an
-- inline REFERENCES (CREATE TABLE path of the guard), an item table, and adds
-- two foreign keys to it with ALTER TABLE (ADD FOREIGN KEY path):
--   CREATE TABLE mig.parent_g (id <pk type> PRIMARY KEY, ...)
--   CREATE TABLE mig.child_g  (..., parent_id <fk type> NOT NULL REFERENCES mig.parent_g (id), ...)
--   CREATE TABLE mig.item_g   (..., child_id bigint NOT NULL, parent_id <fk type>, ...)
--   ALTER TABLE mig.item_g ADD FOREIGN KEY (child_id) REFERENCES mig.child_g (id)
--   ALTER TABLE mig.item_g ADD CONSTRAINT item_g_parent_fk FOREIGN KEY (parent_id) REFERENCES mig.parent_g (id)
-- Three foreign keys per group. In a matching group <fk type> = <pk type>
-- (bigint, bigint, uuid, integer in turn). In a mismatched group (the last
-- of every mismatch_every groups) the two keys to the parent are soft
-- mismatches PostgreSQL accepts, cycling through: integer -> bigint
-- (narrower, WARNING), varchar(36) -> text (narrower, WARNING), bigint ->
-- integer (width, NOTICE), text -> varchar(20) (width, NOTICE). No key is
-- incompatible, so the migration runs to the end with or without the guard.
--
-- ddl: groups of four statements, none of which can add a foreign key:
--   CREATE TABLE mig.t_g (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ...)
--   ALTER TABLE mig.t_g ADD COLUMN status smallint NOT NULL DEFAULT 0
--   ALTER TABLE mig.t_g ADD COLUMN updated_at timestamptz
--   CREATE INDEX t_g_created_at_idx ON mig.t_g (created_at)
\set ON_ERROR_STOP 1

WITH s AS (
  SELECT i, i / 5 AS g, i % 5 AS step,
         (i / 5) % :mismatch_every = :mismatch_every - 1 AS bad,
         (i / 5) / :mismatch_every AS m          -- ordinal among mismatched groups
  FROM generate_series(0, :statements - 1) AS i
  WHERE :'workload' = 'fk'
), typed AS (
  SELECT s.*,
         CASE WHEN bad THEN (ARRAY['bigint', 'text', 'integer', 'varchar(20)'])[m % 4 + 1]
              ELSE (ARRAY['bigint', 'bigint', 'uuid', 'integer'])[g % 4 + 1] END AS pk_type,
         CASE WHEN bad THEN (ARRAY['integer', 'varchar(36)', 'bigint', 'text'])[m % 4 + 1]
              ELSE (ARRAY['bigint', 'bigint', 'uuid', 'integer'])[g % 4 + 1] END AS fk_type
  FROM s
)
SELECT sql
FROM (
  SELECT i, CASE step
    WHEN 0 THEN format('CREATE TABLE mig.parent_%s (id %s PRIMARY KEY, name text NOT NULL, '
                       'created_at timestamptz NOT NULL DEFAULT now());', g, pk_type)
    WHEN 1 THEN format('CREATE TABLE mig.child_%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, '
                       'parent_id %s NOT NULL REFERENCES mig.parent_%s (id) ON DELETE CASCADE, note text);',
                       g, fk_type, g)
    WHEN 2 THEN format('CREATE TABLE mig.item_%s (id bigint PRIMARY KEY, child_id bigint NOT NULL, '
                       'parent_id %s, qty integer NOT NULL DEFAULT 1);', g, fk_type)
    WHEN 3 THEN format('ALTER TABLE mig.item_%s ADD FOREIGN KEY (child_id) REFERENCES mig.child_%s (id);', g, g)
    WHEN 4 THEN format('ALTER TABLE mig.item_%s ADD CONSTRAINT item_%s_parent_fk FOREIGN KEY (parent_id) '
                       'REFERENCES mig.parent_%s (id);', g, g, g)
    END AS sql
  FROM typed
  UNION ALL
  SELECT i, CASE i % 4
    WHEN 0 THEN format('CREATE TABLE mig.t_%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, '
                       'name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());', i / 4)
    WHEN 1 THEN format('ALTER TABLE mig.t_%s ADD COLUMN status smallint NOT NULL DEFAULT 0;', i / 4)
    WHEN 2 THEN format('ALTER TABLE mig.t_%s ADD COLUMN updated_at timestamptz;', i / 4)
    WHEN 3 THEN format('CREATE INDEX t_%s_created_at_idx ON mig.t_%s (created_at);', i / 4, i / 4)
    END
  FROM generate_series(0, :statements - 1) AS i
  WHERE :'workload' = 'ddl'
) AS w
ORDER BY i;
