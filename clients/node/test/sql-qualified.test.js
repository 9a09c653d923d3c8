'use strict';
// Every query the package runs is run with the caller's search_path, on a
// connection a migration role holds: a built-in function named without
// pg_catalog. could be answered by a look-alike that any role able to create
// in a schema on the path has put there (PostgreSQL prefers a function whose
// argument types match exactly over pg_catalog's polymorphic one). So every
// SQL text in lib/ (template literals that hold a query) names the built-in
// functions it calls with their schema. lib/functions/explain-sql.js is left
// out: generated from the extension's SQL, its functions are created with
// SET search_path = pg_catalog, pg_temp.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const BUILTINS = ['unnest', 'format_type', 'quote_ident', 'quote_literal', 'array_agg', 'json_agg', 'jsonb_agg',
  'json_build_object', 'jsonb_build_object', 'json_object_agg', 'jsonb_object_agg', 'to_regclass', 'to_regtype',
  'current_setting', 'array_to_string', 'string_agg', 'format', 'pg_get_constraintdef', 'pg_get_expr', 'pg_has_role',
  'has_table_privilege', 'has_schema_privilege', 'has_column_privilege', 'array_length', 'cardinality', 'txid_current',
  'txid_current_if_assigned', 'generate_series', 'pg_my_temp_schema', 'current_schemas', 'regexp_replace',
  'json_to_recordset', 'pg_relation_size', 'pg_total_relation_size', 'pg_get_keywords', 'obj_description'];
const CALL = new RegExp(String.raw`(^|[^._a-zA-Z0-9"$])(${BUILTINS.join('|')})\s*\(`, 'g');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.js') && e.name !== 'engine.js' && e.name !== 'explain-sql.js' ? [p] : [];
  });
}

test('the package\'s SQL names built-in functions with pg_catalog.', () => {
  const lib = path.join(__dirname, '..', 'lib');
  const bad = [];
  let queries = 0;
  for (const file of sources(lib)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/`[^`]*`/g)) {
      const sql = m[0];
      if (!/\b(SELECT|FROM|WITH)\b/.test(sql)) continue;
      queries++;
      for (const c of sql.matchAll(CALL)) {
        const line = text.slice(0, m.index + c.index).split('\n').length;
        bad.push(`${path.relative(lib, file)}:${line}: ${c[2]}(`);
      }
    }
  }
  assert.ok(queries > 50, `found ${queries} queries`);
  assert.deepEqual(bad, []);
});
