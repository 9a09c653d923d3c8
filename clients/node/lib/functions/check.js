'use strict';
// checkForeignKeys(): fk_guard.check_foreign_keys() without the extension:
// the type mismatches of diagnose() and the hygiene checks of the engine
// (src/core/hygiene.*: duplicate, overlapping, unindexed,
// nullable_match_simple, not_validated) over the catalog facts that
// src/pg/hygiene.cpp reads.
const engine = require('../engine-wrapper.js');
const { withSession, sqlError } = require('./session');
const { diagnoseRows } = require('./diagnose');

const CHECKS = ['type_mismatch', 'duplicate', 'overlapping', 'unindexed', 'nullable_match_simple', 'not_validated'];

async function hygieneFacts(s, schemas) {
  const enforced = s.serverVersion >= 180000 ? 'c.conenforced' : 'true';
  const keys = (await s.query(
    `SELECT c.oid::text AS oid, c.conrelid::text AS rel, c.confrelid::text AS refrel, c.conname::text AS raw_name,
            pg_catalog.quote_ident(c.conname) AS name, c.confmatchtype AS match, c.convalidated AS validated, ${enforced} AS enforced,
            c.conkey::int[] AS cols, c.confkey::int[] AS refcols,
            ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS colnames,
            ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS refcolnames,
            ARRAY(SELECT coalesce(NOT a.attnotnull, false) FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY k(n, i) LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS nullable,
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(r.relname) AS table_name,
            (SELECT pg_catalog.quote_ident(rn.nspname) || '.' || pg_catalog.quote_ident(rr.relname)
               FROM pg_catalog.pg_class rr JOIN pg_catalog.pg_namespace rn ON rn.oid = rr.relnamespace WHERE rr.oid = c.confrelid) AS referenced_name,
            r.relkind = 'p' AS partitioned, CASE WHEN r.reltuples >= 0 THEN r.reltuples::float8 ELSE -1 END AS rows
       FROM pg_catalog.pg_constraint c
       JOIN pg_catalog.pg_class r ON r.oid = c.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
      WHERE c.contype = 'f' AND c.conparentid = 0
        AND pg_catalog.cardinality(c.conkey) = pg_catalog.cardinality(c.confkey)
        AND NOT pg_catalog.pg_is_other_temp_schema(n.oid) AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
        AND ($1::name[] IS NULL OR n.nspname = ANY ($1::name[]))
      ORDER BY c.ctid`, [schemas])).rows;
  const rels = [...new Set(keys.map((k) => k.rel))];
  const indexes = (await s.query(
    `SELECT ix.indrelid::text AS rel, (ix.indkey::int2[])[0:ix.indnkeyatts - 1]::int[] AS cols,
            ix.indisvalid AND ix.indpred IS NULL AS usable
       FROM pg_catalog.pg_index ix WHERE ix.indrelid = ANY ($1::oid[])`, [rels])).rows;
  return { keys, indexes };
}

async function sizesOf(s, rels) {
  const r = await s.query(
    'SELECT o::text AS rel, pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size(o)) AS size FROM pg_catalog.unnest($1::oid[]) o', [rels]);
  return new Map(r.rows.map((x) => [x.rel, x.size]));
}

async function hygieneFindings(s, schemas, checks) {
  const { keys, indexes } = await hygieneFacts(s, schemas);
  const facts = keys.map((k) => ({
    table: Number(k.rel), referenced: Number(k.refrel), columns: k.cols, referenced_columns: k.refcols,
    nullable: k.nullable, raw_columns: k.colnames, raw_referenced_columns: k.refcolnames,
    table_name: k.table_name, referenced_name: k.referenced_name, raw_name: k.raw_name, name: k.name,
    match: k.match, validated: k.validated, enforced: k.enforced, partitioned: k.partitioned, rows: k.rows, size: '',
  }));
  const ix = indexes.map((i) => ({ table: Number(i.rel), key_columns: i.cols, usable: i.usable }));
  const wanted = checks ? checks.filter((c) => c !== 'type_mismatch') : [];
  if (checks && !wanted.length) return [];
  let found = engine.call('checkHygiene', facts, ix, wanted);
  if (found.some((f) => f.check === 'unindexed' || f.check === 'not_validated')) {
    const sizes = await sizesOf(s, [...new Set(keys.map((k) => k.rel))]);
    for (let i = 0; i < facts.length; i++) facts[i].size = sizes.get(keys[i].rel);
    found = engine.call('checkHygiene', facts, ix, wanted);
  }
  return found.map((f) => ({ ...f, k: keys[f.key] }));
}

async function ignoreEntries(s) {
  const r = await s.query(
    `SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'fk_guard' AND c.relname = 'ignored' AND pg_catalog.has_table_privilege(c.oid, 'SELECT')`);
  if (!r.rowCount) return [];
  return (await s.query('SELECT table_name::pg_catalog.oid::text AS "table", column_name::text AS "column", constraint_name::text AS "constraint", check_name AS "check" FROM fk_guard.ignored')).rows;
}

const covers = (entries, check, table, columns, constraint) => entries.some((e) =>
  (e.check == null || e.check === check) && (e.table == null || e.table === table) &&
  (e.constraint == null || e.constraint === constraint) && (e.column == null || columns.includes(e.column)));

// checkForeignKeys(db, {schemas, checks}): the rows of
// fk_guard.check_foreign_keys(schemas, checks), in its order.
async function checkForeignKeys(db, { schemas = null, checks = null } = {}) {
  if (checks) for (const c of checks)
    if (!CHECKS.includes(c))
      throw sqlError('22023', `unknown check "${c}"`, undefined,
        'Use type_mismatch, duplicate, overlapping, unindexed, nullable_match_simple or not_validated.');
  return withSession(db, async (s) => {
    const rows = [];
    if (!checks || checks.includes('type_mismatch')) {
      const mism = await diagnoseRows(s, { includeImplied: true });
      const nsp = schemas ? new Map((await s.query('SELECT c.oid::text AS rel, n.nspname::text AS nsp FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY ($1::oid[])', [mism.map((m) => m.p.rel)])).rows.map((x) => [x.rel, x.nsp])) : null;
      for (const m of mism) {
        if (nsp && !schemas.includes(nsp.get(m.p.rel))) continue;
        rows.push({ ord: rows.length, check_name: 'type_mismatch', severity: m.r.severity, referencing_table: m.p.rel, referencing_columns: [m.fk.attname],
          referenced_table: m.p.refrel, referenced_columns: [m.pk.attname], constraint_name: m.p.conname, detail: m.r.detail, suggested_fix: m.r.suggested_fix });
      }
    }
    const ignore = await ignoreEntries(s);
    for (const f of await hygieneFindings(s, schemas, checks)) {
      if (covers(ignore, f.check, f.k.rel, f.k.colnames, f.k.raw_name)) continue;
      rows.push({ ord: rows.length, check_name: f.check, severity: f.severity, referencing_table: f.k.rel, referencing_columns: f.k.colnames,
        referenced_table: f.k.refrel, referenced_columns: f.k.refcolnames, constraint_name: f.k.raw_name, detail: f.detail, suggested_fix: f.suggested_fix });
    }
    // check_foreign_keys_in's order and types, as the server sorts and prints them
    return s.asCaller(async () => (await s.query(
      `SELECT x.check_name, x.severity, x.referencing_table::pg_catalog.regclass AS referencing_table,
              x.referencing_columns::pg_catalog.name[] AS referencing_columns, x.referenced_table::pg_catalog.regclass AS referenced_table,
              x.referenced_columns::pg_catalog.name[] AS referenced_columns, x.constraint_name::pg_catalog.name AS constraint_name,
              x.detail, x.suggested_fix
         FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb) AS x(check_name text, severity text, referencing_table oid,
              referencing_columns text[], referenced_table oid, referenced_columns text[], constraint_name text, detail text, suggested_fix text, ord bigint)
        ORDER BY CASE x.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, x.check_name,
                 x.referencing_table::pg_catalog.regclass::pg_catalog.text, x.constraint_name::pg_catalog.name,
                 x.referencing_columns::pg_catalog.name[]::pg_catalog.text, x.ord`, [JSON.stringify(rows)])).rows);
  });
}

module.exports = { checkForeignKeys, CHECKS };
