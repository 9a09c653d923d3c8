'use strict';
// The diagnostic functions in JavaScript (lib/functions) against the
// extension's on the same schema: one database with the extension, one
// without, both read by an ordinary role; the CLI's exit codes and SARIF;
// the npm pack tarball installed into an empty project with --ignore-scripts.
// Needs a throwaway cluster (PGHOST, PGPORT, PGUSER: a superuser, as
// test/run_npm.sh sets them) with the extension installed.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const pg = require('pg');
const { diagnose, checkForeignKeys, migrationHistory, profileColumn, fixPlan, changeKeyTypePlan, explain } = require('../lib/functions');
const { sarif } = require('../lib/cli.js');
const helpers = require('./helpers');
const { withoutConvertsHelper } = helpers;

const PKG = path.resolve(__dirname, '..');
const SCHEMA = fs.readFileSync(path.join(__dirname, 'fixtures', 'functions-schema.sql'), 'utf8');
const ROLE = 'fkg_fn_reader';
const url = (db, user = ROLE) =>
  `postgresql://${encodeURIComponent(user)}@localhost/${db}?host=${encodeURIComponent(process.env.PGHOST)}&port=${process.env.PGPORT}`;

async function admin(db, sql) {
  const c = new pg.Client({ database: db });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function asReader(db, fn) {
  const c = new pg.Client({ database: db, user: ROLE });
  await c.connect();
  try {
    await c.query('SET search_path = public, app');
    return await fn(c);
  } finally {
    await c.end();
  }
}

const GRANTS = `GRANT USAGE ON SCHEMA app TO ${ROLE}; GRANT SELECT ON ALL TABLES IN SCHEMA public, app TO ${ROLE};
                REVOKE SELECT ON knex_migrations FROM ${ROLE}; REVOKE SELECT ON colls FROM ${ROLE};`;

test.before(async () => {
  await admin('postgres', `DROP DATABASE IF EXISTS fkg_fn_ext`);
  await admin('postgres', `DROP DATABASE IF EXISTS fkg_fn_plain`);
  await admin('postgres', `DROP DATABASE IF EXISTS fkg_fn_clean`);
  await admin('postgres', `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}') THEN CREATE ROLE ${ROLE} LOGIN; END IF; END $$`);
  for (const db of ['fkg_fn_ext', 'fkg_fn_plain', 'fkg_fn_clean']) await admin('postgres', `CREATE DATABASE ${db}`);
  await admin('fkg_fn_ext', SCHEMA + GRANTS + 'CREATE EXTENSION pg_fk_guard;');
  await admin('fkg_fn_plain', SCHEMA + GRANTS);
  await admin('fkg_fn_clean', 'CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE s (user_id bigint REFERENCES users (id)); CREATE INDEX ON s (user_id);');
});

// Rows compared column by column, as the pg driver returns them. A fix
// script the package wrote without the extension defines its own stand-in
// for fk_guard.converts(): it is compared as the extension would write it
// (helpers.js withoutConvertsHelper(), which accepts only the exact stand-in).
function differ(t, name, ours, theirs) {
  const helpers = JSON.stringify(ours).split('pg_temp.fk_guard_converts(value anyelement').length - 1;
  if (helpers) t.diagnostic(`differential ${name}: ${helpers} script(s) define the stand-in for fk_guard.converts()`);
  ours = withoutConvertsHelper(ours);
  let disagreements = Math.abs(ours.length - theirs.length);
  const n = Math.min(ours.length, theirs.length);
  const cols = Object.keys(theirs[0] || ours[0] || {});
  const first = [];
  for (let i = 0; i < n; i++)
    // every field of either side (an error's fields where one side failed)
    for (const k of new Set([...Object.keys(ours[i]), ...Object.keys(theirs[i])]))
      if (JSON.stringify(ours[i][k]) !== JSON.stringify(theirs[i][k])) {
        disagreements++;
        if (first.length < 3) first.push(`row ${i} ${k}:\n  ours:   ${JSON.stringify(ours[i][k])}\n  theirs: ${JSON.stringify(theirs[i][k])}`);
      }
  t.diagnostic(`differential ${name}: ${theirs.length} rows x ${cols.length} columns, ${disagreements} disagreements`);
  assert.equal(disagreements, 0, first.join('\n'));
}

test('the package needs no extension: the extension is absent from the plain database', async (t) => {
  const r = await admin('fkg_fn_plain', "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_fk_guard'");
  assert.equal(r.rows[0].n, 0);
  const super_ = await asReader('fkg_fn_plain', async (c) => (await c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper);
  assert.equal(super_, false, 'the reader is an ordinary role');
});

test('diagnose() = fk_guard.diagnose_fk_mismatches(): declared and implied pairs, the soft matrix of the fixture', async (t) => {
  const theirs = await asReader('fkg_fn_ext', async (c) => (await c.query('SELECT * FROM fk_guard.diagnose_fk_mismatches()')).rows);
  const ours = await asReader('fkg_fn_plain', (c) => diagnose(c));
  assert.ok(theirs.length >= 20, `the fixture has mismatches (${theirs.length})`);
  assert.ok(theirs.some((r) => r.source === 'implied') && theirs.some((r) => r.kind === 'incompatible'));
  const kinds = new Set(theirs.map((r) => r.kind));
  t.diagnostic(`counts diagnose kinds: ${[...kinds].sort().join(', ')}; implied ${theirs.filter((r) => r.source === 'implied').length}`);
  differ(t, 'diagnose (plain db, ordinary role)', ours, theirs);
  // in the same database as the extension, too
  differ(t, 'diagnose (same db)', await asReader('fkg_fn_ext', (c) => diagnose(c)), theirs);
  const declaredOnly = await asReader('fkg_fn_ext', async (c) => (await c.query('SELECT * FROM fk_guard.diagnose_fk_mismatches(include_implied => false)')).rows);
  differ(t, 'diagnose include_implied false', await asReader('fkg_fn_plain', (c) => diagnose(c, { includeImplied: false })), declaredOnly);
});

test('diagnose() leaves nothing in the engine: each diagnosis judges its pairs in a table of its own, freed when it ends', async () => {
  const engine = require('../lib/engine-wrapper.js');
  const first = await asReader('fkg_fn_plain', (c) => diagnose(c));
  assert.ok(first.length > 0);
  assert.deepEqual(engine.call('pairTableSizes'), { tables: 0, pairs: 0 });
  // Two at once, on two connections: each renders with its own table.
  const [a, b] = await Promise.all([asReader('fkg_fn_plain', (c) => diagnose(c)), asReader('fkg_fn_plain', (c) => diagnose(c))]);
  assert.deepEqual(a, first);
  assert.deepEqual(b, first);
  assert.deepEqual(engine.call('pairTableSizes'), { tables: 0, pairs: 0 });
  // A diagnosis that fails half way frees its table too.
  await assert.rejects(asReader('fkg_fn_plain', (c) => {
    const query = c.query.bind(c);
    let n = 0;
    c.query = (...args) => (++n > 12 ? Promise.reject(new Error('connection lost')) : query(...args));
    return diagnose(c);
  }));
  assert.deepEqual(engine.call('pairTableSizes'), { tables: 0, pairs: 0 });
  assert.throws(() => engine.call('renderPairsById', 0, '0'), /unknown pair table/);
});

test('diagnose({checkData}) = diagnose_fk_mismatches(check_data => true): profiles and plans with the data', async (t) => {
  const theirs = await asReader('fkg_fn_ext', async (c) => (await c.query('SELECT * FROM fk_guard.diagnose_fk_mismatches(true, true)')).rows);
  assert.ok(theirs.some((r) => r.rows_total != null) && theirs.some((r) => /The data was not profiled/.test(r.detail)));
  differ(t, 'diagnose check_data (plain db, ordinary role)', await asReader('fkg_fn_plain', (c) => diagnose(c, { checkData: true })), theirs);
});

// (table, column, target, referenced table, referenced column): every
// conversion method (unchanged, validated, cast, value by value), length
// limits, padding, partitions, orphans and no orphan check.
const PROFILES = [
  ['prof_src', 't', 'integer', 'prof_keys', null], ['prof_src', 't', 'integer', null, null], ['prof_src', 'v', 'integer', 'prof_keys', 'id'],
  ['prof_src', 'v', 'character varying', 'prof_keys', 'code'], ['prof_src', 'c', 'character varying', 'prof_keys', 'code'],
  ['prof_src', 'v', 'character', 'prof_keys', 'ch'], ['prof_src', 'n', 'integer', 'prof_keys', 'id'], ['prof_src', 'i8', 'integer', 'prof_keys', 'id'],
  ['prof_src', 'u', 'integer', 'prof_keys', 'id'], ['prof_src', 'v', 'uuid', 'prof_keys', 'u'], ['prof_src', 'b', 'bit', 'prof_keys', 'bits'],
  ['prof_src', 'i8', 'bigint', null, null], ['prof_src', 'n', 'numeric', 'prof_keys', 'id'], ['sessions', 'userId', 'integer', 'users', null],
  ['prof_src', 't', 'text', 'prof_keys', 'code'], ['prof_src', 'cu', 'uuid', 'prof_keys', 'u'], ['part_src', 'v', 'integer', 'prof_keys', 'id'],
  ['part_src', 'v', 'character varying', 'prof_keys', 'code'], ['prof_src', 'c', 'integer', 'prof_keys', 'id'], ['prof_src', 'u', 'text', 'prof_keys', 'code'],
  ['prof_src', 'i8', 'bit', 'prof_keys', 'bits'], ['note_accounts', 'account_id', 'integer', null, null], ['prof_src', 'nope', 'integer', null, null],
  ['prof_src', 'c', 'short_code', null, null], ['prof_src', 'c', 'short_name', null, null], ['prof_src', 'cu', 'short_code', null, null],
  ['prof_src', 'v', 'code3', null, null], ['prof_src', 'c', 'code3', null, null],
];

// Each call's result, or its error's fields.
async function outcome(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: e.message, code: e.code, detail: e.detail, hint: e.hint };
  }
}

test('profileColumn() = fk_guard.profile_column()', async (t) => {
  const ours = [], theirs = [];
  for (const [t, col, target, rt, rc] of PROFILES) {
    ours.push(await asReader('fkg_fn_plain', (c) => outcome(() => profileColumn(c, { table: t, column: col, target, referencedTable: rt, referencedColumn: rc }))));
    theirs.push(await asReader('fkg_fn_ext', (c) => outcome(async () =>
      (await c.query('SELECT * FROM fk_guard.profile_column($1::regclass, $2, $3::regtype, $4::regclass, $5)', [t, col, target, rt, rc])).rows[0])));
  }
  assert.ok(theirs.filter((x) => !x.error).length >= 20);
  differ(t, 'profile_column', ours, theirs);
});

// Code of another role in types and casts: profile_column() profiles only
// where every function it may run is built in, a superuser's or the
// caller's (src/pg/trust.cpp). Owned by fkg_app; read by a superuser (for
// whom it is another role's code) and by fkg_app itself.
const TRUST_SETUP = String.raw`
CREATE FUNCTION is_even(integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 % 2 = 0';
CREATE DOMAIN even_int AS integer CHECK (is_even(VALUE));
CREATE FUNCTION loose_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = loose_eq);
CREATE DOMAIN op_int AS integer CHECK (VALUE === VALUE);
CREATE DOMAIN plain_int AS integer CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION mood_len(mood) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT length($1::text)';
CREATE CAST (mood AS integer) WITH FUNCTION mood_len(mood);
CREATE TYPE pair AS (a even_int, b text);
CREATE TYPE plain_pair AS (a integer, b text);
CREATE TABLE keys_i (id integer PRIMARY KEY);
INSERT INTO keys_i VALUES (2), (4), (6);
CREATE TABLE keys_t (id text PRIMARY KEY);
INSERT INTO keys_t VALUES ('sad'), ('2'), ('(2,x)');
CREATE TABLE keys_e (id even_int PRIMARY KEY);
INSERT INTO keys_e VALUES (2), (4);
CREATE TABLE src (e even_int, o op_int, pi plain_int, m mood, p pair, pp plain_pair, arr even_int[], t text, ma mood[], i integer);
INSERT INTO src VALUES (2, 3, 1, 'sad', ROW(2, 'x'), ROW(2, 'x'), ARRAY[2, 4], '4', ARRAY['ok']::mood[], 4),
                       (4, 5, 2, 'ok', ROW(4, 'y'), ROW(5, 'y'), NULL, 'x', NULL, 7), (NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2', NULL, 2);`;
// A range type whose canonical function belongs to fkg_app: only a
// superuser can create one (the function is C), then hand it over.
const TRUST_RANGE = `
CREATE TYPE evenr;
CREATE FUNCTION evenr_canon(evenr) RETURNS evenr LANGUAGE internal IMMUTABLE STRICT AS 'int4range_canonical';
CREATE TYPE evenr AS RANGE (subtype = integer, canonical = evenr_canon);
ALTER FUNCTION evenr_canon(evenr) OWNER TO ${helpers.ROLE};
ALTER TYPE evenr OWNER TO ${helpers.ROLE};
ALTER TABLE src ADD COLUMN r evenr, ADD COLUMN mr evenr_multirange, ADD COLUMN ra int4range;
UPDATE src SET ra = int4range(1, 3) WHERE i = 4;`;
// (table, column, target, referenced table, referenced column)
const TRUST_PROFILES = [
  ['src', 'e', 'integer', 'keys_i', null], ['src', 'e', 'text', null, null], ['src', 'o', 'integer', 'keys_i', null], ['src', 'pi', 'integer', 'keys_i', null],
  ['src', 'm', 'integer', 'keys_i', null], ['src', 'm', 'text', 'keys_t', null], ['src', 'p', 'text', 'keys_t', null], ['src', 'pp', 'text', 'keys_t', null],
  ['src', 'arr', 'text', null, null], ['src', 'ma', 'text', null, null], ['src', 't', 'even_int', 'keys_e', null], ['src', 't', 'op_int', null, null],
  ['src', 't', 'plain_int', null, null], ['src', 'i', 'even_int', null, null], ['src', 't', 'pair', null, null], ['src', 't', 'plain_pair', null, null],
  ['src', 'i', 'integer', 'keys_e', null], ['src', 'r', 'text', null, null], ['src', 'mr', 'text', null, null], ['src', 't', 'evenr', null, null],
  ['src', 'ra', 'text', 'keys_t', null], ['src', 't', 'integer', 'keys_i', null], ['src', 't', 'mood', null, null], ['src', 'e', 'even_int', 'keys_e', null],
];

test('profileColumn() = fk_guard.profile_column() where types and casts hold code of other roles: domain CHECKs, operators, casts, arrays, composites, ranges', async (t) => {
  const dbs = await helpers.databases('npm_fn_trust', TRUST_SETUP);
  t.after(() => dbs.drop());
  for (const db of [dbs.plain.database, dbs.ext.database]) await admin(db, TRUST_RANGE);
  for (const [who, user] of [['a superuser', undefined], ['the owner', helpers.ROLE]]) {
    const ours = [], theirs = [];
    for (const [tbl, col, target, rt, rc] of TRUST_PROFILES) {
      const run = async (database, fn) => {
        const c = new pg.Client({ database, user });
        await c.connect();
        try {
          return await outcome(() => fn(c));
        } finally {
          await c.end();
        }
      };
      ours.push(await run(dbs.plain.database, (c) => profileColumn(c, { table: tbl, column: col, target, referencedTable: rt, referencedColumn: rc })));
      theirs.push(await run(dbs.ext.database, async (c) =>
        (await c.query('SELECT * FROM fk_guard.profile_column($1::regclass, $2, $3::regtype, $4::regclass, $5)', [tbl, col, target, rt, rc])).rows[0]));
    }
    const refused = theirs.filter((x) => x.code === '42501').length;
    t.diagnostic(`counts profile_column as ${who}: ${theirs.length - refused} profiled, ${refused} refused as code of another role`);
    if (!user) assert.ok(refused >= 10, 'a domain CHECK, an operator, a cast, an array, a composite and a range canonical function are refused');
    else assert.equal(refused, 0, 'the owner\'s own code is trusted');
    differ(t, `profile_column, code of another role, as ${who}`, ours, theirs);
  }
});

// (referencing table, column, referenced table, column, on_unconvertible)
const PLANS = [
  ['sessions', 'userId', 'users', null, 'fail'], ['sessions', 'userId', 'users', null, 'map'], ['sessions', 'userId', 'users', null, 'null'],
  ['sessions', 'userId', 'users', null, 'delete'], ['sessions', 'account_id', 'accounts', null, 'fail'], ['orders', 'user_ref', 'users', null, 'fail'],
  ['orders', 'email', 'users', 'email', 'fail'], ['colls', 'name', 'users', 'email', 'fail'], ['notes', 'account_id', 'accounts', null, 'fail'],
  ['prof_src', 'v', 'prof_keys', 'code', 'fail'], ['prof_src', 't', 'prof_keys', null, 'delete'], ['prof_src', 't', 'prof_keys', null, 'null'],
  ['prof_src', 'c', 'prof_keys', 'ch', 'fail'], ['pair_refs', 'a', 'pairs', 'a', 'fail'], ['parted', 'account_id', 'accounts', null, 'fail'],
  ['"Weird ""Name"""', 'userId', 'users', null, 'fail'], ['ts_ref', 'at', 'ts_src', null, 'fail'], ['varc_ref', 'w', 'varc', null, 'fail'],
  ['app.items', 'accountId', 'accounts', null, 'fail'], ['prof_src', 'i8', 'prof_keys', null, 'fail'], ['prof_src', 'u', 'prof_keys', null, 'map'],
  ['prof_src', 'n', 'prof_keys', null, 'bogus'], ['prof_src', 'i8', 'prof_keys', null, 'delete'], ['prof_src', 'v', 'prof_keys', 'ch', 'null'],
  ['shop_session', 'user_id', 'shop_user', null, 'fail'], ['app.items', 'category_id', 'app.categories', null, 'fail'],
];

test('fixPlan() = fk_guard.fix_plan(): every mode, refusals included', async (t) => {
  const ours = [], theirs = [];
  for (const [t, col, rt, rc, mode] of PLANS) {
    ours.push(await asReader('fkg_fn_plain', (c) => outcome(async () => ({ plan: await fixPlan(c, { referencingTable: t, referencingColumn: col, referencedTable: rt, referencedColumn: rc, onUnconvertible: mode }) }))));
    theirs.push(await asReader('fkg_fn_ext', (c) => outcome(async () =>
      ({ plan: (await c.query('SELECT fk_guard.fix_plan($1::regclass, $2, $3::regclass, $4, $5) AS p', [t, col, rt, rc, mode])).rows[0].p }))));
  }
  assert.ok(theirs.filter((x) => x.plan).length >= 15, 'most calls write a plan');
  assert.ok(theirs.some((x) => x.error), 'some are refused');
  differ(t, 'fix_plan', ours, theirs);
});

test('fixPlan() where the extension is installed: fk_guard.converts(), byte for byte the extension\'s', async (t) => {
  const ours = [], theirs = [];
  for (const [t, col, rt, rc, mode] of PLANS) {
    ours.push(await asReader('fkg_fn_ext', (c) => outcome(async () => ({ plan: await fixPlan(c, { referencingTable: t, referencingColumn: col, referencedTable: rt, referencedColumn: rc, onUnconvertible: mode }) }))));
    theirs.push(await asReader('fkg_fn_ext', (c) => outcome(async () =>
      ({ plan: (await c.query('SELECT fk_guard.fix_plan($1::regclass, $2, $3::regclass, $4, $5) AS p', [t, col, rt, rc, mode])).rows[0].p }))));
  }
  assert.ok(ours.filter((x) => x.plan && x.plan.includes('fk_guard.converts(t.')).length >= 10, 'the plans call the extension\'s function');
  assert.ok(!ours.some((x) => x.plan && x.plan.includes('pg_temp.fk_guard_converts')));
  differ(t, 'fix_plan (same db)', ours, theirs);
});

// (key table, key column, new type, options): with and without a cast,
// new keys from an expression or gen_random_uuid(), implied references,
// online mode, every refusal.
const KEY_PLANS = [
  ['users', 'id', 'bigint', {}], ['users', 'id', 'uuid', {}], ['users', 'id', 'uuid', { newKeyExpression: 'r.legacy_uuid' }],
  ['users', 'id', 'uuid', { newKeyExpression: 'r.legacy_uuid', includeImplied: true }], ['users', 'id', 'bigint', { includeImplied: true }],
  ['users', 'id', 'bigint', { online: true }], ['users', 'id', 'uuid', { online: true, batchSize: 500, batchPause: '2 s' }],
  ['accounts', 'id', 'integer', {}], ['accounts', 'id', 'numeric', {}], ['accounts', 'id', 'text', {}], ['accounts', 'id', 'uuid', {}],
  ['accounts', 'id', 'uuid', { onUnconvertible: 'delete' }], ['accounts', 'id', 'uuid', { onUnconvertible: 'null' }], ['accounts', 'id', 'uuid', { onUnconvertible: 'map' }],
  ['accounts', 'id', 'bigint', {}], ['accounts', 'id', 'integer', { online: true }], ['pairs', 'a', 'bigint', {}], ['pairs', 'a', 'uuid', { newKeyExpression: 'gen_random_uuid()' }],
  ['categories', 'id', 'bigint', { includeImplied: true }], ['shop_user', 'id', 'integer', { includeImplied: true }], ['prof_keys', 'id', 'bigint', {}],
  ['prof_keys', 'code', 'integer', {}], ['users', 'id', 'uuid', { newKeyExpression: 'x; drop table users' }], ['users', 'id', 'bigint', { batchSize: 0 }],
  ['users', 'id', 'bigint', { batchPause: '-1 s' }], ['varc', 'v', 'text', {}], ['ts_src', 'at', 'timestamptz', { online: true }], ['notes', 'id', 'bigint', {}],
  ['users', 'id', 'integer', {}], ['users', 'nope', 'bigint', {}], ['note_accounts', 'account_id', 'bigint', {}], ['prof_src', 'id', 'bigint', { onUnconvertible: 'delete' }],
];

test('changeKeyTypePlan() = fk_guard.change_key_type_plan(): offline, online, implied, refusals', async (t) => {
  const ours = [], theirs = [];
  for (const [tbl, col, type, o] of KEY_PLANS) {
    ours.push(await asReader('fkg_fn_plain', (c) => outcome(async () => ({ plan: await changeKeyTypePlan(c, { referencedTable: tbl, referencedColumn: col, newType: type, ...o }) }))));
    theirs.push(await asReader('fkg_fn_ext', (c) => outcome(async () => ({ plan: (await c.query(
      'SELECT fk_guard.change_key_type_plan($1::regclass, $2, $3::regtype, $4, $5, $6, $7, $8, $9::interval) AS p',
      [tbl, col, type, o.onUnconvertible || 'fail', o.newKeyExpression || null, !!o.includeImplied, !!o.online, o.batchSize ?? 10000, o.batchPause || '0.1 s'])).rows[0].p }))));
  }
  assert.ok(theirs.filter((x) => x.plan).length >= 15 && theirs.some((x) => x.plan && /online/.test(x.plan)));
  differ(t, 'change_key_type_plan', ours, theirs);
});

// (table, column): declared and implied keys, every verdict family, plans
// with and without data, a key that may follow, refusals, no key at all.
const EXPLAINS = [
  ['sessions', 'userId'], ['sessions', 'account_id'], ['sessions', 'personId'], ['sessions', 'category_id'], ['orders', 'user_ref'], ['orders', 'email'],
  ['orders', 'dom'], ['colls', 'name'], ['notes', 'account_id'], ['pair_refs', 'a'], ['parted', 'account_id'], ['"Weird ""Name"""', 'userId'],
  ['"Weird ""Name"""', 'ref;--'], ['ts_ref', 'at'], ['varc_ref', 'w'], ['app.items', 'accountId'], ['app.items', 'category_id'], ['shop_session', 'user_id'],
  ['prof_src', 't'], ['users', 'id'], ['users', 'email'], ['dup', 'account_id'], ['sessions', 'nope'], ['note_accounts', 'account_id'],
];

test('explain() = fk_guard.explain(), text and json (read_ms aside)', async (t) => {
  const ours = [], theirs = [];
  const readMs = (x) => (typeof x.report === 'string' ? { report: x.report.replace(/"read_ms": [0-9.]+/, '"read_ms": 0') } : x);
  for (const format of ['text', 'json'])
    for (const [tbl, col] of EXPLAINS) {
      ours.push(readMs(await asReader('fkg_fn_plain', (c) => outcome(async () => ({ report: await explain(c, { table: tbl, column: col, format }) })))));
      theirs.push(readMs(await asReader('fkg_fn_ext', (c) => outcome(async () =>
        ({ report: (await c.query('SELECT fk_guard.explain($1::regclass, $2, $3) AS e', [tbl, col, format])).rows[0].e })))));
    }
  assert.ok(theirs.filter((x) => x.report).length >= 40);
  assert.ok(theirs.some((x) => x.report && /Or change the key instead/.test(x.report)), 'a key plan is among them');
  differ(t, 'explain', ours, theirs);
});

test('checkForeignKeys() = fk_guard.check_foreign_keys(), also with schemas and checks', async (t) => {
  const theirs = await asReader('fkg_fn_ext', async (c) => (await c.query('SELECT * FROM fk_guard.check_foreign_keys()')).rows);
  const checks = new Set(theirs.map((r) => r.check_name));
  for (const c of ['type_mismatch', 'duplicate', 'overlapping', 'unindexed', 'nullable_match_simple', 'not_validated'])
    assert.ok(checks.has(c), `the fixture has a ${c} finding`);
  differ(t, 'check_foreign_keys', await asReader('fkg_fn_plain', (c) => checkForeignKeys(c)), theirs);
  const some = await asReader('fkg_fn_ext', async (c) => (await c.query("SELECT * FROM fk_guard.check_foreign_keys(ARRAY['app']::name[], ARRAY['type_mismatch', 'unindexed'])")).rows);
  differ(t, 'check_foreign_keys(app; type_mismatch, unindexed)', await asReader('fkg_fn_plain', (c) => checkForeignKeys(c, { schemas: ['app'], checks: ['type_mismatch', 'unindexed'] })), some);
  await assert.rejects(asReader('fkg_fn_plain', (c) => checkForeignKeys(c, { checks: ['nope'] })), (e) => e.code === '22023' && /unknown check "nope"/.test(e.message));
});

test('migrationHistory() = fk_guard.migration_history(), an unreadable table included', async (t) => {
  const theirs = await asReader('fkg_fn_ext', async (c) => (await c.query('SELECT * FROM fk_guard.migration_history()')).rows);
  assert.ok(theirs.some((r) => r.status === 'unreadable') && theirs.some((r) => r.status === 'failed') && theirs.some((r) => r.status === 'dirty'));
  differ(t, 'migration_history', await asReader('fkg_fn_plain', (c) => migrationHistory(c)), theirs);
});

test('a pg.Pool works as well as a Client, and nothing stays behind', async (t) => {
  const pool = new pg.Pool({ database: 'fkg_fn_plain', user: ROLE, max: 1 });
  try {
    const rows = await diagnose(pool);
    assert.ok(rows.length > 0);
    const c = await pool.connect();
    try {
      const r = await c.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'fkg_%'");
      assert.equal(r.rows[0].n, 0);
      assert.equal((await c.query('SHOW search_path')).rows[0].search_path, '"$user", public');
    } finally {
      c.release();
    }
  } finally {
    await pool.end();
  }
});

function cli(args) {
  const r = spawnSync(process.execPath, [path.join(PKG, 'bin', 'pg-fk-guard.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertSarif(doc) {
  assert.equal(doc.version, '2.1.0');
  assert.equal(typeof doc.$schema, 'string');
  assert.equal(doc.runs.length, 1);
  const rules = doc.runs[0].tool.driver.rules;
  assert.equal(doc.runs[0].tool.driver.name, 'pg_fk_guard');
  assert.deepEqual(rules.map((r) => r.id), ['type_mismatch', 'duplicate', 'overlapping', 'unindexed', 'nullable_match_simple', 'not_validated']);
  for (const r of rules) assert.ok(r.shortDescription.text && ['warning', 'note', 'error'].includes(r.defaultConfiguration.level));
  for (const res of doc.runs[0].results) {
    assert.equal(rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.equal(typeof res.message.text, 'string');
    assert.ok(res.locations.length >= 1);
    for (const l of res.locations) assert.ok(l.logicalLocations.length === 2 && l.logicalLocations[1].kind === 'column');
    assert.equal(typeof res.partialFingerprints['findingKey/v1'], 'string');
  }
}

test('CLI: exit codes for CI, text, JSON and SARIF', async (t) => {
  const plain = url('fkg_fn_plain');
  let r = cli(['diagnose', '--url', plain]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /finding\(s\)\n$/);
  r = cli(['diagnose', '--url', url('fkg_fn_clean')]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '0 finding(s)\n');
  r = cli(['diagnose', '--url', plain, '--min-severity', 'error', '--no-implied']);
  assert.equal(r.code, 0, 'no declared key is refused, so nothing at severity error');
  r = cli(['check', '--url', plain, '--format', 'json']);
  assert.equal(r.code, 1);
  const json = JSON.parse(r.out);
  const theirs = await asReader('fkg_fn_ext', async (c) => (await c.query('SELECT * FROM fk_guard.check_foreign_keys()')).rows);
  assert.equal(json.length, theirs.length);
  r = cli(['check', '--url', plain, '--format', 'sarif']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.out);
  assertSarif(doc);
  // the same results as the extension's report('sarif')
  const report = await asReader('fkg_fn_ext', async (c) => JSON.parse((await c.query("SELECT fk_guard.report('sarif') AS r")).rows[0].r));
  assertSarif(report);
  assert.deepEqual(doc.runs[0].tool.driver.rules, report.runs[0].tool.driver.rules);
  assert.deepEqual(doc.runs[0].results.map((x) => `${x.ruleId}/${x.level}/${x.message.text}`).sort(),
    report.runs[0].results.map((x) => `${x.ruleId}/${x.level}/${x.message.text}`).sort());
  r = cli(['diagnose', '--url', url('fkg_fn_clean'), '--format', 'sarif']);
  assert.equal(r.code, 0);
  assertSarif(JSON.parse(r.out));
  assert.equal(JSON.parse(r.out).runs[0].results.length, 0);
  r = cli(['history', '--url', plain]);
  assert.equal(r.code, 1, 'a failed, dirty or unreadable migration fails CI');
  assert.match(r.out, /Prisma\t_prisma_migrations\tfailed\t20240201000000_fk/);
  r = cli(['history', '--url', url('fkg_fn_clean')]);
  assert.equal(r.code, 0);
  assert.equal(cli(['bogus', '--url', plain]).code, 2);
  assert.equal(cli(['diagnose', '--format', 'xml', '--url', plain]).code, 2);
  assert.equal(cli(['diagnose', '--url', url('fkg_fn_plain').replace(/port=\d+/, 'port=1')]).code, 3);
  r = cli(['explain', '--url', plain, '--table', 'sessions', '--column', 'userId']);
  assert.equal(r.code, 0, r.err);
  // the CLI's session has the default search path: so has this one
  const plainReader = new pg.Client({ database: 'fkg_fn_ext', user: ROLE });
  await plainReader.connect();
  try {
    assert.equal(withoutConvertsHelper(r.out), (await plainReader.query("SELECT fk_guard.explain('sessions', 'userId') AS e")).rows[0].e + '\n');
  } finally {
    await plainReader.end();
  }
  assert.equal(cli(['explain', '--url', plain, '--table', 'sessions']).code, 2);
  r = cli(['fix-plan', '--url', plain, '--table', 'sessions', '--column', 'account_id', '--referenced-table', 'accounts']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^-- pg_fk_guard fix plan: public\.sessions\.account_id \(integer\) -> public\.accounts\.id \(bigint\)/);
  assert.match(r.out, /CREATE OR REPLACE FUNCTION pg_temp\.fk_guard_converts/, 'without the extension the script defines its stand-in');
  assert.equal(withoutConvertsHelper(r.out), await asReader('fkg_fn_ext', async (c) => (await c.query("SELECT fk_guard.fix_plan('sessions', 'account_id', 'accounts')")).rows[0].fix_plan));
  assert.equal(cli(['fix-plan', '--url', plain, '--table', 'sessions', '--column', 'account_id']).code, 2);
  assert.ok(sarif([]).runs[0].results.length === 0);
});

// Not per server version: test/matrix.sh runs this suite on PostgreSQL 17 and
// 18 with FKG_NPM_SERVER_ONLY set (test/run_npm.sh).
const packSkip = process.env.FKG_NPM_SERVER_ONLY ? 'the same tarball on every server version (FKG_NPM_SERVER_ONLY)' : false;

// Every package installed under a project's node_modules (nested and scoped
// ones included): its directory and package.json.
function installedPackages(project) {
  const found = [];
  const walk = (modules) => {
    if (!fs.existsSync(modules)) return;
    for (const entry of fs.readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const dir = path.join(modules, entry);
      if (entry.startsWith('@')) {
        walk(dir);
        continue;
      }
      const manifest = path.join(dir, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      found.push({ rel: path.relative(project, dir).split(path.sep).join('/'), dir, json: JSON.parse(fs.readFileSync(manifest, 'utf8')) });
      walk(path.join(dir, 'node_modules'));
    }
  };
  walk(path.join(project, 'node_modules'));
  return found.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

// Files under dir (recursively) whose name matches re.
function filesMatching(dir, re) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesMatching(f, re));
    else if (re.test(e.name)) out.push(f);
  }
  return out;
}

// Nothing a package needs built or chosen per platform: no node-gyp build
// (binding.gyp, gypfile), no install scripts (which --ignore-scripts would
// skip, so the package must not need them), no compiled addon (.node), no
// os/cpu restriction (the platform-specific binary packages do that).
function platformNeutral(pkgs) {
  const problems = [];
  for (const p of pkgs) {
    const scripts = p.json.scripts || {};
    for (const k of ['preinstall', 'install', 'postinstall'])
      if (scripts[k]) problems.push(`${p.rel}: ${k} script ${JSON.stringify(scripts[k])}`);
    if (p.json.gypfile || fs.existsSync(path.join(p.dir, 'binding.gyp'))) problems.push(`${p.rel}: node-gyp build`);
    if (p.json.os || p.json.cpu) problems.push(`${p.rel}: os ${JSON.stringify(p.json.os)}, cpu ${JSON.stringify(p.json.cpu)}`);
    const addons = filesMatching(p.dir, /\.node$/).filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`, p.dir.length));
    if (addons.length) problems.push(`${p.rel}: compiled addons ${addons.map((f) => path.relative(p.dir, f)).join(', ')}`);
  }
  return problems;
}

// npm's own cmd-shim (the module npm uses for bin entries on Windows):
// from the npm that runs these tests.
function npmModule(name) {
  const cli = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  return require(require.resolve(name, { paths: [path.resolve(path.dirname(cli), '..')] }));
}

test('npm pack, installed into an empty project with --ignore-scripts, runs the CLI; for Windows (x64) and macOS (arm64) too the same packages install with nothing native', { timeout: 600000, skip: packSkip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-fk-guard-pack-'));
  try {
    const packed = execFileSync('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: PKG, encoding: 'utf8' }).trim().split('\n').pop();
    const tarball = path.join(dir, packed);
    assert.ok(fs.existsSync(tarball), tarball);
    const install = (name, flags) => {
      const project = path.join(dir, name);
      fs.mkdirSync(project);
      fs.writeFileSync(path.join(project, 'package.json'), '{"name": "empty", "version": "1.0.0", "private": true}\n');
      execFileSync('npm', ['install', '--ignore-scripts', ...flags, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, 'pg@8.23.1'],
        { cwd: project, encoding: 'utf8' });
      return project;
    };
    const project = install('project', []);
    assert.ok(fs.existsSync(path.join(project, 'node_modules', 'pg-fk-guard', 'lib', 'engine.js')), 'the tarball holds the built engine');
    const bin = path.join(project, 'node_modules', '.bin', process.platform === 'win32' ? 'pg-fk-guard.cmd' : 'pg-fk-guard');
    const r = spawnSync(bin, ['check', '--url', url('fkg_fn_plain'), '--format', 'sarif'], { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assertSarif(JSON.parse(r.stdout));
    const clean = spawnSync(bin, ['diagnose', '--url', url('fkg_fn_clean')], { cwd: project, encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stderr);
    t.diagnostic(`counts pack: ${packed}, ${fs.statSync(tarball).size} bytes, installed with --ignore-scripts, CLI exit codes 1 and 0`);

    // The same tarball installed as npm installs it on Windows and on macOS
    // (--os, --cpu: npm picks optional platform packages by them): the same
    // packages, none platform-specific, nothing to build. The parser
    // (libpg-query) and the engine are WebAssembly.
    // npm's os and cpu settings (npm >= 10; this suite runs npm 11) pick the
    // optional platform packages; an older npm would take them as unknown
    // settings and install for this platform: refused rather than passed.
    const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
    assert.ok(Number(npmVersion.split('.')[0]) >= 10, `npm ${npmVersion} has no --os and --cpu`);
    const here = installedPackages(project);
    assert.deepEqual(platformNeutral(here), [], 'linux-x64');
    const names = (pkgs) => pkgs.map((p) => `${p.rel}@${p.json.version}`);
    for (const [osName, cpu] of [['win32', 'x64'], ['darwin', 'arm64']]) {
      const other = installedPackages(install(`project-${osName}-${cpu}`, [`--os=${osName}`, `--cpu=${cpu}`]));
      assert.deepEqual(names(other), names(here), `${osName}-${cpu}: the same packages as on linux-x64`);
      assert.deepEqual(platformNeutral(other), [], `${osName}-${cpu}`);
    }
    const parser = path.join(project, 'node_modules', 'libpg-query');
    assert.ok(filesMatching(parser, /\.wasm$/).length >= 1, 'libpg-query ships its parser as WebAssembly');
    assert.match(fs.readFileSync(path.join(project, 'node_modules', 'pg-fk-guard', 'lib', 'engine.js'), 'utf8').slice(0, 200000),
      /data:application\/octet-stream;base64,/, 'the engine holds its WebAssembly inline (SINGLE_FILE)');

    // The bin entry: a Node.js script (the shebang is all npm's shims read),
    // no carriage returns, run through the shims npm writes on Windows:
    // npm's cmd-shim writes the .cmd, the .ps1 and the sh script (Git Bash,
    // Cygwin); the sh one runs here under sh (dash, not bash).
    const installed = path.join(project, 'node_modules', 'pg-fk-guard');
    const binRel = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).bin['pg-fk-guard'];
    const binText = fs.readFileSync(path.join(installed, binRel), 'utf8');
    assert.equal(binText.split('\n')[0], '#!/usr/bin/env node');
    assert.ok(!binText.includes('\r'), 'no CRLF in the bin script');
    const shims = path.join(dir, 'shims');
    fs.mkdirSync(shims);
    await npmModule('cmd-shim')(path.join(installed, binRel), path.join(shims, 'pg-fk-guard'));
    const cmd = fs.readFileSync(path.join(shims, 'pg-fk-guard.cmd'), 'utf8');
    assert.match(cmd, /SET "_prog=node"/, 'the .cmd shim runs node');
    assert.match(cmd, /pg-fk-guard\\bin\\pg-fk-guard\.js" %\*/, 'the .cmd shim passes the arguments to the bin script');
    assert.match(fs.readFileSync(path.join(shims, 'pg-fk-guard.ps1'), 'utf8'), /& "node\$exe" +"\$basedir\/.*pg-fk-guard\/bin\/pg-fk-guard\.js" \$args/);
    const viaSh = spawnSync('sh', [path.join(shims, 'pg-fk-guard'), 'check', '--url', url('fkg_fn_plain'), '--format', 'json'], { cwd: project, encoding: 'utf8' });
    assert.equal(viaSh.status, 1, viaSh.stderr);
    assert.ok(Array.isArray(JSON.parse(viaSh.stdout)) || typeof JSON.parse(viaSh.stdout) === 'object');
    t.diagnostic(`counts platforms: npm ${npmVersion}, ${here.length} packages installed for linux-x64, win32-x64 and darwin-arm64 alike, ` +
      'none with an install script, node-gyp build, .node addon or os/cpu field; npm\'s Windows shims run the bin with node');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
