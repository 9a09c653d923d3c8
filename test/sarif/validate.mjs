// Validates SARIF logs written by fk_guard.report('sarif').
//
// Usage: node validate.mjs <label> <file.sarif> [expected rule id ...]
//
// Each log is checked against two copies of the SARIF 2.1.0 JSON schema
// shipped in npm packages pinned in package-lock.json:
//   - the OASIS schema, sarif-schema-2.1.0.json (JSON Schema draft-07, $id in
//     the oasis-tcs/sarif-spec repository), as @datadog/datadog-ci-plugin-sarif
//     embeds it in its bundle to validate uploads (src/json-schema/ there);
//   - Microsoft's SARIF SDK copy, sarif-2.1.0-rtm.5.json (draft-04), the file
//     @microsoft/jest-sarif ships (lib/schemas/).
// and then for what no schema says but code-scanning tools rely on: one rule
// per check, ruleId and ruleIndex agreeing, a table and a column location per
// result, fingerprints that tell results apart, and (when given) every
// expected rule among the results.
//
// Prints one "ok - ..." or "not ok - ..." line per check; exits 1 on a failure.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";
import Ajv from "ajv";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const [label, file, ...expectedRules] = process.argv.slice(2);
if (!label || !file) {
  console.error("usage: node validate.mjs <label> <file.sarif> [expected rule id ...]");
  process.exit(2);
}

let failures = 0;
const ok = (cond, what, details = []) => {
  console.log(`${cond ? "ok" : "not ok"} - ${label}: ${what}`);
  if (!cond) {
    failures++;
    for (const d of details.slice(0, 20)) console.log(`    ${d}`);
    if (details.length > 20) console.log(`    ... ${details.length - 20} more`);
  }
  return cond;
};

// The OASIS schema, as the Datadog plugin's bundle holds it: an object literal
// assigned to sarif_schema_2_1_0_default in the region built from
// src/json-schema/sarif-schema-2.1.0.json. Read, not run: the literal alone is
// evaluated in an empty context.
function oasisSchema() {
  const bundle = readFileSync(require.resolve("@datadog/datadog-ci-plugin-sarif"), "utf8");
  const marker = "var sarif_schema_2_1_0_default = ";
  const start = bundle.indexOf(marker);
  if (start < 0) throw new Error("@datadog/datadog-ci-plugin-sarif: no embedded sarif-schema-2.1.0.json");
  let i = start + marker.length;
  let depth = 0;
  let quote = null;
  for (; i < bundle.length; i++) {
    const c = bundle[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) break;
  }
  const schema = vm.runInNewContext(`(${bundle.slice(start + marker.length, i + 1)})`, Object.create(null));
  if (!/sarif-schema-2\.1\.0\.json$/.test(schema.$id ?? "") ||
      schema.title !== "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema")
    throw new Error(`unexpected embedded schema: ${schema.$id} / ${schema.title}`);
  return schema;
}

function rtm5Schema() {
  const path = require.resolve("@microsoft/jest-sarif/package.json").replace(/package\.json$/, "lib/schemas/sarif-2.1.0-rtm.5.json");
  return JSON.parse(readFileSync(path, "utf8"));
}

const ajvErrors = (errors) => (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);

let log;
try {
  log = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
  ok(false, "the report is JSON", [String(e)]);
  process.exit(1);
}
ok(true, "the report is JSON");

for (const [name, load, AjvClass] of [
  ["OASIS sarif-schema-2.1.0.json (draft-07)", oasisSchema, Ajv],
  ["Microsoft sarif-2.1.0-rtm.5.json (draft-04)", rtm5Schema, Ajv04],
]) {
  let validate;
  try {
    // rtm.5 has a pattern that is no valid Unicode regular expression
    // (language: "...-[a-zA-Z]{2}]?$"): compile without the u flag.
    const ajv = new AjvClass({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validate = ajv.compile(load());
  } catch (e) {
    ok(false, `valid against ${name}`, [`could not load the schema: ${e.message}`]);
    continue;
  }
  ok(validate(log), `valid against ${name}`, ajvErrors(validate.errors));
}

// What code-scanning tools rely on beyond the schema.
const run = log.runs?.[0] ?? {};
const rules = run.tool?.driver?.rules ?? [];
const results = run.results ?? [];
const checks = ["type_mismatch", "duplicate", "overlapping", "unindexed", "nullable_match_simple", "not_validated"];
ok(log.version === "2.1.0" && log.runs?.length === 1, "version 2.1.0, one run");
ok(JSON.stringify(rules.map((r) => r.id)) === JSON.stringify(checks),
   "one rule per check, in a fixed order", [`rules: ${JSON.stringify(rules.map((r) => r.id))}`]);

const bad = [];
const fingerprints = new Set();
for (const [n, r] of results.entries()) {
  const where = `results[${n}] (${r.ruleId})`;
  if (rules[r.ruleIndex]?.id !== r.ruleId) bad.push(`${where}: ruleIndex ${r.ruleIndex} is rule ${rules[r.ruleIndex]?.id}`);
  if (!["error", "warning", "note"].includes(r.level)) bad.push(`${where}: level ${r.level}`);
  if (!r.message?.text) bad.push(`${where}: no message text`);
  if (!(r.locations?.length > 0)) bad.push(`${where}: no location`);
  for (const loc of r.locations ?? []) {
    const [table, column] = loc.logicalLocations ?? [];
    if (table?.kind !== "table" || column?.kind !== "column" || !column.name ||
        !column.fullyQualifiedName?.startsWith(`${table.fullyQualifiedName}.`))
      bad.push(`${where}: location is not a table and one of its columns: ${JSON.stringify(loc)}`);
  }
  const fp = `${r.ruleId} ${JSON.stringify(r.partialFingerprints ?? {})}`;
  if (fingerprints.has(fp)) bad.push(`${where}: same rule and fingerprints as an earlier result: ${fp}`);
  fingerprints.add(fp);
}
ok(bad.length === 0, `every result (${results.length}) has its rule, a level, a message, table and column locations and its own fingerprint`, bad);

if (expectedRules.length > 0) {
  const seen = new Set(results.map((r) => r.ruleId));
  const missing = expectedRules.filter((id) => !seen.has(id));
  ok(missing.length === 0, `results for ${expectedRules.join(", ")}`, [`missing: ${missing.join(", ")}`]);
} else {
  ok(results.length === 0, "no results", [`${results.length} results`]);
}

process.exit(failures > 0 ? 1 : 0);
