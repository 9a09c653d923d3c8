'use strict';
// The command line: pg-fk-guard <command> --url postgres://... [--format text|json|sarif]
// Exit codes (for CI):
//   0  nothing found at or above --min-severity (default warning)
//   1  findings at or above --min-severity
//   2  usage error (unknown command or option)
//   3  the database could not be reached or refused a query
const { diagnose, checkForeignKeys, migrationHistory, fixPlan, explain } = require('./functions');
const pkg = require('../package.json');

const USAGE = `Usage: pg-fk-guard <command> --url postgres://user@host/db [options]

Commands:
  diagnose     every mismatched foreign-key column pair (declared, or implied by a column's name)
  check        every foreign-key finding: type mismatches, duplicate, overlapping, unindexed,
               nullable MATCH SIMPLE and never-validated keys
  history      the migrations each migration tool recorded
  explain      one column's whole picture (--table, --column)
  fix-plan     the repair script for one column (--table, --column, --referenced-table)

Options:
  --url URL              connection string (default: $DATABASE_URL, then the PG* variables)
  --format FORMAT        text (default), json or sarif (sarif: diagnose and check)
  --min-severity LEVEL   error, warning (default) or notice: the exit code counts findings at or above it
  --no-implied           diagnose: declared foreign keys only
  --check-data           diagnose: profile each pair's data (rows, values that convert, orphans)
  --schema NAME          check: only referencing tables in this schema (repeatable)
  --check NAME           check: only this check (repeatable)

Exit codes: 0 nothing at or above --min-severity, 1 findings, 2 usage error,
3 database error or a refusal.`;

const RULES = [
  ['type_mismatch', 'The referencing and referenced columns of a foreign key have different types, collations or type modifiers.', 'warning'],
  ['duplicate', 'Two foreign keys have the same columns referencing the same columns: every write checks the key twice.', 'warning'],
  ['overlapping', 'Two foreign keys between the same tables share columns, paired differently or one within the other.', 'note'],
  ['unindexed', "No index on the referencing table starts with the foreign key's columns: deletes and key updates on the referenced table scan it.", 'warning'],
  ['nullable_match_simple', 'A multi-column MATCH SIMPLE foreign key has a nullable column: a row with one NULL part is never checked.', 'warning'],
  ['not_validated', 'A foreign key added NOT VALID was never validated.', 'warning'],
];

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { command: null, format: 'text', minSeverity: 'warning', implied: true, schemas: [], checks: [] };
  const takes = new Set(['--url', '--format', '--min-severity', '--schema', '--check', '--table', '--column', '--referenced-table', '--referenced-column', '--on-unconvertible']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { opts.help = true; continue; }
    if (a === '--version') { opts.version = true; continue; }
    if (a === '--no-implied') { opts.implied = false; continue; }
    if (a === '--check-data') { opts.checkData = true; continue; }
    let name = a, value;
    if (a.startsWith('--') && a.includes('=')) [name, value] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    if (takes.has(name)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`option ${name} needs a value`);
        value = argv[++i];
      }
      const key = name.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
      if (key === 'schema') opts.schemas.push(value);
      else if (key === 'check') opts.checks.push(value);
      else opts[key] = value;
      continue;
    }
    if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    if (opts.command) throw new UsageError(`unexpected argument ${a}`);
    opts.command = a;
  }
  if (!['text', 'json', 'sarif'].includes(opts.format)) throw new UsageError(`unknown format "${opts.format}": use text, json or sarif`);
  if (!['error', 'warning', 'notice'].includes(opts.minSeverity)) throw new UsageError(`unknown severity "${opts.minSeverity}": use error, warning or notice`);
  return opts;
}

// A name[] as the pg driver hands it over (the text form, "{a,"b c"}"), as an array.
function nameArray(v) {
  if (Array.isArray(v)) return v;
  const out = [];
  const body = String(v).slice(1, -1);
  let i = 0;
  while (i < body.length) {
    let item = '';
    if (body[i] === '"') {
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i++];
      }
      i++;
    } else {
      while (i < body.length && body[i] !== ',') item += body[i++];
    }
    out.push(item);
    if (body[i] === ',') i++;
  }
  return out;
}

const rank = (s) => ({ error: 0, warning: 1, notice: 2 })[s] ?? 3;

// One finding as report('text') writes it.
function textBlock(f) {
  let out = `${f.severity.toUpperCase()} ${f.check}: ${f.referencing_table} (${f.referencing_columns.join(', ')}) -> ${f.referenced_table} (${f.referenced_columns.join(', ')})`;
  if (f.constraint != null) out += ` [${f.constraint}]`;
  out += `\n  ${f.detail}`;
  if (f.suggested_fix != null) out += `\n  fix: ${f.suggested_fix.replace(/\n/g, '\n       ')}`;
  return out;
}

const quoteIdent = (s) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);

// SARIF 2.1.0, one rule per check, one result per finding (as fk_guard.report('sarif')).
function sarif(findings) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'pg_fk_guard',
          version: pkg.version,
          informationUri: 'https://pgxn.org/dist/pg_fk_guard/',
          rules: RULES.map(([id, text, level]) => ({ id, name: id, shortDescription: { text }, defaultConfiguration: { level } })),
        },
      },
      results: findings.map((f) => {
        const props = { constraint: f.constraint ?? undefined, referencedTable: f.referenced_table, suggestedFix: f.suggested_fix ?? undefined };
        return {
          ruleId: f.check,
          ruleIndex: RULES.findIndex((r) => r[0] === f.check),
          level: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note',
          message: { text: f.detail },
          locations: f.referencing_columns.map((c) => ({
            logicalLocations: [
              { fullyQualifiedName: f.referencing_table, kind: 'table' },
              { fullyQualifiedName: `${f.referencing_table}.${quoteIdent(c)}`, name: c, kind: 'column' },
            ],
          })),
          partialFingerprints: {
            'findingKey/v1': `${f.referencing_table}/${f.constraint != null ? quoteIdent(f.constraint) : ''}/{${f.referencing_columns.map((c) => (/^[^",{}\\\s]+$/.test(c) && c.toUpperCase() !== 'NULL' ? c : `"${c.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`,
          },
          properties: JSON.parse(JSON.stringify(props)),
        };
      }),
    }],
  };
}

function render(opts, findings, write) {
  if (opts.format === 'json') write(JSON.stringify(findings, null, 2) + '\n');
  else if (opts.format === 'sarif') write(JSON.stringify(sarif(findings), null, 2) + '\n');
  else write(findings.map(textBlock).concat([`${findings.length} finding(s)`]).join('\n') + '\n');
}

async function run(argv, { write = (s) => process.stdout.write(s), warn = (s) => process.stderr.write(s), env = process.env } = {}) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    warn(`pg-fk-guard: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) { write(USAGE + '\n'); return 0; }
  if (opts.version) { write(pkg.version + '\n'); return 0; }
  const commands = ['diagnose', 'check', 'history', 'explain', 'fix-plan'];
  if (!commands.includes(opts.command)) {
    warn(`pg-fk-guard: ${opts.command ? `unknown command "${opts.command}"` : 'no command'}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.format === 'sarif' && !['diagnose', 'check'].includes(opts.command)) {
    warn(`pg-fk-guard: --format sarif is for diagnose and check\n`);
    return 2;
  }
  let pg;
  try {
    pg = require('pg');
  } catch (e) {
    warn('pg-fk-guard: the pg package is needed (npm install pg)\n');
    return 3;
  }
  const client = new pg.Client(opts.url || env.DATABASE_URL ? { connectionString: opts.url || env.DATABASE_URL } : {});
  try {
    await client.connect();
  } catch (e) {
    warn(`pg-fk-guard: cannot connect: ${e.message}\n`);
    return 3;
  }
  try {
    switch (opts.command) {
      case 'diagnose': {
        const rows = await diagnose(client, { includeImplied: opts.implied, checkData: !!opts.checkData });
        const findings = rows.map((r) => ({
          check: 'type_mismatch', severity: r.severity, referencing_table: r.referencing_table, referencing_columns: [r.referencing_column],
          referenced_table: r.referenced_table, referenced_columns: [r.referenced_column], constraint: r.constraint_name,
          kind: r.kind, source: r.source, referencing_type: r.referencing_type, referenced_type: r.referenced_type,
          detail: r.detail, suggested_fix: r.suggested_fix,
        }));
        render(opts, findings, write);
        return findings.some((f) => rank(f.severity) <= rank(opts.minSeverity)) ? 1 : 0;
      }
      case 'check': {
        const rows = await checkForeignKeys(client, { schemas: opts.schemas.length ? opts.schemas : null, checks: opts.checks.length ? opts.checks : null });
        const findings = rows.map((r) => ({
          check: r.check_name, severity: r.severity, referencing_table: r.referencing_table, referencing_columns: nameArray(r.referencing_columns),
          referenced_table: r.referenced_table, referenced_columns: nameArray(r.referenced_columns), constraint: r.constraint_name,
          detail: r.detail, suggested_fix: r.suggested_fix,
        }));
        render(opts, findings, write);
        return findings.some((f) => rank(f.severity) <= rank(opts.minSeverity)) ? 1 : 0;
      }
      case 'history': {
        const rows = await migrationHistory(client);
        if (opts.format === 'json') write(JSON.stringify(rows, null, 2) + '\n');
        else {
          const line = (r) => `${r.tool}\t${r.recorded_in}\t${r.status}\t${r.migration ?? ''}\t${r.applied_at ? r.applied_at.toISOString() : ''}${r.detail ? `\t${r.detail}` : ''}`;
          write(rows.map(line).concat([`${rows.length} migration(s)`]).join('\n') + '\n');
        }
        // failed, dirty, rolled-back or unreadable migrations fail CI
        return rows.some((r) => r.status !== 'applied') ? 1 : 0;
      }
      case 'fix-plan': {
        if (!opts.table || !opts.column || !opts.referencedTable) {
          warn('pg-fk-guard: fix-plan needs --table, --column and --referenced-table\n');
          return 2;
        }
        const script = await fixPlan(client, { referencingTable: opts.table, referencingColumn: opts.column, referencedTable: opts.referencedTable,
          referencedColumn: opts.referencedColumn ?? null, onUnconvertible: opts.onUnconvertible ?? 'fail' });
        write(opts.format === 'json' ? JSON.stringify({ script }, null, 2) + '\n' : script);
        return 0;
      }
      case 'explain': {
        if (!opts.table || !opts.column) {
          warn('pg-fk-guard: explain needs --table and --column\n');
          return 2;
        }
        write((await explain(client, { table: opts.table, column: opts.column, format: opts.format })) + '\n');
        return 0;
      }
    }
  } catch (e) {
    warn(`pg-fk-guard: ${e.message}${e.detail ? `\nDETAIL: ${e.detail}` : ''}${e.hint ? `\nHINT: ${e.hint}` : ''}\n`);
    return 3;
  } finally {
    await client.end().catch(() => {});
  }
  return 2;
}

module.exports = { run, parseArgs, sarif, nameArray, USAGE };
