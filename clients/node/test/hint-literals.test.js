'use strict';
// helpers.js packageHint(), which the guard tests use to turn the
// extension's HINT (SQL calls, string literals as quote_literal() writes
// them) into the package's (JavaScript calls), on names that need the E''
// form (a backslash) and on quotes and newlines: against the engine's own
// two call styles, and against a refusal of the extension and the guard's
// for a table whose name holds all of them.
const test = require('node:test');
const assert = require('node:assert/strict');
const engine = require('../lib/engine-wrapper.js');
const { guard } = require('../lib/index.js');
const { databases, connect, fields, packageFields, packageHint, sqlValue } = require('./helpers.js');

const NAMES = ['plain', 'a\\b', "it's", "back\\slash'quote", 'new\nline', '\\\\', "''", 'tab\there', 'x\\\'y', 'ünï\\cödé'];

test('sqlValue() reads both literal forms the engine writes', () => {
  for (const n of NAMES) assert.equal(sqlValue(engine.quoteLiteral(n)), n, JSON.stringify(n));
  assert.ok(engine.quoteLiteral('a\\b').startsWith("E'"), 'a backslash gives the E\'\' form');
});

test('packageHint() turns the SQL call style into the package\'s, E\'\' literals included', () => {
  let n = 0;
  for (const t of NAMES)
    for (const c of NAMES) {
      const qualified = engine.quoteQualified('public', t);
      const sql = engine.explainCall(qualified, c, 'sql');
      assert.equal(packageHint(`Run ${sql}`), `Run ${engine.explainCall(qualified, c, 'package')}`, sql);
      n++;
    }
  // fix_plan() with a mode and a constraint name, and change_key_type_plan()
  const lit = (s) => engine.quoteLiteral(s);
  const hint = `SELECT fk_guard.fix_plan(${lit('public."a\\b"')}, ${lit("c'\\")}, ${lit('public.users')}, ${lit('id')}, ` +
    `on_unconvertible => ${lit('map')}, constraint_name => ${lit('k\\\n')}) writes that script. Or: SELECT fk_guard.change_key_type_plan(` +
    `${lit('public."u\\"')}, ${lit('i\\d')}, ${lit('uuid')}) writes it.`;
  assert.equal(packageHint(hint),
    "fixPlan(db, {referencingTable: 'public.\"a\\\\b\"', referencingColumn: 'c\\'\\\\', referencedTable: 'public.users', referencedColumn: 'id', " +
    "onUnconvertible: 'map', constraintName: 'k\\\\\\n'}) writes that script. Or: changeKeyTypePlan(db, {referencedTable: 'public.\"u\\\\\"', " +
    "referencedColumn: 'i\\\\d', newType: 'uuid'}) writes it.");
  assert.equal(n, NAMES.length ** 2);
});

test('a refusal on tables and columns named with a backslash, a quote and a newline: the guard\'s HINT = the extension\'s, in the package\'s calls', async (t) => {
  const setup = `CREATE TABLE "us\\ers" (id integer PRIMARY KEY);
    CREATE TABLE "sess'ions\\" ("user\\Id" uuid, "new
line" uuid);
    INSERT INTO "us\\ers" VALUES (1);
    INSERT INTO "sess'ions\\" VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12');`;
  const dbs = await databases('npm_hint_lit', setup);
  t.after(() => dbs.drop());
  for (const col of ['"user\\Id"', '"new\nline"']) {
    const sql = `ALTER TABLE "sess'ions\\" ADD FOREIGN KEY (${col}) REFERENCES "us\\ers" (id)`;
    const ext = await connect(dbs.ext);
    const extError = await ext.query(sql).then(() => null, (e) => e);
    await ext.end();
    const c = guard(await connect(dbs.plain), { onError: (e) => { throw e; } });
    const error = await c.query(sql).then(() => null, (e) => e);
    await c.end();
    assert.ok(extError && extError.code === '42804', 'the extension refuses it');
    assert.match(extError.hint, /E'/, 'its HINT holds an E\'\' literal');
    assert.equal(error.fkGuard, true);
    assert.deepEqual(fields(error), packageFields(extError));
  }
});
