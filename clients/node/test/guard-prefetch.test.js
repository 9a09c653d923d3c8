'use strict';
// The guess of the guard's catalog question before the parse
// (lib/guard-prefetch.js): for each statement, the parameters the parse
// gives must be within the guess (or there is no guess); a guess is never
// used when they are not (guard-judge.js fromGuess), which the differential
// suites check end to end. Here: the guess against libpg-query's own
// reading of the same statements.
const test = require('node:test');
const assert = require('node:assert/strict');
const { guessResolve, words } = require('../lib/guard-prefetch.js');
const { collect } = require('../lib/guard-collect.js');
const { candidates } = require('../lib/guard-names.js');

// The parameters judgeStatement asks RESOLVE_SQL with, from the parse.
async function parsed(text) {
  const { statements } = await collect(text);
  assert.equal(statements.length, 1, text);
  const st = statements[0];
  const names = [st.table.text];
  for (const k of st.keys) if (k.pk) names.push(k.pk.text);
  const creating = st.kind === 'create';
  return {
    names,
    schema: creating ? st.table.schema : null,
    name: creating ? st.table.name : null,
    temp: creating ? st.table.temp : false,
    declared: [...st.declared.keys()],
    attrs: [...new Set(st.keys.flatMap((k) => [...k.fkAttrs, ...k.pkAttrs]))],
    defaults: creating ? [] : st.keys.filter((k) => !k.conname).flatMap((k) => candidates(st.table.name, k.fkAttrs)),
  };
}

const within = (list, of) => list.every((x) => of.includes(x));

const GUESSED = [
  'CREATE TABLE new_1 (id serial PRIMARY KEY, a bigint REFERENCES parent_a, u uuid REFERENCES parent_u (id))',
  'ALTER TABLE child_1 ADD FOREIGN KEY (a) REFERENCES parent_a (id);',
  'ALTER TABLE "Sessions" ADD FOREIGN KEY ("userId", Kind) REFERENCES "Users" ("id", kind) ON DELETE CASCADE',
  'ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID',
  'ALTER TABLE IF EXISTS orders ADD COLUMN IF NOT EXISTS account_id bigint REFERENCES accounts, ADD COLUMN note text',
  'CREATE TEMP TABLE scratch (a integer REFERENCES users, b numeric(10,2))',
  'CREATE UNLOGGED TABLE IF NOT EXISTS app.events (id bigint, user_id int, FOREIGN KEY (user_id) REFERENCES app.users)',
  'CREATE TABLE "Ünïcode" ("Straße" int REFERENCES "Ünïcode" ("Straße") , UNIQUE ("Straße"))',
  'ALTER TABLE tree ADD FOREIGN KEY (parent) REFERENCES tree',
];

test('a guessed question covers what the parse asks', async () => {
  for (const text of GUESSED) {
    const g = guessResolve(text);
    assert.ok(g, `no guess for ${text}`);
    const p = await parsed(text);
    assert.equal(g.names[0], p.names[0], text);
    for (const n of p.names.slice(1)) assert.ok(g.names.indexOf(n, 1) > 0, `${n} not among ${g.names} (${text})`);
    assert.deepEqual([g.schema, g.name, g.temp], [p.schema, p.name, p.temp], text);
    assert.ok(within(p.declared, g.declared), text);
    assert.ok(within(p.attrs, g.attrs), text);
    assert.ok(within(p.defaults, g.defaults), `${p.defaults} not within ${g.defaults} (${text})`);
  }
});

test('no guess where a plain reading of the words could go wrong', () => {
  for (const text of [
    "CREATE TABLE t (a text DEFAULT 'x' REFERENCES u)", // a string constant
    'CREATE TABLE t (a int REFERENCES u) -- note', // a comment
    'CREATE TABLE t (a int /* c */ REFERENCES u)',
    'CREATE TABLE t (a int REFERENCES u); CREATE TABLE v (b int REFERENCES u)', // two statements
    'CREATE TABLE t (a int DEFAULT $$x$$ REFERENCES u)',
    'CREATE TABLE t (LIKE s, a int REFERENCES u)', // columns from another table
    'CREATE TABLE t PARTITION OF p (a WITH OPTIONS REFERENCES u) FOR VALUES IN (1)',
    'CREATE TABLE t (a int) INHERITS (s)',
    'ALTER TABLE t ALTER COLUMN a TYPE bigint', // no REFERENCES
    'CREATE TABLE "" (a int REFERENCES u)',
    'DROP TABLE t',
  ]) assert.equal(guessResolve(text), null, text);
});

test('words fold unquoted ASCII letters only, as PostgreSQL does, and keep quoted names', () => {
  assert.deepEqual(words('ALTER TABLE "My ""T""" ADD FOREIGN KEY (ÄbC) REFERENCES Users').filter((w) => w.ident).map((w) => w.ident),
    ['alter', 'table', 'My "T"', 'add', 'foreign', 'key', 'Äbc', 'references', 'users']);
});
