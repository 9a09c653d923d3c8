'use strict';
// fixPlan(): fk_guard.fix_plan() without the extension. The facts of
// src/pg/fix_plan.cpp (the profile, a mapping column, the constraint to keep
// or add, a DEFAULT that cannot stay, what ON DELETE changes elsewhere) read
// with ordinary queries; the decisions and the script from the engine
// (src/core/pair_text.*, fix_writer.*). The script calls fk_guard.converts()
// in its checks, exactly as the extension's does, where the extension is
// installed; elsewhere it defines its own stand-in first
// (pg_temp.fk_guard_converts(), the engine's convertsHelperSql()) and calls
// that.
const engine = require('../engine-wrapper.js');
const { withSession, sqlError } = require('./session');
const { TypeCache } = require('./catalog');
const { fixPlanFacts } = require('./diagnose');
const { profile, tableArg, columnArg, primaryKeyColumn, notProfiledError } = require('./profile');
const { tableFacts } = require('./citus');

const RAW = { getTypeParser: () => (x) => x };
const MODES = ['fail', 'null', 'delete', 'map'];

// A column's facts as diagnose's fixPlanFacts() takes them.
async function columnRow(s, rel, att) {
  return (await s.query(
    `SELECT a.attrelid::text AS rel, a.attnum::int AS att, a.atttypid::text AS type, a.atttypmod AS typmod,
            a.attcollation::text AS coll, a.attnotnull, a.attname::text AS attname, pg_catalog.quote_ident(a.attname) AS att_q,
            c.relname::text AS relname, c.relkind, c.relnamespace::text AS nsp,
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS table_q
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attrelid = $1 AND a.attnum = $2`, [rel, att])).rows[0];
}

// Is the type's equality PostgreSQL's own (operator and function built in)?
// The equality of its default btree operator class, found as
// lookup_type_cache() finds it (the type's own class, else the one class it
// is binary-coercible to).
async function systemEquality(s, types, type) {
  const defaults = (await s.query(
    `SELECT oc.opcintype::text AS intype, oc.opcfamily::text AS family, t.typispreferred AS preferred
       FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_type t ON t.oid = oc.opcintype WHERE oc.opcmethod = 403 AND oc.opcdefault`)).rows;
  await types.load(defaults.map((d) => d.intype));
  let cls = defaults.find((d) => d.intype === String(type));
  if (!cls) {
    const compatible = defaults.filter((d) => types.isBinaryCoercible(type, d.intype));
    const preferred = compatible.filter((d) => d.preferred);
    cls = preferred.length === 1 ? preferred[0] : compatible.length === 1 ? compatible[0] : null;
  }
  if (!cls) return false;
  const r = await s.query(
    `SELECT o.amopopr::int AS op, p.oprcode::oid::int AS fn FROM pg_catalog.pg_amop o JOIN pg_catalog.pg_operator p ON p.oid = o.amopopr
      WHERE o.amopfamily = $1 AND o.amoplefttype = $2 AND o.amoprighttype = $2 AND o.amopstrategy = 3`, [cls.family, cls.intype]);
  return r.rowCount > 0 && r.rows[0].op < 16384 && r.rows[0].fn < 16384;
}

// The column of refrel (of the referencing column's type) whose values cover
// the most referencing values (fix_plan.cpp best_mapping()), or null.
async function bestMapping(s, types, fk, refrel, refatt) {
  await types.load([fk.type]);
  const type = types.base(fk.type).oid;
  if (!(await systemEquality(s, types, type))) return null;
  const ref = (await s.query(
    `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS q FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, [refrel])).rows[0].q;
  const cands = (await s.query(
    `SELECT a.attnum::int AS att, a.atttypid::text AS type, pg_catalog.quote_ident(a.attname) AS q FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attnum <> $2 ORDER BY a.attnum`, [refrel, refatt])).rows;
  await types.load(cands.map((c) => c.type));
  let best = null;
  for (const cand of cands) {
    if (types.base(cand.type).oid !== type) continue;
    const matches = `(SELECT pg_catalog.count(*) FROM ${ref} r WHERE r.${cand.q} OPERATOR(pg_catalog.=) t.${fk.att_q})`;
    const r = (await s.query(
      `SELECT pg_catalog.count(*) FILTER (WHERE m >= 1)::int8 AS covered, pg_catalog.count(*)::int8 AS total,
              pg_catalog.count(*) FILTER (WHERE m > 1)::int8 AS ambiguous FROM (SELECT ${matches} AS m FROM ${fk.table_q} t WHERE t.${fk.att_q} IS NOT NULL) s`)).rows[0];
    const covered = Number(r.covered);
    if (covered > 0 && (best == null || covered > best.covered)) {
      best = { column: cand.q, covered, total: Number(r.total), ambiguous: Number(r.ambiguous), samples: [] };
      if (best.ambiguous > 0)
        best.samples = (await s.query({ text: `SELECT DISTINCT t.${fk.att_q} FROM ${fk.table_q} t WHERE ${matches} > 1 LIMIT 3`, types: RAW })).rows.map((x) => x[Object.keys(x)[0]]);
    }
  }
  return best;
}

// Rows of other tables that deleting `fromWhere` (over `parent` under
// `alias`) changes, following ON DELETE CASCADE down (collect_cascades()).
async function collectCascades(s, parent, fromWhere, alias, depth, path, out) {
  const refs = (await s.query(
    `SELECT c.conrelid::text AS rel, pg_catalog.quote_ident(c.conname) AS con, c.confdeltype AS action,
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(r.relname) AS table_q,
            ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS fk,
            ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS pk
       FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class r ON r.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
      WHERE c.contype = 'f' AND c.confrelid = $1 AND c.conparentid = 0 AND c.confdeltype IN ('c', 'n', 'd')
      ORDER BY c.ctid LIMIT 64`, [parent])).rows;
  for (const r of refs) {
    const child = `c${depth}`;
    const childFromWhere = `FROM ${r.table_q} ${child} WHERE (${r.fk.map((c) => `${child}.${c}`).join(', ')}) IN (SELECT ${r.pk.map((c) => `${alias}.${c}`).join(', ')} ${fromWhere})`;
    const rows = Number((await s.query(`SELECT pg_catalog.count(*)::int8 AS n ${childFromWhere}`)).rows[0].n);
    if (rows === 0) continue;
    out.push({ table: r.table_q, constraint: r.con, action: r.action === 'c' ? 'CASCADE' : r.action === 'n' ? 'SET NULL' : 'SET DEFAULT', rows });
    if (r.action === 'c' && !path.includes(r.rel) && depth < 8) {
      path.push(r.rel);
      await collectCascades(s, r.rel, childFromWhere, child, depth + 1, path, out);
      path.pop();
    }
  }
}

// "FROM <table> t WHERE ...": the rows 'delete' removes, for counting what
// ON DELETE then changes in other tables. The predicate calls the stand-in
// for fk_guard.converts() that a script defines without the extension,
// created in this rolled-back transaction. On Citus the stand-in exists on
// the coordinator only: the values to lose are found there, over copies of
// the column and of the keys, and the rows are named by them.
async function lostRows(s, facts, fk, pk) {
  const citus = facts.citus || (await tableFacts(s, [pk.rel])).size > 0;
  // a temporary function is this session's alone: Citus has nothing to send to the other nodes
  if (citus) await s.query("SELECT pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true)");
  await s.query(engine.call('convertsHelperSql'));
  if (!citus) return `FROM ${facts.table_q} t WHERE ${engine.call('lostRowsPredicate', { ...facts, converts_helper: true })}`;
  const copy = async (table, column) => {
    const name = `pg_temp.fk_guard_lost_${(s.lostCopies = (s.lostCopies || 0) + 1)}`;
    await s.query(`CREATE TEMPORARY TABLE ${name} AS SELECT DISTINCT t.${column} FROM ${table} t`);
    return name;
  };
  const values = await copy(facts.table_q, fk.att_q), keys = await copy(pk.table_q, pk.att_q);
  const text = `(t.${fk.att_q}::pg_catalog.text COLLATE pg_catalog."C")`;
  const pred = engine.call('lostRowsPredicate', { ...facts, referenced_table_q: keys, converts_helper: true });
  const lost = (await s.query(
    `SELECT pg_catalog.quote_literal(COALESCE(pg_catalog.array_agg(${text}), '{}'::pg_catalog.text[])::pg_catalog.text) AS a FROM ${values} t WHERE ${pred}`)).rows[0].a;
  return `FROM ${facts.table_q} t WHERE ${text} OPERATOR(pg_catalog.=) ANY (${lost}::pg_catalog.text[])`;
}

// The script (build_fix_plan()), or an error shaped like the extension's.
async function buildFixPlan(s, { rel, att, refrel, refatt, mode, prof, allowCascade = false, constraintName = null }) {
  const types = new TypeCache(s);
  await types.loadCasts();
  const fk = await columnRow(s, rel, att), pk = await columnRow(s, refrel, refatt);
  const facts = await fixPlanFacts({ s, types }, fk, pk, mode);
  if (constraintName != null) facts.wanted_constraint = (await s.query('SELECT pg_catalog.quote_ident($1) AS q', [constraintName])).rows[0].q;
  if (prof) facts.counts = { rows: prof.rows_total, nulls: prof.rows_null, convertible: prof.rows_convertible, unconvertible: prof.rows_unconvertible, orphaned: prof.orphans_checked ? prof.rows_orphaned : -1 };
  const refusal = (x) => {
    const e = sqlError(x.sqlstate, x.message, x.detail || undefined, x.hint || undefined);
    // how diagnose() shows it in place of the script: "No fix plan: ..."
    e.fkgRefusal = engine.call('noFixPlan', x.message, x.detail, x.hint);
    return e;
  };
  const refused = engine.call('fixPlanPrecheck', facts);
  if (refused) throw refusal(refused);
  if (engine.call('fixPlanWantsMapping', facts)) {
    const m = await bestMapping(s, types, fk, refrel, refatt);
    if (m) facts.mapping = m;
  }
  const cascades = [];
  if (mode === 'delete' && (await s.query(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.confrelid = $1 AND c.conparentid = 0
                      AND c.confdeltype IN ('c', 'n', 'd')) AS any`, [rel])).rows[0].any)
    await collectCascades(s, rel, await lostRows(s, facts, fk, pk), 't', 1, [rel], cascades);
  const out = engine.call('fixPlan', facts, cascades, !!allowCascade);
  if (out.refused) throw refusal(out.refused);
  return out.plan;
}

// fixPlan(db, {referencingTable, referencingColumn, referencedTable,
// referencedColumn, onUnconvertible = 'fail', allowCascade = false,
// constraintName}): the text of fk_guard.fix_plan().
async function fixPlan(db, { referencingTable, referencingColumn, referencedTable, referencedColumn = null, onUnconvertible = 'fail', allowCascade = false, constraintName = null } = {}) {
  const fn = 'fix_plan';
  for (const [v, name] of [[referencingTable, 'referencing_table'], [referencingColumn, 'referencing_column'], [referencedTable, 'referenced_table'],
    [onUnconvertible, 'on_unconvertible'], [allowCascade, 'allow_cascade']])
    if (v == null) throw sqlError('22004', `argument ${name} of fk_guard.${fn}() must not be null`);
  return withSession(db, async (s) => {
    const rel = await tableArg(s, referencingTable, 'referencing_table', fn);
    const att = await columnArg(s, rel, referencingColumn);
    const refrel = await tableArg(s, referencedTable, 'referenced_table', fn);
    const refatt = referencedColumn == null ? await primaryKeyColumn(s, refrel) : await columnArg(s, refrel, referencedColumn);
    if (!MODES.includes(onUnconvertible))
      throw sqlError('22023', `unknown on_unconvertible "${onUnconvertible}"`, undefined, 'Use fail, null, delete or map.');
    const t = (await s.query(
      `WITH RECURSIVE b(t, m, d) AS (SELECT a.atttypid, a.atttypmod, 0 FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum = $2
         UNION ALL SELECT ty.typbasetype, b.m, b.d + 1 FROM b JOIN pg_catalog.pg_type ty ON ty.oid = b.t WHERE ty.typtype = 'd')
       SELECT b.t::text AS base, b.m AS typmod FROM b ORDER BY b.d DESC LIMIT 1`, [refrel, refatt])).rows[0];
    const prof = await profile(s, { rel, att, target: t.base, typmod: t.typmod, refrel, refatt, samples: 3 });
    if (!prof.profiled) throw notProfiledError(prof, fn);
    return buildFixPlan(s, { rel, att, refrel, refatt, mode: onUnconvertible, prof, allowCascade, constraintName });
  });
}

module.exports = { fixPlan, buildFixPlan, bestMapping };
