'use strict';
// The soft matrix and the implied pairs of every key type pair, through
// diagnose() and checkForeignKeys() against the extension's: every base type
// with a default btree operator class plus typmods, domains, enums, arrays
// and ranges (the guard differential's list); a declared foreign key for
// every ordered pair PostgreSQL accepts, and a column named <key table>_id
// of every type for every key (implied pairs, refused ones included, each
// with its fix plan). Both databases are owned and read by an ordinary role.
const test = require('node:test');
const assert = require('node:assert/strict');
const { diagnose, checkForeignKeys } = require('../lib/functions');
const { databases, connect, withoutConvertsHelper } = require('./helpers.js');

const SETUP = `
CREATE DOMAIN int_domain AS integer;
CREATE DOMAIN text_domain AS text;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE color AS ENUM ('red', 'green');`;

const EXTRA = ['character varying', 'character varying(36)', 'character varying(255)', 'character(5)', 'cidr',
  'numeric(10,2)', 'timestamp(0) without time zone', 'bit(8)', 'bit varying(16)', 'public.int_domain', 'public.text_domain', 'public.mood',
  'public.color', 'integer[]', 'bigint[]', 'text[]', 'int4range', 'int8range'];

// A fix script the package wrote without the extension is compared as the
// extension writes it (helpers.js withoutConvertsHelper()).
function differ(t, name, ours, theirs) {
  ours = withoutConvertsHelper(ours);
  let disagreements = Math.abs(ours.length - theirs.length);
  const first = [];
  for (let i = 0; i < Math.min(ours.length, theirs.length); i++)
    for (const k of new Set([...Object.keys(ours[i]), ...Object.keys(theirs[i])]))
      if (JSON.stringify(ours[i][k]) !== JSON.stringify(theirs[i][k])) {
        disagreements++;
        if (first.length < 3) first.push(`row ${i} ${k}:\n  ours:   ${JSON.stringify(ours[i][k])}\n  theirs: ${JSON.stringify(theirs[i][k])}`);
      }
  t.diagnostic(`differential ${name}: ${theirs.length} rows, ${disagreements} disagreements`);
  assert.equal(disagreements, 0, first.join('\n'));
}

test('the soft matrix and implied pairs of every key type pair: diagnose() and checkForeignKeys() = the extension', { timeout: 1800000 }, async (t) => {
  const dbs = await databases('npm_fn_matrix', SETUP);
  t.after(() => dbs.drop());
  const setup = await connect(dbs.plain);
  const types = (await setup.query(`
    SELECT format_type(t.oid, NULL) AS typ FROM pg_opclass c
    JOIN pg_am a ON a.oid = c.opcmethod AND a.amname = 'btree'
    JOIN pg_type t ON t.oid = c.opcintype
    WHERE c.opcdefault AND t.typtype = 'b' ORDER BY 1`)).rows.map((r) => r.typ).concat(EXTRA);
  const ddl = [];
  types.forEach((typ, i) => ddl.push(`CREATE TABLE pk_${i} (k ${typ} PRIMARY KEY)`));
  // implied: in table imp_<f>, a column pk_<p>_id of type f for every key p
  types.forEach((typ, f) => ddl.push(`CREATE TABLE imp_${f} (${types.map((_, p) => `pk_${p}_id ${typ}`).join(', ')})`));
  await setup.query(ddl.join(';\n'));
  // declared: every ordered pair PostgreSQL accepts
  const accepted = [];
  for (let f = 0; f < types.length; f++)
    for (let p = 0; p < types.length; p++) {
      await setup.query('BEGIN');
      try {
        await setup.query(`CREATE TABLE fk_${f}_${p} (k ${types[f]} REFERENCES pk_${p})`);
        accepted.push(`CREATE TABLE fk_${f}_${p} (k ${types[f]} REFERENCES pk_${p})`);
      } catch (e) {
        // refused by PostgreSQL: only implied
      } finally {
        await setup.query('ROLLBACK');
      }
    }
  await setup.query(accepted.join(';\n'));
  await setup.end();
  const ext = await connect(dbs.ext);
  await ext.query('SET pg_fk_guard.soft_mismatches = ignore');
  await ext.query(ddl.join(';\n'));
  await ext.query(accepted.join(';\n'));
  t.diagnostic(`counts matrix: ${types.length} key types, ${accepted.length} declared pairs PostgreSQL accepts, ${types.length * types.length} implied columns`);

  const theirs = (await ext.query('SELECT * FROM fk_guard.diagnose_fk_mismatches()')).rows;
  const plain = await connect(dbs.plain);
  try {
    const ours = await diagnose(plain);
    const kinds = {};
    for (const r of theirs) kinds[`${r.source}/${r.kind}`] = (kinds[`${r.source}/${r.kind}`] || 0) + 1;
    t.diagnostic(`counts matrix rows: ${Object.entries(kinds).sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
    assert.ok(theirs.some((r) => r.source === 'declared') && theirs.some((r) => r.kind === 'incompatible'));
    differ(t, 'matrix diagnose', ours, theirs);
    differ(t, 'matrix check_foreign_keys', await checkForeignKeys(plain), (await ext.query('SELECT * FROM fk_guard.check_foreign_keys()')).rows);
  } finally {
    await plain.end();
    await ext.end();
  }
});
