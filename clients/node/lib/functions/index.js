'use strict';
// The extension's diagnostic functions, in JavaScript, over any pg Client or Pool.
const { diagnose } = require('./diagnose');
const { checkForeignKeys } = require('./check');
const { migrationHistory } = require('./history');
const { profileColumn } = require('./profile');
const { fixPlan } = require('./fixplan');
const { changeKeyTypePlan } = require('./keyplan');
const { explain } = require('./explain');

module.exports = { diagnose, checkForeignKeys, migrationHistory, profileColumn, fixPlan, changeKeyTypePlan, explain };
