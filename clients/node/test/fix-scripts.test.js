'use strict';
// The scripts the package writes, run. Where pg_fk_guard is not installed --
// the package's users -- a fix plan defines its own stand-in for
// fk_guard.converts() (pg_temp.fk_guard_converts(), src/core/fix_writer.cpp
// converts_helper_sql()) and calls that: every fix plan and key type plan
// (offline, and online phase by phase, each phase in a session of its own)
// runs end to end as the tables' owner, an ordinary role, and the data and
// constraints afterwards are checked. The stand-in answers as
// fk_guard.converts() does (compared value by value where the extension is
// installed), refuses the same code of other roles with the same error,
// and runs nothing of an attacker's: names from a hostile alphabet, values
// that look like SQL, a domain CHECK, a cast and a type's output function
// owned by another role, a look-alike fk_guard.converts() of another role.
const test = require('node:test');
const assert = require('node:assert/strict');
const pgQuery = require('libpg-query');
const { fixPlan, changeKeyTypePlan } = require('../lib/functions');
const engine = require('../lib/engine-wrapper.js');
const { databases, connect, admin, ROLE } = require('./helpers.js');

const SETUP = String.raw`
CREATE TABLE users (id integer PRIMARY KEY, name text);
INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 5) g;
CREATE TABLE s_fail (id serial PRIMARY KEY, "userId" text);
CREATE TABLE s_null (id serial PRIMARY KEY, "userId" text);
CREATE TABLE s_delete (id serial PRIMARY KEY, "userId" text);
CREATE TABLE s_clean (id serial PRIMARY KEY, "userId" text);
INSERT INTO s_fail ("userId") VALUES ('1'), ('2'), (' 3'), ('x'), ('99'), (NULL), ('4'), ('''); DROP TABLE users; --');
INSERT INTO s_null ("userId") SELECT "userId" FROM s_fail ORDER BY id;
INSERT INTO s_delete ("userId") SELECT "userId" FROM s_fail ORDER BY id;
INSERT INTO s_clean ("userId") VALUES ('1'), ('5'), (NULL);
CREATE TABLE codes (code character varying(3) PRIMARY KEY);
INSERT INTO codes VALUES ('ab'), ('abc');
CREATE TABLE code_refs (id serial PRIMARY KEY, code text);
INSERT INTO code_refs (code) VALUES ('ab'), ('abc  '), ('abcd'), ('zz'), (NULL);
CREATE TABLE bits (b bit(4) PRIMARY KEY);
INSERT INTO bits VALUES (B'1010'), (B'0001');
CREATE TABLE bit_refs (id serial PRIMARY KEY, b text);
INSERT INTO bit_refs (b) VALUES ('1010'), ('101'), ('0001'), ('10100');
CREATE SCHEMA "we;ird $x$";
CREATE TABLE "we;ird $x$"."t""ab$fk_guard$le--" (id serial PRIMARY KEY, "co l*/$$" text);
INSERT INTO "we;ird $x$"."t""ab$fk_guard$le--" ("co l*/$$") VALUES ('2'), ('nope'), ('5');
CREATE TABLE accounts (id integer PRIMARY KEY);
INSERT INTO accounts SELECT generate_series(1, 50);
CREATE TABLE orders (id serial PRIMARY KEY, account_id integer REFERENCES accounts (id));
CREATE INDEX ON orders (account_id);
INSERT INTO orders (account_id) SELECT 1 + g % 50 FROM generate_series(1, 120) g;
INSERT INTO orders (account_id) VALUES (NULL);
CREATE TABLE teams (id integer PRIMARY KEY);
INSERT INTO teams VALUES (1), (2), (3);
CREATE TABLE members (id serial PRIMARY KEY, team_id integer REFERENCES teams (id));
INSERT INTO members (team_id) VALUES (1), (1), (2), (NULL);`;

// The statements of a script, as PostgreSQL's parser splits them.
let parser = null;
async function statements(text) {
  if (!parser) parser = pgQuery.loadModule();
  await parser;
  const enc = Buffer.from(text, 'utf8');
  return (pgQuery.parseSync(text).stmts || []).map((st) => {
    const from = st.stmt_location || 0;
    const len = st.stmt_len || enc.length - from;
    return enc.subarray(from, from + len).toString('utf8').trim();
  });
}

// Runs a fix plan as it says: in one transaction, in a session of its own.
async function runInTransaction(config, script) {
  const c = await connect(config);
  try {
    await c.query(`BEGIN;\n${script}\nCOMMIT;`);
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await c.end();
  }
}

async function query(config, sql, params) {
  const c = await connect(config);
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function column(config, table, col) {
  return (await query(config,
    `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = $2`, [table, col]))[0].type;
}

// The validated foreign keys of a table, as pg_get_constraintdef() prints them.
async function foreignKeys(config, table) {
  return (await query(config,
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'f' AND c.convalidated ORDER BY 1`,
    [table])).map((r) => r.def);
}

async function plan(config, args) {
  const c = await connect(config);
  try {
    return await fixPlan(c, args);
  } finally {
    await c.end();
  }
}

test('fix plans without the extension define their stand-in and run end to end as the owner', async (t) => {
  const dbs = await databases('npm_fixrun', SETUP);
  t.after(() => dbs.drop());
  const db = dbs.plain;
  let ran = 0;

  // fail: stops before anything changes (x, 99 and the quote cannot be kept)
  const failPlan = await plan(db, { referencingTable: 's_fail', referencingColumn: 'userId', referencedTable: 'users' });
  assert.match(failPlan, /CREATE OR REPLACE FUNCTION pg_temp\.fk_guard_converts\(/);
  assert.doesNotMatch(failPlan, /fk_guard\.converts\(t\./, 'the extension\'s function is not called');
  const tags = failPlan.match(/^-- Statements: (.*)$/m)[1].split(', ');
  const firstWord = (st) => st.replace(/^(?:--[^\n]*\n|\s)+/, '').split(/\s/)[0];
  assert.deepEqual((await statements(failPlan)).map(firstWord), tags.map((x) => x.split(' ')[0]), 'the script is exactly the statements it announces');
  await assert.rejects(runInTransaction(db, failPlan), (e) => e.code === '23514' && /would be lost/.test(e.message));
  ran++;
  assert.equal(await column(db, 's_fail', 'userId'), 'text', 'nothing changed');

  // null: the values that cannot be kept become NULL, the key is added and validated
  const nullPlan = await plan(db, { referencingTable: 's_null', referencingColumn: 'userId', referencedTable: 'users', onUnconvertible: 'null' });
  await runInTransaction(db, nullPlan);
  ran++;
  assert.equal(await column(db, 's_null', 'userId'), 'integer');
  assert.deepEqual((await query(db, 'SELECT "userId" AS v FROM s_null ORDER BY id')).map((r) => r.v), [1, 2, 3, null, null, null, 4, null]);
  assert.deepEqual(await foreignKeys(db, 's_null'), ['FOREIGN KEY ("userId") REFERENCES users(id)']);

  // delete: the rows that cannot be kept are gone
  const deletePlan = await plan(db, { referencingTable: 's_delete', referencingColumn: 'userId', referencedTable: 'users', onUnconvertible: 'delete' });
  await runInTransaction(db, deletePlan);
  ran++;
  assert.deepEqual((await query(db, 'SELECT "userId" AS v FROM s_delete ORDER BY id')).map((r) => r.v), [1, 2, 3, null, 4]);
  assert.deepEqual(await foreignKeys(db, 's_delete'), ['FOREIGN KEY ("userId") REFERENCES users(id)']);

  // fail, where every value converts
  await runInTransaction(db, await plan(db, { referencingTable: 's_clean', referencingColumn: 'userId', referencedTable: 'users' }));
  ran++;
  assert.deepEqual((await query(db, 'SELECT "userId" AS v FROM s_clean ORDER BY id')).map((r) => r.v), [1, 5, null]);
  assert.deepEqual(await foreignKeys(db, 's_clean'), ['FOREIGN KEY ("userId") REFERENCES users(id)']);

  // a length limit: 'abc  ' fits character varying(3) as assignment applies it, 'abcd' does not
  await runInTransaction(db, await plan(db, { referencingTable: 'code_refs', referencingColumn: 'code', referencedTable: 'codes', onUnconvertible: 'null' }));
  ran++;
  assert.equal(await column(db, 'code_refs', 'code'), 'character varying(3)');
  assert.deepEqual((await query(db, 'SELECT code AS v FROM code_refs ORDER BY id')).map((r) => r.v), ['ab', 'abc', null, null, null]);
  assert.deepEqual(await foreignKeys(db, 'code_refs'), ['FOREIGN KEY (code) REFERENCES codes(code)']);

  // bit(4): exactly four bits
  await runInTransaction(db, await plan(db, { referencingTable: 'bit_refs', referencingColumn: 'b', referencedTable: 'bits', onUnconvertible: 'delete' }));
  ran++;
  assert.deepEqual((await query(db, 'SELECT b::text AS v FROM bit_refs ORDER BY id')).map((r) => r.v), ['1010', '0001']);

  // names from a hostile alphabet
  const weird = '"we;ird $x$"."t""ab$fk_guard$le--"';
  const weirdPlan = await plan(db, { referencingTable: weird, referencingColumn: 'co l*/$$', referencedTable: 'users', onUnconvertible: 'null' });
  await runInTransaction(db, weirdPlan);
  ran++;
  assert.deepEqual((await query(db, `SELECT "co l*/$$" AS v FROM ${weird} ORDER BY id`)).map((r) => r.v), [2, null, 5]);
  assert.equal((await foreignKeys(db, weird)).length, 1);
  assert.equal((await query(db, 'SELECT count(*)::int AS n FROM users'))[0].n, 5, 'users is still there');
  t.diagnostic(`fix scripts: ${ran} fix plans run without the extension`);
});

// Each phase of an online plan in its own session, statement by statement
// (autocommit, as psql -f runs it); every phase twice (safe to re-run).
async function runOnline(config, script) {
  const phases = script.split(/(?=^-- Phase \d of \d+:)/m).slice(1);
  assert.equal(phases.length, 5, 'five phases');
  for (const phase of [...phases, ...phases]) {
    const c = await connect(config);
    try {
      for (const st of await statements(phase)) await c.query(st);
    } finally {
      await c.end();
    }
  }
}

test('key type plans without the extension run end to end as the owner: offline, and online phase by phase', async (t) => {
  const dbs = await databases('npm_keyrun', SETUP);
  t.after(() => dbs.drop());
  const db = dbs.plain;
  const keyPlan = async (args) => {
    const c = await connect(db);
    try {
      return await changeKeyTypePlan(c, args);
    } finally {
      await c.end();
    }
  };
  const before = await query(db, 'SELECT o.id, o.account_id FROM orders o ORDER BY o.id');
  const online = await keyPlan({ referencedTable: 'accounts', referencedColumn: 'id', newType: 'bigint', online: true, batchSize: 40, batchPause: '0' });
  assert.match(online, /online/);
  assert.doesNotMatch(online, /fk_guard\.[a-z_]+\(/, 'no function of the extension is called');
  await runOnline(db, online);
  assert.equal(await column(db, 'accounts', 'id'), 'bigint');
  assert.equal(await column(db, 'orders', 'account_id'), 'bigint');
  assert.deepEqual(await query(db, 'SELECT o.id, o.account_id::int AS account_id FROM orders o ORDER BY o.id'), before);
  assert.deepEqual(await foreignKeys(db, 'orders'), ['FOREIGN KEY (account_id) REFERENCES accounts(id)']);
  await assert.rejects(query(db, 'INSERT INTO orders (account_id) VALUES (51)'), (e) => e.code === '23503', 'the key is enforced');

  const offline = await keyPlan({ referencedTable: 'teams', referencedColumn: 'id', newType: 'uuid' });
  assert.doesNotMatch(offline, /fk_guard\.[a-z_]+\(/);
  await runInTransaction(db, offline);
  assert.equal(await column(db, 'teams', 'id'), 'uuid');
  assert.equal(await column(db, 'members', 'team_id'), 'uuid');
  assert.deepEqual(await query(db, 'SELECT count(*)::int AS n, count(t.id)::int AS joined FROM members m LEFT JOIN teams t ON t.id = m.team_id'), [{ n: 4, joined: 3 }]);
  assert.deepEqual(await foreignKeys(db, 'members'), ['FOREIGN KEY (team_id) REFERENCES teams(id)']);
});

// Code of another role (fkg_app, the owner), and values to convert: the
// stand-in against fk_guard.converts(), called by a superuser (a DBA).
const TRUST_SETUP = String.raw`
CREATE TABLE calls (what text);
CREATE FUNCTION is_even(integer) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.calls VALUES ('is_even'); RETURN $1 % 2 = 0; END $$;
CREATE DOMAIN even_int AS integer CHECK (is_even(VALUE));
CREATE FUNCTION loose_eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.calls VALUES ('loose_eq'); RETURN $1 = $2; END $$;
CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = loose_eq);
CREATE DOMAIN op_int AS integer CHECK (VALUE === VALUE);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION mood_len(mood) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.calls VALUES ('mood_len'); RETURN length($1::text); END $$;
CREATE CAST (mood AS integer) WITH FUNCTION mood_len(mood);
CREATE TYPE pair AS (a even_int, b text);
CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 4);
CREATE DOMAIN short_varchar AS varchar CHECK (length(VALUE) < 4);
CREATE DOMAIN short_name AS name CHECK (octet_length(VALUE) < 4);
CREATE DOMAIN code3 AS varchar(3);
GRANT ALL ON calls TO PUBLIC;`;

const CASES = [
  ['12', 'integer', -1], ['x', 'integer', -1], ['1.5', 'integer', -1], [`'); DROP TABLE calls; --`, 'integer', -1], ['99999999999', 'integer', -1],
  ['12345', 'character varying', 7], ['abc  ', 'character varying', 7], ['ab c', 'character varying', 7], ['ab', 'character', 8],
  ['101', 'bit', 8], ['1011', 'bit', 8], ['1011', 'bit varying', 7], ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'uuid', -1], ['abc', 'uuid', -1],
  ['12.345', 'numeric', 458758], ['123456.7', 'numeric', 458758], ['sad', 'mood', -1], ['glad', 'mood', -1], ['abc', 'short_text', -1],
  ['abcd', 'short_text', -1], ['abc', 'short_varchar', -1], ['abcd', 'short_varchar', -1], ['abc', 'short_name', -1], ['abcd', 'short_name', -1],
  ['ab', 'text', -1], ['ab', 'name', -1], ['abcdef', 'code3', -1], [' 12', 'integer', -1], ['2024-02-30', 'date', -1], ['{1,2}', 'integer[]', -1], ['(1,x)', 'pair', -1], ['4', 'even_int', -1], ['3', 'op_int', -1],
];
// (SQL of a typed value, target, typmod)
const TYPED = [
  ['5::integer', 'bit', 8], ['300::integer', 'bit', 8], ['5.5::numeric', 'integer', -1], ['1e20::numeric', 'integer', -1],
  ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 'integer', -1], ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 'text', -1],
  ["'ok'::mood", 'integer', -1], ["'ok'::mood", 'text', -1], ["'abc'::character(5)", 'character varying', 7],
  ["'ab'::character varying(5)", 'character varying', 6], ["'abc'::character(12)", 'short_text', -1],
  ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::character(40)", 'uuid', -1], ["'12'::character(9)", 'integer', -1], ['7::integer', 'integer', -1], ["'{1,2}'::integer[]", 'text', -1], ['NULL::integer', 'bigint', -1],
];

async function outcome(c, sql, params) {
  await c.query('SAVEPOINT o');
  try {
    const r = (await c.query(sql, params)).rows[0].r;
    await c.query('RELEASE SAVEPOINT o');
    return { r };
  } catch (e) {
    await c.query('ROLLBACK TO SAVEPOINT o');
    return { code: e.code, message: e.message, detail: e.detail, hint: e.hint };
  }
}

test('the stand-in answers as fk_guard.converts() does, and runs no other role\'s code', async (t) => {
  const dbs = await databases('npm_convhelper', TRUST_SETUP);
  t.after(() => dbs.drop());
  const helper = engine.call('convertsHelperSql');
  // a superuser's session (a DBA running the script)
  const c = await connect({ database: dbs.ext.database });
  let disagreements = 0, n = 0, refused = 0, casts = 0, castDisagreements = 0;
  const first = [];
  try {
    await c.query('BEGIN');
    await c.query(helper);
    const check = async (label, ext, ours, params) => {
      const a = await outcome(c, ext, params), b = await outcome(c, ours, params);
      n++;
      if (a.code === '42501') refused++;
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        disagreements++;
        if (first.length < 3) first.push(`${label}:\n  ours:   ${JSON.stringify(b)}\n  theirs: ${JSON.stringify(a)}`);
      }
    };
    for (const [v, type, typmod] of CASES)
      for (const as of ['text', 'character varying', 'character(12)']) {
        // (character(12) pads the value: its cast to text, character varying,
        // name and a domain over them drops the spaces, to other types not.)
        await check(`${v} ${as} -> ${type}(${typmod})`, `SELECT fk_guard.converts($1::${as}, $2::regtype, $3) AS r`,
          `SELECT pg_temp.fk_guard_converts($1::${as}, $2::regtype, $3) AS r`, [v, type, typmod]);
        // Without a modifier, the conversion is the cast itself: PostgreSQL's
        // verdict (where converts() runs no other role's code, so neither does the cast).
        if (typmod !== -1) continue;
        const a = await outcome(c, `SELECT fk_guard.converts($1::${as}, $2::regtype, -1) AS r`, [v, type]);
        if (a.code) continue;
        const cast = await outcome(c, `SELECT ($1::${as})::${type} IS NOT NULL AS r`, [v]);
        casts++;
        if (a.r !== !cast.code) {
          castDisagreements++;
          if (first.length < 3) first.push(`${v} ${as} -> ${type}: converts() ${a.r}, the cast ${cast.code ? cast.code : 'succeeds'}`);
        }
      }
    for (const [v, type, typmod] of TYPED)
      await check(`${v} -> ${type}(${typmod})`, `SELECT fk_guard.converts(${v}, $1::regtype, $2) AS r`,
        `SELECT pg_temp.fk_guard_converts(${v}, $1::regtype, $2) AS r`, [type, typmod]);
    await check('NULL target', "SELECT fk_guard.converts(1, NULL, -1) AS r", 'SELECT pg_temp.fk_guard_converts(1, NULL, -1) AS r', []);
    const calls = (await c.query('SELECT what FROM calls')).rows.map((r) => r.what);
    assert.deepEqual(calls, [], 'no code of the owner ran in the superuser\'s session');
    await c.query('ROLLBACK');
  } finally {
    await c.end();
  }
  t.diagnostic(`differential converts stand-in: ${n} calls (${refused} refused as another role's code), ${disagreements} disagreements; ` +
    `against the cast: ${casts} values, ${castDisagreements} disagreements`);
  assert.ok(refused >= 4, 'a domain CHECK, an operator, a cast and a composite of another role are refused');
  assert.equal(disagreements, 0, first.join('\n'));
  assert.equal(castDisagreements, 0, first.join('\n'));

  // Without the extension, a look-alike fk_guard.converts() (any role can
  // make a schema fk_guard) is not what the script calls.
  const o = await connect(dbs.plain);
  try {
    await o.query(`CREATE SCHEMA fk_guard;
      CREATE FUNCTION fk_guard.converts(value anyelement, target regtype, target_typmod integer) RETURNS boolean
        LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.calls VALUES ('look-alike'); RETURN true; END $$;
      CREATE TABLE vals (v text); INSERT INTO vals VALUES ('1'), ('x'); CREATE TABLE ks (id integer PRIMARY KEY); INSERT INTO ks VALUES (1)`);
    const script = await fixPlan(o, { referencingTable: 'vals', referencingColumn: 'v', referencedTable: 'ks' });
    assert.match(script, /pg_temp\.fk_guard_converts\(t\.v, /);
    assert.doesNotMatch(script, / fk_guard\.converts\(t\./);
    await assert.rejects(runInTransaction(dbs.plain, script), (e) => e.code === '23514', 'x cannot be kept');
    assert.deepEqual((await o.query('SELECT what FROM calls')).rows, [], 'the look-alike never ran');
  } finally {
    await o.end();
  }
});
