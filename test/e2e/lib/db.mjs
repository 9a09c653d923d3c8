// A fresh database per test, with pg_fk_guard created in it by the superuser
// and owned by an ordinary role that the migration tools connect as (the way
// an application's migrations usually run). Connection settings come from
// the usual libpq variables (PGHOST may be a socket directory), which
// test/run_e2e.sh points at its throwaway cluster.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const HOST = process.env.PGHOST || '/var/run/postgresql';
export const PORT = Number(process.env.PGPORT || 5432);
export const SUPERUSER = process.env.FKG_E2E_SUPERUSER || 'postgres';
export const APP_ROLE = process.env.FKG_E2E_ROLE || 'fkg_app';

async function withClient(database, user, fn) {
  const client = new pg.Client({ host: HOST, port: PORT, user, database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureRole(admin) {
  // Test files run in parallel: two may create the role at once.
  await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
}

// Creates e2e_<label>_<random> owned by the application role, creates the
// extension in it, and returns what a test needs. Call drop() when done
// (t.after(db.drop)).
export async function freshDatabase(label) {
  const name = `e2e_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await withClient('postgres', SUPERUSER, async (admin) => {
    await ensureRole(admin);
    await admin.query(`CREATE DATABASE ${name} OWNER ${APP_ROLE} TEMPLATE template0`);
  });
  await withClient(name, SUPERUSER, (c) => c.query('CREATE EXTENSION pg_fk_guard'));
  const connection = { host: HOST, port: PORT, user: APP_ROLE, database: name };
  return {
    name,
    connection,
    // A plain pg client as the application role, for setup and checks.
    async query(sql, params) {
      return withClient(name, APP_ROLE, (c) => c.query(sql, params));
    },
    async rows(sql, params) {
      return (await this.query(sql, params)).rows;
    },
    async superQuery(sql, params) {
      return withClient(name, SUPERUSER, (c) => c.query(sql, params));
    },
    async drop() {
      await withClient('postgres', SUPERUSER, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

// Collects the server's NOTICE/WARNING messages a pg client receives
// ('notice' event). attach(client) to every connection a tool opens.
export function noticeCollector() {
  const notices = [];
  return {
    notices,
    attach(client) {
      client.on('notice', (n) => notices.push({
        severity: n.severity, code: n.code, message: n.message,
        detail: n.detail, hint: n.hint, where: n.where,
      }));
      return client;
    },
    // Ours: the guard's messages start with 'foreign key constraint' and
    // carry CONTEXT (where) 'pg_fk_guard: ...'; either is enough.
    ours() {
      return notices.filter((n) => mentionsGuard(n));
    },
  };
}

export function mentionsGuard(n) {
  const text = [n.message, n.detail, n.hint, n.where].filter(Boolean).join('\n');
  return /pg_fk_guard|foreign key constraint/i.test(text);
}

// One line for t.diagnostic(): what the user would see from psql.
export function describeServerMessage(m) {
  const lines = [`${m.severity}:  ${m.message}`];
  if (m.detail) lines.push(`DETAIL:  ${m.detail}`);
  if (m.hint) lines.push(`HINT:  ${m.hint}`);
  if (m.where) lines.push(`CONTEXT:  ${m.where}`);
  return lines.join('\n');
}

export async function columnType(db, table, column) {
  const [row] = await db.rows(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`, [table, column]);
  return row && row.type;
}

export async function foreignKeysOn(db, table) {
  return db.rows(
    `SELECT conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`, [table]);
}

// fk_guard.migration_history() as the application reads it: what each tool
// recorded in the table it made itself, in the tools' own order.
export async function migrationHistory(db) {
  return db.rows(`SELECT tool, migration, status, recorded_in::text AS recorded_in, applied_at IS NOT NULL AS has_time
                    FROM fk_guard.migration_history() ORDER BY recorded_in::text, ordinal`);
}
