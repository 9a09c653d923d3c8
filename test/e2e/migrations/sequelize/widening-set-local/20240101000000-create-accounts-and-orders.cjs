'use strict';
module.exports = require('../widening/20240101000000-create-accounts-and-orders.cjs');
