#!/usr/bin/env node
'use strict';
// npx pg-fk-guard diagnose | check | history | explain | fix-plan --url postgres://...
require('../lib/cli.js').run(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`pg-fk-guard: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 3;
});
