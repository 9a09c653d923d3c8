'use strict';
// The data a refusal's DETAIL describes, as the extension's guard reads it
// (src/pg/guard_data.cpp, profile_of): the referencing column's values
// converted to the referenced type and compared with the referenced keys;
// two samples of each kind of bad value, in scan order. Read as the calling
// role (privileges and row-level security apply), inside a savepoint that is
// rolled back, only for tables up to the row limit, and only when the
// conversion runs code built into PostgreSQL or owned by a superuser:
// otherwise nothing is read and the DETAIL says which code would have run.

const { rolledBack } = require('./probe.js');
const { untrustedCode } = require('./functions/profile.js');


const SAMPLES = 2;

// Types whose values are equal exactly when their text is (profile.cpp,
// binary_identity_is_equality and text_identity_is_equality).
const BINARY_IDENTITY = new Set(['int2', 'int4', 'int8', 'oid', 'uuid', 'bool', 'char', 'date', 'time', 'timestamp',
  'timestamptz', 'macaddr', 'macaddr8']);
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'name']);

function textIdentityIsEquality(type, keyCollationDeterministic) {
  if (TEXT_TYPES.has(type.base)) return keyCollationDeterministic;
  return BINARY_IDENTITY.has(type.base) || type.baseTyptype === 'e';
}

function estimated(rel) {
  return rel.reltuples >= 0 ? rel.reltuples : rel.relpages * 100;
}

// req: {rel: {oid, reltuples, relpages, qualified}, column (quoted), fk, pk
// (probe.js column types), conversion, keys: null | {rel, column (quoted),
// display ('users.id'), type (its type oid)}, rowLimit}. Returns the
// engine's DataFacts.
async function profile(session, req) {
  const data = { read: false, estimated: -1, row_limit: req.rowLimit };
  if (req.rowLimit <= 0) return data;
  data.estimated = estimated(req.rel);
  if (data.estimated > req.rowLimit) return data;
  let withKeys = !!req.keys && textIdentityIsEquality(req.pk, req.keys.collationDeterministic !== false);
  if (withKeys && estimated(req.keys.rel) > req.rowLimit) {
    withKeys = false;
    data.keys_not_read = `${req.keys.display.slice(0, req.keys.display.lastIndexOf('.'))} has about ${Math.trunc(estimated(req.keys.rel))} rows, more than pg_fk_guard.profile_row_limit`;
  }
  // Only code built into PostgreSQL or a superuser's converts and compares:
  // never a type or cast owner's, not even the caller's own, for a statement
  // PostgreSQL refuses (the extension's profile with TrustCaller::No, the
  // checks of functions/profile.js). Otherwise nothing is read and the
  // DETAIL says which code would have run.
  const why = await untrustedCode({ query: async (text, params) => ({ rows: await session.run(text, params) }) }, {
    columnType: String(req.fk.type_oid), source: String(req.fk.baseOid), target: String(req.pk.type_oid),
    viaText: req.conversion === 'none', identical: req.fk.baseOid === req.pk.type_oid && !(req.pk.declaredTypmod >= 0),
    keysType: withKeys ? String(req.keys.type) : null, trustCaller: false });
  if (why) return { ...data, not_read: why, user_code: true };
  const viaText = req.conversion === 'none';
  try {
    await rolledBack(session, async () => {
      await session.runRaw(`CREATE FUNCTION pg_temp.fkg_guard_convert(v anyelement) RETURNS text LANGUAGE plpgsql AS $fkg$
DECLARE r ${req.pk.display};
BEGIN
  r := v::${req.pk.baseSql};
  RETURN r::text;
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END $fkg$`);
      const values = await session.run(
        `SELECT (${req.column})::text AS o, pg_temp.fkg_guard_convert((${req.column})${viaText ? '::text' : ''}) AS c FROM ${req.rel.qualified}`);
      let keys = null;
      if (withKeys) {
        try {
          const rows = await session.run(
            `SELECT pg_temp.fkg_guard_convert(${req.keys.column}) AS k FROM ${req.keys.rel.qualified} WHERE ${req.keys.column} IS NOT NULL`);
          keys = new Set(rows.map((r) => r.k));
        } catch (e) {
          if (!e || typeof e.code !== 'string') throw e;
          data.keys_not_read = `the keys of ${req.keys.display} could not be read`;
        }
      }
      Object.assign(data, { rows_total: 0, rows_null: 0, rows_convertible: 0, rows_unconvertible: 0, rows_orphaned: 0,
        orphans_checked: !!keys, sample_unconvertible: [], sample_orphaned: [] });
      for (const v of values) {
        data.rows_total++;
        if (v.o === null) data.rows_null++;
        else if (v.c === null) {
          data.rows_unconvertible++;
          if (data.sample_unconvertible.length < SAMPLES) data.sample_unconvertible.push(v.o);
        } else {
          data.rows_convertible++;
          if (keys && !keys.has(v.c)) {
            data.rows_orphaned++;
            if (data.sample_orphaned.length < SAMPLES) data.sample_orphaned.push(v.o);
          }
        }
      }
      data.read = true;
    });
  } catch (e) {
    if (!e || typeof e.code !== 'string') throw e;
    // Could not read (privileges, ...): the DETAIL has no data part.
    return { read: false, estimated: data.estimated, row_limit: req.rowLimit };
  }
  if (data.read) data.keys = data.orphans_checked ? req.keys.display : '';
  return data;
}

module.exports = { profile };
