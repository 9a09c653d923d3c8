'use strict';
// diagnose(): fk_guard.diagnose_fk_mismatches() without the extension.
// The pairs come from catalog queries (the extension scans pg_constraint and
// pg_class the same way, src/pg/catalog_pairs.cpp), the verdict, the
// sentences and every SQL text from the engine (src/core through
// src/wasm/plan_api.cpp), PostgreSQL's accept/refuse rule from pg_amop and
// pg_cast as ATAddForeignKeyConstraint applies it (src/pg/pair_facts.cpp).
const engine = require('../engine-wrapper.js');
const { withSession, extensionConverts } = require('./session');
const { TypeCache, chooseConstraintName } = require('./catalog');
const { onCitus, tableFacts, refusalOf, isDistributionColumn, fixFacts: citusFixFacts } = require('./citus');

const call = (name, ...args) => engine.call(name, ...args);

// An array parameter of oids or integers as PostgreSQL's array text, written
// at once (the driver quotes and escapes each element: slow for thousands).
function numberArray(values) {
  const text = values.map((v) => (v == null ? 'NULL' : v)).join(',');
  if (!/^((-?[0-9]+|NULL)(,(-?[0-9]+|NULL))*)?$/.test(text)) throw new TypeError('pg-fk-guard: an oid or integer array holds something else');
  return `{${text}}`;
}

// Every declared foreign key's column pairs (partition clones skipped: the
// constraint is reported on the partitioned table), in schemas the caller
// has USAGE on, without other sessions' temporary schemas, with the facts of
// both columns and both tables (columnFacts() takes them from the row). A
// one-column key (nearly all of them) is looked up by (attrelid, attnum)
// directly; the columns of a longer one come from unnest().
// On Citus (citus: true) also the keys of Citus tables whose columns have
// the same types: Citus's rules may refuse them, with the key's columns,
// actions and the pair's place in the key for them.
async function declaredPairs(s, citus = false) {
  const period = s.serverVersion >= 180000 ? 'AND NOT c.conperiod' : '';
  const citusKeys = citus
    ? `OR c.conrelid IN (SELECT d.logicalrelid FROM pg_catalog.pg_dist_partition d)
       OR c.confrelid IN (SELECT d.logicalrelid FROM pg_catalog.pg_dist_partition d)` : '';
  const citusColumns = citus ? 'c.conkey::int[] AS conkey, c.confkey::int[] AS confkey, c.confdeltype AS on_delete, c.confupdtype AS on_update,' : '';
  const select = (fkAtt, pkAtt, keys, ord) =>
    `SELECT c.oid AS con, c.conname AS conname, ${citusColumns} ${ord}::int AS ord, pg_catalog.quote_ident(c.conname) AS conname_q, c.conrelid AS rel, c.confrelid AS refrel,
            fa.attnum::int AS att, pa.attnum::int AS refatt,
            ix.indclass[pg_catalog.array_position(ix.indkey::pg_catalog.int2[], pa.attnum)] AS opclass,
            pg_catalog.array_position(ix.indkey::pg_catalog.int2[], pa.attnum) < ix.indnkeyatts AS keyatt,
            fa.atttypid AS fk_type, fa.atttypmod AS fk_typmod, fa.attcollation AS fk_coll, fa.attnotnull AS fk_notnull,
            fa.attname AS fk_attname, pg_catalog.quote_ident(fa.attname) AS fk_att_q,
            pa.atttypid AS pk_type, pa.atttypmod AS pk_typmod, pa.attcollation AS pk_coll, pa.attnotnull AS pk_notnull,
            pa.attname AS pk_attname, pg_catalog.quote_ident(pa.attname) AS pk_att_q,
            fc.relname AS fk_relname, fc.relkind AS fk_relkind, fc.relnamespace AS fk_nsp,
            pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(fc.relname) AS fk_table_q,
            fn.nspname::text || '.' || fc.relname::text AS fk_sortname,
            CASE WHEN fc.relnamespace = ANY (ARRAY[pg_catalog.pg_my_temp_schema(), 'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid])
                 THEN pg_catalog.quote_ident(fc.relname) END AS fk_regclass,
            pc.relname AS pk_relname, pc.relkind AS pk_relkind, pc.relnamespace AS pk_nsp,
            pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(pc.relname) AS pk_table_q,
            pn.nspname::text || '.' || pc.relname::text AS pk_sortname,
            CASE WHEN pc.relnamespace = ANY (ARRAY[pg_catalog.pg_my_temp_schema(), 'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid])
                 THEN pg_catalog.quote_ident(pc.relname) END AS pk_regclass
       FROM pg_catalog.pg_constraint c ${keys}
       JOIN pg_catalog.pg_attribute fa ON fa.attrelid = c.conrelid AND fa.attnum = ${fkAtt}
       JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = ${pkAtt}
       JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.conindid
       JOIN pg_catalog.pg_class fc ON fc.oid = c.conrelid
       JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
       JOIN pg_catalog.pg_class pc ON pc.oid = c.confrelid
       JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE c.contype = 'f' AND c.conparentid = 0 ${period}
        AND ((fa.atttypid, fa.atttypmod, fa.attcollation) IS DISTINCT FROM (pa.atttypid, pa.atttypmod, pa.attcollation) ${citusKeys})
        -- a foreign key lives in its table's schema
        AND c.connamespace IN (SELECT n.oid FROM pg_catalog.pg_namespace n
                                WHERE NOT pg_catalog.pg_is_other_temp_schema(n.oid) AND pg_catalog.has_schema_privilege(n.oid, 'USAGE'))`;
  const r = await queryOidsAsText(s,
    `${select('c.conkey[1]', 'c.confkey[1]', '', 1)}
        AND pg_catalog.cardinality(c.conkey) = 1 AND pg_catalog.cardinality(c.confkey) = 1
     UNION ALL
     ${select('k.fk_att', 'k.pk_att', 'CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) WITH ORDINALITY AS k(fk_att, pk_att, ord)', 'k.ord')}
        AND pg_catalog.cardinality(c.conkey) > 1 AND pg_catalog.cardinality(c.conkey) = pg_catalog.cardinality(c.confkey)`);
  return r.rows.filter((p) => p.opclass != null && p.keyatt);
}

// A query whose oid and name columns come back as the server prints them,
// as strings, with no cast to text in the query (a cast costs the server
// an output, an input and another output per value: thousands of rows):
// the driver reads an oid as a number unless told otherwise, a name as a
// string.
const OID = 26;
async function queryOidsAsText(s, text) {
  const { client } = s;
  const r = typeof client.getTypeParser === 'function'
    ? await client.query({ text, types: { getTypeParser: (oid, format) => (oid === OID && format !== 'binary' ? (v) => v : client.getTypeParser(oid, format)) } })
    : await s.query(text);
  // a driver that ignored the parsers: the oids back to strings
  const oids = r.fields.filter((f) => f.dataTypeID === OID).map((f) => f.name);
  if (r.rows.length && oids.some((f) => typeof r.rows[0][f] === 'number'))
    for (const row of r.rows) for (const f of oids) if (row[f] != null) row[f] = String(row[f]);
  return r;
}

// Columns of user tables the caller can use that no declared foreign key
// covers, with the single-column primary keys of every table (for implied
// pairs, src/pg/catalog_pairs.cpp implied_key_pairs()).
async function impliedPairs(s, pathNames = s.callerPath) {
  const cols = await s.query(
    `SELECT c.oid::text AS rel, c.relnamespace::text AS nsp, c.relname::text AS relname, a.attnum::int AS att, a.attname::text AS attname
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        AND (n.oid = pg_catalog.pg_my_temp_schema() OR n.nspname NOT LIKE 'pg\\_temp\\_%')
        AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
        -- referenceStem()'s first rules (three characters or more, ending in
        -- "id"; a shorter name is "id" itself, never a reference), so the
        -- server leaves out every primary key column "id"; the engine decides
        AND pg_catalog.lower(a.attname::text) LIKE '%id' AND pg_catalog.length(a.attname::text) >= 3
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.contype = 'f' AND k.conrelid = c.oid AND a.attnum = ANY (k.conkey))
      ORDER BY c.ctid, a.attnum`);
  const stems = new Map();
  const wanted = [];
  for (const c of cols.rows) {
    const stem = call('referenceStem', c.attname);
    if (stem == null) continue;
    const names = call('candidateTables', stem, c.relname);
    wanted.push({ ...c, names });
    for (const n of names) stems.set(n, true);
  }
  if (!wanted.length) return [];
  // Tables by those names in any schema, with a single-column primary key.
  const t = await s.query(
    `SELECT c.oid::text AS rel, c.relnamespace::text AS nsp, c.relname::text AS relname, c.relkind,
            (SELECT ix.indkey[0]::int FROM pg_catalog.pg_index ix WHERE ix.indrelid = c.oid AND ix.indisprimary AND ix.indnkeyatts = 1 AND ix.indkey[0] <> 0) AS pkatt,
            (SELECT ix.indclass[0]::text FROM pg_catalog.pg_index ix WHERE ix.indrelid = c.oid AND ix.indisprimary AND ix.indnkeyatts = 1 AND ix.indkey[0] <> 0) AS opclass
       FROM pg_catalog.pg_class c WHERE c.relname = ANY ($1::name[])`,
    [[...stems.keys()]]);
  const byName = new Map();
  for (const row of t.rows) byName.set(`${row.nsp}/${row.relname}`, row);
  const path = (await s.query('SELECT n.oid::text AS oid FROM pg_catalog.unnest($1::name[]) WITH ORDINALITY AS p(name, ord) JOIN pg_catalog.pg_namespace n ON n.nspname = p.name ORDER BY p.ord', [pathNames])).rows.map((r) => r.oid);
  const out = [];
  for (const c of wanted) {
    // resolve_candidates: own schema first, then the search path; the
    // tables of the first tier that has any.
    const found = [];
    const tiers = [c.nsp, ...path.filter((p) => p !== c.nsp)];
    for (const nsp of tiers) {
      for (const name of c.names) {
        if (found.length >= 8) break;
        const rel = byName.get(`${nsp}/${name}`);
        if (!rel || (rel.relkind !== 'r' && rel.relkind !== 'p')) continue;
        if (found.some((f) => f.rel === rel.rel)) continue;
        if (rel.pkatt != null) found.push(rel);
      }
      if (found.length) break;
    }
    if (!found.length) continue;
    if (found[0].rel === c.rel && found[0].pkatt === c.att) continue;
    out.push({ con: null, conname: null, rel: c.rel, att: c.att, refrel: found[0].rel, refatt: found[0].pkatt, opclass: found[0].opclass, others: found.slice(1).map((f) => f.rel) });
  }
  return out;
}

// Column facts (type, typmod, collation, names, NOT NULL) for a set of (rel, att).
async function columnFacts(s, pairs) {
  // the columns of declared pairs came with them; implied ones are read here
  const keys = new Map();
  for (const p of pairs)
    if (p.fk_type === undefined) {
      keys.set(`${p.rel}/${p.att}`, [p.rel, p.att]);
      keys.set(`${p.refrel}/${p.refatt}`, [p.refrel, p.refatt]);
    }
  const list = [...keys.values()];
  const m = new Map();
  if (list.length) {
    const r = await s.query(
      `SELECT a.attrelid::text AS rel, a.attnum::int AS att, a.atttypid::text AS type, a.atttypmod AS typmod,
              a.attcollation::text AS coll, a.attnotnull, a.attname::text AS attname, pg_catalog.quote_ident(a.attname) AS att_q
         FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int2[])) AS k(rel, att)
         JOIN pg_catalog.pg_attribute a ON a.attrelid = k.rel AND a.attnum = k.att`,
      [list.map((k) => k[0]), list.map((k) => k[1])]);
    for (const row of r.rows) m.set(`${row.rel}/${row.att}`, row);
  }
  // tables: relname, relkind, schema, quoted name, regclass as the
  // extension prints it (search_path = pg_catalog, pg_temp: schema-qualified,
  // except in pg_catalog and our own temporary schema), sort name
  const relFacts = new Map();
  for (const p of pairs)
    if (p.fk_type !== undefined) {
      m.set(`${p.rel}/${p.att}`, { rel: p.rel, att: p.att, type: p.fk_type, typmod: p.fk_typmod, coll: p.fk_coll, attnotnull: p.fk_notnull, attname: p.fk_attname, att_q: p.fk_att_q });
      m.set(`${p.refrel}/${p.refatt}`, { rel: p.refrel, att: p.refatt, type: p.pk_type, typmod: p.pk_typmod, coll: p.pk_coll, attnotnull: p.pk_notnull, attname: p.pk_attname, att_q: p.pk_att_q });
      if (!relFacts.has(p.rel))
        relFacts.set(p.rel, { rel: p.rel, relname: p.fk_relname, relkind: p.fk_relkind, nsp: p.fk_nsp, table_q: p.fk_table_q, regclass: p.fk_regclass == null ? p.fk_table_q : p.fk_regclass, sortname: p.fk_sortname });
      if (!relFacts.has(p.refrel))
        relFacts.set(p.refrel, { rel: p.refrel, relname: p.pk_relname, relkind: p.pk_relkind, nsp: p.pk_nsp, table_q: p.pk_table_q, regclass: p.pk_regclass == null ? p.pk_table_q : p.pk_regclass, sortname: p.pk_sortname });
    }
  const rels = [...new Set(pairs.flatMap((p) => [p.rel, p.refrel]))];
  const unread = rels.filter((rel) => !relFacts.has(rel));
  if (unread.length) {
    const r = await s.query(
      `SELECT c.oid::text AS rel, c.relname::text AS relname, c.relkind, c.relnamespace::text AS nsp,
              pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS table_q,
              CASE WHEN c.relnamespace = ANY (ARRAY[pg_catalog.pg_my_temp_schema(), 'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid])
                   THEN pg_catalog.quote_ident(c.relname) END AS regclass,
              n.nspname::text || '.' || c.relname::text AS sortname
         FROM pg_catalog.unnest($1::oid[]) AS k(rel)
         JOIN pg_catalog.pg_class c ON c.oid = k.rel JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`, [unread]);
    for (const x of r.rows) {
      if (x.regclass == null) x.regclass = x.table_q;
      relFacts.set(x.rel, x);
    }
  }
  // caller_regclass: the regclass the result rows print (the extension's
  // output, in the caller's session). A table in a schema outside the
  // caller's search path prints schema-qualified, which is table_q
  // (regclassout: RelationIsVisible() is false for it, then
  // quote_qualified_identifier()); the server prints the others with the
  // caller's search path, which says whether a table of the same name
  // earlier on the path hides it.
  const path = new Set((await s.query(
    'SELECT n.oid::text AS oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1::pg_catalog.name[])', [s.callerPath])).rows.map((r) => r.oid));
  const onPath = [];
  for (const rel of rels) {
    const f = relFacts.get(rel);
    if (!f) continue;
    if (path.has(f.nsp)) onPath.push(rel);
    else f.caller_regclass = f.table_q;
  }
  if (onPath.length) {
    const shown = await s.asCaller(() => s.query(
      `SELECT x.o::pg_catalog.regclass::pg_catalog.text AS n
         FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS x(o, i) ORDER BY x.i`, [numberArray(onPath)]));
    onPath.forEach((rel, i) => {
      relFacts.get(rel).caller_regclass = shown.rows[i].n;
    });
  }
  for (const c of m.values()) Object.assign(c, relFacts.get(c.rel));
  return m;
}

// Collations: quoted name as PostgreSQL prints it, deterministic.
async function collationFacts(s, oids) {
  const want = [...new Set(oids)].filter((o) => o && o !== '0');
  const m = new Map();
  if (!want.length) return m;
  const r = await s.query(
    `SELECT c.oid::text AS oid, c.oid::pg_catalog.regcollation::text AS name, c.collisdeterministic AS det
       FROM pg_catalog.pg_collation c WHERE c.oid = ANY ($1::oid[])`, [want]);
  for (const row of r.rows) m.set(row.oid, row);
  return m;
}

// Operator classes with their family, input type and the family's equality
// operators (BTEqualStrategyNumber, 3), by (lefttype, righttype).
async function opclassFacts(s, oids) {
  const want = [...new Set(oids)];
  const r = await s.query(
    `SELECT oc.oid::text AS oid, oc.opcmethod::text AS am, oc.opcfamily::text AS family, oc.opcintype::text AS intype,
            pg_catalog.quote_ident(f.opfname) AS family_q, pg_catalog.format_type(oc.opcintype, NULL) AS compared_as,
            (SELECT pg_catalog.array_agg(o.amoplefttype::text || ':' || o.amoprighttype::text) FROM pg_catalog.pg_amop o
              WHERE o.amopfamily = oc.opcfamily AND o.amopstrategy = 3) AS eq
       FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_opfamily f ON f.oid = oc.opcfamily
      WHERE oc.oid = ANY ($1::oid[])`, [want]);
  const m = new Map();
  for (const row of r.rows) m.set(row.oid, { ...row, eq: new Set(row.eq || []) });
  return m;
}

// The default btree operator class's family for a type (GetDefaultOpClass).
async function defaultBtreeFamilies(s) {
  const r = await s.query(
    `SELECT oc.opcintype::text AS intype, oc.opcfamily::text AS family, t.typispreferred AS preferred
       FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_type t ON t.oid = oc.opcintype
      WHERE oc.opcmethod = 403 AND oc.opcdefault`);
  return r.rows;
}

function defaultFamily(types, defaults, type) {
  const exact = defaults.find((d) => d.intype === String(type));
  if (exact) return exact.family;
  const compatible = defaults.filter((d) => types.isBinaryCoercible(type, d.intype));
  const preferred = compatible.filter((d) => d.preferred);
  if (preferred.length === 1) return preferred[0].family;
  if (compatible.length === 1) return compatible[0].family;
  return null;
}

// Everything one judged pair needs (pair_facts.cpp judge_pair()).
async function judge(ctx, fk, pk, opclassOid) {
  const { types, colls, opclasses, defaults } = ctx;
  const column = (c) => {
    const b = types.base(c.type, c.typmod);
    const bt = types.get(b.oid);
    const coll = colls.get(c.coll);
    const isDomain = b.oid !== String(c.type);
    const display = c.display;
    return {
      type_oid: Number(c.type),
      typmod: c.typmod >= 0 ? c.typmod : b.typmod,
      collation_oid: Number(c.coll),
      display,
      base: bt.typname,
      base_display: c.base_display,
      builtin: Number(b.oid) < 16384,
      domain: isDomain ? display : '',
      collation: coll ? coll.name : '',
      collation_deterministic: coll ? coll.det : true,
      category: bt.typcategory,
    };
  };
  const oc = opclasses.get(opclassOid);
  if (!oc || oc.am !== '403') throw new Error(`operator class ${opclassOid} is not a btree operator class`);
  const fktyped = types.base(fk.type).oid;
  const has = (l, r) => oc.eq.has(`${l}:${r}`);
  const ppeq = has(oc.intype, oc.intype);
  let pfeq = has(oc.intype, fktyped);
  let ffeq = pfeq ? has(fktyped, fktyped) : false;
  let comparison = 'operator';
  if (!(pfeq && ffeq)) {
    if (ppeq && types.canCoerceImplicit([pk.type, fk.type], oc.intype)) {
      pfeq = ffeq = true;
      comparison = types.isBinaryCoercible(fk.type, oc.intype) ? 'binary_coercion' : 'function_coercion';
    }
  }
  let accepted = pfeq && ffeq;
  const crossOnly = !accepted && pfeq;
  if (!accepted) comparison = 'none';
  let collRefusal = null;
  if (ctx.checkCollations && accepted) {
    const a = fk.coll !== '0', b = pk.coll !== '0';
    if (a !== b) collRefusal = 'not_both_collatable';
    else if (a && fk.coll !== pk.coll && (!colls.get(fk.coll).det || !colls.get(pk.coll).det)) collRefusal = 'nondeterministic_collation';
    accepted = collRefusal == null;
  }
  const family = defaultFamily(types, defaults, fktyped);
  let conversion;
  if (await types.coercible(fk.type, pk.type, 'assignment')) conversion = 'assignment';
  else if (await types.coercible(fk.type, pk.type, 'explicit'))
    conversion = types.castAppliesTypmod(fk.type, pk.type) ? 'explicit_typmod' : 'explicit';
  else conversion = 'none';
  return {
    facts: {
      referencing: column(fk),
      referenced: column(pk),
      accepted,
      refusal: accepted ? 'none' : collRefusal || (crossOnly ? 'no_referencing_equality' : 'no_equality'),
      comparison,
      referencing_index_usable: family != null && family === oc.family,
      opfamily: oc.family_q,
      compared_as: oc.compared_as,
    },
    conversion,
  };
}

async function displayTypes(s, cols) {
  // format_type(type, typmod) and of the base type with the effective typmod
  const uniq = new Map();
  for (const c of cols) uniq.set(`${c.type}/${c.typmod}`, c);
  const list = [...uniq.values()];
  const r = await s.query(
    `SELECT k.t::text AS type, k.m AS typmod, pg_catalog.format_type(k.t, k.m) AS display
       FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int4[])) AS k(t, m)`,
    [list.map((c) => c.type), list.map((c) => c.typmod)]);
  const m = new Map();
  for (const row of r.rows) m.set(`${row.type}/${row.typmod}`, row.display);
  return m;
}

// Views, rules, policies and generated columns that use a column, which
// make ALTER COLUMN ... TYPE refuse it (fix_plan.cpp column_blockers()).
async function columnBlockers(s, rel, att) {
  return (await columnBlockersOf(s, [[rel, att]])).get(`${rel}/${att}`) || '';
}

// The same for many columns at once: "rel/att" -> blockers, for the columns that have any.
async function columnBlockersOf(s, cols) {
  const r = await s.query(
    `SELECT k.rel::text AS rel, k.att::int AS att, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS what
       FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int4[])) AS k(rel, att)
       JOIN pg_catalog.pg_depend d ON d.refobjid = k.rel AND d.refobjsubid = k.att
      WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
        AND d.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass, 'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass)
        AND NOT (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
                 AND EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef ad WHERE ad.oid = d.objid AND ad.adnum = k.att))
      ORDER BY k.rel, k.att, d.ctid`, [numberArray(cols.map((c) => c[0])), numberArray(cols.map((c) => c[1]))]);
  const out = new Map();
  for (const { rel, att, what } of r.rows) {
    if (what == null) continue;
    const key = `${rel}/${att}`;
    const seen = out.get(key) || [];
    if (!seen.some((x) => x.includes(what))) seen.push(what);
    out.set(key, seen);
  }
  for (const [k, v] of out) out.set(k, v.join('; '));
  return out;
}

// Code of ordinary roles a plan's statements run (fix_plan.cpp owner_code_on()).
async function ownerCode(s, rel) {
  return ownerCodeRoles(s, rel);
}

async function ownerCodeRoles(s, rel) {
  const r = await s.query(
    `SELECT x.what FROM (
       SELECT 1 AS o, g.tgname::text COLLATE "C" AS k1, 0::oid AS k2, g.ctid AS k4,
              'trigger ' || pg_catalog.quote_ident(g.tgname) || ' calls ' || p.oid::pg_catalog.regprocedure::text || ', owned by ' || pg_catalog.quote_ident(a.rolname) AS what
         FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid JOIN pg_catalog.pg_roles a ON a.oid = p.proowner
        WHERE g.tgrelid = $1 AND NOT g.tgisinternal AND p.oid >= 16384 AND NOT a.rolsuper
       UNION ALL
       SELECT 2, c.conname::text COLLATE "C", c.contypid, d.ctid,
              'CHECK constraint ' || pg_catalog.quote_ident(c.conname) || ' calls ' || p.oid::pg_catalog.regprocedure::text || ', owned by ' || pg_catalog.quote_ident(a.rolname)
         FROM pg_catalog.pg_constraint c
         JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND d.objid = c.oid
              AND d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
         JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid JOIN pg_catalog.pg_roles a ON a.oid = p.proowner
        WHERE c.conrelid = $1 AND c.contype = 'c' AND p.oid >= 16384 AND NOT a.rolsuper) x
     ORDER BY x.o, x.k2, x.k1, x.k4`, [rel]);
  const seen = [];
  for (const { what } of r.rows) if (!seen.some((x) => x.includes(what))) seen.push(what);
  return seen.join('; ');
}

// The facts of fix_plan.cpp plan_facts() for one pair, as FixPlanFacts.
async function fixPlanFacts(ctx, fk, pk, mode) {
  const { s, types } = ctx;
  await types.load([fk.type, pk.type]);
  const targetBase = types.base(pk.type).oid;
  const sourceBase = types.base(fk.type).oid;
  await types.load([targetBase, sourceBase]);
  const fmt = (await s.query(
    `SELECT pg_catalog.format_type($1, $2) AS source_type, pg_catalog.format_type($3, $4) AS target_type,
            pg_catalog.format_type($5, NULL) AS source_base, pg_catalog.format_type($3, NULL) AS target_base,
            pg_catalog.format_type($3, -1) AS target_unlimited,
            (SELECT c.oid::pg_catalog.regcollation::text FROM pg_catalog.pg_collation c WHERE c.oid = $6) AS refcoll_name`,
    [fk.type, fk.typmod, targetBase, pk.typmod, sourceBase, pk.coll])).rows[0];
  let collation = '';
  if (pk.coll !== '0' && pk.coll !== fk.coll && pk.coll !== '100') collation = fmt.refcoll_name;
  else if (pk.coll !== '0' && fk.coll !== '0' && pk.coll !== fk.coll) collation = '"default"';
  // foreign keys on the table that use the column (by conname order)
  const keys = (await s.query(
    `SELECT pg_catalog.quote_ident(c.conname) AS name, c.confrelid::text AS refrel, c.conkey::int[] AS conkey, c.confkey::int[] AS confkey
       FROM pg_catalog.pg_constraint c WHERE c.conrelid = $1 AND c.contype = 'f'
      ORDER BY c.contypid, c.conname COLLATE "C"`, [fk.rel])).rows;
  let kept = '';
  const notes = [];
  for (const k of keys) {
    if (!k.conkey || !k.confkey || k.conkey.length !== k.confkey.length || !k.conkey.includes(fk.att)) continue;
    if (k.conkey.length === 1 && k.refrel === pk.rel && k.confkey[0] === pk.att && !kept) kept = k.name;
    else if (notes.length < 63) notes.push(`Kept: ${k.name} also uses this column; PostgreSQL rebuilds it when the type changes.`);
  }
  let add = '';
  if (!kept) add = (await s.query('SELECT pg_catalog.quote_ident($1) AS q', [await chooseConstraintName(s, fk.relname, fk.attname, fk.nsp)])).rows[0].q;
  let lostDefault = '';
  if (sourceBase !== targetBase) {
    const d = (await s.query('SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_catalog.pg_attrdef d WHERE d.adrelid = $1 AND d.adnum = $2', [fk.rel, fk.att])).rows[0];
    if (d && !(await types.coercible(fk.type, targetBase, 'assignment'))) lostDefault = d.expr;
  }
  // conversion_expression(): col::type, or col::text::type with no cast;
  // to the unconstrained type where the modifier limits a length.
  const textLike = ['25', '1043', '1042', '19'];
  let conversion, guarded;
  if (sourceBase === targetBase && pk.typmod < 0) {
    conversion = guarded = fk.att_q;
  } else {
    const hasCast = await types.coercible(sourceBase, targetBase, 'explicit');
    const viaText = !hasCast && !textLike.includes(sourceBase);
    const limited = pk.typmod >= 0 && ['1043', '1042', '1560', '1562'].includes(targetBase) &&
      !(hasCast && types.castAppliesTypmod(sourceBase, targetBase));
    const sep = viaText ? '::text::' : '::';
    conversion = fk.att_q + sep + (limited ? fmt.target_unlimited : fmt.target_type);
    guarded = fk.att_q + sep + fmt.target_type;
  }
  const rewrites = !(types.isBinaryCoercible(fk.type, targetBase) && (pk.typmod < 0 || pk.typmod === fk.typmod));
  const citusFacts = await citusFixFacts(s, { rel: fk.rel, att: fk.att, refrel: pk.rel, refatt: pk.att });
  return {
    table_q: fk.table_q,
    column_q: fk.att_q,
    referenced_table_q: pk.table_q,
    referenced_column_q: pk.att_q,
    not_null: fk.attnotnull,
    source_type: fmt.source_type,
    target_type: fmt.target_type,
    target_typmod: pk.typmod,
    source_base: fmt.source_base,
    target_base: fmt.target_base,
    source_category: types.get(sourceBase).typcategory,
    target_category: types.get(targetBase).typcategory,
    blockers: await columnBlockers(s, fk.rel, fk.att),
    owner_code: await ownerCode(s, fk.rel),
    kept,
    add,
    notes,
    lost_default: lostDefault,
    collation,
    partitioned: fk.relkind === 'p' && s.serverVersion < 180000,
    conversion,
    guarded_conversion: guarded,
    rewrites,
    mode,
    // without the extension the script defines its own fk_guard.converts()
    converts_helper: !(await extensionConverts(s)),
    // the referencing table on Citus (citus_plans::FixFacts), if it is one
    ...(citusFacts ? { citus: citusFacts } : {}),
  };
}

// The rows of fk_guard.diagnose_fk_mismatches(include_implied) (without
// check_data), with the pg driver's types.
// Why the caller may not read a column, or null (diagnose.cpp unreadable_column()).
async function unreadableColumn(s, rel, att) {
  const r = (await s.query(
    `SELECT pg_catalog.quote_ident(current_user) AS role, pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE') AS usage,
            pg_catalog.quote_ident(n.nspname) AS nsp_q, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS table_q,
            pg_catalog.quote_ident(a.attname) AS att_q,
            pg_catalog.has_table_privilege(c.oid, 'SELECT') OR pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = $2 WHERE c.oid = $1`, [rel, att])).rows[0];
  if (!r.usage) return `role ${r.role} has no USAGE privilege on schema ${r.nsp_q}`;
  if (!r.readable) return `role ${r.role} may not read ${r.table_q}.${r.att_q} (no SELECT privilege)`;
  return null;
}

// Column facts for pairs, the catalog facts their verdicts need (added to
// ctx: types, displays, collations, operator classes), each pair judged
// once per shape of types and registered with the engine; returns the rows
// to render and the batch renderPairs() sends to the engine.
async function judgePairs(ctx, pairs) {
  const { s, types } = ctx;
  const cols = await columnFacts(s, pairs);
  await types.load([...cols.values()].map((c) => c.type));
  await types.loadCasts();
  // effective typmod (the column's, else its domain's) and displays
  // (thousands of columns, a few shapes: each computed once)
  const shapes = new Map();
  const shapeOf = new Map();
  for (const c of cols.values()) {
    const k = `${c.type}/${c.typmod}`;
    let t = shapes.get(k);
    if (!t) shapes.set(k, (t = { type: c.type, typmod: c.typmod, effective: types.base(c.type, c.typmod) }));
    shapeOf.set(c, t);
  }
  const disp = await displayTypes(s, [...shapes.values()].flatMap((t) => [{ type: t.type, typmod: t.typmod }, { type: t.effective.oid, typmod: t.effective.typmod }]));
  for (const t of shapes.values()) {
    t.display = disp.get(`${t.type}/${t.typmod}`);
    t.base_display = disp.get(`${t.effective.oid}/${t.effective.typmod}`);
  }
  for (const [c, t] of shapeOf) {
    c.effective = t.effective;
    c.display = t.display;
    c.base_display = t.base_display;
  }
  for (const [oid, c] of await collationFacts(s, [...cols.values()].map((c) => c.coll).filter((o) => !ctx.colls.has(o))))
    ctx.colls.set(oid, c);
  const opclasses = pairs.map((p) => p.opclass).filter((o) => !ctx.opclasses.has(o));
  if (opclasses.length) for (const [oid, oc] of await opclassFacts(s, opclasses)) ctx.opclasses.set(oid, oc);
  if (!ctx.defaults) ctx.defaults = await defaultBtreeFamilies(s);
  const candidates = [];
  const batch = [];
  const batched = [];
  for (const p of pairs) {
    const fk = cols.get(`${p.rel}/${p.att}`), pk = cols.get(`${p.refrel}/${p.refatt}`);
    if (!fk || !pk) continue;
    // identical types are no mismatch, unless Citus refuses the key
    if (fk.type === pk.type && fk.typmod === pk.typmod && fk.coll === pk.coll && !p.citus) continue;
    const key = `${fk.type}/${fk.typmod}/${fk.coll}/${pk.type}/${pk.typmod}/${pk.coll}/${p.opclass}`;
    let judged = ctx.judged.get(key);
    if (!judged) {
      judged = await judge(ctx, fk, pk, p.opclass);
      judged.id = call('registerPair', ctx.pairTable, judged.facts, judged.conversion);
      ctx.judged.set(key, judged);
    }
    const row = { p, fk, pk, r: null, implied: p.con == null };
    candidates.push(row);
    const names = [fk.regclass, fk.table_q, fk.att_q, pk.regclass, pk.table_q, pk.att_q, p.conname != null ? p.conname_q : ''];
    // a name with U+001E or U+001F cannot travel joined, nor a Citus
    // distribution column's fix (render.cpp): the object form
    if (p.distributionColumn || names.some((n) => SEPARATOR.test(n))) row.r = renderOne(judged, names, p.distributionColumn);
    else {
      batch.push(`${judged.id}\x1f${names.join('\x1f')}`);
      batched.push({ row, judged, names });
    }
  }
  return { candidates, batch, batched };
}

const SEPARATOR = /[\x1e\x1f]/;

function renderOne(judged, names, distributionColumn = false) {
  const [fk_table, fk_table_q, fk_column, pk_table, pk_table_q, pk_column, constraint] = names;
  return call('renderPair', { fk_table, fk_table_q, fk_column, pk_table, pk_table_q, pk_column, constraint, distribution_column: distributionColumn },
    judged.facts, judged.conversion);
}

// The verdict, types, detail and fix of every row judgePairs() left to
// render, in one call (src/wasm/plan_api.cpp renderPairsById); synchronous.
function renderPairs(table, { candidates, batch, batched }) {
  if (batch.length) {
    const view = call('renderPairsById', table, batch.join('\x1e'));
    const out = Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('utf8').split('\x1e');
    for (let i = 0; i < batched.length; i++) {
      const { row, judged, names } = batched[i];
      // empty: a result holds a separator, so the object form
      if (out[i] === '') row.r = renderOne(judged, names);
      else {
        const [kind, severity, referencingType, referencedType, detail, fix, whole] = out[i].split('\x1f');
        row.r = { kind, severity, referencing_type: referencingType, referenced_type: referencedType, detail, suggested_fix: fix, whole_values: whole === '1' };
      }
    }
  }
  return candidates;
}

// The engine's pair table (src/wasm/plan_api.cpp) lasts for one diagnosis:
// closed when it ends, however it ends.
async function diagnoseRows(s, options = {}) {
  const pairTable = call('openPairTable');
  try {
    return await diagnoseIn(s, pairTable, options);
  } finally {
    call('closePairTable', pairTable);
  }
}

async function diagnoseIn(s, pairTable, { includeImplied = true, checkData = false }) {
  const ctx = {
    pairTable,
    s,
    types: new TypeCache(s),
    colls: new Map(),
    opclasses: new Map(),
    defaults: null,
    judged: new Map(),
    checkCollations: s.serverVersion >= 180000,
  };
  const citus = await onCitus(s);
  const declared = await declaredPairs(s, citus);
  // On Citus, the facts of its tables among the pairs' (markCitus)
  const citusTables = citus ? await tableFacts(s, declared.flatMap((p) => [p.rel, p.refrel])) : null;
  if (citusTables) markCitus(citusTables, declared);
  const declaredRows = declared.length ? await judgePairs(ctx, declared) : null;
  // the server reads the implied pairs while the engine renders the
  // declared ones (nothing else uses the connection meanwhile)
  const impliedRead = includeImplied ? impliedPairs(s) : Promise.resolve([]);
  impliedRead.catch(() => {}); // awaited below; not unhandled if rendering throws first
  let candidates;
  try {
    candidates = declaredRows ? renderPairs(ctx.pairTable, declaredRows) : [];
  } catch (e) {
    // the session ends (ROLLBACK) once the implied pairs' queries are done
    await impliedRead.catch(() => {});
    throw e;
  }
  const implied = await impliedRead;
  if (citus && implied.length) {
    for (const [oid, row] of await tableFacts(s, implied.flatMap((p) => [p.rel, p.refrel]))) citusTables.set(oid, row);
    markCitus(citusTables, implied);
  }
  if (implied.length) for (const row of renderPairs(ctx.pairTable, await judgePairs(ctx, implied))) candidates.push(row);
  if (!declared.length && !implied.length) return [];
  if (citusTables) candidates = judgedByCitus(citusTables, candidates);
  const rows = candidates.filter((row) => row.r.kind !== 'none');
  // the ignore list, when the extension is there (a package user may keep one)
  const ignored = await ignoreList(s);
  const kept = rows.filter((row) => !ignored.some((e) =>
    (e.check == null || e.check === 'type_mismatch') && (e.table == null || e.table === row.p.rel) &&
    (e.constraint == null || e.constraint === (row.p.conname || '')) && (e.column == null || e.column === row.fk.attname)));
  const blockersOf = await columnBlockersOf(s, kept.map((row) => [row.fk.rel, row.fk.att]));
  for (const row of kept) {
    const { p, fk, pk, r } = row;
    if (row.implied) {
      let others = [];
      if (p.others.length) others = (await s.query('SELECT o::pg_catalog.oid::pg_catalog.regclass::text AS n FROM pg_catalog.unnest($1::oid[]) WITH ORDINALITY AS x(o, i) ORDER BY i', [p.others])).rows.map((x) => x.n);
      r.detail = call('impliedDetailPrefix', pk.regclass, others) + r.detail;
    }
    let profiled = null;
    if (checkData) {
      // a table the caller may not read, or code the profile would have to
      // run that is not trusted, leaves the row's data NULL; the detail says why
      const { profile } = require('./profile');
      const why = (await unreadableColumn(s, fk.rel, fk.att)) || (await unreadableColumn(s, pk.rel, pk.att));
      const prof = why ? { profiled: false, not_profiled_reason: why }
        : await profile(s, { rel: fk.rel, att: fk.att, target: pk.type, typmod: pk.typmod, refrel: pk.rel, refatt: pk.att, samples: 3 });
      row.profile = prof;
      if (!prof.profiled) r.detail += ` The data was not profiled: ${prof.not_profiled_reason}.`;
      else profiled = prof;
    }
    if (row.citusKind) {
      // Citus's fix, not a type conversion; where the distribution column
      // takes the key's type, the plan that distributes the table again
      // (the hint's text when none can be written)
      if (row.citusKind === 'citus_distribution_type') {
        const { buildFixPlan } = require('./fixplan');
        try {
          r.suggested_fix = await buildFixPlan(s, { rel: fk.rel, att: fk.att, refrel: pk.rel, refatt: pk.att, mode: 'fail', prof: profiled });
        } catch (e) {
          if (!e.fkgRefusal) throw e;
        }
      }
      continue;
    }
    const blockers = blockersOf.get(`${fk.rel}/${fk.att}`) || '';
    if (blockers && !r.whole_values) r.suggested_fix = call('noFixForBlockers', blockers);
    else if ((row.implied || r.kind === 'incompatible') && !r.whole_values) {
      if (profiled) {
        // the full plan with the data, as fix_plan() writes it; a plan that
        // cannot be written says why in place of the script
        const { buildFixPlan } = require('./fixplan');
        try {
          r.suggested_fix = await buildFixPlan(s, { rel: fk.rel, att: fk.att, refrel: pk.rel, refatt: pk.att, mode: 'fail', prof: profiled });
        } catch (e) {
          if (!e.fkgRefusal) throw e;
          r.suggested_fix = e.fkgRefusal;
        }
      } else {
        const facts = await fixPlanFacts(ctx, fk, pk, 'fail');
        const plan = call('fixPlan', facts, [], false);
        r.suggested_fix = plan.plan != null ? plan.plan : plan.no_fix;
      }
    }
  }
  // sorted by "schema.table\x1fconstraint" in strcmp order, the order of
  // the UTF-8 bytes: that is the strings' own order unless one holds a
  // character beyond U+FFFF (UTF-16 sorts its surrogates below U+E000)
  const order = kept.map((row, i) => ({ row, i, k: `${row.fk.sortname}\x1f${row.p.conname || ''}` }));
  if (order.some((o) => /[\ud800-\udfff]/.test(o.k))) {
    for (const o of order) o.k = Buffer.from(o.k, 'utf8');
    order.sort((a, b) => Buffer.compare(a.k, b.k) || a.i - b.i);
  } else order.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
  return order.map(({ row }) => row);
}

// Pairs of Citus tables (src/pg/diagnose.cpp): judged by Citus's rules
// too, so a pair of identical types is not left out before them
// (judgePairs()); a referencing distribution column gets its own type fix.
function markCitus(facts, pairs) {
  for (const p of pairs) {
    p.citus = facts.has(Number(p.rel)) || facts.has(Number(p.refrel));
    p.distributionColumn = isDistributionColumn(facts, p.rel, p.att);
  }
}

// The rows of Citus tables as diagnose_fk_mismatches() reports them: a key
// Citus refuses once, on its first column pair, with Citus's kind (severity
// error), message and fix; the others as any pair (identical types left out).
function judgedByCitus(facts, candidates) {
  const refusals = new Map();
  const first = new Map();
  for (const row of candidates)
    if (row.p.citus && row.p.con != null && !(first.get(row.p.con) <= row.p.ord)) first.set(row.p.con, row.p.ord);
  const out = [];
  for (const row of candidates) {
    const { p, fk, pk } = row;
    if (!p.citus) {
      out.push(row);
      continue;
    }
    let refusal;
    if (p.con == null) {
      refusal = refusalOf(facts, { rel: p.rel, refrel: p.refrel, fkTable: fk.regclass, pkTable: pk.regclass, conkey: [p.att], confkey: [p.refatt] });
    } else {
      if (!refusals.has(p.con))
        refusals.set(p.con, refusalOf(facts, { rel: p.rel, refrel: p.refrel, fkTable: fk.regclass, pkTable: pk.regclass,
          conkey: p.conkey, confkey: p.confkey, onDelete: p.on_delete, onUpdate: p.on_update }));
      refusal = refusals.get(p.con);
    }
    if (refusal) {
      if (p.con != null && first.get(p.con) !== p.ord) continue; // reported once, on its first pair
      row.citusKind = refusal.kind;
      row.r = { ...row.r, kind: refusal.kind, severity: 'error', detail: refusal.diagnose_detail, suggested_fix: refusal.diagnose_fix };
      out.push(row);
    } else if (!(fk.type === pk.type && fk.typmod === pk.typmod && fk.coll === pk.coll)) {
      out.push(row);
    }
  }
  return out;
}

async function ignoreList(s) {
  const r = await s.query(
    `SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'fk_guard' AND c.relname = 'ignored' AND pg_catalog.has_table_privilege(c.oid, 'SELECT')`);
  if (!r.rowCount) return [];
  const e = await s.query('SELECT table_name::pg_catalog.oid::text AS "table", column_name::text AS "column", constraint_name::text AS "constraint", check_name AS "check" FROM fk_guard.ignored');
  return e.rows;
}

// The rows as the pg driver returns fk_guard.diagnose_fk_mismatches()'s:
// regclass columns printed with the caller's search path.
async function asMismatchRows(s, rows) {
  if (!rows.length) return [];
  // regclass columns as the caller's search path prints them (read with the relations)
  const n = (v) => (v == null ? null : String(v));
  return rows.map(({ p, fk, pk, r, implied, profile: pr }) => ({
    source: implied ? 'implied' : 'declared',
    constraint_name: p.conname,
    referencing_table: fk.caller_regclass,
    referencing_column: fk.attname,
    referencing_type: r.referencing_type,
    referenced_table: pk.caller_regclass,
    referenced_column: pk.attname,
    referenced_type: r.referenced_type,
    kind: r.kind,
    severity: r.severity,
    detail: r.detail,
    suggested_fix: r.suggested_fix,
    ...(pr && pr.profiled ? {
      rows_total: n(pr.rows_total),
      rows_null: n(pr.rows_null),
      rows_convertible: n(pr.rows_convertible),
      rows_unconvertible: n(pr.rows_unconvertible),
      rows_orphaned: n(pr.rows_orphaned),
      sample_unconvertible: pr.sample_unconvertible,
      sample_orphaned: pr.sample_orphaned,
      conversion: pr.conversion,
    } : {
      rows_total: null,
      rows_null: null,
      rows_convertible: null,
      rows_unconvertible: null,
      rows_orphaned: null,
      sample_unconvertible: null,
      sample_orphaned: null,
      conversion: null,
    }),
  }));
}

// diagnose(db, {includeImplied = true, checkData = false}): the rows of
// fk_guard.diagnose_fk_mismatches(include_implied, check_data).
async function diagnose(db, { includeImplied = true, checkData = false } = {}) {
  return withSession(db, async (s) => asMismatchRows(s, await diagnoseRows(s, { includeImplied, checkData })));
}

module.exports = { diagnose, diagnoseRows, asMismatchRows, fixPlanFacts, columnBlockers, impliedPairs, judge, columnFacts, collationFacts, opclassFacts, defaultBtreeFamilies, displayTypes, unreadableColumn };
