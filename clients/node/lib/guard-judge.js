'use strict';
// The guard's second half: resolves the foreign keys a statement adds
// against the catalog (as PostgreSQL will resolve them: the session's
// search_path, the referenced table's primary key or matching unique index
// and its operator classes), asks lib/probe.js for the facts of each pair,
// and writes the refusal or the soft notices with the engine's own sentences
// (src/core/guard_text.cpp), as the extension's guard does.

const engine = require('./engine-wrapper.js');
const { Prober, rolledBack, attempt, attemptAndRead, FIRST_NORMAL_OID, COLUMN_TYPES_SQL, columnTypeOf } = require('./probe.js');
const { profile } = require('./guard-profile.js');
const { chooseName, candidates } = require('./guard-names.js');
const { citusFacts: readCitusFacts, citusSide } = require('./citus.js');
const { droppedKeysRefusal, noteDroppedKeys } = require('./guard-dropped.js');
const { DROPS_CONSTRAINT } = require('./guard-collect.js');
const { guessResolve } = require('./guard-prefetch.js');

const prober = new Prober();
const WHERE = 'pg_fk_guard: checked before PostgreSQL ran the statement';
// What only a refusal's HINT needs: the session's application_name (for the
// tool note), whether a migration tool's history table is on the search path
// ($1) and whether anything depends on the referencing column ($2, $3).
const REFUSAL_FACTS_SQL = `
SELECT pg_catalog.current_setting('application_name') AS app,
       EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = ANY ($1::text[])
               AND c.relnamespace = ANY (pg_catalog.current_schemas(false)::pg_catalog.regnamespace[])) AS history,
       EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
               WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                 AND d.refobjid = $2::oid AND d.refobjsubid = $3::int) AS has_dependents`;

// The history tables of the migration tools (src/pg/guard.cpp, kMigrationTables).
const MIGRATION_TABLES = ['SequelizeMeta', 'knex_migrations', 'migrations', 'pgmigrations', '_prisma_migrations',
  'schema_migrations', 'django_migrations', 'alembic_version', 'flyway_schema_history', 'databasechangelog',
  'goose_db_version'];

// Everything a statement's keys need from the catalog, in one round trip:
// the session, each relation the statement names ($1) with its attributes,
// primary key and candidate unique indexes, the namespace a created table
// goes to ($2 schema, $3 name, $4 temporary), quote_ident() of the declared
// columns ($5); the statement's own table (relation 1) with the attributes
// named ($6) only and without its indexes, the referenced tables with all
// their attributes. The parameters are read once, through a materialized
// CTE (p), so that the plan does not depend on their values and PostgreSQL
// keeps one generic plan for the prepared statement instead of planning it
// again for every statement judged (a scalar subquery per use did the same
// with a larger plan to start for each statement). Each relation is looked
// up by its oid (the LATERAL subquery with OFFSET 0 is planned as an index
// lookup), never by a scan of pg_class: a scan costs in proportion to the
// catalog, including the rows that rolled-back DDL leaves there. Of the default constraint names ($7),
// those already taken in the namespace of the statement's own table: asked
// for an existing table (a key added again gets "_fkey1"), where $7 is not
// empty; a new table's are asked apart (TAKEN_SQL), only when one is shown.
const RESOLVE_SQL = `
WITH p AS MATERIALIZED (
  SELECT $1::text[] AS names, $2::text AS schema, $3::text AS name, $4::bool AS temp, $5::text[] AS declared,
         $6::text[] AS attrs, $7::text[] AS defaults
), rels AS (
  SELECT x.i, c.oid, c.relname, c.relnamespace, c.relkind, c.reltuples, c.relpages, c.relhastriggers, c.nspname
  FROM p CROSS JOIN pg_catalog.unnest(p.names) WITH ORDINALITY AS x(name, i)
  LEFT JOIN LATERAL (SELECT c.oid, c.relname, c.relnamespace, c.relkind, c.reltuples, c.relpages, c.relhastriggers, n.nspname
                     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = pg_catalog.to_regclass(x.name) OFFSET 0) c ON true
)
SELECT pg_catalog.current_setting('server_version_num')::int AS version, pg_catalog.current_database() AS db,
       pg_catalog.current_setting('search_path') AS search_path,
       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_fk_guard') AS extension,
       (pg_catalog.current_setting('citus.version', true) IS NOT NULL
        AND EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')) AS citus,
       (CASE WHEN p.schema IS NOT NULL THEN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = p.schema)
             WHEN p.temp THEN pg_catalog.pg_my_temp_schema()
             ELSE (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = pg_catalog.current_schema()) END)::int8 AS target_namespace,
       CASE WHEN p.name IS NULL THEN NULL WHEN p.schema IS NULL THEN pg_catalog.quote_ident(p.name)
            ELSE pg_catalog.quote_ident(p.schema) || '.' || pg_catalog.quote_ident(p.name) END AS target_display,
       (SELECT pg_catalog.json_object_agg(x, pg_catalog.quote_ident(x)) FROM pg_catalog.unnest(p.declared) AS x) AS quoted,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
          'oid', r.oid::int8, 'display', r.oid::pg_catalog.regclass::text,
          'qualified', pg_catalog.quote_ident(r.nspname) || '.' || pg_catalog.quote_ident(r.relname),
          'relname', r.relname::text, 'namespace', r.relnamespace::int8, 'relkind', r.relkind::text,
          'reltuples', r.reltuples, 'relpages', r.relpages, 'hastriggers', r.relhastriggers,
          'attrs', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                      'name', a.attname::text, 'attnum', a.attnum, 'type', a.atttypid::int8, 'typmod', a.atttypmod,
                      'coll', a.attcollation::int8, 'quoted', pg_catalog.quote_ident(a.attname),
                      'filled', (a.attidentity <> '' OR a.atthasdef)) ORDER BY a.attnum)
                    FROM pg_catalog.pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND (r.i > 1 OR a.attname = ANY (p.attrs))),
          'indexes', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                        'primary', i.indisprimary, 'keys', i.indkey::int2[], 'classes', i.indclass::oid[]::int8[])
                        ORDER BY i.indexrelid)
                      FROM pg_catalog.pg_index i
                      WHERE r.i > 1 AND i.indrelid = r.oid AND i.indisunique AND i.indimmediate
                        AND i.indpred IS NULL AND i.indexprs IS NULL)) ORDER BY r.i)
        FROM rels r) AS rels,
       (SELECT pg_catalog.array_agg(c.conname::text) FROM pg_catalog.pg_constraint c
         WHERE pg_catalog.cardinality(p.defaults) > 0 AND c.conname = ANY (p.defaults)
           AND c.connamespace = (SELECT relnamespace FROM rels WHERE i = 1)) AS taken
FROM p`;

// Which of the default constraint names ($1) are already taken in the
// namespaces ($2) where PostgreSQL looks when it chooses one
// (ChooseConstraintName): the table's.
const TAKEN_SQL = `
SELECT COALESCE(pg_catalog.array_agg(c.conname::text), '{}') AS taken FROM pg_catalog.pg_constraint c
WHERE c.conname = ANY ($1::text[]) AND c.connamespace = ANY ($2::pg_catalog.oid[])`;

// The existing foreign keys, on either side, that touch a column the
// statement converts ($1 the table, $2 the columns as stored; not the keys
// it drops, $3): PostgreSQL rebuilds them after the rewrite. In the order the
// extension reads them (src/pg/guard_collect.cpp, collect_rebuilt): the
// table's own by name, then those of other tables. Asked only for a
// statement with ALTER COLUMN TYPE.
const REBUILT_SQL = `
SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
  'oid', c.oid::int8, 'name', c.conname::text, 'fkrel', c.conrelid::int8, 'pkrel', c.confrelid::int8,
  'fk_display', c.conrelid::pg_catalog.regclass::text, 'pk_display', c.confrelid::pg_catalog.regclass::text,
  'period', COALESCE((pg_catalog.to_jsonb(c) ->> 'conperiod')::bool, false),
  'cols', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
             'fk', fa.attname::text, 'fk_quoted', pg_catalog.quote_ident(fa.attname), 'fk_type', fa.atttypid::int8,
             'fk_typmod', fa.atttypmod, 'fk_coll', fa.attcollation::int8,
             'pk', pa.attname::text, 'pk_quoted', pg_catalog.quote_ident(pa.attname), 'pk_type', pa.atttypid::int8,
             'pk_typmod', pa.atttypmod, 'pk_coll', pa.attcollation::int8, 'pk_filled', (pa.attidentity <> '' OR pa.atthasdef),
             'opclass', (SELECT x.cls::int8 FROM pg_catalog.pg_index ix,
                           ROWS FROM (pg_catalog.unnest(ix.indkey::int2[]), pg_catalog.unnest(ix.indclass::oid[])) AS x(att, cls)
                         WHERE ix.indexrelid = c.conindid AND x.att = k.pa LIMIT 1)) ORDER BY k.n)
           FROM ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) WITH ORDINALITY AS k(fa, pa, n)
           JOIN pg_catalog.pg_attribute fa ON fa.attrelid = c.conrelid AND fa.attnum = k.fa
           JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pa))
  ORDER BY c.conrelid <> r.oid, (CASE WHEN c.conrelid = r.oid THEN c.conname::text END) COLLATE "C", c.ctid) AS rebuilt
FROM (SELECT $1::oid AS oid) r
CROSS JOIN LATERAL (SELECT pg_catalog.array_agg(a.attnum) AS atts FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = r.oid AND a.attname = ANY ($2::text[])) ra
JOIN pg_catalog.pg_constraint c ON c.conrelid = r.oid OR c.confrelid = r.oid
WHERE c.contype = 'f' AND c.conparentid = 0
  AND NOT (c.conrelid = r.oid AND c.conname = ANY ($3::text[]))
  AND ((c.conrelid = r.oid AND c.conkey && ra.atts) OR (c.confrelid = r.oid AND c.confkey && ra.atts))`;

const quoteAlways = (s) => `"${String(s).replace(/"/g, '""')}"`;

// Declared column types: resolved by PostgreSQL itself, as a temporary table
// of the same column definitions shows them (cached per database and
// search_path).
const declaredCache = new Map();
async function declaredTypes(session, ctx, sqlTypes) {
  const key = (t) => `${ctx.db}\u0000${ctx.search_path}\u0000${t}`;
  // After replayed statements (ctx.useCache false) a type may exist only in
  // the rolled-back transaction: resolved, not cached.
  const cache = ctx.useCache === false ? new Map() : declaredCache;
  const missing = [...new Set(sqlTypes.filter((t) => !cache.has(key(t))))];
  if (missing.length) {
    await rolledBack(session, async () => {
      for (const t of missing) {
        // Created once, read in the same savepoint, rolled back with it.
        const r = await attemptAndRead(session, `CREATE TEMP TABLE fkg_guard_declared (c ${t})`, async () => {
          const [a] = await session.run(
            `SELECT atttypid::int8 AS type, atttypmod AS typmod, attcollation::int8 AS coll FROM pg_catalog.pg_attribute
             WHERE attrelid = 'pg_temp.fkg_guard_declared'::pg_catalog.regclass AND attname = 'c'`);
          return { type: Number(a.type), typmod: a.typmod, collation: Number(a.coll) };
        });
        cache.set(key(t), r.error ? null : r.value);
      }
    });
  }
  return sqlTypes.map((t) => cache.get(key(t)));
}

// The operator class of a declared type's default btree index, as
// PostgreSQL picks it for a PRIMARY KEY or UNIQUE column of that type (a
// temporary table with that key); null when it has none.
async function declaredOpclass(session, ctx, typeSql) {
  const key = `${ctx.db}\u0000${ctx.search_path}\u0000opclass\u0000${typeSql}`;
  const cache = ctx.useCache === false ? new Map() : declaredCache;
  if (!cache.has(key)) {
    await rolledBack(session, async () => {
      const r = await attemptAndRead(session, `CREATE TEMP TABLE fkg_guard_declared (c ${typeSql} PRIMARY KEY)`, async () => {
        const [i] = await session.run(`SELECT i.indclass[0]::int8 AS opclass FROM pg_catalog.pg_index i
          WHERE i.indrelid = 'pg_temp.fkg_guard_declared'::pg_catalog.regclass AND i.indisprimary`);
        return i ? Number(i.opclass) : null;
      });
      cache.set(key, r.error ? null : r.value);
    });
  }
  return cache.get(key);
}

// A key referencing the table the statement creates: the referenced columns
// are declared in it, the key is its PRIMARY KEY or a UNIQUE constraint of
// the same columns, each built with its type's default operator class.
// Returns {pkAttrs, declared: Map(name -> type), opclasses, primarySingle} or null.
async function selfReferenced(session, ctx, st, k) {
  const primary = st.uniques.find((u) => u.primary);
  const pkAttrs = k.pkAttrs.length ? k.pkAttrs : primary ? primary.columns : null;
  if (!pkAttrs || pkAttrs.length !== k.fkAttrs.length) return null;
  const set = [...pkAttrs].sort().join('\u0000');
  const unique = st.uniques.find((u) => [...u.columns].sort().join('\u0000') === set);
  if (!unique || !unique.plain) return null;
  const defs = pkAttrs.map((a) => st.declared.get(a));
  if (defs.some((d) => !d || d.typeSql === null)) return null;
  const types = await declaredTypes(session, ctx, defs.map((d) => d.typeSql));
  if (types.some((t) => t === null)) return null;
  const opclasses = [];
  for (const d of defs) {
    const o = await declaredOpclass(session, ctx, d.typeSql);
    if (o === null) return null;
    opclasses.push(o);
  }
  const declared = new Map(pkAttrs.map((a, i) => [a, types[i]]));
  return { pkAttrs, declared, opclasses, primarySingle: !!primary && primary.columns.length === 1 && pkAttrs.length === 1 &&
    primary.columns[0] === pkAttrs[0] };
}

// Does the key reference the table the statement creates? (Its name does not
// resolve to an existing table, and names the new one.)
function referencesItself(st, k, pkRel) {
  return st.kind === 'create' && !pkRel && k.pk.name === st.table.name && (k.pk.schema || null) === (st.table.schema || null);
}

// The referenced table's entry among the statement's relations: its own
// entry even when it is the statement's table (a self reference), since the
// statement's table is read without its indexes and with the named
// attributes only.
function pkKey(st, k) {
  return k.pk.text === st.table.text ? `\u0000referenced ${k.pk.text}` : k.pk.text;
}

// quote_identifier() as the server does it (ruleutils.c): quoted unless all
// lower case letters, digits and _ (no digit first) and no keyword but an
// unreserved one; the keywords asked of the server (pg_get_keywords()) once
// per server version, and only when a notice needs a quoted name.
const KEYWORDS_SQL = "SELECT pg_catalog.array_agg(word) AS words FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'";
const keywordCache = new Map();
async function quoter(session, version) {
  if (!keywordCache.has(version)) {
    const [r] = await session.run(KEYWORDS_SQL);
    keywordCache.set(version, new Set(r.words || []));
  }
  const reserved = keywordCache.get(version);
  return (name) => (/^[a-z_][a-z0-9_]*$/.test(name) && !reserved.has(name) ? name : `"${name.replace(/"/g, '""')}"`);
}

// A parent's entry among the statement's relations (INHERITS, PARTITION OF).
function parentKey(rv) {
  return `\u0000parent ${rv.text}`;
}

// Is a column this statement converts, without USING or with USING "col"::type,
// one no cast can convert, while it holds keys of another table (a declared
// foreign key)? The extension checks the same before judging.
async function impossibleConversion(session, ctx, st, retyped, rebuiltPairs) {
  // The columns that hold keys of another table by a declared foreign key.
  const inKeys = new Set();
  for (const p of rebuiltPairs) if (p.typeChanged) inKeys.add(p.referencingAttname);
  for (const name of inKeys) {
    const r = st.retyped.get(name);
    if (!r || r.using === 'other') continue;
    let to = retyped.get(name).type;
    if (r.using === 'cast') {
      if (r.castSql === null) return true;
      const [t] = await declaredTypes(session, ctx, [r.castSql]);
      if (!t) return true;
      to = t.type;
    }
    const from = rebuiltPairs.find((p) => p.typeChanged && p.referencingAttname === name).fkBefore;
    if ((await conversionBetween(session, from, to, ctx.db)) === 'none') return true;
  }
  return false;
}

// ---- A key column's conversion that no cast can do (src/pg/guard_cast.cpp) ----

// The facts of the columns an ALTER TABLE converts ($1 the table as the
// statement names it, $2 the columns as stored), when the caller owns the
// table (PostgreSQL refuses the statement otherwise, and the extension says
// nothing): each column's type now, and what the messages need.
const CAST_FACTS_SQL = `
SELECT c.oid::int8 AS oid, c.oid::pg_catalog.regclass::text AS display, c.reltuples, c.relpages,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qualified,
       pg_catalog.current_setting('application_name') AS app,
       pg_catalog.current_schemas(false)::text[] AS path,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                 'name', a.attname::text, 'attnum', a.attnum, 'type', a.atttypid::int8,
                 'quoted', pg_catalog.quote_ident(a.attname), 'source', pg_catalog.format_type(a.atttypid, NULL)))
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY ($2::text[])) AS attrs
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.to_regclass($1::text) AND pg_catalog.pg_has_role(c.relowner, 'USAGE')`;

// The referenced key of a column, for the messages ($1 table, $2 column number).
const KEY_FACTS_SQL = `
SELECT c.oid::pg_catalog.regclass::text AS display, c.reltuples, c.relpages,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qualified,
       a.attname::text AS attname, pg_catalog.quote_ident(a.attname) AS quoted, a.atttypid::int8 AS type,
       a.atttypmod AS typmod, a.attcollation::int8 AS coll, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_display,
       (SELECT pg_catalog.quote_ident(k.conname) FROM pg_catalog.pg_constraint k WHERE k.oid = $3::oid) AS constraint_quoted
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = $2::int2
WHERE c.oid = $1::oid`;

// The refusal of the first column this ALTER TABLE converts, without USING
// or with USING "col"::type, to a type no cast turns its type into, while it
// holds keys of another table (a declared foreign key, or one implied by its
// name: explain.js keyReferencedBy, as catalog_pairs.cpp key_referenced_by()):
// PostgreSQL's own SQLSTATE and message, the extension's DETAIL and HINT
// (src/core/guard_text.cpp, cast_refusal). null when there is none.
async function castRefusal(session, ctx, st, query, options) {
  const names = [...st.retyped.keys()];
  const [t] = await session.run(CAST_FACTS_SQL, [st.table.text, names], 'pg_fk_guard_cast');
  if (!t) return null; // a missing table, or one the caller does not own: PostgreSQL speaks
  const attrs = new Map((t.attrs || []).map((a) => [a.name, a]));
  const { keyReferencedBy } = require('./functions/explain.js');
  const s = { query: async (text, params) => ({ rows: await session.run(text, params || []) }), serverVersion: ctx.version };
  for (const [name, r] of st.retyped) {
    const a = attrs.get(name);
    if (!a || r.typeSql === null || r.using === 'other') continue;
    const [target] = await declaredTypes(session, ctx, [r.typeSql]);
    if (!target) continue;
    let castTo = target.type;
    if (r.using === 'cast') {
      // Only the column cast to a type, as tools send it.
      if (r.castSql === null) continue;
      const [c] = await declaredTypes(session, ctx, [r.castSql]);
      if (!c) continue;
      castTo = c.type;
    }
    const source = Number(a.type);
    if ((await conversionBetween(session, source, castTo, ctx.db)) !== 'none') continue;
    const key = await keyReferencedBy(s, Number(t.oid), Number(a.attnum), t.path);
    if (!key) {
      // The key of foreign keys this transaction dropped (a key type change
      // that a tool sends after dropping the references).
      if (!session.dropped || session.dropped.keys.length === 0) continue;
      const [{ target: targetDisplay, cast_to: castToName }] = await session.run(
        'SELECT pg_catalog.format_type($1::oid, $2::int4) AS target, pg_catalog.format_type($3::oid, NULL) AS cast_to',
        [target.type, target.typmod, castTo]);
      const dropped = await droppedKeysRefusal(session, session.dropped, Number(t.oid), Number(a.attnum), {
        calls: options.hintFunctions === 'extension' ? 'sql' : 'package', table: t.display, column: a.quoted,
        attname: name, source: a.source, target: targetDisplay, castTo: castToName, withUsing: r.using === 'cast',
        uuidTarget: target.type === 2950 });
      if (dropped) return { ...dropped, where: WHERE };
      continue;
    }
    const [k] = await session.run(KEY_FACTS_SQL, [key.refrel, key.refatt, key.con]);
    const [fkType, toType] = (await session.run(COLUMN_TYPES_SQL, [[source, target.type], [-1, target.typmod], [0, 0]]))
      .map(columnTypeOf);
    const [{ cast_to: castToDisplay }] = await session.run('SELECT pg_catalog.format_type($1::oid, NULL) AS cast_to', [castTo]);
    const keyOfTargetType = Number(k.type) === target.type;
    const rel = { oid: Number(t.oid), reltuples: t.reltuples, relpages: t.relpages, qualified: t.qualified };
    const referenced = `${k.display}.${k.quoted}`;
    let keys = null;
    if (keyOfTargetType) {
      const [kt] = (await session.run(COLUMN_TYPES_SQL, [[Number(k.type)], [k.typmod], [Number(k.coll)]])).map(columnTypeOf);
      keys = { rel: { oid: Number(key.refrel), reltuples: k.reltuples, relpages: k.relpages, qualified: k.qualified },
        column: k.quoted, display: referenced, type: Number(k.type), collationDeterministic: kt.collation_deterministic };
    }
    const data = await profile(session, { rel, column: a.quoted, fk: fkType, pk: toType,
      conversion: await conversionBetween(session, source, target.type, ctx.db), keys, rowLimit: options.profileRowLimit });
    let keyMayFollow = false;
    if (!keyOfTargetType) {
      const [m] = await session.run(SURROGATE_SQL, [Number(key.refrel), k.attname, SURROGATE_OIDS.has(toType.baseOid)]);
      keyMayFollow = !!(m && m.may);
    }
    const withUsing = r.using === 'cast';
    const text = engine.castRefusal({
      calls: options.hintFunctions === 'extension' ? 'sql' : 'package',
      table: t.display,
      column: a.quoted,
      attname: name,
      source: a.source,
      target: toType.display,
      cast_to: castToDisplay,
      with_using: withUsing,
      referenced_table: k.display,
      referenced_column: k.quoted,
      referenced_attname: k.attname,
      key_type: k.type_display,
      constraint: key.con ? k.constraint_quoted || '' : '',
      key_of_target_type: keyOfTargetType,
      data,
      key_may_follow: keyMayFollow,
      tool_note: engine.castToolNote({ query, application_name: t.app }).note,
    });
    return { severity: 'ERROR', code: withUsing ? '42846' : '42804', message: text.message, detail: text.detail,
      hint: text.hint, where: WHERE };
  }
  return null;
}

// Resolves one collected statement into proposed pairs; null when unsure.
// ctx: the row of RESOLVE_SQL; rels[i] the relation named relNames[i]
// (null if it does not exist); relation 0 is the statement's own table.
async function resolve(session, ctx, st, rels, relIndex) {
  const target = rels[relIndex.get(st.table.text)];
  const creating = st.kind === 'create';
  if (creating && st.ifNotExists && target) return [];
  if (!creating && !target) return null; // PostgreSQL reports the missing table
  if (creating && target && !st.table.temp) return null; // PostgreSQL reports that it exists
  const fkDisplay = creating ? ctx.target_display : target.display;
  const namespace = creating ? Number(ctx.target_namespace) : target.namespace;
  const relname = creating ? st.table.name : target.relname;
  const attrsOf = (rel) => new Map((rel.attrs || []).map((a) => [a.name, a]));
  // The columns the statement does not declare: the table's, or for a new
  // table those it inherits (INHERITS, PARTITION OF), the first parent's first.
  let existing = creating ? new Map() : attrsOf(target);
  if (creating && st.parents && st.parents.length) {
    for (const rv of st.parents) {
      const parent = rels[relIndex.get(parentKey(rv))];
      if (!parent) return null; // PostgreSQL reports the missing parent
      for (const [name, a] of attrsOf(parent)) if (!existing.has(name)) existing.set(name, a);
    }
  }
  for (const k of st.keys) for (const a of k.fkAttrs) if (!st.declared.has(a) && !existing.has(a)) return null;
  // The columns the statement converts (ALTER COLUMN TYPE), with their new
  // types: PostgreSQL converts them before it builds any key.
  const retyped = new Map();
  if (st.retyped && st.retyped.size) {
    const list = [...st.retyped.entries()];
    if (list.some(([, r]) => r.typeSql === null)) return null;
    const types = await declaredTypes(session, ctx, list.map(([, r]) => r.typeSql));
    if (types.some((t) => t === null)) return null;
    list.forEach(([name, r], i) => retyped.set(name, { ...types[i], typeSql: r.typeSql }));
  }
  // Declared columns' types.
  const declaredList = [...st.declared.values()].filter((d) => st.keys.some((k) => !k.deferred && k.fkAttrs.includes(d.name)));
  if (declaredList.some((d) => d.typeSql === null)) return null;
  const declaredResolved = await declaredTypes(session, ctx, declaredList.map((d) => d.typeSql));
  const declared = new Map();
  declaredList.forEach((d, i) => declared.set(d.name, declaredResolved[i]));
  if ([...declared.values()].some((d) => d === null)) return null;
  const taken = new Set(ctx.taken || []);
  if (!namespace) return null;

  const pairs = [];
  let constraintNo = 0;
  // The existing keys PostgreSQL rebuilds after converting a column, first
  // (src/pg/guard_collect.cpp, collect_rebuilt), with the new types.
  let rebuilt = [];
  if (retyped.size) {
    const [r] = await session.run(REBUILT_SQL, [target.oid, [...retyped.keys()], st.dropped || []], 'pg_fk_guard_rebuilt');
    rebuilt = r.rebuilt || [];
  }
  for (const con of rebuilt) {
    const no = constraintNo++;
    if (con.period) continue; // temporal: not judged
    const cols = con.cols || [];
    const onTable = Number(con.fkrel) === target.oid;
    const pkOnTable = Number(con.pkrel) === target.oid;
    const sides = cols.map((c) => ({
      c,
      fkNew: onTable ? retyped.get(c.fk) : undefined,
      pkNew: pkOnTable ? retyped.get(c.pk) : undefined,
    }));
    if (cols.length === 0 || !sides.some((x) => x.fkNew || x.pkNew)) continue;
    let ok = true;
    const opclasses = [];
    for (const x of sides) {
      // The referenced index is rebuilt for the new type with its default class.
      const o = x.pkNew ? await declaredOpclass(session, ctx, x.pkNew.typeSql) : x.c.opclass === null ? null : Number(x.c.opclass);
      if (o === null) ok = false;
      opclasses.push(o);
    }
    if (!ok) continue; // as the extension, silent on this key
    const pkRelOid = Number(con.pkrel);
    const keyIsPrimarySingle = false; // a rebuilt key gets no key change note
    sides.forEach((x, i) => {
      const col = (t, m, c) => ({ type: Number(t), typmod: m, collation: Number(c) });
      pairs.push({
        constraint: con.name,
        constraintNo: no,
        constraintOid: Number(con.oid),
        columns: cols.map((c) => c.fk),
        fk: x.fkNew ? { type: x.fkNew.type, typmod: x.fkNew.typmod, collation: x.fkNew.collation } : col(x.c.fk_type, x.c.fk_typmod, x.c.fk_coll),
        pk: x.pkNew ? { type: x.pkNew.type, typmod: x.pkNew.typmod, collation: x.pkNew.collation } : col(x.c.pk_type, x.c.pk_typmod, x.c.pk_coll),
        opclass: opclasses[i],
        declaredHere: false,
        typeChanged: !!x.fkNew,
        referencedRetyped: !!x.pkNew,
        fkBefore: Number(x.c.fk_type),
        pkBefore: Number(x.c.pk_type),
        rebuilt: true,
        referencingRel: { oid: Number(con.fkrel) },
        referencingTable: con.fk_display,
        referencingTableRaw: null,
        referencingColumn: x.c.fk_quoted,
        referencingAttname: x.c.fk,
        referencingAttnum: 0,
        referencedRel: { oid: pkRelOid },
        referencedTable: con.pk_display,
        referencedTableRaw: null,
        referencedColumn: x.c.pk_quoted,
        referencedAttname: x.c.pk,
        keyFilled: x.c.pk_filled,
        keyIsPrimarySingle,
      });
    });
  }
  // A conversion no cast can do, on a column that takes part in a key and
  // that castRefusal() did not refuse (a table the caller does not own):
  // PostgreSQL stops there.
  if (retyped.size && !creating && (await impossibleConversion(session, ctx, st, retyped, pairs))) return null;
  // The keys the statement adds, for the notices beyond types
  // (src/pg/guard_hygiene.cpp, new_keys).
  const newKeys = [];
  pairs.newKeys = newKeys;
  const addNewKey = (k, conname, no, from) => {
    const ps = pairs.slice(from);
    if (ps.length === 0) return;
    newKeys.push({
      constraintNo: no,
      text: {
        name: conname,

        named: !!k.conname,
        table: ps[0].referencingTable,
        referenced_table: ps[0].referencedTable,
        columns: ps.map((p) => p.referencingColumn),
        referenced_columns: ps.map((p) => p.referencedColumn),
        definition: k.definition,
        onDeleteColumns: k.onDeleteColumns || [],
        new_column: ps.some((p) => p.declaredHere),
      },
      rel: creating ? null : target.oid,
      referencedRel: ps[0].referencedRel ? ps[0].referencedRel.oid : null,
      pairs: ps.map((p) => `${p.referencingAttname}\u0000${p.referencedAttname}`).sort(),
      enforced: k.enforced !== false,
      validates: !!k.validates,
    });
  };
  for (const k of st.keys) {
    const conname = k.conname || chooseName(relname, k.nameColumns || k.fkAttrs, taken);
    if (!conname) return null;
    taken.add(conname);
    const no = constraintNo++;
    if (k.period) continue;
    if (k.deferred) continue; // judged after the statement (endCheck), as the extension judges it at its end
    const from = pairs.length;
    const pkRel = rels[relIndex.get(pkKey(st, k))];
    if (referencesItself(st, k, pkRel)) {
      const self = await selfReferenced(session, ctx, st, k);
      if (!self) return null;
      for (let i = 0; i < self.pkAttrs.length; i++) {
        const name = k.fkAttrs[i];
        const d = declared.get(name);
        if (!d) return null;
        const pa = self.pkAttrs[i];
        pairs.push({
          constraint: conname,
          constraintNo: no,
          columns: k.fkAttrs,
          fk: d,
          pk: self.declared.get(pa),
          opclass: self.opclasses[i],
          declaredHere: true,
          referencingRel: null,
          referencingTable: fkDisplay,
          referencingTableRaw: st.table.name,
          referencingColumn: (ctx.quoted || {})[name],
          referencingAttname: name,
          referencingAttnum: 0,
          referencedRel: null,
          referencedTable: fkDisplay,
          referencedTableRaw: st.table.name,
          referencedColumn: (ctx.quoted || {})[pa],
          referencedAttname: pa,
          keyFilled: false,
          keyIsPrimarySingle: self.primarySingle,
        });
      }
      addNewKey(k, conname, no, from);
      continue;
    }
    if (!pkRel) return null; // created by this statement, or missing: PostgreSQL decides
    // A self reference: the referenced columns must exist before the
    // statement (not added by it), and so must the key they form.
    if (!creating && pkRel.oid === target.oid && (st.addsIndex || k.pkAttrs.some((a) => st.declared.has(a)))) return null;
    const selfAltered = !creating && pkRel.oid === target.oid;
    const pkAttrMap = attrsOf(pkRel);
    let pkAttrs = k.pkAttrs;
    if (pkAttrs.length === 0) {
      const primary = (pkRel.indexes || []).find((ix) => ix.primary);
      if (!primary) return null;
      const byNum = new Map([...pkAttrMap.values()].map((a) => [a.attnum, a.name]));
      pkAttrs = primary.keys.map((n) => byNum.get(Number(n)));
      if (pkAttrs.some((x) => x === undefined)) return null;
    }
    const n = k.fkAttrs.length;
    if (n === 0 || n !== pkAttrs.length) return null;
    if (pkAttrs.some((a) => !pkAttrMap.has(a))) return null;
    // The unique index PostgreSQL picks and each column's operator class; on
    // a key column the statement converts, the index is rebuilt for the new
    // type with its default classes.
    const atts = pkAttrs.map((a) => pkAttrMap.get(a).attnum);
    const pkRetyped = selfAltered && pkAttrs.some((a) => retyped.has(a));
    let opclasses = null;
    if (pkRetyped) {
      // Every column of the key, converted or not, with its type's default
      // class (src/pg/guard_collect.cpp, collect_constraint).
      opclasses = [];
      for (const a of pkAttrs) {
        let typeSql = retyped.has(a) ? retyped.get(a).typeSql : null;
        if (typeSql === null) {
          const p = pkAttrMap.get(a);
          [{ t: typeSql }] = await session.run('SELECT pg_catalog.format_type($1::oid, $2::int) AS t', [p.type, p.typmod]);
        }
        const o = await declaredOpclass(session, ctx, typeSql);
        if (o === null) return null;
        opclasses.push(o);
      }
    }
    for (const ix of pkRetyped ? [] : pkRel.indexes || []) {
      const keys = ix.keys.map(Number);
      if (keys.length !== n) continue;
      const found = atts.map((att) => {
        const j = keys.indexOf(att);
        return j < 0 ? null : Number(ix.classes[j]);
      });
      if (found.every((c) => c !== null)) {
        opclasses = found;
        break;
      }
    }
    if (!opclasses) return null; // PostgreSQL reports the missing unique constraint itself
    const primary = (pkRel.indexes || []).find((ix) => ix.primary);
    const keyIsPrimarySingle = n === 1 && !!primary && primary.keys.length === 1 && Number(primary.keys[0]) === atts[0];
    for (let i = 0; i < n; i++) {
      const name = k.fkAttrs[i];
      const d = declared.get(name);
      const e = existing.get(name);
      const r = d ? undefined : retyped.get(name);
      const fk = d ? d : r ? { type: r.type, typmod: r.typmod, collation: r.collation } :
        { type: Number(e.type), typmod: e.typmod, collation: Number(e.coll) };
      const p = pkAttrMap.get(pkAttrs[i]);
      const pr = pkRetyped ? retyped.get(pkAttrs[i]) : undefined;
      pairs.push({
        constraint: conname,
        constraintNo: no,
        columns: k.fkAttrs,
        fk,
        pk: pr ? { type: pr.type, typmod: pr.typmod, collation: pr.collation } :
          { type: Number(p.type), typmod: p.typmod, collation: Number(p.coll) },
        opclass: opclasses[i],
        declaredHere: !!d,
        typeChanged: !!r,
        referencedRetyped: !!pr,
        referencingRel: creating ? null : target,
        referencingTable: fkDisplay,
        referencingTableRaw: st.table.name,
        referencingColumn: e ? e.quoted : (ctx.quoted || {})[name],
        referencingAttname: name,
        referencingAttnum: e ? e.attnum : 0,
        referencedRel: pkRel,
        referencedTable: pkRel.display,
        referencedTableRaw: pkRel.relname,
        referencedColumn: p.quoted,
        referencedAttname: pkAttrs[i],
        keyFilled: p.filled,
        keyIsPrimarySingle,
        onDelete: k.onDelete,
        onUpdate: k.onUpdate,
      });
    }
    addNewKey(k, conname, no, from);
  }
  return pairs;
}

function names(p) {
  return {
    referencing_table: p.referencingTable,
    referencing_column: p.referencingColumn,
    referencing_attname: p.referencingAttname,
    referenced_table: p.referencedTable,
    referenced_column: p.referencedColumn,
    referenced_attname: p.referencedAttname,
    constraint: p.constraint,
  };
}

const SURROGATE_TYPES = new Set(['int2', 'int4', 'int8', 'uuid']);
function keyMayFollow(p, fkType) {
  return p.keyIsPrimarySingle && p.keyFilled && SURROGATE_TYPES.has(fkType.base);
}

// The refusal for the statement's incompatible pairs, as the extension's
// guard writes it (judge_and_report): the first refused constraint names the
// message; DETAIL describes every refused pair.
async function refusal(session, ctx, judged, options, query, later, st) {
  const bad = judged.filter((j) => j.verdict.kind === 'incompatible');
  if (bad.length === 0) return null;
  const first = bad[0];
  const several = bad.some((j) => j.pair.constraintNo !== first.pair.constraintNo);
  const fkType = first.result.types.fk;
  const pkType = first.result.types.pk;
  const p = first.pair;
  const pairDetails = (firstDetail) => {
    let detail = '';
    for (const j of bad) {
      const d = j === first && firstDetail !== undefined ? firstDetail : engine.refusalReport({ names: names(j.pair),
        facts: j.result.facts, fk_retyped: !!j.pair.typeChanged, pk_retyped: !!j.pair.referencedRetyped }).pair_detail;
      detail += (several ? `${j.pair.constraint}: ` : '') + d + ' ';
    }
    return detail;
  };
  if (p.rebuilt) {
    // An existing key PostgreSQL would rebuild: no data read (no conversion
    // of this column helps), the HINT gives the steps for every table.
    const detail = (engine.rebuiltDetailOpening(several) + pairDetails()).replace(/ +$/, '');
    return {
      severity: 'ERROR',
      code: first.result.sqlstate || '42804',
      message: engine.refusalReport({ names: names(p), facts: first.result.facts }).message,
      detail,
      hint: await rebuiltHint(session, ctx, first, st, later, options),
      where: WHERE,
    };
  }
  const whole = engine.wholeValueProblem(first.result.facts.referencing, first.result.facts.referenced);
  let data = { read: false, estimated: -1, row_limit: options.profileRowLimit };
  const citusRow = ctx.citusFacts && p.referencingRel ? ctx.citusFacts.get(p.referencingRel.oid) : null;
  if (!p.declaredHere && p.referencingRel && !whole && !p.typeChanged && citusRow && options.profileRowLimit > 0) {
    data.not_read = citusNotRead(citusRow);
  } else if (!p.declaredHere && p.referencingRel && !whole && !p.typeChanged) {
    data = await profile(session, {
      rel: p.referencingRel,
      column: p.referencingColumn,
      fk: fkType,
      pk: pkType,
      conversion: first.result.conversion,
      // Keys are compared only as they stand: not when this statement retypes them.
      keys: p.referencedRetyped ? null : { rel: p.referencedRel, column: p.referencedColumn,
        display: `${p.referencedTable}.${p.referencedColumn}`, type: pkType.type_oid,
        collationDeterministic: pkType.collation_deterministic },
      rowLimit: options.profileRowLimit,
    });
  }
  const [more] = await session.run(REFUSAL_FACTS_SQL,
    [MIGRATION_TABLES, p.referencingRel ? p.referencingRel.oid : 0, p.referencingAttnum]);
  const fkColumns = judged.filter((j) => j.pair.constraintNo === p.constraintNo).map((j) => j.pair.referencingAttname);
  const tool = engine.toolNote({
    query,
    constraint: p.constraint,
    application_name: more.app,
    table: p.referencingTableRaw,
    columns: fkColumns,
    column: p.referencingAttname,
    referenced_table: p.referencedTableRaw,
    referenced_column: p.referencedAttname,
  }, pkType.base_display);
  const allNull = data.read && data.rows_total === data.rows_null;
  let alter = '';
  if (!p.declaredHere && !allNull && first.result.conversion !== 'none') {
    alter = engine.alterColumnTypeSql(p.referencingTable, p.referencingColumn, pkType.display, '', first.result.conversion);
  }
  const calls = options.hintFunctions === 'extension' ? 'sql' : 'package';
  const input = {
    calls,
    names: names(p),
    facts: first.result.facts,
    data,
    declared_here: p.declaredHere,
    fk_retyped: !!p.typeChanged,
    pk_retyped: !!p.referencedRetyped,
    conversion: first.result.conversion,
    alter,
    key_may_follow: !p.referencedRetyped && keyMayFollow(p, fkType),
    // A later statement of the same query string that converts the column
    // (src/pg/guard.cpp, later_statement_retypes): named the same way.
    later_statement_retypes: later.some((l) => l && l.kind === 'alter' && l.table.text === p.stTableText &&
      l.retypes.includes(p.referencingAttname)),
    tool_note: tool.note,
  };
  // What explain() adds (fk_guard.explain(), or the package's explain()).
  if (!p.declaredHere && p.referencingRel && !p.typeChanged && !p.referencedRetyped) {
    input.left_out = { objects: more.has_dependents, history: more.history };
    input.explain_call = engine.explainCall(p.referencingRel.qualified, p.referencingAttname, calls);
  }
  const report = engine.refusalReport(input);
  let detail = pairDetails(report.pair_detail);
  detail += report.data_sentence;
  detail = detail.replace(/ +$/, '');
  return {
    severity: 'ERROR',
    code: first.result.sqlstate || '42804',
    message: report.message,
    detail,
    hint: report.hint,
    where: WHERE,
  };
}

// ---- A refused rebuilt key: the statements for every table involved ----

// Every foreign key that references the key column ($1 table, $2 column as
// stored), in the order the extension reads them (src/pg/guard.cpp,
// referrers_of): its name, table, column, definition, estimated rows, type.
const REFERRERS_SQL = `
SELECT c.oid::int8 AS oid, pg_catalog.quote_ident(c.conname) AS name, c.conrelid::pg_catalog.regclass::text AS tbl,
       pg_catalog.quote_ident(a.attname) AS col, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
       CASE WHEN cl.reltuples >= 0 THEN cl.reltuples ELSE cl.relpages::float8 * 100 END AS est_rows,
       a.atttypid::int8 AS type, pg_catalog.cardinality(c.conkey) > 1 AS multi
FROM pg_catalog.pg_constraint c
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS k(fa, pa)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.fa
JOIN pg_catalog.pg_class cl ON cl.oid = c.conrelid
WHERE c.contype = 'f' AND c.confrelid = $1::oid AND c.conparentid = 0
  AND k.pa = (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attname = $2::text)
ORDER BY c.ctid`;

// How a value of one type becomes another (type oids, no typmod), as the
// extension's conversion_between() says: 'assignment', 'explicit',
// 'explicit_typmod' or 'none'; asked of PostgreSQL's parser, nothing runs.
const CAST_SQL = `
WITH RECURSIVE chain(i, t, depth) AS (
  SELECT x.i, x.t, 0 FROM (VALUES (1, $1::oid), (2, $2::oid)) AS x(i, t)
  UNION ALL
  SELECT c.i, ty.typbasetype, c.depth + 1 FROM chain c JOIN pg_catalog.pg_type ty ON ty.oid = c.t AND ty.typtype = 'd'
), base AS (SELECT DISTINCT ON (i) i, t FROM chain ORDER BY i, depth DESC)
SELECT pg_catalog.format_type($1::oid, NULL) AS source, pg_catalog.format_type($2::oid, NULL) AS target,
       (SELECT s.t <> g.t AND EXISTS (SELECT 1 FROM pg_catalog.pg_cast k JOIN pg_catalog.pg_proc p ON p.oid = k.castfunc
                                      WHERE k.castsource = s.t AND k.casttarget = g.t AND p.pronargs > 1)
        FROM base s, base g WHERE s.i = 1 AND g.i = 2) AS typmod`;

const conversionCache = new Map();
async function conversionBetween(session, from, to, db = '') {
  const key = `${from < FIRST_NORMAL_OID && to < FIRST_NORMAL_OID ? '' : db}:${from}>${to}`;
  if (conversionCache.has(key)) return conversionCache.get(key);
  const [t] = await session.run(CAST_SQL, [from, to]);
  const c = await rolledBack(session, async () => {
    const assignment = await attempt(session,
      `CREATE TEMP TABLE fkg_probe_cv (x ${t.target}); INSERT INTO fkg_probe_cv SELECT NULL::${t.source} WHERE false`);
    if (!assignment) return 'assignment';
    const explicit = await attempt(session, `SELECT CAST(NULL::${t.source} AS ${t.target}) WHERE false`);
    if (!explicit) return t.typmod ? 'explicit_typmod' : 'explicit';
    return 'none';
  });
  conversionCache.set(key, c);
  return c;
}

// Is the key column ($1 table, $2 column) a surrogate key whose type may
// follow ($3: the new type's base is an integer or uuid): filled by
// identity or default, the whole primary key (fix_plan.cpp, surrogate_key_may_follow).
const SURROGATE_SQL = `
SELECT (a.attidentity <> '' OR a.atthasdef) AND $3::bool
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary
                   AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum) AS may
FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::oid AND a.attname = $2::text`;

// Does any of these tables ($2, as statements name them) resolve to $1?
const SAME_TABLE_SQL = `
SELECT EXISTS (SELECT 1 FROM pg_catalog.unnest($2::text[]) AS x WHERE pg_catalog.to_regclass(x) = $1::oid) AS same`;

const SURROGATE_OIDS = new Set([20, 21, 23, 2950]); // int8, int2, int4, uuid

// The HINT of a refused rebuilt key (src/core/guard_text.cpp, rebuilt_hint),
// with the facts the extension reads (src/pg/guard.cpp, rebuilt_hint).
async function rebuiltHint(session, ctx, first, st, later, options) {
  const p = first.pair;
  const facts = first.result.facts;
  const f = { calls: options.hintFunctions === 'extension' ? 'sql' : 'package', names: names(p) };
  f.key_side = p.referencedRetyped && !p.typeChanged;
  const collationRefusal = facts.refusal === 'not_both_collatable' || facts.refusal === 'nondeterministic_collation';
  f.fallback = collationRefusal || (!f.key_side && !(p.typeChanged && !p.referencedRetyped));
  if (f.fallback) return engine.rebuiltHint(f);
  const types = first.result.types;
  const newType = f.key_side ? p.pk.type : p.fk.type;
  f.new_type = f.key_side ? facts.referenced.display : facts.referencing.display;
  f.key_type = facts.referenced.display;
  f.statement = st.text;
  const refs = await session.run(REFERRERS_SQL, [p.referencedRel.oid, p.referencedAttname]);
  f.referrers = [];
  for (const r of refs) {
    const out = { table: r.tbl, constraint: r.name, column: r.col, definition: r.definition,
      large: r.est_rows > options.profileRowLimit, multi: r.multi, of_new_type: Number(r.type) === newType,
      altered_here: !f.key_side && Number(r.oid) === p.constraintOid, conversion: 'none' };
    if (!out.multi && !out.altered_here && !out.of_new_type) out.conversion = await conversionBetween(session, Number(r.type), newType, ctx.db);
    f.referrers.push(out);
    if (out.multi) break; // the HINT falls back to the general advice
  }
  if (!f.key_side) {
    // The key itself follows the referencing column.
    f.key_conversion = await conversionBetween(session, Number(facts.referenced.type_oid), newType, ctx.db);
  } else {
    const tables = later.filter((l) => l && l.kind === 'alter' && l.retypes.includes(p.referencingAttname))
      .map((l) => l.table.text);
    if (tables.length) {
      const [r] = await session.run(SAME_TABLE_SQL, [p.referencingRel.oid, tables]);
      f.later_statement_retypes = r.same;
    }
    const [k] = await session.run(SURROGATE_SQL, [p.referencedRel.oid, p.referencedAttname, SURROGATE_OIDS.has(types.pk.baseOid)]);
    f.key_may_follow = !!(k && k.may);
  }
  return engine.rebuiltHint(f);
}

// With softMismatches 'warn' they are never a refusal: each is then a
// function that writes it (laterNotice), called once the statement is sent,
// while the server runs it (the guard's writeNotices).
function softReports(judged, options) {
  if (options.softMismatches !== 'warn') return writeSoftReports(judged, options);
  const soft = judged.filter((j) => j.verdict.kind !== 'none' && j.verdict.kind !== 'incompatible');
  return soft.map((j) => laterNotice(() => writeSoftReports([j], options)[0]));
}

// A notice written only when it is needed (noticeOf): the text of a
// statement PostgreSQL accepts is not on the way to sending it.
function laterNotice(write) {
  return { later: write };
}

// The notice itself, written now if it was left for later.
function noticeOf(n) {
  return typeof n.later === 'function' ? n.later() : n;
}

function writeSoftReports(judged, options) {
  const out = [];
  for (const j of judged) {
    const kind = j.verdict.kind;
    if (kind === 'none' || kind === 'incompatible') continue;
    const p = j.pair;
    const pkType = j.result.types.pk;
    const alter = p.declaredHere ? '' : engine.alterColumnTypeSql(p.referencingTable, p.referencingColumn, pkType.display, '',
      j.result.conversion);
    const r = engine.softReport({
      calls: options.hintFunctions === 'extension' ? 'sql' : 'package',
      names: names(p),
      facts: j.result.facts,
      declared_here: p.declaredHere,
      fk_retyped: !!p.typeChanged,
      referenced_retyped: !!p.referencedRetyped,
      rebuilt: !!p.rebuilt,
      alter,
      key_may_follow: !p.rebuilt && !p.referencedRetyped && keyMayFollow(p, j.result.types.fk),
    });
    const serious = r.severity === 'warning';
    const asError = serious && options.softMismatches === 'error';
    out.push({
      severity: asError ? 'ERROR' : serious ? 'WARNING' : 'NOTICE',
      code: asError ? '42804' : '01000',
      message: r.message,
      detail: r.detail,
      hint: asError ? `${r.hint} Or pass softMismatches: 'warn' to guard() to accept it.` : r.hint,
      where: WHERE,
      kind,
    });
  }
  return out;
}

// ---- Citus's own rules (src/pg/guard.cpp, report_citus_rules) ----

// The Citus facts of tables (lib/citus.js): read only where the citus
// extension is installed (the resolving query says so).
async function citusFacts(session, rels) {
  return readCitusFacts((text, params) => session.run(text, params), rels.filter((r) => r && r.oid).map((r) => r.oid));
}

// Why the guard reads no data of a Citus table (src/pg/guard_data.cpp):
// while ALTER TABLE runs, Citus shows a check no rows of its tables.
function citusNotRead(row) {
  const side = citusSide(row, '');
  const name = { distributed: 'distributed table', single_shard: 'distributed table', reference: 'reference table',
    local: 'local table' }[side.kind];
  return `it is a Citus ${name}, whose rows a check cannot see while Citus runs the statement`;
}

// The first key of the statement that Citus would refuse once PostgreSQL had
// built it, as the extension's guard refuses it: Citus's message and DETAIL,
// a HINT that works on Citus.
function citusRefusal(judged, facts) {
  const seen = new Set();
  for (const j of judged) {
    const p = j.pair;
    if (seen.has(p.constraintNo)) continue;
    seen.add(p.constraintNo);
    if (p.rebuilt) continue; // a key PostgreSQL rebuilds exists already: Citus checked it when it was added
    if (!p.referencingRel || !p.referencedRel) continue; // a table the statement creates is no Citus table yet
    const fk = citusSide(facts.get(p.referencingRel.oid), p.referencingTable);
    const pk = citusSide(facts.get(p.referencedRel.oid), p.referencedTable);
    judged.filter((q) => q.pair.constraintNo === p.constraintNo).forEach((q, position) => {
      if (fk.dist_column && q.pair.referencingAttname === fk.dist_column) fk.dist_position = position;
      if (pk.dist_column && q.pair.referencedAttname === pk.dist_column) pk.dist_position = position;
    });
    const r = engine.citusCheck({ referencing: fk, referenced: pk, self: p.referencingRel.oid === p.referencedRel.oid,
      on_delete: p.onDelete || 'a', on_update: p.onUpdate || 'a' });
    if (!r) continue;
    return {
      severity: 'ERROR',
      code: r.sqlstate,
      message: r.message,
      detail: `${r.detail} Citus would refuse foreign key constraint "${p.constraint}" once PostgreSQL had built it.`,
      hint: r.hint,
      where: WHERE,
      citusKind: r.kind,
    };
  }
  return null;
}

// ---- Beyond types: duplicate keys and the validating scan ----

// The facts the notices beyond types need about the table a statement alters
// ($1; not the keys it drops, $2): its foreign keys (for duplicates) and its
// estimated rows, of its partitions when partitioned (the validating scan).
// Asked only when they can matter: a table that never had a trigger has no
// key to duplicate, and a small one no scan worth a notice.
const HYGIENE_SQL = `
SELECT (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
          'name', c.conname::text, 'quoted', pg_catalog.quote_ident(c.conname), 'pkrel', c.confrelid::int8,
          'pairs', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(fa.attname::text, pa.attname::text))
                    FROM ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) AS k(fa, pa)
                    JOIN pg_catalog.pg_attribute fa ON fa.attrelid = c.conrelid AND fa.attnum = k.fa
                    JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pa),
          'definition', pg_catalog.json_build_object('on_update', c.confupdtype::text, 'on_delete', c.confdeltype::text,
                          'match', c.confmatchtype::text, 'deferrable', c.condeferrable, 'deferred', c.condeferred),
          'validated', c.convalidated,
          'enforced', COALESCE((pg_catalog.to_jsonb(c) ->> 'conenforced')::bool, true),
          'period', COALESCE((pg_catalog.to_jsonb(c) ->> 'conperiod')::bool, false)) ORDER BY c.conname::text COLLATE "C")
        FROM pg_catalog.pg_constraint c
        WHERE c.conrelid = $1::oid AND c.contype = 'f' AND c.conparentid = 0 AND NOT c.conname = ANY ($2::text[])) AS existing,
       (SELECT COALESCE(pg_catalog.sum(CASE WHEN pc.reltuples >= 0 THEN pc.reltuples ELSE pc.relpages::float8 * 100 END), 0)
        FROM pg_catalog.pg_class pc
        WHERE pc.relkind IN ('r', 'm', 't')
          AND pc.oid IN (SELECT $1::oid UNION ALL SELECT relid FROM pg_catalog.pg_partition_tree($1::oid))) AS target_rows`;

// The estimated rows of a table as the extension estimates them.
function estimatedRows(rel) {
  if (!['r', 'm', 't'].includes(rel.relkind)) return 0;
  return rel.reltuples >= 0 ? rel.reltuples : rel.relpages * 100;
}

// The size of a table and its partitions, as pg_size_pretty prints it.
const SIZE_SQL = `
SELECT pg_catalog.pg_size_pretty(COALESCE(pg_catalog.sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint) AS size
FROM pg_catalog.pg_class c
WHERE c.oid IN (SELECT $1::oid UNION ALL SELECT relid FROM pg_catalog.pg_partition_tree($1::oid))
  AND c.relkind IN ('r', 'm', 't')`;

// The notices the extension's guard gives beyond types, for the keys a
// statement adds (src/pg/guard_hygiene.cpp): a key that duplicates one the
// table has or one the same statement adds first (WARNING, or the refusal
// 42710 with duplicateKeys: 'error'), and ADD FOREIGN KEY without NOT VALID
// on a table estimated above validationNoticeRows (NOTICE). Sentences from
// the engine (src/core/guard_text.cpp); catalog facts from RESOLVE_SQL.
async function hygieneNotices(session, ctx, st, target, keys, options) {
  const out = [];
  if (keys.length === 0) return out;
  // The table's facts, when they can matter.
  let facts = { existing: [], target_rows: target ? estimatedRows(target) : 0 };
  const onTable = !!target && keys.some((k) => k.rel && k.referencedRel);
  const duplicatesPossible = onTable && options.duplicateKeys !== 'ignore' && (target.relkind !== 'r' || target.hastriggers);
  const scanPossible = onTable && options.validationNoticeRows > 0 && st.lock && keys.some((k) => k.validates) &&
    (target.relkind === 'p' || estimatedRows(target) > options.validationNoticeRows);
  if (duplicatesPossible || scanPossible) {
    [facts] = await session.run(HYGIENE_SQL, [target.oid, st.dropped || []], 'pg_fk_guard_hygiene');
  }
  const calls = options.hintFunctions === 'extension' ? 'sql' : 'package';
  const notice = (t, severity, code) => ({ severity, code, message: t.message, detail: t.detail, hint: t.hint, where: WHERE });
  let quote = null;
  // The key as the sentences take it, its names quoted as the server quotes them.
  const text = async (k) => {
    if (!quote) quote = await quoter(session, ctx.version);
    const { onDeleteColumns, ...t } = k.text;
    return { ...t, quoted_name: quote(t.name), on_delete_columns: onDeleteColumns.map(quote) };
  };
  if (options.duplicateKeys !== 'ignore') {
    const asError = options.duplicateKeys === 'error';
    const level = asError ? ['ERROR', '42710'] : ['WARNING', '01000'];
    const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    for (const [i, k] of keys.entries()) {
      if (!k.enforced) continue;
      const first = keys.slice(0, i).find((f) => f.enforced && f.text.referenced_table === k.text.referenced_table &&
        f.referencedRel === k.referencedRel && same(f.pairs, k.pairs));
      if (first) {
        out.push(notice(engine.duplicateInStatement(await text(k), await text(first), asError, calls), ...level));
        continue;
      }
      if (!k.rel || !k.referencedRel) continue;
      const old = (facts.existing || []).find((e) => !e.period && e.enforced && Number(e.pkrel) === k.referencedRel &&
        same((e.pairs || []).map(([a, b]) => `${a}\u0000${b}`).sort(), k.pairs));
      if (old) out.push(notice(engine.duplicateExisting(await text(k), old, asError, calls), ...level));
    }
  }
  if (options.validationNoticeRows > 0 && st.lock) {
    const rows = Number(facts.target_rows || 0);
    for (const k of keys) {
      if (!k.validates || !k.rel || !k.referencedRel || !(rows > options.validationNoticeRows)) continue;
      const [sz] = await session.run(SIZE_SQL, [k.rel]);
      const partitioned = !!target && target.relkind === 'p';
      out.push(notice(engine.validationScan(await text(k), {
        own_lock: st.lock,
        self: k.referencedRel === k.rel,
        rows: Math.trunc(rows),
        partitioned,
        size: sz.size,
        two_steps_refused: ctx.version < 180000,
        notice_rows: options.validationNoticeRows,
      }, calls), 'NOTICE', '00000'));
    }
  }
  return out;
}

// The engine's verdict on a probed pair, kept with the probe's cached
// result: the same facts always get the same verdict.
function verdictOf(result) {
  if (!result.verdict) result.verdict = Object.freeze(engine.classify(result.facts));
  return result.verdict;
}

// RESOLVE_SQL asked before the statement is parsed, with the parameters a
// reading of its words guesses (guard-prefetch.js): {guess, answer}, or null.
function prefetchResolve(session, text) {
  const g = guessResolve(text);
  if (!g) return null;
  const answer = session.run(RESOLVE_SQL, [g.names, g.schema, g.name, g.temp, g.declared, g.attrs, g.defaults],
    'pg_fk_guard_resolve').then((rows) => ({ ctx: rows[0] }), (error) => ({ error }));
  return { guess: g, answer };
}

// The prefetched answer, when its guess covers the parameters the parse
// gives (n): the same relation in first place (its attributes filtered, no
// indexes), every other relation among the others, every declared and
// named column among the words; the creating table's schema, name and
// persistence the same. {ctx (its relations in the parse's order),
// defaultsCovered} or null (ask again).
async function fromGuess(prefetched, n) {
  const g = prefetched.guess;
  if (g.schema !== n.schema || g.name !== n.name || g.temp !== n.temp || g.names[0] !== n.names[0]) return null;
  const at = [0];
  for (let j = 1; j < n.names.length; j++) {
    const k = g.names.indexOf(n.names[j], 1);
    if (k < 0) return null;
    at.push(k);
  }
  const within = (list, of) => {
    const set = new Set(of);
    return list.every((x) => set.has(x));
  };
  if (!within(n.declared, g.declared) || !within(n.attrs, g.attrs)) return null;
  const a = await prefetched.answer;
  if (a.error) return null;
  return { ctx: { ...a.ctx, rels: at.map((k) => a.ctx.rels[k]) }, defaultsCovered: within(n.defaults, g.defaults) };
}

// Judges one statement of a query string (collected st) against the catalog
// as it stands; prefetched: prefetchResolve()'s, for a string of one
// statement. Returns {skipped: reason} or {refusal, notices}.
async function judgeStatement(session, collected, st, query, options, useCache, prefetched = null) {
  const relNames = [];
  const relIndex = new Map();
  const addRel = (rv, key = rv.text) => {
    if (!relIndex.has(key)) {
      relIndex.set(key, relNames.length);
      relNames.push(rv.text);
    }
  };
  addRel(st.table);
  for (const k of st.keys) if (k.pk) addRel(k.pk, pkKey(st, k));
  for (const rv of st.parents || []) addRel(rv, parentKey(rv));
  const declaredNames = [...st.declared.keys()];
  const creating = st.kind === 'create';
  const attrNames = [...new Set(st.keys.flatMap((k) => [...k.fkAttrs, ...k.pkAttrs]))];
  // An unnamed key gets the first of its default names that no constraint
  // of the table's namespace has (ChooseConstraintName).
  const defaults = st.keys.filter((k) => !k.conname).flatMap((k) => candidates(st.table.name, k.nameColumns || k.fkAttrs));
  const params = [relNames, creating ? st.table.schema : null, creating ? st.table.name : null,
    creating ? st.table.temp : false, declaredNames, attrNames, creating ? [] : defaults];
  const guessed = prefetched ? await fromGuess(prefetched, { names: params[0], schema: params[1], name: params[2],
    temp: params[3], declared: params[4], attrs: params[5], defaults: params[6] }) : null;
  const ctx = guessed ? guessed.ctx : (await session.run(RESOLVE_SQL, params, 'pg_fk_guard_resolve'))[0];
  if (session.noteVersion) session.noteVersion(Number(ctx.version));
  // An existing table's taken default names come with it (a key added
  // again gets "_fkey1"), unless a guess missed one of them.
  const namesKnown = !creating && (!guessed || guessed.defaultsCovered);
  ctx.taken = ctx.taken || [];
  if (ctx.extension) return { skipped: 'the extension judges here' };
  ctx.useCache = useCache;
  // PostgreSQL converts columns before it builds any key: a conversion no
  // cast can do fails first (src/pg/guard.cpp calls check_key_conversions()
  // before it judges the keys, whether it could model the statement or not).
  if (st.kind === 'alter' && st.retyped && st.retyped.size) {
    const cast = await castRefusal(session, ctx, st, query, options);
    if (cast) return { refusal: cast };
  }
  const rels = (ctx.rels || []).map((r) => (r.oid ? { ...r, oid: Number(r.oid), namespace: Number(r.namespace) } : null));
  // On Citus (only there: one more query) its facts of the tables.
  ctx.citusFacts = ctx.citus ? await citusFacts(session, rels) : null;
  if (ctx.citusFacts && st.kind === 'alter' && st.citusNamesAddColumnKeys && rels[0] && ctx.citusFacts.has(rels[0].oid)) {
    // Citus names an unnamed key of ADD COLUMN on its tables before
    // PostgreSQL does, from the constraint's own (empty) column list:
    // "<table>__fkey" (commands/table.c, GenerateConstraintName).
    st = { ...st, keys: st.keys.map((k) => (k.addColumn && !k.conname ? { ...k, nameColumns: [] } : k)) };
    const citusNames = st.keys.filter((k) => k.nameColumns).flatMap(() => candidates(st.table.name, []));
    ctx.taken = [...(ctx.taken || []), ...(await session.run(
      `SELECT c.conname::text AS n FROM pg_catalog.pg_constraint c
        WHERE c.conname = ANY($1::text[]) AND c.connamespace = $2::pg_catalog.oid`, [citusNames, rels[0].namespace])).map((r) => r.n)];
  }
  // A new table's default names are rarely taken (by a constraint that
  // happens to bear the same name): they matter only where
  // they are shown (a refusal, a notice) or matched at the statement's end.
  // The statement is judged with the first names first, and again with the
  // taken ones known only when it has something to say and one of its names
  // is taken. An accepted statement makes one round trip.
  if (namesKnown || defaults.length === 0) return judgeResolved(session, collected, st, query, options, ctx, rels, relIndex);
  const namespace = creating ? Number(ctx.target_namespace) : rels[0] ? rels[0].namespace : 0;
  const takenNow = async () => (namespace
    ? (await session.run(TAKEN_SQL, [defaults, [namespace]], 'pg_fk_guard_taken'))[0].taken : []);
  const takenBefore = ctx.taken;
  if (st.endCheck) ctx.taken = [...takenBefore, ...(await takenNow())];
  const first = await judgeResolved(session, collected, st, query, options, ctx, rels, relIndex);
  if (st.endCheck || !(first.refusal || (first.notices && first.notices.length))) return first;
  const taken = await takenNow();
  if (taken.length === 0) return first;
  ctx.taken = [...takenBefore, ...taken];
  return judgeResolved(session, collected, st, query, options, ctx, rels, relIndex);
}

// Judges the resolved statement (judgeStatement) with the names ctx.taken.
async function judgeResolved(session, collected, st, query, options, ctx, rels, relIndex) {
  const pairs = await resolve(session, ctx, st, rels, relIndex);
  if (!pairs || pairs.length === 0) return { skipped: pairs ? 'nothing to judge' : 'not modelled' };
  const results = await prober.judge(session, pairs, ctx.version, ctx.db);
  const judged = pairs.map((pair, i) => ({ pair, result: results[i], verdict: verdictOf(results[i]) }));
  const later = collected.all.slice(st.index + 1);
  for (const j of judged) j.pair.stTableText = st.table.text;
  const refused = await refusal(session, ctx, judged, options, query, later, st);
  if (refused) return { refusal: refused, judged };
  // Citus checks its own rules once PostgreSQL has built the keys.
  const citus = ctx.citusFacts ? citusRefusal(judged, ctx.citusFacts) : null;
  if (citus) return { refusal: citus, judged };
  const notices = options.softMismatches === 'ignore' ? [] : softReports(judged, options);
  const target = st.kind === 'alter' ? rels[relIndex.get(st.table.text)] : null;
  notices.push(...(await hygieneNotices(session, ctx, st, target, pairs.newKeys || [], options)));
  return { refusal: null, notices, judged };
}

// ---- After the statement: the keys it created that were not judged before ----

// The foreign keys on a table ($1, as the statement named it), with every
// fact their pairs need, in the order the extension reads them (by name).
const END_CHECK_SQL = `
SELECT pg_catalog.current_setting('server_version_num')::int AS version, pg_catalog.current_database() AS db,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
          'name', c.conname::text, 'fk_display', c.conrelid::pg_catalog.regclass::text,
          'pk_display', c.confrelid::pg_catalog.regclass::text, 'fkrel', c.conrelid::int8, 'pkrel', c.confrelid::int8,
          'cols', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                     'fk', fa.attname::text, 'fk_quoted', pg_catalog.quote_ident(fa.attname), 'fk_type', fa.atttypid::int8,
                     'fk_typmod', fa.atttypmod, 'fk_coll', fa.attcollation::int8,
                     'pk', pa.attname::text, 'pk_quoted', pg_catalog.quote_ident(pa.attname), 'pk_type', pa.atttypid::int8,
                     'pk_typmod', pa.atttypmod, 'pk_coll', pa.attcollation::int8, 'pk_filled', (pa.attidentity <> '' OR pa.atthasdef),
                     'pk_primary_single', EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.confrelid
                                                  AND i.indisprimary AND i.indnkeyatts = 1 AND i.indkey[0] = pa.attnum),
                     'opclass', (SELECT x.cls::int8 FROM pg_catalog.pg_index ix,
                                   ROWS FROM (pg_catalog.unnest(ix.indkey::int2[]), pg_catalog.unnest(ix.indclass::oid[])) AS x(att, cls)
                                 WHERE ix.indexrelid = c.conindid AND x.att = k.pa LIMIT 1)) ORDER BY k.n)
                   FROM ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) WITH ORDINALITY AS k(fa, pa, n)
                   JOIN pg_catalog.pg_attribute fa ON fa.attrelid = c.conrelid AND fa.attnum = k.fa
                   JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pa))
          ORDER BY c.conname::text COLLATE "C")
        FROM pg_catalog.pg_constraint c
        WHERE c.conrelid = pg_catalog.to_regclass($1::text) AND c.contype = 'f' AND c.conparentid = 0
          AND NOT c.oid = ANY ($2::oid[]) AND NOT c.conname = ANY ($3::text[])) AS keys,
       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_fk_guard') AS extension`;

// The foreign keys a table ($1, as the statement names it) has now.
const KEYS_NOW_SQL = `
SELECT COALESCE(pg_catalog.array_agg(c.oid::int8), '{}') AS oids FROM pg_catalog.pg_constraint c
WHERE c.conrelid = pg_catalog.to_regclass($1::text) AND c.contype = 'f'`;

// The soft notices for the foreign keys a CREATE TABLE created that the guard
// could not judge before it (LIKE, a column WITH OPTIONS of PARTITION OF), as
// the extension's end-of-statement check gives them (src/pg/guard.cpp,
// guard_ddl_end), names as regclass prints them: the keys on the table that
// are not among those it had before (before: their oids; none, but for CREATE
// TABLE IF NOT EXISTS on an existing table) nor among those judged at the
// start (judgedNames). Never a refusal of an incompatible key
// (PostgreSQL refused it itself); with softMismatches: 'error', an ERROR
// notice, which judge() makes the refusal, as the extension's own refuses
// the statement at its end. Returns {notices} or {skipped}.
async function endCheck(session, st, options, before, judgedNames) {
  if (options.softMismatches === 'ignore') return { notices: [] };
  const [ctx] = await session.run(END_CHECK_SQL, [st.table.text, before, judgedNames]);
  if (session.noteVersion) session.noteVersion(Number(ctx.version));
  if (ctx.extension) return { skipped: 'the extension judges here' };
  const pairs = [];
  let no = 0;
  for (const con of ctx.keys || []) {
    const n = no++;
    for (const c of con.cols || []) {
      if (c.opclass === null) continue;
      pairs.push({
        constraint: con.name,
        constraintNo: n,
        fk: { type: Number(c.fk_type), typmod: c.fk_typmod, collation: Number(c.fk_coll) },
        pk: { type: Number(c.pk_type), typmod: c.pk_typmod, collation: Number(c.pk_coll) },
        opclass: Number(c.opclass),
        declaredHere: false,
        referencingRel: { oid: Number(con.fkrel) },
        referencingTable: con.fk_display,
        referencingColumn: c.fk_quoted,
        referencingAttname: c.fk,
        referencedRel: { oid: Number(con.pkrel) },
        referencedTable: con.pk_display,
        referencedColumn: c.pk_quoted,
        referencedAttname: c.pk,
        keyFilled: c.pk_filled,
        keyIsPrimarySingle: c.pk_primary_single,
      });
    }
  }
  if (pairs.length === 0) return { notices: [] };
  const results = await prober.judge(session, pairs, ctx.version, ctx.db);
  const judged = pairs.map((pair, i) => ({ pair, result: results[i], verdict: verdictOf(results[i]) }));
  return { notices: softReports(judged, options) };
}

// Judges a query string, statement by statement in order, as the extension
// judges each at its own ddl_command_start: a statement after others is
// judged with their effects on the catalog, reproduced by running them in a
// transaction (or savepoint) that is rolled back. Judging stops at the first
// refusal (PostgreSQL would not run the later statements). Returns {skipped:
// reason} when nothing was judged, else {refusal, notices}.
async function judge(session, collected, query, options, prefetched = null) {
  const statements = collected.statements;
  if (statements.length === 0) return { skipped: 'no foreign key to judge' };
  const notices = [];
  let judgedAny = false;
  let lastSkip = null;
  // Runs a statement's text where it is rolled back; false when it fails
  // (PostgreSQL stops there itself).
  const runs = async (text) => {
    // The string's earlier DROP CONSTRAINTs, remembered in the replay's own
    // transaction, as the extension sees them in the string's.
    if (session.dropped && DROPS_CONSTRAINT.test(text)) await noteDroppedKeys(session, session.dropped, text);
    const err = await session.runRaw(text).then(() => null, (e) => e);
    if (err && typeof err.code !== 'string') throw err;
    return !err;
  };
  for (const st of statements) {
    let r;
    const atStart = !st.unsure;
    if (st.prefix.length === 0 && !st.endCheck) {
      r = await judgeStatement(session, collected, st, query, options, true, statements.length === 1 ? prefetched : null);
    } else if (options.replay === false) {
      r = { stop: st.prefix.length ? 'earlier statements are not replayed (replay: false)'
        : 'the statement is not replayed (replay: false)' };
    } else {
      r = await rolledBack(session, async () => {
        for (const text of st.prefix) if (!(await runs(text))) return { stop: 'an earlier statement fails' };
        const start = atStart ? await judgeStatement(session, collected, st, query, options, st.prefix.length === 0)
          : { skipped: 'not modelled before the statement' };
        if (!st.endCheck || start.refusal || start.stop || start.skipped === 'the extension judges here') return start;
        // The keys the extension judges only at the statement's end (LIKE,
        // WITH OPTIONS): the statement itself run here too, and the keys it
        // created judged.
        const [now] = await session.run(KEYS_NOW_SQL, [st.table.text]);
        if (!(await runs(st.text))) return { stop: 'the statement fails' };
        const judgedNames = [...new Set((start.judged || []).map((j) => j.pair.constraint))];
        const end = await endCheck(session, st, options, now.oids.map(Number), judgedNames);
        if (end.skipped) return end;
        return { refusal: null, notices: [...(start.notices || []), ...end.notices] };
      });
    }
    if (r.stop) {
      lastSkip = r.stop;
      break;
    }
    if (r.skipped) {
      if (r.skipped === 'the extension judges here') return r;
      lastSkip = r.skipped;
      continue;
    }
    judgedAny = true;
    if (r.refusal) return { refusal: r.refusal, notices };
    for (const n of r.notices) {
      // (a notice left for later is never an ERROR: softMismatches 'warn')
      if (n.severity === 'ERROR') return { refusal: n, notices };
      notices.push(n);
    }
  }
  if (!judgedAny) return { skipped: lastSkip || 'nothing to judge' };
  return { refusal: null, notices };
}

module.exports = { judge, endCheck, prober, noticeOf, prefetchResolve, WHERE, _caches: { declaredCache } };
