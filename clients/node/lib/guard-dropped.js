'use strict';
// The foreign keys this connection's transaction dropped with ALTER TABLE
// ... DROP CONSTRAINT, as the extension's guard remembers them
// (src/pg/guard_dropped.cpp). A tool that changes a key's type drops the keys
// that reference it first, then converts the key column; when no cast can
// convert it, nothing references the column any more, and the refusal names
// the dropped keys and the plan that changes the key with its references.
//
// Read just before the DROP CONSTRAINT is sent, with the transaction's id
// (txid_current(), which the DROP would assign anyway); used only while
// txid_current_if_assigned() is the same, that is in the same transaction
// block. (In autocommit each statement is its own transaction: forgotten at
// once, as the extension forgets them when the transaction ends.)

const engine = require('./engine-wrapper.js');
const { droppedConstraints } = require('./guard-collect.js');

const NOTE_SQL = `
WITH keys AS (
  SELECT k.conrelid::int8 AS rel, k.conname::text AS conname, k.confrelid::int8 AS refrel, k.confkey::int2[] AS refatts,
         ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY x(att, i)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.att ORDER BY x.i) AS attnames
    FROM pg_catalog.pg_constraint k
   WHERE k.contype = 'f' AND k.conrelid = pg_catalog.to_regclass($1::text) AND k.conname = ANY ($2::text[]))
SELECT (SELECT pg_catalog.txid_current()::text WHERE EXISTS (SELECT 1 FROM keys)) AS xact,
       (SELECT pg_catalog.json_agg(keys) FROM keys) AS keys`;

const XACT_SQL = 'SELECT pg_catalog.txid_current_if_assigned()::text AS xact';

// $1 the key's table, $2 its column number, $3 the dropped keys that
// referenced it [{rel, attname, conname}]: whether a key still references
// the column, and each dropped key's referencing column as it is now.
const REFERRERS_SQL = `
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                WHERE k.contype = 'f' AND k.confrelid = $1::oid AND $2::int2 = ANY (k.confkey)) AS live,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                 'table', d.rel::pg_catalog.oid::pg_catalog.regclass::text, 'column', pg_catalog.quote_ident(a.attname),
                 'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'constraint', pg_catalog.quote_ident(d.conname)))
          FROM pg_catalog.json_to_recordset($3::json) AS d(rel int8, attname text, conname text)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = d.rel::pg_catalog.oid AND a.attname = d.attname
               AND a.attnum > 0 AND NOT a.attisdropped) AS refs`;

// Before a text with DROP CONSTRAINT is sent: remembers the foreign keys it
// drops, in memory (the connection's own state).
async function noteDroppedKeys(session, memory, text) {
  for (const { table, names } of await droppedConstraints(text)) {
    const [r] = await session.run(NOTE_SQL, [table.text, names]);
    if (!r || !r.xact || !r.keys) continue;
    if (memory.xact !== r.xact) {
      memory.xact = r.xact;
      memory.keys = [];
    }
    for (const k of r.keys)
      k.attnames.forEach((attname, i) => memory.keys.push({ rel: Number(k.rel), attname, refrel: Number(k.refrel),
        refatt: Number(k.refatts[i]), conname: k.conname }));
  }
}

// The refusal of an ALTER COLUMN TYPE that no cast can do on rel.att when
// keys dropped in this transaction referenced it and none references it now;
// else null. c: {table, column, attname, source, target, castTo, withUsing,
// uuidTarget, calls} as messages name them.
async function droppedKeysRefusal(session, memory, rel, att, c) {
  if (!memory.keys || memory.keys.length === 0) return null;
  const [{ xact }] = await session.run(XACT_SQL);
  if (xact !== memory.xact) {
    memory.keys = []; // another transaction: forgotten
    return null;
  }
  const seen = new Set();
  const dropped = memory.keys.filter((k) => k.refrel === rel && k.refatt === att)
    .filter((k) => !seen.has(`${k.rel}/${k.conname}`) && seen.add(`${k.rel}/${k.conname}`));
  if (dropped.length === 0) return null;
  const [r] = await session.run(REFERRERS_SQL, [rel, att, JSON.stringify(dropped)]);
  if (r.live || !r.refs || r.refs.length === 0) return null;
  // By table, then column, as the extension lists them (strcmp order).
  const cmp = (x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y));
  const refs = r.refs.sort((x, y) => cmp(x.table, y.table) || cmp(x.column, y.column));
  const text = engine.droppedKeysRefusal({
    calls: c.calls, table: c.table, column: c.column, attname: c.attname, source: c.source, target: c.target,
    cast_to: c.castTo, with_using: c.withUsing, uuid_target: c.uuidTarget,
    references: refs.map((x) => ({ column: `${x.table}.${x.column}`, type: x.type, constraint: x.constraint })),
  });
  return { severity: 'ERROR', code: c.withUsing ? '42846' : '42804', message: text.message, detail: text.detail,
    hint: text.hint };
}

module.exports = { noteDroppedKeys, droppedKeysRefusal };
