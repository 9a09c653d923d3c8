'use strict';
// The facts about a foreign-key column pair that the engine judges, asked of
// the server itself, as an ordinary role, without the extension:
//  * whether PostgreSQL accepts the key (and with which SQLSTATE it refuses
//    it): a probe that builds the pair in temporary tables inside a
//    savepoint or transaction that is always rolled back. Exact, because it
//    is PostgreSQL's own ATAddForeignKeyConstraint that answers;
//  * whether a cast converts the referencing type to the referenced one
//    (assignment, explicit), and the referencing type's default btree
//    operator family: also probes, for the same reason;
//  * everything else (type names as format_type prints them, base types,
//    collations, the operator family's equality operators): catalog queries.
// One probe per distinct (referencing type, typmod, collation, referenced
// type, typmod, collation, operator class), cached per server version (and
// per database for types that are not built in).

const FIRST_NORMAL_OID = 16384;

// The cache: server version -> key -> facts.
const cache = new Map();

function cacheFor(version) {
  let c = cache.get(version);
  if (!c) {
    c = new Map();
    cache.set(version, c);
  }
  return c;
}

let savepointSeq = 0;

// Runs fn(run) where every statement fn sends is rolled back afterwards:
// inside a savepoint when the session is in a transaction block, else in a
// transaction of its own. session: {run(sql, params) -> rows, runRaw(sql)
// -> result, inTransaction() -> boolean}.
async function rolledBack(session, fn) {
  const inTx = await session.inTransaction();
  const sp = `fkg_probe_${++savepointSeq}`;
  await session.runRaw(inTx ? `SAVEPOINT ${sp}` : 'BEGIN');
  try {
    return await fn();
  } finally {
    await session.runRaw(inTx ? `ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}` : 'ROLLBACK');
  }
}

// Runs one multi-statement text in a nested savepoint; returns null when it
// succeeded, else {code, message} of the error.
async function attempt(session, sql) {
  const sp = `fkg_try_${++savepointSeq}`;
  await session.runRaw(`SAVEPOINT ${sp}`);
  try {
    await session.runRaw(sql);
    return null;
  } catch (e) {
    if (!e || typeof e.code !== 'string') throw e;
    return { code: e.code, message: e.message };
  } finally {
    await session.runRaw(`ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`);
  }
}

// Runs sql in a nested savepoint and, when it succeeded, read() there too,
// before the savepoint is rolled back: {error: {code, message}} when sql
// failed, else {value: what read() returned}. One run of sql where attempt()
// followed by running it again to read its effects would take two.
async function attemptAndRead(session, sql, read) {
  const sp = `fkg_try_${++savepointSeq}`;
  await session.runRaw(`SAVEPOINT ${sp}`);
  try {
    try {
      await session.runRaw(sql);
    } catch (e) {
      if (!e || typeof e.code !== 'string') throw e;
      return { error: { code: e.code, message: e.message } };
    }
    return { value: await read() };
  } finally {
    await session.runRaw(`ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`);
  }
}

// ---- Catalog facts ----

// Column types (type oid, typmod, collation oid) -> the engine's ColumnType
// plus .baseOid. One query for all of them.
const COLUMN_TYPES_SQL = `
WITH RECURSIVE input AS (
  SELECT i, type, typmod, coll FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int[]), pg_catalog.unnest($3::oid[])) WITH ORDINALITY AS x(type, typmod, coll, i)
), chain AS (
  SELECT i, type AS cur, typmod AS mod, 0 AS depth FROM input
  UNION ALL
  SELECT c.i, t.typbasetype, t.typtypmod, c.depth + 1
  FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.cur AND t.typtype = 'd'
), base AS (
  SELECT DISTINCT ON (i) i, cur AS base, mod AS base_typmod FROM chain ORDER BY i, depth DESC
)
SELECT n.i::int AS i, n.type::int8 AS type_oid, n.typmod,
       CASE WHEN n.typmod >= 0 THEN n.typmod ELSE b.base_typmod END AS eff_typmod,
       n.coll::int8 AS collation_oid, b.base::int8 AS base_oid,
       pg_catalog.format_type(n.type, n.typmod) AS display,
       pg_catalog.format_type(b.base, CASE WHEN n.typmod >= 0 THEN n.typmod ELSE b.base_typmod END) AS base_display,
       bt.typname::text AS base, bt.typcategory::text AS category, bt.typtype::text AS base_typtype,
       (b.base <> n.type) AS is_domain,
       CASE WHEN co.oid IS NULL THEN '' WHEN pg_catalog.pg_collation_is_visible(co.oid)
            THEN pg_catalog.quote_ident(co.collname)
            ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS collation,
       COALESCE(co.collisdeterministic, true) AS collation_deterministic,
       CASE WHEN co.oid IS NULL THEN '' ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END AS collation_sql,
       pg_catalog.quote_ident(btn.nspname) || '.' || pg_catalog.quote_ident(bt.typname) AS base_sql
FROM input n
JOIN base b USING (i)
JOIN pg_catalog.pg_type bt ON bt.oid = b.base
JOIN pg_catalog.pg_namespace btn ON btn.oid = bt.typnamespace
LEFT JOIN pg_catalog.pg_collation co ON co.oid = NULLIF(n.coll, 0)
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
ORDER BY n.i`;

function columnTypeOf(row) {
  return {
    type_oid: Number(row.type_oid),
    typmod: row.eff_typmod,
    collation_oid: Number(row.collation_oid),
    display: row.display,
    base: row.base,
    base_display: row.base_display,
    builtin: Number(row.base_oid) < FIRST_NORMAL_OID,
    domain: row.is_domain ? row.display : '',
    collation: row.collation,
    collation_deterministic: row.collation_deterministic,
    category: row.category,
    // Not the engine's: for the probes and the guard.
    baseOid: Number(row.base_oid),
    baseTyptype: row.base_typtype,
    declaredTypmod: row.typmod,
    collationSql: row.collation_sql,
    baseSql: row.base_sql,
  };
}

// The operator class of the referenced index's column, and its family's
// equality operators for the pair's base types.
const OPCLASS_SQL = `
SELECT c.oid::int8 AS opclass, pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(c.opcname) AS opclass_sql,
       c.opcfamily::int8 AS opfamily, pg_catalog.quote_ident(f.opfname) AS opfamily_name,
       c.opcintype::int8 AS opcintype, pg_catalog.format_type(c.opcintype, NULL) AS compared_as,
       EXISTS (SELECT 1 FROM pg_catalog.pg_amop o WHERE o.amopfamily = c.opcfamily AND o.amopstrategy = 3
               AND o.amoplefttype = c.opcintype AND o.amoprighttype = $2::oid) AS pf_eq,
       EXISTS (SELECT 1 FROM pg_catalog.pg_amop o WHERE o.amopfamily = c.opcfamily AND o.amopstrategy = 3
               AND o.amoplefttype = $2::oid AND o.amoprighttype = $2::oid) AS ff_eq,
       ($2::oid = c.opcintype
        OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast k WHERE k.castsource = $2::oid AND k.casttarget = c.opcintype
                   AND k.castmethod = 'b' AND k.castcontext = 'i')
        OR (c.opcintype = 'pg_catalog.anyarray'::pg_catalog.regtype AND EXISTS (
              SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid = $2::oid AND t.typelem <> 0 AND t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc))
        OR (c.opcintype = 'pg_catalog.anyenum'::pg_catalog.regtype AND EXISTS (
              SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid = $2::oid AND t.typtype = 'e'))
        OR (c.opcintype = 'pg_catalog.anyrange'::pg_catalog.regtype AND EXISTS (
              SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid = $2::oid AND t.typtype = 'r'))
        OR (c.opcintype = 'pg_catalog.anymultirange'::pg_catalog.regtype AND EXISTS (
              SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid = $2::oid AND t.typtype = 'm'))) AS binary_coercible,
       EXISTS (SELECT 1 FROM pg_catalog.pg_cast k JOIN pg_catalog.pg_proc p ON p.oid = k.castfunc
               WHERE k.castsource = $2::oid AND k.casttarget = $3::oid AND p.pronargs > 1) AS cast_takes_typmod
FROM pg_catalog.pg_opclass c
JOIN pg_catalog.pg_namespace cn ON cn.oid = c.opcnamespace
JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily
WHERE c.oid = $1::oid`;

// ---- Probes ----

function collateClause(t) {
  return t.collation_oid ? ` COLLATE ${t.collationSql}` : '';
}

// An error a probe did not expect (a temporary table of the same name, a
// lock timeout, a read-only transaction ...): the guard cannot be sure, so
// it says nothing and PostgreSQL speaks for itself.
class ProbeError extends Error {
  constructor(what, err) {
    super(`pg-fk-guard: the probe for ${what} failed: ${err.code} ${err.message}`);
    this.cause = err;
  }
}

// PostgreSQL's answer for the pair: null when it builds the key, else the
// refusal {code, message}. The tables are built first (that must succeed),
// then the key, each in a savepoint that is rolled back.
async function probePair(session, fk, pk, op) {
  const setup = [
    `CREATE TEMP TABLE fkg_probe_pk (k ${pk.display}${collateClause(pk)})`,
    `CREATE UNIQUE INDEX fkg_probe_pk_k ON fkg_probe_pk (k ${op.opclass_sql})`,
    `CREATE TEMP TABLE fkg_probe_fk (c ${fk.display}${collateClause(fk)})`,
  ].join('; ');
  const failed = await attempt(session, setup);
  if (failed) throw new ProbeError(`${fk.display} -> ${pk.display}`, failed);
  const refused = await attempt(session, `${setup}; ALTER TABLE fkg_probe_fk ADD FOREIGN KEY (c) REFERENCES fkg_probe_pk (k)`);
  if (!refused) return null;
  const isRefusal = refused.code === '42804' || refused.code === '42P21' ||
    (refused.code === 'XX000' && /not both collatable/.test(refused.message));
  if (!isRefusal) throw new ProbeError(`${fk.display} -> ${pk.display}`, refused);
  return refused;
}

// The default btree operator family of a base type (GetDefaultOpClass), or
// 0: an index without an operator class says which PostgreSQL picks.
async function probeDefaultFamily(session, base) {
  let family = 0;
  const sp = `fkg_try_${++savepointSeq}`;
  await session.runRaw(`SAVEPOINT ${sp}`);
  try {
    await session.runRaw(`CREATE TEMP TABLE fkg_probe_ix (b ${base.base_display}); CREATE INDEX fkg_probe_ix_b ON fkg_probe_ix (b)`);
    const rows = await session.run(
      `SELECT c.opcfamily::int8 AS f FROM pg_catalog.pg_index i JOIN pg_catalog.pg_opclass c ON c.oid = i.indclass[0]
       WHERE i.indexrelid = 'fkg_probe_ix_b'::pg_catalog.regclass`);
    family = rows.length ? Number(rows[0].f) : 0;
  } catch (e) {
    if (!e || typeof e.code !== 'string') throw e;
  } finally {
    await session.runRaw(`ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`);
  }
  return family;
}

// How a value of the referencing type becomes the referenced type:
// 'assignment', 'explicit', 'explicit_typmod' or 'none' (can_coerce_type,
// answered by PostgreSQL's parser: nothing is executed).
async function probeConversion(session, fk, pk, castTakesTypmod) {
  const setup = await attempt(session, `CREATE TEMP TABLE fkg_probe_cv (x ${pk.display})`);
  if (setup) throw new ProbeError(`the conversion ${fk.display} -> ${pk.display}`, setup);
  // 42804: no assignment cast ("column x is of type ... but expression is of type ...").
  const assignment = await attempt(session,
    `CREATE TEMP TABLE fkg_probe_cv (x ${pk.display}); INSERT INTO fkg_probe_cv SELECT NULL::${fk.display} WHERE false`);
  if (!assignment) return 'assignment';
  if (assignment.code !== '42804') throw new ProbeError(`the conversion ${fk.display} -> ${pk.display}`, assignment);
  // 42846: no cast at all ("cannot cast type ... to ...").
  const explicit = await attempt(session, `SELECT CAST(NULL::${fk.display} AS ${pk.display}) WHERE false`);
  if (!explicit) return castTakesTypmod ? 'explicit_typmod' : 'explicit';
  if (explicit.code !== '42846') throw new ProbeError(`the conversion ${fk.display} -> ${pk.display}`, explicit);
  return 'none';
}

function refusalOf(err, pfEq) {
  if (!err) return 'none';
  if (err.code === '42P21') return 'nondeterministic_collation';
  if (err.code === 'XX000' && /not both collatable/.test(err.message)) return 'not_both_collatable';
  return pfEq ? 'no_referencing_equality' : 'no_equality';
}

class Prober {
  constructor() {
    this.stats = { probes: 0, hits: 0 };
  }

  // session: see rolledBack(). pairs: [{fk: {type, typmod, collation},
  // pk: {type, typmod, collation}, opclass}] (oids as numbers).
  // Returns, per pair, {facts (the engine's PairFacts), conversion, sqlstate,
  // accepted, refusalMessage}.
  async judge(session, pairs, version, database) {
    const c = cacheFor(version);
    const keyOf = (p) => {
      const user = [p.fk.type, p.pk.type, p.fk.collation, p.pk.collation, p.opclass].some((o) => o >= FIRST_NORMAL_OID);
      return `${user ? `${database}:` : ''}${p.fk.type}/${p.fk.typmod}/${p.fk.collation}>${p.pk.type}/${p.pk.typmod}/${p.pk.collation}@${p.opclass}`;
    };
    const out = new Array(pairs.length);
    const missing = [];
    pairs.forEach((p, i) => {
      const hit = c.get(keyOf(p));
      if (hit) {
        out[i] = hit;
        this.stats.hits++;
      } else missing.push(i);
    });
    if (missing.length === 0) return out;
    await rolledBack(session, async () => {
      const cols = [];
      for (const i of missing) cols.push(pairs[i].fk, pairs[i].pk);
      const rows = await session.run(COLUMN_TYPES_SQL, [
        cols.map((x) => x.type), cols.map((x) => x.typmod), cols.map((x) => x.collation || 0)]);
      const types = rows.map(columnTypeOf);
      for (let k = 0; k < missing.length; k++) {
        const i = missing[k];
        const key = keyOf(pairs[i]);
        if (c.has(key)) {
          out[i] = c.get(key);
          continue;
        }
        const fk = types[2 * k];
        const pk = types[2 * k + 1];
        const [op] = await session.run(OPCLASS_SQL, [pairs[i].opclass, fk.baseOid, pk.baseOid]);
        if (!op) throw new Error(`pg-fk-guard: operator class ${pairs[i].opclass} not found`);
        this.stats.probes++;
        const refused = await probePair(session, fk, pk, op);
        const family = await probeDefaultFamily(session, fk);
        const conversion = await probeConversion(session, fk, pk, op.cast_takes_typmod);
        const accepted = !refused;
        let comparison = 'operator';
        if (!accepted) comparison = 'none';
        else if (!(op.pf_eq && op.ff_eq)) comparison = op.binary_coercible ? 'binary_coercion' : 'function_coercion';
        const strip = ({ baseOid, baseTyptype, declaredTypmod, collationSql, baseSql, ...t }) => t;
        const facts = {
          referencing: strip(fk),
          referenced: strip(pk),
          accepted,
          refusal: refusalOf(refused, op.pf_eq),
          comparison,
          referencing_index_usable: family !== 0 && family === Number(op.opfamily),
          opfamily: op.opfamily_name,
          compared_as: op.compared_as,
        };
        const judged = {
          facts,
          conversion,
          accepted,
          // PostgreSQL's own code for what it refuses: 42P21 for the
          // collations; "not both collatable" (an internal error there) as 42804.
          sqlstate: !refused ? null : refused.code === '42P21' ? '42P21' : '42804',
          refusalMessage: refused ? refused.message : null,
          types: { fk, pk },
        };
        c.set(key, judged);
        out[i] = judged;
      }
    });
    return out;
  }
}

module.exports = { Prober, ProbeError, rolledBack, attempt, attemptAndRead, columnTypeOf, COLUMN_TYPES_SQL, FIRST_NORMAL_OID, _cache: cache };
