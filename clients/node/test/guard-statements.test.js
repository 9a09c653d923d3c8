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

// ---- Statements against the extension, each in a transaction rolled back ----

// Runs each statement in both databases (the extension's, and through the
// guard in the plain one), each in a transaction that is rolled back, and
// counts the disagreements: whether it is refused, the refusal's fields
// (SQLSTATE, message, DETAIL, HINT with the package's functions, where), the
// notices (severity, SQLSTATE, message, DETAIL, HINT), and whether the refusal
// comes from the guard (fkGuard) when the extension's does. cases: [{sql,
// expect: 'refused' | 'notice' | 'silent' | 'postgres'}]; 'postgres': the
// extension's own refusal that the package leaves to PostgreSQL (the same
// SQLSTATE and message from PostgreSQL; DETAIL and HINT not compared).
async function statementDifferential(t, label, setup, cases, { notices = /^(foreign key constraint |adding foreign key constraint )/, options = {}, extSetup = '' } = {}) {
  const dbs = await databases(label.replace(/\W+/g, '_'), setup);
  // The HINT the package writes: with hintFunctions 'extension', the extension's own.
  const hintOf = options.hintFunctions === 'extension' ? (h) => h : packageHint;
  const extFields = (e) => (e ? { ...fields(e), hint: hintOf(e.hint) } : null);
  const counts = { statements: 0, refused: 0, noticed: 0, left: 0, disagreements: 0 };
  const examples = [];
  try {
    const ext = await connect(dbs.ext);
    if (extSetup) await ext.query(extSetup);
    const extNotices = [];
    ext.on('notice', (n) => { if (notices.test(n.message)) extNotices.push(n); });
    const logged = [];
    const skipped = [];
    const c = guard(await connect(dbs.plain), { logger: (n) => logged.push(n), onSkip: (why) => skipped.push(why),
      onError: (e) => { throw e; }, ...options });
    const run = async (client, sql) => {
      await client.query('BEGIN');
      try {
        await client.query(sql);
        return null;
      } catch (e) {
        return e;
      } finally {
        await client.query('ROLLBACK');
      }
    };
    for (const { sql, expect } of cases) {
      counts.statements++;
      extNotices.length = 0;
      logged.length = 0;
      const extError = await run(ext, sql);
      const error = await run(c, sql);
      const problems = [];
      if (expect === 'postgres') {
        counts.left++;
        if (!extError || !error || error.fkGuard || extError.code !== error.code || extError.message !== error.message)
          problems.push(`left to PostgreSQL: ${JSON.stringify(fields(error))} vs ${JSON.stringify(fields(extError))}`);
      } else {
        if (JSON.stringify(fields(error)) !== JSON.stringify(extFields(extError)))
          problems.push(`fields: ${JSON.stringify(fields(error))} vs ${JSON.stringify(extFields(extError))}`);
        if (extError && extError.where && !error.fkGuard) problems.push('not refused by the guard');
        const mine = logged.map(noticeFields);
        const ours = extNotices.map(noticeFields).map((n) => ({ ...n, hint: hintOf(n.hint) }));
        if (JSON.stringify(mine) !== JSON.stringify(ours)) problems.push(`notices: ${JSON.stringify(mine)} vs ${JSON.stringify(ours)}`);
        const outcome = extError && extError.where ? 'refused' : ours.length ? 'notice' : 'silent';
        if (outcome === 'refused') counts.refused++;
        if (outcome === 'notice') counts.noticed++;
        if (expect && outcome !== expect) problems.push(`expected ${expect}, the extension: ${outcome} ${extError ? extError.message : ''}`);
      }
      if (problems.length) {
        counts.disagreements++;
        examples.push(`${sql}\n  ${problems.join('\n  ')}`);
      }
    }
    await ext.end();
    await c.end();
  } finally {
    await dbs.drop();
  }
  t.diagnostic(`differential: ${label}: ${counts.statements} statements (${counts.refused} refused, ${counts.noticed} with notices, ${counts.left} left to PostgreSQL), ${counts.disagreements} disagreements`);
  for (const e of examples.slice(0, 10)) t.diagnostic(e);
  assert.equal(counts.disagreements, 0, examples.join('\n'));
  return counts;
}

const REBUILT_SETUP = `
CREATE TABLE users (id serial PRIMARY KEY, code text UNIQUE, big bigint UNIQUE);
CREATE TABLE orders (id serial PRIMARY KEY, user_id integer REFERENCES users, user_code text REFERENCES users (code));
CREATE TABLE payments (id serial PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE);
CREATE TABLE pairs (a int, b text, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (x int, y text, FOREIGN KEY (x, y) REFERENCES pairs);
CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);
CREATE TABLE accounts (id uuid PRIMARY KEY);
CREATE TABLE members (account uuid REFERENCES accounts, note text);
CREATE TABLE "Mixed Case" ("Key" integer PRIMARY KEY);
CREATE TABLE quoted_refs ("refKey" integer CONSTRAINT "the key" REFERENCES "Mixed Case");
INSERT INTO users (code, big) VALUES ('a', 1), ('b', 2);
INSERT INTO orders (user_id, user_code) VALUES (1, 'a');`;

test('ALTER COLUMN TYPE: the keys PostgreSQL rebuilds are judged with the new types, as the extension judges them', async (t) => {
  await statementDifferential(t, 'rebuilt keys', REBUILT_SETUP, [
    // the referencing column converted
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE uuid USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE bigint', expect: 'notice' },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE smallint', expect: 'notice' },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_code TYPE integer USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_code TYPE varchar(10)', expect: 'notice' },
    { sql: 'ALTER TABLE quoted_refs ALTER COLUMN "refKey" TYPE text', expect: 'refused' },
    // the referenced key converted: every key that references it
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint', expect: 'notice' },
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE uuid USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE users ALTER COLUMN code TYPE integer USING 0', expect: 'refused' },
    { sql: 'ALTER TABLE "Mixed Case" ALTER COLUMN "Key" TYPE text', expect: 'refused' },
    { sql: 'ALTER TABLE users ALTER COLUMN big TYPE integer', expect: 'silent' },
    // several subcommands, both sides, self references, multi-column keys
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint, ALTER COLUMN code TYPE varchar(10)', expect: 'notice' },
    { sql: 'ALTER TABLE users ALTER COLUMN code TYPE integer USING 0, ALTER COLUMN id TYPE uuid USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE tree ALTER COLUMN id TYPE text', expect: 'refused' },
    { sql: 'ALTER TABLE tree ALTER COLUMN id TYPE bigint, ALTER COLUMN parent TYPE bigint', expect: 'silent' },
    { sql: 'ALTER TABLE tree ALTER COLUMN id TYPE bigint', expect: 'notice' },
    { sql: 'ALTER TABLE tree ALTER COLUMN id TYPE text, ALTER COLUMN parent TYPE uuid USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE pairs ALTER COLUMN a TYPE text', expect: 'refused' },
    { sql: 'ALTER TABLE pair_refs ALTER COLUMN y TYPE integer USING NULL', expect: 'refused' },
    // with ADD FOREIGN KEY in the same statement
    { sql: 'ALTER TABLE members ALTER COLUMN account TYPE text, ADD FOREIGN KEY (note) REFERENCES users (code)', expect: 'refused' },
    { sql: 'ALTER TABLE members ALTER COLUMN note TYPE integer USING NULL, ADD FOREIGN KEY (note) REFERENCES users (id)', expect: 'silent' },
    { sql: 'ALTER TABLE members ADD FOREIGN KEY (note) REFERENCES users (id), ALTER COLUMN note TYPE bigint USING NULL', expect: 'notice' },
    { sql: 'ALTER TABLE members ALTER COLUMN note TYPE uuid USING NULL, ADD FOREIGN KEY (note) REFERENCES users (id)', expect: 'refused' },
    { sql: 'ALTER TABLE tree ALTER COLUMN id TYPE bigint, ADD COLUMN up integer REFERENCES tree', expect: 'notice' },
    { sql: 'ALTER TABLE payments ALTER COLUMN user_id TYPE bigint, ADD FOREIGN KEY (id) REFERENCES users (id)', expect: 'notice' },
    // no cast converts the column: PostgreSQL's SQLSTATE and message, the extension's DETAIL and HINT
    { sql: 'ALTER TABLE members ALTER COLUMN account TYPE integer', expect: 'refused' },
    { sql: 'ALTER TABLE members ALTER COLUMN account TYPE integer USING account::integer', expect: 'refused' },
    { sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint', expect: 'refused' },
    // keys the statement drops are not rebuilt; columns without keys
    { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey, ALTER COLUMN user_id TYPE uuid USING NULL', expect: 'silent' },
    { sql: 'ALTER TABLE members ALTER COLUMN note TYPE varchar(20)', expect: 'silent' },
    // a later statement of the same string converts the referencing column
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE uuid USING NULL; ALTER TABLE orders ALTER COLUMN user_id TYPE uuid USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE users ALTER COLUMN code TYPE integer USING 0, ALTER COLUMN id TYPE uuid USING NULL; SELECT 1', expect: 'refused' },
  ]);
});

test('ALTER COLUMN TYPE with the extension\'s hintFunctions: the HINT byte for byte', async (t) => {
  await statementDifferential(t, 'rebuilt keys sql hints', REBUILT_SETUP, [
    { sql: 'ALTER TABLE users ALTER COLUMN id TYPE uuid USING NULL', expect: 'refused' },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE uuid USING NULL', expect: 'refused' },
  ], { options: { hintFunctions: 'extension' } });
});

// A key column converted to a type no cast turns its type into: declared
// keys (one or several columns) and keys implied by the name, data of every
// shape the DETAIL describes, keys that may follow, the tools' shapes.
const CAST_SETUP = `
CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text UNIQUE);
CREATE TABLE accounts (id serial PRIMARY KEY, name text);
CREATE TABLE teams (id bigint PRIMARY KEY);
CREATE TABLE sessions (sid text PRIMARY KEY, user_id uuid REFERENCES users, "accountId" uuid, team_id uuid, note text);
CREATE TABLE empty_refs (user_id uuid CONSTRAINT "Empty Ref" REFERENCES users);
CREATE TABLE null_refs (user_id uuid REFERENCES users);
CREATE TABLE logins (account_id json, at date);
CREATE TABLE pair_keys (a uuid, b int, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (x uuid, y int, FOREIGN KEY (x, y) REFERENCES pair_keys);
CREATE SCHEMA app;
CREATE TABLE app.accounts (id bigint PRIMARY KEY);
CREATE TABLE app.members (account_id uuid);
CREATE TABLE "Odd Table" ("userId" uuid);
INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'a'), ('00000000-0000-0000-0000-000000000002', 'b');
INSERT INTO accounts (name) VALUES ('x'), ('y');
INSERT INTO sessions VALUES ('s1', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', NULL, 'n'),
  ('s2', NULL, NULL, NULL, NULL), ('s3', '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-00000000000b', NULL, NULL);
INSERT INTO null_refs VALUES (NULL), (NULL);
INSERT INTO logins VALUES ('1', NULL), ('2', NULL), ('99', NULL), ('"x"', NULL), (NULL, NULL);
INSERT INTO pair_keys VALUES ('00000000-0000-0000-0000-000000000001', 1);
INSERT INTO pair_refs VALUES ('00000000-0000-0000-0000-000000000001', 1);
INSERT INTO "Odd Table" VALUES ('00000000-0000-0000-0000-000000000009');
ANALYZE;`;

const CAST_CASES = [
  // a declared key, without USING (42804) and with USING "col"::type (42846)
  { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE integer', expect: 'refused' },
  { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE integer USING user_id::integer', expect: 'refused' },
  { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE bigint USING CAST(user_id AS integer)', expect: 'refused' },
  { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE smallint USING sessions.user_id::smallint', expect: 'refused' },
  { sql: 'ALTER TABLE empty_refs ALTER COLUMN user_id TYPE integer', expect: 'refused' },
  { sql: 'ALTER TABLE null_refs ALTER COLUMN user_id TYPE date', expect: 'refused' },
  { sql: 'ALTER TABLE pair_refs ALTER COLUMN x TYPE integer', expect: 'refused' },
  // keys implied by the name: own schema first, then the search path
  { sql: 'ALTER TABLE sessions ALTER COLUMN "accountId" TYPE integer', expect: 'refused' },
  { sql: 'ALTER TABLE sessions ALTER COLUMN team_id TYPE bigint USING team_id::bigint', expect: 'refused' },
  { sql: 'ALTER TABLE logins ALTER COLUMN account_id TYPE integer', expect: 'refused' },
  { sql: 'ALTER TABLE app.members ALTER COLUMN account_id TYPE bigint', expect: 'refused' },
  { sql: 'ALTER TABLE "Odd Table" ALTER COLUMN "userId" TYPE integer', expect: 'refused' },
  // several subcommands: the first column that cannot convert; DROP COLUMN beside it
  { sql: 'ALTER TABLE sessions ALTER COLUMN note TYPE varchar(10), ALTER COLUMN "accountId" TYPE integer, ALTER COLUMN user_id TYPE integer', expect: 'refused' },
  { sql: 'ALTER TABLE sessions DROP COLUMN note, ALTER COLUMN user_id TYPE integer', expect: 'refused' },
  // the tools' shapes: knex (USING ("col"::type)), Sequelize (DROP DEFAULT first, in the same string)
  { sql: 'alter table "sessions" alter column "user_id" type integer using ("user_id"::integer)', expect: 'refused' },
  { sql: 'ALTER TABLE "sessions" ALTER COLUMN "user_id" DROP DEFAULT;ALTER TABLE "sessions" ALTER COLUMN "user_id" TYPE INTEGER;', expect: 'refused' },
  // conversions a cast can do, or other USING expressions: not this refusal
  { sql: 'ALTER TABLE sessions ALTER COLUMN note TYPE integer USING note::integer', expect: 'silent' },
  { sql: 'ALTER TABLE sessions ALTER COLUMN "accountId" TYPE integer USING NULL', expect: 'silent' },
  { sql: 'ALTER TABLE sessions ALTER COLUMN "accountId" TYPE text', expect: 'silent' },
  { sql: 'ALTER TABLE logins ALTER COLUMN at TYPE integer', expect: 'postgres' },
];

test('ALTER COLUMN TYPE that no cast can do on a key column: PostgreSQL\'s SQLSTATE and message, the extension\'s DETAIL and HINT', async (t) => {
  await statementDifferential(t, 'cast refusals', CAST_SETUP, CAST_CASES);
  await statementDifferential(t, 'cast refusals sql hints', CAST_SETUP, CAST_CASES.filter((c) => c.expect === 'refused').slice(0, 8),
    { options: { hintFunctions: 'extension' } });
  // Above the profile row limit: the data is not read.
  await statementDifferential(t, 'cast refusals unread', CAST_SETUP, CAST_CASES.slice(0, 2),
    { extSetup: 'SET pg_fk_guard.profile_row_limit = 2', options: { profileRowLimit: 2 } });
});

// A key column converted to an interval with field or precision modifiers,
// which the package writes back from the parse tree's own modifiers.
test('ALTER COLUMN TYPE interval with fields or a precision on a key column: refused as the extension refuses it', async (t) => {
  await statementDifferential(t, 'cast refusals interval', CAST_SETUP, [
    { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE interval day to second', expect: 'refused' },
    { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE interval(3) USING user_id::interval(3)', expect: 'refused' },
    { sql: 'ALTER TABLE sessions ALTER COLUMN "accountId" TYPE interval minute to second(2)', expect: 'refused' },
    { sql: 'ALTER TABLE sessions ALTER COLUMN user_id TYPE bigint USING user_id::interval year', expect: 'refused' },
    { sql: 'ALTER TABLE sessions ALTER COLUMN note TYPE interval hour', expect: 'silent' },
  ]);
});

// DROP COLUMN beside the subcommands that add or rebuild keys: the rest of
// the statement is judged, from the catalog as it stands before it (the
// extension does not model a dropped column).
test('ALTER TABLE with DROP COLUMN: the keys of its other subcommands judged as the extension judges them', async (t) => {
  await statementDifferential(t, 'drop column beside keys', CAST_SETUP, [
    { sql: 'ALTER TABLE sessions DROP COLUMN note, ADD FOREIGN KEY ("accountId") REFERENCES accounts', expect: 'refused' },
    { sql: 'ALTER TABLE sessions ADD FOREIGN KEY (team_id) REFERENCES users, DROP COLUMN IF EXISTS gone', expect: 'silent' },
    { sql: 'ALTER TABLE sessions DROP COLUMN note, ADD COLUMN owner_id integer REFERENCES teams', expect: 'notice' },
    { sql: 'ALTER TABLE sessions DROP COLUMN note, ALTER COLUMN user_id TYPE text', expect: 'refused' },
    { sql: 'ALTER TABLE users DROP COLUMN email, ALTER COLUMN id TYPE text', expect: 'refused' },
    { sql: 'ALTER TABLE sessions DROP COLUMN "accountId", ADD FOREIGN KEY ("accountId") REFERENCES accounts', expect: 'refused' },
    { sql: 'ALTER TABLE sessions DROP COLUMN note, ADD COLUMN note integer REFERENCES accounts', expect: 'silent' },
    { sql: 'ALTER TABLE sessions DROP COLUMN note, ALTER COLUMN team_id TYPE bigint USING NULL, ADD FOREIGN KEY (team_id) REFERENCES teams', expect: 'silent' },
  ]);
});

// The data behind a refusal converted by code neither built into PostgreSQL
// nor a superuser's: the caller's own domain CHECK and cast functions (the
// guard runs not even those, for a statement PostgreSQL refuses), and a
// trusted extension's type, whose code a superuser owns (read as the
// extension reads it).
const USER_CODE_SETUP = `
CREATE EXTENSION hstore;
CREATE TABLE users (id uuid PRIMARY KEY, code text UNIQUE);
CREATE TABLE accounts (id integer PRIMARY KEY);
CREATE FUNCTION fkg_ok(uuid) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE DOMAIN uid AS uuid CHECK (fkg_ok(VALUE));
CREATE FUNCTION fkg_pos(integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';
CREATE DOMAIN posint AS integer CHECK (fkg_pos(VALUE));
CREATE TYPE mood AS ENUM ('1', '2', 'x');
CREATE FUNCTION fkg_mood_int(mood) RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT CASE WHEN $1::text ~ '^[0-9]+$' THEN $1::text::integer END$$;
CREATE CAST (mood AS integer) WITH FUNCTION fkg_mood_int(mood);
CREATE TABLE orders (id int, user_id uid REFERENCES users);
CREATE TABLE visits (id int, user_id uuid REFERENCES users);
CREATE TABLE tags (code uid);
CREATE TABLE feelings (account_id mood);
INSERT INTO users VALUES ('00000000-0000-0000-0000-000000000001', 'a');
INSERT INTO orders VALUES (1, '00000000-0000-0000-0000-000000000001'), (2, NULL);
INSERT INTO visits VALUES (1, '00000000-0000-0000-0000-000000000001');
INSERT INTO tags VALUES ('00000000-0000-0000-0000-000000000001');
INSERT INTO accounts VALUES (1);
INSERT INTO feelings VALUES ('1'), ('2'), ('x');
ANALYZE;`;

test('data that only user-defined code converts: the DETAIL says why it was not read, as the extension\'s does', async (t) => {
  await statementDifferential(t, 'user code', USER_CODE_SETUP, [
    // a key column whose domain CHECK calls the caller's function
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE integer', expect: 'refused' },
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE integer USING user_id::integer', expect: 'refused' },
    // a target domain whose CHECK calls the caller's function
    { sql: 'ALTER TABLE visits ALTER COLUMN user_id TYPE posint', expect: 'refused' },
    // a trusted extension's type: its code is a superuser's, the data is read
    { sql: 'ALTER TABLE visits ALTER COLUMN user_id TYPE hstore', expect: 'refused' },
    // a new key: the values converted through the domain, and through the caller's cast
    { sql: 'ALTER TABLE tags ADD FOREIGN KEY (code) REFERENCES users (code)', expect: 'refused' },
    { sql: 'ALTER TABLE feelings ADD FOREIGN KEY (account_id) REFERENCES accounts', expect: 'refused' },
  ]);
  await statementDifferential(t, 'user code sql hints', USER_CODE_SETUP, [
    { sql: 'ALTER TABLE orders ALTER COLUMN user_id TYPE integer', expect: 'refused' },
    { sql: 'ALTER TABLE tags ADD FOREIGN KEY (code) REFERENCES users (code)', expect: 'refused' },
  ], { options: { hintFunctions: 'extension' } });
});

test('the DETAIL names the code that kept the data unread, and reads what a superuser\'s code converts', async () => {
  const dbs = await databases('user_code_detail', USER_CODE_SETUP);
  try {
    const c = guard(await connect(dbs.plain), { logger: null, onError: (e) => { throw e; } });
    const refusal = async (sql) => {
      const e = await c.query(sql).then(() => null, (x) => x);
      assert.ok(e && e.fkGuard, `refused by the guard: ${sql}`);
      return e;
    };
    let e = await refusal('ALTER TABLE orders ALTER COLUMN user_id TYPE integer');
    assert.match(e.detail, / The data of orders was not profiled: the CHECK constraint uid_check of domain uid calls user-defined code \(function public\.fkg_ok\(uuid\), owned by fkg_app\)\.$/);
    e = await refusal('ALTER TABLE feelings ADD FOREIGN KEY (account_id) REFERENCES accounts');
    assert.match(e.detail, /was not profiled: the cast from mood to integer is user-defined \(function public\.fkg_mood_int\(mood\), owned by fkg_app\)/);
    assert.match(e.hint, /runs the user-defined code named in DETAIL/);
    e = await refusal('ALTER TABLE visits ALTER COLUMN user_id TYPE hstore');
    assert.match(e.detail, /visits holds 1 row: 0 with user_id NULL, 1 uuid value that cannot become hstore/);
    await c.end();
  } finally {
    await dbs.drop();
  }
});

test('a type the statement declares is resolved with one temporary table, not two', async () => {
  const dbs = await databases('declared_once', 'CREATE DOMAIN code AS text; CREATE TABLE users (id serial PRIMARY KEY, c text UNIQUE)');
  try {
    const c = await connect(dbs.plain);
    const sent = spy(c);
    guard(c, { logger: null, onError: (e) => { throw e; } });
    await c.query('CREATE TABLE t (a public.code REFERENCES users (c), b integer REFERENCES users)');
    const created = sent.filter((x) => /CREATE TEMP TABLE fkg_guard_declared \(c /.test(x));
    // public.code and integer: one table each
    assert.equal(created.length, 2, created.join('\n'));
    assert.equal(new Set(created).size, 2, created.join('\n'));
    await c.end();
  } finally {
    await dbs.drop();
  }
});

// The guard's queries on the connection, as the server receives them.
function spy(c) {
  const sent = [];
  const query = c.query;
  c.query = function spied(config, ...rest) {
    const text = typeof config === 'string' ? config : config && config.text;
    if (typeof text === 'string') sent.push(text);
    return query.call(this, config, ...rest);
  };
  return sent;
}

test('a key statement PostgreSQL accepts costs one round trip once its types are probed; a new table\'s taken names are read only for a name shown', async () => {
  const dbs = await databases('round_trips', `CREATE TABLE users (id bigserial PRIMARY KEY);
    CREATE TABLE teams (id uuid PRIMARY KEY); CREATE TABLE sessions (sid text PRIMARY KEY, team uuid)`);
  try {
    const c = await connect(dbs.plain);
    const sent = spy(c);
    guard(c, { logger: null, onError: (e) => { throw e; } });
    const statement = (i) => `CREATE TABLE t${i} (a bigint REFERENCES users, b uuid REFERENCES teams (id))`;
    await c.query(statement(0)); // probes the two type pairs
    sent.length = 0;
    await c.query(statement(1));
    await c.query('ALTER TABLE sessions ADD FOREIGN KEY (team) REFERENCES teams');
    const guardQueries = sent.filter((x) => !/^(CREATE TABLE t1 |ALTER TABLE sessions )/.test(x));
    assert.equal(guardQueries.length, 2, sent.join('\n'));
    const readsTaken = (x) => /AS taken FROM pg_catalog\.pg_constraint/.test(x);
    assert.equal(guardQueries.filter(readsTaken).length, 0, guardQueries.join('\n'));
    // A refusal shows the key's name: the taken names are read then.
    sent.length = 0;
    await assert.rejects(c.query('CREATE TABLE t2 (a uuid REFERENCES users)'), { code: '42804' });
    assert.equal(sent.filter(readsTaken).length, 1, sent.join('\n'));
    await c.end();
  } finally {
    await dbs.drop();
  }
});

test('callbacks, in each of pg\'s three styles: the notice reaches the logger before the callback, a refusal is the callback\'s error', async () => {
  const dbs = await databases('callbacks', 'CREATE TABLE users (id serial PRIMARY KEY); CREATE TABLE accounts (id bigserial PRIMARY KEY)');
  try {
    const events = [];
    const c = guard(await connect(dbs.plain), { logger: (n) => events.push(`notice ${n.severity}`), onError: (e) => { throw e; } });
    const styles = {
      'query(text, cb)': (sql, cb) => c.query(sql, cb),
      'query(text, values, cb)': (sql, cb) => c.query(sql, [], cb),
      'query({text, callback})': (sql, cb) => c.query({ text: sql, callback: cb }),
    };
    let n = 0;
    for (const [style, send] of Object.entries(styles)) {
      events.length = 0;
      const soft = await new Promise((resolve) => send(`CREATE TABLE soft_${n} (a integer REFERENCES accounts)`, (err) => {
        events.push(`callback ${err ? err.code : 'ok'}`);
        resolve(err);
      }));
      assert.equal(soft, null, style);
      assert.deepEqual(events, ['notice WARNING', 'callback ok'], style);
      events.length = 0;
      const refused = await new Promise((resolve) => send(`CREATE TABLE refused_${n++} (a uuid REFERENCES users)`, (err) => {
        events.push(`callback ${err ? err.code : 'ok'}`);
        resolve(err);
      }));
      assert.equal(refused && refused.fkGuard, true, style);
      assert.deepEqual(events, ['callback 42804'], style);
    }
    await c.end();
  } finally {
    await dbs.drop();
  }
});

test('a soft notice on a fresh connection: nothing is sent after the statement, and a statement that then fails in a transaction keeps its notice', async () => {
  const dbs = await databases('notice_after', `CREATE TABLE users (id bigserial PRIMARY KEY);
    CREATE TABLE child (a integer); INSERT INTO child VALUES (42)`);
  try {
    const c = await connect(dbs.plain);
    const sent = spy(c);
    const logged = [];
    const errors = [];
    guard(c, { logger: (n) => logged.push(n.severity), onError: (e) => errors.push(e) });
    const sql = 'ALTER TABLE child ADD FOREIGN KEY (a) REFERENCES users';
    await c.query('BEGIN');
    // integer -> bigint: a soft mismatch; 42 has no key: PostgreSQL's 23503
    await assert.rejects(c.query(sql), { code: '23503' });
    await c.query('ROLLBACK');
    assert.deepEqual(logged, ['WARNING']);
    assert.deepEqual(errors, []);
    assert.equal(sent[sent.indexOf(sql) + 1], 'ROLLBACK', sent.join('\n'));
    await c.end();
  } finally {
    await dbs.drop();
  }
});

// Default names already taken in the namespace: PostgreSQL names the key
// <table>_<column>_fkey1, and so do the refusal and the notices.
test('keys whose default name is taken elsewhere in the schema: named as PostgreSQL names them, as the extension does', async (t) => {
  await statementDifferential(t, 'taken names', `
CREATE TABLE users (id serial PRIMARY KEY);
CREATE TABLE accounts (id bigserial PRIMARY KEY);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid, account integer);
CREATE TABLE other (x int CONSTRAINT "sessions_userId_fkey" CHECK (x > 0), CONSTRAINT posts_author_fkey CHECK (x > 1),
  CONSTRAINT posts_author_fkey1 CHECK (x > 2), CONSTRAINT sessions_account_fkey CHECK (x > 3));
CREATE SCHEMA app;
CREATE TABLE app.sessions (sid text PRIMARY KEY, "userId" uuid);
CREATE TABLE dollars (id serial PRIMARY KEY, "a$b" integer REFERENCES users);`, [
    { sql: 'ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users', expect: 'refused' },
    { sql: 'CREATE TABLE posts (author uuid REFERENCES users)', expect: 'refused' },
    { sql: 'ALTER TABLE sessions ADD FOREIGN KEY (account) REFERENCES accounts', expect: 'notice' },
    { sql: 'CREATE TABLE posts (author integer REFERENCES accounts)', expect: 'notice' },
    { sql: 'CREATE TABLE posts (author integer REFERENCES users)', expect: 'silent' },
    // another schema: its own names
    { sql: 'ALTER TABLE app.sessions ADD FOREIGN KEY ("userId") REFERENCES users', expect: 'refused' },
    { sql: 'CREATE TABLE app.posts (author uuid REFERENCES users)', expect: 'refused' },
    // a name with "$" in it, quoted as quote_ident() quotes it
    { sql: 'ALTER TABLE dollars ADD FOREIGN KEY ("a$b") REFERENCES users', expect: 'notice' },
  ]);
});

// Multi-column keys of which the statement converts only some columns.
const PARTLY_SETUP = `
CREATE TABLE pairs (a int, b text, c int, PRIMARY KEY (a, b));
CREATE TABLE pair_refs (x int, y text, FOREIGN KEY (x, y) REFERENCES pairs);
CREATE TABLE tri (a int, b int, c int, PRIMARY KEY (a, b, c));
CREATE TABLE tri_refs (x int, y int, z int, FOREIGN KEY (x, y, z) REFERENCES tri);`;

test('multi-column keys of which the statement converts only some referenced columns: judged as the extension judges them', async (t) => {
  await statementDifferential(t, 'partly converted keys', PARTLY_SETUP, [
    { sql: 'ALTER TABLE pairs ALTER COLUMN a TYPE bigint, ADD FOREIGN KEY (c, b) REFERENCES pairs (a, b)', expect: 'notice' },
    { sql: 'ALTER TABLE pairs ALTER COLUMN a TYPE bigint, ADD COLUMN pa int, ADD COLUMN pb text, ADD FOREIGN KEY (pa, pb) REFERENCES pairs (a, b)', expect: 'notice' },
    { sql: 'ALTER TABLE pairs ALTER COLUMN b TYPE varchar(10), ADD FOREIGN KEY (c, b) REFERENCES pairs (a, b)', expect: 'notice' },
    { sql: 'ALTER TABLE pairs ALTER COLUMN b TYPE char(3), ADD FOREIGN KEY (a, c) REFERENCES pairs (a, b)', expect: 'refused' },
    { sql: 'ALTER TABLE pairs ALTER COLUMN a TYPE text, ADD FOREIGN KEY (c, b) REFERENCES pairs (a, b)', expect: 'refused' },
    { sql: 'ALTER TABLE tri ALTER COLUMN a TYPE bigint, ALTER COLUMN c TYPE bigint, ADD FOREIGN KEY (c, b, a) REFERENCES tri (a, b, c)', expect: 'notice' },
    { sql: 'ALTER TABLE tri ALTER COLUMN b TYPE bigint', expect: 'notice' },
    { sql: 'ALTER TABLE tri_refs ALTER COLUMN y TYPE bigint, ALTER COLUMN z TYPE uuid USING NULL', expect: 'refused' },
  ]);
});

// The validating scan beside every kind of subcommand: the lock the notice
// names is the statement's (AlterTableGetLockLevel), at least SHARE ROW EXCLUSIVE.
const LOCK_SETUP = `
CREATE TABLE users (id serial PRIMARY KEY, code text UNIQUE);
CREATE TABLE big_parent (id int, user_id integer, code text, small smallint, d int, nn int NOT NULL);
CREATE TABLE big (id int PRIMARY KEY, user_id integer, code text, small smallint, d int DEFAULT 1, nn int NOT NULL DEFAULT 0);
ALTER TABLE big ADD CONSTRAINT chk CHECK (small > 0) NOT VALID;
CREATE TABLE kid () INHERITS (big_parent);
INSERT INTO users (code) SELECT 'c' || g FROM generate_series(1, 20) g;
INSERT INTO big SELECT g, 1 + g % 20, 'c1', 1 FROM generate_series(1, 50) g;
INSERT INTO kid SELECT * FROM big;
ANALYZE;`;

test('the validating scan beside other subcommands: the lock the extension names', async (t) => {
  const fk = ', ADD FOREIGN KEY (user_id) REFERENCES users';
  await statementDifferential(t, 'validation locks', LOCK_SETUP, [
    'ALTER TABLE big ALTER COLUMN d SET DEFAULT 2', 'ALTER TABLE big ALTER COLUMN d DROP DEFAULT',
    'ALTER TABLE big ALTER COLUMN nn DROP NOT NULL', 'ALTER TABLE big ALTER COLUMN small SET STATISTICS 100',
    'ALTER TABLE big ALTER COLUMN small SET (n_distinct = 5)', 'ALTER TABLE big ALTER COLUMN small RESET (n_distinct)',
    'ALTER TABLE big ALTER COLUMN code SET STORAGE MAIN', 'ALTER TABLE big ALTER COLUMN code SET COMPRESSION pglz',
    'ALTER TABLE big ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY', 'ALTER TABLE big CLUSTER ON big_pkey',
    'ALTER TABLE big SET WITHOUT CLUSTER', 'ALTER TABLE big VALIDATE CONSTRAINT chk', 'ALTER TABLE big ENABLE TRIGGER USER',
    'ALTER TABLE big DISABLE TRIGGER USER', 'ALTER TABLE big INHERIT big_parent', 'ALTER TABLE kid NO INHERIT big_parent',
    'ALTER TABLE big OWNER TO fkg_app', 'ALTER TABLE big SET LOGGED', 'ALTER TABLE big REPLICA IDENTITY FULL',
    'ALTER TABLE big ENABLE ROW LEVEL SECURITY', 'ALTER TABLE big SET TABLESPACE pg_default',
    'ALTER TABLE big SET (fillfactor = 90)', 'ALTER TABLE big SET (fillfactor = 90, autovacuum_enabled = false, toast.autovacuum_enabled = false)',
    'ALTER TABLE big RESET (user_catalog_table)', 'ALTER TABLE big SET (parallel_workers = 2), RESET (vacuum_truncate)',
    'ALTER TABLE big ADD CONSTRAINT c2 CHECK (d > 0)',
  ].map((sql) => ({ sql: sql + fk, expect: 'notice' })),
  { extSetup: 'SET pg_fk_guard.validation_notice_rows = 10', options: { validationNoticeRows: 10 } });
});

const PARENTS_SETUP = `
CREATE TABLE users (id serial PRIMARY KEY, code text UNIQUE);
CREATE TABLE accounts (id bigserial PRIMARY KEY);
CREATE TABLE teams (id uuid PRIMARY KEY);
CREATE TABLE base (account_id integer, team_id text, user_id integer, note text);
CREATE SCHEMA app;
CREATE TABLE app.base (x integer, "Team" uuid);
CREATE TABLE events (id int, account_id integer, team_id uuid, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE logs (id int, account_id bigint REFERENCES accounts, at date NOT NULL) PARTITION BY LIST (id);
CREATE TABLE logs_detached (id int, account_id bigint, at date NOT NULL);
CREATE TABLE events_detached (id int, account_id integer, team_id uuid, at date NOT NULL);`;

test('INHERITS, PARTITION OF, ATTACH PARTITION and LIKE: the referencing column\'s type from the parent or the LIKE source, as the extension judges them', async (t) => {
  await statementDifferential(t, 'parents and like', PARENTS_SETUP, [
    // INHERITS: judged before the statement, the columns from the parents in order
    { sql: 'CREATE TABLE child (FOREIGN KEY (account_id) REFERENCES accounts) INHERITS (base)', expect: 'notice' },
    { sql: 'CREATE TABLE child (FOREIGN KEY (team_id) REFERENCES teams) INHERITS (base)', expect: 'refused' },
    { sql: 'CREATE TABLE child (CONSTRAINT c1 FOREIGN KEY (user_id) REFERENCES users) INHERITS (base)', expect: 'silent' },
    { sql: 'CREATE TABLE child (own uuid REFERENCES users, FOREIGN KEY (user_id) REFERENCES users) INHERITS (base)', expect: 'refused' },
    { sql: 'CREATE TABLE child (FOREIGN KEY (x) REFERENCES accounts, FOREIGN KEY ("Team") REFERENCES users) INHERITS (app.base, base)', expect: 'refused' },
    { sql: 'CREATE TABLE app.child (FOREIGN KEY (x) REFERENCES accounts) INHERITS (app.base)', expect: 'notice' },
    { sql: 'CREATE TABLE child (FOREIGN KEY (account_id) REFERENCES accounts) INHERITS (missing)', expect: 'silent' },
    // PARTITION OF
    { sql: "CREATE TABLE events_2024 PARTITION OF events (FOREIGN KEY (account_id) REFERENCES accounts) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", expect: 'notice' },
    { sql: "CREATE TABLE events_2024 PARTITION OF events (FOREIGN KEY (team_id) REFERENCES users (code)) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", expect: 'refused' },
    { sql: "CREATE TABLE events_2024 PARTITION OF events (CONSTRAINT e FOREIGN KEY (team_id) REFERENCES teams) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", expect: 'silent' },
    { sql: 'CREATE TABLE logs_1 PARTITION OF logs (FOREIGN KEY (account_id) REFERENCES users) FOR VALUES IN (1)', expect: 'notice' },
    // ATTACH PARTITION: the parent's keys are cloned, with the parent's types: nothing to say
    { sql: 'ALTER TABLE logs ATTACH PARTITION logs_detached FOR VALUES IN (2)', expect: 'silent' },
    { sql: "ALTER TABLE events ATTACH PARTITION events_detached FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')", expect: 'silent' },
    // LIKE: judged once the statement has run (the extension's end-of-statement check)
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts)', expect: 'notice' },
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (team_id) REFERENCES teams)', expect: 'silent' },
    { sql: 'CREATE TABLE copy (LIKE base INCLUDING ALL, extra int REFERENCES users, FOREIGN KEY (user_id) REFERENCES users)', expect: 'silent' },
    { sql: 'CREATE TABLE copy (LIKE base, extra bigint CONSTRAINT "Wide One" REFERENCES users)', expect: 'notice' },
    { sql: 'CREATE TABLE app."Copy" (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts, FOREIGN KEY (user_id) REFERENCES accounts)', expect: 'notice' },
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts); SELECT 1', expect: 'notice' },
  ]);
});

test('keys the extension judges at the statement\'s end (LIKE, a column WITH OPTIONS), also before other DDL in the same string: judged after the statement is run where it is rolled back', async (t) => {
  const part = "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')";
  const cases = [
    // PARTITION OF with a column WITH OPTIONS: its keys at the end, the others at the start
    { sql: `CREATE TABLE events_2024 PARTITION OF events (account_id WITH OPTIONS REFERENCES accounts) ${part}`, expect: 'notice' },
    { sql: `CREATE TABLE events_2024 PARTITION OF events (account_id WITH OPTIONS REFERENCES accounts, FOREIGN KEY (id) REFERENCES accounts) ${part}`, expect: 'notice' },
    { sql: `CREATE TABLE events_2024 PARTITION OF events (account_id WITH OPTIONS DEFAULT 1, FOREIGN KEY (account_id) REFERENCES accounts, CONSTRAINT u FOREIGN KEY (id) REFERENCES accounts) ${part}`, expect: 'notice' },
    { sql: `CREATE TABLE events_2024 PARTITION OF events (id WITH OPTIONS REFERENCES users, team_id WITH OPTIONS REFERENCES users (code)) ${part}`, expect: 'silent' },
    { sql: `CREATE TABLE events_2024 PARTITION OF events (id WITH OPTIONS REFERENCES users) ${part}`, expect: 'silent' },
    // LIKE, then other DDL in the same string; and a later statement that fails
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts); CREATE TABLE other (x int)', expect: 'notice' },
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts); ALTER TABLE copy ALTER COLUMN account_id TYPE bigint', expect: 'notice' },
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts); CREATE TABLE copy2 (LIKE base, FOREIGN KEY (user_id) REFERENCES accounts, FOREIGN KEY (team_id) REFERENCES users (code))', expect: 'notice' },
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts); SELECT 1/0', expect: 'notice' },
    { sql: 'CREATE TABLE orgs (id bigint PRIMARY KEY); CREATE TABLE copy (LIKE base, FOREIGN KEY (user_id) REFERENCES orgs)', expect: 'notice' },
    // IF NOT EXISTS: judged when it creates the table, silent when the table exists
    { sql: 'CREATE TABLE IF NOT EXISTS copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts)', expect: 'notice' },
    { sql: 'CREATE TABLE IF NOT EXISTS logs_detached (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts)', expect: 'silent' },
    // a typed table: the extension says nothing
    { sql: 'CREATE TABLE typed OF acct (account_id WITH OPTIONS REFERENCES accounts)', expect: 'silent' },
  ];
  await statementDifferential(t, 'end of statement', PARENTS_SETUP + 'CREATE TYPE acct AS (account_id integer);', cases);
  // softMismatches: 'error', as pg_fk_guard.soft_mismatches = error: the extension refuses at the statement's end
  await statementDifferential(t, 'end of statement refused', PARENTS_SETUP, [
    { sql: `CREATE TABLE events_2024 PARTITION OF events (account_id WITH OPTIONS REFERENCES accounts) ${part}`, expect: 'refused' },
    { sql: 'CREATE TABLE copy (LIKE base, FOREIGN KEY (account_id) REFERENCES accounts); CREATE TABLE other (x int)', expect: 'refused' },
  ], { extSetup: 'SET pg_fk_guard.soft_mismatches = error', options: { softMismatches: 'error' } });
});

const HYGIENE_SETUP = `
CREATE TABLE users (id serial PRIMARY KEY, code text UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, user_id integer, code text,
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE);
CREATE TABLE orders (id serial PRIMARY KEY, user_id integer REFERENCES users);
CREATE TABLE pending (user_id integer);
ALTER TABLE pending ADD CONSTRAINT pending_nv FOREIGN KEY (user_id) REFERENCES users NOT VALID;
CREATE TABLE big (id int PRIMARY KEY, user_id integer, code text, small smallint);
CREATE TABLE parted (id int, user_id integer) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (100) TO (200);
INSERT INTO users (code) SELECT 'c' || g FROM generate_series(1, 20) g;
INSERT INTO big SELECT g, 1 + g % 20, 'c1', 1 FROM generate_series(1, 50) g;
INSERT INTO parted SELECT g, 1 FROM generate_series(1, 150) g;
ANALYZE;`;

const HYGIENE_CASES = [
  // duplicates of a key the table has
  { sql: 'ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE sessions ADD CONSTRAINT again FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE', expect: 'notice' },
  { sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE pending ADD FOREIGN KEY (user_id) REFERENCES users DEFERRABLE INITIALLY DEFERRED', expect: 'notice' },
  { sql: 'ALTER TABLE pending ADD COLUMN u2 integer REFERENCES users MATCH FULL INITIALLY DEFERRED', expect: 'silent' },
  { sql: 'ALTER TABLE sessions DROP CONSTRAINT sessions_user_fk, ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'silent' },
  { sql: 'ALTER TABLE sessions ADD FOREIGN KEY (code) REFERENCES users (code)', expect: 'silent' },
  // duplicates within the statement
  { sql: 'CREATE TABLE t2 (a int REFERENCES users, FOREIGN KEY (a) REFERENCES users (id) MATCH FULL)', expect: 'notice' },
  { sql: 'CREATE TABLE t3 (a int, b text, FOREIGN KEY (a, b) REFERENCES t3 (a, b), UNIQUE (b, a), FOREIGN KEY (b, a) REFERENCES t3 (b, a))', expect: 'notice' },
  // the validating scan
  { sql: 'ALTER TABLE big ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD CONSTRAINT "Big User" FOREIGN KEY (user_id) REFERENCES users ON UPDATE CASCADE ON DELETE SET NULL (user_id) DEFERRABLE', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD FOREIGN KEY (code) REFERENCES users (code) NOT VALID', expect: 'silent' },
  { sql: 'ALTER TABLE big ADD CONSTRAINT "order" FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD CONSTRAINT name FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD COLUMN u2 integer DEFAULT 1 REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD COLUMN u3 integer REFERENCES users', expect: 'silent' },
  { sql: 'ALTER TABLE big ADD CONSTRAINT up FOREIGN KEY (id) REFERENCES big', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD FOREIGN KEY (small) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE parted ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD FOREIGN KEY (user_id) REFERENCES users, ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
  { sql: 'ALTER TABLE big ALTER COLUMN code SET NOT NULL, ADD FOREIGN KEY (code) REFERENCES users (code)', expect: 'notice' },
  { sql: 'ALTER TABLE big ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID, ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'notice' },
];

test('duplicate keys and the validating scan: the extension\'s notices, from the same sentences', async (t) => {
  await statementDifferential(t, 'hygiene', HYGIENE_SETUP, HYGIENE_CASES,
    { extSetup: 'SET pg_fk_guard.validation_notice_rows = 10', options: { validationNoticeRows: 10 } });
});

test('duplicate keys refused (duplicateKeys: \'error\', as pg_fk_guard.duplicate_keys = error), and the notices off', async (t) => {
  await statementDifferential(t, 'hygiene errors', HYGIENE_SETUP, [
    { sql: 'ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'refused' },
    { sql: 'ALTER TABLE pending ADD FOREIGN KEY (user_id) REFERENCES users', expect: 'refused' },
    { sql: 'CREATE TABLE t2 (a int REFERENCES users, FOREIGN KEY (a) REFERENCES users (id) MATCH FULL)', expect: 'refused' },
    { sql: 'ALTER TABLE big ADD FOREIGN KEY (small) REFERENCES users, ADD FOREIGN KEY (small) REFERENCES users', expect: 'refused' },
  ], { extSetup: 'SET pg_fk_guard.duplicate_keys = error', options: { duplicateKeys: 'error' } });
  await statementDifferential(t, 'hygiene off', HYGIENE_SETUP, HYGIENE_CASES.map(({ sql }) => ({ sql })),
    { extSetup: 'SET pg_fk_guard.duplicate_keys = ignore; SET pg_fk_guard.validation_notice_rows = 0',
      options: { duplicateKeys: 'ignore', validationNoticeRows: 0 } });
});

test('the notices beyond types with the extension\'s hintFunctions: byte for byte', async (t) => {
  await statementDifferential(t, 'hygiene sql hints', HYGIENE_SETUP, HYGIENE_CASES.slice(0, 4).concat(HYGIENE_CASES.slice(9, 11)),
    { extSetup: 'SET pg_fk_guard.validation_notice_rows = 10', options: { validationNoticeRows: 10, hintFunctions: 'extension' } });
});
