// The story again, as the application runs it: Sequelize v6 + umzug with
// the migrations of test/e2e/migrations/sequelize/story (create users and
// sessions, seed them, then changeColumn('sessions', 'userId', { type:
// INTEGER, references: users.id })); what the application gets back when it
// fails; then the repair with fix_plan(..., on_unconvertible => 'map') as a
// migration, and the story's migration again.
// Run by scripts/demo.sh (needs test/e2e's packages and PGHOST/PGPORT).
import { freshDatabase, describeServerMessage } from '../test/e2e/lib/db.mjs';
import {
  makeSequelize, makeUmzug, recordedMigrations, repairDirectory, SEQUELIZE_MIGRATIONS,
} from '../test/e2e/lib/sequelize.mjs';
import { join } from 'node:path';

const STORY = join(SEQUELIZE_MIGRATIONS, 'story');
const say = (s = '') => console.log(s);
const heading = (s) => { say(); say(`== ${s} ==`); };
// Rows as psql prints them (NULL as "(null)", like demo/story.sql).
function table(rows) {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v) => (v === null ? '(null)' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  say(' ' + cols.map((c, i) => c.padEnd(width[i])).join(' | '));
  say(width.map((w) => '-'.repeat(w + 2)).join('+'));
  for (const r of rows) say(' ' + cols.map((c, i) => cell(r[c]).padEnd(width[i])).join(' | '));
  say(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
}

const db = await freshDatabase('demo_sequelize');
const { sequelize, sent } = makeSequelize(db);
try {
  heading('umzug.up(): the story\'s migrations through Sequelize v6 (database ' + db.name + ')');
  const { umzug, events } = makeUmzug(sequelize, STORY);
  let error = null;
  try {
    await umzug.up();
  } catch (e) {
    error = e;
  }
  for (const e of events.filter((x) => x.event === 'migrated')) say(`migrated: ${e.name}`);
  say(`Sequelize sent for the changeColumn: ${sent.filter((s) => /^ALTER TABLE "sessions"/.test(s)).join(' ')}`);
  if (!error) throw new Error('the story\'s migration was expected to fail');
  say();
  say(`umzug threw ${error.name}: ${error.message}`);
  const original = error.cause.original;
  say(`error.cause is a ${error.cause.name}; error.cause.original (the pg error) holds:`);
  say(`  .code   ${original.code}`);
  say(`  .detail ${original.detail}`);
  say(`  .hint   ${original.hint}`);
  say(`  .where  ${original.where}`);
  say();
  say('As psql would show it:');
  say(describeServerMessage(original));
  say();
  say(`SequelizeMeta: ${(await recordedMigrations(sequelize)).join(', ')} (the changeColumn migration is not recorded)`);

  heading('The repair: fix_plan(\'sessions\', \'userId\', \'users\', on_unconvertible => \'map\'), committed as a migration');
  const [{ plan }] = await db.rows(
    "SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => 'map') AS plan");
  say(plan);
  const repair = repairDirectory(STORY, plan, { table: 'sessions', column: 'userId', referenced: 'users', onUnconvertible: 'map' });
  try {
    say(`umzug.up() with ${repair.name} before the failed migration:`);
    const done = await makeUmzug(sequelize, repair.dir).umzug.up();
    for (const m of done) say(`migrated: ${m.name}`);
  } finally {
    repair.remove();
  }

  heading('After the repair, through Sequelize');
  table(await db.rows(`SELECT s.sid, s."userId", u.email FROM sessions s LEFT JOIN users u ON u.id = s."userId" ORDER BY s.sid`));
  say('Foreign keys on sessions: the plan added sessions_userId_fkey; the story\'s migration, run after it, added an identical second one:');
  table(await db.rows(`SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
                        WHERE conrelid = 'sessions'::regclass AND contype = 'f' ORDER BY conname`));
  const [{ left }] = await db.rows(
    `SELECT count(*)::int AS left FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = 'sessions'::regclass`);
  say(`mismatches left on sessions: ${left}`);
} finally {
  await sequelize.close();
  await db.drop();
}
