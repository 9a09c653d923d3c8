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
const SQL_LIT = String.raw`'((?:[^']|'')*)'`;
const jsLit = (sqlLit) => `'${sqlLit.replace(/''/g, "'").replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
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
    .replace('(pass constraint_name to keep its name)', '(pass constraintName to keep its name)');
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

module.exports = { databases, connect, fields, packageFields, packageHint, collectNotices, ROLE, admin };
