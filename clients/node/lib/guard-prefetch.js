'use strict';
// The guard's catalog question, asked before the statement is parsed. The
// guard needs PostgreSQL's parser (libpg-query) to know what a statement
// adds, and the catalog's answer (RESOLVE_SQL in guard-judge.js) about the
// tables it names; asked one after the other, the parse and the round trip
// add up. For the common shapes (one CREATE TABLE or ALTER TABLE with
// REFERENCES, no comments, strings or dollar quotes) a plain reading of the
// words guesses the question's parameters, generously: every table named
// after TABLE or REFERENCES, every word as a column name. The question goes
// out at once and the parse runs while the server answers. The answer is
// used only when the guess covers what the parse found (guessCovers in
// guard-judge.js); otherwise the guard asks again, so a guess can cost a
// round trip but never changes a verdict.

const { candidates } = require('./guard-names.js');

const quoteAlways = (s) => `"${String(s).replace(/"/g, '""')}"`;

// PostgreSQL folds unquoted identifiers to lower case, ASCII letters only
// (scansup.c downcase_identifier, for a single-byte or UTF-8 database).
const fold = (w) => w.replace(/[A-Z]+/g, (m) => m.toLowerCase());

// Words and punctuation; null when the text holds anything this reading
// does not follow (comments, string constants, dollar quotes, escapes,
// more than one statement, unterminated quotes).
function words(text) {
  const body = text.replace(/;\s*$/, '');
  if (/--|\/\*|['$\\;]/.test(body)) return null;
  const out = [];
  const re = /\s+|"((?:[^"]|"")*)"|([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)|([0-9]+(?:\.[0-9]+)?)|([(),.*\[\]:=<>+\-/%^|&!~#@?])/gy;
  let m;
  while (re.lastIndex < body.length) {
    const at = re.lastIndex;
    m = re.exec(body);
    if (!m || re.lastIndex === at) return null;
    if (m[1] !== undefined) {
      if (m[1].length === 0) return null; // "" is an error for PostgreSQL
      out.push({ ident: m[1].replace(/""/g, '"'), quoted: true });
    } else if (m[2] !== undefined) {
      out.push({ ident: fold(m[2]), quoted: false });
    } else if (m[3] !== undefined || m[4] !== undefined) {
      out.push({ punct: m[3] !== undefined ? '0' : m[4] });
    }
  }
  return out;
}

const isWord = (t, w) => t && t.ident === w && !t.quoted;

// A (schema-)qualified name from position i: {parts, next} or null.
function qualifiedName(ws, i) {
  const parts = [];
  while (ws[i] && ws[i].ident !== undefined) {
    parts.push(ws[i].ident);
    if (!(ws[i + 1] && ws[i + 1].punct === '.')) return parts.length <= 3 ? { parts, next: i + 1 } : null;
    i += 2;
  }
  return null;
}

// The parameters RESOLVE_SQL would be asked with, as a superset, or null:
// {names, schema, name, temp, declared, attrs, defaults}.
function guessResolve(text) {
  if (text.length > 20000) return null;
  const ws = words(text);
  if (!ws || ws.length < 4) return null;
  let i = 0;
  let creating = false;
  let temp = false;
  if (isWord(ws[0], 'create')) {
    creating = true;
    i = 1;
    if (isWord(ws[i], 'global') || isWord(ws[i], 'local')) i++;
    if (isWord(ws[i], 'temporary') || isWord(ws[i], 'temp')) {
      temp = true;
      i++;
    } else if (isWord(ws[i], 'unlogged')) i++;
    if (!isWord(ws[i], 'table')) return null;
    i++;
    if (isWord(ws[i], 'if') && isWord(ws[i + 1], 'not') && isWord(ws[i + 2], 'exists')) i += 3;
  } else if (isWord(ws[0], 'alter') && isWord(ws[1], 'table')) {
    i = 2;
    if (isWord(ws[i], 'if') && isWord(ws[i + 1], 'exists')) i += 2;
    if (isWord(ws[i], 'only')) i++;
  } else {
    return null;
  }
  const table = qualifiedName(ws, i);
  if (!table) return null;
  // Parents and copies are read from other tables: left to the parse.
  if (ws.some((t) => ['inherits', 'partition', 'like', 'of', 'attach'].some((w) => isWord(t, w)))) return null;
  const names = [table.parts.map(quoteAlways).join('.')];
  for (let k = table.next; k < ws.length; k++) {
    if (!isWord(ws[k], 'references')) continue;
    const ref = qualifiedName(ws, k + 1);
    if (!ref) return null;
    const t = ref.parts.map(quoteAlways).join('.');
    if (!names.includes(t, 1)) names.push(t);
  }
  if (names.length < 2) return null;
  const idents = [...new Set(ws.filter((t) => t.ident !== undefined).map((t) => t.ident))];
  const relname = table.parts[table.parts.length - 1];
  return {
    names,
    schema: creating && table.parts.length >= 2 ? table.parts[table.parts.length - 2] : null,
    name: creating ? relname : null,
    temp: creating && temp,
    declared: idents,
    attrs: idents,
    defaults: creating ? [] : defaultNames(ws, table.next, relname),
  };
}

const NOT_A_COLUMN = new Set(['column', 'constraint', 'foreign', 'primary', 'unique', 'check', 'exclude']);

// An existing table's default key names: for each FOREIGN KEY (columns),
// and for each column ADD declares (its REFERENCES, if any).
function defaultNames(ws, from, relname) {
  const out = [];
  for (let k = from; k < ws.length; k++) {
    if (isWord(ws[k], 'foreign') && isWord(ws[k + 1], 'key') && ws[k + 2] && ws[k + 2].punct === '(') {
      const cols = [];
      let j = k + 3;
      for (; ws[j] && ws[j].punct !== ')'; j++) if (ws[j].ident !== undefined) cols.push(ws[j].ident);
      out.push(...candidates(relname, cols));
      k = j;
    } else if (isWord(ws[k], 'add')) {
      let j = k + 1;
      if (isWord(ws[j], 'column')) j++;
      if (isWord(ws[j], 'if') && isWord(ws[j + 1], 'not') && isWord(ws[j + 2], 'exists')) j += 3;
      if (ws[j] && ws[j].ident !== undefined && !(!ws[j].quoted && NOT_A_COLUMN.has(ws[j].ident))) {
        out.push(...candidates(relname, [ws[j].ident]));
      }
    }
  }
  return [...new Set(out)];
}

module.exports = { guessResolve, words };
