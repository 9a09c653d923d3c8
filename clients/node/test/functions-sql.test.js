'use strict';
// lib/functions/explain-sql.js is the extension's own explain_in() and
// migration_history_in(): regenerated from extension/pg_fk_guard.sql, it
// must not change (run scripts/extract-explain-sql.js after editing them).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { render } = require('../scripts/extract-explain-sql.js');

test('lib/functions/explain-sql.js matches extension/pg_fk_guard.sql', () => {
  const sql = fs.readFileSync(path.resolve(__dirname, '../../../extension/pg_fk_guard.sql'), 'utf8');
  const file = fs.readFileSync(path.resolve(__dirname, '../lib/functions/explain-sql.js'), 'utf8');
  assert.equal(file, render(sql), 'stale: run clients/node/scripts/extract-explain-sql.js');
});
