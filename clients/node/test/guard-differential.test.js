'use strict';
// The differential (sql/differential.sql's, through the package): every
// ordered pair of key types (every base type with a default btree operator
// class, plus typmods, domains, enums, arrays and ranges) on the three DDL
// paths the extension's differential covers -- CREATE TABLE ... REFERENCES,
// ALTER TABLE ... ADD FOREIGN KEY on an existing column, ALTER TABLE ... ADD
// COLUMN ... REFERENCES -- and the key PostgreSQL rebuilds for ALTER COLUMN
// TYPE on an existing referencing column; each statement sent three ways, each in a
// transaction that is rolled back:
//   * plain: without the guard, in the database without the extension:
//     PostgreSQL's own answer;
//   * guarded: through guard(client), as an ordinary role, same database;
//   * extension: in the database with the extension.
// Disagreements counted: the guard refuses <=> PostgreSQL refuses; the
// refusal's fields (SQLSTATE, message, DETAIL, HINT, where) equal the
// extension's; the soft notices (severity, message, DETAIL, HINT) equal the
// extension's WARNING/NOTICE (the HINT with the package's functions in place
// of the extension's SQL functions: helpers.js, packageHint); the guard's kind equals
// fk_guard.classify_key_pair(). Reported as counts; 0 disagreements.
const test = require('node:test');
const assert = require('node:assert/strict');
const { guard } = require('../lib/index.js');
const { databases, connect, fields, packageFields, packageHint } = require('./helpers.js');

const SETUP = `
CREATE DOMAIN int_domain AS integer;
CREATE DOMAIN text_domain AS text;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE color AS ENUM ('red', 'green');`;

const EXTRA = ['character varying', 'character varying(36)', 'character varying(255)', 'character(5)', 'cidr',
  'numeric(10,2)', 'timestamp(0) without time zone', 'bit(8)', 'bit varying(16)', 'public.int_domain', 'public.text_domain', 'public.mood',
  'public.color', 'integer[]', 'bigint[]', 'text[]', 'int4range', 'int8range'];

const PATHS = {
  'create table': (f, p, ft) => `CREATE TABLE fk_${f}_${p} (k ${ft} REFERENCES pk_${p})`,
  'add constraint': (f, p) => `ALTER TABLE base_${f} ADD FOREIGN KEY (k) REFERENCES pk_${p}`,
  'add column': (f, p, ft) => `ALTER TABLE base_${f} ADD COLUMN k2 ${ft} REFERENCES pk_${p}`,
  // An existing key (ref_p.k -> pk_p.k, both of type p) that PostgreSQL
  // rebuilds when ALTER COLUMN TYPE gives the referencing column type f.
  'alter column type': (f, p, ft) => `ALTER TABLE ref_${p} ALTER COLUMN k TYPE ${ft} USING NULL`,
};
// FKG_NPM_DIFF_PATHS="add column,alter column type": only these paths (while developing).
const ONLY = process.env.FKG_NPM_DIFF_PATHS ? process.env.FKG_NPM_DIFF_PATHS.split(',') : null;

async function inRolledBack(client, sql) {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    return null;
  } catch (e) {
    return e;
  } finally {
    await client.query('ROLLBACK');
  }
}

const noticeFields = (n) => ({ severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint });

test('differential: the guard against PostgreSQL and the extension, every key type pair on every DDL path', { timeout: 1800000 }, async (t) => {
  const dbs = await databases('npm_diff', SETUP);
  t.after(() => dbs.drop());
  const admin = await connect(dbs.ext);
  const types = (await admin.query(`
    SELECT format_type(t.oid, NULL) AS typ FROM pg_opclass c
    JOIN pg_am a ON a.oid = c.opcmethod AND a.amname = 'btree'
    JOIN pg_type t ON t.oid = c.opcintype
    WHERE c.opcdefault AND t.typtype = 'b' ORDER BY 1`)).rows.map((r) => r.typ).concat(EXTRA);
  // The key tables and the tables with an existing column, in both databases.
  const ddl = [];
  types.forEach((typ, i) => {
    ddl.push(`CREATE TABLE pk_${i} (k ${typ} PRIMARY KEY)`, `CREATE TABLE base_${i} (k ${typ})`,
      `CREATE TABLE ref_${i} (k ${typ} REFERENCES pk_${i})`);
  });
  await admin.query(ddl.join(';\n'));
  const plainAdmin = await connect(dbs.plain);
  await plainAdmin.query(ddl.join(';\n'));
  await plainAdmin.end();
  const classify = new Map();
  for (const r of (await admin.query(`
      SELECT f.i AS fi, p.i AS pi, (fk_guard.classify_key_pair(f.typ, p.typ)).kind AS kind
      FROM unnest($1::text[]) WITH ORDINALITY f(typ, i), unnest($1::text[]) WITH ORDINALITY p(typ, i)`, [types])).rows) {
    classify.set(`${r.fi - 1}/${r.pi - 1}`, r.kind);
  }
  await admin.end();

  const ext = await connect(dbs.ext);
  const extNotices = [];
  ext.on('notice', (n) => extNotices.push(n));
  const plain = await connect(dbs.plain);
  const logged = [];
  const guarded = guard(await connect(dbs.plain), { logger: (n) => logged.push(n), onError: (e) => { throw e; } });

  const counts = { pairs: types.length * types.length, statements: 0, pg_refuses: 0, guard_refuses: 0, soft: 0,
    refusal_disagreements: 0, field_disagreements: 0, notice_disagreements: 0, kind_disagreements: 0 };
  const examples = [];
  const note = (what, detail) => {
    if (examples.length < 20) examples.push(`${what}: ${detail}`);
  };
  for (const [path, make] of Object.entries(PATHS)) {
    if (ONLY && !ONLY.includes(path)) continue;
    const pathCounts = { statements: 0, refused: 0, disagreements: 0 };
    for (let f = 0; f < types.length; f++) {
      for (let p = 0; p < types.length; p++) {
        const sql = make(f, p, types[f]);
        const label = `${path} ${types[f]} -> ${types[p]}`;
        counts.statements++;
        pathCounts.statements++;
        const pgError = await inRolledBack(plain, sql);
        extNotices.length = 0;
        const extError = await inRolledBack(ext, sql);
        logged.length = 0;
        const guardError = await inRolledBack(guarded, sql);
        const pgRefuses = !!pgError;
        const guardRefuses = !!guardError;
        if (pgRefuses) counts.pg_refuses++;
        if (guardRefuses) {
          counts.guard_refuses++;
          pathCounts.refused++;
        }
        let disagree = false;
        if (pgRefuses !== guardRefuses || !!extError !== guardRefuses) {
          counts.refusal_disagreements++;
          disagree = true;
          note('refusal', `${label}: postgres ${pgError && pgError.code} extension ${extError && extError.code} guard ${guardError && guardError.code}`);
        }
        if (guardRefuses && extError) {
          const a = fields(guardError);
          const b = packageFields(extError);
          if (JSON.stringify(a) !== JSON.stringify(b)) {
            counts.field_disagreements++;
            disagree = true;
            note('fields', `${label}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
          }
        }
        const ours = extNotices.filter((n) => /^foreign key constraint /.test(n.message)).map(noticeFields)
          .map((n) => ({ ...n, hint: packageHint(n.hint) }));
        const mine = logged.map(noticeFields);
        if (mine.length) counts.soft++;
        if (JSON.stringify(ours) !== JSON.stringify(mine)) {
          counts.notice_disagreements++;
          disagree = true;
          note('notices', `${label}: ${JSON.stringify(mine)} vs ${JSON.stringify(ours)}`);
        }
        const kind = guardRefuses ? 'incompatible' : logged.length ? logged[0].kind : 'none';
        if (!pgRefuses || guardRefuses) {
          if (kind !== classify.get(`${f}/${p}`)) {
            counts.kind_disagreements++;
            disagree = true;
            note('kind', `${label}: guard ${kind}, classify_key_pair ${classify.get(`${f}/${p}`)}`);
          }
        }
        if (disagree) pathCounts.disagreements++;
      }
    }
    t.diagnostic(`differential: path ${path}: ${pathCounts.statements} statements, ${pathCounts.refused} refused by the guard, ${pathCounts.disagreements} disagreements`);
  }
  await Promise.all([ext.end(), plain.end(), guarded.end()]);
  t.diagnostic(`differential: ${types.length} key types, ${counts.pairs} ordered pairs x ${Object.keys(PATHS).length} paths = ${counts.statements} statements; PostgreSQL refuses ${counts.pg_refuses}, the guard refuses ${counts.guard_refuses}, soft verdicts ${counts.soft}`);
  t.diagnostic(`differential: disagreements: refusal ${counts.refusal_disagreements}, fields ${counts.field_disagreements}, notices ${counts.notice_disagreements}, kind ${counts.kind_disagreements}`);
  for (const e of examples) t.diagnostic(e);
  assert.deepEqual(
    [counts.refusal_disagreements, counts.field_disagreements, counts.notice_disagreements, counts.kind_disagreements],
    [0, 0, 0, 0]);
  assert.ok(counts.pg_refuses > 0 && counts.soft > 0);
});
