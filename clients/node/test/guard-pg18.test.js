'use strict';
// PostgreSQL 18's own foreign keys (test/matrix/pg18/sql/pg18_keys.sql's
// statements, and virtual generated columns), through the package: each
// statement sent through guard(client) to the database without the
// extension and as it stands to the database with it, one after the other
// (each sees the earlier ones' tables), and compared: the refusal's fields,
// the soft notices, the keys created; then diagnose(), checkForeignKeys()
// and explain() against the extension's functions on the tables left.
// On 18 and later (test/matrix.sh 18) the keys are judged; on older servers
// (15 here, 17 in test/matrix.sh) most statements are syntax errors there,
// which the package, reading with 18's parser, must leave to the server as
// the extension (whose event trigger never sees them) does: the server's
// own error, no refusal and no notice.
const test = require('node:test');
const assert = require('node:assert/strict');
const { guard } = require('../lib/index.js');
const { diagnose, checkForeignKeys, explain } = require('../lib/functions');
const { databases, connect, fields, packageFields, packageHint, collectNotices, admin, withoutConvertsHelper } = require('./helpers.js');

const STATEMENTS = [
  // Temporal keys (PERIOD, WITHOUT OVERLAPS): PostgreSQL decides.
  'CREATE EXTENSION IF NOT EXISTS btree_gist',
  'CREATE TABLE rooms (id integer, valid_at daterange, PRIMARY KEY (id, valid_at WITHOUT OVERLAPS))',
  `CREATE TABLE bookings (room_id integer, valid_at daterange,
     FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at))`,
  'CREATE TABLE bookings2 (room_id integer, valid_at daterange)',
  'ALTER TABLE bookings2 ADD FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at)',
  'CREATE TABLE bookings3 (LIKE bookings2, FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at))',
  `CREATE TABLE bookings4 (room_id bigint, valid_at daterange,
     FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at))`,
  'CREATE TABLE plain1 (room_id integer, valid_at daterange, FOREIGN KEY (room_id, valid_at) REFERENCES rooms)',
  // "char" -> text: 18 refuses it (15 to 17 accept it).
  'CREATE TABLE words (w text PRIMARY KEY)',
  'CREATE TABLE letters (c "char" REFERENCES words)',
  'CREATE TABLE letters (c "char")',
  'ALTER TABLE letters ADD FOREIGN KEY (c) REFERENCES words',
  'ALTER TABLE letters ADD COLUMN c2 "char" REFERENCES words',
  // Nondeterministic collations: the same one accepted, a different one refused.
  "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
  'CREATE TABLE tags (name text COLLATE ci PRIMARY KEY)',
  'CREATE TABLE tagged_ok (tag text COLLATE ci REFERENCES tags)',
  'CREATE TABLE tagged (tag text REFERENCES tags)',
  'CREATE TABLE tagged (tag text)',
  "INSERT INTO tagged VALUES ('a'), ('B'), (NULL)",
  'ALTER TABLE tagged ADD FOREIGN KEY (tag) REFERENCES tags',
  'CREATE TABLE names (name text COLLATE "C" PRIMARY KEY)',
  'CREATE TABLE named (name text REFERENCES names)',
  // Retyping the referenced column to a nondeterministic collation: the key
  // PostgreSQL would rebuild is refused.
  'ALTER TABLE names ALTER COLUMN name TYPE text COLLATE ci',
  // NOT ENFORCED keys, and NOT NULL constraints in pg_constraint (18).
  'CREATE TABLE owners (id int PRIMARY KEY)',
  'CREATE TABLE pets (id int NOT NULL, owner int, CONSTRAINT pets_id_nn NOT NULL id)',
  'ALTER TABLE pets ADD CONSTRAINT pets_owner_doc FOREIGN KEY (owner) REFERENCES owners NOT ENFORCED',
  'ALTER TABLE pets ADD CONSTRAINT pets_owner_doc2 FOREIGN KEY (owner) REFERENCES owners NOT ENFORCED',
  'ALTER TABLE pets ADD CONSTRAINT pets_owner FOREIGN KEY (owner) REFERENCES owners',
  'ALTER TABLE pets ADD COLUMN keeper bigint DEFAULT NULL REFERENCES owners NOT ENFORCED',
  'ALTER TABLE pets ADD COLUMN sitter bigint REFERENCES owners',
  // A key that cannot be implemented, NOT ENFORCED: refused on 18, a syntax
  // error before.
  'CREATE TABLE pets_text (owner text REFERENCES owners NOT ENFORCED)',
  // Virtual generated columns (18): PostgreSQL refuses keys on them; a
  // stored one is judged as any column.
  'CREATE TABLE vg (a int, owner_id bigint GENERATED ALWAYS AS (a) VIRTUAL REFERENCES owners)',
  'CREATE TABLE vg (a int, owner_id bigint GENERATED ALWAYS AS (a) VIRTUAL)',
  'ALTER TABLE vg ADD FOREIGN KEY (owner_id) REFERENCES owners',
  'CREATE TABLE sg (a int, owner_id bigint GENERATED ALWAYS AS (a) STORED REFERENCES owners)',
  'CREATE TABLE sg2 (a text, owner_id text GENERATED ALWAYS AS (a) STORED REFERENCES owners)',
];

const noticeFields = (n) => ({ severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint });
const keysOf = async (c) => (await c.query(
  "SELECT conrelid::regclass::text || '.' || conname AS k FROM pg_constraint WHERE contype = 'f' ORDER BY 1")).rows.map((r) => r.k);

function differ(name, ours, theirs) {
  let n = Math.abs(ours.length - theirs.length);
  const first = [];
  for (let i = 0; i < Math.min(ours.length, theirs.length); i++)
    for (const k of new Set([...Object.keys(ours[i]), ...Object.keys(theirs[i])]))
      if (JSON.stringify(ours[i][k]) !== JSON.stringify(theirs[i][k])) {
        n++;
        if (first.length < 3) first.push(`${name} row ${i} ${k}: ours ${JSON.stringify(ours[i][k])}, theirs ${JSON.stringify(theirs[i][k])}`);
      }
  return { n, first };
}

test('PostgreSQL 18: temporal keys, "char", nondeterministic collations, NOT ENFORCED, NOT NULL constraints, virtual generated columns: the guard and the functions = the extension (before 18: the server\'s syntax errors)', async (t) => {
  const version = await admin(async (c) => Number((await c.query('SHOW server_version_num')).rows[0].server_version_num));
  // btree_gist needs a superuser in both databases: created first.
  const dbs = await databases('npm_pg18');
  t.after(() => dbs.drop());
  for (const cfg of [dbs.plain, dbs.ext]) await admin((c) => c.query('CREATE EXTENSION btree_gist'), cfg.database);
  const ext = await connect(dbs.ext);
  const extNotices = collectNotices(ext);
  const logged = [];
  const plain = guard(await connect(dbs.plain), { logger: (n) => logged.push(n) });
  let disagreements = 0;
  let refused = 0;
  let noticed = 0;
  let syntax = 0;
  const first = [];
  for (const sql of STATEMENTS) {
    extNotices.length = 0;
    logged.length = 0;
    const theirs = await ext.query(sql).then(() => null, (e) => e);
    const ours = await plain.query(sql).then(() => null, (e) => e);
    const a = JSON.stringify({ error: fields(ours), notices: logged.map(noticeFields) });
    const b = JSON.stringify({ error: packageFields(theirs),
      notices: extNotices.map(noticeFields).map((n) => ({ ...n, hint: packageHint(n.hint) })) });
    if (ours && ours.fkGuard) refused++;
    if (theirs && theirs.code === '42601') syntax++;
    noticed += logged.length;
    if (a !== b) {
      disagreements++;
      if (first.length < 3) first.push(`${sql}\n  ours:   ${a}\n  theirs: ${b}`);
    }
  }
  const keys = [await keysOf(plain), await keysOf(ext)];
  if (JSON.stringify(keys[0]) !== JSON.stringify(keys[1])) {
    disagreements++;
    first.push(`keys: ours ${keys[0]}, theirs ${keys[1]}`);
  }
  t.diagnostic(`differential pg18 statements (server ${version}): ${STATEMENTS.length} statements, ${syntax} syntax errors, ` +
    `${refused} refused by the guard, ${noticed} soft notices, ${keys[0].length} keys, ${disagreements} disagreements`);
  assert.equal(disagreements, 0, first.join('\n'));
  if (version >= 180000) assert.ok(refused >= 3, 'the guard refused "char" -> text and the nondeterministic collation');
  else assert.ok(syntax >= 8, `18's syntax is a syntax error on ${version}`);

  // The functions on the tables left.
  const rows = [];
  // (fix plans compared modulo their stand-in for fk_guard.converts(): helpers.js)
  const cmp = (name, o, th) => {
    const d = differ(name, withoutConvertsHelper(o), th);
    rows.push(`${name} ${th.length} rows ${d.n}`);
    return d;
  };
  const results = [
    cmp('diagnose', await diagnose(plain), (await ext.query('SELECT * FROM fk_guard.diagnose_fk_mismatches()')).rows),
    cmp('check_foreign_keys', await checkForeignKeys(plain), (await ext.query('SELECT * FROM fk_guard.check_foreign_keys()')).rows),
  ];
  for (const [table, column] of [['pets', 'keeper'], ['pets', 'sitter'], ['letters', 'c'], ['tagged', 'tag'], ['bookings', 'room_id']]) {
    const outcome = (p) => p.then((explain) => ({ explain }), (e) => ({ error: fields(e) }));
    const th = [await outcome(ext.query('SELECT fk_guard.explain($1, $2) AS e', [table, column]).then((r) => r.rows[0].e))];
    const o = [await outcome(explain(plain, { table, column }))];
    results.push(cmp(`explain ${table}.${column}`, o, th));
  }
  t.diagnostic(`differential pg18 functions: ${rows.join(', ')} disagreements`);
  await plain.end();
  await ext.end();
  const bad = results.filter((d) => d.n > 0);
  assert.equal(bad.length, 0, bad.flatMap((d) => d.first).join('\n'));
});

test('the server\'s grammar: 18\'s syntax is read with the parser of the server\'s major version', async () => {
  const { serverCannotParse } = require('../lib/grammar.js');
  const virtual = 'CREATE TABLE vg (a int, owner_id bigint GENERATED ALWAYS AS (a) VIRTUAL REFERENCES owners)';
  const plain = 'ALTER TABLE "sessions" ADD FOREIGN KEY ("userId") REFERENCES "users" ("id")';
  // SET EXPRESSION came with 17, NOT ENFORCED with 18.
  const setExpression = 'ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1), ADD FOREIGN KEY (b) REFERENCES u';
  const notEnforced = 'ALTER TABLE t ADD FOREIGN KEY (b) REFERENCES u NOT ENFORCED';
  for (const version of [130012, 140015, 150020, 160010, 170010, 180004, 190000]) {
    assert.equal(await serverCannotParse(plain, version), null, `${plain} on ${version}`);
    const v = await serverCannotParse(virtual, version);
    if (version >= 180000) assert.equal(v, null);
    else assert.match(v, new RegExp(`^PostgreSQL ${Math.floor(version / 10000)} cannot parse the statement \\(syntax error at or near "VIRTUAL"\\)`));
    assert.equal((await serverCannotParse(notEnforced, version)) === null, version >= 180000, `NOT ENFORCED on ${version}`);
    assert.equal((await serverCannotParse(setExpression, version)) === null, version >= 170000, `SET EXPRESSION on ${version}`);
  }
});
