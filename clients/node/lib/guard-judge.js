'use strict';
// The guard's second half: resolves the foreign keys a statement adds
// against the catalog (as PostgreSQL will resolve them: the session's
// search_path, the referenced table's primary key or matching unique index
// and its operator classes), asks lib/probe.js for the facts of each pair,
// and writes the refusal or the soft notices with the engine's own sentences
// (src/core/guard_text.cpp), as the extension's guard does.

const engine = require('./engine-wrapper.js');
const { Prober, rolledBack, attempt, COLUMN_TYPES_SQL, columnTypeOf } = require('./probe.js');
const { profile } = require('./guard-profile.js');
const { chooseName, candidates } = require('./guard-names.js');

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
// goes to ($2 schema, $3 name, $4 temporary), the default constraint names
// already taken there ($5), quote_ident() of the declared columns ($6); the
// statement's own table (relation 1) with the attributes named ($7) only and
// without its indexes, the referenced tables with all their attributes. Each parameter is
// read through a scalar subquery, so that the plan does not depend on its
// value and PostgreSQL keeps one generic plan for the prepared statement
// instead of planning it again for every statement judged.
const RESOLVE_SQL = `
WITH rels AS (
  SELECT x.i, c.oid, c.relname, c.relnamespace, c.relkind, c.reltuples, c.relpages, n.nspname
  FROM unnest((SELECT $1::text[])::text[]) WITH ORDINALITY AS x(name, i)
  LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(x.name)
  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
), target_ns AS (
  SELECT CASE WHEN (SELECT $2::text) IS NOT NULL THEN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = (SELECT $2::text))
              WHEN (SELECT $4::bool) THEN pg_catalog.pg_my_temp_schema()
              ELSE (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = pg_catalog.current_schema()) END AS oid
)
SELECT pg_catalog.current_setting('server_version_num')::int AS version, pg_catalog.current_database() AS db,
       pg_catalog.current_setting('search_path') AS search_path,
       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_fk_guard') AS extension,
       (SELECT oid FROM target_ns)::int8 AS target_namespace,
       CASE WHEN (SELECT $3::text) IS NULL THEN NULL WHEN (SELECT $2::text) IS NULL THEN pg_catalog.quote_ident((SELECT $3::text))
            ELSE pg_catalog.quote_ident((SELECT $2::text)) || '.' || pg_catalog.quote_ident((SELECT $3::text)) END AS target_display,
       (SELECT pg_catalog.json_object_agg(x, pg_catalog.quote_ident(x)) FROM unnest((SELECT $6::text[])::text[]) AS x) AS quoted,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
          'oid', r.oid::int8, 'display', r.oid::pg_catalog.regclass::text,
          'qualified', pg_catalog.quote_ident(r.nspname) || '.' || pg_catalog.quote_ident(r.relname),
          'relname', r.relname::text, 'namespace', r.relnamespace::int8, 'relkind', r.relkind::text,
          'reltuples', r.reltuples, 'relpages', r.relpages,
          'attrs', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                      'name', a.attname::text, 'attnum', a.attnum, 'type', a.atttypid::int8, 'typmod', a.atttypmod,
                      'coll', a.attcollation::int8, 'quoted', pg_catalog.quote_ident(a.attname),
                      'filled', (a.attidentity <> '' OR a.atthasdef)) ORDER BY a.attnum)
                    FROM pg_catalog.pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND (r.i > 1 OR a.attname = ANY ((SELECT $7::text[])::text[]))),
          'indexes', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                        'primary', i.indisprimary, 'keys', i.indkey::int2[], 'classes', i.indclass::oid[]::int8[])
                        ORDER BY i.indexrelid)
                      FROM pg_catalog.pg_index i
                      WHERE r.i > 1 AND i.indrelid = r.oid AND i.indisunique AND i.indimmediate
                        AND i.indpred IS NULL AND i.indexprs IS NULL)) ORDER BY r.i)
        FROM rels r) AS rels,
       (SELECT pg_catalog.array_agg(c.conname::text) FROM pg_catalog.pg_constraint c
        WHERE c.conname = ANY((SELECT $5::text[])::text[])
          AND c.connamespace IN (SELECT oid FROM target_ns UNION SELECT relnamespace FROM rels WHERE i = 1)) AS taken`;

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
        const err = await attempt(session, `CREATE TEMP TABLE fkg_guard_declared (c ${t})`);
        if (err) {
          cache.set(key(t), null);
          continue;
        }
        // attempt() rolled it back: create it again to read it.
        await session.runRaw(`CREATE TEMP TABLE fkg_guard_declared (c ${t})`);
        const [a] = await session.run(
          `SELECT atttypid::int8 AS type, atttypmod AS typmod, attcollation::int8 AS coll FROM pg_catalog.pg_attribute
           WHERE attrelid = 'pg_temp.fkg_guard_declared'::pg_catalog.regclass AND attname = 'c'`);
        await session.runRaw('DROP TABLE pg_temp.fkg_guard_declared');
        cache.set(key(t), { type: Number(a.type), typmod: a.typmod, collation: Number(a.coll) });
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
      const err = await attempt(session, `CREATE TEMP TABLE fkg_guard_declared (c ${typeSql} PRIMARY KEY)`);
      if (err) {
        cache.set(key, null);
        return;
      }
      await session.runRaw(`CREATE TEMP TABLE fkg_guard_declared (c ${typeSql} PRIMARY KEY)`);
      const [i] = await session.run(`SELECT i.indclass[0]::int8 AS opclass FROM pg_catalog.pg_index i
        WHERE i.indrelid = 'pg_temp.fkg_guard_declared'::pg_catalog.regclass AND i.indisprimary`);
      cache.set(key, i ? Number(i.opclass) : null);
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

function unqualifiedRaw(rv) {
  return rv.name;
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
  const existing = creating ? new Map() : attrsOf(target);
  for (const k of st.keys) for (const a of k.fkAttrs) if (!st.declared.has(a) && !existing.has(a)) return null;
  // Declared columns' types.
  const declaredList = [...st.declared.values()].filter((d) => st.keys.some((k) => k.fkAttrs.includes(d.name)));
  if (declaredList.some((d) => d.typeSql === null)) return null;
  const declaredResolved = await declaredTypes(session, ctx, declaredList.map((d) => d.typeSql));
  const declared = new Map();
  declaredList.forEach((d, i) => declared.set(d.name, declaredResolved[i]));
  if ([...declared.values()].some((d) => d === null)) return null;
  const taken = new Set(ctx.taken || []);
  if (!namespace) return null;

  const pairs = [];
  let constraintNo = 0;
  for (const k of st.keys) {
    const conname = k.conname || chooseName(relname, k.fkAttrs, taken);
    if (!conname) return null;
    taken.add(conname);
    const no = constraintNo++;
    if (k.period) continue;
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
      continue;
    }
    if (!pkRel) return null; // created by this statement, or missing: PostgreSQL decides
    // A self reference: the referenced columns must exist before the
    // statement (not added by it), and so must the key they form.
    if (!creating && pkRel.oid === target.oid && (st.addsIndex || k.pkAttrs.some((a) => st.declared.has(a)))) return null;
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
    // The unique index PostgreSQL picks and each column's operator class.
    const atts = pkAttrs.map((a) => pkAttrMap.get(a).attnum);
    let opclasses = null;
    for (const ix of pkRel.indexes || []) {
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
      const fk = d ? d : { type: Number(e.type), typmod: e.typmod, collation: Number(e.coll) };
      const p = pkAttrMap.get(pkAttrs[i]);
      pairs.push({
        constraint: conname,
        constraintNo: no,
        columns: k.fkAttrs,
        fk,
        pk: { type: Number(p.type), typmod: p.typmod, collation: Number(p.coll) },
        opclass: opclasses[i],
        declaredHere: !!d,
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
      });
    }
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
async function refusal(session, ctx, judged, options, query, later) {
  const bad = judged.filter((j) => j.verdict.kind === 'incompatible');
  if (bad.length === 0) return null;
  const first = bad[0];
  const several = bad.some((j) => j.pair.constraintNo !== first.pair.constraintNo);
  const fkType = first.result.types.fk;
  const pkType = first.result.types.pk;
  const p = first.pair;
  const whole = engine.wholeValueProblem(first.result.facts.referencing, first.result.facts.referenced);
  let data = { read: false, estimated: -1, row_limit: options.profileRowLimit };
  if (!p.declaredHere && p.referencingRel && !whole) {
    data = await profile(session, {
      rel: p.referencingRel,
      column: p.referencingColumn,
      fk: fkType,
      pk: pkType,
      conversion: first.result.conversion,
      keys: { rel: p.referencedRel, column: p.referencedColumn, display: `${p.referencedTable}.${p.referencedColumn}`,
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
    conversion: first.result.conversion,
    alter,
    key_may_follow: keyMayFollow(p, fkType),
    // A later statement of the same query string that converts the column
    // (src/pg/guard.cpp, later_statement_retypes): named the same way.
    later_statement_retypes: later.some((l) => l && l.kind === 'alter' && l.table.text === p.stTableText &&
      l.retypes.includes(p.referencingAttname)),
    tool_note: tool.note,
  };
  // What explain() adds (fk_guard.explain(), or the package's explain()).
  if (!p.declaredHere && p.referencingRel) {
    input.left_out = { objects: more.has_dependents, history: more.history };
    input.explain_call = engine.explainCall(p.referencingRel.qualified, p.referencingAttname, calls);
  }
  const report = engine.refusalReport(input);
  let detail = '';
  for (const j of bad) {
    const r = j === first ? report : engine.refusalReport({ names: names(j.pair), facts: j.result.facts });
    detail += (several ? `${j.pair.constraint}: ` : '') + r.pair_detail + ' ';
  }
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

function softReports(judged, options) {
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
      alter,
      key_may_follow: keyMayFollow(p, j.result.types.fk),
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

// Judges one statement of a query string (collected st) against the catalog
// as it stands. Returns {skipped: reason} or {refusal, notices}.
async function judgeStatement(session, collected, st, query, options, useCache) {
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
  const declaredNames = [...st.declared.keys()];
  const defaultNames = [];
  for (const k of st.keys) if (!k.conname) defaultNames.push(...candidates(st.table.name, k.fkAttrs));
  const creating = st.kind === 'create';
  const attrNames = [...new Set(st.keys.flatMap((k) => [...k.fkAttrs, ...k.pkAttrs]))];
  const [ctx] = await session.run(RESOLVE_SQL, [relNames, creating ? st.table.schema : null,
    creating ? st.table.name : null, creating ? st.table.temp : false, defaultNames, declaredNames, attrNames],
  'pg_fk_guard_resolve');
  if (ctx.extension) return { skipped: 'the extension judges here' };
  ctx.useCache = useCache;
  const rels = (ctx.rels || []).map((r) => (r.oid ? { ...r, oid: Number(r.oid), namespace: Number(r.namespace) } : null));
  const pairs = await resolve(session, ctx, st, rels, relIndex);
  if (!pairs || pairs.length === 0) return { skipped: pairs ? 'nothing to judge' : 'not modelled' };
  const results = await prober.judge(session, pairs, ctx.version, ctx.db);
  const judged = pairs.map((pair, i) => ({ pair, result: results[i], verdict: engine.classify(results[i].facts) }));
  const later = collected.all.slice(st.index + 1);
  for (const j of judged) j.pair.stTableText = st.table.text;
  const refused = await refusal(session, ctx, judged, options, query, later);
  if (refused) return { refusal: refused, judged };
  return { refusal: null, notices: options.softMismatches === 'ignore' ? [] : softReports(judged, options), judged };
}

// Judges a query string, statement by statement in order, as the extension
// judges each at its own ddl_command_start: a statement after others is
// judged with their effects on the catalog, reproduced by running them in a
// transaction (or savepoint) that is rolled back. Judging stops at the first
// refusal (PostgreSQL would not run the later statements). Returns {skipped:
// reason} when nothing was judged, else {refusal, notices}.
async function judge(session, collected, query, options) {
  const statements = collected.statements;
  if (statements.length === 0) return { skipped: 'no foreign key to judge' };
  const notices = [];
  let judgedAny = false;
  let lastSkip = null;
  for (const st of statements) {
    let r;
    if (st.prefix.length === 0) {
      r = await judgeStatement(session, collected, st, query, options, true);
    } else if (options.replay === false) {
      r = { stop: 'earlier statements are not replayed (replay: false)' };
    } else {
      r = await rolledBack(session, async () => {
        for (const text of st.prefix) {
          const err = await session.runRaw(text).then(() => null, (e) => e);
          if (err) {
            if (typeof err.code !== 'string') throw err;
            return { stop: 'an earlier statement fails' }; // PostgreSQL stops there itself
          }
        }
        return judgeStatement(session, collected, st, query, options, false);
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
      if (n.severity === 'ERROR') return { refusal: n, notices };
      notices.push(n);
    }
  }
  if (!judgedAny) return { skipped: lastSkip || 'nothing to judge' };
  return { refusal: null, notices };
}

module.exports = { judge, prober, WHERE, _caches: { declaredCache } };
