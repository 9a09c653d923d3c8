'use strict';
// profileColumn(): fk_guard.profile_column() without the extension. What a
// column holds with respect to a target type and a referenced key: rows,
// NULLs, values that convert (the conversion expression succeeds for them,
// and fits a length-limiting modifier as ALTER COLUMN ... TYPE applies it),
// values that cannot (with samples), and convertible values that match no
// key (orphans, with samples), read as the caller through ordinary queries
// (privileges and row-level security apply). The whole column is converted
// in one statement; only if that fails is each distinct value tried in its
// own subtransaction, as the extension does (src/pg/profile.cpp).
const { withSession, sqlError } = require('./session');
const { TypeCache } = require('./catalog');
const engine = require('../engine-wrapper.js');
const { onCitus, tableFacts } = require('./citus');

// Every column as its output function writes it (no parsing by the driver).
const RAW = { getTypeParser: () => (x) => x };

const TEXT_LIKE = ['25', '1043', '1042', '19'];
const INT = ['21', '23', '20'];
// Types whose equality is that of their text (src/pg/profile.cpp
// text_identity_is_equality): the orphan count compares with the keys only then.
const BINARY_EQUALITY = ['21', '23', '20', '26', '2950', '16', '18', '1082', '1083', '1114', '1184', '829', '774'];

// The relation argument: a name (resolved with the caller's search path, as
// a regclass argument is) or an oid; the checks and messages of the
// extension's check_table_arg().
async function tableArg(s, value, arg, fn) {
  let oid;
  if (typeof value === 'number' || /^\d+$/.test(String(value))) oid = String(value);
  else oid = await s.asCaller(async () => (await s.query('SELECT $1::pg_catalog.regclass::pg_catalog.oid::text AS o', [String(value)])).rows[0].o);
  const r = await s.query(
    `SELECT c.relkind, n.nspname::text AS nspname, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS q,
            n.nspname IN ('pg_catalog', 'information_schema') OR n.nspname LIKE 'pg\\_toast%' AS system
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, [oid]);
  if (!r.rowCount)
    throw sqlError('42P01', `relation with OID ${oid} does not exist`, `Argument ${arg} of fk_guard.${fn}() names no table; it may have been dropped.`);
  const t = r.rows[0];
  if (t.system)
    throw sqlError('42809', `${t.q} is a system catalog`, 'pg_fk_guard works on user tables: system catalogs belong to PostgreSQL, cannot have foreign keys, and their column types are not to be changed.');
  const refuse = {
    v: ['a view', 'A view holds no data of its own and cannot have foreign keys; pass the table it reads from.'],
    m: ['a materialized view', 'A materialized view cannot have foreign keys and its columns cannot be converted in place; pass the table it is built from.'],
    f: ['a foreign table', 'A foreign table cannot have foreign keys, and its data lives on another server.'],
    S: ['a sequence', 'Only tables have foreign keys.'],
    i: ['an index', 'Only tables have foreign keys; pass the table the index is on.'],
    I: ['an index', 'Only tables have foreign keys; pass the table the index is on.'],
  };
  if (t.relkind !== 'r' && t.relkind !== 'p') {
    const [what, why] = refuse[t.relkind] || ['not a table', 'Only tables have foreign keys.'];
    throw sqlError('42809', `${t.q} is ${what}`, why);
  }
  return oid;
}

async function columnArg(s, rel, name) {
  const r = await s.query(
    `SELECT a.attnum::int AS att FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`, [rel, name]);
  if (!r.rowCount) {
    const rn = (await s.query('SELECT relname::text AS n FROM pg_catalog.pg_class WHERE oid = $1', [rel])).rows[0].n;
    throw sqlError('42703', `column "${name}" of relation "${rn}" does not exist`);
  }
  return r.rows[0].att;
}

async function primaryKeyColumn(s, rel) {
  const r = await s.query(
    `SELECT ix.indkey[0]::int AS att, ix.indnkeyatts AS n FROM pg_catalog.pg_index ix WHERE ix.indrelid = $1 AND ix.indisprimary`, [rel]);
  if (!r.rowCount || r.rows[0].n !== 1) {
    const rn = (await s.query('SELECT relname::text AS n FROM pg_catalog.pg_class WHERE oid = $1', [rel])).rows[0].n;
    throw sqlError('22023', `table ${rn} has no single-column primary key`, undefined, 'Name the referenced column.');
  }
  return r.rows[0].att;
}

async function typeArg(s, value, arg, fn) {
  let oid;
  if (typeof value === 'number' || /^\d+$/.test(String(value))) oid = String(value);
  else oid = await s.asCaller(async () => (await s.query('SELECT $1::pg_catalog.regtype::pg_catalog.oid::text AS o', [String(value)])).rows[0].o);
  const r = await s.query('SELECT t.typisdefined, t.typtype, pg_catalog.format_type(t.oid, NULL) AS f FROM pg_catalog.pg_type t WHERE t.oid = $1', [oid]);
  if (!r.rowCount) throw sqlError('42704', `type with OID ${oid} does not exist`, `Argument ${arg} of fk_guard.${fn}() names no type; it may have been dropped.`);
  if (!r.rows[0].typisdefined) throw sqlError('42704', `type ${r.rows[0].f} is only a shell`);
  if (r.rows[0].typtype === 'p')
    throw sqlError('42809', `${r.rows[0].f} is a pseudo-type`, 'No column has a pseudo-type, so no key can be converted to one.');
  return oid;
}

// Whose code converting and reading values would run (src/pg/trust.cpp):
// trusted is code built into PostgreSQL, owned by a superuser, or owned by
// the caller. The first function that is not, in the order the extension
// finds it, as "function public.f(mood), owned by alice". The queries are
// the engine's (src/core/trust_sql.hpp), the same walk that the fix
// scripts' stand-in for fk_guard.converts() runs: why reading or
// writing a type runs untrusted code (its input and output functions,
// followed into a domain's CHECK constraints and base type, an array's
// element type, a composite's column types, a range's canonical function
// and subtype, a multirange's range; 16 levels deep), and why a cast does.
// trustCaller false (the guard's): the calling role's own code is reported
// too, as the extension's guard reports it (TrustCaller::No).
const reasonQueries = new Map();
function reasonSql(trustCaller = true) {
  if (!reasonQueries.has(trustCaller)) {
    reasonQueries.set(trustCaller, { typeIo: engine.call('typeIoReasonSql', trustCaller),
      cast: engine.call('castReasonSql', trustCaller) });
  }
  return reasonQueries.get(trustCaller);
}

// Why the profile would run code that is not trusted, or null: the checks
// of profile.cpp untrusted_code() in its order. The types' input and output
// (the source's base type, the target); then the queries it runs, each
// walked outermost node first, and the types of their result columns: the
// column's values (its declared type, a domain's CHECKs included), the
// conversion of the whole column, the values' text, the referenced keys in
// the target type, and one value's text converted.
// All checks are asked in one query, in their order: COALESCE of one
// scalar subquery per check, each the engine's query with its parameters
// renumbered; PostgreSQL evaluates them one by one and stops at the first
// answer.
async function untrustedCode(s, { columnType, source, target, viaText, identical, keysType = null, trustCaller = true }) {
  const TEXT = '25';
  const io = (t) => ['typeIo', t];
  const cast = (from, to) => ['cast', from, to];
  const steps = [
    io(source), io(target),
    // SELECT col FROM t
    io(columnType),
    // SELECT (col::[text::]target) FROM t
    ...(identical ? [] : viaText ? [cast(TEXT, target), cast(columnType, TEXT)] : [cast(columnType, target)]),
    // SELECT col::text FROM t
    cast(columnType, TEXT),
    // SELECT (refcol)::target FROM r
    ...(keysType != null ? [cast(keysType, target)] : []),
    // SELECT (($1::text)::source)::[text::]target::text
    cast(target, TEXT),
    ...(viaText ? [cast(TEXT, target), cast(source, TEXT)] : [cast(source, target)]),
    cast(TEXT, source),
  ];
  const sql = firstReasonSql(steps.map(([kind]) => kind), trustCaller);
  const r = await s.query(sql, steps.flatMap(([, ...types]) => types));
  return r.rows[0]?.why ?? null;
}

// The query of untrustedCode() for a sequence of checks ('typeIo' takes one
// type parameter, 'cast' two), cached by that sequence.
const firstReasonQueries = new Map();
function firstReasonSql(kinds, trustCaller) {
  const key = `${trustCaller}:${kinds.join(',')}`;
  if (!firstReasonQueries.has(key)) {
    const sql = reasonSql(trustCaller);
    let next = 0;
    const parts = kinds.map((kind) => {
      const base = next;
      next += kind === 'cast' ? 2 : 1;
      return `(${sql[kind].trim().replace(/\$([12])(?![0-9])/g, (m, n) => `$${base + Number(n)}`)})`;
    });
    firstReasonQueries.set(key, `SELECT COALESCE(${parts.join(',\n')}) AS why`);
  }
  return firstReasonQueries.get(key);
}

// The profile of rel.att against target (typmod), with orphans against
// refrel.refatt when given: the extension's ColumnProfile, as an object.
async function profile(s, { rel, att, target, typmod = -1, refrel = null, refatt = null, samples = 3 }) {
  const types = new TypeCache(s);
  const col = (await s.query(
    `SELECT a.atttypid::text AS type, pg_catalog.quote_ident(a.attname) AS att_q,
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS table_q
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attrelid = $1 AND a.attnum = $2`, [rel, att])).rows[0];
  await types.load([col.type, target]);
  await types.loadCasts();
  const source = types.base(col.type).oid;
  target = String(target);
  const fmt = (await s.query('SELECT pg_catalog.format_type($1, $2) AS t, pg_catalog.format_type($1, -1) AS u, pg_catalog.format_type($3, -1) AS s',
    [target, typmod, source])).rows[0];
  const identical = source === target && typmod < 0;
  let viaText = false, limit = null;
  if (!identical) {
    const hasCast = await types.coercible(source, target, 'explicit');
    viaText = !hasCast && !TEXT_LIKE.includes(source);
    const limits = { '1043': 'chars', '1042': 'chars', '1560': 'exact_bits', '1562': 'max_bits' };
    if (typmod >= 0 && limits[target] && !(hasCast && types.castAppliesTypmod(source, target))) limit = limits[target];
  }
  const castType = limit ? fmt.u : fmt.t;
  const conversion = identical ? col.att_q : `${col.att_q}${viaText ? '::text::' : '::'}${castType}`;
  const prof = { profiled: false, rows_total: 0, rows_null: 0, rows_convertible: 0, rows_unconvertible: 0, rows_orphaned: 0,
    orphans_checked: false, sample_unconvertible: [], sample_orphaned: [], conversion, not_profiled_reason: '' };

  let checkOrphans = false, key = null;
  if (refrel != null) {
    key = (await s.query(
      `SELECT a.attcollation::text AS coll, pg_catalog.quote_ident(a.attname) AS att_q, c.collisdeterministic AS det, a.atttypid::text AS type,
              pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(r.relname) AS table_q
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class r ON r.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
         LEFT JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation
        WHERE a.attrelid = $1 AND a.attnum = $2`, [refrel, refatt])).rows[0];
    const tt = types.get(target);
    checkOrphans = TEXT_LIKE.includes(target) ? (key.coll === '0' || key.det !== false) : (BINARY_EQUALITY.includes(target) || tt.typtype === 'e');
  }
  const why = await untrustedCode(s, { columnType: col.type, source, target, viaText, identical, keysType: checkOrphans ? key.type : null });
  if (why) {
    prof.not_profiled_reason = why;
    return prof;
  }
  let T = col.table_q;
  const c = `t.${col.att_q}`;
  if (await onCitus(s)) {
    // Citus plans no correlated subquery over a reference table nor a join
    // of tables that are not colocated: the values and the keys are read
    // into temporary tables first (the extension reads both on the
    // coordinator too), which the rolled-back session drops.
    const citus = await tableFacts(s, [rel, refrel]);
    if (citus.size) {
      const copy = async (from, column) => {
        const name = `pg_temp.fk_guard_profile_${(s.profileCopies = (s.profileCopies || 0) + 1)}`;
        await s.query(`CREATE TEMPORARY TABLE ${name} AS SELECT t.${column} FROM ${from} t`);
        return name;
      };
      T = await copy(T, col.att_q);
      if (checkOrphans) key = { ...key, table_q: await copy(key.table_q, key.att_q) };
    }
  }
  // How the extension reads the values decides how a sample is written:
  // validated on their text (PostgreSQL 15's input rules where the core has
  // them, any type from 16 on) or unchanged: the value as its type prints it;
  // converted by the cast: the converted value (the original with a length
  // limit); value by value: the value's ::text.
  const ioEquivalent = viaText || TEXT_LIKE.includes(source) || (INT.includes(source) && (INT.includes(target) || target === '1700'));
  // (a domain over a length-limited type: the cast cuts a longer value where
  // the domain's input function refuses it, so the cast decides)
  const targetBase = types.base(target);
  const cuttingDomain = targetBase.oid !== target && targetBase.typmod >= 0 && ['1043', '1042', '1560', '1562'].includes(targetBase.oid);
  const validate = !identical && ioEquivalent && !cuttingDomain &&
    (s.serverVersion >= 160000 || engine.checkInput(types.get(target).typname, '', -1) !== null);
  const castMethod = !identical && !validate;
  const conv = identical ? c : `${c}${viaText ? '::text::' : '::'}${castType}`;
  // the length check of assignment on the converted value's text
  const n = limit === 'chars' ? typmod - 4 : typmod;
  const fits = (x) => limit === 'chars' ? `pg_catalog.length(pg_catalog.rtrim((${x})::text, ' ')) <= ${n}`
    : limit === 'exact_bits' ? `pg_catalog.length((${x})::text) = ${n}`
      : limit === 'max_bits' ? `pg_catalog.length((${x})::text) <= ${n}` : 'true';
  // The converted value as the keys compare with it (the target type with its modifier).
  const keyValue = (x) => (identical ? x : `(${x})::${fmt.t}`);

  // One statement converts the whole column; a failure leaves `bad` to find.
  let bad = null;
  let matchBad = null;
  const whole = await s.guarded(async () => (await s.query(
    `SELECT pg_catalog.count(*)::int8 AS total, pg_catalog.count(*) FILTER (WHERE ${c} IS NULL)::int8 AS nulls,
            pg_catalog.count(*) FILTER (WHERE ${c} IS NOT NULL AND NOT (${fits(conv)}))::int8 AS unfit,
            pg_catalog.count(${conv})::int8 AS converted
       FROM ${T} t`)).rows[0], (e) => {
    if (['57014', '55P03', '40P01', '40001', '57P01', '53200'].includes(e.code) || (e.code || '').startsWith('53')) throw e;
    return null;
  });
  if (whole) {
    prof.rows_total = Number(whole.total);
    prof.rows_null = Number(whole.nulls);
    prof.rows_unconvertible = Number(whole.unfit);
  } else {
    // value by value: each distinct value's text, converted in its own subtransaction
    const totals = (await s.query(`SELECT pg_catalog.count(*)::int8 AS total, pg_catalog.count(*) FILTER (WHERE ${c} IS NULL)::int8 AS nulls FROM ${T} t`)).rows[0];
    prof.rows_total = Number(totals.total);
    prof.rows_null = Number(totals.nulls);
    bad = [];
    if (validate) {
      // decided on each value's text as its type prints it: PostgreSQL 15's
      // input rules in the engine (as the extension), pg_input_is_valid() from 16 on
      // A character value as the cast leaves it: to text, character varying
      // and name (and a domain over one of them) the cast drops the trailing
      // spaces (rtrim1, bpchar_name), so the text judged is the value cast
      // to that unconstrained type.
      const trimTo = source === '1042' ? { 25: 'text', 1043: 'varchar', 19: 'name' }[types.base(target).oid] : undefined;
      const judged = trimTo ? `(${c})::pg_catalog.${trimTo}::pg_catalog.text` : c;
      const rows = (await s.query({ text: `SELECT DISTINCT ${c} AS v, ${judged} AS w FROM ${T} t WHERE ${c} IS NOT NULL`, types: RAW })).rows;
      if (s.serverVersion >= 160000) {
        bad = (await s.query(`SELECT x.v FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) x(v, w) WHERE NOT pg_catalog.pg_input_is_valid(x.w, $3)`,
          [rows.map((r) => r.v), rows.map((r) => r.w), fmt.t])).rows.map((r) => r.v);
      } else {
        const typname = types.get(target).typname;
        for (const r of rows) if (!engine.checkInput(typname, r.w, typmod).ok) bad.push(r.v);
      }
      matchBad = `${c} = ANY ($1::${fmt.s}[])`;
    } else {
      // value by value, each distinct value's text in its own subtransaction
      const values = (await s.query(`SELECT DISTINCT ${c}::text AS v FROM ${T} t WHERE ${c} IS NOT NULL`)).rows.map((r) => r.v);
      const one = `SELECT (($1::text)::${fmt.s}${viaText ? ')::text::' : ')::'}${castType}`;
      for (const v of values) {
        const ok = await s.guarded(async () => {
          const r = await s.query(`SELECT x.v IS NOT NULL AND ${fits('x.v')} AS ok FROM (${one} AS v OFFSET 0) x`, [v]);
          return r.rows[0].ok === true;
        }, (e) => {
          if (['57014', '55P03', '40P01', '40001', '57P01'].includes(e.code) || (e.code || '').startsWith('53')) throw e;
          return false;
        });
        if (!ok) bad.push(v);
      }
      matchBad = `${c}::text = ANY ($1::text[])`;
    }
    prof.rows_unconvertible = bad.length
      ? Number((await s.query(`SELECT pg_catalog.count(*)::int8 AS n FROM ${T} t WHERE ${matchBad}`, [bad])).rows[0].n) : 0;
  }
  prof.rows_convertible = prof.rows_total - prof.rows_null - prof.rows_unconvertible;
  // rows that do not convert, as a condition (the conversion is evaluated only for the others)
  const lost = bad ? matchBad : `NOT (${fits(conv)})`;
  const params = bad ? [bad] : [];
  const converted = bad ? `CASE WHEN ${matchBad} THEN NULL ELSE ${keyValue(conv)} END`
    : `CASE WHEN ${fits(conv)} THEN ${keyValue(conv)} END`;
  const original = bad && castMethod ? `${c}::text` : c;
  const orphanSample = bad && castMethod ? `${c}::text` : castMethod && !limit ? conv : c;
  if (samples > 0 && prof.rows_unconvertible > 0)
    prof.sample_unconvertible = (await s.query({ text:
      `SELECT x.v FROM (SELECT pg_catalog.row_number() OVER () AS n, ${original} AS v, ${c} IS NOT NULL AND ${lost} AS lost FROM ${T} t) x
        WHERE x.lost ORDER BY x.n LIMIT ${Number(samples)}`, values: params, types: RAW })).rows.map((r) => r.v);
  if (checkOrphans) {
    prof.orphans_checked = true;
    const keys = `SELECT (r.${key.att_q})::${fmt.t} AS k FROM ${key.table_q} r WHERE r.${key.att_q} IS NOT NULL`;
    const o = (await s.query(
      `SELECT pg_catalog.count(*)::int8 AS n FROM (SELECT ${converted} AS k FROM ${T} t WHERE ${c} IS NOT NULL) x
        WHERE x.k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM (${keys}) y WHERE y.k OPERATOR(pg_catalog.=) x.k)`, params)).rows[0];
    prof.rows_orphaned = Number(o.n);
    if (samples > 0 && prof.rows_orphaned > 0)
      prof.sample_orphaned = (await s.query({ text:
        `SELECT x.v FROM (SELECT pg_catalog.row_number() OVER () AS n, CASE WHEN ${converted} IS NOT NULL THEN ${orphanSample} END AS v, ${converted} AS k FROM ${T} t) x
          WHERE x.k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM (${keys}) y WHERE y.k OPERATOR(pg_catalog.=) x.k)
          ORDER BY x.n LIMIT ${Number(samples)}`, values: params, types: RAW })).rows.map((r) => r.v);
  }
  prof.profiled = true;
  return prof;
}

// profileColumn(db, {table, column, target, referencedTable, referencedColumn, samples = 3}):
// the row of fk_guard.profile_column(), with the pg driver's types (bigint
// as a string, text[] as an array).
async function profileColumn(db, { table, column, target, referencedTable = null, referencedColumn = null, samples = 3 } = {}) {
  const fn = 'profile_column';
  for (const [v, name] of [[table, 'tbl'], [column, 'col'], [target, 'target'], [samples, 'samples']])
    if (v == null) throw sqlError('22004', `argument ${name} of fk_guard.${fn}() must not be null`);
  if (referencedTable == null && referencedColumn != null)
    throw sqlError('22004', `argument referenced_column of fk_guard.${fn}() needs referenced_table`, undefined,
      'Pass referenced_table too, or neither to count no orphans.');
  return withSession(db, async (s) => {
    const rel = await tableArg(s, table, 'tbl', fn);
    const att = await columnArg(s, rel, column);
    const type = await typeArg(s, target, 'target', fn);
    let refrel = null, refatt = null, typmod = -1;
    if (referencedTable != null) {
      refrel = await tableArg(s, referencedTable, 'referenced_table', fn);
      refatt = referencedColumn == null ? await primaryKeyColumn(s, refrel) : await columnArg(s, refrel, referencedColumn);
      const t = (await s.query(
        `WITH RECURSIVE b(t, m) AS (SELECT a.atttypid, a.atttypmod FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum = $2
           UNION ALL SELECT ty.typbasetype, b.m FROM b JOIN pg_catalog.pg_type ty ON ty.oid = b.t WHERE ty.typtype = 'd')
         SELECT b.t::text AS base, b.m AS typmod FROM b JOIN pg_catalog.pg_type ty ON ty.oid = b.t WHERE ty.typtype <> 'd'`, [refrel, refatt])).rows[0];
      if (t.base === type) typmod = t.typmod;
    }
    if (samples < 0 || samples > 1000) throw sqlError('22023', 'samples must be between 0 and 1000');
    const p = await profile(s, { rel, att, target: type, typmod, refrel, refatt, samples });
    if (!p.profiled) throw notProfiledError(p, fn);
    return {
      rows_total: String(p.rows_total),
      rows_null: String(p.rows_null),
      rows_convertible: String(p.rows_convertible),
      rows_unconvertible: String(p.rows_unconvertible),
      rows_orphaned: p.orphans_checked ? String(p.rows_orphaned) : null,
      sample_unconvertible: p.sample_unconvertible,
      sample_orphaned: p.orphans_checked ? p.sample_orphaned : null,
      conversion: p.conversion,
    };
  });
}

function notProfiledError(p, fn) {
  return sqlError('42501', `fk_guard.${fn}() does not run code owned by another role`,
    `The data was not profiled: ${p.not_profiled_reason}. pg_fk_guard runs only code built into PostgreSQL or owned by a superuser or by the calling role.`,
    'Run it as the role that owns that code (SET ROLE), which then runs with its own privileges.');
}

module.exports = { profileColumn, profile, untrustedCode, tableArg, columnArg, primaryKeyColumn, typeArg, notProfiledError };
