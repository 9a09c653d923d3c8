'use strict';
// The engine: the extension's own pure C++ core (src/core) compiled to
// WebAssembly (lib/engine.js, built by scripts/build-engine.sh), behind a
// small JavaScript API. Loaded synchronously, once, on first use. Every
// function takes and returns plain values; bad input throws an Error whose
// message is the engine's. See ENGINE.md.

let instance = null;

function engine() {
  if (instance) return instance;
  let factory;
  try {
    factory = require('./engine.js');
  } catch (e) {
    const err = new Error(
      'pg-fk-guard: lib/engine.js is missing; in a checkout, build it with clients/node/scripts/build-engine.sh');
    err.cause = e;
    throw err;
  }
  const m = {};
  factory(m); // WASM_ASYNC_COMPILATION=0: ready when the factory returns
  if (typeof m.classify !== 'function') throw new Error('pg-fk-guard: the engine did not load');
  instance = m;
  return m;
}

// Calls an engine function; {__engine_error} (a C++ exception) becomes an Error.
function call(name, ...args) {
  const out = engine()[name](...args);
  if (out !== null && typeof out === 'object' && typeof out.__engine_error === 'string') {
    const err = new Error(`pg-fk-guard engine: ${out.__engine_error}`);
    err.engineFunction = name;
    throw err;
  }
  return out;
}

module.exports = {
  engine,
  call,
  // verdict.hpp: classify(PairFacts) -> {kind, severity, explanation, problems: [{kind, sentence}]}
  classify: (facts) => call('classify', facts),
  identical: (a, b) => call('identical', a, b),
  wholeValueProblem: (referencing, referenced) => call('wholeValueProblem', referencing, referenced),
  // [{kind, severity}] from the most serious kind to 'none'
  kinds: () => call('kinds'),
  // naming.hpp
  referenceStem: (column) => call('referenceStem', column),
  candidateTables: (stem, referencingTable = '') => call('candidateTables', stem, referencingTable),
  // input_check.hpp: null when the type has no input rule, else {ok, error}
  checkInput: (type, text, typmod = -1) => call('checkInput', type, text, typmod),
  // sql_writer.hpp
  quoteIdent: (raw) => call('quoteIdent', raw),
  quoteQualified: (schema, name) => call('quoteQualified', schema, name),
  quoteLiteral: (s) => call('quoteLiteral', s),
  // fix_writer.hpp
  alterColumnTypeSql: (table, column, type, collation = '', conversion = 'assignment') =>
    call('alterColumnTypeSql', table, column, type, collation, conversion),
  typeFix: (target, facts) => call('typeFix', target, facts),
  // tool_notes.hpp: {tool, note}
  toolNote: (shape, keyType) => call('toolNote', shape, keyType),
  // guard_text.hpp: the guard's sentences, the same as the extension's
  refusalReport: (input) => call('refusalReport', input),
  softReport: (input) => call('softReport', input),
  dataSentence: (table, column, source, target, data) => call('dataSentence', table, column, source, target, data),
  fixPlanCall: (table, column, referencedTable, referencedColumn, mode = null, constraint = null) =>
    call('fixPlanCall', table, column, referencedTable, referencedColumn, mode, constraint),
  explainCall: (qualified, column, calls = 'sql') => call('explainCall', qualified, column, calls),
  typeWithCollationNote: (type, show) => call('typeWithCollationNote', type, show),
  // guard_text.hpp, keys rebuilt by ALTER COLUMN TYPE (src/wasm/guard_api.cpp)
  rebuiltDetailOpening: (several) => call('rebuiltDetailOpening', several),
  rebuiltHint: (input) => call('rebuiltHint', input),
  // guard_text.hpp, a key column's conversion that no cast can do: {message, detail, hint}
  castRefusal: (input) => call('castRefusal', input),
  // guard_text.hpp: a key column whose referencing keys the transaction dropped
  droppedKeysRefusal: (input) => call('droppedKeysRefusal', input),
  // tool_notes.hpp recognise_cast_tool: {tool, note} ({tool: null, note: ''} when none)
  castToolNote: (shape) => call('castToolNote', shape),
  // citus_rules.hpp: null when Citus accepts the key, else {sqlstate, message, detail, hint, kind}
  citusCheck: (key) => call('citusCheck', key),
  // guard_text.hpp, the notices beyond types: {message, detail, hint}
  duplicateExisting: (key, old, asError, calls = 'sql') => call('duplicateExisting', key, old, asError, { calls }),
  duplicateInStatement: (key, first, asError, calls = 'sql') => call('duplicateInStatement', key, first, asError, { calls }),
  validationScan: (key, scan, calls = 'sql') => call('validationScan', key, scan, { calls }),
};
