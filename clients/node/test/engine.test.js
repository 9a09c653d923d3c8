'use strict';
// The engine through its JavaScript API: the extension's own sentences,
// kinds and SQL text (expected/*.out say the same for the same pairs).
const test = require('node:test');
const assert = require('node:assert/strict');
const engine = require('../lib/engine-wrapper.js');

const int4 = { type_oid: 23, display: 'integer', base: 'int4' };
const int8 = { type_oid: 20, display: 'bigint', base: 'int8' };
const uuid = { type_oid: 2950, display: 'uuid', base: 'uuid' };

test('kinds come from the core, most serious first, with their severities', () => {
  assert.deepEqual(engine.kinds().map((k) => `${k.kind}:${k.severity}`), [
    'incompatible:error', 'lossy:warning', 'timezone_dependent:warning', 'narrower:warning',
    'index_unusable:warning', 'semantic:notice', 'width:notice', 'domain:notice', 'collation:notice', 'none:none',
  ]);
});

test('integer referencing bigint is narrower, in the extension\'s words', () => {
  const v = engine.classify({ referencing: int4, referenced: int8, opfamily: 'integer_ops', compared_as: 'bigint' });
  assert.equal(v.kind, 'narrower');
  assert.equal(v.severity, 'warning');
  assert.equal(v.explanation,
    'The referencing type integer cannot hold every bigint key: references to keys above 2147483647 cannot be stored.');
});

test('a refused pair is incompatible; identical types have no problem', () => {
  const v = engine.classify({
    referencing: uuid, referenced: int4, accepted: false, refusal: 'no_equality', comparison: 'none',
    opfamily: 'integer_ops', compared_as: 'integer',
  });
  assert.equal(v.kind, 'incompatible');
  assert.equal(v.severity, 'error');
  assert.ok(v.explanation.length > 0);
  const same = engine.classify({ referencing: int8, referenced: int8, opfamily: 'integer_ops', compared_as: 'bigint' });
  assert.equal(same.kind, 'none');
  assert.deepEqual(same.problems, []);
  assert.equal(engine.identical(int8, int8), true);
  assert.equal(engine.identical(int4, int8), false);
});

test('names are quoted by the one SQL writer, hostile ones included', () => {
  assert.equal(engine.quoteIdent('userId'), '"userId"');
  assert.equal(engine.quoteIdent('users'), '"users"'); // always quoted: the server's quote_ident() gives the short form
  assert.equal(engine.quoteIdent('a"b'), '"a""b"');
  assert.equal(engine.quoteQualified('public', 'user sessions'), '"public"."user sessions"');
  assert.equal(engine.quoteLiteral("it's"), "'it''s'");
  assert.equal(engine.alterColumnTypeSql('public.sessions', '"userId"', 'bigint'),
    'ALTER TABLE public.sessions ALTER COLUMN "userId" TYPE bigint');
  // A name that is not a quoted identifier is refused, not concatenated.
  assert.throws(() => engine.alterColumnTypeSql('public.sessions', 'userId; DROP TABLE x', 'bigint'),
    /pg-fk-guard engine: /);
});

test('input rules and naming rules are the core\'s', () => {
  assert.deepEqual(engine.checkInput('int4', '12x'), { ok: false, error: 'invalid input syntax for type integer: "12x"' });
  assert.deepEqual(engine.checkInput('int4', ' 42 '), { ok: true, error: '' });
  assert.equal(engine.checkInput('jsonb', '{}'), null);
  assert.equal(engine.referenceStem('userId'), 'user');
  assert.equal(engine.referenceStem('name'), null);
  assert.ok(engine.candidateTables('user', 'sessions').includes('users'));
});

test('the tool note recognises Sequelize\'s statement', () => {
  const sql = 'ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");';
  const { tool, note } = engine.toolNote({
    query: sql, constraint: 'sessions_userId_fkey', table: 'sessions', columns: ['userId'], column: 'userId',
    referenced_table: 'users', referenced_column: 'id',
  }, 'integer');
  assert.equal(tool, 'Sequelize');
  assert.match(note, /^Sequelize v6 queryInterface\.changeColumn\(\) drops the type change/);
});
