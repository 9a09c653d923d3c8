'use strict';
// Test databases on the throwaway cluster test/run_npm.sh starts (PGHOST,
// PGPORT, PGUSER = the superuser): each scenario gets two databases with the
// same schema and data, owned by an ordinary role (no superuser, the TEMP
// privilege every role has by default): `<label>_plain` without the
// extension, where the package judges, and `<label>_ext` with it, whose
// answers the package's must equal.
const { Client } = require('pg');

const ROLE = 'fkg_app';
let roleReady = null;

async function admin(fn, database = 'postgres') {
  const c = new Client({ database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function ensureRole() {
  if (!roleReady) {
    roleReady = admin(async (c) => {
      const r = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE]);
      if (r.rowCount === 0) await c.query(`CREATE ROLE ${ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    });
  }
  return roleReady;
}

let seq = 0;

// Two databases; setup (SQL text) run in both as the ordinary role.
async function databases(label, setup = '') {
  await ensureRole();
  const name = `${label}_${process.pid}_${++seq}`.toLowerCase();
  const plain = `${name}_plain`;
  const ext = `${name}_ext`;
  await admin(async (c) => {
    for (const db of [plain, ext]) await c.query(`CREATE DATABASE ${db} OWNER ${ROLE}`);
  });
  await admin((c) => c.query('CREATE EXTENSION pg_fk_guard'), ext);
  const config = (database) => ({ database, user: ROLE });
  if (setup) {
    for (const db of [plain, ext]) {
      const c = new Client(config(db));
      await c.connect();
      await c.query(setup);
      await c.end();
    }
  }
  return {
    plain: config(plain),
    ext: config(ext),
    async drop() {
      await admin(async (c) => {
        for (const db of [plain, ext]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
    },
  };
}

async function connect(config) {
  const c = new Client(config);
  await c.connect();
  return c;
}

// The fields a refusal carries, for comparison.
function fields(e) {
  if (!e) return null;
  return { severity: e.severity, code: e.code, message: e.message, detail: e.detail, hint: e.hint, where: e.where };
}

// The HINT the package writes where the extension's HINT names its SQL
// functions: fk_guard.fix_plan(), fk_guard.change_key_type_plan()
// and fk_guard.explain() become fixPlan(), changeKeyTypePlan() and explain()
// calls. Written
// here independently of the engine, from the extension's text.
// A string literal as PostgreSQL's quote_literal() and the engine write it:
// 'it''s', or E'a\\b' (doubled backslashes) where the value holds one.
const SQL_LIT = String.raw`(E?'(?:[^'\\]|''|\\.)*')`;
function sqlValue(lit) {
  if (lit.startsWith('E')) return lit.slice(2, -1).replace(/\\(.)|''/gs, (m, c) => (c !== undefined ? c : "'"));
  return lit.slice(1, -1).replace(/''/g, "'");
}
// The value as a JavaScript string literal: quote and backslash escaped, a
// newline as \n, other control characters as \xhh.
const jsLit = (lit) => `'${sqlValue(lit).replace(/[\\']/g, (c) => `\\${c}`).replace(/\n/g, '\\n')
  .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
function packageHint(hint) {
  if (typeof hint !== 'string') return hint;
  return hint
    .replace(new RegExp(String.raw`SELECT fk_guard\.explain\(${SQL_LIT}, ${SQL_LIT}\);$`),
      (m, t, c) => `explain(db, {table: ${jsLit(t)}, column: ${jsLit(c)}});`)
    .replace(new RegExp(String.raw`SELECT fk_guard\.fix_plan\(${SQL_LIT}, ${SQL_LIT}, ${SQL_LIT}, ${SQL_LIT}(?:, on_unconvertible => ${SQL_LIT})?(?:, constraint_name => ${SQL_LIT})?\)`, 'g'),
      (m, t, c, rt, rc, mode, con) => `fixPlan(db, {referencingTable: ${jsLit(t)}, referencingColumn: ${jsLit(c)}, ` +
        `referencedTable: ${jsLit(rt)}, referencedColumn: ${jsLit(rc)}` +
        (mode !== undefined ? `, onUnconvertible: ${jsLit(mode)}` : '') +
        (con !== undefined ? `, constraintName: ${jsLit(con)}` : '') + '})')
    .replace(new RegExp(String.raw`SELECT fk_guard\.change_key_type_plan\(${SQL_LIT}, ${SQL_LIT}, ${SQL_LIT}\)`, 'g'),
      (m, t, c, ty) => `changeKeyTypePlan(db, {referencedTable: ${jsLit(t)}, referencedColumn: ${jsLit(c)}, newType: ${jsLit(ty)}})`)
    .replace('then fk_guard.fix_plan() writes, for each referencing column,', 'then fixPlan() writes, for each referencing column,')
    .replace('(pass constraint_name to keep its name)', '(pass constraintName to keep its name)')
    .replace(new RegExp(String.raw`fk_guard\.change_key_type_plan\(${SQL_LIT}, ${SQL_LIT}, ${SQL_LIT}, new_key_expression => \.\.\.\)`, 'g'),
      (m, t, c, ty) => `changeKeyTypePlan(db, {referencedTable: ${jsLit(t)}, referencedColumn: ${jsLit(c)}, newType: ${jsLit(ty)}, newKeyExpression: ...})`)
    .replace('(pg_catalog.gen_random_uuid(), or another new_key_expression)', '(pg_catalog.gen_random_uuid(), or another newKeyExpression)')
    .replace(', from new_key_expression (an expression over each row', ', from newKeyExpression (an expression over each row')
    .replace(/ Or set pg_fk_guard\.duplicate_keys = warn to (add it anyway|add both)\./, " Or pass duplicateKeys: 'warn' to guard() to $1.")
    .replace(/ Or set pg_fk_guard\.soft_mismatches = warn to accept it\.$/, " Or pass softMismatches: 'warn' to guard() to accept it.")
    .replace(/ pg_fk_guard\.validation_notice_rows \(now (\d+)\) sets/, " validationNoticeRows (now $1) in guard()'s options sets");
}

// The extension's fields with the HINT the package writes (packageHint).
function packageFields(e) {
  const f = fields(e);
  return f && { ...f, hint: packageHint(f.hint) };
}

// Collects the extension's notices (WARNING/NOTICE from pg_fk_guard) on a client.
function collectNotices(client) {
  const list = [];
  client.on('notice', (n) => {
    if (/^foreign key constraint /.test(n.message)) list.push(n);
  });
  return list;
}

// A fix plan written where pg_fk_guard is not installed, as the extension
// writes it: the same script without the statements that define and drop
// its stand-in for fk_guard.converts() (which must be exactly the engine's
// convertsHelperSql(), with the comments the writer gives them), without the
// header line that announces it, its steps numbered again, and
// fk_guard.converts() called in its place. Strings deep inside objects and
// arrays too; anything without the stand-in is returned as it is.
const HELPER = 'pg_temp.fk_guard_converts';
const HELPER_NOTE = `-- pg_fk_guard is not installed in this database: the script defines ${HELPER}(), which decides as fk_guard.converts() does whether a value converts, for this session only.\n`;
function helperCreate(step) {
  const engine = require('../lib/engine-wrapper.js');
  return `-- Step ${step}: a temporary function that decides, as fk_guard.converts() does, whether a value converts; it lasts until the session ends.\n${engine.call('convertsHelperSql')};\n`;
}
const helperDrop = (step) => `-- Step ${step}: the temporary function is no longer needed.\nDROP FUNCTION ${HELPER}(anyelement, pg_catalog.regtype, integer);\n`;

function withoutConvertsHelper(x) {
  if (Array.isArray(x)) return x.map(withoutConvertsHelper);
  // plain objects only: a Date (or anything else the driver returns) as it is
  if (x && typeof x === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(x)))
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, withoutConvertsHelper(v)]));
  if (typeof x !== 'string' || !x.includes(HELPER)) return x;
  // the script as it is, and as a string inside JSON text (explain's json report)
  return withoutHelperIn(withoutHelperIn(x, (t) => t), (t) => JSON.stringify(t).slice(1, -1));
}

function withoutHelperIn(x, esc) {
  let out = x;
  for (let at = out.indexOf(esc(HELPER_NOTE)); at >= 0; at = out.indexOf(esc(HELPER_NOTE))) {
    const start = out.lastIndexOf('-- pg_fk_guard fix plan: ', at);
    const create = /-- Step (\d+): a temporary function that decides, as fk_guard\.converts\(\) does/g;
    create.lastIndex = at;
    const c = create.exec(out);
    const dropAt = c ? out.indexOf(esc(`: the temporary function is no longer needed.\nDROP FUNCTION ${HELPER}(`), c.index) : -1;
    const d = dropAt >= 0 ? /-- Step (\d+)$/.exec(out.slice(0, dropAt)) : null;
    const end = d ? out.indexOf(esc('RESET lock_timeout;\n'), dropAt) : -1;
    if (start < 0 || end < 0) return x;
    const k = Number(c[1]), j = Number(d[1]);
    let script = out.slice(start, end);
    const cut = [esc(HELPER_NOTE), esc(helperCreate(k)), esc(helperDrop(j))];
    for (const piece of cut) {
      if (!script.includes(piece)) return x;
      script = script.replace(piece, '');
    }
    script = script.replace(/-- Statements: ([A-Z ,]*)/, (m, tags) => {
      const list = tags.split(', ');
      if (list[k - 1] !== 'CREATE FUNCTION' || list[j - 1] !== 'DROP FUNCTION') return m;
      return `-- Statements: ${list.filter((_, i) => i !== k - 1 && i !== j - 1).join(', ')}`;
    });
    script = script.replace(/Step (\d+)/g, (m, n) => `Step ${Number(n) > j ? Number(n) - 2 : Number(n) > k ? Number(n) - 1 : Number(n)}`);
    script = script.split(`${HELPER}(`).join('fk_guard.converts(');
    out = out.slice(0, start) + script + out.slice(end);
  }
  return out;
}

module.exports = { databases, connect, fields, packageFields, packageHint, sqlValue, collectNotices, ROLE, admin, withoutConvertsHelper };
