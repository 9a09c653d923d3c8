'use strict';
// pg-fk-guard: pg_fk_guard's foreign-key checks without the extension.
const engine = require('./engine-wrapper.js');
const { guard } = require('./guard.js');
// The extension's diagnostic functions (lib/functions): diagnose,
// checkForeignKeys, migrationHistory, profileColumn, fixPlan, changeKeyTypePlan.
const functions = require('./functions');

module.exports = {
  engine,
  guard,
  ...functions,
};
