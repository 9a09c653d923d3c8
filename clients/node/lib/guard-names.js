'use strict';
// PostgreSQL's default name for an unnamed foreign key (tablecmds.c:
// ChooseForeignKeyConstraintNameAddition, indexcmds.c: makeObjectName,
// pg_constraint.c: ChooseConstraintName), byte for byte: NAMEDATALEN 64,
// multibyte names clipped at a character boundary.

const NAMEDATALEN = 64;

function bytes(s) {
  return Buffer.byteLength(s, 'utf8');
}

// The longest prefix of s with at most n bytes that ends on a character boundary.
function clip(s, n) {
  if (bytes(s) <= n) return s;
  const b = Buffer.from(s, 'utf8');
  let end = n;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

function makeObjectName(name1, name2, label) {
  // name2 present (even empty, as Citus passes it: "t__fkey") or null
  const has2 = name2 !== null && name2 !== undefined;
  let n1 = bytes(name1);
  let n2 = has2 ? bytes(name2) : 0;
  let overhead = 0;
  if (has2) overhead++;
  if (label) overhead += bytes(label) + 1;
  const avail = NAMEDATALEN - 1 - overhead;
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  let name = clip(name1, n1);
  if (has2) name += `_${clip(name2, n2)}`;
  if (label) name += `_${label}`;
  return name;
}

// The columns part: names joined with "_" until NAMEDATALEN bytes.
function fkNameAddition(columns) {
  let buf = '';
  for (const c of columns) {
    if (buf.length > 0) buf += '_';
    buf += c;
    if (bytes(buf) >= NAMEDATALEN) break;
  }
  return buf;
}

// The candidates in the order PostgreSQL tries them (label fkey, fkey1, ...).
function* eachCandidate(relname, columns, count = 10) {
  const add = fkNameAddition(columns);
  for (let pass = 0; pass < count; pass++) yield makeObjectName(relname, add, pass === 0 ? 'fkey' : `fkey${pass}`);
}

function candidates(relname, columns, count = 10) {
  return [...eachCandidate(relname, columns, count)];
}

// The first candidate not taken (taken: a Set of names used in the namespace
// or chosen earlier in the statement); null if all ten are taken (unsure).
function chooseName(relname, columns, taken) {
  for (const c of eachCandidate(relname, columns)) if (!taken.has(c)) return c;
  return null;
}

module.exports = { makeObjectName, fkNameAddition, candidates, chooseName, NAMEDATALEN };
