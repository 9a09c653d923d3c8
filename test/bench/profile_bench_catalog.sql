-- Builds the catalog of profile_bench.sh part 3 in schema "cat": referenced
-- tables, and referencing tables of which half the key columns have no
-- declared foreign key but are named after a referenced table ("<stem>_id" or
-- "<stem>Id") and have a type that does not match its primary key; the other
-- half have declared foreign keys, some mismatched. psql variables:
--   parents          referenced tables cat.<stem>s (id <key type> PRIMARY KEY)
--   children         referencing tables cat.child<j> (id bigint PRIMARY KEY, key columns)
--   refs_per_child   key columns per referencing table (even): half implied, half declared
--   mismatch_every   one declared foreign key in this many is mismatched
-- Stems are "item" plus four letters ("itemaaab"), so every name is a plain
-- identifier that the naming rules map to exactly one table. Every statement
-- is generated and run with \gexec, one transaction per table.
-- The figures as built go to bench.catalog_built.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
-- The guard would judge each declared mismatch as the tables are created.
SET pg_fk_guard.soft_mismatches = ignore;

CREATE SCHEMA cat;
CREATE DOMAIN cat.uuid_ref AS uuid;

-- Referenced key types; referenced table i has kind i % 4. Implied columns
-- take implied_types[1] ("<stem>_id") or implied_types[2] ("<stem>Id"), none
-- of them the key's type; mismatched declared keys take declared_bad_type, a
-- type PostgreSQL accepts against the key.
CREATE TEMP TABLE cat_kinds (kind int PRIMARY KEY, pk_type text, implied_types text[], declared_bad_type text);
INSERT INTO cat_kinds VALUES
  (0, 'integer', '{bigint,text}',             'bigint'),         -- width
  (1, 'bigint',  '{integer,numeric}',         'integer'),        -- narrower
  (2, 'uuid',    '{text,varchar(36)}',        'cat.uuid_ref'),   -- domain
  (3, 'text',    '{varchar(36),uuid}',        'varchar(36)');    -- narrower

CREATE TEMP TABLE cat_parents AS
SELECT i, 'item' || chr(97 + i / 17576 % 26) || chr(97 + i / 676 % 26) || chr(97 + i / 26 % 26) || chr(97 + i % 26) AS stem,
       k.*
FROM generate_series(0, :parents - 1) AS i
JOIN cat_kinds k ON k.kind = i % 4;

SELECT format('CREATE TABLE cat.%I (id %s PRIMARY KEY)', stem || 's', pk_type)
FROM cat_parents
ORDER BY i
\gexec

-- Key columns. Child j's implied columns point at referenced tables
-- j*half .. j*half + half - 1, its declared ones at the same shifted by
-- parents / 2 (modulo parents): no child names one table twice.
SELECT :refs_per_child / 2 AS half \gset
CREATE TEMP TABLE cat_cols AS
SELECT j AS child, c AS pos, 'implied' AS source, false AS bad,
       CASE WHEN c % 2 = 0 THEN p.stem || '_id' ELSE p.stem || 'Id' END AS name,
       p.implied_types[c % 2 + 1] AS type, p.stem || 's' AS parent
FROM generate_series(0, :children - 1) AS j,
     generate_series(0, :half - 1) AS c,
     cat_parents p
WHERE p.i = (j * :half + c) % :parents
UNION ALL
SELECT j, :half + d, 'declared', (j * :half + d) % :mismatch_every = 0,
       p.stem || '_id',
       CASE WHEN (j * :half + d) % :mismatch_every = 0 THEN p.declared_bad_type ELSE p.pk_type END,
       p.stem || 's'
FROM generate_series(0, :children - 1) AS j,
     generate_series(0, :half - 1) AS d,
     cat_parents p
WHERE p.i = (j * :half + d + :parents / 2) % :parents;

SELECT format('CREATE TABLE cat.%I (id bigint PRIMARY KEY, %s)', 'child' || child,
              string_agg(format('%I %s', name, type) ||
                         CASE WHEN source = 'declared' THEN format(' REFERENCES cat.%I', parent) ELSE '' END,
                         ', ' ORDER BY pos))
FROM cat_cols
GROUP BY child
ORDER BY child
\gexec

CREATE TABLE bench.catalog_built AS
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'cat'::regnamespace AND relkind = 'r') AS tables,
       count(*) FILTER (WHERE source = 'implied') AS implied,
       count(*) FILTER (WHERE source = 'declared') AS declared,
       count(*) FILTER (WHERE source = 'declared' AND bad) AS declared_mismatched
FROM cat_cols;

-- Fresh statistics on the catalogs, as a live database would have.
ANALYZE pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_constraint,
        pg_catalog.pg_index, pg_catalog.pg_type, pg_catalog.pg_namespace;
