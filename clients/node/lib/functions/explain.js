'use strict';
// explain(): fk_guard.explain() without the extension. The C half
// (explain_facts_in: the key the column refers to, the verdict, one profile,
// both plans and what each does to this data) is computed here as
// src/pg/explain.cpp computes it, its sentences from the engine; the
// extension's own explain_in() and migration_history_in() (PL/pgSQL, from
// extension/pg_fk_guard.sql, lib/functions/explain-sql.js) then add the
// objects on both columns and the history and lay the report out, run as
// temporary functions in the package's rolled-back transaction (the TEMP
// privilege is needed, as for any temporary table).
const engine = require('../engine-wrapper.js');
const { withSession, sqlError } = require('./session');
const { TypeCache } = require('./catalog');
const d = require('./diagnose');
const { profile, tableArg, columnArg } = require('./profile');
const { buildFixPlan, bestMapping } = require('./fixplan');
const { keyTypePlanIn } = require('./keyplan');
const SQL = require('./explain-sql');

const call = (name, ...args) => engine.call(name, ...args);

// The key a column refers to (catalog_pairs.cpp key_referenced_by()):
// through a declared foreign key on it, else implied by its name.
async function keyReferencedBy(s, rel, att, pathNames) {
  const declared = (await s.query(
    `SELECT c.oid::text AS con, c.conname::text AS conname, c.conparentid <> 0 AS clone, c.confrelid::text AS refrel,
            k.pk::int AS refatt,
            ix.indclass[pg_catalog.array_position(ix.indkey::pg_catalog.int2[], k.pk)]::text AS opclass
       FROM pg_catalog.pg_constraint c CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS k(fk, pk)
       LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.conindid
      WHERE c.conrelid = $1 AND c.contype = 'f' AND k.fk = $2${s.serverVersion >= 180000 ? ' AND NOT c.conperiod' : ''}
      ORDER BY c.contypid, c.conname COLLATE "C" LIMIT 1`, [rel, att])).rows[0];
  if (declared) return { ...declared, others: [] };
  const col = (await s.query('SELECT a.attname::text AS n, c.relname::text AS r, c.relnamespace::text AS nsp FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE a.attrelid = $1 AND a.attnum = $2', [rel, att])).rows[0];
  const stem = call('referenceStem', col.n);
  if (stem == null) return null;
  const names = call('candidateTables', stem, col.r);
  const path = (await s.query('SELECT n.oid::text AS oid FROM pg_catalog.unnest($1::name[]) WITH ORDINALITY AS p(name, ord) JOIN pg_catalog.pg_namespace n ON n.nspname = p.name ORDER BY p.ord', [pathNames])).rows.map((r) => r.oid);
  const tables = (await s.query(
    `SELECT c.oid::text AS rel, c.relnamespace::text AS nsp, c.relname::text AS relname, c.relkind,
            (SELECT ix.indkey[0]::int FROM pg_catalog.pg_index ix WHERE ix.indrelid = c.oid AND ix.indisprimary AND ix.indnkeyatts = 1 AND ix.indkey[0] <> 0) AS pkatt,
            (SELECT ix.indclass[0]::text FROM pg_catalog.pg_index ix WHERE ix.indrelid = c.oid AND ix.indisprimary AND ix.indnkeyatts = 1 AND ix.indkey[0] <> 0) AS opclass,
            c.oid::pg_catalog.regclass::text AS regclass
       FROM pg_catalog.pg_class c WHERE c.relname = ANY ($1::name[])`, [names])).rows;
  const found = [];
  for (const nsp of [col.nsp, ...path.filter((p) => p !== col.nsp)]) {
    for (const name of names) {
      if (found.length >= 8) break;
      const t = tables.find((x) => x.nsp === nsp && x.relname === name);
      if (!t || (t.relkind !== 'r' && t.relkind !== 'p') || found.some((f) => f.rel === t.rel)) continue;
      if (t.pkatt != null) found.push(t);
    }
    if (found.length) break;
  }
  if (!found.length || (found[0].rel === String(rel) && found[0].pkatt === att)) return null;
  return { con: null, conname: null, refrel: found[0].rel, refatt: found[0].pkatt, opclass: found[0].opclass, others: found.slice(1).map((f) => f.regclass) };
}

// Is refrel.refatt a surrogate key that may follow (fix_plan.cpp surrogate_key_may_follow())?
async function surrogateKeyMayFollow(s, types, refrel, refatt, type) {
  const r = (await s.query(
    `SELECT (a.attidentity <> '' OR a.atthasdef) AS filled,
            EXISTS (SELECT 1 FROM pg_catalog.pg_index ix WHERE ix.indrelid = a.attrelid AND ix.indisprimary AND ix.indnkeyatts = 1 AND ix.indkey[0] = a.attnum) AS pk
       FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum = $2`, [refrel, refatt])).rows[0];
  await types.load([type]);
  const t = types.base(type).oid;
  return !!r && r.filled && ['21', '23', '20', '2950'].includes(t) && r.pk;
}

async function explainFacts(s, rel, att, pathNames) {
  const key = await keyReferencedBy(s, rel, att, pathNames);
  const hasKey = !!key;
  const all = [{ rel: String(rel), att, refrel: hasKey ? key.refrel : String(rel), refatt: hasKey ? key.refatt : att }];
  const cols = await d.columnFacts(s, all);
  const fk = cols.get(`${rel}/${att}`), pk = hasKey ? cols.get(`${key.refrel}/${key.refatt}`) : null;
  const types = new TypeCache(s);
  await types.load([fk.type, ...(pk ? [pk.type] : [])]);
  await types.loadCasts();
  const col = `${fk.regclass}.${fk.att_q}`;
  const keys = hasKey ? `${pk.regclass}.${pk.att_q}` : '';
  const implied = hasKey && key.con == null;
  let r = null, judged = null;
  if (hasKey) {
    for (const c of [fk, pk]) c.effective = types.base(c.type, c.typmod);
    const disp = await d.displayTypes(s, [fk, pk].flatMap((c) => [{ type: c.type, typmod: c.typmod }, { type: c.effective.oid, typmod: c.effective.typmod }]));
    for (const c of [fk, pk]) {
      c.display = disp.get(`${c.type}/${c.typmod}`);
      c.base_display = disp.get(`${c.effective.oid}/${c.effective.typmod}`);
    }
    const ctx = { s, types, colls: await d.collationFacts(s, [fk.coll, pk.coll]), opclasses: await d.opclassFacts(s, [key.opclass]),
      defaults: await d.defaultBtreeFamilies(s), checkCollations: s.serverVersion >= 180000 };
    judged = await d.judge(ctx, fk, pk, key.opclass);
    const conQ = key.conname != null ? (await s.query('SELECT pg_catalog.quote_ident($1) AS q', [key.conname])).rows[0].q : '';
    r = call('renderPair', { fk_table: fk.regclass, fk_table_q: fk.table_q, fk_column: fk.att_q, pk_table: pk.regclass, pk_table_q: pk.table_q, pk_column: pk.att_q, constraint: conQ },
      judged.facts, judged.conversion);
    if (implied) r.detail = call('impliedDetailPrefix', pk.regclass, key.others) + r.detail;
  }
  // (2) the data, to the key's type (or, with no key, the column's own type)
  const target = hasKey ? { type: types.base(pk.type).oid, typmod: pk.typmod } : { type: types.base(fk.type).oid, typmod: -1 };
  const unreadable = (await d.unreadableColumn(s, rel, att)) || (hasKey ? await d.unreadableColumn(s, key.refrel, key.refatt) : null);
  const started = process.hrtime.bigint();
  const prof = unreadable ? { profiled: false, not_profiled_reason: unreadable }
    : await profile(s, { rel: String(rel), att, target: target.type, typmod: target.typmod, refrel: hasKey ? key.refrel : null, refatt: hasKey ? key.refatt : null, samples: 3 });
  const dataMs = Number(process.hrtime.bigint() - started) / 1e6;

  // (5) the plans, from that one profile
  const plans = {};
  const whole = hasKey && r.whole_values;
  const needsFix = hasKey && (implied || r.kind !== 'none') && !whole;
  const isRefusal = (e) => e && e.fkgUserError;
  if (needsFix) {
    const blockers = await d.columnBlockers(s, String(rel), att);
    let mapping = '';
    let mode = 'fail';
    const mappingColumn = async () => {
      const m = await bestMapping(s, types, fk, key.refrel, key.refatt);
      return !m || m.ambiguous > 0 || m.covered < m.total ? '' : m.column;
    };
    if (blockers) {
      plans.fix_refused = `ALTER COLUMN ... TYPE refuses a column that these use: ${blockers}. Drop them first and create them again after the conversion.`;
    } else if (!prof.profiled) {
      plans.fix_refused = `fix_plan() needs the data, which was not read: ${prof.not_profiled_reason}.`;
    } else {
      if (prof.rows_unconvertible > 0) {
        mapping = await mappingColumn();
        if (mapping) mode = 'map';
      }
      try {
        plans.fix = await buildFixPlan(s, { rel: String(rel), att, refrel: key.refrel, refatt: key.refatt, mode, prof });
        plans.fix_call = call('fixPlanCall', fk.regclass, fk.attname, pk.regclass, pk.attname, mode === 'map' ? 'map' : null, null) + ';';
        plans.fix_effect = call('fixEffect', prof, mode, col, fk.regclass, judged.facts.referenced.display, keys, pk.regclass,
          mapping ? `${pk.regclass}.${mapping}` : '', !implied);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        plans.fix_refused = call('planRefusedText', e.message, e.detail || '');
        delete plans.fix;
      }
    }
    // the key's type may follow instead (a surrogate key, integer or uuid)
    const newType = types.base(fk.type).oid;
    const follow = (r.kind === 'incompatible' || r.kind === 'width') && newType !== target.type &&
      (await surrogateKeyMayFollow(s, types, key.refrel, key.refatt, newType));
    if (follow) {
      await types.load([target.type, newType]);
      const castable = await types.coercible(target.type, newType, 'explicit');
      let expr = '';
      if (!castable && prof.profiled && prof.rows_total > prof.rows_null) {
        if (!mapping && prof.rows_unconvertible > 0) mapping = await mappingColumn();
        if (mapping) expr = `r.${mapping}`;
      }
      const newTypeName = (await s.query('SELECT pg_catalog.format_type($1, NULL) AS t', [newType])).rows[0].t;
      try {
        plans.key = await keyTypePlanIn(s, { rel: key.refrel, att: key.refatt, newType, mode: 'fail', newKeyExpression: expr || null });
        plans.key_call = call('keyPlanCall', pk.regclass, pk.attname, newTypeName, expr);
        plans.key_effect = call('keyEffect', keys, newTypeName, castable, pk.regclass, expr ? mapping : '', prof.rows_total - prof.rows_null, col, !!prof.profiled);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        plans.key_refused = call('planRefusedText', e.message, e.detail || '');
        delete plans.key;
      }
    }
  }
  const conversionKind = !hasKey ? null : { assignment: 'assignment', explicit: 'explicit', explicit_typmod: 'explicit', none: 'none', to_null: 'null' }[judged.conversion];
  const profiled = !!prof.profiled;
  return {
    source: hasKey ? (implied ? 'implied' : 'declared') : null,
    constraint_name: hasKey ? key.conname : null,
    referenced_table: hasKey ? key.refrel : null,
    referenced_column: hasKey ? pk.attname : null,
    other_candidates: hasKey ? key.others : [],
    referencing_type: hasKey ? r.referencing_type : null,
    referenced_type: hasKey ? r.referenced_type : null,
    kind: hasKey ? r.kind : null,
    severity: hasKey ? r.severity : null,
    verdict: hasKey ? r.detail : null,
    conversion_kind: conversionKind,
    data_read: profiled,
    data_not_read: profiled ? null : prof.not_profiled_reason,
    rows_total: profiled ? prof.rows_total : null,
    rows_null: profiled ? prof.rows_null : null,
    rows_convertible: profiled && hasKey ? prof.rows_convertible : null,
    rows_unconvertible: profiled && hasKey ? prof.rows_unconvertible : null,
    rows_orphaned: profiled && prof.orphans_checked ? prof.rows_orphaned : null,
    sample_unconvertible: profiled && hasKey ? prof.sample_unconvertible : null,
    sample_orphaned: profiled && prof.orphans_checked ? prof.sample_orphaned : null,
    conversion: profiled && hasKey ? prof.conversion : null,
    data_ms: profiled ? dataMs : null,
    fix_plan_call: plans.fix_call ?? null,
    fix_plan: plans.fix ?? null,
    fix_plan_effect: plans.fix_effect ?? null,
    fix_plan_refused: plans.fix_refused ?? null,
    key_plan_call: plans.key_call ?? null,
    key_plan: plans.key ?? null,
    key_plan_effect: plans.key_effect ?? null,
    key_plan_refused: plans.key_refused ?? null,
  };
}

const FACT_COLUMNS = [
  ['source', 'text'], ['constraint_name', 'name'], ['referenced_table', 'regclass'], ['referenced_column', 'name'], ['other_candidates', 'text[]'],
  ['referencing_type', 'text'], ['referenced_type', 'text'], ['kind', 'text'], ['severity', 'text'], ['verdict', 'text'], ['conversion_kind', 'text'],
  ['data_read', 'boolean'], ['data_not_read', 'text'], ['rows_total', 'bigint'], ['rows_null', 'bigint'], ['rows_convertible', 'bigint'],
  ['rows_unconvertible', 'bigint'], ['rows_orphaned', 'bigint'], ['sample_unconvertible', 'text[]'], ['sample_orphaned', 'text[]'], ['conversion', 'text'],
  ['data_ms', 'double precision'], ['fix_plan_call', 'text'], ['fix_plan', 'text'], ['fix_plan_effect', 'text'], ['fix_plan_refused', 'text'],
  ['key_plan_call', 'text'], ['key_plan', 'text'], ['key_plan_effect', 'text'], ['key_plan_refused', 'text'],
];

// explain(db, {table, column, format = 'text'}): the text of fk_guard.explain().
async function explain(db, { table, column, format = 'text' } = {}) {
  if (format == null) throw sqlError('22004', 'argument format of fk_guard.explain() must not be null');
  if (!['text', 'json'].includes(format))
    throw sqlError('22023', `unknown explain format ${(await literalOf(db, format))}`, undefined, 'Use text or json.');
  for (const [v, name] of [[table, 'tbl'], [column, 'col']])
    if (v == null) throw sqlError('22004', `argument ${name} of fk_guard.explain() must not be null`);
  return withSession(db, async (s) => {
    const rel = await tableArg(s, table, 'tbl', 'explain');
    const att = await columnArg(s, rel, column);
    const f = await explainFacts(s, rel, att, s.callerPath);
    // the facts as explain_facts_in() returns them, then the extension's own layout
    const cols = FACT_COLUMNS.map(([n]) => n);
    await s.query(`CREATE TEMP TABLE fkg_explain_facts ON COMMIT DROP AS SELECT ${FACT_COLUMNS.map(([n, t], i) => `$${i + 1}::${t} AS ${n}`).join(', ')}`,
      cols.map((n) => (Array.isArray(f[n]) ? f[n] : f[n] == null ? null : String(f[n]))));
    await s.query(`CREATE OR REPLACE FUNCTION pg_temp.explain_facts_in(tbl pg_catalog.regclass, col name, search_path name[],
      ${FACT_COLUMNS.map(([n, t]) => `OUT ${n} ${t}`).join(', ')}) RETURNS record LANGUAGE sql AS 'SELECT * FROM pg_temp.fkg_explain_facts'`);
    await s.query(SQL.migration_history_in);
    await s.query(SQL.explain_in);
    return s.asCaller(async () => (await s.query('SELECT pg_temp.explain_in($1::oid::pg_catalog.regclass, $2, $3, $4::name[]) AS e',
      [rel, column, format, s.callerPath])).rows[0].e);
  });
}

async function literalOf(db, v) {
  const r = await db.query('SELECT pg_catalog.quote_literal($1) AS l', [v]);
  return r.rows[0].l;
}

module.exports = { explain, explainFacts, keyReferencedBy };
