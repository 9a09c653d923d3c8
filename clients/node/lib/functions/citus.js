'use strict';
// The diagnostic functions on Citus: the facts src/pg/diagnose.cpp,
// fix_plan.cpp and key_plan.cpp read from Citus's catalog, read with
// queries (lib/citus.js), for the engine's src/core/citus_rules and
// citus_plans to decide with.
const engine = require('../engine-wrapper.js');
const { INSTALLED_SQL, citusFacts, citusKind, citusSide } = require('../citus.js');

// Is Citus installed (asked once per session)?
async function onCitus(s) {
  if (s.onCitus === undefined) s.onCitus = (await s.query(INSTALLED_SQL)).rows[0].citus;
  return s.onCitus;
}

// oid (a number) -> Citus facts of the Citus tables among oids; empty off Citus.
async function tableFacts(s, oids) {
  if (!(await onCitus(s))) return new Map();
  return citusFacts(async (text, params) => (await s.query(text, params)).rows, oids);
}

// The Citus refusal of a key (citus_rules::check through the engine), or
// null: fkRel/pkRel as oids, the key's column numbers in order, its actions.
function refusalOf(facts, { rel, refrel, fkTable, pkTable, conkey, confkey, onDelete = 'a', onUpdate = 'a' }) {
  const fkRow = facts.get(Number(rel)), pkRow = facts.get(Number(refrel));
  if (!fkRow && !pkRow) return null;
  const fk = citusSide(fkRow, fkTable), pk = citusSide(pkRow, pkTable);
  conkey.forEach((a, i) => {
    if (fk.dist_column && fkRow.dist_att === Number(a)) fk.dist_position = i;
  });
  confkey.forEach((a, i) => {
    if (pk.dist_column && pkRow.dist_att === Number(a)) pk.dist_position = i;
  });
  return engine.citusCheck({ referencing: fk, referenced: pk, self: String(rel) === String(refrel), on_delete: onDelete, on_update: onUpdate });
}

// Is att the distribution column of rel, a hash-distributed table (render.cpp)?
function isDistributionColumn(facts, rel, att) {
  const row = facts.get(Number(rel));
  return !!row && row.method !== 'n' && row.dist_att != null && row.dist_att === Number(att);
}

// The foreign keys that involve rel, as a plan drops and adds them again:
// those on it by name (pg_constraint's index), then those referencing it
// (catalog order); not partitions' clones.
async function keysInvolving(s, rel) {
  return (await s.query(
    `SELECT c.oid::text AS id, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.relname) AS table,
            pg_catalog.quote_ident(c.conname) AS constraint, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
            c.conrelid::text AS rel, c.confrelid::text AS refrel, c.conkey::int[] AS conkey, c.confkey::int[] AS confkey
       FROM (SELECT k.*, 0 AS part, k.conname::text AS ord1, '(0,0)'::pg_catalog.tid AS ord2
               FROM pg_catalog.pg_constraint k WHERE k.conrelid = $1 AND k.contype = 'f'
             UNION ALL
             SELECT k.*, 1, '', k.ctid FROM pg_catalog.pg_constraint k WHERE k.confrelid = $1 AND k.contype = 'f') c
       JOIN pg_catalog.pg_class t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
      WHERE c.conparentid = 0
      ORDER BY c.part, c.ord1 COLLATE "C", c.ord2`, [rel])).rows;
}

// The referencing table of fix_plan() on Citus (fix_plan.cpp
// citus_plan_facts()): null where it is no Citus table.
async function fixFacts(s, { rel, att, refrel, refatt }) {
  const facts = await tableFacts(s, [rel, refrel]);
  const row = facts.get(Number(rel));
  if (!row) return null;
  const refKind = citusKind(facts.get(Number(refrel)));
  const referencedDistributed = refKind === 'distributed' || refKind === 'single_shard';
  const distributionColumn = row.dist_att != null && row.dist_att === Number(att);
  const out = {
    kind: citusKind(row),
    distribution_column: distributionColumn,
    dist_column: row.dist_att != null ? row.dist_column : '',
    referenced_distributed: referencedDistributed,
    colocate_with: '',
  };
  // A distribution column that changes type is colocated with the referenced
  // table (if distributed); any other column keeps the table's group (its
  // oldest other table).
  let withRel = null;
  if (distributionColumn) {
    if (referencedDistributed && String(refrel) !== String(rel)) withRel = refrel;
  } else if (Number(row.colocation) !== 0) {
    withRel = (await s.query(
      `SELECT pg_catalog.min(p.logicalrelid::pg_catalog.oid)::text AS o FROM pg_catalog.pg_dist_partition p
        WHERE p.colocationid = $1 AND p.logicalrelid <> $2::pg_catalog.oid`, [row.colocation, rel])).rows[0].o;
  }
  if (withRel != null)
    out.colocate_with = (await s.query(
      `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS q
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, [withRel])).rows[0].q;
  out.shard_count = Number((await s.query('SELECT pg_catalog.count(*)::int8 AS n FROM pg_catalog.pg_dist_shard WHERE logicalrelid = $1', [rel])).rows[0].n);
  out.keys = [];
  const seen = new Set();
  for (const k of await keysInvolving(s, rel)) {
    if (seen.has(k.id)) continue; // a self-reference, seen from both sides
    if (out.keys.length >= 64) {
      out.too_many = true;
      break;
    }
    seen.add(k.id);
    out.keys.push({
      table: k.table, constraint: k.constraint, definition: k.definition,
      on_pair: k.rel === String(rel) && k.refrel === String(refrel) && k.conkey.length === 1 && k.conkey[0] === Number(att) && k.confkey[0] === Number(refatt),
      references_column: k.refrel === String(rel) && k.confkey.includes(Number(att)),
    });
  }
  return out;
}

// change_key_type_plan()'s Citus facts (key_plan.cpp plan_key_for_citus()):
// every Citus table among rels with the foreign keys that involve it; null off Citus.
async function keyPlanFacts(s, rels) {
  if (!(await onCitus(s))) return null;
  const facts = await tableFacts(s, rels);
  const tables = [];
  for (const [oid, row] of facts) {
    const t = (await s.query(
      `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS q,
              (SELECT pg_catalog.count(*)::int8 FROM pg_catalog.pg_dist_shard d WHERE d.logicalrelid = c.oid) AS shards
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`, [oid])).rows[0];
    tables.push({
      table: t.q, kind: citusKind(row), rel: oid, colocation: Number(row.colocation) || 0, shard_count: Number(t.shards),
      dist_column: row.dist_att != null ? row.dist_column : '', dist_column_q: row.dist_att != null ? row.dist_column_q : '',
      keys: (await keysInvolving(s, oid)).map((k) => ({ id: k.id, table: k.table, constraint: k.constraint, definition: k.definition })),
    });
  }
  return { tables };
}

module.exports = { onCitus, tableFacts, refusalOf, isDistributionColumn, fixFacts, keyPlanFacts };
