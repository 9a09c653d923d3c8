'use strict';
// pg-fk-guard: pg_fk_guard's foreign-key checks without the extension.
const engine = require('./engine-wrapper.js');
const { guard } = require('./guard.js');

module.exports = {
  engine,
  guard,
};
