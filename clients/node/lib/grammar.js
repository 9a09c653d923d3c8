'use strict';
// The server's own grammar. The guard reads statements with PostgreSQL 18's
// parser (libpg-query 18), which knows syntax that older servers do not
// (temporal keys with PERIOD and WITHOUT OVERLAPS, NOT ENFORCED, virtual
// generated columns, ...). Sent to a PostgreSQL 15, 16 or 17, such a
// statement never runs: the server answers with a syntax error, before the
// extension's event trigger could see it. So before the guard speaks
// (refuses, or logs a notice) on a server older than 18, it reads the text
// again with the parser of the server's major version; where that parser
// refuses it, the guard stays silent and the server reports its own syntax
// error. PostgreSQL 13 and 14 are read with 15's parser (the closest one
// the package carries); 19 and later with 18's.

const PARSERS = [
  [170000, 'libpg-query-17'],
  [160000, 'libpg-query-16'],
  [0, 'libpg-query-15'],
];

const loaded = new Map(); // module name -> Promise of the module, ready

function parserFor(version) {
  if (version >= 180000) return null;
  const name = PARSERS.find(([from]) => version >= from)[1];
  if (!loaded.has(name)) {
    const mod = require(name);
    loaded.set(name, mod.loadModule().then(() => mod));
  }
  return loaded.get(name);
}

// The server's major version as "16", from server_version_num.
const major = (version) => String(Math.floor(version / 10000));

// null when a server of this version (server_version_num) parses the text,
// else the reason the guard stays silent.
async function serverCannotParse(text, version) {
  const parser = parserFor(version);
  if (!parser) return null;
  const mod = await parser;
  try {
    mod.parseSync(text);
    return null;
  } catch (e) {
    return `PostgreSQL ${major(version)} cannot parse the statement (${e.message}): it reports the syntax error itself`;
  }
}

module.exports = { serverCannotParse };
