-- The plain-SQL baseline: the catalog query a DBA would run to find foreign
-- keys whose column types do not match, in the style of pg-index-health's
-- "foreign keys with unmatched column type" check. Key columns are paired by
-- ordinal (conkey[i] with confkey[i]) and compared on atttypid/atttypmod.
-- One row per mismatched column pair, across all schemas, skipping the
-- clones of a partitioned table's foreign key on its partitions.
--
-- By construction it cannot see a collation difference (same type, same
-- typmod), and it reports every type difference alike, without a verdict.
SELECT c.conrelid::regclass                            AS referencing_table,
       c.conname                                       AS constraint_name,
       col.attname                                     AS referencing_column,
       format_type(col.atttypid, col.atttypmod)        AS referencing_type,
       c.confrelid::regclass                           AS referenced_table,
       fcol.attname                                    AS referenced_column,
       format_type(fcol.atttypid, fcol.atttypmod)      AS referenced_type
FROM pg_catalog.pg_constraint c
JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS u(attnum, pos) ON true
JOIN LATERAL unnest(c.confkey) WITH ORDINALITY AS fu(attnum, pos) ON fu.pos = u.pos
JOIN pg_catalog.pg_attribute col
  ON col.attrelid = c.conrelid AND col.attnum = u.attnum
JOIN pg_catalog.pg_attribute fcol
  ON fcol.attrelid = c.confrelid AND fcol.attnum = fu.attnum
WHERE c.contype = 'f'
  AND c.conparentid = 0
  AND (col.atttypid <> fcol.atttypid OR col.atttypmod <> fcol.atttypmod);
