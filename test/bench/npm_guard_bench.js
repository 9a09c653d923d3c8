'use strict';
// The npm guard's cost per migration statement (test/bench/npm_guard_bench.sh):
// the same statements sent by two sessions of one database without the
// extension, one plain and one through guard(), alternating, each statement
// in its own transaction that is rolled back; the probe cache warm (a first
// round is not timed). Cost = median(guarded) - median(plain), per statement
// kind, in milliseconds. Also the median of the paired differences.
const path = require('node:path');
const pkg = path.join(__dirname, '..', '..', 'clients', 'node');
const { Client } = require(path.join(pkg, 'node_modules', 'pg'));
const { guard } = require(path.join(pkg, 'lib', 'index.js'));

const N = Number(process.env.FKG_BENCH_STATEMENTS || 300);
const TABLES = 50;

const SETUP = [
  'CREATE TABLE parent_a (id bigserial PRIMARY KEY)',
  'CREATE TABLE parent_u (id uuid PRIMARY KEY)',
  ...Array.from({ length: TABLES }, (_, i) => `CREATE TABLE child_${i} (id serial PRIMARY KEY, a bigint, n integer, u uuid, note text)`),
].join(';\n');

const ROWS = {
  // What migrations send, one statement each.
  create_ref: (i) => `CREATE TABLE new_${i} (id serial PRIMARY KEY, a bigint REFERENCES parent_a, u uuid REFERENCES parent_u (id))`,
  add_fk: (i) => `ALTER TABLE child_${i % TABLES} ADD FOREIGN KEY (a) REFERENCES parent_a (id)`,
  add_column_ref: (i) => `ALTER TABLE child_${i % TABLES} ADD COLUMN b bigint REFERENCES parent_a`,
  add_fk_soft: (i) => `ALTER TABLE child_${i % TABLES} ADD FOREIGN KEY (n) REFERENCES parent_a (id)`,
  add_fk_refused: (i) => `ALTER TABLE child_${i % TABLES} ADD FOREIGN KEY (u) REFERENCES parent_a (id)`,
  no_fk: (i) => `CREATE INDEX ON child_${i % TABLES} (note)`,
};

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const fs = require('node:fs');

// The backend's time on a CPU so far, in ms (/proc/<pid>/schedstat, ns):
// waiting for a CPU on a loaded machine does not count.
function backendCpu(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch (e) {
    return NaN;
  }
}

// One statement in a transaction rolled back: {wall, client CPU, backend CPU} in ms.
async function timed(client, sql) {
  await client.query('BEGIN');
  const s0 = backendCpu(client.fkgPid);
  const u0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  try {
    await client.query(sql);
  } catch (e) {
    // a refusal (guarded) or PostgreSQL's own (plain): both are the answer
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const u = process.cpuUsage(u0);
  const server = backendCpu(client.fkgPid) - s0;
  await client.query('ROLLBACK');
  return { wall: ms, cpu: (u.user + u.system) / 1000 + server };
}

(async () => {
  const database = process.env.PGDATABASE;
  const plain = new Client({ database });
  const guarded = new Client({ database });
  await plain.connect();
  await guarded.connect();
  await plain.query(SETUP);
  for (const c of [plain, guarded]) c.fkgPid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
  guard(guarded, { logger: null, profileRowLimit: 100000 });
  const rows = (process.env.FKG_BENCH_ROWS || Object.keys(ROWS).join(' ')).split(/\s+/).filter(Boolean);
  console.log(`npm guard bench: ${N} statements per row and session, each in a transaction rolled back; costs in ms`);
  console.log('wall: elapsed time (includes waiting for a CPU); cpu: time on a CPU, this process plus the session\'s backend');
  console.log('row              plain_median  guarded_median  cost_median  paired_diff_median  p90_guarded  cpu_plain  cpu_guarded  cpu_cost');
  const costs = {};
  const cpuCosts = {};
  for (const row of rows) {
    const make = ROWS[row];
    for (let i = 0; i < 5; i++) await timed(guarded, make(i)); // warm: parser, probes, caches
    const p = [];
    const g = [];
    const d = [];
    const pc = [];
    const gc = [];
    for (let i = 0; i < N; i++) {
      const sql = make(i);
      // Alternate which goes first, so that neither gets the warmer moment.
      let a;
      let b;
      if (i % 2) {
        a = await timed(plain, sql);
        b = await timed(guarded, sql);
      } else {
        b = await timed(guarded, sql);
        a = await timed(plain, sql);
      }
      p.push(a.wall);
      g.push(b.wall);
      d.push(b.wall - a.wall);
      pc.push(a.cpu);
      gc.push(b.cpu);
    }
    const sorted = [...g].sort((x, y) => x - y);
    costs[row] = median(g) - median(p);
    cpuCosts[row] = median(gc) - median(pc);
    console.log(`${row.padEnd(16)} ${median(p).toFixed(3).padStart(12)}  ${median(g).toFixed(3).padStart(14)}  ${costs[row].toFixed(3).padStart(11)}  ${median(d).toFixed(3).padStart(18)}  ${sorted[Math.floor(sorted.length * 0.9)].toFixed(3).padStart(11)}  ${median(pc).toFixed(3).padStart(9)}  ${median(gc).toFixed(3).padStart(11)}  ${cpuCosts[row].toFixed(3).padStart(8)}`);
  }
  const fkRows = rows.filter((r) => r !== 'no_fk' && r !== 'add_fk_refused');
  if (fkRows.length === 0) {
    await plain.end();
    await guarded.end();
    return;
  }
  const worst = Math.max(...fkRows.map((r) => costs[r]));
  const worstCpu = Math.max(...fkRows.map((r) => cpuCosts[r]));
  // The goal is the time a migration waits (wall); the CPU figure counts the
  // parse and the catalog round trip, which overlap, one after the other.
  console.log(`npm guard bench: worst median cost per migration statement that adds a key (accepted or soft): wall ${worst.toFixed(3)} ms (goal < 1 ms: ${worst < 1 ? 'met' : 'NOT met'}), cpu ${worstCpu.toFixed(3)} ms`);
  await plain.end();
  await guarded.end();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
