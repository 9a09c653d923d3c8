'use strict';
// changeKeyTypePlan(): fk_guard.change_key_type_plan() without the
// extension. The facts of src/pg/key_plan.cpp (the key, its sequence,
// identity and default, every foreign key that references it with its whole
// definition, implied references, the key's values, what online mode would
// drop) read with ordinary queries; every decision and the script from the
// engine (src/core/key_plan_rules.*, key_plan.*).
const engine = require('../engine-wrapper.js');
const pgQuery = require('libpg-query');
const { withSession, sqlError } = require('./session');
const { TypeCache } = require('./catalog');
const { columnBlockers, impliedPairs } = require('./diagnose');
const { profile, tableArg, columnArg, typeArg } = require('./profile');
const { keyPlanFacts } = require('./citus');

let parserLoaded = null;

// Is the text exactly one SQL expression (key_plan.cpp one_expression())?
async function oneExpression(expr) {
  if (expr.includes(';') || expr.includes('--') || expr.includes('/*')) return false;
  if (!parserLoaded) parserLoaded = pgQuery.loadModule();
  await parserLoaded;
  try {
    const tree = pgQuery.parseSync(`SELECT (${expr})`);
    const stmts = tree.stmts || [];
    if (stmts.length !== 1) return false;
    const sel = stmts[0].stmt && stmts[0].stmt.SelectStmt;
    return !!sel && (sel.targetList || []).length === 1 && !(sel.fromClause && sel.fromClause.length);
  } catch (e) {
    return false;
  }
}

// key_plan.cpp conversion_of(): assignment, explicit or none.
async function conversionOf(types, from, to) {
  if (String(from) === String(to)) return 'assignment';
  await types.load([from, to]);
  if (await types.coercible(from, to, 'assignment')) return 'assignment';
  if (await types.coercible(from, to, 'explicit')) return 'explicit';
  return 'none';
}

// "%.6g" as C prints it (the pause in seconds, as pg_sleep() takes it).
function formatG(x) {
  if (x === 0) return '0';
  const exp = Number(x.toExponential(5).split('e')[1]);
  if (exp < -4 || exp >= 6) {
    let [m, e] = x.toExponential(5).split('e');
    m = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  let s = x.toFixed(Math.max(0, 5 - exp));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

const SIZE = (rel) => `(SELECT CASE WHEN sz.reltuples >= 0 THEN sz.reltuples::float8 ELSE -1 END FROM pg_catalog.pg_class sz WHERE sz.oid = ${rel}) AS rows,
  pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size(${rel})) AS size`;

// The default operator class of an access method for a type
// (GetDefaultOpClass): its own, else the one it is binary-coercible to.
async function defaultOpclass(s, types, type, am) {
  const r = (await s.query(
    `SELECT oc.oid::text AS oid, oc.opcintype::text AS intype, t.typispreferred AS preferred FROM pg_catalog.pg_opclass oc
       JOIN pg_catalog.pg_type t ON t.oid = oc.opcintype WHERE oc.opcmethod = $1 AND oc.opcdefault`, [am])).rows;
  await types.load([type, ...r.map((x) => x.intype)]);
  const base = types.base(type).oid;
  const exact = r.find((x) => x.intype === base);
  if (exact) return exact.oid;
  const compatible = r.filter((x) => types.isBinaryCoercible(base, x.intype));
  const preferred = compatible.filter((x) => x.preferred);
  return preferred.length === 1 ? preferred[0].oid : compatible.length === 1 ? compatible[0].oid : null;
}

// What the online swap would drop with rel.att (key_plan.cpp online_column()).
async function onlineColumn(s, types, rel, att, keyRel, isKey, pkIndex) {
  const out = { blockers: [], index: '', index_name: '', index_method: '', has_default: false };
  const type = (await s.query('SELECT atttypid::text AS t FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum = $2', [rel, att])).rows[0].t;
  const deps = (await s.query(
    `SELECT d.classid::pg_catalog.regclass::text AS cls, d.objid::text AS objid, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS what
       FROM pg_catalog.pg_depend d
      WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1 AND d.refobjsubid = $2 ORDER BY d.ctid`, [rel, att])).rows;
  for (const d of deps) {
    let allowed = false;
    if (d.cls === 'pg_class') {
      const c = (await s.query(
        `SELECT c.relkind, c.relam::text AS am, c.relname::text AS name, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS q,
                a.amname::text AS method
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_am a ON a.oid = c.relam
          WHERE c.oid = $1`, [d.objid])).rows[0];
      if (c && c.relkind === 'S') allowed = isKey;
      if (c && c.relkind === 'i') {
        if (isKey) allowed = d.objid === pkIndex;
        else if (!out.index) {
          const ix = (await s.query(
            `SELECT ix.indnatts = 1 AND ix.indkey[0] = $2 AND NOT ix.indisunique AND ix.indisvalid AND ix.indexprs IS NULL AND ix.indpred IS NULL AS plain,
                    ix.indclass[0]::text AS cls FROM pg_catalog.pg_index ix WHERE ix.indexrelid = $1`, [d.objid, att])).rows[0];
          if (ix && ix.plain && ix.cls === (await defaultOpclass(s, types, type, c.am))) {
            allowed = true;
            out.index = c.q;
            out.index_name = c.name;
            out.index_method = c.method || '';
          }
        }
      }
    } else if (d.cls === 'pg_constraint') {
      const c = (await s.query('SELECT contype, confrelid::text AS confrelid, conindid::text AS conindid FROM pg_catalog.pg_constraint WHERE oid = $1', [d.objid])).rows[0];
      if (c) allowed = (c.contype === 'f' && c.confrelid === String(keyRel)) || (isKey && c.contype === 'p' && c.conindid === pkIndex) ||
        (s.serverVersion >= 180000 && c.contype === 'n');
    } else if (d.cls === 'pg_attrdef') {
      out.has_default = true;
      allowed = isKey;
    }
    if (!allowed && d.what) out.blockers.push(d.what);
  }
  return out;
}

async function keyTypeFacts(s, { rel, att, newType, mode, newKeyExpression, includeImplied, online, batchSize, batchPause }) {
  const types = new TypeCache(s);
  await types.loadCasts();
  const k = (await s.query(
    `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS table_q, pg_catalog.quote_ident(a.attname) AS att_q,
            a.atttypid::text AS type, pg_catalog.format_type(a.atttypid, a.atttypmod) AS old_type, a.attidentity <> '' AS identity, a.attidentity AS identity_kind,
            pg_catalog.format_type($3, NULL) AS new_type, c.relkind = 'p' AS partitioned, c.relispartition AS is_partition,
            n.nspname::text AS schema_name, c.relname::text AS table_name, a.attname::text AS column_name,
            (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) AS current_default,
            (SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sc.relname) FROM pg_catalog.pg_depend d
               JOIN pg_catalog.pg_class sc ON sc.oid = d.objid JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
              WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'a' AND sc.relkind = 'S'
              ORDER BY d.ctid DESC LIMIT 1) AS sequence,
            ${SIZE('a.attrelid')}
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attrelid = $1 AND a.attnum = $2`, [rel, att, newType])).rows[0];
  const f = {
    table: k.table_q, column: k.att_q, old_type: k.old_type, new_type: k.new_type, same_type: k.type === String(newType),
    identity: k.identity, sequence: k.identity ? '' : k.sequence || '', current_default: k.current_default || '',
    rows: k.rows, size: k.size, mode, include_implied: !!includeImplied, online: !!online, batch_size: batchSize, batch_pause: batchPause,
    no_not_valid_on_partitioned: s.serverVersion < 180000,
    integer_target: ['21', '23', '20'].includes(String(newType)), uuid_target: String(newType) === '2950',
  };
  if (newKeyExpression != null) {
    f.new_key_expression = newKeyExpression;
    f.expression_is_one_expression = await oneExpression(newKeyExpression);
  }
  const refuse = (x) => sqlError(x.sqlstate, x.message, x.detail || undefined, x.hint || undefined);
  let r = engine.call('keyTypePlanPrecheck', f);
  if (f.same_type && r) throw refuse(r);
  f.blockers = await columnBlockers(s, rel, att);
  f.conversion = await conversionOf(types, k.type, newType);
  r = engine.call('keyTypePlanPrecheck', f);
  if (r) throw refuse(r);
  const mapped = f.conversion === 'none';
  if (!mapped) {
    const p = await profile(s, { rel, att, target: String(newType), typmod: -1, samples: 3 });
    f.profiled = p.profiled;
    f.not_profiled_reason = p.not_profiled_reason;
    f.rows_unconvertible = p.rows_unconvertible;
    f.sample_unconvertible = p.sample_unconvertible;
  }
  // Every declared foreign key on the key column, by schema, table, constraint (bytes) and column.
  const delsetcols = s.serverVersion >= 150000 ? 'c.confdelsetcols IS NOT NULL' : 'false';
  const refs = (await s.query(
    `SELECT c.oid::text AS oid, c.conrelid::text AS rel, k.fk::int AS att, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.relname) AS table_q,
            pg_catalog.quote_ident(a.attname) AS att_q, pg_catalog.quote_ident(c.conname) AS con_q, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
            a.atttypid::text AS type, pg_catalog.format_type(a.atttypid, NULL) AS source_type, NOT c.convalidated AS not_valid,
            t.relkind = 'p' AS partitioned, t.relispartition AS is_partition, c.conrelid = $1 AS same_table, a.attnotnull AS not_null,
            n.nspname::text AS schema_name, t.relname::text AS table_name, a.attname::text AS column_name, c.conname::text AS constraint_name,
            pg_catalog.cardinality(c.conkey) AS key_columns, ${delsetcols} AS set_null_columns, c.confmatchtype AS match_type,
            c.confupdtype AS update_action, c.confdeltype AS delete_action, c.condeferrable AS deferrable, c.condeferred AS deferred,
            ${SIZE('c.conrelid')}
       FROM pg_catalog.pg_constraint c CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS k(fk, pk)
       JOIN pg_catalog.pg_class t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.fk
      WHERE c.contype = 'f' AND c.confrelid = $1 AND c.conparentid = 0 AND k.pk = $2
        AND pg_catalog.cardinality(c.conkey) = pg_catalog.cardinality(c.confkey)
      ORDER BY n.nspname COLLATE "C", t.relname COLLATE "C", c.conname COLLATE "C", k.fk`, [rel, att])).rows;
  let pkIndex = null;
  if (online) pkIndex = ((await s.query('SELECT indexrelid::text AS i FROM pg_catalog.pg_index WHERE indrelid = $1 AND indisprimary', [rel])).rows[0] || {}).i || null;
  f.referrers = [];
  const impliedRels = [];
  for (const x of refs) {
    const o = {
      table: x.table_q, column: x.att_q, constraint: x.con_q, definition: x.definition, source_type: x.source_type,
      conversion: await conversionOf(types, x.type, newType), not_valid: x.not_valid, partitioned: x.partitioned, is_partition: x.is_partition,
      same_table: x.same_table, not_null: x.not_null, rows: x.rows, size: x.size, schema_name: x.schema_name, table_name: x.table_name,
      column_name: x.column_name, constraint_name: x.constraint_name, key_columns: x.key_columns, set_null_columns: x.set_null_columns,
      match_type: x.match_type, update_action: x.update_action, delete_action: x.delete_action, deferrable: x.deferrable, deferred: x.deferred,
      blockers: await columnBlockers(s, x.rel, x.att),
    };
    if (mapped && mode === 'delete') {
      const c = (await s.query(
        `SELECT pg_catalog.string_agg(pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.relname) || ' (' || pg_catalog.quote_ident(c.conname) || ')', ', ' ORDER BY c.ctid) AS names
           FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
          WHERE c.contype = 'f' AND c.confrelid = $1 AND c.conparentid = 0 AND c.confdeltype NOT IN ('a', 'r')`, [x.rel])).rows[0];
      o.cascades = c.names || '';
    }
    if (online) {
      const oc = await onlineColumn(s, types, x.rel, x.att, rel, false, pkIndex);
      o.online_blockers = oc.blockers.join(', ');
      o.online_has_default = oc.has_default;
      o.index = oc.index;
      o.index_name = oc.index_name;
      o.index_method = oc.index_method;
    }
    f.referrers.push(o);
  }
  if (online) {
    f.key_partitioned = k.partitioned;
    f.key_is_partition = k.is_partition;
    f.identity_kind = k.identity_kind || '';
    f.schema_name = k.schema_name;
    f.table_name = k.table_name;
    f.column_name = k.column_name;
    if (pkIndex) {
      const pk = (await s.query(
        `SELECT ix.indnatts = 1 AND ix.indkey[0] = $2 AND ix.indimmediate AS single,
                (SELECT c.conname::text FROM pg_catalog.pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x') LIMIT 1) AS name
           FROM pg_catalog.pg_index ix WHERE ix.indexrelid = $1`, [pkIndex, att])).rows[0];
      if (pk && pk.single && pk.name) f.primary_key_name = pk.name;
    }
    const oc = await onlineColumn(s, types, rel, att, rel, true, pkIndex);
    f.online_blockers = oc.blockers.join(', ');
  } else if (includeImplied) {
    // the function's own search path (pg_catalog, pg_temp), as the extension's sees it
    const path = (await s.query('SELECT pg_catalog.current_schemas(false)::text[] AS p')).rows[0].p;
    f.implied = [];
    const oldBase = (await types.load([k.type]), types.base(k.type).oid);
    for (const p of await impliedPairs(s, path)) {
      if (p.refrel !== String(rel) || p.refatt !== att) continue;
      impliedRels.push(p.rel);
      const x = (await s.query(
        `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.relname) AS table_q, pg_catalog.quote_ident(a.attname) AS att_q,
                a.atttypid::text AS type, pg_catalog.format_type(a.atttypid, NULL) AS source_type, ${SIZE('a.attrelid')}
           FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class t ON t.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
          WHERE a.attrelid = $1 AND a.attnum = $2`, [p.rel, p.att])).rows[0];
      await types.load([x.type]);
      f.implied.push({
        table: x.table_q, column: x.att_q, source_type: x.source_type, conversion: await conversionOf(types, x.type, newType),
        same_base_type: types.base(x.type).oid === oldBase, same_table: p.rel === String(rel), rows: x.rows, size: x.size,
        blockers: await columnBlockers(s, p.rel, p.att),
      });
    }
  }
  // On Citus: its tables among the plan's (citus_plans::plan_key()), whose
  // size the coordinator does not hold (key_plan.cpp table_size()).
  const citusRels = [rel, ...refs.map((x) => x.rel), ...impliedRels];
  const citus = await keyPlanFacts(s, citusRels);
  if (citus) {
    f.citus = citus;
    const onCitus = new Set(citus.tables.map((t) => t.table));
    const notRead = engine.call('citusSizeNotRead');
    for (const x of [f, ...f.referrers, ...(f.implied || [])])
      if (onCitus.has(x.table)) Object.assign(x, { rows: -1, size: notRead });
  }
  return f;
}

// changeKeyTypePlan(db, {referencedTable, referencedColumn, newType,
// onUnconvertible = 'fail', newKeyExpression, includeImplied = false,
// online = false, batchSize = 10000, batchPause = '0.1 s'}): the text of
// fk_guard.change_key_type_plan().
async function changeKeyTypePlan(db, { referencedTable, referencedColumn, newType, onUnconvertible = 'fail', newKeyExpression = null,
  includeImplied = false, online = false, batchSize = 10000, batchPause = '0.1 s' } = {}) {
  const fn = 'change_key_type_plan';
  for (const [v, name] of [[referencedTable, 'referenced_table'], [referencedColumn, 'referenced_column'], [newType, 'new_type'],
    [onUnconvertible, 'on_unconvertible'], [includeImplied, 'include_implied'], [online, 'online'], [batchSize, 'batch_size'], [batchPause, 'batch_pause']])
    if (v == null) throw sqlError('22004', `argument ${name} of fk_guard.${fn}() must not be null`);
  return withSession(db, async (s) => {
    const rel = await tableArg(s, referencedTable, 'referenced_table', fn);
    const att = await columnArg(s, rel, referencedColumn);
    const type = await typeArg(s, newType, 'new_type', fn);
    if (!['fail', 'null', 'delete', 'map'].includes(onUnconvertible))
      throw sqlError('22023', `unknown on_unconvertible "${onUnconvertible}"`, undefined, 'Use fail, null or delete.');
    if (!(batchSize >= 1)) throw sqlError('22023', 'batch_size must be at least 1', undefined, 'The backfill updates about batch_size rows per transaction.');
    const pause = (await s.query(
      `SELECT (pg_catalog.date_part('year', i) * 12 + pg_catalog.date_part('month', i)) < 0 OR pg_catalog.date_part('day', i) < 0
              OR pg_catalog.date_part('epoch', i) - (pg_catalog.date_part('year', i) * 12 + pg_catalog.date_part('month', i)) * 2592000
                 - pg_catalog.date_part('day', i) * 86400 < 0 AS negative,
              pg_catalog.date_part('epoch', i)::float8 AS seconds
         FROM (SELECT $1::pg_catalog.interval AS i) x`, [String(batchPause)])).rows[0];
    if (pause.negative) throw sqlError('22023', 'batch_pause must not be negative', undefined, "The backfill sleeps batch_pause after each batch; '0' does not pause.");
    return keyTypePlanIn(s, { rel, att, newType: type, mode: onUnconvertible, newKeyExpression, includeImplied, online,
      batchSize, batchPause: formatG(pause.seconds) });
  });
}

// The script in a session of session.js (build_key_type_plan()); a refusal
// is thrown with the extension's fields.
async function keyTypePlanIn(s, opts) {
  const f = await keyTypeFacts(s, { batchSize: 10000, batchPause: '0.1', includeImplied: false, online: false, newKeyExpression: null, ...opts });
  const out = engine.call('keyTypePlan', f);
  if (out.refused) throw sqlError(out.refused.sqlstate, out.refused.message, out.refused.detail || undefined, out.refused.hint || undefined);
  return out.plan;
}

module.exports = { changeKeyTypePlan, keyTypePlanIn, formatG, oneExpression };
