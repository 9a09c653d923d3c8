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

// Collects the extension's notices (WARNING/NOTICE from pg_fk_guard) on a client.
function collectNotices(client) {
  const list = [];
  client.on('notice', (n) => {
    if (/^foreign key constraint /.test(n.message)) list.push(n);
  });
  return list;
}

module.exports = { databases, connect, fields, collectNotices, ROLE, admin };
