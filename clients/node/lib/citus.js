'use strict';
// Citus's catalog as pg-fk-guard reads it, for the guard and the diagnostic
// functions alike (src/pg/citus.cpp does the same on the extension's side):
// which tables are distributed, reference or Citus local tables, their
// distribution column and colocation group. Read only where the citus
// extension is installed; everything else answers "not Citus".

// Is Citus installed in this database (citus::installed(): its library
// loaded, the extension created)?
const INSTALLED_SQL = `SELECT pg_catalog.current_setting('citus.version', true) IS NOT NULL
  AND EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus`;

// The Citus facts of tables (citus.cpp, distribution_of() and rule_side()):
// one row per Citus table among $1.
const FACTS_SQL = `
SELECT x.oid::int8 AS oid, p.partmethod::text AS method, p.repmodel::text AS model, p.colocationid::int8 AS colocation,
       a.attname::text AS dist_column, a.attnum::int AS dist_att, pg_catalog.quote_ident(a.attname) AS dist_column_q,
       a.atttypid::int8 AS dist_type_oid, a.attcollation::int8 AS dist_collation_oid,
       pg_catalog.format_type(a.atttypid, NULL) ||
         CASE WHEN a.attcollation <> 0 AND a.attcollation <> 100 THEN ' COLLATE ' ||
           (SELECT CASE WHEN pg_catalog.pg_collation_is_visible(c.oid) THEN pg_catalog.quote_ident(c.collname)
                        ELSE pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname) END
              FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
             WHERE c.oid = a.attcollation) ELSE '' END AS dist_type
  FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS x(oid)
  JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = x.oid
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.oid AND p.partmethod <> 'n'
   AND a.attnum = pg_catalog.substring(p.partkey, ':varattno ([0-9]+)')::int2`;

// oid (a number) -> the row of FACTS_SQL, for the Citus tables among oids;
// run(text, params) returns the rows.
async function citusFacts(run, oids) {
  const want = [...new Set(oids.filter((o) => o != null).map(Number))];
  if (want.length === 0) return new Map();
  return new Map((await run(FACTS_SQL, [want])).map((r) => [Number(r.oid), r]));
}

// The table's kind in the terms of src/core/citus_rules (Table).
function citusKind(row) {
  if (!row) return 'plain';
  if (row.method !== 'n') return 'distributed';
  if (row.model === 't') return 'reference';
  if (Number(row.colocation) === 0) return 'local';
  return 'single_shard';
}

// A table's side of a key for the engine's citusCheck(), named `table` in messages.
function citusSide(row, table) {
  const kind = citusKind(row);
  if (kind === 'plain') return { kind, table };
  const side = { kind, table, colocation: Number(row.colocation) || 0 };
  if (kind === 'distributed' && row.dist_column) {
    Object.assign(side, { dist_column: row.dist_column, dist_type: row.dist_type,
      dist_type_oid: Number(row.dist_type_oid), dist_collation_oid: Number(row.dist_collation_oid) });
  }
  return side;
}

module.exports = { INSTALLED_SQL, citusFacts, citusKind, citusSide };
