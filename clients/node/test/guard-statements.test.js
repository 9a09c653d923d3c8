'use strict';
// Multi-statement query strings through guard(): every statement that adds
// foreign keys is judged, in order, with the effects of the earlier
// statements on the catalog (replayed in a rolled-back transaction), and the
// result compared with the extension's, which judges each statement at its
// own ddl_command_start: the same refusal fields (the HINT with the
// package's functions, helpers.js packageHint), the same soft notices, the
// same keys created.
const test = require('node:test');
const assert = require('node:assert/strict');
const { guard } = require('../lib/index.js');
const { databases, connect, fields, packageFields, packageHint, collectNotices } = require('./helpers.js');

const SETUP = `
CREATE TABLE users (id serial PRIMARY KEY, legacy uuid UNIQUE);
CREATE TABLE accounts (id bigserial PRIMARY KEY);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
CREATE SCHEMA app;
CREATE TABLE app.teams (id uuid PRIMARY KEY);
CREATE TABLE nodes (id serial PRIMARY KEY, parent text, up smallint);
INSERT INTO nodes (parent, up) VALUES ('1', 1), (NULL, NULL), ('x', 9);`;

const keysOf = async (c) => (await c.query(
  "SELECT conrelid::regclass::text || '.' || conname AS k FROM pg_constraint WHERE contype = 'f' ORDER BY 1")).rows.map((r) => r.k);

// Sends sql to the extension's database and through the guard to the plain
// one (each a fresh copy of SETUP); returns both outcomes.
async function both(label, sql, { inTransaction = false, replay = true } = {}) {
  const dbs = await databases(label, SETUP);
  try {
    const ext = await connect(dbs.ext);
    const extNotices = collectNotices(ext);
    if (inTransaction) await ext.query('BEGIN');
    const extError = await ext.query(sql).then(() => null, (e) => e);
    const extAfter = inTransaction ? await ext.query('SELECT 1').then(() => 'ok', (e) => e.code) : null;
    if (inTransaction) await ext.query('ROLLBACK');
    const extKeys = await keysOf(ext);
    await ext.end();
    const logged = [];
    const skipped = [];
    const c = guard(await connect(dbs.plain), { logger: (n) => logged.push(n), onSkip: (why) => skipped.push(why),
      onError: (e) => { throw e; }, replay });
    if (inTransaction) await c.query('BEGIN');
    const error = await c.query(sql).then(() => null, (e) => e);
    // The caller's transaction afterwards: aborted (25P02) or usable.
    const after = inTransaction ? await c.query('SELECT 1').then(() => 'ok', (e) => e.code) : null;
    if (inTransaction) await c.query('ROLLBACK');
    const keys = await keysOf(c);
    await c.end();
    return { ext: { error: extError, notices: extNotices, keys: extKeys, after: extAfter }, pkg: { error, logged, keys, skipped, after } };
  } finally {
    await dbs.drop();
  }
}

const noticeFields = (n) => ({ severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint });

function sameOutcome(r) {
  assert.deepEqual(fields(r.pkg.error), packageFields(r.ext.error));
  assert.deepEqual(r.pkg.logged.map(noticeFields), r.ext.notices.map(noticeFields).map((n) => ({ ...n, hint: packageHint(n.hint) })));
  assert.deepEqual(r.pkg.keys, r.ext.keys);
}

test('a table created earlier in the same string is resolved: the later key on it is refused as the extension refuses it', async () => {
  const r = await both('ms_created', 'CREATE TABLE orgs (id integer PRIMARY KEY); CREATE TABLE members (id int, org uuid REFERENCES orgs)');
  assert.ok(r.ext.error && r.ext.error.code === '42804');
  assert.equal(r.pkg.error.fkGuard, true, 'refused by the guard, before the string was sent');
  sameOutcome(r);
  assert.match(r.pkg.error.message, /"members_org_fkey" cannot be implemented/);
});

test('every key statement is judged in order: the soft notice of the first, then the refusal of the second', async () => {
  const r = await both('ms_two', 'CREATE TABLE orders (id int, account_id integer REFERENCES accounts); ' +
    'ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users (id)');
  assert.equal(r.pkg.logged.length, 1);
  assert.equal(r.pkg.logged[0].message, 'foreign key constraint "orders_account_id_fkey" pairs integer with bigint (narrower)');
  assert.equal(r.pkg.error.code, '42804');
  sameOutcome(r);
  assert.deepEqual(r.pkg.keys, []);
});

test('a column converted earlier in the same string: the key then pairs equal types and is added', async () => {
  const r = await both('ms_retyped', 'ALTER TABLE sessions ALTER COLUMN "userId" TYPE integer USING NULL; ' +
    'ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users (id)');
  assert.equal(r.pkg.error, null);
  assert.deepEqual(r.pkg.skipped, []);
  sameOutcome(r);
  assert.deepEqual(r.pkg.keys, ['sessions.sessions_userId_fkey']);
});

test('SET search_path earlier in the same string, inside the caller\'s transaction: names resolve as PostgreSQL resolves them', async () => {
  const r = await both('ms_path', 'SET LOCAL search_path = app, public; CREATE TABLE players (id int, team integer REFERENCES teams)',
    { inTransaction: true });
  assert.equal(r.pkg.error.code, '42804');
  assert.equal(r.pkg.error.fkGuard, true);
  assert.equal(r.pkg.after, '25P02', 'the refusal leaves the caller\'s transaction aborted, as the server\'s error does');
  assert.equal(r.ext.after, '25P02');
  sameOutcome(r);
});

test('a statement that cannot be replayed (DO) before the key: the later key is left to PostgreSQL', async () => {
  const r = await both('ms_do', 'DO $$BEGIN NULL; END$$; CREATE TABLE members (id int, org uuid REFERENCES users)');
  assert.equal(r.pkg.error.code, '42804');
  assert.equal(r.pkg.error.fkGuard, undefined, 'PostgreSQL\'s own error');
  assert.deepEqual(r.pkg.logged, []);
});

test('replay: false: a key statement after other DDL in the same string is left to PostgreSQL', async () => {
  const r = await both('ms_noreplay', 'CREATE TABLE orgs (id integer PRIMARY KEY); CREATE TABLE members (id int, org uuid REFERENCES orgs)',
    { replay: false });
  assert.equal(r.pkg.error.code, '42804');
  assert.equal(r.pkg.error.fkGuard, undefined, 'PostgreSQL\'s own error');
  assert.deepEqual(r.pkg.skipped, ['earlier statements are not replayed (replay: false)']);
});

test('self references on an existing table: refused, or noticed, as the extension does, data and keys read from the same table', async () => {
  for (const [i, sql] of ['ALTER TABLE nodes ADD FOREIGN KEY (parent) REFERENCES nodes',
    'ALTER TABLE public.nodes ADD FOREIGN KEY (up) REFERENCES nodes (id)',
    'ALTER TABLE nodes ADD COLUMN p2 bigint REFERENCES nodes (id)',
    'ALTER TABLE nodes ADD COLUMN p3 uuid REFERENCES nodes (id)'].entries()) {
    const r = await both(`self_${i}`, sql);
    sameOutcome(r);
    assert.deepEqual(r.pkg.skipped, [], sql);
    assert.ok(r.pkg.error || r.pkg.logged.length, sql);
    // A refusal comes from the guard; PostgreSQL's own errors (the
    // validation scan finding 9 in nodes.up without a key) from the server.
    if (r.pkg.error) assert.equal(r.pkg.error.fkGuard, r.pkg.error.code === '42804' ? true : undefined, sql);
  }
});

test('self references in CREATE TABLE: the key and its types declared in the same statement, judged as the extension judges them', async () => {
  for (const [i, sql] of ['CREATE TABLE tree (id integer PRIMARY KEY, parent uuid REFERENCES tree)',
    'CREATE TABLE tree (id bigint PRIMARY KEY, parent integer REFERENCES tree (id))',
    'CREATE TABLE tree (id serial PRIMARY KEY, parent text REFERENCES tree)',
    'CREATE TABLE tree (a int, b text, pa text, pb bigint, UNIQUE (b, a), FOREIGN KEY (pa, pb) REFERENCES tree (b, a))',
    'CREATE TABLE tree (code varchar(10) PRIMARY KEY, up varchar(20) REFERENCES tree)'].entries()) {
    const r = await both(`cself_${i}`, sql);
    sameOutcome(r);
    assert.deepEqual(r.pkg.skipped, [], sql);
    assert.ok(r.pkg.error || r.pkg.logged.length, sql);
    if (r.pkg.error) assert.equal(r.pkg.error.fkGuard, true, sql);
  }
});
