-- Builds the benchmark catalog in schema "bench". psql variables:
--   parents         number of referenced tables, bench.p<i>, each with a one-column primary key
--   children        number of referencing tables, bench.c<j>
--   fks_per_child   foreign-key columns per referencing table (one FK each)
--   mismatch_every  one foreign key in this many is mismatched; the rest match exactly
-- Foreign key f (0-based, f = j * fks_per_child + column) is mismatched when
-- f % mismatch_every = 0; mismatched keys cycle through the kinds below.
-- Every statement is generated and run with \gexec, so each table is created
-- in its own transaction (one big transaction would run out of lock slots).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- The migration guard would warn about every mismatched key built here on purpose.
SET pg_fk_guard.soft_mismatches = ignore;

CREATE SCHEMA bench;
CREATE DOMAIN bench.bigint_ref AS bigint;

-- The kinds of referenced key, and the mismatched referencing type used
-- against each. Referenced table p<i> has kind i % (number of kinds); the
-- driver script requires at least that many referenced tables.
CREATE TEMP TABLE bench_kinds (kind int PRIMARY KEY, pk_type text, bad_fk_type text);
INSERT INTO bench_kinds VALUES
  (0, 'bigint',      'integer'),
  (1, 'text',        'varchar(36)'),
  (2, 'timestamptz', 'timestamp'),
  (3, 'numeric',     'integer'),
  (4, 'integer',     'bigint'),
  (5, 'bigint',      'bench.bigint_ref'),
  (6, 'text',        'text COLLATE "C"'),
  (7, 'integer',     'smallint');
SELECT count(*) AS nkinds FROM bench_kinds \gset

-- Referenced tables.
SELECT format('CREATE TABLE bench.p%s (id %s PRIMARY KEY)', i, k.pk_type)
FROM generate_series(0, :parents - 1) AS i
JOIN bench_kinds k ON k.kind = i % :nkinds
ORDER BY i
\gexec

-- Each foreign key: which table and column it lives in, which referenced
-- table it points to, and the referencing column's type.
CREATE TEMP TABLE bench_fks AS
WITH f AS (
  SELECT f, f / :fks_per_child AS child, f % :fks_per_child AS col,
         f % :mismatch_every = 0 AS bad,
         f / :mismatch_every AS m,                       -- ordinal among mismatched keys
         f - f / :mismatch_every - 1 AS g                -- ordinal among matching keys
  FROM generate_series(0, :children * :fks_per_child - 1) AS f
), placed AS (
  SELECT f.*,
         CASE WHEN bad
              -- m-th mismatched key: table m modulo the largest multiple of
              -- nkinds <= parents, so its kind is m % nkinds (kinds cycle)
              THEN m % (:parents - :parents % :nkinds)
              -- matching keys are spread over all referenced tables
              ELSE g % :parents
         END AS parent
  FROM f
)
SELECT p.child, p.col, p.parent, p.bad,
       CASE WHEN p.bad THEN k.bad_fk_type ELSE k.pk_type END AS fk_type
FROM placed p
JOIN bench_kinds k ON k.kind = p.parent % :nkinds;

-- Referencing tables, each with its foreign-key columns declared inline.
SELECT format('CREATE TABLE bench.c%s (%s)', child,
              string_agg(format('fk%s %s REFERENCES bench.p%s', col, fk_type, parent), ', ' ORDER BY col))
FROM bench_fks
GROUP BY child
ORDER BY child
\gexec

-- Fresh statistics on the catalogs the queries read, as a live database would have.
ANALYZE pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_constraint,
        pg_catalog.pg_index, pg_catalog.pg_type, pg_catalog.pg_namespace;
