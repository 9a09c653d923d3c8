'use strict';
// Catalog facts the diagnostic functions need, read with queries an
// ordinary role may run (pg_catalog is readable by everyone), inside the
// session of session.js (search_path = pg_catalog, pg_temp). Each helper
// mirrors one PostgreSQL routine the extension calls, named after it.

// Facts about types, read once per session and cached by oid.
class TypeCache {
  constructor(s) {
    this.s = s;
    this.types = new Map();
    this.casts = new Map();
    this.probes = new Map();
  }

  // typtype, typcategory, typbasetype, typtypmod, array-ness, typname,
  // typispreferred, format_type(oid, NULL), for the given oids and every
  // base type under them.
  async load(oids) {
    const want = [...new Set(oids.map(String))].filter((o) => o !== '0' && !this.types.has(o));
    if (!want.length) return;
    const r = await this.s.query(
      `WITH RECURSIVE t(oid) AS (
         SELECT o FROM pg_catalog.unnest($1::oid[]) o
         UNION
         SELECT ty.typbasetype FROM t JOIN pg_catalog.pg_type ty ON ty.oid = t.oid WHERE ty.typbasetype <> 0)
       SELECT ty.oid::text AS oid, ty.typname::text AS typname, ty.typtype, ty.typcategory, ty.typbasetype::text AS typbasetype,
              ty.typtypmod, ty.typispreferred, ty.typrelid <> 0 AS complex,
              ty.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc AS is_array,
              pg_catalog.format_type(ty.oid, NULL) AS formatted
         FROM t JOIN pg_catalog.pg_type ty ON ty.oid = t.oid`,
      [want]);
    for (const row of r.rows) this.types.set(row.oid, row);
  }

  get(oid) {
    const t = this.types.get(String(oid));
    if (!t) throw new Error(`pg-fk-guard: type ${oid} not loaded`);
    return t;
  }

  // getBaseTypeAndTypmod
  base(oid, typmod = -1) {
    let t = this.get(oid);
    let mod = typmod;
    while (t.typtype === 'd') {
      if (mod < 0) mod = t.typtypmod;
      t = this.get(t.typbasetype);
    }
    return { oid: t.oid, typmod: mod };
  }

  // pg_cast rows, by "source:target"
  async loadCasts() {
    if (this.castsLoaded) return;
    const r = await this.s.query(
      `SELECT c.castsource::text AS s, c.casttarget::text AS t, c.castcontext, c.castmethod,
              coalesce(p.pronargs, 0) AS nargs
         FROM pg_catalog.pg_cast c LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc`);
    for (const row of r.rows) this.casts.set(`${row.s}:${row.t}`, row);
    this.castsLoaded = true;
  }

  // parse_coerce.c IsBinaryCoercible (PostgreSQL 15)
  isBinaryCoercible(src, target) {
    src = String(src);
    target = String(target);
    if (src === target) return true;
    const ANY = '2276', ANYELEMENT = '2283', ANYCOMPATIBLE = '5077';
    if (target === ANY || target === ANYELEMENT || target === ANYCOMPATIBLE) return true;
    const b = this.base(src).oid;
    if (b === target) return true;
    const t = this.get(b);
    if ((target === '2277' || target === '5078') && t.is_array) return true;
    if ((target === '2776' || target === '5079') && !t.is_array) return true;
    if (target === '3500' && t.typtype === 'e') return true;
    if ((target === '3831' || target === '5080') && t.typtype === 'r') return true;
    if ((target === '4537' || target === '4538') && t.typtype === 'm') return true;
    if (target === '2249' && t.complex) return true;
    const c = this.casts.get(`${b}:${target}`);
    return !!c && c.castmethod === 'b' && c.castcontext === 'i';
  }

  // can_coerce_type(2, inputs, [target, target], COERCION_IMPLICIT), for a
  // btree operator class's input type: polymorphic targets need every
  // input to be the same type of that kind.
  canCoerceImplicit(inputs, target) {
    target = String(target);
    const poly = { '2277': 'array', '5078': 'array', '2776': 'nonarray', '3500': 'enum', '3831': 'range', '4537': 'multirange', '2283': 'any', '5077': 'any' };
    if (poly[target]) {
      const bases = inputs.map((i) => this.base(i).oid);
      if (!bases.every((b) => b === bases[0])) return false;
      const t = this.get(bases[0]);
      switch (poly[target]) {
        case 'array': return t.is_array;
        case 'nonarray': return !t.is_array;
        case 'enum': return t.typtype === 'e';
        case 'range': return t.typtype === 'r';
        case 'multirange': return t.typtype === 'm';
        default: return true;
      }
    }
    return inputs.every((i) => {
      i = String(i);
      if (i === target) return true;
      if (target === '2249' && this.get(this.base(i).oid).complex) return true;
      const b = this.base(i).oid;
      if (b === target) return true;
      const c = this.casts.get(`${b}:${target}`);
      return !!c && c.castcontext === 'i';
    });
  }

  // find_coercion_pathway(explicit) is a function taking the modifier
  // (integer to bit(n)): cast_applies_typmod
  castAppliesTypmod(src, target) {
    // the same type is a relabelling, whatever length coercion pg_cast lists for it
    if (this.base(src).oid === this.base(target).oid) return false;
    const c = this.casts.get(`${this.base(src).oid}:${this.base(target).oid}`);
    return !!c && c.castmethod === 'f' && c.nargs > 1;
  }

  // can_coerce_type(1, src, target, ASSIGNMENT / EXPLICIT), asked of the
  // server itself: EXECUTE coerces its parameters by assignment, a cast is
  // explicit; both are decided at parse analysis, so no value is converted.
  async coercible(src, target, context) {
    const key = `${src}:${target}:${context}`;
    if (this.probes.has(key)) return this.probes.get(key);
    const from = this.get(src).formatted, to = this.get(target).formatted;
    let ok;
    if (String(src) === String(target)) ok = true;
    else if (context === 'explicit') {
      ok = await this.s.guarded(async () => { await this.s.query(`SELECT NULL::${from}::${to}`); return true; }, (e) => {
        if (e.code === '42846' || e.code === '42804') return false;
        throw e;
      });
    } else {
      // PREPARE is not transactional: the statement is deallocated whatever happens.
      await this.s.guarded(() => this.s.query(`PREPARE fkg_assignment_probe(${to}) AS SELECT 1`));
      try {
        ok = await this.s.guarded(async () => {
          await this.s.query(`EXECUTE fkg_assignment_probe(NULL::${from})`);
          return true;
        }, (e) => {
          if (e.code === '42804' || e.code === '42846') return false;
          throw e;
        });
      } finally {
        await this.s.query('DEALLOCATE fkg_assignment_probe');
      }
    }
    this.probes.set(key, ok);
    return ok;
  }
}

// makeObjectName + ChooseConstraintName (the name ADD FOREIGN KEY would
// choose): "<table>_<column>_fkey", cut to 63 bytes (the longer name
// first, never inside a character), a number added while the name is taken
// in the schema.
function clipBytes(s, n) {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= n) return s;
  let end = n;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

function makeObjectName(name1, name2, label) {
  const b1 = Buffer.byteLength(name1), b2 = Buffer.byteLength(name2);
  const overhead = 1 + Buffer.byteLength(label) + 1;
  const avail = 63 - overhead;
  let n1 = b1, n2 = b2;
  while (n1 + n2 > avail) {
    if (n1 > n2) n1--;
    else n2--;
  }
  return `${clipBytes(name1, n1)}_${clipBytes(name2, n2)}_${label}`;
}

async function chooseConstraintName(s, relname, attname, nspOid) {
  for (let pass = 0; ; pass++) {
    const name = makeObjectName(relname, attname, pass ? `fkey${pass}` : 'fkey');
    const r = await s.query('SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = $1 AND connamespace = $2', [name, nspOid]);
    if (r.rowCount === 0) return name;
  }
}

module.exports = { TypeCache, makeObjectName, chooseConstraintName };
